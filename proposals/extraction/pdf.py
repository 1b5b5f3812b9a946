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
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from proposals.extraction.model import Document, ExtractionError, Line, Table, is_page_furniture
from proposals.extraction.text import first_chunk, is_wide, needs_space
from proposals.interchange import Issue

__all__ = ["read_pdf"]

log = logging.getLogger(__name__)

_MIN_RULE_PATHS = 3  # path objects on a page before it is worth looking for tables
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
    """Parse a PDF. Raises ExtractionError: ``broken_pdf``, ``encrypted``, ``too_many_pages``, ``no_text``."""
    if b"%%EOF" not in data[-2048:]:
        raise ExtractionError("broken_pdf", "PDF 文件不完整（可能上传中断）/ the PDF is truncated")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractionError(
                "encrypted", "PDF 已加密，请去除打开密码后重新上传 / the PDF is password-protected"
            ) from exc
        raise ExtractionError("broken_pdf", f"PDF 文件已损坏，无法打开（{exc}）/ the PDF is damaged") from exc
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
        raise ExtractionError(
            "no_text",
            "PDF 中没有可提取的文字（可能是扫描件），请上传可复制文字的 PDF 或 DOCX / no text (scanned?)",
        )
    return Document(blocks=_blocks(pages), pages=count, warnings=reader.warnings)


class _Reader:
    def __init__(self, data: bytes, pdf: pdfium.PdfDocument) -> None:
        self.data = data
        self.pdf = pdf
        self.plumber = None
        self.warnings: list[Issue] = []

    def close(self) -> None:
        if self.plumber is not None:
            self.plumber.close()
        self.pdf.close()

    def warn(self, page: int, code: str, message: str) -> None:
        self.warnings.append(Issue("", code, message, "warning", page))

    def plumber_page(self, index: int):
        import pdfplumber

        if self.plumber is None:
            self.plumber = pdfplumber.open(io.BytesIO(self.data), raise_unicode_errors=False)
        return self.plumber.pages[index]

    # -- one page -----------------------------------------------------------

    def page(self, index: int) -> _Page:
        number = index + 1
        page = self.pdf[index]
        try:
            height = page.get_height()
            textpage = page.get_textpage()
            try:
                lines, needs_fallback, text = _pdfium_lines(textpage, height)
            finally:
                textpage.close()
            rules, images = _count_objects(page)
        finally:
            page.close()

        if text.strip() and _is_garbage(text):
            self.warn(
                number,
                "unreadable_page",
                f"第 {number} 页的文字无法识别（乱码），已跳过 / page {number} is unreadable",
            )
            return _Page(number, [], [])
        tables: list[_PTable] = []
        if needs_fallback or rules >= _MIN_RULE_PATHS:
            try:
                plumber_lines, tables = self.read_with_plumber(index, needs_fallback)
            except Exception as exc:  # pdfminer raises many kinds of errors on odd content
                log.info("pdfplumber failed on page %s: %s", number, exc)
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

    def read_with_plumber(self, index: int, with_lines: bool) -> tuple[list[_PLine] | None, list[_PTable]]:
        page = self.plumber_page(index)
        try:
            tables = []
            for found in page.find_tables():
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


def _count_objects(page: pdfium.PdfPage) -> tuple[int, int]:
    """(path objects, image objects) on the page; forms count as rules (they may hold tables)."""
    raw = page.raw
    paths = images = 0
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
        kind = pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(raw, k))
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH or kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            paths += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
    return paths, images


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
