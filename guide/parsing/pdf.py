"""Read a guide PDF into blocks with their layout, through PDFium (pypdfium2).

Each character comes with its box, baseline, font size and boldness (a bold font, a heavy weight, or the
fill-and-stroke drawing office suites use to embolden a CJK font that has no bold face); the characters
are grouped into lines and blocks by :mod:`guide.parsing.layout`.  PDFium reads a page's characters in
C, several times faster than pdfminer: reading the layout costs less than pdfplumber's plain
``extract_text`` over the same file (``bench/bench_guide.py``).

Every failure is a :class:`GuideReadError` with a one-line message; every page and text page is closed
after use.
"""

from __future__ import annotations

import ctypes
import re

from .errors import GuideReadError
from .layout import Char, Line, blocks_from_lines, drop_furniture, join_broken_blocks, lines_from_chars
from .notices import notice
from .types import Block, Notice

MAX_PDF_PAGES = 500
_FILL_STROKE = 2  # FPDF_TEXTRENDERMODE_FILL_STROKE: synthetic bold
_BOLD_NAME = re.compile(r"bold|heavy|black|semibold|demibold", re.IGNORECASE)


class PdfReading:
    """What :func:`read_pdf` returns: blocks, reader warnings, page count and page sizes."""

    def __init__(self, blocks: list[Block], warnings: list[Notice], pages: int, page_sizes: list) -> None:
        self.blocks = blocks
        self.warnings = warnings
        self.pages = pages
        self.page_sizes = page_sizes


def _pdfium():
    import pypdfium2 as pdfium  # local: keeps `import guide.parsing` light
    import pypdfium2.raw as raw

    return pdfium, raw


def _open(name: str, data: bytes):
    pdfium, _raw = _pdfium()
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise GuideReadError(
                f"{name} is an encrypted PDF that needs a password", code="encrypted"
            ) from exc
        detail = message.split(":", 1)[-1].strip() or type(exc).__name__
        raise GuideReadError(f"{name} is a broken PDF ({detail})", code="broken_pdf") from exc


class _Fonts:
    """Boldness per text object (a page has a few hundred; its characters several thousand)."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.cache: dict[int, bool] = {}
        self.name = ctypes.create_string_buffer(128)
        self.flags = ctypes.c_int()

    def bold(self, textpage, index: int) -> bool:
        raw = self.raw
        obj = raw.FPDFText_GetTextObject(textpage, index)
        key = ctypes.cast(obj, ctypes.c_void_p).value or 0
        cached = self.cache.get(key)
        if cached is None:
            bold = raw.FPDFText_GetFontWeight(textpage, index) >= 600
            if not bold and obj:
                bold = raw.FPDFTextObj_GetTextRenderMode(obj) == _FILL_STROKE
            if not bold:
                raw.FPDFText_GetFontInfo(textpage, index, self.name, len(self.name), ctypes.byref(self.flags))
                bold = bool(_BOLD_NAME.search(self.name.value.decode("latin-1", "replace")))
            self.cache[key] = cached = bold
        return cached


def _page_chars(raw, textpage, height: float, fonts: _Fonts) -> tuple[list[Char], int]:
    """The characters of a page (drawing order) and how many had no Unicode mapping."""
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    chars: list[Char] = []
    unmapped = 0
    for index in range(raw.FPDFText_CountChars(textpage)):
        code = raw.FPDFText_GetUnicode(textpage, index)
        if code == 0x02:  # PDFium's mark for a hyphen at the end of a line: in a guide a real one ("CO-")
            code = 0x2D
        if code in (0x0A, 0x0D, 0xFFFE) or raw.FPDFText_IsGenerated(textpage, index) and code != 0x20:
            continue
        if raw.FPDFText_HasUnicodeMapError(textpage, index) or code == 0 or 0xE000 <= code <= 0xF8FF:
            unmapped += 1
            continue
        if code == 0x20 and raw.FPDFText_IsGenerated(textpage, index):
            text = " "
        else:
            text = chr(code)
        raw.FPDFText_GetCharBox(
            textpage, index, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top)
        )
        raw.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(ox), ctypes.byref(oy))
        size = raw.FPDFText_GetFontSize(textpage, index)
        chars.append(
            Char(
                text,
                left.value,
                right.value,
                height - top.value,
                height - bottom.value,
                height - oy.value,
                size if size > 0 else 10.0,
                fonts.bold(textpage, index) if not text.isspace() else False,
            )
        )
    return chars, unmapped


def _has_images(page, raw) -> bool:
    return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def read_pdf(name: str, data: bytes) -> PdfReading:
    """Blocks of a guide PDF, page furniture dropped. Raises GuideReadError."""
    pdfium, raw = _pdfium()
    if b"%%EOF" not in data[-1024:]:
        raise GuideReadError(f"{name} is a truncated PDF (no %%EOF at the end)", code="broken_pdf")
    document = _open(name, data)
    try:
        page_count = len(document)
        if not page_count:
            raise GuideReadError(f"{name} is a PDF without pages", code="broken_pdf")
        if page_count > MAX_PDF_PAGES:
            raise GuideReadError(
                f"{name} has {page_count} pages: more than {MAX_PDF_PAGES}, not a call guide",
                code="too_many_pages",
            )
        fonts = _Fonts(raw)
        lines: list[Line] = []
        heights: dict[int, float] = {}
        sizes: list[tuple[float, float]] = []
        unmapped_pages = image_pages = 0
        for index in range(page_count):
            page = document[index]
            try:
                width, height = page.get_size()
                heights[index + 1] = height
                sizes.append((round(width, 1), round(height, 1)))
                textpage = page.get_textpage()
                try:
                    chars, unmapped = _page_chars(raw, textpage.raw, height, fonts)
                finally:
                    textpage.close()
                if unmapped and unmapped >= sum(1 for c in chars if not c.text.isspace()):
                    unmapped_pages += 1
                if not chars and _has_images(page, raw):
                    image_pages += 1
            finally:
                page.close()
            fonts.cache.clear()  # text object handles are per page
            lines.extend(lines_from_chars(chars, index + 1))
    except pdfium.PdfiumError as exc:
        raise GuideReadError(f"{name} is a broken PDF ({exc})", code="broken_pdf") from exc
    finally:
        document.close()
    warnings: list[Notice] = []
    if unmapped_pages:
        if unmapped_pages >= page_count or not lines:
            raise GuideReadError(
                f"{name}: the PDF font has no Unicode map (text extracts as (cid:N) codes); "
                "provide the DOCX/TXT or a PDF with embedded Unicode fonts",
                code="no_unicode",
            )
        warnings.append(notice("pdf_unmapped_font", pages=unmapped_pages))
    if not lines:
        if image_pages:
            raise GuideReadError(
                f"{name} has no text layer (scanned or image-only PDF): OCR is not supported", code="scanned"
            )
        raise GuideReadError(f"{name} contains no text", code="no_text")
    body = drop_furniture(lines, heights, page_count)
    return PdfReading(join_broken_blocks(blocks_from_lines(body)), warnings, page_count, sizes)
