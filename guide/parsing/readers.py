"""Read a call guide from .txt, .pdf or .docx into plain text.

The type is decided by content (``%PDF-`` magic, a ZIP holding ``word/document.xml``), not only by the
extension.  Every failure raises :class:`GuideReadError` with a one-line message.

PDF: pdfplumber, page by page (``page.dedupe_chars()`` then text lines with their positions); page numbers
(``— 3 —``) and running headers/footers (the same line at the top/bottom of many pages) are dropped,
paragraphs are rebuilt from indentation and short last lines, spaces between CJK characters are removed
and every page is closed after use.
"""

from __future__ import annotations

import codecs
import io
import re
import statistics
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import GuideReadError
from .normalize import (
    CJK_CHARS,
    furniture_key,
    is_page_number,
    is_standalone,
    remove_cjk_spaces,
    smart_join,
    starts_section,
)
from .parser import parse_text
from .types import ParsedGuide

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CID = re.compile(r"\(cid:\d+\)")
_HEADER_BAND = 0.1
MAX_PDF_PAGES = 500
MAX_DOCX_UNCOMPRESSED = (
    100 * 1024 * 1024
)  # zip bombs  # top/bottom share of the page height where running headers/footers live


@dataclass
class ExtractedDocument:
    text: str
    kind: str  # "pdf", "docx" or "text"
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    encoding: str | None = None


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def extract_document(path: str | Path) -> ExtractedDocument:
    """Read ``path`` and return its text plus reader warnings."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GuideReadError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise GuideReadError(f"{path.name} is empty")
    suffix = path.suffix.lower()
    if PDF_MAGIC in data[:1024]:
        return _read_pdf(path, data)
    if data.startswith(ZIP_MAGIC):
        return _read_docx(path, data)
    if data.startswith(OLE_MAGIC):
        raise GuideReadError(f"{path.name} is a legacy Office (.doc) file: save it as DOCX or PDF")
    if suffix == ".pdf":
        raise GuideReadError(f"{path.name} is not a PDF (no %PDF- header)")
    if suffix == ".docx":
        raise GuideReadError(f"{path.name} is not a DOCX (not a ZIP archive)")
    text, encoding = decode_text(data, path.name)
    return ExtractedDocument(text=text, kind="text", encoding=encoding)


def read_document(path: str | Path) -> str:
    """The text of a .txt/.pdf/.docx guide."""
    return extract_document(path).text


def parse_file(path: str | Path) -> ParsedGuide:
    """Read and parse a guide file; reader warnings come first in ``warnings``."""
    document = extract_document(path)
    guide = parse_text(document.text)
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
                f"{name} does not look like text (wrong encoding or binary data; tried {encoding})"
            )
        if not text.strip():
            raise GuideReadError(f"{name} is empty")
        return text, encoding
    raise GuideReadError(f"{name} is neither UTF-8 nor GB18030 text")


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if current in chain:
            continue
        chain.append(current)
        todo.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return chain


def _pdf_error(name: str, exc: BaseException) -> GuideReadError:
    names = {type(e).__name__ for e in _exception_chain(exc)}
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"}:
        return GuideReadError(f"{name} is an encrypted PDF that needs a password")
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return GuideReadError(f"{name} is a broken PDF ({detail})")


# Plain Python errors that pdfminer / pdfplumber / python-docx let out of their parsers on damaged files.
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


def _pdf_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged PDF raises (pdfminer's errors derive from PSException)."""
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    return (PSException, PdfminerException, MalformedPDFException, *_PARSER_ERRORS)


def _docx_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged DOCX raises: python-docx's own errors, lxml's, zip's."""
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    return (PythonDocxError, OpcError, LxmlError, zipfile.BadZipFile, OSError, *_PARSER_ERRORS)


