"""The guide's conditions as data with scopes, read from the phrasings the family's guides use, and the
one pure function that says which of them apply to a proposal.

A :class:`Condition` is a parameter (:data:`PARAMETERS`), a value, the sentence and place it was read
from, and a :class:`Scope`: the whole call, a project type (as the guide names it: "青年科学家项目",
"基础研究类"), one direction, and a qualifier on the PI's gender. :func:`read_conditions` reads them from
the general part and the formal-review section of a guide (each clause of a sentence separately, the
scope from the project types and gender words before the value); :func:`resolve` picks, for one
proposal (its direction, the direction's types, the PI's gender), the condition of each parameter that
applies — the most specific scope wins (direction, then type, then the call) — and says why when it
cannot; :func:`review_notices` lists what an officer must settle before a version is trusted: values the
family normally states and this guide does not (warnings), and a parameter stated with different values
in scopes that cannot be told apart (errors, which block publishing).

Plain Python, no Django. Nothing here names a year, a program or a guide's values: the only words are
the phrasings (项目负责人……以后出生, 参与单位总数不超过 N 家, 其他经费……与中央财政经费比例不低于 N:M …).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .numerals import to_int
from .types import NO_SOURCE, Block, Source

# --- parameters -----------------------------------------------------------------------------------

DATE = "date"
COUNT = "count"
BOOL = "bool"
RATIO = "ratio"
RANGE = "range"  # [min, max]

# name → kind.  The order is the display order.
PARAMETERS: dict[str, str] = {
    "pi_born_on_or_after": DATE,
    "task_lead_born_on_or_after": DATE,
    "unit_registered_by": DATE,
    "max_units": COUNT,  # 项目参与单位总数 (every unit, the lead included)
    "max_domestic_units": COUNT,  # 中方参与单位总数
    "min_foreign_units": COUNT,
    "max_duration_years": COUNT,
    "subtasks_allowed": BOOL,
    "max_subtasks": COUNT,
    "matching_ratio": RATIO,  # 配套（其他）经费 : 国拨（中央财政）经费
    "projects_supported": RANGE,  # projects per direction
}

# What the family's guides normally state: a guide that states none of a group gets a warning, and
# screening does not check it until an officer enters the value or confirms the guide sets none.
EXPECTED: tuple[tuple[str, ...], ...] = (
    ("pi_born_on_or_after",),
    ("unit_registered_by",),
    ("max_units", "max_domestic_units"),
    ("min_foreign_units",),
    ("max_duration_years",),
    ("subtasks_allowed", "max_subtasks"),
)  # projects per direction: ParsedGuide.projects_per_direction, warned about by the parser

# States of a condition.
STATED = "stated"  # read from the guide (or entered by an officer)
MISSING = "missing"  # expected, not found: nobody has said what the guide sets
ABSENT = "absent"  # an officer confirmed the guide sets no such condition
IGNORED = "ignored"  # an officer set this reading aside (e.g. one of two conflicting values)
STATES = (STATED, MISSING, ABSENT, IGNORED)

MALE = "male"
FEMALE = "female"
GENDERS = (MALE, FEMALE)


@dataclass(frozen=True)
class Scope:
    """Where a condition applies: ``project_type`` (a type as the guide names it), ``direction`` (a code)
    and ``gender`` (of the PI; ``"male"``/``"female"``); ``None`` in each = no restriction."""

    project_type: str | None = None
    direction: str | None = None
    gender: str | None = None

    @property
    def level(self) -> int:
        """2 for a direction, 1 for a project type, 0 for the call (the gender only qualifies)."""
        return 2 if self.direction else 1 if self.project_type else 0

    def applies(self, *, direction: str | None, types: Sequence[str], gender: str | None) -> bool:
        """Whether it covers a proposal; a gender qualifier covers an unknown gender (resolve decides)."""
        if self.direction and self.direction != direction:
            return False
        if self.project_type and self.project_type not in types:
            return False
        return not (self.gender and gender and self.gender != gender)

    def key(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("type", self.project_type),
                ("direction", self.direction),
                ("gender", self.gender),
            )
            if value
        ]
        return ",".join(parts)

    def to_json(self) -> dict:
        return {"project_type": self.project_type, "direction": self.direction, "gender": self.gender}

    @classmethod
    def from_json(cls, data: dict | None) -> Scope:
        data = data or {}
        return cls(
            data.get("project_type") or None, data.get("direction") or None, data.get("gender") or None
        )


CALL = Scope()


@dataclass(frozen=True)
class Condition:
    """One condition: ``key`` names it stably (corrections address it), ``value`` as JSON (ISO date,
    int, float, bool, [min, max]) or None, ``text`` the clause it was read from."""

    key: str
    parameter: str
    value: Any
    scope: Scope = CALL
    state: str = STATED
    text: str = ""
    source: Source = NO_SOURCE

    @property
    def effective_state(self) -> str:
        """An officer who enters a value for a missing condition states it."""
        if self.state == MISSING and self.value is not None:
            return STATED
        return self.state

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "parameter": self.parameter,
            "value": self.value,
            "scope": self.scope.to_json(),
            "state": self.state,
            "text": self.text,
            "source": self.source.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict) -> Condition:
        return cls(
            key=str(data["key"]),
            parameter=str(data["parameter"]),
            value=data.get("value"),
            scope=Scope.from_json(data.get("scope")),
            state=data.get("state") or STATED,
            text=data.get("text") or "",
            source=Source.from_json(data.get("source")),
        )


def value_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- reading --------------------------------------------------------------------------------------


def compact(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) without any whitespace: PDF spacing such as
    "项 目 实 施 周 期 3 – 4 年" reads as "项目实施周期3–4年"."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_N = r"(\d{1,6}|[一二两三四五六七八九十]{1,3})"
_DASH = r"[~\-–—〜至到]"  # NFKC leaves the wave dash 〜 (U+301C) as it is
_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_AT_MOST = r"(?:不超过|不多于|不得超过|最多|至多|原则上不超过|一般不超过|上限为)"

RE_BIRTH = re.compile(_DATE + r"(?:\(含\))?(?:及|或)?(?:以后|之后|后)(?:\(含\))?出生")
RE_REGISTERED = (
    re.compile(
        r"注册(?:成立)?(?:时间|日期)?(?:应|须)?(?:在|为|于)?" + _DATE + r"(?:\(含\))?(?:前|之前|以前)"
    ),
    # 应在 2022 年 6 月 30 日前注册成立
    re.compile(r"(?:应|须|需)?(?:在|于)" + _DATE + r"(?:\(含\))?(?:前|之前|以前)(?:完成)?(?:登记)?注册"),
)
# A parenthesis after the subject: 项目参与单位总数（含牵头单位）不超过 6 家
_ASIDE = r"(?:\([^()]{0,12}\))?"
RE_DOMESTIC_UNITS = re.compile(
    r"中方(?:参与|参研|参加)?单位(?:总数)?" + _ASIDE + r"[^,;\d]{0,6}?" + _AT_MOST + _N + r"[家个]"
)
RE_UNITS = re.compile(
    r"(?<!中方)(?<!外)(?:参与|参研|参加)单位(?:总数|数量|数)?"
    + _ASIDE
    + r"[^,;\d]{0,6}?"
    + _AT_MOST
    + _N
    + r"[家个]"
)
RE_FOREIGN_UNITS = (
    re.compile(
        r"(?:须|应|需|必须)?有" + _N + r"(?:个|家)(?:\((?:或|及)?以上\)|(?:或|及)?以上)?(?:的)?"
        r"(?:国\(境\)外|境外|国外|外方)(?:参与|合作)?单位"
    ),
    re.compile(
        r"(?:国\(境\)外|境外|国外|外方)(?:参与|合作)?单位(?:总数|数量)?(?:应|须)?(?:不少于|至少|不低于)"
        + _N
        + r"[家个]"
    ),
)
RE_DURATION = re.compile(
    r"(?:实施周期|执行期|执行周期|实施期|研究周期|项目周期)(?:限|一般|原则上)?(?:为|不超过|不得超过|不多于|最长|最长为|一般为|原则上为)?"
    r"(?:" + _N + _DASH + r")?" + _N + r"年"
)
# 执行期一般为 3 年，最长不超过 4 年: the upper bound right after a duration
RE_DURATION_MAX = re.compile(r",?(?:最长|最多)(?:不超过|不得超过|可为|为)?" + _N + r"年")
RE_NO_SUBTASKS = re.compile(r"不(?:再)?(?:下设|设)(?:任务|课题)")
RE_MAX_SUBTASKS = re.compile(
    r"(?:下设(?:课题|任务)(?:数|数量|总数)?|(?:课题|任务)(?:数|数量|总数))" + _AT_MOST + _N + r"个"
)
RE_SUBTASKS = re.compile(r"(?:可|可以)下设(?:任务|课题)")
RE_PROJECTS = (
    re.compile(r"拟支持项目数(?:原则上|原则)?(?:为)?" + _N + r"(?:" + _DASH + _N + r")?(?:个)?项"),
    re.compile(r"原则上(?:只|仅)?支持" + _N + r"(?:个)?项"),
    re.compile(r"拟支持" + _N + r"(?:" + _DASH + _N + r")?个项目"),  # 每个方向拟支持 1~2 个项目
)
RE_PROJECTS_MAX = re.compile(r"(?:可|允许)(?:同时)?支持" + _N + r"(?:个)?项")
# 配套经费与国拨经费的比例不低于 2:1; 其他经费（包括地方财政经费……）与中央财政经费比例不低于 1:1, read by
# :func:`find_ratio` in linear time (a regular expression with two lazy gaps backtracks cubically over a
# repeated phrase).
_RATIO_SUBJECT = re.compile(r"配套(?:经费|资金)|其他(?:经费|资金)|自筹(?:经费|资金)")
_RATIO_WORD = "比例"
_RATIO_DIGIT = re.compile(r"\d")
_RATIO_NUMBERS = re.compile(r"(\d{1,9}(?:\.\d{1,9})?)\s*[:：∶比]\s*(\d{1,9}(?:\.\d{1,9})?)(?!\d)")
_RATIO_SENTENCE = re.compile(r"[^。；;]+")

# Project types in a guide's text: "X类项目" / "X类和Y类项目" and the family's young-scientist projects.
RE_TYPE_MENTION = re.compile(
    r"[\u4e00-\u9fff]{2,10}类(?=(?:和|、|及|与)?[\u4e00-\u9fff]{0,12}项目)|青年科学家项目"
)
# A tag after a direction's title: （基础研究类） （应用示范类，部省联动任务） （青年科学家项目）
RE_TITLE_TAG = re.compile(r"[（(]([^（）()]{2,40})[）)]\s*$")
RE_TYPE_TAG = re.compile(r"^[\u4e00-\u9fff]{2,12}(?:类|项目|任务)$")
RE_GENDER = re.compile(r"男性|女性|男(?=[,，性]|应|须)|女(?=[,，性]|应|须)")
_CLAUSE = re.compile(r"[^;。]+")


def find_ratio(text: str) -> tuple[int, int, str, str] | None:
    """(start of its subject, end, N, M) of the first “配套经费……比例……N:M” in one sentence, or None.

    Within a sentence, after the first 配套经费/配套资金, each 比例 is tried in order: the first digits
    after it (with no sentence break between) must read ``N:M`` (or ``N比M``).  Each run of digits is
    tried once, so the work is linear in the length of the text.  Numbers longer than 9 digits are
    not ratios.
    """
    for sentence in _RATIO_SENTENCE.finditer(text):
        subject = _RATIO_SUBJECT.search(text, sentence.start(), sentence.end())
        if subject is None:
            continue
        tried: set[int] = set()
        position = subject.end()
        while True:
            word = text.find(_RATIO_WORD, position, sentence.end())
            if word < 0:
                break
            position = word + len(_RATIO_WORD)
            digit = _RATIO_DIGIT.search(text, position, sentence.end())
            if digit is None:
                break
            if digit.start() in tried:
                continue
            tried.add(digit.start())
            numbers = _RATIO_NUMBERS.match(text, digit.start(), sentence.end())
            if numbers is not None:
                return subject.start(), numbers.end(), numbers.group(1), numbers.group(2)
    return None


def matching_ratio(text: str) -> float | None:
    """配套经费与国拨经费的比例不低于 2:1 → 2.0."""
    found = find_ratio(text)
    if found is None:
        return None
    numerator, denominator = float(found[2]), float(found[3])
    if denominator == 0:
        return None
    return round(numerator / denominator, 4)


def title_tags(title: str) -> tuple[str, list[str]]:
    """A direction title without its trailing type tag, and the tag's types: "……研究（应用示范类，部省联动任务）"
    → ("……研究", ["应用示范类", "部省联动任务"]). A parenthesis that is not a type tag stays in the title."""
    match = RE_TITLE_TAG.search(title)
    if not match:
        return title, []
    parts = [p.strip() for p in re.split(r"[，,、]", match.group(1)) if p.strip()]
    if not parts or not all(RE_TYPE_TAG.match(p) for p in parts):
        return title, []
    return title[: match.start()].rstrip(), parts


def type_stem(name: str) -> str:
    """ "青年科学家项目" → "青年科学家", "基础研究类" stays: how a type is found in running text."""
    return name[: -len("项目")] if name.endswith("项目") and len(name) > 4 else name


def _types_in(text: str, vocabulary: Sequence[str]) -> list[tuple[int, str]]:
    """(position, type) of each type mentioned in ``text``: the guide's own tags, and X类项目 phrasings."""
    found: dict[int, str] = {}
    for name in vocabulary:
        stem = type_stem(compact(name))
        for match in re.finditer(re.escape(stem), text):
            found.setdefault(match.start(), name)
    for match in RE_TYPE_MENTION.finditer(text):
        mention = match.group(0)
        known = next((n for n in vocabulary if type_stem(compact(n)) == type_stem(mention)), None)
        overlaps = any(
            p < match.end() and match.start() < p + len(type_stem(compact(n))) for p, n in found.items()
        )
        if known is None and not overlaps:
            found.setdefault(match.start(), mention)
    return sorted(found.items())


