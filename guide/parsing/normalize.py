"""Normalise text extracted from a call guide.

* LaTeX-like math left by PDF converters (``$\\geq 10\\%$``, ``\\text{wt}\\%``, ``65^\\circ\\text{C}``,
  ``1 \\times 10^{-6}``) becomes readable Unicode (``≥ 10%``, ``wt%``, ``65°C``, ``1×10⁻⁶``).
* Full-width ASCII (digits, letters, ``％～＞``) becomes ASCII; a half-width colon after a Chinese label
  becomes ``：``; no space is left between two CJK characters or next to CJK punctuation.
* Page numbers (``— 2 —``, ``- 2 -``, ``第 2 页``) and running headers/footers repeated on many pages are
  dropped, and paragraphs split across lines or page breaks are joined again.

:func:`normalize_text` returns one paragraph per line.
"""

from __future__ import annotations

import re
from collections import Counter

CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width / CJK punctuation: no space is kept next to these.
CJK_PUNCT = "，。；：！？、（）《》〈〉“”‘’【】「」『』〔〕…"
_CJK = f"[{CJK_CHARS}]"
_CJKP = f"[{CJK_PUNCT}]"
_CJK_OR_P = f"[{CJK_CHARS}{CJK_PUNCT}]"

_OPEN_BRACKETS = "（(【[《"
_CLOSE_BRACKETS = "）)】]》"

# A paragraph ending with one of these is complete.
SENTENCE_END = "。；：！？;!?"

# ---------------------------------------------------------------------------
# LaTeX-like math
# ---------------------------------------------------------------------------

_LATEX_SYMBOLS = {
    "geq": "≥",
    "ge": "≥",
    "geqslant": "≥",
    "leq": "≤",
    "le": "≤",
    "leqslant": "≤",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "times": "×",
    "pm": "±",
    "mp": "∓",
    "cdot": "·",
    "sim": "~",
    "circ": "°",
    "degree": "°",
    "mu": "μ",
    "Omega": "Ω",
    "omega": "ω",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "Delta": "Δ",
    "lambda": "λ",
    "sigma": "σ",
    "theta": "θ",
    "eta": "η",
    "rho": "ρ",
    "tau": "τ",
    "pi": "π",
    "infty": "∞",
    "lt": "<",
    "gt": ">",
    "to": "→",
    "rightarrow": "→",
    "prime": "′",
    "permil": "‰",
    "quad": " ",
    "qquad": " ",
}
_SUPERSCRIPT = str.maketrans("0123456789-+=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789-+=()", "₀₁₂₃₄₅₆₇₈₉₋₊₌₍₎")

