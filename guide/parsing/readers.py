"""Read a call guide from .txt, .pdf or .docx into blocks (paragraphs and headings with their layout).

The type is decided by content (``%PDF-`` magic, a ZIP holding ``word/document.xml``), not only by the
extension.  Every failure raises :class:`GuideReadError` with a one-line message.

* PDF (:mod:`guide.parsing.pdf`): PDFium characters with fonts and positions; lines and paragraphs from
  the layout (:mod:`guide.parsing.layout`); page numbers and running headers/footers dropped.
* DOCX: one block per paragraph (and per table row), with its style: bold runs, centred, first-line
  indent, heading style; superscript and subscript runs become Unicode (``cm²``, ``NOₓ``).  Headers
  and footers live outside the body and are never read.
* Text: paragraphs split at blank lines and rejoined across line and page breaks
  (:func:`guide.parsing.normalize.split_paragraphs`), page furniture dropped.

:func:`parse_file` hands the blocks to :func:`guide.parsing.parser.parse_blocks`, so every parsed value
keeps the block (and for a PDF the page and lines) it came from.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.etree.ElementTree import ParseError

from common.ooxml import W, text_boxes, word_main_part

from .errors import GuideReadError
from .layout import SUBSCRIPTS, SUPERSCRIPTS, join_broken_blocks
from .normalize import CJK_CHARS, normalize_inline, split_paragraphs
from .parser import parse_blocks
from .pdf import MAX_PDF_PAGES, read_pdf
from .types import Block, Notice, ParsedGuide

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CID = re.compile(r"\(cid:\d+\)")
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024  # zip bombs

__all__ = ["MAX_PDF_PAGES", "ExtractedDocument", "extract_document", "parse_file", "read_document"]


@dataclass
class ExtractedDocument:
    blocks: list[Block]
    kind: str  # "pdf", "docx" or "text"
    warnings: list[Notice] = field(default_factory=list)  # the reader's, as parser notices
    pages: int | None = None
    encoding: str | None = None
    page_sizes: list[tuple[float, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The blocks as text, one blank line between two."""
        return "\n\n".join(block.text for block in self.blocks)


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def extract_document(path: str | Path) -> ExtractedDocument:
    """Read ``path`` and return its blocks plus reader warnings."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GuideReadError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise GuideReadError(f"{path.name} is empty", code="empty")
    suffix = path.suffix.lower()
    if PDF_MAGIC in data[:1024]:
        return _read_pdf(path, data)
    if data.startswith(ZIP_MAGIC):
        return _read_docx(path, data)
    if data.startswith(OLE_MAGIC):
        raise GuideReadError(
            f"{path.name} is a legacy Office (.doc) file: save it as DOCX or PDF", code="legacy_doc"
        )
    if suffix == ".pdf":
        raise GuideReadError(f"{path.name} is not a PDF (no %PDF- header)", code="not_pdf")
    if suffix == ".docx":
        raise GuideReadError(f"{path.name} is not a DOCX (not a ZIP archive)", code="not_docx")
    text, encoding = decode_text(data, path.name)
    return ExtractedDocument(blocks=text_blocks(text), kind="text", encoding=encoding)


def text_blocks(text: str) -> list[Block]:
    """The paragraphs of a text as blocks (no layout: their number is their source)."""
    return [Block(index, paragraph) for index, paragraph in enumerate(split_paragraphs(text), start=1)]


def read_document(path: str | Path) -> str:
    """The text of a .txt/.pdf/.docx guide (its blocks, one blank line between two)."""
    return extract_document(path).text


def parse_file(path: str | Path) -> ParsedGuide:
    """Read and parse a guide file; reader warnings come first in ``warnings``."""
    document = extract_document(path)
    guide = parse_blocks(document.blocks, document_kind=document.kind, page_sizes=document.page_sizes)
    if document.warnings:
        guide = replace(guide, warnings=[*document.warnings, *guide.warnings])
    return guide


# ---------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------


def _plausible(char: str) -> bool:
    code = ord(char)
    if char.isspace() or 0x20 <= code < 0x7F:
        return True
    if code < 0x20 or 0x7F <= code < 0xA0 or char == "\ufffd" or 0xE000 <= code <= 0xF8FF:
        return False
    if re.match(f"[{CJK_CHARS}]", char):
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            return False  # rare ideographs: typical of bytes decoded with the wrong codec
        return True
    # punctuation, full-width forms, Greek, Latin-1 letters, math and unit symbols
    return (
        0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x2000 <= code <= 0x22FF
        or 0x00A0 <= code <= 0x024F
        or 0x0370 <= code <= 0x03FF
        or 0x2460 <= code <= 0x24FF
    )


def looks_garbled(text: str) -> bool:
    """True when too many characters are implausible for a Chinese guide (wrong codec, binary data)."""
    sample = [c for c in text[:20000] if not c.isspace()]
    if not sample:
        return False
    bad = sum(1 for c in sample if not _plausible(c))
    return bad / len(sample) > 0.05


def decode_text(data: bytes, name: str = "text") -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; reject garbage."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_garbled(text):
            raise GuideReadError(
                f"{name} does not look like text (wrong encoding or binary data; tried {encoding})",
                code="not_text",
            )
        if not text.strip():
            raise GuideReadError(f"{name} is empty", code="empty")
        return text, encoding
    raise GuideReadError(f"{name} is neither UTF-8 nor GB18030 text", code="not_text")


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def unmapped_text(page_text: str) -> bool:
    """True when most of a page extracts as ``(cid:N)``: its font has no Unicode map."""
    glyphs = len(_CID.findall(page_text))
    readable = len(re.sub(r"\s", "", _CID.sub("", page_text)))
    return glyphs > 0 and glyphs >= readable


# Plain Python errors that the document libraries let out of their parsers on damaged files.
_PARSER_ERRORS: tuple[type[BaseException], ...] = (
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    ArithmeticError,
    AssertionError,
    EOFError,
    RecursionError,
    StopIteration,
    NotImplementedError,
    struct.error,
    zlib.error,
)


def _docx_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged DOCX raises: python-docx's own errors, lxml's, zip's."""
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    return (PythonDocxError, OpcError, LxmlError, zipfile.BadZipFile, OSError, *_PARSER_ERRORS)


