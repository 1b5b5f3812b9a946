"""Parse 考核指标 (assessment indicators) into :class:`Indicator` values.

Public, stable API (also used to parse applicants' indicator text)::

    split_indicators(indicators_text: str) -> list[str]
    parse_indicator(text: str, position: int = 0) -> Indicator
    parse_indicators(indicators_text: str) -> list[Indicator]

Comparators: ``">="``, ``">"``, ``"<="``, ``"<"``, ``"="``, ``"range"`` (``value``..``value_max``) or
``None`` for a qualitative indicator.  Decisions:

* 不小于/不少于/不低于/至少/最少/以上/及以上/或以上/(含)以上 → ``>=``; 大于/高于/超过/超/多于 → ``>``;
  不大于/不超过/不高于/不多于/以内/之内/以下/及以下 → ``<=``; 小于/低于/少于/不足 → ``<``.
* 达到 N → ``>=`` (a target that is reached may be exceeded); 达到 N 以上 → ``>=`` as well.
* 优于 N → ``<`` when the subject is an error-like quantity (误差, 偏差, 不确定度, 时间, 成本 ...,
  where smaller is better), otherwise ``>``.
* A bare quantity without a comparator (``形成……方法 1 套``, ``降低 5%``, ``效率提升 5 倍``) → ``=``.
* ``N~M``, ``N-M``, ``N至M``, ``N到M`` → ``range``; a range of years (``2018—2022 年``) is a period, not an
  indicator value, and is ignored.
* ``≤ 1.30±0.01mm`` keeps the nominal value (1.30); ``≤ ±10μm`` gives 10.
* Multipliers stay in the unit: ``10 万吨/年`` → value 10, unit ``万吨/年``.
* Chinese numerals (三个, 一套) are read only when an item has no Arabic number.
* When an item has several candidates, the first explicit comparator wins (symbols and words), then a
  range, then ``N 以上``-style suffixes, then bare counts; candidates inside parentheses come last.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .normalize import CJK_CHARS, normalize_inline, split_top_level
from .numerals import chinese_number
from .types import Indicator

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

WORD_COMPARATORS = {
    "不大于": "<=",
    "不超过": "<=",
    "不高于": "<=",
    "不多于": "<=",
    "不长于": "<=",
    "不超出": "<=",
    "最多": "<=",
    "至多": "<=",
    "不小于": ">=",
    "不少于": ">=",
    "不低于": ">=",
    "不短于": ">=",
    "至少": ">=",
    "最少": ">=",
    "最低": ">=",
    "达到": ">=",
    "达": ">=",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "多于": ">",
    "长于": ">",
    "超": ">",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "短于": "<",
    "不足": "<",
    "优于": "better",
}
_WORDS_BY_LENGTH = sorted(WORD_COMPARATORS, key=len, reverse=True)

SYMBOL_COMPARATORS = {">=": ">=", "<=": "<=", "≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "="}

SUFFIX_COMPARATORS = {
    "及以上": ">=",
    "或以上": ">=",
    "以上": ">=",
    "及以下": "<=",
    "或以下": "<=",
    "以下": "<=",
    "以内": "<=",
    "之内": "<=",
}
_SUFFIX_RE = re.compile(r"\s*(?:[（(]含[）)])?\s*(及以上|或以上|以上|及以下|或以下|以下|以内|之内)")

CHANGE_VERBS = (
    "提高",
    "提升",
    "降低",
    "减少",
    "下降",
    "增产",
    "增加",
    "缩短",
    "延长",
    "减排",
    "节约",
    "节省",
)

# 优于 means "smaller than" for these subjects.
_SMALLER_IS_BETTER = (
    "误差",
    "偏差",
    "不确定度",
    "时间",
    "成本",
    "能耗",
    "损耗",
    "衰减",
    "漂移",
    "噪声",
    "延迟",
    "时延",
)

COUNT_UNITS = (
    "人次 项 套 个 种 台 册 部 次 人 份 条 型 类 家 例 篇 座 件 处 名 位 所 款 本 张 株 组 支 轮 期 届 场 门 "
    "批 颗 只 头 棵 辆 艘 架 栋 幅 首 章 节 倍 项次"
).split()
MEASURE_UNITS = (
    "元人民币 元 吨 千克 公斤 克 毫克 瓦时 千瓦时 兆瓦时 瓦 千瓦 兆瓦 摄氏度 度 分钟 秒 毫秒 小时 天 日 周 "
    "个月 月 年 米 千米 公里 平方公里 平方米 立方米 厘米 毫米 升 毫升 圈 亩 公顷 帕"
).split()
_CJK_UNIT_WORDS = sorted(set(COUNT_UNITS + MEASURE_UNITS), key=len, reverse=True)
_CJK_UNIT = r"(?:[万亿千百]?(?:" + "|".join(_CJK_UNIT_WORDS) + r"))"

# ASCII units written right after a number ("25%", "2.0wt%", "65°C", "1500SL/min", "63dB(A)").
_SYM = "A-Za-zμΩ°℃%‰"
_SUPS = "²³¹⁰⁴⁵⁶⁷⁸⁹⁻"
_ASCII_UNIT = rf"(?:[{_SYM}][{_SYM}{_SUPS}0-9·]*(?:\([A-Z]\))?)"
# After a space only well-known units count ("10 kW" yes, "10 IEEE" no).
_KNOWN_ASCII_UNITS = {
    "%",
    "‰",
    "°",
    "°C",
    "℃",
    "K",
    "m",
    "cm",
    "mm",
    "nm",
    "μm",
    "km",
    "kg",
    "g",
    "mg",
    "μg",
    "t",
    "L",
    "mL",
    "s",
    "ms",
    "min",
    "h",
    "d",
    "Hz",
    "kHz",
    "MHz",
    "GHz",
    "W",
    "kW",
    "MW",
    "GW",
    "Wh",
    "kWh",
    "MWh",
    "GWh",
    "V",
    "mV",
    "kV",
    "A",
    "mA",
    "μA",
    "nA",
    "Pa",
    "kPa",
    "MPa",
    "Mpa",
    "GPa",
    "bar",
    "mbar",
    "ppm",
    "ppb",
    "mol",
    "mmol",
    "dB",
    "J",
    "kJ",
    "MJ",
    "N",
    "kN",
    "Ω",
    "mΩ",
    "wt",
    "vol",
    "T",
    "TB",
    "GB",
    "PB",
}
_UNIT_TAIL_ASCII = rf"(?:/(?:{_CJK_UNIT}|[{_SYM}][{_SYM}{_SUPS}0-9·]*))"
UNIT_RE = re.compile(
    rf"(?:{_CJK_UNIT}(?:/(?:{_CJK_UNIT}|[{_SYM}][{_SYM}{_SUPS}0-9·]*))?"
    rf"|{_ASCII_UNIT}(?: [a-z]+·{_ASCII_UNIT})?{_UNIT_TAIL_ASCII}*)"
)

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
# A number: not glued to letters, a decimal point, a slash, a colon or a hyphen before it (BD100,
# GB/T20828-2017, IEC 61853-4:2018, 1/3); optionally negative and in scientific form (1×10⁻⁶).
NUMBER_RE = re.compile(
    r"(?<![A-Za-z0-9.:/_\-−+])(?P<sign>[-−](?=\d))?(?P<num>\d+(?:\.\d+)?)(?:×10(?P<exp>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?"
)
_COLON_NUMBER = re.compile(r"\s*[:：]\s*\d")
_GRID = re.compile(r"×\s*\d+(?:\.\d+)?")
_SECOND_NUMBER = re.compile(r"(?P<sign>[-−])?(?P<num>\d+(?:\.\d+)?)(?:×10(?P<exp>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?")
_BETWEEN = re.compile(r"\s*之间")
_LOOSE_SUFFIX = re.compile(rf"[{CJK_CHARS}]{{1,4}}?(及以上|或以上|以上)")
_BETTER_WINDOW = 64  # characters before 优于 looked at to tell an error-like subject
_MAX_DIGITS = 30  # longer digit runs are not measured values (and would not fit a float)
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Dashes separate a range only when written tight ("5-8人"); "1 万次 -40°C" is a negative number.
_RANGE_SEP = re.compile(r"\s*(?:~|～|至|到)\s*|[—–-]")
_CN_NUMBER_RE = re.compile(
    r"(?<![第统唯单之万千百零一二两三四五六七八九十])([一二两三四五六七八九十]{1,3})\s*"
    r"(个|项|套|种|款|台|次|部|册|份|类|家|篇|条|位|名)"
)

_OPEN = "（(【[《"
_CLOSE = "）)】]》"
_SENTENCE_SEPARATORS = "；;。\n"
_ITEM_MARKER = re.compile(r"[（(]\s*\d{1,2}\s*[）)]|(?<![\d.])\d{1,2}\s*[）)]|[①-⑳]")
_LEADING_MARKER = re.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}\s*[）)]|\d{1,2}[.、](?!\d)|[①-⑳])\s*")
_LABEL_PREFIX = re.compile(r"^\s*(?:考核指标|考核目标|主要指标|技术指标)\s*[：:]\s*")

_LEADING_CONNECTORS = sorted(
    (
        "包括但不限于 其中 并且 而且 以及 并 且 及 和 与 同 包括 实现 完成 达到 满足 具有 具备 合作 联合 "
        "形成 建立 构建 提出 开发 研发 研制 获得 申请 申报 制定 编制 培养 发现 揭示 召开 举办 提交 "
        "开展 取得 产生 发布 提供 须有 须 应 需 要求 使 确保 保证 通过 支撑 出版 在 验证 探索 识别 "
        "设计 建设"
    ).split(),
    key=len,
    reverse=True,
)
_LEADING_CONNECTORS_ANY = tuple(_LEADING_CONNECTORS)
_TRAILING_PARTICLES = ("的", "为", "均", "应", "须", "需", "达", "在", "是", "分别", "及", "和", "与", "可")
_KEEP_SUFFIXES = ("参与", "给与", "认可", "许可", "许可证")
_KEEP_PREFIXES = ("应对", "应用", "应急", "在线", "在研", "同类", "同步", "及时", "和谐", "与会")
_CONDITION_START = (
    "对",
    "在",
    "当",
    "经",
    "采用",
    "基于",
    "以",
    "按",
    "于",
    "针对",
    "相比",
    "与",
    "同",
    "较",
)
_CONDITION_END = ("下", "后", "时", "中", "前", "条件下", "情况下")
_STRIP_CHARS = " ，,、：:；;。．.“”\"'·-—~/"
_GROUP_LABEL = re.compile(rf"^[{CJK_CHARS}]{{2,10}}[：:]")
_REQUIREMENT_VERBS = tuple(
    (
        "应 须 需 必须 完成 建立 形成 开发 研发 研制 提出 召开 举办 获得 申请 申报 制定 编制 构建 实现 开展 提交 "
        "发布 培养 揭示 发现 合作 联合 具备 具有 取得 创制 出版 翻译 推广 参加 参与 主动 区分 核算 研究 构建 "
        "并 提供 满足 符合 覆盖 识别 评估 探索 验证 设计 建设 集成 组织 编写"
    ).split()
)


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    start: int  # where the comparator (or the number) starts: the subject ends here
    end: int  # end of number + unit (+ suffix)
    comparator: str
    value: float
    value_max: float | None
    unit: str | None
    tier: int  # 0 comparator, 1 range, 2 suffix, 3 bare count / change, 4 bare measure, 5 chinese numeral
    in_parens: bool

    @property
    def measurable(self) -> bool:
        return self.tier <= 3


def _paren_depths(text: str) -> list[int]:
    depths = []
    depth = 0
    for char in text:
        if char in _CLOSE:
            depth = max(0, depth - 1)
        depths.append(depth)
        if char in _OPEN:
            depth += 1
    return depths


def _to_float(match: re.Match) -> float | None:
    """The number matched, or None when it is not a usable finite value (``9…9`` beyond a double,
    ``1×10⁻⁹⁹⁹``): such a number is no indicator value."""
    number = match.group("num")
    if len(number) > _MAX_DIGITS:
        return None
    exponent = 0
    if match.group("exp"):
        digits = match.group("exp").translate(_SUPERSCRIPT_DIGITS)
        if len(digits.lstrip("+-")) > 3:
            return None
        exponent = int(digits)
    value = float(f"{number}e{exponent}")
    if not math.isfinite(value) or (value == 0 and float(number) != 0):
        return None
    return -value if match.group("sign") else value


def _clean_float(value: float) -> float:
    return float(round(value, 12)) if abs(value) >= 1e-6 else value


def _read_unit(text: str, pos: int) -> tuple[str | None, int]:
    """The unit starting at ``pos`` (one optional space before it), and the position after it."""
    if pos < len(text) and text[pos] == "±":  # 1.30±0.01mm: the unit follows the tolerance
        tolerance = _PLAIN_NUMBER.match(text, pos + 1)
        if tolerance is not None:
            pos = tolerance.end()
    spaced = pos < len(text) and text[pos] == " "
    start = pos + 1 if spaced else pos
    match = UNIT_RE.match(text, start)
    if not match:
        return None, pos
    unit = match.group(0).rstrip("/·")
    if spaced and not re.match(rf"[{CJK_CHARS}]", unit):
        head = re.split(r"[/·]", unit)[0]
        if head not in _KNOWN_ASCII_UNITS:
            return None, pos
    return unit, start + len(unit)


def _comparator_before(text: str, pos: int) -> tuple[str | None, int]:
    """A comparator ending right before ``pos`` (spaces and a ± allowed in between)."""
    i = pos
    while i > 0 and text[i - 1] in " ±":
        i -= 1
    for symbol in (">=", "<=", "≥", "≤", ">", "<", "="):
        if text.endswith(symbol, 0, i):
            return SYMBOL_COMPARATORS[symbol], i - len(symbol)
    for word in _WORDS_BY_LENGTH:
        if text.endswith(word, 0, i):
            return WORD_COMPARATORS[word], i - len(word)
    return None, pos


def _change_verb_before(text: str, pos: int) -> bool:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return text.endswith(CHANGE_VERBS, 0, pos)


def _is_year(value: float, unit: str | None) -> bool:
    return value == int(value) and 1900 <= value <= 2100 and unit in (None, "年", "年度")


def _candidates(text: str) -> list[_Candidate]:
    depths = _paren_depths(text)
    found: list[_Candidate] = []
    consumed_until = -1
    for match in NUMBER_RE.finditer(text):
        if match.start() < consumed_until:
            continue
        after = match.end()
        if _COLON_NUMBER.match(text, after):  # ratios and norm numbers: 1:5 万, 61853-4:2018
            continue
        value = _to_float(match)
        if value is None:
            continue
        unit, pos = _read_unit(text, after)
        grid = _GRID.match(text, pos)
        if grid:  # 0.25°×0.31°: a grid size, not one value
            _, consumed_until = _read_unit(text, grid.end())
            continue
        # Range: N[unit] ~ M unit
        sep = _RANGE_SEP.match(text, pos)
        if sep:
            second = _SECOND_NUMBER.match(text, sep.end())
            if second:
                second_end = second.end()
                unit2, pos2 = _read_unit(text, second_end)
                if unit2 or unit or sep.group(0).strip() in ("~", "～", "至", "到"):
                    if not (_COLON_NUMBER.match(text, second_end) and not unit2):
                        low, high = value, _to_float(second)
                        if high is None:
                            consumed_until = pos2
                            continue
                        range_unit = unit2 or unit
                        if not (_is_year(low, range_unit) and _is_year(high, range_unit)):
                            comp_start = match.start()
                            suffix = _BETWEEN.match(text, pos2)
                            end = suffix.end() if suffix else pos2
                            found.append(
                                _Candidate(
                                    comp_start,
                                    end,
                                    "range",
                                    _clean_float(min(low, high)),
                                    _clean_float(max(low, high)),
                                    range_unit,
                                    1,
                                    depths[match.start()] > 0,
                                )
                            )
                        consumed_until = pos2
                        continue
        if _is_year(value, unit):
            continue
        comparator, comp_start = _comparator_before(text, match.start())
        suffix = _SUFFIX_RE.match(text, pos)
        suffix_comparator = SUFFIX_COMPARATORS[suffix.group(1)] if suffix else None
        end = suffix.end() if suffix else pos
        if suffix is None and unit in COUNT_UNITS:
            # 10 个要素以上 / 6 个国家以上: the suffix may follow a short noun.
            loose = _LOOSE_SUFFIX.match(text, pos)
            if loose:
                suffix_comparator = SUFFIX_COMPARATORS[loose.group(1)]
                end = loose.end()
        in_parens = depths[match.start()] > 0
        if comparator is not None:
            if comparator == ">=" and text[comp_start : comp_start + 2] == "达到" and suffix_comparator:
                comparator = suffix_comparator
            if comparator == "better":
                subject = _subject_before(text, comp_start, limit=_BETTER_WINDOW)
                comparator = "<" if subject.endswith(_SMALLER_IS_BETTER) else ">"
            found.append(
                _Candidate(comp_start, end, comparator, _clean_float(value), None, unit, 0, in_parens)
            )
        elif suffix_comparator is not None:
            found.append(
                _Candidate(
                    match.start(), end, suffix_comparator, _clean_float(value), None, unit, 2, in_parens
                )
            )
        elif unit is not None:
            tier = 3 if unit in COUNT_UNITS or _change_verb_before(text, match.start()) else 4
            found.append(
                _Candidate(match.start(), pos, "=", _clean_float(value), None, unit, tier, in_parens)
            )
    if not found:
        for match in _CN_NUMBER_RE.finditer(text):
            value = chinese_number(match.group(1))
            if value is None:
                continue
            pos = match.end()
            suffix = _SUFFIX_RE.match(text, pos)
            before, start = _comparator_before(text, match.start())
            if before in (None, "better"):
                before, start = None, match.start()
            comparator = before or (SUFFIX_COMPARATORS[suffix.group(1)] if suffix else "=")
            end = suffix.end() if suffix else pos
            found.append(
                _Candidate(
                    start, end, comparator, float(value), None, match.group(2), 5, depths[match.start()] > 0
                )
            )
    return found


def _best(candidates: list[_Candidate]) -> _Candidate | None:
    if not candidates:
        return None
    return min(candidates, key=lambda c: (not c.measurable, c.in_parens, c.tier, c.start))


# ---------------------------------------------------------------------------
# Subjects
# ---------------------------------------------------------------------------


def _subject_before(text: str, end: int, limit: int | None = None) -> str:
    """The clause right before ``end``: after the last separator or unclosed parenthesis.

    With ``limit``, at most that many characters are looked at (enough to test how the clause ends,
    and it keeps a long text with many comparators linear).
    """
    depth = 0
    start = 0 if limit is None else max(0, end - limit)
    for i in range(end - 1, start - 1, -1):
        char = text[i]
        if char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            if depth == 0:
                start = i + 1
                break
            depth -= 1
        elif depth == 0 and char in "，,：:；;。":
            start = i + 1
            break
    return text[start:end].strip()


_LEADING_CONDITION = re.compile(r"^(?:在|于|当)[^，,：:]{1,24}?(?:条件下|情况下|下|时|中|后)的?")


def _trim_subject(subject: str) -> str:
    subject = subject.strip(_STRIP_CHARS)
    subject = _LEADING_MARKER.sub("", subject)
    without_condition = _LEADING_CONDITION.sub("", subject)
    if without_condition.strip(_STRIP_CHARS):
        subject = without_condition.strip(_STRIP_CHARS)
    changed = True
    while changed and subject:
        changed = False
        # the first connector (longest first) the subject starts with is cut; the test of the whole
        # tuple first, as most subjects start with none
        if subject.startswith(_LEADING_CONNECTORS_ANY) and not subject.startswith(_KEEP_PREFIXES):
            word = next(w for w in _LEADING_CONNECTORS if subject.startswith(w))
            subject = subject[len(word) :].lstrip(_STRIP_CHARS)
            changed = True
        if subject.endswith(_TRAILING_PARTICLES) and not subject.endswith(_KEEP_SUFFIXES):
            for word in _TRAILING_PARTICLES:
                if subject.endswith(word) and len(subject) > len(word):
                    subject = subject[: -len(word)].rstrip(_STRIP_CHARS)
                    changed = True
                    break
    return _strip_unbalanced(subject.strip(_STRIP_CHARS).lstrip("的"))


def _strip_unbalanced(subject: str) -> str:
    """Drop a bracket left open or closed by the cut ("标准（送审稿）" stays whole)."""
    subject = subject.strip()
    while subject and subject[-1] in _OPEN:
        subject = subject[:-1].rstrip()
    while subject and subject[0] in _CLOSE:
        subject = subject[1:].lstrip()
    opened = sum(subject.count(c) for c in _OPEN)
    closed = sum(subject.count(c) for c in _CLOSE)
    if closed > opened and subject and subject[-1] in _CLOSE:
        subject = subject[:-1].rstrip()
    if opened > closed and subject and subject[0] in _OPEN:
        subject = subject[1:].lstrip()
    return subject


def _subject_after(text: str, start: int) -> str:
    tail = text[start:]
    cut = re.search(r"[，,：:；;。（(]", tail)
    tail = tail[: cut.start()] if cut else tail
    tail = tail.strip(_STRIP_CHARS)
    if tail.startswith("的"):
        tail = tail[1:]
    return _trim_subject(tail)


def _subject(text: str, candidate: _Candidate) -> str | None:
    subject = _trim_subject(_subject_before(text, candidate.start))
    if len(subject) < 2:
        subject = _subject_after(text, candidate.end) or subject
    return subject or None


# ---------------------------------------------------------------------------
# Splitting
# ---------------------------------------------------------------------------


def _split_items(sentence: str) -> list[str]:
    """Split ``……：（1）……（2）……`` at numbered markers that follow a colon or start the text."""
    cuts = [0]
    for match in _ITEM_MARKER.finditer(sentence):
        before = sentence[: match.start()].rstrip()
        if match.start() > 0 and before and before[-1] in "：:；;。，,":
            cuts.append(match.start())
    cuts.append(len(sentence))
    return [sentence[a:b].strip() for a, b in zip(cuts, cuts[1:], strict=False) if sentence[a:b].strip()]


def _clean_piece(piece: str) -> str:
    piece = _LEADING_MARKER.sub("", piece, count=1)
    return piece.strip(" ，,；;。：:")


def _is_condition(part: str) -> bool:
    part = _GROUP_LABEL.sub("", part)
    return part.startswith(_CONDITION_START) or part.endswith(_CONDITION_END)


def _starts_with_verb(part: str) -> bool:
    return _GROUP_LABEL.sub("", part).startswith(_REQUIREMENT_VERBS)


def _split_commas(item: str) -> list[str]:
    """Split at top-level commas when at least two parts carry their own measurable value."""
    parts = split_top_level(item, "，,")
    if len(parts) < 2:
        return [item]
    measurable = [any(c.measurable and not c.in_parens for c in _candidates(part)) for part in parts]
    if sum(measurable) < 2:
        return [item]
    groups: list[list[str]] = []
    pending: list[str] = []
    for part, is_measurable in zip(parts, measurable, strict=True):
        if is_measurable:
            groups.append([*pending, part])
            pending = []
        elif _is_condition(part) or not _starts_with_verb(part):
            pending.append(part)  # a condition or topic of the next measurable part
        else:
            groups.append([part])  # a qualitative requirement of its own
    if pending:
        groups.append(pending)  # trailing qualitative parts stay together
    return ["，".join(group) for group in groups]


def _is_group_heading(line: str) -> bool:
    """``(1) 催化剂载体``: a numbered heading over the following lines, not an indicator itself."""
    if not _LEADING_MARKER.match(line):
        return False
    body = _clean_piece(line)
    return (
        0 < len(body) <= 30
        and not re.search(r"[\d；;。，,：:]", body)
        and line.rstrip()[-1] not in "。；;：:"
        and not _candidates(body)
    )


def split_indicators(indicators_text: str) -> list[str]:
    """Split 考核指标 text into one string per indicator.

    Splits at ``；`` ``;`` ``。`` and line breaks, at numbered sub-items (``（1）``), and inside an item at
    ``，`` when each part carries its own value ("氧浓度 ≥25%，燃尽度 ≥90%" gives two).  Text inside
    parentheses is never split.
    """
    lines = [normalize_inline(line) for line in indicators_text.split("\n")]
    lines = [_LABEL_PREFIX.sub("", line) for line in lines if line.strip()]
    pieces: list[str] = []
    for index, line in enumerate(lines):
        if index < len(lines) - 1 and _is_group_heading(line):
            continue
        for sentence in split_top_level(line, _SENTENCE_SEPARATORS):
            for item in _split_items(sentence):
                item = _clean_piece(item)
                if not item:
                    continue
                for piece in _split_commas(item):
                    piece = _clean_piece(piece)
                    if piece:
                        pieces.append(piece)
    return pieces


# ---------------------------------------------------------------------------
# Public parsing
# ---------------------------------------------------------------------------


def parse_indicator(text: str, position: int = 0) -> Indicator:
    """Parse one indicator (a piece from :func:`split_indicators`, or any short text)."""
    text = _clean_piece(normalize_inline(text))
    candidates = _candidates(text)
    # "固体储氢材料：储氢容量 ≥2.0wt%": prefer the clause after the last top-level colon.
    colon = _last_top_level(text, "：:")
    if colon is not None:
        after = [c for c in candidates if c.start > colon]
        if after:
            candidates = after
    best = _best(candidates)
    if best is None:
        return Indicator(position=position, text=text)
    return Indicator(
        position=position,
        text=text,
        subject=_subject(text, best),
        comparator=best.comparator,
        value=best.value,
        value_max=best.value_max,
        unit=best.unit,
    )


def _last_top_level(text: str, chars: str) -> int | None:
    depths = _paren_depths(text)
    positions = [i for i, char in enumerate(text) if char in chars and depths[i] == 0]
    return positions[-1] if positions else None


def parse_indicators(indicators_text: str) -> list[Indicator]:
    """Split and parse 考核指标 text; positions count from 0 in reading order."""
    return [
        parse_indicator(piece, position) for position, piece in enumerate(split_indicators(indicators_text))
    ]
