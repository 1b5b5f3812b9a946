"""From positioned characters to lines and blocks (plain Python: the PDF reader feeds it, tests feed it
hand-made characters).

* :func:`lines_from_chars` groups characters, in the order the document draws them, into lines.  A
  character much smaller than its line and drawn above (below) the line's baseline is a superscript
  (subscript) and becomes its Unicode form in place (``cm²``, ``m³``, ``10⁻⁶``, ``NOₓ``); one without a
  Unicode form is written ``^x`` (superscript) or kept as it is (subscript).  Characters never move to
  another line.
* :func:`drop_furniture` drops page numbers and running headers/footers (a line in the top or bottom band
  of the page that repeats on at least half of the pages).
* :func:`blocks_from_lines` joins lines into paragraphs and headings.  A line starts a new block when it
  is indented, centred, bold where the previous line was not (or the reverse), of another font size, far
  below the previous line, or when the previous line ended short of the right margin.  Otherwise it
  continues the block (so a bold heading that wraps stays one heading, and a number at the start of a
  wrapped line stays in its sentence).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field, replace

from .normalize import (
    RE_KNOWN_LABEL,
    continues,
    furniture_key,
    is_page_number,
    normalize_inline,
    remove_cjk_spaces,
    smart_join,
)
from .types import Block, Box

SUPERSCRIPTS = dict(zip("0123456789-−+=()niᵢ", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻⁺⁼⁽⁾ⁿⁱⁱ", strict=True))
SUBSCRIPTS = dict(zip("0123456789-−+=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₋₋₊₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ", strict=True))
HEADER_BAND = 0.1  # top/bottom share of the page height where running headers and footers live
_SMALL = 0.8  # a character this much smaller than its line may be a superscript or a subscript


@dataclass(slots=True)
class Char:
    """One drawn character: ``top``/``bottom``/``baseline`` measured from the top of the page."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    bold: bool = False


@dataclass
class Line:
    page: int  # 1-based
    chars: list[Char] = field(default_factory=list)
    text: str = ""
    size: float = 0.0
    bold: bool = False

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.chars)

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.chars)

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    def box(self) -> Box:
        return Box(self.page, self.x0, self.top, self.x1, self.bottom)


# ---------------------------------------------------------------------------
# Characters → lines
# ---------------------------------------------------------------------------


def _starts_new_line(line: list[Char], char: Char, size: float, baseline: float) -> bool:
    last = line[-1]
    if char.x0 < last.x0 - size * 0.5:  # back to the left: the next line
        return True
    if abs(char.baseline - baseline) <= size * 0.5:
        return False
    # far above or below: a new line unless it is a small character beside the last one
    small = char.size < size * _SMALL
    near = char.x0 <= last.x1 + size * 1.5 and abs(char.baseline - baseline) <= size * 0.9
    return not (small and near)


def lines_from_chars(chars: list[Char], page: int) -> list[Line]:
    """Group one page's characters (in drawing order) into lines, with super/subscripts in place."""
    lines: list[Line] = []
    current: list[Char] = []
    size = baseline = 0.0
    for char in chars:
        if char.text in "\r\n":
            continue
        if current and _starts_new_line(current, char, size, baseline):
            lines.append(_finish_line(current, page))
            current = []
        if not current or char.size >= size * 0.9:
            if not current or char.size > size * 1.1:
                size, baseline = char.size, char.baseline
        current.append(char)
    if current:
        lines.append(_finish_line(current, page))
    return [line for line in lines if line.text]


def _finish_line(chars: list[Char], page: int) -> Line:
    sized = [c.size for c in chars if not c.text.isspace()] or [chars[0].size]
    size = statistics.median(sized)
    normal = [c.baseline for c in chars if c.size >= size * 0.9 and not c.text.isspace()]
    baseline = statistics.median(normal) if normal else chars[0].baseline
    pieces: list[str] = []
    previous: Char | None = None
    for char in chars:
        text = char.text
        if previous is not None and not text.isspace() and not previous.text.isspace():
            gap = char.x0 - previous.x1
            if gap > min(char.size, previous.size) * 0.3:
                pieces.append(" ")
        if char.size < size * _SMALL and not text.isspace():
            if char.baseline < baseline - size * 0.15:
                text = SUPERSCRIPTS.get(text, "^" + text)
            elif char.baseline > baseline + size * 0.08:
                text = SUBSCRIPTS.get(text, text)
        pieces.append(text)
        previous = char
    text = remove_cjk_spaces(" ".join("".join(pieces).split()))
    bold = sum(1 for c in chars if c.bold) * 2 > len(chars)
    return Line(page, list(chars), text, size, bold)


# ---------------------------------------------------------------------------
# Page furniture
# ---------------------------------------------------------------------------


def _in_band(line: Line, height: float) -> bool:
    return line.top < height * HEADER_BAND or line.bottom > height * (1 - HEADER_BAND)


