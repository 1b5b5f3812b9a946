"""Shared machinery for the rule modules: the ``@rule`` decorator, finding
builders, JSON conversion and small domain helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from guide.parsing.conditions import (
    ABSENT,
    CALL,
    FEMALE,
    MALE,
    MISSING,
    NEEDS_GENDER,
    STATED,
    Condition,
    Resolved,
    Scope,
    resolve,
)
from proposals.identifiers import check_credit_code, gender_from_id
from screening.rules.text import nfkc, normalise_code, normalise_id
from screening.rules.types import (
    MAINLAND,
    NOT_APPLICABLE,
    REGIONS,
    UNKNOWN,
    DirectionParams,
    Finding,
    PersonSnap,
    RuleContext,
    UnitSnap,
)

RuleFn = Callable[[RuleContext], list[Finding]]

# Message ids shared by many rules.
GUIDE_MISSING = "common.guide_missing"
GUIDE_PARAM_ABSENT = "common.guide_param_absent"
REGISTRY_NOT_LOADED = "common.registry_not_loaded"
CROSS_NOT_COMPUTED = "common.cross_not_computed"
DIRECTION_UNRESOLVED = "common.direction_unresolved"
DATA_MISSING = "common.data_missing"
DIRECTION_NO_REQUIREMENT = "common.direction_no_requirement"


def rule(rule_id: str, clause: str, messages: tuple[str, ...], fixes: tuple[str, ...] = ()):
    """Attach the stable id, the default clause and the message / fix ids the rule
    may emit (used by the message-catalogue test)."""

    def wrap(fn: RuleFn) -> RuleFn:
        fn.rule_id = rule_id  # type: ignore[attr-defined]
        fn.clause = clause  # type: ignore[attr-defined]
        fn.message_ids = tuple(messages)  # type: ignore[attr-defined]
        fn.fix_ids = tuple(fixes)  # type: ignore[attr-defined]
        return fn

    return wrap


_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Dates → ISO strings, Decimals → strings, sets/tuples → sorted/plain lists."""
    kind = type(value)
    if kind in _PLAIN:  # the common cases first, by exact type
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): jsonable(v) for k, v in value.items()}
    if kind is list:
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def format_decimal(value: Decimal) -> str:
    """``Decimal("200.000")`` → ``"200"``, ``Decimal("1.50")`` → ``"1.5"``."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def ev(field: str, value: Any, source: str | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"field": field, "value": jsonable(value)}
    if source is not None:
        item["source"] = source
    for key, val in extra.items():
        item[key] = jsonable(val)
    return item


def finding(
    fn_or_id: RuleFn | str,
    status: str,
    message_id: str,
    params: dict[str, Any] | None = None,
    *,
    evidence: list[dict[str, Any]] | None = None,
    field: str | None = None,
    fix_id: str | None = None,
    clause: str | None = None,
) -> Finding:
    rule_id = fn_or_id if isinstance(fn_or_id, str) else fn_or_id.rule_id  # type: ignore[attr-defined]
    default_clause = "" if isinstance(fn_or_id, str) else fn_or_id.clause  # type: ignore[attr-defined]
    return Finding(
        rule=rule_id,
        status=status,
        clause=clause if clause is not None else default_clause,
        message_id=message_id,
        params=jsonable(params or {}),
        evidence=evidence or [],
        field=field,
        fix_id=fix_id,
    )


def guide_missing(fn: RuleFn, ctx: RuleContext) -> list[Finding]:
    return [finding(fn, UNKNOWN, GUIDE_MISSING, {"year": ctx.proposal.guide_year}, field="guide_year")]


def param_absent(fn: RuleFn, ctx: RuleContext, param: str) -> list[Finding]:
    year = ctx.guide.year if ctx.guide else ctx.proposal.guide_year
    return [finding(fn, NOT_APPLICABLE, GUIDE_PARAM_ABSENT, {"year": year, "param": param})]


def registry_not_loaded(fn: RuleFn, registry: str) -> list[Finding]:
    return [finding(fn, UNKNOWN, REGISTRY_NOT_LOADED, {"registry": registry})]


def cross_not_computed(fn: RuleFn) -> list[Finding]:
    return [finding(fn, UNKNOWN, CROSS_NOT_COMPUTED)]


def data_missing(
    fn: RuleFn, field: str, fix_id: str | None = None, clause: str | None = None
) -> list[Finding]:
    return [finding(fn, UNKNOWN, DATA_MISSING, {"field": field}, field=field, fix_id=fix_id, clause=clause)]


def resolve_direction(fn: RuleFn, ctx: RuleContext) -> DirectionParams | list[Finding]:
    """The proposal's direction in the guide, or the ``unknown`` findings to return."""
    if ctx.guide is None:
        return guide_missing(fn, ctx)
    code = normalise_code(ctx.proposal.direction)
    if not code:
        return data_missing(fn, "direction")
    direction = find_direction(ctx)
    if direction is None:
        return [
            finding(
                fn,
                UNKNOWN,
                DIRECTION_UNRESOLVED,
                {"direction": code, "year": ctx.guide.year},
                field="direction",
            )
        ]
    return direction


