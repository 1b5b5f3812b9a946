"""Plain dataclasses describing a parsed call guide (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Comparators an Indicator may carry; None means the indicator is qualitative.
COMPARATORS = (">=", ">", "<=", "<", "=", "range")

# PartnerRequirement kinds and strengths.
PARTNER_KINDS = ("foreign_countries", "continents", "institution_kind", "licence")
STRENGTH_REQUIRED = "required"  # a hard participation rule checked at application time
STRENGTH_INDICATOR = "indicator"  # a target to reach during the project (考核指标)


@dataclass(frozen=True)
class Indicator:
    position: int
    text: str
    subject: str | None = None
    comparator: str | None = None
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None

    @property
    def quantitative(self) -> bool:
        return self.comparator is not None


@dataclass(frozen=True)
class PartnerRequirement:
    kind: str
    value: Any  # int for foreign_countries, list[str] for continents, str code otherwise
    strength: str
    text: str
    counts_regions: bool = False  # True for the 国家（地区、国际组织）wording


@dataclass(frozen=True)
class Area:
    number: int
    title: str
    intro: str = ""


@dataclass(frozen=True)
class Direction:
    code: str
    area: int
    title: str
    research_content: str = ""
    research_items: list[str] = field(default_factory=list)
    indicators_text: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    matching_ratio: float | None = None
    notes: str = ""
    other_requirements: str = ""
    partner_requirements: list[PartnerRequirement] = field(default_factory=list)


@dataclass(frozen=True)
class Eligibility:
    pi_born_on_or_after: date | None = None
    unit_registered_by: date | None = None
    max_domestic_units: int | None = None
    min_foreign_units: int | None = None
    max_duration_years: int | None = None
    subtasks_allowed: bool | None = None


@dataclass(frozen=True)
class FormalClause:
    clause: str  # "1(1)", "2(3)", "4"
    section: int
    section_title: str
    text: str


@dataclass(frozen=True)
class ParsedGuide:
    year: int
    title: str
    declared_direction_count: int | None = None
    total_budget_yuan: int | None = None
    projects_per_direction: tuple[int, int] | None = None
    eligibility: Eligibility = field(default_factory=Eligibility)
    areas: list[Area] = field(default_factory=list)
    directions: list[Direction] = field(default_factory=list)
    formal_review: list[FormalClause] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def direction(self, code: str) -> Direction:
        for direction in self.directions:
            if direction.code == code:
                return direction
        raise KeyError(code)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def indicator_to_json(indicator: Indicator) -> dict:
    return {
        "position": indicator.position,
        "text": indicator.text,
        "subject": indicator.subject,
        "comparator": indicator.comparator,
        "value": indicator.value,
        "value_max": indicator.value_max,
        "unit": indicator.unit,
    }


def partner_requirement_to_json(requirement: PartnerRequirement) -> dict:
    value = requirement.value
    return {
        "kind": requirement.kind,
        "value": list(value) if isinstance(value, (list, tuple)) else value,
        "strength": requirement.strength,
        "counts_regions": requirement.counts_regions,
        "text": requirement.text,
    }


def to_json(guide: ParsedGuide) -> dict:
    """A JSON-ready dict with exactly the documented keys."""
    eligibility = guide.eligibility
    ppd = guide.projects_per_direction
    return {
        "year": guide.year,
        "title": guide.title,
        "declared_direction_count": guide.declared_direction_count,
        "total_budget_yuan": guide.total_budget_yuan,
        "projects_per_direction": {"min": ppd[0], "max": ppd[1]} if ppd else None,
        "eligibility": {
            "pi_born_on_or_after": _iso(eligibility.pi_born_on_or_after),
            "unit_registered_by": _iso(eligibility.unit_registered_by),
            "max_domestic_units": eligibility.max_domestic_units,
            "min_foreign_units": eligibility.min_foreign_units,
            "max_duration_years": eligibility.max_duration_years,
            "subtasks_allowed": eligibility.subtasks_allowed,
        },
        "areas": [{"number": a.number, "title": a.title, "intro": a.intro} for a in guide.areas],
        "directions": [
            {
                "code": d.code,
                "area": d.area,
                "title": d.title,
                "research_content": d.research_content,
                "research_items": list(d.research_items),
                "indicators_text": d.indicators_text,
                "indicators": [indicator_to_json(i) for i in d.indicators],
                "matching_ratio": d.matching_ratio,
                "notes": d.notes,
                "other_requirements": d.other_requirements,
                "partner_requirements": [partner_requirement_to_json(p) for p in d.partner_requirements],
            }
            for d in guide.directions
        ],
        "formal_review": [
            {"clause": c.clause, "section": c.section, "text": c.text} for c in guide.formal_review
        ],
        "warnings": list(guide.warnings),
    }