def drop_furniture(lines: list[Line], heights: dict[int, float], page_count: int) -> list[Line]:
    """Drop page numbers and running headers/footers (lines repeated in the top/bottom band)."""
    pages_by_key: dict[str, set[int]] = {}
    for line in lines:
        if _in_band(line, heights.get(line.page, 842.0)):
            pages_by_key.setdefault(furniture_key(line.text), set()).add(line.page)
    threshold = max(2, (page_count + 1) // 2)
    repeated = {key for key, pages in pages_by_key.items() if len(pages) >= threshold}
    return [
        line
        for line in lines
        if not (
            _in_band(line, heights.get(line.page, 842.0))
            and (is_page_number(line.text) or furniture_key(line.text) in repeated)
        )
    ]


# ---------------------------------------------------------------------------
# Lines → blocks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Margins:
    left: float
    right: float
    size: float  # the body font size

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def margins(lines: list[Line]) -> Margins:
    """The text column: the leftmost line start and the rightmost line end that several lines share
    (first lines are indented, last lines short; a stray line does not move the margins), and the
    body font size."""
    size = statistics.median(line.size for line in lines) or 10.0
    enough = max(2, len(lines) // 20)
    starts = Counter(round(line.x0) for line in lines)
    common = [x for x, count in starts.items() if count >= enough] or list(starts)
    ends = sorted(line.x1 for line in lines)
    right = ends[max(0, len(ends) - enough)]
    return Margins(float(min(common)), right, size)


def _centred(line: Line, m: Margins) -> bool:
    """Centred between the margins. A plain line that starts at the usual two-character first-line
    indent and happens to end as far from the right margin is an indented line, not a centred one."""
    size = line.size or m.size
    if not (
        line.x0 > m.left + size * 1.5
        and line.x1 < m.right - size * 1.5
        and abs((line.x0 + line.x1) / 2 - m.centre) < size * 1.5
    ):
        return False
    at_indent = abs(line.x0 - m.left - 2 * size) < size * 0.5
    return not at_indent or line.bold or line.size > m.size * 1.1


def _indented(line: Line, m: Margins) -> bool:
    return line.x0 > m.left + (line.size or m.size) * 0.8


def _full(line: Line, m: Margins) -> bool:
    return line.x1 >= m.right - (line.size or m.size) * 1.5


def _continues(previous: Line, line: Line, m: Margins) -> bool:
    if line.bold != previous.bold or abs(line.size - previous.size) > max(line.size, previous.size) * 0.15:
        return False
    if line.page == previous.page and line.top - previous.bottom > max(line.size, previous.size) * 1.2:
        return False
    centred = _centred(line, m)
    if _centred(previous, m):
        # a centred heading that wraps: its next line is centred too
        return centred and line.page == previous.page
    if centred:
        # the last line of a centred heading that filled the line before
        return _full(previous, m) and line.page == previous.page
    if _indented(line, m) or not _full(previous, m):
        return False
    return not RE_KNOWN_LABEL.match(line.text)


def join_broken_blocks(blocks: list[Block]) -> list[Block]:
    """Join a block that stops mid-sentence with the next one when the text says they are one paragraph
    (:func:`guide.parsing.normalize.continues`) and the layout does not contradict it (neither is a
    heading, bold or centred): the paragraph breaks a page break or a careless author left.  Blocks are
    numbered again from 1."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and not (previous.bold or previous.heading or previous.centred)
            and not (block.bold or block.heading or block.centred)
            and continues(previous.text, block.text)
        ):
            joined[-1] = replace(
                previous,
                text=normalize_inline(smart_join(previous.text, block.text)),
                boxes=previous.boxes + block.boxes,
                line_chars=previous.line_chars + block.line_chars,
                full_width=block.full_width,
            )
        else:
            joined.append(block)
    return [replace(block, index=number) for number, block in enumerate(joined, start=1)]


def blocks_from_lines(lines: list[Line], *, first_index: int = 1) -> list[Block]:
    """Join lines into blocks (paragraphs and headings) by their layout; see the module docstring."""
    if not lines:
        return []
    m = margins(lines)
    groups: list[list[Line]] = []
    for line in lines:
        if groups and _continues(groups[-1][-1], line, m):
            groups[-1].append(line)
        else:
            groups.append([line])
    blocks = []
    for index, group in enumerate(groups, start=first_index):
        text = ""
        for line in group:
            text = smart_join(text, line.text)
        text = normalize_inline(text)
        if not text:
            continue
        sizes = [line.size for line in group]
        blocks.append(
            Block(
                index=index,
                text=text,
                boxes=tuple(line.box() for line in group),
                size=round(statistics.median(sizes), 1),
                bold=all(line.bold for line in group),
                centred=all(_centred(line, m) for line in group),
                indented=_indented(group[0], m),
                full_width=_full(group[-1], m),
                line_chars=tuple(len(line.text) for line in group),
            )
        )
    return [
        block if block.index == number else replace(block, index=number)
        for number, block in enumerate(blocks, start=first_index)
    ]