def _read_pdf(path: Path, data: bytes) -> ExtractedDocument:
    reading = read_pdf(path.name, data)
    return ExtractedDocument(
        blocks=reading.blocks,
        kind="pdf",
        warnings=reading.warnings,
        pages=reading.pages,
        page_sizes=reading.page_sizes,
    )


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def _read_docx(path: Path, data: bytes) -> ExtractedDocument:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if word_main_part(archive) is None:  # through the package's relationships, as Office does
                raise GuideReadError(
                    f"{path.name} is a ZIP archive but not a DOCX (no Word main document)", code="not_docx"
                )
            if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNCOMPRESSED:
                raise GuideReadError(
                    f"{path.name} unpacks to more than {MAX_DOCX_UNCOMPRESSED // 2**20} MB", code="zip_bomb"
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, ParseError) as exc:
        raise GuideReadError(f"{path.name} is a broken DOCX/ZIP file ({exc})", code="broken_docx") from exc
    import docx  # python-docx; local so that `import guide.parsing` stays light
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                for row in _table_rows(item):
                    blocks.append(Block(len(blocks) + 1, row))
            else:
                block = _paragraph_block(item, len(blocks) + 1)
                if block is not None:
                    blocks.append(block)
                _box_blocks(item, blocks)
    except GuideReadError:
        raise
    except _docx_errors() as exc:  # broken XML inside a valid ZIP, missing parts ...
        raise GuideReadError(
            f"{path.name} is a broken DOCX ({type(exc).__name__}: {exc})", code="broken_docx"
        ) from exc
    if not blocks:
        raise GuideReadError(f"{path.name} is a DOCX without text", code="no_text")
    return ExtractedDocument(blocks=join_broken_blocks(blocks), kind="docx")


def _box_blocks(paragraph, blocks: list[Block]) -> None:
    """Append the text of the text boxes and shapes anchored in ``paragraph`` (after its own text,
    where Word shows them): their paragraphs as blocks, their tables as rows."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for box in text_boxes(paragraph._p):
        for child in box:
            if child.tag == W + "p":
                inner = Paragraph(child, paragraph._parent)
                block = _paragraph_block(inner, len(blocks) + 1)
                if block is not None:
                    blocks.append(block)
                _box_blocks(inner, blocks)
            elif child.tag == W + "tbl":
                for row in _table_rows(Table(child, paragraph._parent)):
                    blocks.append(Block(len(blocks) + 1, row))


def _style_value(paragraph, read):
    """A paragraph property, else the one its style (or the style's base styles) sets."""
    value = read(paragraph.paragraph_format)
    style = paragraph.style
    depth = 0
    while value is None and style is not None and depth < 10:
        value = read(style.paragraph_format)
        style = style.base_style
        depth += 1
    return value


def _run_bold(run, paragraph) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    style = run.style if run.style is not None and run.style.type == 2 else None  # character style
    for candidate in (style, paragraph.style):
        depth = 0
        while candidate is not None and depth < 10:
            if candidate.font.bold is not None:
                return bool(candidate.font.bold)
            candidate = candidate.base_style
            depth += 1
    return False


def _paragraph_block(paragraph, index: int) -> Block | None:
    """One DOCX paragraph as a block: superscript/subscript runs as Unicode, bold, centred, indented."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    pieces: list[str] = []
    bold_chars = total_chars = 0
    for run in paragraph.runs:
        text = run.text
        if not text:
            continue
        if run.font.superscript:
            text = "".join(SUPERSCRIPTS.get(c, "^" + c) if not c.isspace() else c for c in text)
        elif run.font.subscript:
            text = "".join(SUBSCRIPTS.get(c, c) for c in text)
        counted = len(text.strip())
        total_chars += counted
        if _run_bold(run, paragraph):
            bold_chars += counted
        pieces.append(text)
    raw = "".join(pieces) if pieces else paragraph.text
    text = normalize_inline(" ".join(raw.split()))
    if not text:
        return None
    alignment = _style_value(paragraph, lambda f: f.alignment)
    indent = _style_value(paragraph, lambda f: f.first_line_indent)
    style_name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    return Block(
        index=index,
        text=text,
        bold=total_chars > 0 and bold_chars * 2 > total_chars,
        centred=alignment == WD_ALIGN_PARAGRAPH.CENTER,
        indented=bool(indent and indent > 0),
        heading=style_name.startswith(("heading", "title", "标题")),
    )


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # merged cells repeat
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        line = " | ".join(c for c in cells if c)
        if line:
            rows.append(line)
    return rows
