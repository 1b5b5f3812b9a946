"""Read a PDF draft into the neutral document model.

* Body text comes from pypdfium2 (fast, a few milliseconds a page).
* Tables are read with pdfplumber (a quarter of a second for a page with a table: pdfminer
  interprets the whole page) only where the field extraction takes something from them; the
  caller says where (``tables_wanted``, see :func:`proposals.extraction.fields.tables_wanted`).
  Every table is first located from PDFium's path segments with pdfplumber's own table-finding
  steps (:mod:`proposals.extraction.ruling`): its text is kept out of the body text and it stands
  in the blocks as ``Table([], page)``, so the document reads as if every table had been read. A
  table in the research section of a 200-page draft is never parsed by pdfminer.
* Wrapped lines are marked as continuations from their geometry: a line is
  the continuation of the one above when the first unbreakable piece of it
  would not have fitted at the end of that line.
* Pages whose text pdfium cannot place (a non-embedded CJK font such as
  STSong-Light on a machine without any CJK font: pdfium then drops
  one-character text objects and loses line breaks) are read with pdfplumber
  instead, which needs no glyphs.
* Pages whose text is ``(cid:NNN)`` garbage or private-use / replacement
  characters are reported as unreadable and skipped.

Each page is closed after use. No threads (neither pdfium nor pdfplumber may be shared between
them); with ``workers`` > 1 a long document's pages are spread over forked processes, each with its
own handles on the document, and the result is the same as in one process.

Hostile files: before pdfium sees the file, every Flate stream that is not an image is inflated in a
streaming way (nothing kept) and the file is refused (``zip_bomb``) when the text streams expand
beyond :data:`MAX_INFLATED`; a page drawing more than :data:`MAX_PAGE_SEGMENTS` line segments or
holding more than :data:`MAX_PAGE_CHARS` characters is skipped with a warning (``page_too_complex``),
and pdfplumber (which builds Python objects for every character and line) gets at most
:data:`PLUMBER_BUDGET` segments per document (tables located but not read cost none of it; tables
whose edges cross too often to be located cheaply are left to pdfplumber, within that budget).
pdfplumber opens only the pages that need it, and only the
errors pdfminer / pdfplumber are known to raise on damaged files are caught (never ``Exception``: a
Celery soft time limit must go through). The document is opened with PDFium's own handle so that its
last-error value (process-wide) is read only when this file failed to load.
"""

from __future__ import annotations

import bisect
import io
import itertools
import logging
import multiprocessing
import os
import re
import struct
import threading
import unicodedata
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from common.bounded import die_with_parent
from proposals.extraction import ruling
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
_PARALLEL_SCAN = 32  # pages before reading them with PDFium in several processes pays
_GARBAGE_SHARE = 0.3
_CID = re.compile(r"\(cid:\d+\)")
_ODD = re.compile("[\ue000-\uf8ff\ud800-\udfff\ufffd\U000f0000-\U0010ffff]")


# (blocks with unread tables as Table([], page), page → text) → pages whose tables to read
TablesWanted = Callable[[list[Line | Table], dict[int, str]], set[int]]


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


def read_pdf(
    data: bytes,
    max_pages: int = 200,
    *,
    tables_wanted: TablesWanted | None = None,
    workers: int = 1,
) -> Document:
    """Parse a PDF. Raises ExtractionError: ``broken_pdf``, ``encrypted``, ``too_many_pages``, ``no_text``,
    ``unreadable``, ``zip_bomb``.

    ``tables_wanted`` (see :func:`proposals.extraction.fields.tables_wanted`) says which pages'
    tables are worth reading: their cells are read with pdfplumber, the other tables are only
    located (from PDFium's path segments) and stand in the blocks as ``Table([], page)``. Without
    it every page that draws rules has its tables read. ``workers`` > 1 spreads the pages over that
    many processes (this one and forked ones) when there are enough of them to pay; the result is
    the same.
    """
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
        with _Workers(reader, workers) as pool:
            pages = _read_pages(reader, pool, count, tables_wanted)
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