def _scope_types(clause: str, position: int, vocabulary: Sequence[str]) -> list[str]:
    """The types a value at ``position`` in the clause is about: the last run of type mentions before it
    ("共性关键技术类和应用示范类项目……不超过 10 家" → both)."""
    mentions = [(p, n) for p, n in _types_in(clause, vocabulary) if p < position]
    if not mentions:
        return []
    run = [mentions[-1]]
    for previous in reversed(mentions[:-1]):
        gap = clause[previous[0] + len(type_stem(previous[1])) : run[0][0]]
        if len(gap) <= 3:  # "和", "、", "类和"
            run.insert(0, previous)
        else:
            break
    return list(dict.fromkeys(n for _, n in run))


def _gender(clause: str, start: int, position: int) -> str | None:
    words = [m.group(0) for m in RE_GENDER.finditer(clause, start, position)]
    if not words:
        return None
    return MALE if words[-1].startswith("男") else FEMALE


@dataclass
class _Reading:
    parameter: str
    value: Any
    position: int  # in the clause
    end: int


def _count(token: str) -> int | None:
    return to_int(token)


def _clause_readings(clause: str) -> list[_Reading]:
    """Every value of a parameter in one clause (compacted text), in order of position."""
    readings: list[_Reading] = []

    def add(parameter: str, value: Any, match: re.Match) -> None:
        if value is not None:
            readings.append(_Reading(parameter, value, match.start(), match.end()))

    for match in RE_BIRTH.finditer(clause):
        try:
            born = date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
        except ValueError:
            continue
        before = clause[: match.start()]
        subject = before[max(before.rfind("负责人") - 12, 0) :] if "负责人" in before else before
        # 项目负责人, 项目(课题)负责人, 项目及课题负责人, 项目和任务负责人
        project = (
            re.search(r"项目(?:\((?:课题|任务)\)|(?:及|和|与|、)(?:课题|任务))?负责人", subject) is not None
        )
        task = re.search(r"(?:课题|任务)负责人|\((?:课题|任务)\)负责人", subject) is not None
        if task and not project:
            add("task_lead_born_on_or_after", born, match)
        else:
            add("pi_born_on_or_after", born, match)
            if task:
                add("task_lead_born_on_or_after", born, match)
    for pattern in RE_REGISTERED:
        for match in pattern.finditer(clause):
            try:
                registered = date(*(int(match.group(i)) for i in (1, 2, 3))).isoformat()
            except ValueError:
                continue
            add("unit_registered_by", registered, match)
    for match in RE_DOMESTIC_UNITS.finditer(clause):
        add("max_domestic_units", _count(match.group(1)), match)
    for match in RE_UNITS.finditer(clause):
        if clause[max(0, match.start() - 3) : match.start()].endswith(("国(境)外", "境外", "国外", "外方")):
            continue
        add("max_units", _count(match.group(1)), match)
    for pattern in RE_FOREIGN_UNITS:
        for match in pattern.finditer(clause):
            add("min_foreign_units", _count(match.group(1)), match)
    for match in RE_DURATION.finditer(clause):
        high = _count(match.group(2))  # a range "3~4 年" is at most its upper bound
        longest = RE_DURATION_MAX.match(clause, match.end())
        if longest is not None and high is not None:
            high = max(high, _count(longest.group(1)) or 0)
        add("max_duration_years", high, match)
    for match in RE_NO_SUBTASKS.finditer(clause):
        add("subtasks_allowed", False, match)
    for match in RE_MAX_SUBTASKS.finditer(clause):
        count = _count(match.group(1))
        add("max_subtasks", count, match)
        if count:
            add("subtasks_allowed", True, match)
    if not any(r.parameter == "subtasks_allowed" for r in readings):
        for match in RE_SUBTASKS.finditer(clause):
            add("subtasks_allowed", True, match)
    for pattern in RE_PROJECTS:
        for match in pattern.finditer(clause):
            low = _count(match.group(1))
            high = (
                _count(match.group(2)) if match.lastindex and match.lastindex >= 2 and match.group(2) else low
            )
            extra = RE_PROJECTS_MAX.search(clause, match.end())
            if extra is not None:
                high = max(high or 0, _count(extra.group(1)) or 0)
            if low is not None and high is not None:
                add("projects_supported", [min(low, high), max(low, high)], match)
    offset = 0
    while (ratio := find_ratio(clause[offset:])) is not None:  # "基础研究类……1:1，应用示范类……2:1"
        start, end, numerator, denominator = ratio
        if float(denominator):
            value = round(float(numerator) / float(denominator), 4)
            readings.append(_Reading("matching_ratio", value, offset + start, offset + end))
        offset += end
    readings.sort(key=lambda r: (r.position, r.parameter))
    return readings


