"""Read a PDF draft into the neutral document model.

* Body text comes from pypdfium2 (fast, well under a millisecond per page).
* pdfplumber's table finder (slow) runs only on pages that draw enough
  rules for a table, judged cheaply from pdfium's page objects.
* Wrapped lines are marked as continuations from their geometry: a line is
  the continuation of the one above when the first unbreakable piece of it
  would not have fitted at the end of that line.
* Pages whose text pdfium cannot place (a non-embedded CJK font such as
  STSong-Light on a machine without any CJK font: pdfium then drops
  one-character text objects and loses line breaks) are read with pdfplumber
  instead, which needs no glyphs.
* Pages whose text is ``(cid:NNN)`` garbage or private-use / replacement
  characters are reported as unreadable and skipped.

Each page is closed after use. Single process, no threads (pdfium is not thread-safe).

Hostile files: before pdfium sees the file, every Flate stream that is not an image is inflated in a
streaming way (nothing kept) and the file is refused (``zip_bomb``) when the text streams expand
beyond :data:`MAX_INFLATED`; a page drawing more than :data:`MAX_PAGE_SEGMENTS` line segments or
holding more than :data:`MAX_PAGE_CHARS` characters is skipped with a warning (``page_too_complex``),
and pdfplumber (which builds Python objects for every character and line) gets at most
:data:`PLUMBER_BUDGET` segments per document. pdfplumber opens only the pages that need it, and only the
errors pdfminer / pdfplumber are known to raise on damaged files are caught (never ``Exception``: a
Celery soft time limit must go through). The document is opened with PDFium's own handle so that its
last-error value (process-wide) is read only when this file failed to load.
"""

from __future__ import annotations

import bisect
import io
import itertools
import logging
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from proposals.extraction.model import Document, ExtractionError, Line, Table, is_page_furniture
from proposals.extraction.text import first_chunk, is_wide, needs_space
from proposals.interchange import Issue

__all__ = ["read_pdf"]

log = logging.getLogger(__name__)

_MIN_RULE_PATHS = 3  # path objects on a page before it is worth looking for tables
MAX_PAGE_SEGMENTS = 5_000  # line segments drawn on one page (a real page with tables: a few hundred)
MAX_PAGE_CHARS = 30_000  # characters on one page (a dense A4 page: about 3,000)
MAX_PAGE_OBJECTS = 50_000  # page objects looked at on one page
PLUMBER_BUDGET = 20_000  # line segments handed to pdfplumber in one document
MAX_INFLATED = 256 * 1024 * 1024  # what the Flate streams other than images may expand to, in total
MAX_INFLATED_STREAM = 64 * 1024 * 1024  # ... and one of them
_FORM_DEPTH = 4  # form XObjects nested deeper are not looked into

# What pdfminer / pdfplumber raise on damaged files (pdfminer's own errors derive from PSException;
# it also lets plain Python errors out of its parsers, and pdfplumber wraps some in its own types).
PLUMBER_ERRORS: tuple[type[BaseException], ...] = (
    PSException,
    PdfminerException,
    MalformedPDFException,
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
    struct.error,
    zlib.error,
)
_GARBAGE_SHARE = 0.3
_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class _PLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _PTable:
    rows: list[list[str]]
    top: float
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class _Page:
    number: int
    lines: list[_PLine]
    tables: list[_PTable]


def read_pdf(data: bytes, max_pages: int = 200) -> Document:
    """Parse a PDF. Raises ExtractionError: ``broken_pdf``, ``encrypted``, ``too_many_pages``, ``no_text``,
    ``unreadable``, ``zip_bomb``."""
    if b"%%EOF" not in data[-2048:]:
        raise ExtractionError("broken_pdf", "PDF 文件不完整（可能上传中断）/ the PDF is truncated")
    check_streams(data)
    pdf = _open(data)
    reader = _Reader(data, pdf)
    try:
        count = len(pdf)
        if count == 0:
            raise ExtractionError("broken_pdf", "PDF 没有页面 / the PDF has no pages")
        if count > max_pages:
            raise ExtractionError(
                "too_many_pages", f"PDF 页数过多（{count} 页，上限 {max_pages} 页）/ too many pages"
            )
        pages = []
        for i in range(count):
            try:
                pages.append(reader.page(i))
            except pdfium.PdfiumError as exc:
                reader.warn(
                    i + 1, "unreadable_page", f"第 {i + 1} 页无法读取（{exc}）/ page {i + 1} is damaged"
                )
                pages.append(_Page(i + 1, [], []))
    finally:
        reader.close()
    if not any(p.lines or p.tables for p in pages):
        if any(w.code == "unreadable_page" for w in reader.warnings):
            raise ExtractionError(
                "unreadable", "PDF 中的文字无法识别（字体缺少编码）/ the PDF's text cannot be decoded"
            )
        if any(w.code == "page_too_complex" for w in reader.warnings):
            raise ExtractionError(
                "too_complex",
                "PDF 页面内容过于复杂（线条或字符数量异常），无法读取 / the PDF's pages are too complex to read",
            )
        raise ExtractionError(
            "no_text",
            "PDF 中没有可提取的文字（可能是扫描件），请上传可复制文字的 PDF 或 DOCX / no text (scanned?)",
        )
    return Document(blocks=_blocks(pages), pages=count, warnings=reader.warnings)


