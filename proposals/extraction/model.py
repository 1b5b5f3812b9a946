"""The neutral document model shared by the PDF and DOCX readers and the field extractor."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from proposals.interchange import Issue

__all__ = ["Document", "ExtractionError", "Line", "Table", "is_page_furniture"]


class ExtractionError(Exception):
    """The file cannot be read at all. ``code`` is stable, ``message`` is for people (Chinese + English)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class Line:
    """One line (PDF) or paragraph (DOCX) of body text.

    ``continues`` is True when the PDF layout shows that this line is the
    wrapped continuation of the previous one (same paragraph).
    """

    text: str
    page: int
    continues: bool = False


@dataclass
class Table:
    """A table; cells hold raw text where wrapped lines are separated by "\\n"."""

    rows: list[list[str]]
    page: int


Block = Line | Table


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    pages: int = 0
    warnings: list[Issue] = field(default_factory=list)


_FURNITURE = re.compile(
    r"[-—–\s]*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+|page\s*\d+(\s*of\s*\d+)?)[-—–\s]*",
    re.IGNORECASE,
)


def is_page_furniture(text: str) -> bool:
    """True for page-number lines such as "第 3 页", "- 3 -", "3 / 10", "Page 3 of 10"."""
    return bool(_FURNITURE.fullmatch(text.strip())) if text.strip() else False