def projects_supported(text: str) -> tuple[int, int] | None:
    """The first projects-per-direction range stated in ``text``."""
    for clause in _CLAUSE.finditer(compact(text)):
        for reading in _clause_readings(clause.group(0)):
            if reading.parameter == "projects_supported":
                low, high = reading.value
                return (low, high)
    return None


def read_conditions(
    blocks: Iterable[Block], *, types: Sequence[str] = (), direction: str | None = None
) -> list[tuple[Condition, Block]]:
    """The conditions stated in ``blocks`` (keys not yet assigned: see :func:`assign_keys`), each with the
    block it was read from. ``types`` are the guide's project types (from its directions' tags);
    ``direction`` scopes everything read to one direction (its own 其他要求 and 有关说明)."""
    found: list[tuple[Condition, Block]] = []
    for block in blocks:
        text = compact(block.text)
        carried: list[str] = []  # the types of the clause before, within one sentence (up to "。")
        for clause_match in _CLAUSE.finditer(text):
            clause = clause_match.group(0)
            own = _scope_types(clause, len(clause), types)
            # "青年科学家项目……男性应为……；女性应为……": a clause that opens with a gender and names no
            # type of its own is about the types of the clause before it
            inherited = carried if not own and RE_GENDER.match(clause) else []
            ends_sentence = text[clause_match.end() : clause_match.end() + 1] != ";"
            carried = [] if ends_sentence else (own or inherited)
            previous_end = 0
            for reading in _clause_readings(clause):
                scope_types = (
                    [] if direction else (_scope_types(clause, reading.position, types) or inherited)
                )
                gender = (
                    _gender(clause, previous_end, reading.position)
                    if reading.parameter.endswith("born_on_or_after")
                    else None
                )
                previous_end = max(previous_end, reading.end)
                for project_type in scope_types or [None]:
                    scope = Scope(project_type, direction, gender)
                    condition = Condition(
                        key="",
                        parameter=reading.parameter,
                        value=reading.value,
                        scope=scope,
                        text=clause,
                        source=_clause_source(block, text, clause_match.start(), clause_match.end()),
                    )
                    found.append((condition, block))
    return _deduplicated(found)


