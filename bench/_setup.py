"""Shared start-up for the benchmark scripts: Django on the configured database."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

GUIDE_TXT = ROOT / "fixtures" / "guides" / "2022-strategic-cooperation.txt"
