"""The contract between the screening service and the pure rule functions.

The service builds these dataclasses from the database, calls
``screening.rules.registry.run_rules(ctx)`` and persists the returned
``Finding`` objects (``Finding.to_dict()`` is JSON-serialisable).

Conventions
-----------
* Money is in 万元 as ``Decimal``.
* Nationality / country codes are ISO 3166-1 alpha-2; ``"CN"`` means mainland
  China, ``"HK"``, ``"MO"``, ``"TW"`` are the regions (港澳台), anything else is a
  foreign country. ``None`` means unknown.
* A person is identified by ID number (``PersonSnap.id_number``), never by name.
* ``None`` in a registry means "never loaded" (the rule reports ``unknown``); an
  empty collection means "loaded, nobody on it".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from screening.rules.text import (
    CONTENT_SIMILARITY_THRESHOLD,
    TITLE_SIMILARITY_THRESHOLD,
    content_fingerprints,
    content_similarity,
    normalise_name,
    title_similarity,
)

__all__ = [
    "CONTENT_SIMILARITY_THRESHOLD",
    "STATUSES",
    "TITLE_SIMILARITY_THRESHOLD",
    "CrossIndex",
    "DirectionParams",
    "Finding",
    "GuideParams",
    "IndicatorSpec",
    "OngoingEntry",
    "OtherProposal",
    "OtherRef",
    "PartnerReq",
    "PersonSnap",
    "ProposalSnapshot",
    "Registries",
    "RuleContext",
    "UnitSnap",
    "content_fingerprints",
    "content_similarity",
    "title_similarity",
    "unit_key",
]

PASS = "pass"
FAIL = "fail"
WARN = "warn"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
STATUSES = (PASS, FAIL, WARN, UNKNOWN, NOT_APPLICABLE)

MAINLAND = "CN"
REGIONS = frozenset({"HK", "MO", "TW"})


# --- guide ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    """One 考核指标 item. ``comparator`` is ``">=", ">", "<=", "<", "=", "range"`` or
    ``None`` (qualitative); for ``"range"`` the bounds are ``value``..``value_max``."""

    subject: str | None
    comparator: str | None
    value: float | None
    value_max: float | None = None
    unit: str | None = None
    text: str = ""

    @classmethod
    def from_indicator(cls, ind: Any) -> IndicatorSpec:
        """Build from anything with the parser's ``Indicator`` attributes."""
        return cls(
            subject=getattr(ind, "subject", None),
            comparator=getattr(ind, "comparator", None),
            value=getattr(ind, "value", None),
            value_max=getattr(ind, "value_max", None),
            unit=getattr(ind, "unit", None),
            text=getattr(ind, "text", "") or "",
        )


@dataclass(frozen=True)
class PartnerReq:
    """A direction's partner requirement.

    kind / value:
      * ``"foreign_countries"`` — value: minimum number (int) of countries;
      * ``"continents"`` — value: tuple of continents (``"asia"``, ``"europe"``,
        ``"americas"``, ``"north_america"``, ``"south_america"``, ``"africa"``,
        ``"oceania"``; the Chinese names 亚洲, 欧洲, 美洲… are accepted too);
      * ``"institution_kind"`` — value: ``"third_party_testing"``;
      * ``"licence"`` — value: ``"hgr_license"`` (人类遗传资源保藏行政许可).
    strength: ``"required"`` (须有…, 应包括…: fail when unmet) or ``"indicator"``
    (a 考核指标 still to be reached, e.g. 同…开展合作: warn when unmet).
    counts_regions: HK/MO/TW and international organisations count
    (…国家（地区、国际组织）…).
    min_count: how many units are needed for institution_kind / licence.
    """

    kind: str
    value: Any
    strength: str = "required"
    counts_regions: bool = False
    text: str = ""
    min_count: int = 1


@dataclass(frozen=True)
class DirectionParams:
    code: str
    title: str
    text: str = ""  # research content + indicators, for relevance
    matching_ratio: Decimal | float | None = None  # 配套:国拨, e.g. 2 for "2:1"
    indicators: list[IndicatorSpec] = dataclasses.field(default_factory=list)
    partner_reqs: list[PartnerReq] = dataclasses.field(default_factory=list)
    project_types: tuple[str, ...] = ()  # the types of its title tag (scopes conditions)


@dataclass(frozen=True)
class GuideParams:
    """Limits of one year's guide.

    ``conditions`` (guide.parsing.conditions.Condition, every scope) is what the rules resolve, through
    ``screening.rules.base.guide_condition``; when it is None (a guide given by its call-wide limits
    only, as tests do) the call-wide fields below stand for it, ``None`` = the guide sets none."""

    year: int
    pi_born_on_or_after: date | None = None
    unit_registered_by: date | None = None
    max_domestic_units: int | None = None
    min_foreign_units: int | None = None
    max_duration_years: int | None = None
    directions: dict[str, DirectionParams] = dataclasses.field(default_factory=dict)
    formal_clauses: dict[str, str] = dataclasses.field(default_factory=dict)  # "2(1)" → text
    conditions: tuple | None = None


