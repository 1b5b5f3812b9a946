"""Text helpers shared by the readers, the field extractor and the template generator.

The one rule that matters: when text that was wrapped onto several lines is
joined back, a space goes between the two pieces only when both sides are
Latin (letters, digits, Latin punctuation); Chinese text is joined without
spaces. :func:`needs_space` is that rule, :func:`join_wrapped` applies it and
:func:`safe_breaks` lists where a line may be broken so that joining it back
gives the original text (the template generator only breaks there).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

__all__ = [
    "clean_text",
    "first_chunk",
    "is_wide",
    "join_wrapped",
    "needs_space",
    "safe_breaks",
    "wrap_text",
]

_WIDE_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2000, 0x206F),  # general punctuation: “ ” ‘ ’ — …
    (0x2E80, 0x303F),  # radicals, CJK symbols and punctuation
    (0x3040, 0x33FF),  # kana, bopomofo, CJK compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xE000, 0xF8FF),  # private use (never Latin)
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x3FFFF),  # CJK extensions B..
)
_NO_SPACE_AFTER = set("-/([{<@#\u00ad")
_NO_SPACE_BEFORE = set(")]}>.,;:!?%/-")


@functools.lru_cache(maxsize=8192)
def is_wide(ch: str) -> bool:
    """True for Chinese / Japanese / Korean characters and full-width punctuation."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _WIDE_RANGES)


def needs_space(prev: str, nxt: str) -> bool:
    """Whether joining two wrapped pieces ending in ``prev`` / starting with ``nxt`` needs a space."""
    if not prev or not nxt or prev.isspace() or nxt.isspace():
        return False
    if is_wide(prev) or is_wide(nxt):
        return False
    return prev not in _NO_SPACE_AFTER and nxt not in _NO_SPACE_BEFORE


def join_wrapped(pieces: Iterable[str]) -> str:
    """Join the lines of a wrapped paragraph or table cell (see the module docstring)."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and needs_space(out[-1], piece[0]):
            out += " "
        out += piece
    return out


def clean_text(text: str | None) -> str:
    """Collapse runs of spaces, drop control characters, strip. Keeps line breaks out."""
    if not text:
        return ""
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\u200b", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def safe_breaks(text: str) -> list[tuple[int, int]]:
    """Positions where ``text`` may be broken into two lines that :func:`join_wrapped` restores.

    Each entry is ``(end_of_first_line, start_of_second_line)``: either a
    break between two characters that join without a space, or a break at a
    single space between two characters that join with one.
    """
    out = []
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if a != " " and b != " ":
            if not needs_space(a, b):
                out.append((i, i))
        elif b == " " and a != " " and i + 1 < len(text) and text[i + 1] != " ":
            if needs_space(a, text[i + 1]):
                out.append((i, i + 1))
    return out


def first_chunk(text: str) -> str:
    """The start of ``text`` up to its first safe break: what could not have fit on the line before."""
    text = text.strip()
    breaks = safe_breaks(text)
    return text[: breaks[0][0]] if breaks else text


def wrap_text(text: str, width: float, char_width: Callable[[str], float]) -> list[str]:
    """Greedy line breaking that only breaks at :func:`safe_breaks` (forced breaks for overlong tokens).

    ``char_width`` gives the width of one character. Used by the template
    generator so that the PDF it writes reads back to exactly the text it was given.
    """
    text = text.strip()
    cum = [0.0]
    for ch in text:
        cum.append(cum[-1] + char_width(ch))
    breaks = safe_breaks(text)
    lines: list[str] = []
    pos = 0
    while pos < len(text) and cum[len(text)] - cum[pos] > width:
        fitting = [(end, start) for end, start in breaks if end > pos and cum[end] - cum[pos] <= width]
        if fitting:
            end, start = fitting[-1]
        else:  # a single token wider than the line: cut it where it overflows
            end = pos + 1
            while end < len(text) and cum[end + 1] - cum[pos] <= width:
                end += 1
            start = end
        lines.append(text[pos:end].strip())
        pos = start
        while pos < len(text) and text[pos] == " ":
            pos += 1
    if pos < len(text):
        lines.append(text[pos:].strip())
    return lines