def _open(data: bytes) -> pdfium.PdfDocument:
    """Open ``data`` with PDFium.

    PDFium's last error is process-wide and only set when a load fails: it is read only when this
    load returned no document (pypdfium2 also reads it for a document without pages, where it still
    holds the previous file's error), and "encrypted" needs an ``/Encrypt`` entry in this file.
    """
    raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw:
        error = pdfium_c.FPDF_GetLastError()
        if error in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) and b"/Encrypt" in data:
            raise ExtractionError(
                "encrypted", "PDF 已加密，请去除打开密码后重新上传 / the PDF is password-protected"
            )
        raise ExtractionError(
            "broken_pdf",
            f"PDF 文件已损坏，无法打开（PDFium 错误 {error}）/ the PDF is damaged (PDFium error {error})",
        )
    return pdfium.PdfDocument(raw)


# --------------------------------------------------------------------------- #
# Streams that inflate to far more than the file (deflate bombs)
# --------------------------------------------------------------------------- #

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_ENDSTREAM = re.compile(rb"endstream")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)(?![A-Za-z0-9])")
_IMAGE = re.compile(rb"/Subtype\s*/Image(?![A-Za-z0-9])")
_DICT_WINDOW = 4096  # how far before ``stream`` its dictionary is looked for
_CHUNK = 64 * 1024
MAX_STREAMS = 20_000  # streams in one PDF (a 200-page draft with fonts and images: a few thousand)


def check_streams(
    data: bytes, *, max_total: int = MAX_INFLATED, max_stream: int = MAX_INFLATED_STREAM
) -> None:
    """Refuse a PDF whose Flate streams (images aside) inflate beyond the limits (``zip_bomb``), or
    that holds more than :data:`MAX_STREAMS` streams (``too_complex``).

    Each stream is inflated in chunks, its output counted and dropped, through as many Flate stages
    as its filter lists, reading no further than the next ``endstream``; damaged streams are left to
    PDFium. The dictionary of a stream is what lies between the ``obj`` that opens it and the
    ``stream`` keyword (within :data:`_DICT_WINDOW` bytes). The work is bounded: at most
    :data:`MAX_STREAMS` windows are searched and, since streams do not overlap, at most the file's
    length is inflated in all (streams that overlap are refused).
    """
    ends = [m.start() for m in _ENDSTREAM.finditer(data)]
    total = consumed = 0
    for count, match in enumerate(_STREAM.finditer(data), start=1):
        if count > MAX_STREAMS:
            raise ExtractionError(
                "too_complex",
                f"PDF 内部结构异常（超过 {MAX_STREAMS} 个数据流）/ the PDF holds more than {MAX_STREAMS} streams",
            )
        low = max(0, match.start() - _DICT_WINDOW)
        opened = data.rfind(b" obj", low, match.start())
        head = opened if opened >= 0 else low
        filters = _FILTER.search(data, head, match.start())
        if filters is None or _IMAGE.search(data, head, match.start()):
            continue
        stages = len(_FLATE.findall(filters.group(1)))
        if not stages:
            continue
        following = bisect.bisect_left(ends, match.end())
        end = ends[following] if following < len(ends) else len(data)
        consumed += end - match.end()
        if consumed > len(data):
            raise ExtractionError(
                "too_complex", "PDF 内部结构异常（数据流相互重叠）/ the PDF's streams overlap"
            )
        size = _inflated_size(data, match.end(), end, stages, max_stream + 1)
        total += size
        if size > max_stream or total > max_total:
            raise ExtractionError(
                "zip_bomb",
                "PDF 中的压缩数据解压后异常巨大，已拒绝 / the PDF's compressed content expands to too much data",
            )


