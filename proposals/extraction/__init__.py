"""Reading uploaded drafts (PDF / DOCX) into a ProposalData.

``extract(data)`` sniffs the type from the content, runs the safety checks,
reads the document into neutral blocks and extracts the fields. Files that
cannot be read raise :class:`ExtractionError` with a stable ``code``.
Plain Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from proposals.extraction.fields import FIELD_PATHS, extract_fields, tables_wanted
from proposals.extraction.model import Document, ExtractionError, Line, Table
from proposals.extraction.sniff import sniff
from proposals.interchange import Issue, ProposalData

__all__ = [
    "FIELD_PATHS",
    "Document",
    "ExtractionError",
    "ExtractionResult",
    "Line",
    "Table",
    "extract",
    "read_document",
]


@dataclass
class ExtractionResult:
    proposal: ProposalData
    found: dict[str, int | None]  # field path → page it came from (None: not found)
    warnings: list[Issue] = field(default_factory=list)
    pages: int = 0
    kind: str = ""  # "pdf" | "docx"


def read_document(
    data: bytes, *, max_bytes: int = 20 * 1024 * 1024, max_pages: int = 200, workers: int = 1
) -> tuple[str, Document]:
    """Sniff and read ``data`` into the neutral document model: (kind, Document).

    A PDF's table cells are read only where :func:`extract_fields` may take something from them
    (the others stand as ``Table([], page)``); ``workers`` > 1 lets a long PDF be read by that
    many processes (see :func:`proposals.extraction.pdf.read_pdf`)."""
    kind = sniff(data, max_bytes)
    if kind == "pdf":
        from proposals.extraction.pdf import read_pdf

        return kind, read_pdf(data, max_pages=max_pages, tables_wanted=tables_wanted, workers=workers)
    from proposals.extraction.docx import read_docx

    doc = read_docx(data)
    if doc.pages > max_pages:
        raise ExtractionError(
            "too_many_pages", f"文档页数过多（{doc.pages} 页，上限 {max_pages} 页）/ too many pages"
        )
    if not doc.blocks:
        raise ExtractionError("no_text", "文档中没有文字 / the document has no text")
    return kind, doc


def extract(
    data: bytes, *, max_bytes: int = 20 * 1024 * 1024, max_pages: int = 200, workers: int = 1
) -> ExtractionResult:
    """Extract a proposal from an uploaded PDF or DOCX. Raises ExtractionError for unreadable files.
    ``workers``: processes a long PDF may be read by (this one included)."""
    kind, doc = read_document(data, max_bytes=max_bytes, max_pages=max_pages, workers=workers)
    fields = extract_fields(doc.blocks)
    return ExtractionResult(
        proposal=fields.proposal,
        found=fields.found,
        warnings=doc.warnings + fields.warnings,
        pages=doc.pages,
        kind=kind,
    )