def _clause_source(block: Block, compacted: str, start: int, end: int) -> Source:
    if not block.text:
        return block.source
    scale = len(block.text) / max(len(compacted), 1)
    return block.span_source(int(start * scale), int(end * scale) + 1)


def _deduplicated(found: list[tuple[Condition, Block]]) -> list[tuple[Condition, Block]]:
    """The same value of a parameter in the same scope said twice (the general part and the formal
    review) is one condition, read where it was first said."""
    seen: set[tuple] = set()
    result = []
    for condition, block in found:
        marker = (condition.parameter, condition.scope, _hashable(condition.value))
        if marker in seen:
            continue
        seen.add(marker)
        result.append((condition, block))
    return result


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def assign_keys(conditions: Iterable[Condition], *, reserved: Iterable[str] = ()) -> list[Condition]:
    """Stable keys: the parameter, then the scope ("max_units@type=基础研究类"), then "#2" … for a
    second value in the same scope. A call-wide condition's key is its parameter's name (``reserved``:
    keys already taken, by the call-wide values held elsewhere)."""
    result = []
    used: dict[str, int] = {key: 1 for key in reserved}
    for condition in conditions:
        scope = condition.scope.key()
        base = f"{condition.parameter}@{scope}" if scope else condition.parameter
        used[base] = used.get(base, 0) + 1
        key = base if used[base] == 1 else f"{base}#{used[base]}"
        result.append(replace(condition, key=key))
    return result