_TEXT_CMD = re.compile(r"\\(?:text|mathrm|textrm|rm|mathit|textit|mathbf|textbf|operatorname)\s*\{([^{}]*)\}")
_SUP_CIRC = re.compile(r"\^\s*\{?\s*(?:\\circ|°)\s*\}?")
_SUP_BRACED = re.compile(r"\^\s*\{([^{}]*)\}")
_SUP_SINGLE = re.compile(r"\^\s*([0-9A-Za-z+\-])")
_SUB_BRACED = re.compile(r"_\{([^{}]*)\}")
_SUB_SINGLE = re.compile(r"(?<=[A-Za-z)])_([0-9A-Za-z])(?![A-Za-z0-9])")
_LATEX_CMD = re.compile(r"\\([A-Za-z]+)")
_KNOWN_CMD = re.compile(r"\\(" + "|".join(sorted(_LATEX_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])")
_LATEX_ESCAPE = re.compile(r"\\([%&#_{}$ ,;:!])")


def _superscript(content: str) -> str:
    content = content.strip().replace(" ", "")
    converted = content.translate(_SUPERSCRIPT)
    if all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁼⁽⁾ⁿ" for c in converted):
        return converted
    return "^" + content


def _subscript(content: str) -> str:
    content = content.strip()
    converted = content.translate(_SUBSCRIPT)
    if all(c in "₀₁₂₃₄₅₆₇₈₉₋₊₌₍₎" for c in converted):
        return converted
    return content  # letters (NO_x) have no good subscript: plain text reads fine


def _latex_command(match: re.Match) -> str:
    name = match.group(1)
    if name in _LATEX_SYMBOLS:
        return _LATEX_SYMBOLS[name]
    # \le / \ge followed by letters were caught as one token (e.g. \leqslant handled above).
    for prefix in ("geq", "leq", "times", "cdot", "pm", "sim"):
        if name.startswith(prefix) and name[len(prefix) :].isalpha():
            return _LATEX_SYMBOLS[prefix] + name[len(prefix) :]
    return name


def _latex_escape(match: re.Match) -> str:
    char = match.group(1)
    return " " if char in " ,;:!" else char


def normalize_math(text: str) -> str:
    """Turn LaTeX-like math (with or without ``$``) into readable Unicode."""
    if not any(marker in text for marker in ("\\", "$", "^", "_")):
        return text
    text = _SUP_CIRC.sub("°", text)
    text = _KNOWN_CMD.sub(lambda m: _LATEX_SYMBOLS[m.group(1)], text)  # before \text{}: \mu\text{m}
    text = _TEXT_CMD.sub(lambda m: m.group(1), text)
    text = _TEXT_CMD.sub(lambda m: m.group(1), text)  # nested \text{\text{..}}
    text = _SUP_CIRC.sub("°", text)
    text = _SUP_BRACED.sub(lambda m: _superscript(m.group(1)), text)
    text = _SUP_SINGLE.sub(lambda m: _superscript(m.group(1)), text)
    text = _SUB_BRACED.sub(lambda m: _subscript(m.group(1)), text)
    text = _SUB_SINGLE.sub(lambda m: _subscript(m.group(1)), text)
    text = _LATEX_ESCAPE.sub(_latex_escape, text)
    text = _LATEX_CMD.sub(_latex_command, text)
    text = text.replace("$", "").replace("{", "").replace("}", "")
    return text


# ---------------------------------------------------------------------------
# Inline normalisation (one line/paragraph)
# ---------------------------------------------------------------------------

_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # digits
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # A-Z
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # a-z
_FULLWIDTH.update(
    {
        "％": "%",
        "～": "~",
        "〜": "~",
        "＞": ">",
        "＜": "<",
        "＝": "=",
        "＋": "+",
        "／": "/",
        "．": ".",
        "＠": "@",
        "≧": "≥",
        "≦": "≤",
        "⩾": "≥",
        "⩽": "≤",
        "µ": "μ",
        "\u3000": " ",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\t": " ",
    }
)
_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)

_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_CJK_SPACE = re.compile(rf"(?<={_CJK_OR_P}) +(?={_CJK_OR_P})")
_SPACE_BEFORE_P = re.compile(rf" +(?={_CJKP})")
_SPACE_AFTER_P = re.compile(rf"(?<={_CJKP}) +")
_LABEL_COLON = re.compile(rf"(?<={_CJK}) *[:：] *")
_CJK_COMMA = re.compile(rf"(?:(?<={_CJK}) *, *| *, *(?={_CJK}))")
_HAS_CJK = re.compile(_CJK)
_SLASH = re.compile(r" *([/@]) *")
_TIGHT_OPERATORS = re.compile(r" *([×·~^]) *")
_PLUS_MINUS = re.compile(r"(?:(?<=[0-9A-Za-z%)]) *)?± *")


def split_top_level(text: str, separators: str, *, respect_brackets: bool = True) -> list[str]:
    """Split at ``separators`` outside parentheses (a comma between two digits is kept).

    Should a bracket never close, the text is split as if there were no brackets.
    """
    parts = []
    depth = 0
    current = []
    for i, char in enumerate(text):
        if respect_brackets and char in _OPEN_BRACKETS:
            depth += 1
        elif respect_brackets and char in _CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        if depth == 0 and char in separators:
            # "1,000": a comma between digits is part of a number
            if char == "," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                current.append(char)
                continue
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    if depth > 0:
        return split_top_level(text, separators, respect_brackets=False)
    return [part.strip() for part in parts if part.strip()]


def normalize_inline(text: str) -> str:
    """Normalise one line: math, full-width ASCII, colons, spaces."""
    text = normalize_math(text)
    text = text.translate(_FULLWIDTH_TABLE)
    text = _SPACES.sub(" ", text)
    text = _TIGHT_OPERATORS.sub(r"\1", text)
    text = _PLUS_MINUS.sub("±", text)
    text = _LABEL_COLON.sub("：", text)
    text = _SLASH.sub(r"\1", text)
    text = _CJK_COMMA.sub("，", text)
    if _HAS_CJK.search(text):
        text = re.sub(r" *; *", "；", text)
    text = remove_cjk_spaces(text)
    return text.strip()


