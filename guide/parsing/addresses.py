"""Addresses of the values in a parsed guide (a :func:`guide.parsing.types.to_json` dict), and reading,
setting and validating them. Plain Python, no Django: officers' corrections (``GuideCorrection``) name
the value they correct by its address, and the review page lists an item's correctable values.

Value addresses::

    title · declared_direction_count · total_budget_yuan
    projects_per_direction.min · projects_per_direction.max
    eligibility.pi_born_on_or_after · …unit_registered_by (dates, ISO) · …max_domestic_units
        · …min_foreign_units · …max_duration_years (counts) · …subtasks_allowed (yes/no)
    areas[<number>].title
    directions[<code>].title|matching_ratio|research_content|notes|other_requirements
    directions[<code>].indicators[<position>].subject|comparator|value|value_max|unit
    directions[<code>].partner_requirements[<index>].value|strength|counts_regions
    formal_review[<clause>].text

``<number>`` is the area's number, ``<code>`` the direction's code ("1.1"), ``<position>`` the
indicator's ``position`` as the parser gave it, ``<index>`` the requirement's 0-based place in the
direction's list, ``<clause>`` the clause id ("1(2)"). An *item* is what a :class:`~guide.parsing.types.
Notice` is attached to: a value address of the general part ("title", "eligibility.unit_registered_by"),
"projects_per_direction", "areas[2]", "directions[1.1]", "directions[1.1].indicators[3]",
"directions[1.1].partner_requirements[0]" or "formal_review[1(2)]".

Corrections only change values, never the structure (no item is added or removed), so the addresses of
a version's data are those of its parse.

Errors are :class:`AddressError` with a stable ``code`` and ``params`` (the page translates them); its
``str`` is a Chinese default.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .partners import CONTINENT_CODES, CONTINENTS, INSTITUTION_KIND_CODES, LICENCE_CODES
from .types import COMPARATORS, PARTNER_KINDS, STRENGTH_INDICATOR, STRENGTH_REQUIRED

# --- value kinds -------------------------------------------------------------------------------------
TEXT = "text"  # required one-line text
LONGTEXT = "longtext"  # multi-line text, may be empty
OPTIONAL_TEXT = "optional_text"  # one-line text, empty means none (null)
COUNT = "count"  # whole number ≥ 0, or none
DATE = "date"  # ISO date, or none
BOOL = "bool"  # yes / no / unknown (null)
FLAG = "flag"  # yes / no
RATIO = "ratio"  # number ≥ 0 ("2", "2:1"), or none
NUMBER = "number"  # finite number, or none
COMPARATOR = "comparator"  # one of COMPARATORS, or none
STRENGTH = "strength"  # "required" / "indicator"
PARTNER_COUNT = "partner_count"  # whole number ≥ 1 (foreign_countries)
PARTNER_LIST = "partner_list"  # continents: codes of partners.CONTINENT_CODES (or their Chinese names)
INSTITUTION_KIND = "institution_kind"  # one of partners.INSTITUTION_KIND_CODES
LICENCE = "licence"  # one of partners.LICENCE_CODES
PARTNER_CODE = "partner_code"  # a requirement of a kind this module does not know: its code as text
RANGE = "range"  # two whole numbers "1~2" (one number n means n~n), or none
GENDER = "gender"  # "male" / "female", or none
STATE = "state"  # a condition's state: stated / missing / absent / ignored

GENERAL_FIELDS = {"title": TEXT, "declared_direction_count": COUNT, "total_budget_yuan": COUNT}
PROJECTS_FIELDS = {"min": COUNT, "max": COUNT}
ELIGIBILITY_FIELDS = {
    "pi_born_on_or_after": DATE,
    "unit_registered_by": DATE,
    "max_domestic_units": COUNT,
    "min_foreign_units": COUNT,
    "max_duration_years": COUNT,
    "subtasks_allowed": BOOL,
    "max_units": COUNT,
    "max_subtasks": COUNT,
    "task_lead_born_on_or_after": DATE,
    "matching_ratio": RATIO,
}
AREA_FIELDS = {"title": TEXT}
DIRECTION_FIELDS = {
    "title": TEXT,
    "matching_ratio": RATIO,
    "research_content": LONGTEXT,
    "notes": LONGTEXT,
    "other_requirements": LONGTEXT,
}
INDICATOR_FIELDS = {
    "subject": OPTIONAL_TEXT,
    "comparator": COMPARATOR,
    "value": NUMBER,
    "value_max": NUMBER,
    "unit": OPTIONAL_TEXT,
}
PARTNER_FIELDS = {"value": None, "strength": STRENGTH, "counts_regions": FLAG}  # value: by the kind
CLAUSE_FIELDS = {"text": TEXT}
# A condition (guide.parsing.conditions): its value (kind by parameter), its scope, its state.
CONDITION_FIELDS = {
    "value": None,
    "project_type": OPTIONAL_TEXT,
    "direction": OPTIONAL_TEXT,
    "gender": GENDER,
    "state": STATE,
}
_CONDITION_VALUE_KIND = {"date": DATE, "count": COUNT, "bool": BOOL, "ratio": RATIO, "range": RANGE}
_SCOPE_FIELDS = ("project_type", "direction", "gender")

_PARTNER_VALUE_KIND = {
    "foreign_countries": PARTNER_COUNT,
    "continents": PARTNER_LIST,
    "institution_kind": INSTITUTION_KIND,
    "licence": LICENCE,
}
assert set(_PARTNER_VALUE_KIND) == set(PARTNER_KINDS)

# The database columns' limits (guide.models), so a published correction always fits.
MAX_LENGTH = {
    "title": 300,
    "areas.title": 300,
    "directions.title": 300,
    "indicators.subject": 300,
    "indicators.unit": 64,
}
MAX_BIG = 10**15  # budgets and counts: a bound so nothing overflows a column
MAX_NUMBER = 1e15

COMPARATOR_ALIASES = {
    "≥": ">=",
    "＞": ">",
    "≤": "<=",
    "＜": "<",
    "＝": "=",
    "~": "range",
    "～": "range",
    "-": "range",
}
_TRUE = {"true", "yes", "y", "1", "是", "允许", "有"}
_FALSE = {"false", "no", "n", "0", "否", "不允许", "不下设", "无"}


class AddressError(ValueError):
    """An unknown address, an item this guide does not have, or a value that is not valid there.

    ``code`` is one of: ``unknown_address``, ``missing_item``, ``required``, ``too_long``,
    ``not_an_integer``, ``negative``, ``too_small``, ``too_large``, ``not_a_number``, ``not_a_date``, ``not_a_bool``,
    ``bad_ratio``, ``bad_comparator``, ``bad_strength``; ``params`` fills its message."""

    MESSAGES = {
        "unknown_address": "未知的位置：{address}",
        "missing_item": "此版本没有这一项：{address}",
        "required": "此项不能为空",
        "too_long": "不能超过 {limit} 个字符",
        "not_an_integer": "应为整数",
        "negative": "不能为负数",
        "too_small": "至少为 {minimum}",
        "too_large": "数值过大",
        "not_a_number": "应为数字",
        "not_a_date": "日期格式应为 YYYY-MM-DD",
        "not_a_bool": "应为“是”或“否”",
        "bad_ratio": "比例应为数字（如 2 或 2:1）",
        "bad_comparator": "比较符应为 ≥、>、≤、<、= 或 range",
        "bad_strength": "性质应为 required（申报时须满足）或 indicator（执行期内须达到）",
        "bad_range": "应为整数范围，如 1~2",
        "bad_gender": "性别应为 male（男性）、female（女性）或留空",
        "unknown_continent": "“{name}”不是可选的大洲：请从亚洲、欧洲、美洲、非洲、大洋洲中选择",
        "unknown_choice": "“{value}”不是可选的一项：请从列表中选择",
        "bad_state": "状态应为 stated（已规定）、absent（指南未规定）、ignored（不采用）或 missing（待确认）",
    }

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(self.MESSAGES.get(code, code).format(**params))


@dataclass(frozen=True)
class Address:
    """A parsed value address. ``section`` is "general", "projects_per_direction", "eligibility",
    "areas", "directions", "indicators", "partner_requirements" or "formal_review"; ``key`` the area
    number, direction code or clause; ``sub`` the indicator position or requirement index."""

    text: str
    section: str
    field: str
    key: str | None = None
    sub: int | None = None

    @property
    def item(self) -> str:
        return item_of(self.text)


_RE_AREA = re.compile(r"^areas\[(\d{1,6})\]\.(\w+)$")
_RE_DIRECTION = re.compile(r"^directions\[([^\[\]]{1,32})\]\.(\w+)$")
_RE_INDICATOR = re.compile(r"^directions\[([^\[\]]{1,32})\]\.indicators\[(\d{1,6})\]\.(\w+)$")
_RE_PARTNER = re.compile(r"^directions\[([^\[\]]{1,32})\]\.partner_requirements\[(\d{1,6})\]\.(\w+)$")
_RE_CLAUSE = re.compile(r"^formal_review\[([^\[\]]{1,32})\]\.(\w+)$")
_RE_CONDITION = re.compile(r"^conditions\[([^\[\]]{1,120})\]\.(\w+)$")


def parse_address(address: str) -> Address:
    """The :class:`Address` of a value address; ``AddressError("unknown_address")`` otherwise."""
    if not isinstance(address, str):
        raise AddressError("unknown_address", address=repr(address))
    if address in GENERAL_FIELDS:
        return Address(address, "general", address)
    head, dot, tail = address.partition(".")
    if dot and head == "projects_per_direction" and tail in PROJECTS_FIELDS:
        return Address(address, head, tail)
    if dot and head == "eligibility" and tail in ELIGIBILITY_FIELDS:
        return Address(address, head, tail)
    for regex, section, fields in (
        (_RE_AREA, "areas", AREA_FIELDS),
        (_RE_DIRECTION, "directions", DIRECTION_FIELDS),
        (_RE_CLAUSE, "formal_review", CLAUSE_FIELDS),
        (_RE_CONDITION, "conditions", CONDITION_FIELDS),
    ):
        m = regex.match(address)
        if m and m.group(2) in fields:
            return Address(address, section, m.group(2), key=m.group(1))
    for regex, section, fields in (
        (_RE_INDICATOR, "indicators", INDICATOR_FIELDS),
        (_RE_PARTNER, "partner_requirements", PARTNER_FIELDS),
    ):
        m = regex.match(address)
        if m and m.group(3) in fields:
            return Address(address, section, m.group(3), key=m.group(1), sub=int(m.group(2)))
    raise AddressError("unknown_address", address=address)


def item_of(address: str | Address) -> str:
    """The item a value address belongs to: "directions[1.1].indicators[3].value" →
    "directions[1.1].indicators[3]"; a general value or an eligibility field is its own item;
    "projects_per_direction.min" → "projects_per_direction"."""
    parsed = address if isinstance(address, Address) else parse_address(address)
    if parsed.section in ("general", "eligibility"):
        return parsed.text
    if parsed.section == "projects_per_direction":
        return "projects_per_direction"
    return parsed.text.rpartition(".")[0]


# --- finding things in the data -------------------------------------------------------------------


def _find(rows: Iterable[dict], key: str, value) -> dict | None:
    for row in rows or ():
        if str(row.get(key)) == str(value):
            return row
    return None


def _container(data: dict, a: Address) -> dict | None:
    """The dict holding the addressed value (None when the item is not in this data)."""
    if a.section == "general":
        return data
    if a.section == "projects_per_direction":
        return data.get("projects_per_direction") or {"min": None, "max": None}
    if a.section == "eligibility":
        return data.get("eligibility") or {}
    if a.section == "areas":
        return _find(data.get("areas"), "number", a.key)
    if a.section == "formal_review":
        return _find(data.get("formal_review"), "clause", a.key)
    if a.section == "conditions":
        row = _find(data.get("conditions"), "key", a.key)
        if row is None or a.field not in _SCOPE_FIELDS:
            return row
        if not isinstance(row.get("scope"), dict):
            row["scope"] = {"project_type": None, "direction": None, "gender": None}
        return row["scope"]
    direction = _find(data.get("directions"), "code", a.key)
    if direction is None or a.section == "directions":
        return direction
    if a.section == "indicators":
        return _find(direction.get("indicators"), "position", a.sub)
    requirements = direction.get("partner_requirements") or []
    return requirements[a.sub] if a.sub is not None and a.sub < len(requirements) else None


def exists(data: dict, address: str) -> bool:
    """Whether ``address`` is a value address of this data (its item is there)."""
    try:
        return _container(data, parse_address(address)) is not None
    except AddressError:
        return False


def get_value(data: dict, address: str) -> Any:
    """The value at ``address`` (JSON: str, int, float, bool, list or None)."""
    a = parse_address(address)
    container = _container(data, a)
    if container is None:
        raise AddressError("missing_item", address=address)
    return container.get(a.field)


def kind_of(data: dict, address: str) -> str:
    """The value kind of ``address`` (TEXT, COUNT, DATE …); a partner requirement's value takes the
    kind of its requirement."""
    a = parse_address(address)
    if a.section == "partner_requirements" and a.field == "value":
        container = _container(data, a)
        if container is None:
            raise AddressError("missing_item", address=address)
        return _PARTNER_VALUE_KIND.get(container.get("kind"), PARTNER_CODE)
    if a.section == "conditions" and a.field == "value":
        from .conditions import PARAMETERS

        container = _container(data, a)
        if container is None:
            raise AddressError("missing_item", address=address)
        return _CONDITION_VALUE_KIND.get(PARAMETERS.get(container.get("parameter"), ""), NUMBER)
    return _FIELDS[a.section][a.field]


_FIELDS = {
    "general": GENERAL_FIELDS,
    "projects_per_direction": PROJECTS_FIELDS,
    "eligibility": ELIGIBILITY_FIELDS,
    "areas": AREA_FIELDS,
    "directions": DIRECTION_FIELDS,
    "indicators": INDICATOR_FIELDS,
    "partner_requirements": PARTNER_FIELDS,
    "formal_review": CLAUSE_FIELDS,
    "conditions": CONDITION_FIELDS,
}


# --- validating and coercing ----------------------------------------------------------------------


def format_value(value: Any) -> str:
    """A value as an officer would type it (the form's initial text): dates ISO, 90.0 → "90",
    True → "true", lists "a, b", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _limit_key(a: Address) -> str:
    if a.section == "general":
        return a.field
    return f"{a.section}.{a.field}"


def _integer(text: str, *, minimum: int = 0) -> int:
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?\d{1,18}", cleaned, flags=re.ASCII):
        raise AddressError("not_an_integer")
    number = int(cleaned)
    if number < minimum:
        raise AddressError("negative" if minimum == 0 else "too_small", minimum=minimum)
    if number > MAX_BIG:
        raise AddressError("too_large")
    return number


def _number(text: str) -> float:
    cleaned = text.replace(",", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d{1,18}(\.\d{0,20})?|\.\d{1,20})([eE][+-]?\d{1,3})?", cleaned):
        raise AddressError("not_a_number")
    number = float(cleaned)
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise AddressError("too_large")
    return number


_RE_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(text: str) -> str:
    m = _RE_DATE.match(text)
    if not m:
        raise AddressError("not_a_date")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        raise AddressError("not_a_date") from None


def _ratio(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)\s*[:：]\s*([\d.]+)", text)
    if m:
        try:
            a, b = _number(m.group(1)), _number(m.group(2))
        except AddressError:
            raise AddressError("bad_ratio") from None
        if b == 0:
            raise AddressError("bad_ratio")
        value = round(a / b, 4)
    else:
        try:
            value = _number(text)
        except AddressError:
            raise AddressError("bad_ratio") from None
    if value < 0:
        raise AddressError("negative")
    if value >= 10_000:  # the column holds 4 digits before the point
        raise AddressError("too_large")
    return value


_GENDERS = {
    "male": "male",
    "m": "male",
    "男": "male",
    "男性": "male",
    "female": "female",
    "f": "female",
    "女": "female",
    "女性": "female",
}


def _range(text: str) -> list[int]:
    parts = [p for p in re.split(r"\s*[~～\-—至到]\s*", text) if p]
    if len(parts) not in (1, 2):
        raise AddressError("bad_range")
    low, high = _integer(parts[0]), _integer(parts[-1])
    if low > high:
        raise AddressError("bad_range")
    return [low, high]


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise AddressError("not_a_bool")


def coerce(data: dict, address: str, raw: Any) -> Any:
    """The JSON value ``raw`` (a form string, or a value as stored) stands for at ``address``, validated.
    Raises :class:`AddressError` (an unknown address, an item not in ``data``, an invalid value)."""
    a = parse_address(address)
    if _container(data, a) is None:
        raise AddressError("missing_item", address=address)
    kind = kind_of(data, address)
    text = raw if isinstance(raw, str) else format_value(raw)
    text = text.replace("\r\n", "\n").strip() if kind == LONGTEXT else " ".join(text.split())
    if kind == LONGTEXT:
        return text
    if kind in (TEXT, OPTIONAL_TEXT, PARTNER_CODE):
        if not text:
            if kind == OPTIONAL_TEXT:
                return None
            raise AddressError("required")
        limit = MAX_LENGTH.get(_limit_key(a))
        if limit is not None and len(text) > limit:
            raise AddressError("too_long", limit=limit)
        return text
    if kind == PARTNER_LIST:
        names = [n for n in re.split(r"[,，、;；\s]+", text) if n]
        if not names:
            raise AddressError("required")
        codes = []
        for name in names:
            code = name.lower() if name.lower() in CONTINENT_CODES else CONTINENTS.get(name)
            if code is None:
                raise AddressError("unknown_continent", name=name)
            if code not in codes:
                codes.append(code)
        return codes
    if kind in (INSTITUTION_KIND, LICENCE):
        if not text:
            raise AddressError("required")
        if text not in (INSTITUTION_KIND_CODES if kind == INSTITUTION_KIND else LICENCE_CODES):
            raise AddressError("unknown_choice", value=text)
        return text
    if kind == STRENGTH:
        if text not in (STRENGTH_REQUIRED, STRENGTH_INDICATOR):
            raise AddressError("bad_strength")
        return text
    if kind == FLAG:
        if not text:
            raise AddressError("required")
        return _bool(text)
    if not text:
        if kind == PARTNER_COUNT:
            raise AddressError("required")
        return None
    if kind == COUNT:
        return _integer(text)
    if kind == PARTNER_COUNT:
        return _integer(text, minimum=1)
    if kind == DATE:
        return _date(text)
    if kind == BOOL:
        return _bool(text)
    if kind == RATIO:
        return _ratio(text)
    if kind == NUMBER:
        return _number(text)
    if kind == RANGE:
        return _range(text)
    if kind == GENDER:
        value = _GENDERS.get(text.lower())
        if value is None:
            raise AddressError("bad_gender")
        return value
    if kind == STATE:
        if text not in ("stated", "missing", "absent", "ignored"):
            raise AddressError("bad_state")
        return text
    if kind == COMPARATOR:
        value = COMPARATOR_ALIASES.get(text, text)
        if value not in COMPARATORS:
            raise AddressError("bad_comparator")
        return value
    raise AssertionError(kind)  # pragma: no cover - every kind is handled above


def _set_in_place(data: dict, address: str, value: Any) -> None:
    a = parse_address(address)
    if a.section == "projects_per_direction" and not data.get("projects_per_direction"):
        data["projects_per_direction"] = {"min": None, "max": None}
    if a.section == "eligibility" and data.get("eligibility") is None:
        data["eligibility"] = {}
    container = _container(data, a)
    if container is None:
        raise AddressError("missing_item", address=address)
    container[a.field] = value


def set_value(data: dict, address: str, raw: Any) -> dict:
    """A copy of ``data`` with the value at ``address`` set to ``raw`` (validated and coerced, see
    :func:`coerce`); ``data`` is left as it was."""
    value = coerce(data, address, raw)
    result = copy.deepcopy(data)
    _set_in_place(result, address, value)
    return result


# --- items -------------------------------------------------------------------------------------------


def item_addresses(data: dict, item: str | None) -> list[str]:
    """The correctable value addresses of an item, in display order ([] for the whole document,
    None, or an item this data does not have). A value address is its own item's only value unless
    it belongs to a larger item ("directions[1.1].title" → the direction's values)."""
    if not item:
        return []
    try:
        value = parse_address(item)
    except AddressError:
        value = None
    if value is not None:  # a value address: its item's values
        item = item_of(value)
        if value.section in ("general", "eligibility"):
            return [item] if exists(data, item) else []
    if item == "projects_per_direction":
        return [f"projects_per_direction.{f}" for f in PROJECTS_FIELDS]
    if item == "eligibility":
        return [f"eligibility.{f}" for f in ELIGIBILITY_FIELDS]
    fields = None
    if item.endswith("]"):
        if item.startswith("conditions["):
            fields = CONDITION_FIELDS
        elif item.startswith("areas["):
            fields = AREA_FIELDS
        elif item.startswith("formal_review["):
            fields = CLAUSE_FIELDS
        elif item.startswith("directions[") and ".indicators[" in item:
            fields = INDICATOR_FIELDS
        elif item.startswith("directions[") and ".partner_requirements[" in item:
            fields = PARTNER_FIELDS
        elif item.startswith("directions["):
            fields = DIRECTION_FIELDS
    if fields is None:
        return []
    addresses = [f"{item}.{f}" for f in fields]
    try:
        return addresses if exists(data, addresses[0]) else []
    except AddressError:
        return []


def items(data: dict) -> list[str]:
    """Every item of the data in document order: the general values, projects per direction, the
    eligibility fields, the areas, each direction followed by its indicators and partner
    requirements, the formal-review clauses."""
    result = list(GENERAL_FIELDS) + ["projects_per_direction"]
    result += [f"eligibility.{f}" for f in ELIGIBILITY_FIELDS]
    result += [f"areas[{a['number']}]" for a in data.get("areas") or ()]
    for d in data.get("directions") or ():
        result.append(f"directions[{d['code']}]")
        result += [f"directions[{d['code']}].indicators[{i['position']}]" for i in d.get("indicators") or ()]
        result += [
            f"directions[{d['code']}].partner_requirements[{n}]"
            for n in range(len(d.get("partner_requirements") or ()))
        ]
    result += [f"formal_review[{c['clause']}]" for c in data.get("formal_review") or ()]
    result += [f"conditions[{c['key']}]" for c in data.get("conditions") or () if isinstance(c, dict)]
    return result


def addresses(data: dict) -> list[str]:
    """Every correctable value address of the data, in document order."""
    return [address for item in items(data) for address in item_addresses(data, item)]


# --- corrections -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A correction that could not be applied: its address is unknown or no longer in the data, or its
    value is not valid there (``code`` as in :class:`AddressError`)."""

    address: str
    value: Any
    code: str
    message: str  # in English, for logs and the command line
    params: dict = field(default_factory=dict, hash=False)  # the error's params (the page words it)


def _pair(correction) -> tuple[str, Any]:
    if isinstance(correction, tuple):
        return correction
    if isinstance(correction, dict):
        return correction["address"], correction.get("value")
    return correction.address, correction.value


def apply_corrections(data: dict, corrections: Iterable) -> tuple[dict, list[Problem]]:
    """A copy of ``data`` with the corrections applied in order (a later correction of an address wins).

    ``corrections``: ``(address, value)`` pairs, dicts with "address"/"value", or objects with
    ``.address``/``.value`` (``GuideCorrection`` rows). A correction whose address is unknown or no
    longer exists, or whose value is not valid there, is left out and returned as a :class:`Problem` —
    never raised."""
    result = copy.deepcopy(data)
    problems = []
    for correction in corrections:
        address, raw = _pair(correction)
        try:
            value = coerce(result, address, raw)
            _set_in_place(result, address, value)
        except AddressError as exc:
            problems.append(Problem(address, raw, exc.code, str(exc), dict(exc.params)))
    return result, problems
