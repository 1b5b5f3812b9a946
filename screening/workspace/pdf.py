"""A PDF writer for the workspace's exports: a title, the stamp (what the file was made from), then
one section per proposal (a heading and the table of its findings). No Django.

Drawn on a reportlab canvas with its own line wrapping and page breaks rather than platypus: each
cell is cut into lines that fit its column (CJK text between any two characters, other text at
spaces, a word longer than the column split) and a row taller than what is left of the page
continues on the next one under the table's header repeated. No text, however long, can make the
layout fail (platypus raises LayoutError for a table cell taller than a page: one applicant's draft
with 40 units broke the officers' whole export), and each proposal is laid out on its own before
anything of it is drawn, so one that cannot be laid out is replaced by a notice and the others are
unaffected. It is also about ten times faster than platypus's tables of paragraphs.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

FONT_FILE = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"

_MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * _MM, 297 * _MM  # A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 14 * _MM, 16 * _MM, 16 * _MM
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
COLUMN_WIDTHS = [28 * _MM, 20 * _MM, 26 * _MM, 82 * _MM, 26 * _MM]  # check, result, clause, details, field
STAMP_LABEL_WIDTH = 48 * _MM
PAD = 3.0  # inside a cell, every side
SECTION_GAP = 6 * _MM


@dataclass(frozen=True)
class Style:
    size: float
    leading: float
    color: tuple[float, float, float] = (0, 0, 0)


BODY = Style(8.5, 11)
FIX = Style(8.5, 11, (0x1F / 255, 0x4E / 255, 0x8C / 255))
NOTE = Style(7.5, 9.5, (0x55 / 255, 0x55 / 255, 0x55 / 255))
HEADING = Style(12, 16)
TITLE = Style(16, 21)
FOOTER = Style(7.5, 9.5, (0x55 / 255, 0x55 / 255, 0x55 / 255))
STYLES = {"body": BODY, "fix": FIX, "note": NOTE}
FILLS = {
    "fail": (0xFD / 255, 0xEC / 255, 0xEC / 255),
    "warn": (0xFF / 255, 0xF6 / 255, 0xE5 / 255),
    "unknown": (0xEF / 255, 0xEC / 255, 0xFA / 255),
    "header": (0xF0 / 255, 0xF3 / 255, 0xF8 / 255),
}


@dataclass
class Row:
    """One finding: its five cells, each a list of (style name, text) paragraphs (a text may hold
    line breaks), and its status (the row's background)."""

    cells: list[list[tuple[str, str]]]
    status: str = ""


@dataclass
class Section:
    """One proposal: its heading, its findings' rows, and a note shown instead of an empty table."""

    heading: str
    rows: list[Row] = field(default_factory=list)
    empty_note: str = ""


@dataclass
class Labels:
    """The words the writer draws itself: the table's column headers, the footer's page label
    ("第 {n} 页" / "Page {n}") and the notice that replaces a proposal that could not be laid out."""

    columns: list[str]
    page: str
    unrenderable: str


# --- text ------------------------------------------------------------------------------

# C0/C1 controls, DEL and lone surrogates: nothing a PDF string can show
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(text: str) -> str:
    """``text`` with tabs as spaces and what a PDF cannot show (control characters, lone
    surrogates) removed; line breaks kept."""
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNSHOWABLE.sub("", text)


def register_font() -> str:
    """The embedded CJK font (a subset of WenQuanYi Micro Hei, shipped in screening/fonts/),
    registered once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME


class _Widths(dict):
    """Character widths of the font at 1 pt, looked up on first use (a text's width is the sum of
    its characters')."""

    def __init__(self, font_name: str):
        from reportlab.pdfbase import pdfmetrics

        super().__init__()
        self._font = pdfmetrics.getFont(font_name)

    def __missing__(self, c: str) -> float:
        w = self[c] = self._font.stringWidth(c, 1.0)
        return w


def _in_word(c: str) -> bool:
    """A character a line may not be cut after when the next one is one too (Latin letters,
    digits, punctuation: not a space and not a wide CJK character)."""
    return c != " " and not _is_wide(c)


def wrap(text: str, width: float, size: float, widths: dict[str, float]) -> list[str]:
    """``text`` cut into lines no wider than ``width`` at font size ``size`` (``widths``: each
    character's width at 1 pt): each line break of the text starts a line; CJK characters may be
    separated anywhere, other words at spaces, and a word wider than the whole width is cut between
    characters. Never fails; an empty text is one empty line."""
    limit = width / size
    width_of = widths.__getitem__
    lines: list[str] = []
    for paragraph in text.split("\n"):
        n = len(paragraph)
        if not n:
            lines.append("")
            continue
        cumulative = list(accumulate(map(width_of, paragraph)))
        if cumulative[-1] <= limit:
            lines.append(paragraph)
            continue
        start = 0
        while start < n:
            base = cumulative[start - 1] if start else 0.0
            end = bisect_right(cumulative, base + limit + 1e-9, lo=start)
            if end >= n:
                lines.append(paragraph[start:])
                break
            end = max(end, start + 1)  # one character wider than the line still goes on it
            if _in_word(paragraph[end - 1]) and _in_word(paragraph[end]):
                k = end - 1
                while k > start and _in_word(paragraph[k - 1]):
                    k -= 1
                if k > start:  # back to the start of the word (a word longer than a line is cut)
                    end = k
            lines.append(paragraph[start:end].rstrip(" "))
            start = end
            while start < n and paragraph[start] == " ":
                start += 1
    return lines


def _is_wide(c: str) -> bool:
    o = ord(c)
    return (
        0x2E80 <= o <= 0xA4CF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
    )


# --- layout ----------------------------------------------------------------------------


@dataclass
class _Cell:
    lines: list[tuple[Style, str]]

    @property
    def height(self) -> float:
        return sum(style.leading for style, _text in self.lines)


@dataclass
class _LaidRow:
    cells: list[_Cell]
    fill: tuple[float, float, float] | None

    @property
    def height(self) -> float:
        return max(c.height for c in self.cells) + 2 * PAD


@dataclass
class _LaidSection:
    heading: list[str]
    rows: list[_LaidRow]
    note: list[str]


class _Layout:
    def __init__(self, measure: dict[str, float], labels: Labels):
        self.measure = measure
        self.labels = labels
        self.header = self.row([[("body", h)] for h in labels.columns], fill=FILLS["header"])

    def cell(self, paragraphs: Sequence[tuple[str, str]], width: float) -> _Cell:
        lines: list[tuple[Style, str]] = []
        for style_name, text in paragraphs:
            style = STYLES.get(style_name, BODY)
            for line in wrap(clean(text), width - 2 * PAD, style.size, self.measure):
                lines.append((style, line))
        return _Cell(lines or [(BODY, "")])

    def row(self, cells: Sequence[Sequence[tuple[str, str]]], *, fill=None) -> _LaidRow:
        return _LaidRow([self.cell(c, w) for c, w in zip(cells, COLUMN_WIDTHS, strict=True)], fill)

    def section(self, section: Section) -> _LaidSection:
        heading = wrap(clean(section.heading), BODY_WIDTH, HEADING.size, self.measure)
        rows = [self.row(r.cells, fill=FILLS.get(r.status)) for r in section.rows]
        note = wrap(clean(section.empty_note), BODY_WIDTH, BODY.size, self.measure) if not rows else []
        return _LaidSection(heading, rows, note)

    def fallback(self, section: Section) -> _LaidSection:
        """What stands for a section that could not be laid out: its heading's first characters and
        the notice."""
        heading = clean(str(getattr(section, "heading", "")))[:60]
        return _LaidSection(
            wrap(heading, BODY_WIDTH, HEADING.size, self.measure),
            [],
            wrap(self.labels.unrenderable, BODY_WIDTH, BODY.size, self.measure),
        )


# --- drawing ---------------------------------------------------------------------------


class _Pages:
    """The canvas, the current page's free space (``y``, from the top down), page breaks with
    the footer, and the table's rows drawn whole or split across pages."""

    def __init__(self, canvas, font: str, labels: Labels, footer: str, header: _LaidRow):
        from reportlab.pdfbase import pdfmetrics

        self.c = canvas
        self.font = font
        self._font = pdfmetrics.getFont(font)
        self._subsets: dict[int, str] = {}
        canvas.setFont(font, BODY.size)  # the font in the document's resources
        self.labels = labels
        self.footer = footer
        self.header = header
        self.page = 1
        self.y = PAGE_HEIGHT - MARGIN_TOP

    @property
    def free(self) -> float:
        return self.y - MARGIN_BOTTOM

    def new_page(self) -> None:
        self._footer()
        self.c.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN_TOP

    def finish(self) -> None:
        self._footer()
        self.c.showPage()

    def _footer(self) -> None:
        c = self.c
        c.setFont(self.font, FOOTER.size)
        c.setFillColorRGB(*FOOTER.color)
        text = f"{self.footer} · {self.labels.page.format(n=self.page)}"
        c.drawString(MARGIN_X, MARGIN_BOTTOM / 2, text)

    def lines(self, lines: list[str], style: Style, *, x: float = MARGIN_X) -> None:
        """Text across the page's width, broken over pages as needed."""
        for line in lines:
            if self.free < style.leading:
                self.new_page()
            self.y -= style.leading
            self._text(x, self.y + (style.leading - style.size) * 0.6, line, style)

    def _text(self, x: float, baseline: float, text: str, style: Style) -> None:
        """One line of text, written as PDF operators straight into the page (reportlab's
        drawString does the same through a text object and spends most of an export's time there)."""
        if not text:
            return
        c = self.c
        doc = c._doc
        code = [
            f"BT {style.color[0]:.3f} {style.color[1]:.3f} {style.color[2]:.3f} rg 1 0 0 1 {x:.2f} {baseline:.2f} Tm"
        ]
        for subset, chunk in self._font.splitString(text, doc):
            name = self._subsets.get(subset)
            if name is None:
                name = self._subsets[subset] = self._font.getSubsetInternalName(subset, doc)
            code.append(f"{name} {style.size} Tf ({c._escape(chunk)}) Tj")
        code.append("ET")
        c._code.append(" ".join(code))

    def table_start(self, first: _LaidRow | None) -> None:
        """The header row, on a new page unless it and the first row's first line fit here."""
        need = self.header.height + (first.cells[0].lines[0][0].leading + 2 * PAD if first else 0)
        if self.free < need:
            self.new_page()
        self.draw_row(self.header)

    def row(self, row: _LaidRow) -> None:
        """A row whole where it fits; on the next page when it fits on a page; else split line by
        line over as many pages as it takes, the header repeated on each."""
        if (
            row.height > self.free
            and row.height <= PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - self.header.height
        ):
            self.new_page()
            self.draw_row(self.header)
        rest = row
        while rest.height > self.free:
            part, rest = _split(rest, self.free - 2 * PAD)
            if part is not None:
                self.draw_row(part)
            self.new_page()
            self.draw_row(self.header)
        self.draw_row(rest)

    def draw_row(self, row: _LaidRow) -> None:
        """The row's background, its cells' borders and text, as PDF operators."""
        h = row.height
        top = self.y
        bottom = top - h
        code = self.c._code
        if row.fill:
            r, g, b = row.fill
            code.append(
                f"{r:.3f} {g:.3f} {b:.3f} rg {MARGIN_X:.2f} {bottom:.2f} {BODY_WIDTH:.2f} {h:.2f} re f"
            )
        x = MARGIN_X
        borders = ["0.6 0.6 0.6 RG 0.25 w"]
        for width in COLUMN_WIDTHS:
            borders.append(f"{x:.2f} {bottom:.2f} {width:.2f} {h:.2f} re S")
            x += width
        code.append(" ".join(borders))
        x = MARGIN_X
        for cell, width in zip(row.cells, COLUMN_WIDTHS, strict=True):
            y = top - PAD
            for style, text in cell.lines:
                y -= style.leading
                self._text(x + PAD, y + (style.leading - style.size) * 0.6, text, style)
            x += width
        self.y = bottom


def _split(row: _LaidRow, room: float) -> tuple[_LaidRow | None, _LaidRow]:
    """The lines of each cell that fit in ``room`` points, and the rest (None for the first part
    when not even one line fits)."""
    counts = []
    for cell in row.cells:
        used, k = 0.0, 0
        while k < len(cell.lines) and used + cell.lines[k][0].leading <= room:
            used += cell.lines[k][0].leading
            k += 1
        counts.append(k)
    if not any(counts):
        return None, row
    blank = [(BODY, "")]
    heads = [_Cell(cell.lines[:k] or blank) for cell, k in zip(row.cells, counts, strict=True)]
    tails = [_Cell(cell.lines[k:] or blank) for cell, k in zip(row.cells, counts, strict=True)]
    return _LaidRow(heads, row.fill), _LaidRow(tails, row.fill)


def write_pdf(
    out: IO[bytes],
    *,
    title: str,
    stamp: list[tuple[str, str]],
    sections: Iterable[Section],
    labels: Labels,
    footer: str,
) -> None:
    """Write the PDF into the binary file ``out``: ``title``, the ``stamp`` lines, then each of
    ``sections`` (read once, one at a time), ``footer`` and the page number at the foot of every
    page."""
    from reportlab import rl_config

    # binary streams, not ASCII85 (reportlab encodes it in pure Python: a third of the time)
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        _write(out, title=title, stamp=stamp, sections=sections, labels=labels, footer=footer)
    finally:
        rl_config.useA85 = a85


def _write(out, *, title, stamp, sections, labels, footer) -> None:
    from reportlab.pdfgen.canvas import Canvas

    font = register_font()
    measure = _Widths(font)
    layout = _Layout(measure, labels)
    canvas = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(clean(title)[:200])
    pages = _Pages(canvas, font, labels, clean(footer)[:120], layout.header)
    pages.lines(wrap(clean(title), BODY_WIDTH, TITLE.size, measure), TITLE)
    pages.y -= 2
    for label, value in stamp:
        label_lines = wrap(clean(label), STAMP_LABEL_WIDTH - 4, NOTE.size, measure)
        value_lines = wrap(clean(value), BODY_WIDTH - STAMP_LABEL_WIDTH, NOTE.size, measure)
        for k in range(max(len(label_lines), len(value_lines))):
            if pages.free < NOTE.leading:
                pages.new_page()
            pages.y -= NOTE.leading
            baseline = pages.y + (NOTE.leading - NOTE.size) * 0.6
            if k < len(label_lines):
                pages._text(MARGIN_X, baseline, label_lines[k], NOTE)
            if k < len(value_lines):
                pages._text(MARGIN_X + STAMP_LABEL_WIDTH, baseline, value_lines[k], NOTE)
    pages.y -= SECTION_GAP
    for section in sections:
        try:
            laid = layout.section(section)
        except Exception:  # a proposal that cannot be laid out is a notice, never a broken file
            log.exception("PDF export: a section could not be laid out")
            laid = layout.fallback(section)
        if pages.free < HEADING.leading * min(len(laid.heading), 2) + layout.header.height + BODY.leading * 2:
            pages.new_page()
        pages.lines(laid.heading, HEADING)
        pages.y -= 2
        if laid.rows:
            pages.table_start(laid.rows[0])
            for row in laid.rows:
                pages.row(row)
        else:
            pages.lines(laid.note, BODY)
        pages.y -= SECTION_GAP
        if pages.free < 0:
            pages.new_page()
    pages.finish()
    canvas.save()