def remove_cjk_spaces(text: str) -> str:
    """Remove spaces between two CJK characters and next to CJK punctuation."""
    text = _CJK_SPACE.sub("", text)
    text = _SPACE_BEFORE_P.sub("", text)
    text = _SPACE_AFTER_P.sub("", text)
    return text


# ---------------------------------------------------------------------------
# Line classification
# ---------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十"
RE_CN_HEADING = re.compile(rf"^[{_CN_NUM}]{{1,3}}[、.．]\s*\S")
# "1. 碳捕集……" / "1、推荐程序……" (not "1.5V", not "0.01mm")
RE_AREA_HEADING = re.compile(rf"^([1-9]\d?)\s*[.．、]\s*(?=[{CJK_CHARS}“\"（(《])")
# "1.1 工业领域……"
RE_DIRECTION_HEADING = re.compile(rf"^([1-9]\d?)\.([1-9]\d?)\s*(?=[{CJK_CHARS}“\"（(《])")
RE_ITEM = re.compile(r"^(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}\s*[）)]|[①-⑳])")
RE_LABEL = re.compile(rf"^[{CJK_CHARS}]{{2,10}}\s*[：:]")
RE_ATTACHMENT = re.compile(r"^附\s*件\s*\d*$")
RE_DOC_TITLE = re.compile(r"(?:指南|要求|通知|公告|目录)$")


# Section labels of a direction: they always start a paragraph.
KNOWN_LABELS = (
    "研究内容",
    "主要研究内容",
    "考核指标",
    "主要考核指标",
    "考核目标",
    "其他要求",
    "其它要求",
    "有关说明",
    "相关说明",
    "备注",
)
RE_KNOWN_LABEL = re.compile(r"^(?:" + "|".join(sorted(KNOWN_LABELS, key=len, reverse=True)) + r")\s*[：:]")


def starts_heading(line: str) -> bool:
    """True when a line starts a heading or a numbered item."""
    line = line.strip()
    return bool(
        RE_CN_HEADING.match(line)
        or RE_DIRECTION_HEADING.match(line)
        or RE_AREA_HEADING.match(line)
        or RE_ITEM.match(line)
        or RE_ATTACHMENT.match(line)
    )


def starts_block(line: str) -> bool:
    """True when a line starts a heading, a numbered item or any ``label：``."""
    return starts_heading(line) or bool(RE_LABEL.match(line.strip()))


def starts_section(line: str) -> bool:
    """A heading, an item or a known section label (研究内容：……): never the continuation of a sentence.

    Other ``……：`` openings may be the rest of a sentence broken by a page (……其中 / 中国地区甲烷排放：……).
    """
    return starts_heading(line) or bool(RE_KNOWN_LABEL.match(line.strip()))


def is_standalone(line: str) -> bool:
    """Lines that are complete on their own although they lack sentence punctuation (headings, titles)."""
    line = line.strip()
    if not line:
        return True
    if RE_ATTACHMENT.match(line) or RE_CN_HEADING.match(line):
        return True
    if RE_DIRECTION_HEADING.match(line) or RE_AREA_HEADING.match(line):
        return len(line) <= 80
    if line[0] in "（(" and line[-1] in "）)" and len(line) <= 80:
        return True
    return len(line) <= 100 and bool(RE_DOC_TITLE.search(line))


def ends_sentence(line: str) -> bool:
    line = line.rstrip()
    if not line:
        return True
    # A closing quote/bracket after sentence punctuation still ends the sentence: ……。”
    stripped = line.rstrip("”’」』）)")
    return bool(stripped) and stripped[-1] in SENTENCE_END


def continues(previous: str, following: str) -> bool:
    """Whether ``following`` continues the paragraph ``previous`` (split by a line or page break)."""
    if ends_sentence(previous) or is_standalone(previous) or starts_section(following):
        return False
    # "(1) 催化剂载体" followed by "性状要求：……": a short numbered heading over labelled lines
    return not (RE_LABEL.match(following.strip()) and is_item_heading(previous))


def is_item_heading(line: str) -> bool:
    """``(1) 催化剂载体``: a numbered item that is only a short title (no punctuation)."""
    line = line.strip()
    item = RE_ITEM.match(line)
    if not item:
        return False
    body = line[item.end() :].strip()
    return 0 < len(body) <= 30 and not re.search(r"[，。；：,;:]", body)