def missing_conditions(conditions: Sequence[Condition]) -> list[Condition]:
    """A call-wide MISSING placeholder for each expected group this guide states nothing of (the first
    parameter of the group): an officer enters its value or confirms the guide sets none."""
    stated = {c.parameter for c in conditions}
    return [
        Condition(key=group[0], parameter=group[0], value=None, state=MISSING)
        for group in EXPECTED
        if not stated.intersection(group)
    ]


# --- problems an officer must settle -----------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A parameter with different values in scopes that cannot be told apart."""

    parameter: str
    scope: Scope
    keys: tuple[str, ...]
    values: tuple


def conflicts(conditions: Iterable[Condition]) -> list[Conflict]:
    """Stated conditions of the same parameter and the same scope with different values."""
    groups: dict[tuple[str, Scope], list[Condition]] = {}
    for condition in conditions:
        if condition.effective_state != STATED:
            continue
        groups.setdefault((condition.parameter, condition.scope), []).append(condition)
    result = []
    for (parameter, scope), group in groups.items():
        values = list(dict.fromkeys(_hashable(c.value) for c in group))
        if len(values) > 1:
            result.append(Conflict(parameter, scope, tuple(c.key for c in group), tuple(values)))
    return result


def unknown_types(conditions: Iterable[Condition], types: Sequence[str]) -> list[Condition]:
    """Conditions scoped to a project type no direction of the guide has (they would apply to nobody)."""
    known = set(types)
    return [
        c
        for c in conditions
        if c.effective_state == STATED and c.scope.project_type and c.scope.project_type not in known
    ]