def _read_pdf(path: Path, data: bytes) -> ExtractedDocument:
    import pdfplumber  # local: keeps `import guide.parsing` light

    if b"%%EOF" not in data[-1024:]:
        raise GuideReadError(f"{path.name} is a truncated PDF (no %%EOF at the end)")
    warnings: list[str] = []
    lines: list[_Line] = []
    heights: dict[int, float] = {}
    image_pages = 0
    cid_pages = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise GuideReadError(f"{path.name} is a PDF without pages")
            page_count = len(pdf.pages)
            if page_count > MAX_PDF_PAGES:
                raise GuideReadError(
                    f"{path.name} has {page_count} pages: more than {MAX_PDF_PAGES}, not a call guide"
                )
            for index, page in enumerate(pdf.pages):
                try:
                    heights[index] = float(page.height)
                    if page.images:
                        image_pages += 1
                    raw = page.dedupe_chars().extract_text_lines(strip=True, return_chars=True)
                finally:
                    page.close()
                if unmapped_text("".join(line["text"] for line in raw)):
                    cid_pages += 1
                for line in raw:
                    text = remove_cjk_spaces(_CID.sub("", line["text"])).strip()
                    if not text:
                        continue
                    sizes = [float(c.get("size", 0)) for c in line.get("chars", []) if c.get("size")]
                    lines.append(
                        _Line(
                            text,
                            float(line["x0"]),
                            float(line["x1"]),
                            float(line["top"]),
                            float(line["bottom"]),
                            statistics.median(sizes) if sizes else 10.0,
                            index,
                        )
                    )
    except GuideReadError:
        raise
    except _pdf_errors() as exc:  # named: a Celery soft time limit (or a bug) must go through
        raise _pdf_error(path.name, exc) from exc
    if cid_pages:
        if cid_pages >= page_count or not lines:
            raise GuideReadError(
                f"{path.name}: the PDF font has no Unicode map (text extracts as (cid:N) codes); "
                "provide the DOCX/TXT or a PDF with embedded Unicode fonts"
            )
        warnings.append(f"{cid_pages} PDF page(s) use a font without Unicode map: their text is incomplete")
    if not lines:
        if image_pages:
            raise GuideReadError(
                f"{path.name} has no text layer (scanned or image-only PDF): OCR is not supported"
            )
        raise GuideReadError(f"{path.name} contains no text")
    body = _drop_page_furniture(lines, heights, page_count)
    return ExtractedDocument(text=_rebuild_paragraphs(body), kind="pdf", warnings=warnings, pages=page_count)


def unmapped_text(page_text: str) -> bool:
    """True when most of a page extracts as ``(cid:N)``: its font has no Unicode map."""
    glyphs = len(_CID.findall(page_text))
    readable = len(re.sub(r"\s", "", _CID.sub("", page_text)))
    return glyphs > 0 and glyphs >= readable


def _in_band(line: _Line, heights: dict[int, float]) -> bool:
    height = heights.get(line.page) or 842.0
    return line.top < height * _HEADER_BAND or line.bottom > height * (1 - _HEADER_BAND)


def _drop_page_furniture(lines: list[_Line], heights: dict[int, float], page_count: int) -> list[_Line]:
    """Drop page numbers and running headers/footers (lines repeated in the top/bottom band)."""
    pages_by_key: dict[str, set[int]] = {}
    for line in lines:
        if _in_band(line, heights):
            pages_by_key.setdefault(furniture_key(line.text), set()).add(line.page)
    threshold = max(2, (page_count + 1) // 2)
    repeated = {key for key, pages in pages_by_key.items() if len(pages) >= threshold}
    body = []
    for line in lines:
        if _in_band(line, heights) and (is_page_number(line.text) or furniture_key(line.text) in repeated):
            continue
        body.append(line)
    return body


def _rebuild_paragraphs(lines: list[_Line]) -> str:
    """One paragraph per block: a line that is indented, follows a short line or starts a heading opens one."""
    if not lines:
        return ""
    size = statistics.median(line.size for line in lines) or 10.0
    left = statistics.mode(round(line.x0) for line in lines)
    rights = sorted(line.x1 for line in lines)
    right = rights[int(len(rights) * 0.9)]
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line in lines:
        new_paragraph = (
            previous is None
            or line.x0 > left + size * 1.0
            or previous.x1 < right - size * 2.0
            or starts_section(line.text)
            or is_standalone(paragraphs[-1])
        )
        if new_paragraph:
            paragraphs.append(line.text)
        else:
            paragraphs[-1] = smart_join(paragraphs[-1], line.text)
        previous = line
    return "\n\n".join(paragraphs)


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def _read_docx(path: Path, data: bytes) -> ExtractedDocument:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise GuideReadError(f"{path.name} is a ZIP archive but not a DOCX (no word/document.xml)")
            if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNCOMPRESSED:
                raise GuideReadError(f"{path.name} unpacks to more than {MAX_DOCX_UNCOMPRESSED // 2**20} MB")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise GuideReadError(f"{path.name} is a broken DOCX/ZIP file ({exc})") from exc
    import docx  # python-docx; local so that `import guide.parsing` stays light
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                blocks.extend(_table_rows(block))
            else:
                blocks.append(block.text)
    except GuideReadError:
        raise
    except _docx_errors() as exc:  # broken XML inside a valid ZIP, missing parts ...
        raise GuideReadError(f"{path.name} is a broken DOCX ({type(exc).__name__}: {exc})") from exc
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        raise GuideReadError(f"{path.name} is a DOCX without text")
    return ExtractedDocument(text=text, kind="docx")


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
