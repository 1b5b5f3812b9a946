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


# ---------------------------------------------------------------------------
# Layout and provenance
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle on a PDF page: ``page`` 1-based, coordinates in PDF points from the page's top-left."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    def to_json(self) -> list:
        return [self.page, round(self.x0, 1), round(self.top, 1), round(self.x1, 1), round(self.bottom, 1)]

    @classmethod
    def from_json(cls, data) -> Box:
        page, x0, top, x1, bottom = data
        return cls(int(page), float(x0), float(top), float(x1), float(bottom))


@dataclass(frozen=True)
class Source:
    """Where a parsed value was read: the document's blocks (paragraph numbers, 1-based, in reading
    order after page furniture is dropped) and, for a PDF, the pages (1-based) and the line boxes."""

    blocks: tuple[int, ...] = ()
    boxes: tuple[Box, ...] = ()

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted({box.page for box in self.boxes}))

    @property
    def page(self) -> int | None:
        pages = self.pages
        return pages[0] if pages else None

    def __bool__(self) -> bool:
        return bool(self.blocks or self.boxes)

    def merge(self, *others: Source | None) -> Source:
        blocks = list(self.blocks)
        boxes = list(self.boxes)
        for other in others:
            if not other:
                continue
            blocks.extend(b for b in other.blocks if b not in blocks)
            boxes.extend(b for b in other.boxes if b not in boxes)
        return Source(tuple(blocks), tuple(boxes))

    def to_json(self) -> dict | None:
        if not self:
            return None
        return {
            "blocks": list(self.blocks),
            "pages": list(self.pages),
            "boxes": [box.to_json() for box in self.boxes],
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Source:
        if not data:
            return cls()
        return cls(
            tuple(int(b) for b in data.get("blocks", ())),
            tuple(Box.from_json(b) for b in data.get("boxes", ())),
        )


NO_SOURCE = Source()


@dataclass(frozen=True)
class Block:
    """A paragraph or heading as a reader found it, with its layout.

    ``index`` is 1-based in reading order. ``boxes`` has one box per line (PDF only). ``size`` is the
    median font size in points (PDF, DOCX when set). ``bold``: most of its characters are bold;
    ``centred``: centred between the margins (PDF) or centre-aligned (DOCX); ``indented``: its first
    line starts right of the left margin (PDF) or has a first-line indent (DOCX); ``full_width``: its
    last line reaches the right margin (PDF; a full last line is a hint that the paragraph goes on past
    a page break); ``heading``: a DOCX heading style or outline level.
    """

    index: int
    text: str
    boxes: tuple[Box, ...] = ()
    size: float | None = None
    bold: bool = False
    centred: bool = False
    indented: bool = False
    full_width: bool = False
    heading: bool = False
    line_chars: tuple[int, ...] = ()  # characters per line (PDF), to point at the lines of a part

    @property
    def source(self) -> Source:
        return Source((self.index,), self.boxes)

    def span_source(self, start: int, end: int) -> Source:
        """The source of ``text[start:end]``: this block, and the lines that hold that span (PDF lines
        are found in proportion to their length: normalising the text changes lengths a little)."""
        if not self.boxes or len(self.line_chars) != len(self.boxes) or not self.text:
            return self.source
        total = sum(self.line_chars) or 1
        scale = total / len(self.text)
        first, last = start * scale, max(start + 1, end) * scale
        boxes, position = [], 0
        for box, count in zip(self.boxes, self.line_chars, strict=True):
            if position + count > first and position < last:
                boxes.append(box)
            position += count
        return Source((self.index,), tuple(boxes) or self.boxes)


# Severity of a Notice: an inconsistency of the document or the parse, or an item a person should check;
# an ERROR blocks publishing until an officer settles it (a parameter stated with conflicting values).
WARNING = "warning"
CHECK = "check"
ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """A warning attached to the item it concerns.

    ``item`` is an address (see :mod:`guide.parsing.addresses`): ``"directions[1.1]"``,
    ``"directions[1.1].indicators[3]"``, ``"formal_review[1(2)]"``, ``"eligibility.pi_born_on_or_after"``,
    ``"areas[2]"``, or ``None`` for the whole document.

    ``code`` and ``params`` say what it is (:mod:`guide.parsing.notices`: people read it in their
    language from the gettext catalogue); ``message`` is its English sentence, for logs and the
    command line. Notices of earlier readers have a message only.
    """

    message: str
    item: str | None = None
    source: Source = NO_SOURCE
    severity: str = WARNING
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict:
        data = {
            "message": self.message,
            "item": self.item,
            "severity": self.severity,
            "source": self.source.to_json(),
        }
        if self.code:
            data["code"] = self.code
            data["params"] = dict(self.params)
        return data

    @classmethod
    def from_json(cls, data) -> Notice:
        if isinstance(data, str):
            return cls(data)
        params = data.get("params")
        return cls(
            data["message"],
            data.get("item"),
            Source.from_json(data.get("source")),
            data.get("severity", WARNING),
            str(data.get("code") or ""),
            dict(params) if isinstance(params, dict) else {},
        )


# ---------------------------------------------------------------------------
# The parsed guide
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    position: int
    text: str
    subject: str | None = None
    comparator: str | None = None
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    source: Source = NO_SOURCE

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
    source: Source = NO_SOURCE


@dataclass(frozen=True)
class Area:
    number: int
    title: str
    intro: str = ""
    source: Source = NO_SOURCE  # the heading


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
    # The project types of its title's tag ("（青年科学家项目）" → ["青年科学家项目"]); the tag leaves the title.
    project_types: list[str] = field(default_factory=list)
    # Where each field was read: keys "title", "research_content", "indicators_text", "matching_ratio",
    # "notes", "other_requirements" (only those found).
    sources: dict[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class Eligibility:
    pi_born_on_or_after: date | None = None
    unit_registered_by: date | None = None
    max_domestic_units: int | None = None
    min_foreign_units: int | None = None
    max_duration_years: int | None = None
    subtasks_allowed: bool | None = None
    # Read from the phrasings of other guides of the family (None when the guide does not say).
    max_units: int | None = None  # 项目参与单位总数
    max_subtasks: int | None = None  # 下设课题数不超过 N 个
    task_lead_born_on_or_after: date | None = None  # 课题负责人……以后出生
    matching_ratio: float | None = None  # a call-wide 配套/其他经费 : 国拨/中央财政经费


@dataclass(frozen=True)
class FormalClause:
    clause: str  # "1(1)", "2(3)", "4"
    section: int
    section_title: str
    text: str
    source: Source = NO_SOURCE


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
    warnings: list[Notice] = field(default_factory=list)
    # Conditions beyond the call-wide values of ``eligibility``: scoped to a project type, a direction or
    # the PI's gender, a second call-wide value, and placeholders for expected values not found
    # (guide.parsing.conditions.Condition).
    conditions: list = field(default_factory=list)
    # Where the general values were read: keys "title", "year", "declared_direction_count",
    # "total_budget_yuan", "projects_per_direction" and "eligibility.<field>" (only those found).
    sources: dict[str, Source] = field(default_factory=dict)
    document_kind: str = "text"  # "pdf", "docx" or "text"
    page_sizes: list[tuple[float, float]] = field(default_factory=list)  # PDF: (width, height) per page

    @property
    def problems(self) -> list[Notice]:
        """The warnings proper (inconsistencies), without the items merely worth a check."""
        return [w for w in self.warnings if getattr(w, "severity", WARNING) != CHECK]

    def direction(self, code: str) -> Direction:
        for direction in self.directions:
            if direction.code == code:
                return direction
        raise KeyError(code)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _sources_json(sources: dict[str, Source]) -> dict:
    return {key: source.to_json() for key, source in sources.items() if source}


def _sources(data: dict | None) -> dict[str, Source]:
    return {key: Source.from_json(value) for key, value in (data or {}).items() if value}


def indicator_to_json(indicator: Indicator) -> dict:
    return {
        "position": indicator.position,
        "text": indicator.text,
        "subject": indicator.subject,
        "comparator": indicator.comparator,
        "value": indicator.value,
        "value_max": indicator.value_max,
        "unit": indicator.unit,
        "source": indicator.source.to_json(),
    }


def partner_requirement_to_json(requirement: PartnerRequirement) -> dict:
    value = requirement.value
    return {
        "kind": requirement.kind,
        "value": list(value) if isinstance(value, (list, tuple)) else value,
        "strength": requirement.strength,
        "counts_regions": requirement.counts_regions,
        "text": requirement.text,
        "source": requirement.source.to_json(),
    }


def to_json(guide: ParsedGuide) -> dict:
    """A JSON-ready dict with exactly the documented keys; :func:`from_json` reads it back."""
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
            "max_units": eligibility.max_units,
            "max_subtasks": eligibility.max_subtasks,
            "task_lead_born_on_or_after": _iso(eligibility.task_lead_born_on_or_after),
            "matching_ratio": eligibility.matching_ratio,
        },
        "areas": [
            {"number": a.number, "title": a.title, "intro": a.intro, "source": a.source.to_json()}
            for a in guide.areas
        ],
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
                "project_types": list(d.project_types),
                "sources": _sources_json(d.sources),
            }
            for d in guide.directions
        ],
        "formal_review": [
            {
                "clause": c.clause,
                "section": c.section,
                "section_title": c.section_title,
                "text": c.text,
                "source": c.source.to_json(),
            }
            for c in guide.formal_review
        ],
        "warnings": [
            w.to_json() if isinstance(w, Notice) else Notice(str(w)).to_json() for w in guide.warnings
        ],
        "conditions": [c.to_json() for c in guide.conditions],
        "sources": _sources_json(guide.sources),
        "document_kind": guide.document_kind,
        "page_sizes": [list(size) for size in guide.page_sizes],
    }