# --- resolving ---------------------------------------------------------------------------------------

# Why a parameter has no value for a proposal.
NEEDS_GENDER = "needs_gender"  # the guide's value depends on the PI's gender, which is not known
AMBIGUOUS = "ambiguous"  # two values apply equally (e.g. a direction of two types with different limits)


@dataclass(frozen=True)
class Resolved:
    """The condition of one parameter that applies to a proposal.

    ``state``: STATED (``value`` and ``condition`` set), ABSENT (an officer confirmed the guide sets
    none), MISSING (nobody has said: screening cannot check it), NEEDS_GENDER or AMBIGUOUS (``candidates``
    are the conditions in question)."""

    parameter: str
    state: str
    value: Any = None
    condition: Condition | None = None
    candidates: tuple[Condition, ...] = field(default_factory=tuple)

    @property
    def scope(self) -> Scope:
        return self.condition.scope if self.condition else CALL


def resolve(
    conditions: Iterable[Condition],
    parameter: str,
    *,
    direction: str | None = None,
    types: Sequence[str] = (),
    gender: str | None = None,
) -> Resolved:
    """The condition of ``parameter`` for a proposal in ``direction`` (of project ``types``) whose PI is
    of ``gender`` (None: unknown). The most specific scope wins: direction, then project type, then the
    call; within it a gender-qualified condition for the PI's gender wins over an unqualified one.
    Nothing stated and nothing confirmed absent → MISSING only where the guide has a MISSING placeholder
    for it, else ABSENT (a parameter the family does not always state, e.g. the matching ratio)."""
    relevant = [c for c in conditions if c.parameter == parameter and c.effective_state != IGNORED]
    stated = [
        c
        for c in relevant
        if c.effective_state == STATED and c.scope.applies(direction=direction, types=types, gender=gender)
    ]
    if stated:
        level = max(c.scope.level for c in stated)
        best = [c for c in stated if c.scope.level == level]
        if gender is not None:
            exact = [c for c in best if c.scope.gender == gender]
            best = exact or [c for c in best if c.scope.gender is None]
        elif any(c.scope.gender for c in best):
            values = {_hashable(c.value) for c in best}
            if len(values) > 1:
                return Resolved(parameter, NEEDS_GENDER, candidates=tuple(best))
        values = list(dict.fromkeys(_hashable(c.value) for c in best))
        if len(values) > 1:
            return Resolved(parameter, AMBIGUOUS, candidates=tuple(best))
        return Resolved(parameter, STATED, best[0].value, best[0])
    if any(c.effective_state == MISSING for c in relevant):
        return Resolved(parameter, MISSING, candidates=tuple(c for c in relevant if c.state == MISSING))
    confirmed = next((c for c in relevant if c.effective_state == ABSENT), None)
    return Resolved(parameter, ABSENT, condition=confirmed)