def find_direction(ctx: RuleContext) -> DirectionParams | None:
    """The guide's direction of the proposal's code (normalised: "1.10" and "1.1 0" alike), or None."""
    code = normalise_code(ctx.proposal.direction)
    if ctx.guide is None or not code:
        return None
    direction = ctx.guide.directions.get(code)
    if direction is None:
        direction = next((d for k, d in ctx.guide.directions.items() if normalise_code(k) == code), None)
    return direction


def direction_clause(direction: DirectionParams) -> str:
    return f"direction {direction.code}"


# --- people --------------------------------------------------------------------------


def person_key(person: PersonSnap | None) -> str:
    return normalise_id(person.id_number) if person else ""


def people(ctx: RuleContext) -> Iterator[PersonSnap]:
    """The PI, then each member, skipping members who repeat an ID already seen."""
    seen: set[str] = set()
    candidates = ([ctx.proposal.pi] if ctx.proposal.pi else []) + list(ctx.proposal.members)
    for person in candidates:
        key = person_key(person)
        if key and key in seen:
            continue
        if key:
            seen.add(key)
        yield person


def person_params(person: PersonSnap) -> dict[str, Any]:
    return {"name": person.name or "", "path": person.path()}


# --- regions and countries ------------------------------------------------------------

_COUNTRY_ALIASES = {
    "CHN": "CN",
    "中国": "CN",
    "中国大陆": "CN",
    "中国内地": "CN",
    "内地": "CN",
    "大陆": "CN",
    "PRC": "CN",
    "HKG": "HK",
    "香港": "HK",
    "中国香港": "HK",
    "MAC": "MO",
    "澳门": "MO",
    "中国澳门": "MO",
    "TWN": "TW",
    "台湾": "TW",
    "中国台湾": "TW",
    "UK": "GB",
}


_SPACE = re.compile(r"\s")


@lru_cache(maxsize=1024)
def country_code(value: str | None) -> str | None:
    """Normalise a nationality/country to ISO alpha-2 (a few aliases accepted)."""
    text = _SPACE.sub("", nfkc(value))
    if not text:
        return None
    return _COUNTRY_ALIASES.get(text, _COUNTRY_ALIASES.get(text.upper(), text.upper()))


def region_kind(value: str | None) -> str | None:
    """``"mainland"`` (CN), ``"region"`` (HK/MO/TW), ``"foreign"`` or ``None``."""
    code = country_code(value)
    if code is None:
        return None
    if code == MAINLAND:
        return "mainland"
    if code in REGIONS:
        return "region"
    return "foreign"


def is_mainland_unit(unit: UnitSnap) -> bool | None:
    kind = region_kind(unit.country)
    return None if kind is None else kind == "mainland"


def is_outside_mainland_unit(unit: UnitSnap) -> bool | None:
    """国（境）外 unit: foreign country, HK/MO/TW or an international organisation."""
    if unit.type == "international_organization":
        return True
    kind = region_kind(unit.country)
    return None if kind is None else kind != "mainland"


# --- unified social credit code (GB 32100-2015) ----------------------------------------


def credit_code_valid(code: str | None) -> bool:
    """A unified social credit code valid under GB 32100 (check character and the
    embedded GB 11714 organisation code), as checked at submission."""
    return check_credit_code(normalise_id(code)).valid


# --- mainland resident ID ---------------------------------------------------------------


def birth_date_from_id(id_number: str | None) -> date | None:
    """Birth date embedded in an 18-digit mainland resident ID (``None`` otherwise)."""
    text = normalise_id(id_number)
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return None
    try:
        return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


# --- the guide's conditions, by scope ------------------------------------------------------------

GUIDE_PARAM_MISSING = "common.guide_param_missing"
GUIDE_PARAM_NEEDS_GENDER = "common.guide_param_needs_gender"
GUIDE_PARAM_AMBIGUOUS = "common.guide_param_ambiguous"
# Every message the conditions below may produce, for the rules' message lists.
CONDITION_MESSAGES = (
    GUIDE_MISSING,
    GUIDE_PARAM_ABSENT,
    GUIDE_PARAM_MISSING,
    GUIDE_PARAM_NEEDS_GENDER,
    GUIDE_PARAM_AMBIGUOUS,
    DIRECTION_UNRESOLVED,
    DATA_MISSING,
)