def _inflated_size(data: bytes, start: int, end: int, stages: int, limit: int) -> int:
    """How many bytes ``data[start:end]`` inflates to (through ``stages`` Flate filters), counted up
    to ``limit``. Output is produced in bounded pieces and dropped."""
    decoders = [zlib.decompressobj() for _ in range(min(stages, 4))]
    size = 0

    def feed(level: int, piece: bytes) -> bool:
        nonlocal size
        decoder = decoders[level]
        while piece and not decoder.eof:
            out = decoder.decompress(piece, _CHUNK)
            piece = decoder.unconsumed_tail
            if level + 1 < len(decoders):
                if not feed(level + 1, out):
                    return False
            else:
                size += len(out)
                if size >= limit:
                    return False
        return True

    position = start
    try:
        while position < end and not decoders[0].eof:
            chunk = data[position : min(position + _CHUNK, end)]
            position += len(chunk)
            if not feed(0, chunk):
                break
    except zlib.error:
        pass  # damaged data: PDFium decides what to make of it
    return size


class _Reader:
    def __init__(self, data: bytes, pdf: pdfium.PdfDocument) -> None:
        self.data = data  # PDFium reads from this buffer: it must live as long as the document
        self.pdf = pdf
        self.plumber = None
        self.plumber_pages = None  # pdfminer's page iterator, advanced only as far as needed
        self.plumber_seen: list = []
        self.plumber_budget = PLUMBER_BUDGET
        self.warnings: list[Issue] = []

    def close(self) -> None:
        # pdfplumber's close() would parse every page of the document: only the pages it was asked
        # for were opened (and closed after use), so dropping it is enough.
        self.plumber = self.plumber_pages = None
        self.plumber_seen = []
        self.pdf.close()

    def warn(self, page: int, code: str, message: str) -> None:
        self.warnings.append(Issue("", code, message, "warning", page))

    def plumber_page(self, index: int):
        import pdfplumber
        from pdfminer.pdfpage import PDFPage
        from pdfplumber.page import Page

        if self.plumber is None:
            self.plumber = pdfplumber.PDF(io.BytesIO(self.data), raise_unicode_errors=False)
            self.plumber_pages = PDFPage.create_pages(self.plumber.doc)
        while len(self.plumber_seen) <= index:
            found = next(itertools.islice(self.plumber_pages, 1), None)
            if found is None:
                raise PdfminerException(f"pdfminer finds no page {index + 1}")
            self.plumber_seen.append(found)
        return Page(self.plumber, self.plumber_seen[index], page_number=index + 1, initial_doctop=0)

    # -- one page -----------------------------------------------------------

    def page(self, index: int) -> _Page:
        number = index + 1
        page = self.pdf[index]
        try:
            counts = _count_objects(page)
            if counts.objects > MAX_PAGE_OBJECTS:
                return self.too_complex(
                    number, f"超过 {MAX_PAGE_OBJECTS} 个对象 / over {MAX_PAGE_OBJECTS} objects"
                )
            height = page.get_height()
            textpage = page.get_textpage()
            try:
                chars = textpage.count_chars()
                if chars > MAX_PAGE_CHARS:
                    return self.too_complex(number, f"{chars} 个字符 / {chars} characters")
                lines, needs_fallback, text = _pdfium_lines(textpage, height)
            finally:
                textpage.close()
        finally:
            page.close()
        rules, images = counts.rules, counts.images

        if text.strip() and _is_garbage(text):
            self.warn(
                number,
                "unreadable_page",
                f"第 {number} 页的文字无法识别（乱码），已跳过 / page {number} is unreadable",
            )
            return _Page(number, [], [])
        tables: list[_PTable] = []
        with_tables = rules >= _MIN_RULE_PATHS
        if with_tables and counts.segments > MAX_PAGE_SEGMENTS:
            with_tables = False
            self.warn(
                number,
                "page_too_complex",
                f"第 {number} 页线条过多（{counts.segments} 段），未读取其中的表格"
                f" / page {number} draws {counts.segments} line segments: its tables were not read",
            )
        elif with_tables and counts.segments > self.plumber_budget:
            with_tables = False
            self.warn(
                number,
                "page_too_complex",
                f"文档中的表格线条过多，第 {number} 页的表格未读取"
                f" / too many table lines in the document: tables on page {number} were not read",
            )
        elif with_tables:
            self.plumber_budget -= counts.segments
        if needs_fallback or with_tables:
            try:
                plumber_lines, tables = self.read_with_plumber(index, needs_fallback, with_tables)
            except PLUMBER_ERRORS as exc:  # damaged content: named, so that a soft time limit goes through
                log.info("pdfplumber failed on page %s: %s: %s", number, type(exc).__name__, exc)
                self.warn(
                    number,
                    "tables_unreadable",
                    f"第 {number} 页的表格无法读取 / tables on page {number} unreadable",
                )
                plumber_lines = None
            if needs_fallback and plumber_lines is not None:
                if _is_garbage(" ".join(ln.text for ln in plumber_lines)):
                    self.warn(
                        number,
                        "unreadable_page",
                        f"第 {number} 页的文字无法识别（乱码），已跳过 / page {number} is unreadable",
                    )
                    return _Page(number, [], [])
                lines = plumber_lines
            if any(_CID.search(cell) for t in tables for row in t.rows for cell in row):
                self.warn(
                    number, "unreadable_page", f"第 {number} 页表格中有无法识别的文字 / unreadable table text"
                )
                tables = []
        if not lines and not tables:
            if images:
                self.warn(
                    number,
                    "page_without_text",
                    f"第 {number} 页没有文字（可能是扫描图片）/ page {number} has no text",
                )
            return _Page(number, [], [])
        if tables:
            lines = [ln for ln in lines if not any(_inside(ln, t.bbox) for t in tables)]
        return _Page(number, _drop_furniture(lines), tables)

    def too_complex(self, number: int, what: str) -> _Page:
        self.warn(
            number,
            "page_too_complex",
            f"第 {number} 页内容过于复杂（{what.split(' / ')[0]}），已跳过"
            f" / page {number} is too complex ({what.split(' / ')[-1]}): skipped",
        )
        return _Page(number, [], [])

    def read_with_plumber(
        self, index: int, with_lines: bool, with_tables: bool = True
    ) -> tuple[list[_PLine] | None, list[_PTable]]:
        page = self.plumber_page(index)
        try:
            tables = []
            for found in page.find_tables() if with_tables else ():
                rows = [[cell or "" for cell in row] for row in found.extract()]
                if len(rows) == 1 and len(rows[0]) == 1:
                    continue  # a framed box, not a table: keep its text as body lines
                tables.append(_PTable(rows, found.bbox[1], found.bbox))
            lines = None
            if with_lines:
                lines = []
                for item in page.extract_text_lines(return_chars=True):
                    text = item["text"].strip()
                    if not text:
                        continue
                    size = item["chars"][0].get("size", 10.0) if item.get("chars") else 10.0
                    lines.append(_PLine(text, item["x0"], item["x1"], item["top"], item["bottom"], size))
            return lines, tables
        finally:
            page.close()


