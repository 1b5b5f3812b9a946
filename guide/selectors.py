"""Reads for the guide app. Every queryset here fetches what its page shows in a
constant number of queries: the published guide (the rows), and the versions with their review."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    COMPARATOR_SYMBOLS,
    Area,
    Direction,
    FormalClause,
    Guide,
    GuideCheckMark,
    GuideCorrection,
    GuideVersion,
    Indicator,
    PartnerRequirement,
)
from .parsing import addresses, notices
from .parsing.conditions import (
    ABSENT,
    AMBIGUOUS,
    BOOL,
    DATE,
    MISSING,
    PARAMETERS,
    RANGE,
    RATIO,
    Applicable,
    Condition,
    Scope,
    applicable,
    value_date,
)
from .parsing.partners import CONTINENT_CODES, INSTITUTION_KIND_CODES, LICENCE_CODES
from .parsing.types import CHECK, COMPARATORS, ERROR, WARNING
from .services.versions import active_corrections
from .words import continent_name, continent_names, join_words, partner_code_name


class KeptPerGuide:
    """What a process built from a guide's published rows, kept while the guide row is in the same
    state (its id, published version and ``ingested_at``). The published rows change only with the
    guide row (publishing saves it) and are read-only elsewhere (common.admin_site), so a state
    seen again needs no rebuilding. A process serves a handful of guides: past ``limit`` the
    store starts afresh."""

    def __init__(self, limit: int = 64):
        self._kept: dict[int, tuple[tuple, Any]] = {}
        self._limit = limit

    def get(self, guide: Guide | tuple, build):
        """``build()`` for ``guide`` (the row, or its (pk, published_version_id, ingested_at)),
        or what it gave before for the same state."""
        state = (
            guide if isinstance(guide, tuple) else (guide.pk, guide.published_version_id, guide.ingested_at)
        )
        kept = self._kept.get(state[0])
        if kept is not None and kept[0] == state:
            return kept[1]
        value = build()
        if len(self._kept) >= self._limit:
            self._kept.clear()
        self._kept[state[0]] = (state, value)
        return value


def guide_latest() -> Guide | None:
    return Guide.objects.order_by("-year").first()


def guide_get(*, year: int) -> Guide:
    return get_object_or_404(Guide, year=year)


def guide_years() -> list[int]:
    return list(Guide.objects.order_by("-year").values_list("year", flat=True))


def area_list_with_counts(*, guide: Guide) -> QuerySet[Area]:
    return guide.areas.annotate(direction_count=Count("directions")).order_by("number")


def direction_list(*, guide: Guide) -> QuerySet[Direction]:
    return (
        Direction.objects.filter(guide=guide)
        .select_related("area")
        .prefetch_related(
            Prefetch("partner_requirements", queryset=PartnerRequirement.objects.order_by("id")),
        )
        # The same count as the direction page's card: indicators with a comparator
        # (Direction.quantitative_count), not every indicator line.
        .annotate(quantitative_indicator_count=Count("indicators", filter=~Q(indicators__comparator="")))
        .order_by("position")
    )


def direction_get(*, guide: Guide, code: str) -> Direction:
    qs = (
        Direction.objects.filter(guide=guide)
        .select_related("area", "guide")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
            Prefetch("partner_requirements", queryset=PartnerRequirement.objects.order_by("id")),
        )
    )
    return get_object_or_404(qs, code=code)


def ratio_choices(*, guide: Guide) -> list:
    return sorted(
        {
            r
            for r in Direction.objects.filter(guide=guide, applied_ratio__isnull=False).values_list(
                "applied_ratio", flat=True
            )
        }
    )


def call_summary(*, guide: Guide) -> dict:
    """The call at a glance: directions per matching ratio that applies (``matching_ratio``: a direction's
    own, its type's or the call's) and per partner requirement."""
    ratios = [
        {"matching_ratio": row["applied_ratio"], "n": row["n"]}
        for row in Direction.objects.filter(guide=guide)
        .values("applied_ratio")
        .annotate(n=Count("id"))
        .order_by(
            F("applied_ratio").desc(nulls_last=True)
        )  # "no matching requirement" last, on every database
    ]
    partners = (
        PartnerRequirement.objects.filter(direction__guide=guide)
        .values("kind", "strength")
        .annotate(n=Count("direction", distinct=True))
        .order_by("kind", "strength")
    )
    return {"ratios": ratios, "partners": list(partners)}


# --- the conditions with their scopes, as the public pages and the API show them ----------------
# What applies is decided by guide.parsing.conditions.applicable (built on resolve(), the function
# screening uses); these functions only put its answer into words.


def guide_conditions(*, guide: Guide) -> list[Condition]:
    """Every condition of a published guide (``Guide.conditions``), as read and corrected. No query."""
    return [Condition.from_json(c) for c in guide.conditions or () if isinstance(c, dict) and "key" in c]


def _direction_types(guide: Guide) -> list[tuple[str, list[str]]]:
    """(code, project types) of each direction, in the guide's order. One query."""
    return [
        (code, list(types or ()))
        for code, types in Direction.objects.filter(guide=guide)
        .order_by("position")
        .values_list("code", "project_types")
    ]


