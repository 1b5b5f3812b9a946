"""Errors raised while reading or parsing a call guide."""

from __future__ import annotations


class GuideError(Exception):
    """Base class: a guide document could not be turned into a ParsedGuide."""


class GuideReadError(GuideError):
    """The file could not be read as text (broken, encrypted, empty, scanned, wrong encoding ...)."""


class GuideParseError(GuideError):
    """The text was read but is not a call guide (no title/year, no directions ...)."""