def _pdfium_lines(textpage: pdfium.PdfTextPage, height: float) -> tuple[list[_PLine], bool, str]:
    """Lines with their geometry; the flag says the page needs the pdfplumber fallback."""
    count = textpage.count_chars()
    if count <= 0:
        return [], False, ""
    text = textpage.get_text_range()
    if len(text) != count:  # characters outside the BMP: indices would not line up
        return [], True, text
    raw = textpage.raw
    lines = []
    degenerate = 0
    for m in re.finditer(r"[^\r\n]+", text):
        seg = m.group()
        stripped = seg.strip()
        if not stripped:
            continue
        first = m.start() + (len(seg) - len(seg.lstrip()))
        last = m.end() - 1 - (len(seg) - len(seg.rstrip()))
        left, bottom0, _, top0 = textpage.get_charbox(first, loose=True)
        _, bottom1, right, top1 = textpage.get_charbox(last, loose=True)
        for index in (first, last):
            if is_wide(text[index]):
                _, b, _, t = textpage.get_charbox(index)
                if t - b <= 0.01:
                    degenerate += 1
        size = pdfium_c.FPDFText_GetFontSize(raw, first) or (top0 - bottom0) or 10.0
        lines.append(
            _PLine(
                text=_clean(stripped),
                x0=left,
                x1=right,
                top=height - max(top0, top1),
                bottom=height - min(bottom0, bottom1),
                size=size,
            )
        )
    return lines, degenerate > 0, text


def _clean(text: str) -> str:
    text = text.replace("\ufffe", "").replace("\u0002", "-").replace("\x00", "")
    return re.sub(r"[ \t\u00a0]+", " ", text)