def _read_pages(
    reader: _Reader, pool: _Workers, count: int, tables_wanted: TablesWanted | None
) -> list[_Page]:
    """Every page, in three steps:

    1. PDFium reads each page's text and, when tables are chosen, locates its tables from its
       path segments (:mod:`proposals.extraction.ruling`);
    2. pdfplumber reads what PDFium cannot: the text of pages whose glyphs PDFium cannot place,
       and the tables of pages where they could not be located (or all tables, when not chosen);
    3. with the pages so far as blocks, ``tables_wanted`` names the pages whose located tables
       must be read, and pdfplumber reads them; again, until it names no new page (reading a
       table can change the text around it: a table pdfplumber cannot read stays as text).

    pdfplumber's budget of table lines is spent in that order, page by page. Each page's warnings
    go into the reader's list in page order.
    """
    scans = pool.map(_scan, [(i, tables_wanted is not None) for i in range(count)], least=_PARALLEL_SCAN)
    read: dict[int, _Plumbed | None] = {}  # pages whose tables are settled: what pdfplumber read, if asked
    first = [
        s.number
        for s in scans
        if not s.final and (s.fallback or (s.ruled and (tables_wanted is None or s.shapes is None)))
    ]
    _read_with_plumber(reader, pool, scans, first, read)
    while tables_wanted is not None:
        unread = {s.number for s in scans if s.shapes and s.number not in read}
        if not unread:
            break
        pages = [_finish(s, read.get(s.number), read=s.number in read) for s in scans]
        texts = {n: scans[n - 1].text for n in unread}
        wanted = {n for n in unread if _odd_characters(texts[n])}
        wanted |= tables_wanted(_blocks(pages), texts) & unread
        if not wanted:
            break
        _read_with_plumber(reader, pool, scans, sorted(wanted), read)
    pages = [_finish(s, read.get(s.number), read=s.number in read, final=True) for s in scans]
    reader.warnings.extend(w for s in scans for w in s.warnings)
    return pages


def _read_with_plumber(
    reader: _Reader,
    pool: _Workers,
    scans: list[_Scan],
    numbers: list[int],
    read: dict[int, _Plumbed | None],
) -> None:
    """Read the tables (and for pages PDFium cannot place, the text) of the pages ``numbers`` with
    pdfplumber into ``read``, spending the document's budget of table lines in page order."""
    jobs = []
    for number in numbers:
        scan = scans[number - 1]
        with_tables = scan.ruled
        if with_tables and scan.segments > reader.plumber_budget:
            with_tables = False
            scan.warn(
                "page_too_complex",
                f"文档中的表格线条过多，第 {number} 页的表格未读取"
                f" / too many table lines in the document: tables on page {number} were not read",
            )
        elif with_tables:
            reader.plumber_budget -= scan.segments
        if scan.fallback or with_tables:
            jobs.append((number - 1, scan.fallback, with_tables))
        else:
            read[number] = None
    for (index, _, _), result in zip(jobs, pool.map(_plumber, jobs, least=2), strict=True):
        read[index + 1] = result


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


# --------------------------------------------------------------------------- #
# Several processes
# --------------------------------------------------------------------------- #

_worker_reader: _Reader | None = None  # in a worker process: its own handles on the document