def all_conditions(guide) -> list[Condition]:
    """Every condition of a parsed guide (:class:`~guide.parsing.types.ParsedGuide`) as one list, the
    input of :func:`resolve`: its call-wide values (``eligibility``, projects per direction), each
    direction's own matching ratio (scoped to it), and ``guide.conditions``."""
    eligibility = guide.eligibility
    result = []
    for name in PARAMETERS:
        value = getattr(eligibility, name, None)
        if value is None:
            continue
        result.append(
            Condition(
                key=name,
                parameter=name,
                value=value.isoformat() if isinstance(value, date) else value,
                source=guide.sources.get(f"eligibility.{name}", NO_SOURCE),
            )
        )
    if guide.projects_per_direction:
        low, high = guide.projects_per_direction
        result.append(
            Condition(
                key="projects_per_direction",
                parameter="projects_supported",
                value=[low, high],
                source=guide.sources.get("projects_per_direction", NO_SOURCE),
            )
        )
    for direction in guide.directions:
        if direction.matching_ratio is not None:
            result.append(
                Condition(
                    key=f"directions[{direction.code}].matching_ratio",
                    parameter="matching_ratio",
                    value=direction.matching_ratio,
                    scope=Scope(direction=direction.code),
                    source=direction.sources.get("matching_ratio", NO_SOURCE),
                )
            )
    return [*result, *guide.conditions]


@dataclass(frozen=True)
class Applicable:
    """What the guide sets for one parameter in one direction, for the pages and the API: ``state`` as
    in :class:`Resolved`; ``conditions`` the one that applies, or one per gender when the value depends
    on the PI's gender (state NEEDS_GENDER), or the candidates of an AMBIGUOUS one."""

    parameter: str
    state: str
    conditions: tuple[Condition, ...] = ()


def applicable(
    conditions: Sequence[Condition], *, direction: str | None, types: Sequence[str] = ()
) -> list[Applicable]:
    """For each parameter (in :data:`PARAMETERS` order) what applies to a proposal in ``direction`` (of
    project ``types``), whatever the PI: gender-dependent values are listed per gender. Parameters the
    guide sets nowhere (ABSENT with no confirmation) are left out."""
    result = []
    for name in PARAMETERS:
        found = resolve(conditions, name, direction=direction, types=types)
        if found.state == STATED:
            result.append(Applicable(name, STATED, (found.condition,)))
        elif found.state == NEEDS_GENDER:
            by_gender = [
                resolve(conditions, name, direction=direction, types=types, gender=g) for g in GENDERS
            ]
            result.append(
                Applicable(name, NEEDS_GENDER, tuple(r.condition for r in by_gender if r.condition))
            )
        elif found.state in (MISSING, AMBIGUOUS):
            result.append(Applicable(name, found.state, found.candidates))
        elif found.condition is not None:  # confirmed absent by an officer
            result.append(Applicable(name, ABSENT, (found.condition,)))
    return result