# --- proposal --------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSnap:
    """The PI (``index=None``) or a key member (``index`` = position in
    ``ProposalSnapshot.members``)."""

    name: str | None = None
    id_number: str | None = None
    birth_date: date | None = None
    nationality: str | None = None
    title: str | None = None  # professional title (职称)
    degree: str | None = None
    employer: str | None = None
    employment: str | None = None  # "full_time" / "part_time" / None
    employment_proofs: int | None = None
    civil_servant: bool | None = None
    gender: str | None = None  # "male" / "female" as stated; None = not stated
    role: str | None = None  # "pi" / "member" (free text allowed)
    index: int | None = None

    def path(self, field: str | None = None) -> str:
        base = "pi" if self.index is None else f"members[{self.index}]"
        return f"{base}.{field}" if field else base


@dataclass(frozen=True)
class UnitSnap:
    name: str | None = None
    credit_code: str | None = None  # 统一社会信用代码
    country: str | None = None
    type: str | None = None  # university / research_institute / enterprise / state_organ /
    #                          international_organization / other
    registered_on: date | None = None
    role: str | None = None  # "lead" / "participant"
    third_party_testing: bool = False
    hgr_license: bool = False
    index: int = 0

    def path(self, field: str | None = None) -> str:
        base = f"units[{self.index}]"
        return f"{base}.{field}" if field else base


@dataclass(frozen=True)
class ProposalSnapshot:
    id: int
    reference: str
    guide_year: int | None = None
    direction: str | None = None
    title: str | None = None
    recommender: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    national_funding: Decimal | None = None  # 万元
    matching_funding: Decimal | None = None  # 万元
    research_content: str | None = None
    indicators_text: str | None = None
    # Pre-parsed 考核指标 of the proposal; None → parse ``indicators_text`` with
    # guide.parsing.indicators.parse_indicators.
    indicators: list[IndicatorSpec] | None = None
    # {"recommendation_letter", "cooperation_agreement", "employment_proof"}; None = not loaded
    attachments: frozenset[str] | set[str] | None = frozenset()
    pi: PersonSnap | None = None
    members: list[PersonSnap] = dataclasses.field(default_factory=list)
    units: list[UnitSnap] = dataclasses.field(default_factory=list)
    # 课题; None = the proposal format has no subtasks (not asked), [] = none
    subtasks: list[SubtaskSnap] | None = None


@dataclass(frozen=True)
class SubtaskSnap:
    """A 课题 of the proposal and its lead."""

    name: str | None = None
    lead_unit: str | None = None
    lead: PersonSnap | None = None
    national_funding: Decimal | None = None  # 万元
    index: int = 0

    def path(self, field: str | None = None) -> str:
        base = f"subtasks[{self.index}]"
        return f"{base}.{field}" if field else base


# --- registries and cross-proposal index -----------------------------------------------


@dataclass(frozen=True)
class OngoingEntry:
    id_number: str
    name: str | None = None
    role: str = "project_lead"  # "project_lead" | "task_lead" (任务或课题负责人)
    program: str | None = None


@dataclass(frozen=True)
class Registries:
    ongoing_projects: list[OngoingEntry] | None = None
    misconduct_people: set[str] | frozenset[str] | None = None  # ID numbers
    misconduct_units: set[str] | frozenset[str] | None = None  # credit codes or names
    guide_experts: set[str] | frozenset[str] | None = None  # ID numbers
    recommenders: set[str] | frozenset[str] | None = None  # designated recommender names
    # the version of each registry read (0: not loaded); recorded on the run, not used by rules
    versions: dict[str, int] = dataclasses.field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class OtherRef:
    id: int
    reference: str
    role: str = "member"  # "pi" | "member" in that other proposal


@dataclass(frozen=True)
class OtherProposal:
    id: int
    reference: str
    title: str | None = None
    research_content: str | None = None
    pi_id_number: str | None = None
    lead_unit_key: str | None = None  # unit_key() of its lead unit
    recommender: str | None = None


@dataclass(frozen=True)
class CrossIndex:
    """Precomputed by the service with indexed queries over the same guide year.

    * ``other_pi_proposals`` — references of *other* proposals whose PI has this
      proposal's PI ID number;
    * ``person_proposals`` — ID number → other proposals where that person is PI or
      member;
    * ``duplicate_candidates`` — proposals sharing the PI or the lead unit, plus the
      ones sharing a ``content_fingerprints`` key.
    """

    other_pi_proposals: list[str] = dataclasses.field(default_factory=list)
    person_proposals: dict[str, list[OtherRef]] = dataclasses.field(default_factory=dict)
    duplicate_candidates: list[OtherProposal] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class RuleContext:
    proposal: ProposalSnapshot
    guide: GuideParams | None
    registries: Registries
    cross: CrossIndex | None
    today: date


# --- findings ------------------------------------------------------------------------


@dataclass
class Finding:
    rule: str
    status: str
    clause: str
    message_id: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    evidence: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    field: str | None = None
    fix_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status,
            "clause": self.clause,
            "message_id": self.message_id,
            "params": self.params,
            "evidence": self.evidence,
            "field": self.field,
            "fix_id": self.fix_id,
        }


# --- helpers -------------------------------------------------------------------------


def unit_key(unit: UnitSnap | Any) -> str:
    """Identity of a unit: the upper-cased credit code, else the normalised name
    (spaces/punctuation stripped, full-width → half-width, lower-case)."""
    code = (getattr(unit, "credit_code", None) or "").strip()
    if code:
        return normalise_name(code).upper()
    return normalise_name(getattr(unit, "name", None))