class _Workers:
    """Jobs on the pages of one document, spread over ``count`` processes: this one and
    ``count - 1`` forked workers, started when first needed, each with its own PDFium and
    pdfplumber handles on the document (neither library may be shared between threads).

    Forked workers inherit the process's limits (address space, CPU time) and die with it; a
    worker that dies (a failed allocation under the memory limit) ends the read with MemoryError.
    Only a process that may fork safely forks: the main thread alone, not a daemon.
    """

    def __init__(self, reader: _Reader, count: int) -> None:
        self.reader = reader
        self.count = count if count > 1 and _may_fork() else 1
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        executor, self.executor = self.executor, None
        if executor is None:
            return
        if kind is not None:  # stop at once: nothing the workers do is wanted any more
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.kill()
        executor.shutdown(wait=True, cancel_futures=True)

    def map(self, fn: Callable, jobs: list, *, least: int) -> list:
        """``fn(reader, job)`` for each job, in order; over several processes when there are at
        least ``least`` jobs."""
        if self.count == 1 or len(jobs) < least:
            return [fn(self.reader, job) for job in jobs]
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                self.count - 1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.reader.data, os.getpid()),
            )
        # every count-th job to each process: neighbouring pages cost alike, so the shares do too
        shares = [jobs[k :: self.count] for k in range(self.count)]
        futures = [self.executor.submit(_run_share, fn, share) for share in shares[1:]]
        results: list = [None] * len(jobs)
        results[:: self.count] = [fn(self.reader, job) for job in shares[0]]
        try:
            for k, future in enumerate(futures, start=1):
                results[k :: self.count] = future.result()
        except BrokenProcessPool:
            raise MemoryError("a reader process died") from None
        return results


def _may_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and threading.active_count() == 1
    )


def _start_worker(data: bytes, parent: int) -> None:
    global _worker_reader
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(3)
    _worker_reader = _Reader(data, _open(data))


def _run_share(fn: Callable, jobs: list) -> list:
    assert _worker_reader is not None
    return [fn(_worker_reader, job) for job in jobs]


# --------------------------------------------------------------------------- #
# One page: PDFium, then pdfplumber where needed
# --------------------------------------------------------------------------- #


@dataclass
class _Scan:
    """What PDFium tells of one page."""

    number: int
    lines: list[_PLine] = field(default_factory=list)
    text: str = ""
    images: int = 0
    segments: int = 0  # line segments drawn
    fallback: bool = False  # PDFium cannot place the text: pdfplumber reads the lines
    ruled: bool = False  # draws rules enough for tables, and not too many
    shapes: list[_PTable] | None = None  # its tables located from PDFium's path segments (no rows)
    final: bool = False  # nothing more to read on the page (too complex, unreadable)
    warnings: list[Issue] = field(default_factory=list)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(Issue("", code, message, "warning", self.number))


@dataclass
class _Plumbed:
    """What pdfplumber read of one page."""

    lines: list[_PLine] | None  # the page's text lines, when asked for
    tables: list[_PTable]
    error: str | None = None  # pdfplumber failed on the page (its tables are then not read)


def _scan(reader: _Reader, job: tuple[int, bool]) -> _Scan:
    """Read page ``index`` with PDFium; with ``locate``, find where its tables are."""
    index, locate = job
    scan = _Scan(index + 1)
    try:
        return _scan_page(reader, scan, locate)
    except pdfium.PdfiumError as exc:
        damaged = _Scan(scan.number, warnings=scan.warnings, final=True)
        damaged.warn(
            "unreadable_page", f"第 {scan.number} 页无法读取（{exc}）/ page {scan.number} is damaged"
        )
        return damaged


def _scan_page(reader: _Reader, scan: _Scan, locate: bool) -> _Scan:
    number = scan.number
    page = reader.pdf[number - 1]
    try:
        counts = _count_objects(page)
        if counts.objects > MAX_PAGE_OBJECTS:
            return _too_complex(scan, f"超过 {MAX_PAGE_OBJECTS} 个对象 / over {MAX_PAGE_OBJECTS} objects")
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            chars = textpage.count_chars()
            if chars > MAX_PAGE_CHARS:
                return _too_complex(scan, f"{chars} 个字符 / {chars} characters")
            scan.lines, scan.fallback, scan.text = _pdfium_lines(textpage, height)
        finally:
            textpage.close()
        scan.images, scan.segments = counts.images, counts.segments
        if scan.text.strip() and _is_garbage(scan.text):
            scan.warn(
                "unreadable_page",
                f"第 {number} 页的文字无法识别（乱码），已跳过 / page {number} is unreadable",
            )
            scan.final = True
            return scan
        scan.ruled = counts.rules >= _MIN_RULE_PATHS
        if scan.ruled and counts.segments > MAX_PAGE_SEGMENTS:
            scan.ruled = False
            scan.warn(
                "page_too_complex",
                f"第 {number} 页线条过多（{counts.segments} 段），未读取其中的表格"
                f" / page {number} draws {counts.segments} line segments: its tables were not read",
            )
        if scan.ruled and locate and not scan.fallback:
            scan.shapes = _locate_tables(page)
    finally:
        page.close()
    return scan