@dataclass
class _Counts:
    rules: int = 0  # path and form objects on the page (forms may hold tables)
    images: int = 0
    segments: int = 0  # line segments of every path, forms included
    objects: int = 0  # objects looked at, forms included


def _count_objects(page: pdfium.PdfPage) -> _Counts:
    """What the page draws, looking into form XObjects (up to a depth and an object budget)."""
    counts = _Counts()
    raw = page.raw
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
        kind = _count_object(pdfium_c.FPDFPage_GetObject(raw, k), counts, 0)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH or kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            counts.rules += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            counts.images += 1
        if counts.objects > MAX_PAGE_OBJECTS:
            break
    return counts


def _count_object(obj, counts: _Counts, depth: int) -> int:
    counts.objects += 1
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
        counts.segments += max(0, pdfium_c.FPDFPath_CountSegments(obj))
    elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _FORM_DEPTH:
        for k in range(max(0, pdfium_c.FPDFFormObj_CountObjects(obj))):
            if counts.objects > MAX_PAGE_OBJECTS:
                break
            _count_object(pdfium_c.FPDFFormObj_GetObject(obj, k), counts, depth + 1)
    return kind


def _is_garbage(text: str) -> bool:
    cids = len(_CID.findall(text))
    chars = [c for c in _CID.sub("", text) if not c.isspace()]
    bad = sum(
        1
        for c in chars
        if c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF or unicodedata.category(c) in ("Cc", "Co", "Cs", "Cn")
    )
    total = len(chars) + cids
    return total > 0 and (bad + cids) / total > _GARBAGE_SHARE


def _inside(line: _PLine, bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    cy = (line.top + line.bottom) / 2
    cx = (line.x0 + line.x1) / 2
    return top - 1 <= cy <= bottom + 1 and x0 - 1 <= cx <= x1 + 1


def _drop_furniture(lines: list[_PLine]) -> list[_PLine]:
    """Remove page numbers among the first and last two lines of a page."""
    lines = sorted(lines, key=lambda ln: (round(ln.top, 1), ln.x0))
    edge = {0, 1, len(lines) - 1, len(lines) - 2}
    return [ln for i, ln in enumerate(lines) if not (i in edge and is_page_furniture(ln.text))]


# --------------------------------------------------------------------------- #
# Blocks and continuation lines
# --------------------------------------------------------------------------- #


def _estimate_width(text: str, size: float) -> float:
    em = 0.0
    for ch in text:
        if is_wide(ch):
            em += 1.0
        elif ch == " ":
            em += 0.3
        elif ch.isupper() or ch.isdigit():
            em += 0.6
        elif ch.isalpha():
            em += 0.5
        else:
            em += 0.4
    return em * size


def _continues(prev: _PLine, line: _PLine, left: float, right: float, same_page: bool) -> bool:
    size = max(line.size, 1.0)
    if abs(prev.size - line.size) > 0.5:
        return False
    if same_page and not (-0.5 * size <= line.top - prev.bottom <= 1.5 * size):
        return False
    if abs(line.x0 - left) > 0.6 * size:
        return False
    chunk = first_chunk(line.text)
    if needs_space(prev.text[-1], line.text[0]):
        chunk = " " + chunk
    return right - prev.x1 < _estimate_width(chunk, size) + 0.5 * size


def _blocks(pages: list[_Page]) -> list[Line | Table]:
    body = [ln for p in pages for ln in p.lines]
    if not body:
        left = right = 0.0
    else:
        left = min(ln.x0 for ln in body)
        right = max(ln.x1 for ln in body)
    blocks: list[Line | Table] = []
    prev: _PLine | None = None  # previous body line, when nothing came between
    prev_page = 0
    for page in pages:
        items: list[tuple[float, int, _PLine | _PTable]] = [(ln.top, 0, ln) for ln in page.lines]
        items += [(t.top, 1, t) for t in page.tables]
        items.sort(key=lambda item: (round(item[0], 1), item[1]))
        for _, _, item in items:
            if isinstance(item, _PTable):
                blocks.append(Table(item.rows, page.number))
                prev = None
                continue
            cont = False
            if prev is not None and prev_page in (page.number, page.number - 1):
                cont = _continues(prev, item, left, right, prev_page == page.number)
            blocks.append(Line(item.text, page.number, cont))
            prev, prev_page = item, page.number
    return blocks
