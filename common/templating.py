"""Message templates with ``{name}`` placeholders, filled safely. Pure (no Django): the findings'
catalogue (screening.messages) and the guide parser's notices (guide.parsing.notices) both use it."""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping

__all__ = ["fill_or_none", "placeholders"]


@functools.lru_cache(maxsize=1024)
def placeholders(template: str) -> frozenset[str]:
    """Names of the ``{placeholders}`` of a template (remembered: the catalogues' texts are few)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def fill_or_none(template: str, values: Mapping[str, str]) -> str | None:
    """``template`` with its placeholders filled from ``values``; None when one has no value or the
    template is malformed (the caller falls back to what it stored), never an exception."""
    if placeholders(template) - values.keys():
        return None
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        return None