def _too_complex(scan: _Scan, what: str) -> _Scan:
    number = scan.number
    scan.warn(
        "page_too_complex",
        f"第 {number} 页内容过于复杂（{what.split(' / ')[0]}），已跳过"
        f" / page {number} is too complex ({what.split(' / ')[-1]}): skipped",
    )
    scan.final = True
    return scan


def _locate_tables(page: pdfium.PdfPage) -> list[_PTable] | None:
    """The page's tables where pdfplumber would find them (framed boxes of one cell aside), or
    None when they cannot be located without pdfplumber."""
    edges = ruling.page_edges(page)
    shapes = ruling.table_shapes(edges) if edges is not None else None
    if shapes is None:
        return None
    return [_PTable([], bbox[1], bbox) for bbox, cells in shapes if cells > 1]


def _plumber(reader: _Reader, job: tuple[int, bool, bool]) -> _Plumbed:
    """Read page ``index`` with pdfplumber: its lines when ``with_lines``, its tables when
    ``with_tables``. Errors pdfplumber is known to raise on damaged files are kept in the result."""
    index, with_lines, with_tables = job
    try:
        lines, tables = reader.read_with_plumber(index, with_lines, with_tables)
    except PLUMBER_ERRORS as exc:  # damaged content: named, so that a soft time limit goes through
        return _Plumbed(None, [], f"{type(exc).__name__}: {exc}")
    return _Plumbed(lines, tables)


def _finish(scan: _Scan, plumbed: _Plumbed | None, *, read: bool, final: bool = False) -> _Page:
    """The page from what PDFium and pdfplumber read of it. ``read``: its tables are settled
    (read by pdfplumber in ``plumbed``, or not to be read at all); otherwise the tables located
    on it stand without their cells. ``final``: its warnings are recorded (once)."""
    number = scan.number
    if scan.final:
        return _Page(number, [], [])
    warnings: list[Issue] = []

    def warn(code: str, message: str) -> None:
        warnings.append(Issue("", code, message, "warning", number))

    lines = scan.lines
    tables: list[_PTable] = [] if read else list(scan.shapes or [])
    unreadable = False
    if plumbed is not None:
        tables = plumbed.tables
        if plumbed.error is not None:
            if final:
                log.info("pdfplumber failed on page %s: %s", number, plumbed.error)
            warn("tables_unreadable", f"第 {number} 页的表格无法读取 / tables on page {number} unreadable")
        elif scan.fallback and plumbed.lines is not None:
            if _is_garbage(" ".join(ln.text for ln in plumbed.lines)):
                warn(
                    "unreadable_page",
                    f"第 {number} 页的文字无法识别（乱码），已跳过 / page {number} is unreadable",
                )
                unreadable = True
            lines = plumbed.lines
        if not unreadable and any(_CID.search(cell) for t in tables for row in t.rows for cell in row):
            warn("unreadable_page", f"第 {number} 页表格中有无法识别的文字 / unreadable table text")
            tables = []
    if final:
        scan.warnings.extend(warnings)
    if unreadable:
        return _Page(number, [], [])
    if not lines and not tables:
        if scan.images and final:
            scan.warn(
                "page_without_text", f"第 {number} 页没有文字（可能是扫描图片）/ page {number} has no text"
            )
        return _Page(number, [], [])
    if tables:
        lines = [ln for ln in lines if not any(_inside(ln, t.bbox) for t in tables)]
    return _Page(number, _drop_furniture(lines), tables)


def _odd_characters(text: str) -> bool:
    """Characters PDFium could not map (private use, surrogates, the replacement character):
    pdfminer may read such a page's table cells as ``(cid:NNN)``, which the reader reports."""
    return _ODD.search(text) is not None


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