_LEGACY_FIELDS = (
    "pi_born_on_or_after",
    "unit_registered_by",
    "max_domestic_units",
    "min_foreign_units",
    "max_duration_years",
)


def guide_conditions(guide) -> tuple:
    """The guide's conditions; for a guide given only by its call-wide fields, those as conditions."""
    if guide.conditions is not None:
        return guide.conditions
    values = {name: getattr(guide, name) for name in _LEGACY_FIELDS}
    stated = [
        Condition(key=name, parameter=name, value=jsonable(value))
        for name, value in values.items()
        if value is not None
    ]
    ratios = [
        Condition(
            key=f"directions[{d.code}].matching_ratio",
            parameter="matching_ratio",
            value=float(d.matching_ratio),
            scope=Scope(direction=d.code),
        )
        for d in guide.directions.values()
        if d.matching_ratio is not None
    ]
    return (*stated, *ratios)


def person_gender(person: PersonSnap | None) -> str | None:
    """ "male"/"female": as stated, else the 17th digit of an 18-character mainland resident ID number
    (odd: male); None when neither says."""
    if person is None:
        return None
    if person.gender in (MALE, FEMALE):
        return person.gender
    return gender_from_id(person.id_number)


def scope_params(condition: Condition | None) -> dict:
    """A finding's ``scope`` param: the condition's scope and key, or {} for a call-wide one."""
    if condition is None or condition.scope == CALL:
        return {}
    scope = condition.scope
    return {
        "scope": {
            key: value
            for key, value in (
                ("project_type", scope.project_type),
                ("direction", scope.direction),
                ("gender", scope.gender),
            )
            if value
        }
    }


# resolve()'s answers for the guides in use: a chunk resolves the same few (parameter, direction,
# gender) for hundreds of proposals. Keyed by the conditions tuple's identity and holding it, so a
# key is never answered for another guide's tuple; cleared when full.
_RESOLVED: dict[tuple, tuple[tuple, Resolved]] = {}
_RESOLVED_MAX = 4096


def _resolve(conditions: tuple, parameter: str, *, direction, types: tuple, gender) -> Resolved:
    key = (id(conditions), parameter, direction, types, gender)
    hit = _RESOLVED.get(key)
    if hit is not None and hit[0] is conditions:
        return hit[1]
    resolved = resolve(conditions, parameter, direction=direction, types=types, gender=gender)
    if len(_RESOLVED) >= _RESOLVED_MAX:
        _RESOLVED.clear()
    _RESOLVED[key] = (conditions, resolved)
    return resolved


def guide_condition(
    fn: RuleFn,
    ctx: RuleContext,
    parameter: str,
    *,
    person: PersonSnap | None = None,
    gender_field: str | None = None,
):
    """The guide's condition ``parameter`` for this proposal (its direction's project types, the PI's
    — or ``person``'s — gender) as a :class:`~guide.parsing.conditions.Resolved` whose state is STATED;
    otherwise the findings to return: not applicable only when the guide sets no such condition (or an
    officer confirmed it), unknown when its value was never read, depends on an unknown gender or on
    the direction, or is ambiguous."""
    if ctx.guide is None:
        return guide_missing(fn, ctx)
    conditions = guide_conditions(ctx.guide)
    scoped = [
        c for c in conditions if c.parameter == parameter and (c.scope.direction or c.scope.project_type)
    ]
    # a value scoped by direction or type needs the direction: without it, unknown (never the call's)
    direction = resolve_direction(fn, ctx) if scoped else find_direction(ctx)
    if isinstance(direction, list):
        return direction
    gender = person_gender(person if person is not None else ctx.proposal.pi)
    resolved = _resolve(
        conditions,
        parameter,
        direction=direction.code if direction else None,
        types=tuple(direction.project_types) if direction else (),
        gender=gender,
    )
    if resolved.state == STATED:
        return resolved
    year = ctx.guide.year
    if resolved.state == ABSENT:
        return param_absent(fn, ctx, parameter)
    if resolved.state == MISSING:
        return [finding(fn, UNKNOWN, GUIDE_PARAM_MISSING, {"year": year, "param": parameter})]
    values = [jsonable(c.value) for c in resolved.candidates]
    if resolved.state == NEEDS_GENDER:
        path = gender_field or "pi.gender"
        return [
            finding(
                fn,
                UNKNOWN,
                GUIDE_PARAM_NEEDS_GENDER,
                {"param": parameter, "values": values},
                field=path,
                fix_id=None if gender_field else "fix.pi_gender",
            )
        ]
    return [finding(fn, UNKNOWN, GUIDE_PARAM_AMBIGUOUS, {"param": parameter, "values": values})]