def _type_counts(direction_types: list[tuple[str, list[str]]]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for _code, types in direction_types:
        for name in dict.fromkeys(types):
            counts[name] = counts.get(name, 0) + 1
    return list(counts.items())


def project_types(*, guide: Guide) -> list[tuple[str, int]]:
    """The guide's project types in the order its directions first name them, each with its number of
    directions (a direction of two types counts for both). One query."""
    return _type_counts(_direction_types(guide))


def scope_label(scope: Scope) -> str:
    """A scope in words: "全指南", "青年科学家项目", "方向 1.3", with the PI's gender when it qualifies the
    value: "青年科学家项目（男性）"."""
    parts = []
    if scope.direction:
        parts.append(gettext("方向 %(code)s") % {"code": scope.direction})
    if scope.project_type:
        parts.append(scope.project_type)
    return _qualified("、".join(parts) or gettext("全指南"), scope.gender)


def _qualified(text: str, gender: str | None) -> str:
    """ "1986-01-01（男性）": a text for one gender."""
    label = gender_label(gender)
    return gettext("%(text)s（%(gender)s）") % {"text": text, "gender": label} if label else text


def gender_label(gender: str | None) -> str:
    """ "男性" / "女性" (the review form's words); "" for no gender."""
    return str(dict(CHOICES[addresses.GENDER]).get(gender or "", "")) if gender else ""


def condition_value_label(parameter: str, value: Any) -> str:
    """A condition's value in words: a date as Y-m-d, a count, 是/否, a ratio as "2:1", a range as
    "1~2" ("1" when both ends are one); "—" for none."""
    if value is None or value == "":
        return "—"
    kind = PARAMETERS.get(parameter)
    if kind == BOOL or isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if kind == DATE:
        day = value_date(value)
        return day.isoformat() if day else str(value)
    if kind == RATIO:
        return f"{_plain_number(value)}:1"
    if kind == RANGE and isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = (_plain_number(v) for v in value)
        return low if low == high else f"{low}~{high}"
    return _plain_number(value) if isinstance(value, (int, float)) else str(value)


def _plain_number(value: Any) -> str:
    """2.0 → "2", 1.5 → "1.5" (no exponent, no trailing zeros)."""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


@dataclass(frozen=True)
class ConditionValue:
    """One value of a parameter as a page shows it: the value and its scope in words."""

    condition: Condition
    value: str  # "1986-01-01", "3", "是", "2:1", "1~2"; "指南未规定（已确认）" for a confirmed absence
    scope: str  # "全指南", "青年科学家项目（男性）", "方向 1.3"
    gender: str  # "男性" / "女性" when the value is for one gender, else ""
    qualified: str  # the value with its gender: "1986-01-01（男性）"

    @property
    def source(self) -> dict | None:
        return self.condition.source.to_json()


@dataclass(frozen=True)
class ApplicableCondition:
    """What applies for one parameter (guide.parsing.conditions.Applicable) in words: its label, its
    state, its values (one, one per gender, or the candidates of an ambiguous one) and what a reader
    must be told when the pre-check cannot check it."""

    parameter: str
    label: str
    state: str
    values: tuple[ConditionValue, ...]

    @property
    def warning(self) -> str:
        if self.state == MISSING:
            return gettext("指南中未读出此项，预审暂不检查")
        if self.state == AMBIGUOUS:
            return gettext("适用的取值不止一个，预审暂不检查")
        return ""


def _in_words(found: Applicable) -> ApplicableCondition:
    values = []
    for c in found.conditions:
        if found.state == ABSENT:
            value = str(dict(CHOICES[addresses.STATE])[ABSENT])
        else:
            value = condition_value_label(c.parameter, c.value)
        values.append(
            ConditionValue(
                condition=c,
                value=value,
                scope=scope_label(c.scope),
                gender=gender_label(c.scope.gender),
                qualified=_qualified(value, c.scope.gender),
            )
        )
    return ApplicableCondition(
        parameter=found.parameter,
        label=str(PARAMETER_LABELS.get(found.parameter, found.parameter)),
        state=found.state,
        values=tuple(values),
    )


def direction_conditions(
    *, direction: Direction, conditions: list[Condition] | None = None
) -> list[ApplicableCondition]:
    """The conditions that apply in a direction, parameter by parameter, in words (the direction page)."""
    return [_in_words(found) for found in direction_applicable(direction=direction, conditions=conditions)]


def direction_applicable(
    *, direction: Direction, conditions: list[Condition] | None = None
) -> list[Applicable]:
    """What applies in a direction (its code and project types), parameter by parameter (the API).
    ``conditions``: the guide's (:func:`guide_conditions`), else read from ``direction.guide``."""
    if conditions is None:
        conditions = guide_conditions(guide=direction.guide)
    return applicable(conditions, direction=direction.code, types=direction.project_types or ())


@dataclass(frozen=True)
class ScopedConditions:
    """The conditions a project type (or one direction) sets apart from the whole call."""

    name: str  # the project type, or the direction's code
    direction_count: int  # directions of the type (1 for a direction)
    conditions: list[ApplicableCondition]


def call_conditions(*, guide: Guide) -> dict:
    """What the overview shows of the conditions beyond the call-wide values: ``types`` (each project
    type with its number of directions and the conditions set for it, as a proposal of that type gets
    them), ``directions`` (conditions a single direction sets, its matching ratio aside: the directions
    per ratio are summarised apart) and ``warnings`` (call-wide parameters the guide's value was not read
    for, or that are ambiguous: the pre-check cannot check them). One query (the directions' types)."""
    conditions = guide_conditions(guide=guide)
    direction_types = _direction_types(guide)
    types = []
    for name, count in _type_counts(direction_types):
        own = [
            _in_words(found)
            for found in applicable(conditions, direction=None, types=[name])
            if any(c.scope.project_type == name for c in found.conditions)
        ]
        types.append(ScopedConditions(name, count, own))
    scoped = {c.scope.direction for c in conditions if c.scope.direction}
    directions = []
    for code, its_types in direction_types:
        if code not in scoped:
            continue
        own = [
            _in_words(found)
            for found in applicable(conditions, direction=code, types=its_types)
            if found.parameter != "matching_ratio"
            and any(c.scope.direction == code for c in found.conditions)
        ]
        if own:
            directions.append(ScopedConditions(code, 1, own))
    warnings = [
        _in_words(found)
        for found in applicable(conditions, direction=None)
        if found.state in (MISSING, AMBIGUOUS)
    ]
    return {"types": types, "directions": directions, "warnings": warnings}


# --- versions and their review -----------------------------------------------------


def version_list() -> QuerySet[GuideVersion]:
    """Every version of every year for the versions page: newest year first (versions not read yet
    on top), with who made and published it, the number of corrected values and of items marked
    checked. One query; the parsed data is not loaded."""
    return (
        GuideVersion.objects.select_related("created_by", "published_by")
        .defer("data", "english")
        .annotate(
            correction_count=Count(
                "corrections__address", filter=Q(corrections__reverted_at__isnull=True), distinct=True
            ),
            checked_count=Count("check_marks", distinct=True),
        )
        .order_by(F("year").desc(nulls_first=True), "-number", "-id")
    )


def version_get(*, pk: int) -> GuideVersion:
    return get_object_or_404(GuideVersion.objects.select_related("created_by", "published_by"), pk=pk)


def version_published(*, year: int) -> GuideVersion | None:
    """The version of a year published now (None when none is)."""
    return GuideVersion.objects.filter(year=year, status=GuideVersion.Status.PUBLISHED).first()


@dataclass
class FieldView:
    """One correctable value on the review page."""

    address: str
    name: str  # the form field's name: the address's last part ("value", "unit" …)
    label: str
    kind: str
    parsed: Any  # as read
    value: Any  # with the corrections
    text: str  # what the form shows: the current value as typed, or what was sent back
    source: dict | None = None
    correction: GuideCorrection | None = None  # the one in force
    history: list[GuideCorrection] = field(default_factory=list)  # every correction, oldest first
    errors: list[str] = field(default_factory=list)

    @property
    def corrected(self) -> bool:
        return self.correction is not None

    @cached_property
    def parsed_display(self) -> str:
        return display_value(self.kind, self.parsed)

    @cached_property
    def display(self) -> str:
        return display_value(self.kind, self.value)

    @cached_property
    def widget(self) -> str:
        if self.kind == addresses.LONGTEXT:
            return "textarea"
        if self.kind == addresses.PARTNER_LIST:
            return "checkboxes"
        return "select" if self.kind in CHOICES or self.kind in LAZY_CHOICES else "text"

    @cached_property
    def choices(self) -> list[tuple[str, str]]:
        if self.kind in LAZY_CHOICES:
            return LAZY_CHOICES[self.kind]()
        return [(value, str(label)) for value, label in CHOICES.get(self.kind, ())]

    @cached_property
    def ticked(self) -> set[str]:
        """A list's values as the boxes show them ticked."""
        return {v for v in re.split(r"[,，、\s]+", self.text or "") if v}


@dataclass
class NoticeView:
    message: str
    severity: str  # "warning" or "check"
    item: str | None
    source: dict | None = None
    item_label: str = ""
    anchor: str = ""


@dataclass
class ItemView:
    """An item (a general value, an area, a direction, an indicator …) with its correctable values."""

    item: str
    label: str
    section: str  # "general", "area", "direction", "indicator", "partner", "clause"
    fields: list[FieldView]
    source: dict | None = None
    row: dict = field(default_factory=dict)  # the item's own data (effective), for the tables
    notices: list[NoticeView] = field(default_factory=list)
    uncertain: bool = False  # an indicator read without a comparator or a value
    open: bool = False  # its correction form is shown open (it was sent back with errors)
    errors: list[str] = field(default_factory=list)
    reason: str = ""
    checked: GuideCheckMark | None = None  # an officer's "checked" on an item to check

    @property
    def to_check(self) -> bool:
        """The reading asks a person to check it (a notice "to check", or an indicator read without its
        comparator or value): it can be marked checked."""
        return self.uncertain or any(n.severity == CHECK for n in self.notices)

    @property
    def open_check_count(self) -> int:
        """Its notices "to check" not marked checked yet."""
        return 0 if self.checked else sum(1 for n in self.notices if n.severity == CHECK)

    @property
    def anchor(self) -> str:
        return anchor_of(self.item)

    @property
    def corrected(self) -> bool:
        return any(f.corrected for f in self.fields)

    @property
    def has_history(self) -> bool:
        return any(f.history for f in self.fields)

    @property
    def severity(self) -> str | None:
        severities = {n.severity for n in self.notices}
        if ERROR in severities:
            return ERROR
        return WARNING if WARNING in severities else (CHECK if severities else None)


@dataclass
class DirectionView:
    item: ItemView
    indicators: list[ItemView]
    partners: list[ItemView]

    def _items(self):
        yield self.item
        yield from self.indicators
        yield from self.partners

    @property
    def warning_count(self) -> int:
        return sum(1 for i in self._items() for n in i.notices if n.severity == WARNING)

    @property
    def check_count(self) -> int:
        """Errors and notices to check, less those of items marked checked."""
        return sum(
            i.open_check_count + sum(1 for n in i.notices if n.severity == ERROR) for i in self._items()
        )

    @property
    def correction_count(self) -> int:
        return sum(1 for i in self._items() for f in i.fields if f.corrected)


@dataclass
class AttentionGroup:
    """The items needing attention of one direction ("1.2") or of the rest of the guide ("")."""

    key: str
    label: str
    items: list[ItemView]

    @property
    def warning_count(self) -> int:
        return sum(1 for i in self.items for n in i.notices if n.severity in (WARNING, ERROR))

    @property
    def error_count(self) -> int:
        return sum(1 for i in self.items for n in i.notices if n.severity == ERROR)

    @property
    def to_check_count(self) -> int:
        return sum(1 for i in self.items if i.to_check)

    @property
    def checked_count(self) -> int:
        return sum(1 for i in self.items if i.to_check and i.checked)

    @property
    def settled(self) -> bool:
        """Nothing but items marked checked."""
        return self.warning_count == 0 and self.checked_count == self.to_check_count

    @property
    def open(self) -> bool:
        """Shown open: it has a warning or an error. Groups of items to check only stay closed, their
        summary saying how many are checked (the 2022 guide has 52 in 27 groups); a link to an item
        opens its group."""
        return self.warning_count > 0


def _direction_code(item: str) -> str | None:
    """The direction an item belongs to ("directions[1.1].indicators[3]" → "1.1"), else None."""
    match = re.match(r"^directions\[([^\]]+)\]", item or "")
    return match.group(1) if match else None


@dataclass
class Review:
    version: GuideVersion
    data: dict  # with the corrections
    items: dict[str, ItemView]
    general: list[ItemView]
    eligibility: list[ItemView]
    conditions: list[ItemView]  # scoped conditions, second readings and values not found
    areas: list[ItemView]
    directions: list[DirectionView]
    clauses: list[ItemView]
    attention: list[ItemView]  # warnings first, then items to check, then uncertain indicators
    notices: list[NoticeView]  # about the whole document (and corrections that could not be carried)
    problems: list["ProblemView"]  # corrections that no longer apply
    corrections: list[GuideCorrection]
    carried: dict
    published: GuideVersion | None  # the version of the year published now

    @property
    def editable(self) -> bool:
        return self.version.status == GuideVersion.Status.DRAFT

    @property
    def warning_count(self) -> int:
        return sum(1 for n in self._all_notices() if n.severity == WARNING)

    @property
    def error_count(self) -> int:
        """Conflicting conditions: publishing is refused until they are settled."""
        return sum(1 for n in self._all_notices() if n.severity == ERROR)

    @property
    def check_count(self) -> int:
        """Notices to check still open: those of the document and of items not marked checked."""
        return sum(1 for n in self.notices if n.severity == CHECK) + sum(
            i.open_check_count for i in self.items.values()
        )

    @property
    def to_check_count(self) -> int:
        """Items to check (marked or not)."""
        return sum(1 for i in self.items.values() if i.to_check)

    @property
    def checked_count(self) -> int:
        """Items to check marked checked."""
        return sum(1 for i in self.items.values() if i.to_check and i.checked)

    @cached_property
    def attention_groups(self) -> list[AttentionGroup]:
        """The items needing attention by where they are: the general part (values, conditions, areas,
        formal review) and each direction, in the guide's order but the groups with an error and then
        those with a warning first; each group's items in the order of ``attention`` (errors, warnings,
        items to check, uncertain indicators)."""
        titles = {d.item.row.get("code"): d.item.row.get("title", "") for d in self.directions}
        groups: dict[str, AttentionGroup] = {}
        for item in self.attention:
            code = _direction_code(item.item)
            key = code if code in titles else ""
            if key not in groups:
                label = (
                    gettext("方向 %(code)s %(title)s") % {"code": key, "title": titles[key]}
                    if key
                    else gettext("总体情况、申报条件与形式审查")
                )
                groups[key] = AttentionGroup(key, label.strip(), [])
            groups[key].items.append(item)
        order = {key: n for n, key in enumerate(["", *titles])}
        found = sorted(groups.values(), key=lambda g: order[g.key])
        # the groups with an error, then those with a warning, first: they are what blocks or misleads
        return sorted(found, key=lambda g: (not g.error_count, not g.warning_count))

    @property
    def correction_count(self) -> int:
        return len({c.address for c in self.corrections if c.reverted_at is None})

    def _all_notices(self):
        yield from self.notices
        for item in self.items.values():
            yield from item.notices


CHOICES = {
    addresses.COMPARATOR: [("", "—")] + [(c, COMPARATOR_SYMBOLS.get(c, c)) for c in COMPARATORS],
    addresses.STRENGTH: list(PartnerRequirement.Strength.choices),
    addresses.BOOL: [("", "—"), ("true", _("是")), ("false", _("否"))],
    addresses.FLAG: [("true", _("是")), ("false", _("否"))],
    addresses.GENDER: [("", _("不限")), ("male", _("男性")), ("female", _("女性"))],
    addresses.STATE: [
        ("stated", _("已规定")),
        ("missing", _("待确认（未读出）")),
        ("absent", _("指南未规定（已确认）")),
        ("ignored", _("不采用")),
    ],
}

# Choices whose words are the partner codes' (in the active language, so made when shown).
LAZY_CHOICES = {
    addresses.INSTITUTION_KIND: lambda: [(c, partner_code_name(c)) for c in INSTITUTION_KIND_CODES],
    addresses.LICENCE: lambda: [(c, partner_code_name(c)) for c in LICENCE_CODES],
    addresses.PARTNER_LIST: lambda: [(c, continent_name(c)) for c in CONTINENT_CODES],
}

# The conditions' parameters, as the review page names them.
PARAMETER_LABELS = {
    "pi_born_on_or_after": _("项目负责人出生不早于"),
    "task_lead_born_on_or_after": _("课题负责人出生不早于"),
    "unit_registered_by": _("单位注册不晚于"),
    "max_units": _("参与单位总数上限"),
    "max_domestic_units": _("中方参与单位上限"),
    "min_foreign_units": _("国（境）外单位下限"),
    "max_duration_years": _("实施周期上限（年）"),
    "subtasks_allowed": _("可下设课题"),
    "max_subtasks": _("下设课题数上限"),
    "matching_ratio": _("配套经费比例"),
    "projects_supported": _("拟支持项目数"),
}
_CONDITION_FIELD_LABELS = {
    "value": _("取值"),
    "project_type": _("项目类型"),
    "direction": _("指南方向"),
    "gender": _("性别"),
    "state": _("状态"),
}


def condition_label(row: dict) -> str:
    """ "青年科学家项目（男性） · 项目负责人出生不早于": a condition's scope and parameter."""
    return f"{scope_label(Scope.from_json(row.get('scope')))} · {PARAMETER_LABELS.get(row.get('parameter'), row.get('parameter'))}"


def display_value(kind: str, value) -> str:
    """A value as the review page shows it: "—" for none, 是/否, ≥ for ">=", lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if kind == addresses.COMPARATOR:
        return COMPARATOR_SYMBOLS.get(value, value)
    if kind == addresses.STRENGTH:
        return (
            str(PartnerRequirement.Strength(value).label)
            if value in PartnerRequirement.Strength.values
            else value
        )
    if kind == addresses.PARTNER_LIST and isinstance(value, (list, tuple)):
        return continent_names(value)  # "asia、europe" → 亚洲、欧洲 / Asia and Europe
    if kind in (addresses.INSTITUTION_KIND, addresses.LICENCE):
        return partner_code_name(value) or str(value)  # "hgr_preservation" → what it requires
    if isinstance(value, (list, tuple)):
        return join_words(value)
    return addresses.format_value(value)


@dataclass
class ProblemView:
    """A correction that could not be applied (``guide.parsing.addresses.Problem``) with the label of
    the value it was for."""

    problem: addresses.Problem
    label: str

    def __getattr__(self, name: str):  # address, value, code, message, params
        if name == "problem":
            raise AttributeError(name)
        return getattr(self.problem, name)


def address_label(address: str, items: dict[str, ItemView]) -> str:
    """A value's address as the review page names it: "方向 1.1 · 指标 4 · 数值" (the item's label and,
    when it has several values, the value's); an item the reading no longer has by its kind and
    number; an address that cannot be read stays as it is."""
    try:
        parsed = addresses.parse_address(address)
    except addresses.AddressError:
        return address
    view = items.get(addresses.item_of(parsed))
    if view is not None:
        field = next((f for f in view.fields if f.address == address), None)
        return view.label if field is None or len(view.fields) == 1 else f"{view.label} · {field.label}"
    key, n = parsed.key, (parsed.sub or 0) + 1
    if parsed.section == "indicators":
        return str(_("方向 %(code)s · 指标 %(n)s") % {"code": key, "n": n})
    if parsed.section == "partner_requirements":
        return str(_("方向 %(code)s · 合作要求 %(n)s") % {"code": key, "n": n})
    if parsed.section == "directions":
        return str(_("方向 %(code)s") % {"code": key})
    if parsed.section == "areas":
        return str(_("领域 %(n)s") % {"n": key})
    if parsed.section == "formal_review":
        return str(_("形式审查 %(clause)s") % {"clause": key})
    return address


def _kind_for(data: dict, address: str) -> str:
    """The kind of the value at ``address`` in ``data``; for an address the reading no longer has, what
    its name says (a comparator), else none."""
    try:
        return addresses.kind_of(data, address)
    except (addresses.AddressError, KeyError, TypeError, ValueError):
        return addresses.COMPARATOR if address.endswith(".comparator") else ""


def anchor_of(item: str) -> str:
    """An HTML id for an item: "directions[1.1].indicators[3]" → "item-directions-1-1-indicators-3"."""
    return "item-" + "-".join(part for part in re.split(r"[^0-9A-Za-z_]+", item) if part)


def _verbose(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


_GENERAL_LABELS = {
    "title": (Guide, "title"),
    "declared_direction_count": (Guide, "declared_direction_count"),
    "total_budget_yuan": (Guide, "total_budget_yuan"),
    "projects_per_direction.min": (Guide, "projects_min"),
    "projects_per_direction.max": (Guide, "projects_max"),
}
_FIELD_MODELS = {"area": Area, "direction": Direction, "indicator": Indicator, "partner": PartnerRequirement}


def _field_label(section: str, address: str, name: str) -> str:
    if address in _GENERAL_LABELS:
        return _verbose(*_GENERAL_LABELS[address])
    if address.startswith("eligibility."):
        return (
            str(PARAMETER_LABELS[name])
            if name in PARAMETER_LABELS and name not in _GUIDE_COLUMNS
            else _verbose(Guide, name)
        )
    if section == "condition":
        return str(_CONDITION_FIELD_LABELS[name])
    if section == "clause":
        return _verbose(FormalClause, name)
    if section == "partner" and name == "value":
        return _verbose(PartnerRequirement, "value")
    return _verbose(_FIELD_MODELS[section], name)


_GUIDE_COLUMNS = {f.name for f in Guide._meta.get_fields()}


def _notice_dict(raw) -> dict:
    if isinstance(raw, str):
        return {"message": notice_text(raw), "item": None, "severity": WARNING, "source": None}
    return {
        "message": notice_text(raw),
        "item": raw.get("item"),
        "severity": raw.get("severity") if raw.get("severity") in (CHECK, ERROR) else WARNING,
        "source": raw.get("source"),
    }


def scope_of_key(key: str) -> Scope:
    """A scope from its key ("type=青年科学家项目,gender=male"; "call" or "" for the whole call)."""
    parts = dict(part.partition("=")[::2] for part in (key or "").split(",") if "=" in part)
    return Scope(parts.get("type") or None, parts.get("direction") or None, parts.get("gender") or None)


def _notice_params(params: dict) -> dict[str, str]:
    """A notice's params in words: a condition's parameter by its label, its values as the review page
    shows them, its scope in words, lists joined."""
    separator = gettext("、")
    parameter = params.get("parameter")
    shown = {}
    for name, value in params.items():
        if name == "parameter":
            shown[name] = str(PARAMETER_LABELS.get(value, value))
        elif name == "scope":
            shown[name] = scope_label(scope_of_key("" if value == notices.CALL_SCOPE else str(value)))
        elif name == "values" and isinstance(value, list | tuple):
            shown[name] = separator.join(condition_value_label(str(parameter), v) for v in value)
        elif isinstance(value, list | tuple):
            shown[name] = separator.join(str(v) for v in value)
        else:
            shown[name] = str(value)
    return shown


def notice_text(raw) -> str:
    """A parser notice in the active language, from the catalogue (``guide.parsing.notices``). A notice
    an earlier reader stored as an English sentence only is recognised by its wording; one that is not
    is shown as stored."""
    if isinstance(raw, str):
        raw = {"message": raw}
    message = str(raw.get("message", ""))
    code, params = raw.get("code"), raw.get("params")
    if not code or not isinstance(params, dict):
        code, params = notices.recognise(message) or ("", {})
    text = notices.render(code, _notice_params(params), gettext=gettext) if code else None
    return text if text is not None else message


def version_review(*, version: GuideVersion) -> Review:
    """Everything the review page of a version shows: each item with its values as read and as
    corrected, who corrected what when and why, the notices attached to it and its source; the
    items needing attention first, with the marks of the items checked. Three queries (the corrections;
    the check marks; the year's published version)."""
    corrections = list(
        version.corrections.select_related("created_by", "reverted_by", "carried_from__version").order_by(
            "created_at", "id"
        )
    )
    parsed = version.data or {}
    data, problems = addresses.apply_corrections(parsed, active_corrections(corrections))
    in_force = {c.address: c for c in active_corrections(corrections)}
    history: dict[str, list[GuideCorrection]] = {}
    for c in corrections:
        history.setdefault(c.address, []).append(c)
    sources = data.get("sources") or {}

    def fields_of(item: str, section: str, source=None, per_field=None) -> list[FieldView]:
        result = []
        for address in addresses.item_addresses(parsed, item):
            name = address.rpartition(".")[2]
            value = addresses.get_value(data, address)
            result.append(
                FieldView(
                    address=address,
                    name=name,
                    label=_field_label(section, address, name),
                    kind=addresses.kind_of(parsed, address),
                    parsed=addresses.get_value(parsed, address),
                    value=value,
                    text=addresses.format_value(value),
                    source=per_field.get(name) if per_field is not None else source,
                    correction=in_force.get(address),
                    history=history.get(address, []),
                )
            )
        return result

    items: dict[str, ItemView] = {}

    def add(view: ItemView) -> ItemView:
        items[view.item] = view
        return view

    general = []
    for item in [*addresses.GENERAL_FIELDS, "projects_per_direction"]:
        source = sources.get(item)
        view = ItemView(item, "", "general", fields_of(item, "general", source), source)
        view.label = view.fields[0].label if len(view.fields) == 1 else str(_("每个方向拟支持项目数"))
        general.append(add(view))
    eligibility = []
    for name in addresses.ELIGIBILITY_FIELDS:
        item = f"eligibility.{name}"
        source = sources.get(item)
        view = ItemView(item, "", "general", fields_of(item, "general", source), source)
        view.label = view.fields[0].label
        eligibility.append(add(view))
    areas = [
        add(
            ItemView(
                f"areas[{a['number']}]",
                str(_("领域 %(n)s") % {"n": a["number"]}),
                "area",
                fields_of(f"areas[{a['number']}]", "area", a.get("source")),
                a.get("source"),
                row=a,
            )
        )
        for a in data.get("areas") or ()
    ]
    directions = []
    for d in data.get("directions") or ():
        code = d["code"]
        d_sources = d.get("sources") or {}
        d_item = f"directions[{code}]"
        view = add(
            ItemView(
                d_item,
                str(_("方向 %(code)s") % {"code": code}),
                "direction",
                fields_of(d_item, "direction", per_field=d_sources),
                d_sources.get("title"),
                row=d,
            )
        )
        indicators = []
        for n, i in enumerate(d.get("indicators") or (), start=1):
            i_item = f"{d_item}.indicators[{i['position']}]"
            parsed_i = (
                addresses.get_value(parsed, f"{i_item}.comparator"),
                addresses.get_value(parsed, f"{i_item}.value"),
            )
            indicators.append(
                add(
                    ItemView(
                        i_item,
                        str(_("方向 %(code)s · 指标 %(n)s") % {"code": code, "n": n}),
                        "indicator",
                        fields_of(i_item, "indicator", i.get("source")),
                        i.get("source"),
                        row={**i, "number": n},
                        uncertain=parsed_i[0] is None or parsed_i[1] is None,
                    )
                )
            )
        partners = [
            add(
                ItemView(
                    f"{d_item}.partner_requirements[{n}]",
                    str(_("方向 %(code)s · 合作要求 %(n)s") % {"code": code, "n": n + 1}),
                    "partner",
                    fields_of(f"{d_item}.partner_requirements[{n}]", "partner", r.get("source")),
                    r.get("source"),
                    row=r,
                )
            )
            for n, r in enumerate(d.get("partner_requirements") or ())
        ]
        directions.append(DirectionView(view, indicators, partners))
    clauses = [
        add(
            ItemView(
                f"formal_review[{c['clause']}]",
                str(_("形式审查 %(clause)s") % {"clause": c["clause"]}),
                "clause",
                fields_of(f"formal_review[{c['clause']}]", "clause", c.get("source")),
                c.get("source"),
                row=c,
            )
        )
        for c in data.get("formal_review") or ()
    ]
    conditions = [
        add(
            ItemView(
                f"conditions[{c['key']}]",
                condition_label(c),
                "condition",
                fields_of(f"conditions[{c['key']}]", "condition", c.get("source")),
                c.get("source"),
                row=c,
            )
        )
        for c in data.get("conditions") or ()
        if isinstance(c, dict) and "key" in c
    ]

    document_notices = []
    for raw in parsed.get("warnings") or ():
        notice = _notice_dict(raw)
        target = None
        if notice["item"]:
            fields = addresses.item_addresses(parsed, notice["item"])
            target = items.get(addresses.item_of(fields[0])) if fields else None
        view = NoticeView(
            notice["message"],
            notice["severity"],
            notice["item"],
            notice["source"] or (target.source if target else None),
            item_label=target.label if target else (notice["item"] or ""),
            anchor=target.anchor if target else "",
        )
        if target is not None:
            target.notices.append(view)
        else:
            document_notices.append(view)
    carried = dict(version.carried or {})
    carried["resolved"] = [
        {
            **entry,
            "shown": display_value(_kind_for(parsed, entry.get("address", "")), entry.get("value")),
            "label": address_label(entry.get("address", ""), items),
        }
        for entry in carried.get("resolved", ())
    ]
    for entry in carried.get("vanished", ()):
        label = address_label(entry["address"], items)
        document_notices.append(
            NoticeView(
                str(
                    _(
                        "沿用自 %(label)s 的更正无法应用：%(address)s 不在本次解析结果中（更正值 %(value)s，理由：%(reason)s）"
                    )
                    % {
                        "label": carried.get("from_label", ""),
                        "address": label,
                        "value": display_value(_kind_for(parsed, entry["address"]), entry.get("value")),
                        "reason": entry.get("reason", ""),
                    }
                ),
                WARNING,
                entry["address"],
                item_label=label,
            )
        )

    for mark in version.check_marks.select_related("checked_by"):
        view = items.get(mark.item)
        if view is not None:
            view.checked = mark

    ordered = list(items.values())
    attention = [v for v in ordered if v.severity == ERROR]
    attention += [v for v in ordered if v.severity == WARNING]
    attention += [v for v in ordered if v.severity == CHECK]
    attention += [v for v in ordered if v.uncertain and v.severity is None]
    document_notices.sort(key=lambda n: (n.severity != ERROR, n.severity != WARNING))
    return Review(
        version=version,
        data=data,
        items=items,
        general=general,
        eligibility=eligibility,
        conditions=conditions,
        areas=areas,
        directions=directions,
        clauses=clauses,
        attention=attention,
        notices=document_notices,
        problems=[ProblemView(p, address_label(p.address, items)) for p in problems],
        corrections=corrections,
        carried=carried,
        published=version_published(year=version.year) if version.year is not None else None,
    )