def from_json(data: dict) -> ParsedGuide:
    """The :class:`ParsedGuide` of a :func:`to_json` dict (a stored or corrected version)."""
    eligibility = data.get("eligibility") or {}
    ppd = data.get("projects_per_direction")
    return ParsedGuide(
        year=int(data["year"]),
        title=data["title"],
        declared_direction_count=data.get("declared_direction_count"),
        total_budget_yuan=data.get("total_budget_yuan"),
        projects_per_direction=(ppd["min"], ppd["max"]) if ppd else None,
        eligibility=Eligibility(
            pi_born_on_or_after=_date(eligibility.get("pi_born_on_or_after")),
            unit_registered_by=_date(eligibility.get("unit_registered_by")),
            max_domestic_units=eligibility.get("max_domestic_units"),
            min_foreign_units=eligibility.get("min_foreign_units"),
            max_duration_years=eligibility.get("max_duration_years"),
            subtasks_allowed=eligibility.get("subtasks_allowed"),
            max_units=eligibility.get("max_units"),
            max_subtasks=eligibility.get("max_subtasks"),
            task_lead_born_on_or_after=_date(eligibility.get("task_lead_born_on_or_after")),
            matching_ratio=eligibility.get("matching_ratio"),
        ),
        areas=[
            Area(a["number"], a["title"], a.get("intro", ""), Source.from_json(a.get("source")))
            for a in data.get("areas", ())
        ],
        directions=[
            Direction(
                code=d["code"],
                area=d["area"],
                title=d["title"],
                research_content=d.get("research_content", ""),
                research_items=list(d.get("research_items", ())),
                indicators_text=d.get("indicators_text", ""),
                indicators=[
                    Indicator(
                        position=i["position"],
                        text=i["text"],
                        subject=i.get("subject"),
                        comparator=i.get("comparator"),
                        value=i.get("value"),
                        value_max=i.get("value_max"),
                        unit=i.get("unit"),
                        source=Source.from_json(i.get("source")),
                    )
                    for i in d.get("indicators", ())
                ],
                matching_ratio=d.get("matching_ratio"),
                notes=d.get("notes", ""),
                other_requirements=d.get("other_requirements", ""),
                partner_requirements=[
                    PartnerRequirement(
                        kind=p["kind"],
                        value=p["value"],
                        strength=p["strength"],
                        text=p.get("text", ""),
                        counts_regions=p.get("counts_regions", False),
                        source=Source.from_json(p.get("source")),
                    )
                    for p in d.get("partner_requirements", ())
                ],
                project_types=list(d.get("project_types") or ()),
                sources=_sources(d.get("sources")),
            )
            for d in data.get("directions", ())
        ],
        formal_review=[
            FormalClause(
                c["clause"],
                c["section"],
                c.get("section_title", ""),
                c["text"],
                Source.from_json(c.get("source")),
            )
            for c in data.get("formal_review", ())
        ],
        warnings=[Notice.from_json(w) for w in data.get("warnings", ())],
        conditions=_conditions(data.get("conditions")),
        sources=_sources(data.get("sources")),
        document_kind=data.get("document_kind", "text"),
        page_sizes=[tuple(size) for size in data.get("page_sizes", ())],
    )


def _conditions(data) -> list:
    from .conditions import Condition  # conditions builds on these types

    return [Condition.from_json(c) for c in data or ()]