def smart_join(left: str, right: str) -> str:
    """Join two pieces of one paragraph: a space only between two ASCII words."""
    if not left:
        return right
    if not right:
        return left
    if needs_join_space(left, right):
        return f"{left} {right}"
    return left + right


# ---------------------------------------------------------------------------
# Page furniture
# ---------------------------------------------------------------------------

RE_PAGE_NUMBER = re.compile(
    r"^(?:[—–\-－~_·•\s]*\d{1,4}[—–\-－~_·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$"
)


def is_page_number(line: str) -> bool:
    return bool(RE_PAGE_NUMBER.match(line.strip()))


def furniture_key(line: str) -> str:
    """A key under which running headers/footers that differ only by page number compare equal."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def repeated_furniture(lines: list[str], min_count: int = 3) -> set[str]:
    """Keys of short lines repeated many times that look like running headers/footers.

    Labelled lines (``其他要求：……``), headings and sentences are never treated as furniture even when a
    guide repeats them verbatim.
    """
    counts = Counter(furniture_key(line) for line in lines if line.strip())
    keys = set()
    for line in lines:
        stripped = line.strip()
        if not stripped or len(stripped) > 80:
            continue
        key = furniture_key(stripped)
        if counts[key] < min_count or ends_sentence(stripped) or starts_block(stripped):
            continue
        keys.add(key)
    return keys


# ---------------------------------------------------------------------------
# Whole text
# ---------------------------------------------------------------------------


_TOP_LINES = 5


def split_paragraphs(text: str) -> list[str]:
    """Normalise ``text`` and return its paragraphs (joined across line and page breaks)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    raw_lines = [line.strip() for line in text.split("\n")]
    furniture = repeated_furniture(raw_lines)
    seen_furniture: set[str] = set()
    lines = []
    for line in raw_lines:
        if not line or is_page_number(line):
            continue
        key = furniture_key(line)
        if key in furniture:
            # A running header often repeats the document title: the copy at the very top stays.
            if len(lines) >= _TOP_LINES or key in seen_furniture:
                continue
            seen_furniture.add(key)
        line = normalize_inline(line)
        if line:
            lines.append(line)
    paragraphs: list[_Paragraph] = []
    for line in lines:
        if paragraphs and continues(paragraphs[-1].view(), line):
            paragraphs[-1].add(line)
        else:
            paragraphs.append(_Paragraph(line))
    return [paragraph.text() for paragraph in paragraphs]


class _Paragraph:
    """A paragraph being joined from lines, in linear time.

    Joining a line re-normalises nothing (both pieces are normalised already, and :func:`smart_join`
    only adds a space between two ASCII words), so the pieces are joined once at the end.  What
    :func:`continues` asks of the paragraph so far (its start, its end, whether it is short) is read
    from :meth:`view`: the paragraph itself while it is short, else its first and last
    ``_VIEW`` characters.
    """

    def __init__(self, line: str) -> None:
        self.pieces = [line]
        self.length = len(line)
        self.head = line[: 2 * _VIEW]
        self.tail = line[-_VIEW:]

    def add(self, line: str) -> None:
        joined = " " + line if needs_join_space(self.tail, line) else line
        self.pieces.append(joined)
        self.length += len(joined)
        if len(self.head) < 2 * _VIEW:
            self.head = (self.head + joined)[: 2 * _VIEW]
        self.tail = (self.tail + joined)[-_VIEW:]

    def view(self) -> str:
        if self.length <= 2 * _VIEW:
            return self.head
        return self.head[:_VIEW] + self.tail

    def text(self) -> str:
        return remove_cjk_spaces("".join(self.pieces))


_VIEW = 256


def needs_join_space(left: str, right: str) -> bool:
    """Whether :func:`smart_join` puts a space between ``left`` and ``right``: between two ASCII words,
    also when the left one ends with a bracket, a per cent sign or a superscript (``(vs SHE) 3h``,
    ``1×10⁻⁶ mol``), as a line break inside Latin text stands for a space; and after ≤/≥ before a
    number (the guides write ``≥ 90%``)."""
    if not (left and right):
        return False
    if left[-1] in "≤≥" and right[0] in "0123456789±":
        return True
    return bool(_WORD_END.match(left[-1]) and _ASCII_WORD.match(right[0]))


_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_WORD_END = re.compile(r"[A-Za-z0-9)%⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿ₀₁₂₃₄₅₆₇₈₉ₓ]")


def normalize_text(text: str) -> str:
    """Normalised text, one paragraph per line."""
    return "\n".join(split_paragraphs(text))
