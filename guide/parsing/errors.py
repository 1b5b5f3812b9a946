"""Errors raised while reading or parsing a call guide."""

from __future__ import annotations


class GuideError(Exception):
    """Base class: a guide document could not be turned into a ParsedGuide."""


class GuideReadError(GuideError):
    """The file could not be read as text (broken, encrypted, empty, scanned, wrong encoding ...).

    ``code`` says which, from the reader that raised it (the upload page's message is chosen by it,
    never by the wording, which carries the file's name): ``empty``, ``legacy_doc``, ``not_pdf``,
    ``not_docx``, ``not_text``, ``encrypted``, ``broken_pdf``, ``broken_docx``, ``zip_bomb``,
    ``too_many_pages``, ``no_unicode``, ``scanned``, ``no_text``, or ``unreadable`` for the rest."""

    def __init__(self, message: str, *, code: str = "unreadable") -> None:
        super().__init__(message)
        self.code = code


class GuideParseError(GuideError):
    """The text was read but is not a call guide (no title/year, no directions ...)."""
