"""Fixtures for the extraction tests (plain Python: no database, no Django settings)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis caches what it learns (character tables, constants) in .hypothesis/ of the working
# directory; the fuzz tests write nothing to the project tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "prescreen-hypothesis")
