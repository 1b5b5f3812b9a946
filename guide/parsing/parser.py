"""Turn the text of a call guide into a :class:`ParsedGuide`.

Structure recognised (numbers, counts and dates all come from the text)::

    ……2022 年度……申报指南                         title and year
    一、……  二、领域和方向  ……                     general rules (budget, counts, eligibility)
    1. 碳捕集利用与封存（CCUS）技术合作            area (optionally followed by an intro paragraph)
    1.1 工业领域……                                 direction
    研究内容：…… (1)…… (2)……                     research content and numbered items
    考核指标：……                                   indicators
    其他要求：配套经费与国拨经费的比例不低于 2:1。   matching ratio / other requirements
    有关说明：……                                   notes
    ……申报指南形式审查条件要求                      formal review: "1. 标题" sections, "(1) ……" clauses
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from . import general
from .conditions import (
    CALL,
    MISSING,
    Condition,
    assign_keys,
    conflicts,
    find_ratio,
    matching_ratio,
    missing_conditions,
    read_conditions,
    title_tags,
    unknown_types,
)
from .errors import GuideParseError
from .indicators import parse_indicators
from .normalize import (
    RE_AREA_HEADING,
    RE_DIRECTION_HEADING,
    RE_ITEM,
    ends_sentence,
    split_paragraphs,
)
from .notices import CALL_SCOPE, notice
from .partners import extract_partner_requirements
from .types import (
    CHECK,
    ERROR,
    NO_SOURCE,
    Area,
    Block,
    Direction,
    Eligibility,
    FormalClause,
    Notice,
    ParsedGuide,
    Source,
)

LABELS = {
    "研究内容": "research",
    "主要研究内容": "research",
    "考核指标": "indicators",
    "主要考核指标": "indicators",
    "考核目标": "indicators",
    "其他要求": "other",
    "其它要求": "other",
    "有关说明": "notes",
    "相关说明": "notes",
    "备注": "notes",
}
_LABEL_NAMES = "|".join(sorted(LABELS, key=len, reverse=True))
RE_LABEL = re.compile(rf"^({_LABEL_NAMES})\s*[：:]\s*")
RE_INLINE_LABEL = re.compile(rf"(?<=[。；;])\s*(?=(?:{_LABEL_NAMES})\s*[：:])")
# A mention of matching funds whose ratio must then be read (配套经费…; 其他经费…与中央财政经费…).
_RATIO_MENTION = re.compile(r"配套|其他(?:经费|资金)[^。；;]{0,80}(?:国拨|中央财政)")
RE_ITEM_MARKER = re.compile(r"^\s*(?:[（(]\s*(\d{1,2})\s*[）)]|(\d{1,2})\s*[）)]|([①-⑳]))\s*")
RE_INLINE_ITEM = re.compile(r"(?<=[：:；;。])\s*(?=[（(]\s*\d{1,2}\s*[）)])")
RE_FORMAL_SECTION = re.compile(r"^([1-9]\d?)\s*[.．、]\s*(?!\d)(.+)$")
MAX_HEADING_LENGTH = 80


@dataclass(frozen=True)
class _Part:
    """A piece of a block (a labelled part of a paragraph): its text and where it lies in the block."""

    text: str
    block: Block
    start: int = 0

    @property
    def source(self) -> Source:
        if self.start == 0 and len(self.text) >= len(self.block.text):
            return self.block.source
        return self.block.span_source(self.start, self.start + len(self.text))

    def locate(self, needle: str) -> Source | None:
        """The source of ``needle`` inside this part, or None when it is not there."""
        position = self.text.find(needle) if needle else -1
        if position < 0:
            return None
        return self.block.span_source(self.start + position, self.start + position + len(needle))


def _merged(parts: list[_Part]) -> Source:
    return NO_SOURCE.merge(*(part.source for part in parts))


@dataclass
class _DirectionDraft:
    code: str
    area: int
    title: str
    source: Source = NO_SOURCE
    fields: dict[str, list[_Part]] = field(default_factory=dict)


@dataclass
class _AreaDraft:
    number: int
    title: str
    source: Source = NO_SOURCE
    intro: list[str] = field(default_factory=list)
    directions: list[_DirectionDraft] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Title, sections
# ---------------------------------------------------------------------------


# A title that runs into the body without a break: "……2022 年度项目申报指南为贯彻落实……".
RE_TITLE_HEAD = re.compile(r"^(.{0,120}?(?:19|20)\d{2}\s*年度?.{0,60}?(?:申报)?指南)(?=\S)")


def _find_title(paragraphs: list[str]) -> tuple[int, str, int, str | None]:
    """(index, title, year, rest): the first paragraph that is a guide's title with a year; ``rest`` is
    the body text that followed the title in the same paragraph (None when the title stands alone)."""
    for index, paragraph in enumerate(paragraphs):
        if "指南" not in paragraph:
            continue
        if len(paragraph) <= 150 and not ends_sentence(paragraph):
            match = general.RE_YEAR.search(paragraph)
            if match:
                return index, paragraph, int(match.group(1)), None
        head = RE_TITLE_HEAD.match(paragraph) if index < 60 else None
        # a run-on title is a name, not a sentence citing a guide ("根据《……2021 年度……指南》，……")
        if head and ends_sentence(paragraph) and not re.search(r"[《，,；;。]", head.group(1)):
            match = general.RE_YEAR.search(head.group(1))
            if match:
                return index, head.group(1).strip(), int(match.group(1)), paragraph[head.end() :].strip()
    has_guide = any("指南" in p for p in paragraphs[:60])
    has_year = any(general.RE_YEAR.search(p) for p in paragraphs[:60])
    if not has_guide:
        raise GuideParseError(
            "not a call guide: no title with a year: the first 60 paragraphs never say “指南” (a guide's "
            "title names its year, “NNNN 年度”, and ends in “……申报指南”)"
        )
    if not has_year:
        raise GuideParseError(
            "not a call guide: no title with a year: no paragraph near the start names a year (“NNNN 年度”)"
        )
    raise GuideParseError(
        "not a call guide: no paragraph near the start is a title with both a year (“NNNN 年度”) and “指南”"
    )


def _find_formal_review(paragraphs: list[str], start: int) -> int | None:
    for index in range(start, len(paragraphs)):
        paragraph = paragraphs[index]
        if "形式审查" in paragraph and len(paragraph) <= 150 and not ends_sentence(paragraph):
            return index
    return None


def _heading_like(paragraph: str) -> bool:
    return len(paragraph) <= MAX_HEADING_LENGTH and not ends_sentence(paragraph)


# ---------------------------------------------------------------------------
# Areas and directions
# ---------------------------------------------------------------------------


def _split_labels(block: Block) -> list[_Part]:
    """The labelled parts of a paragraph (“……。考核指标：……” is two parts), with their offsets."""
    parts = []
    position = 0
    for piece in RE_INLINE_LABEL.split(block.text):
        start = block.text.find(piece, position)
        position = start + len(piece)
        stripped = piece.strip()
        if stripped:
            parts.append(_Part(stripped, block, start + piece.index(stripped[0])))
    return parts


def _direction_address(code: str) -> str:
    return f"directions[{code}]"


class _Sequence:
    """Where the numbering of areas (n.) and directions (n.k) stands, and what it allows next."""

    def __init__(self) -> None:
        self.area = 0  # the current area number
        self.index = 0  # the last direction number within it

    def direction_allowed(self, number: int, index: int) -> bool:
        return (number == self.area and index > self.index) or (number == self.area + 1 and index == 1)

    def area_allowed(self, number: int) -> bool:
        return number > self.area


def _collect_areas(blocks: list[Block], warnings: list[Notice]) -> list[_AreaDraft]:
    areas: list[_AreaDraft] = []
    area: _AreaDraft | None = None
    direction: _DirectionDraft | None = None
    label: str | None = None
    sequence = _Sequence()
    for block in blocks:
        paragraph = block.text
        direction_match = RE_DIRECTION_HEADING.match(paragraph)
        if direction_match and _heading_like(paragraph):
            number, index = int(direction_match.group(1)), int(direction_match.group(2))
            code = f"{number}.{index}"
            if sequence.direction_allowed(number, index):
                if area is None or area.number != number:
                    warnings.append(
                        notice(
                            "direction_without_area",
                            _direction_address(code),
                            block.source,
                            direction=code,
                            area=number,
                        )
                    )
                    area = _AreaDraft(number, "", block.source)
                    areas.append(area)
                elif index != sequence.index + 1:
                    previous = area.directions[-1].code if area.directions else f"{number}."
                    warnings.append(
                        notice(
                            "direction_numbering_gap",
                            _direction_address(code),
                            block.source,
                            direction=code,
                            previous=previous,
                        )
                    )
                sequence.area, sequence.index = number, index
                direction = _DirectionDraft(
                    code, number, paragraph[direction_match.end() :].strip(), block.source
                )
                area.directions.append(direction)
                label = None
                continue
            # a heading-like line the numbering does not allow: read as text, and say so
            expected = f"{sequence.area}.{sequence.index + 1}" if sequence.area else "1.1"
            warnings.append(
                notice(
                    "heading_out_of_sequence",
                    _direction_address(direction.code) if direction else None,
                    block.source,
                    text=paragraph[:30],
                    expected=expected,
                )
            )
        area_match = RE_AREA_HEADING.match(paragraph)
        if area_match and _heading_like(paragraph) and not direction_match:
            number = int(area_match.group(1))
            with_directions = [a for a in areas if a.directions]
            if number == 1 and with_directions:
                warnings.append(notice("numbering_restarts", None, block.source, text=paragraph))
                break
            if number == 1:
                areas = []  # numbered lines of the general part were not areas
                sequence = _Sequence()
            if sequence.area_allowed(number):
                if sequence.area and number != sequence.area + 1:
                    warnings.append(
                        notice(
                            "area_numbering_gap",
                            f"areas[{number}]",
                            block.source,
                            area=number,
                            previous=sequence.area,
                        )
                    )
                area = _AreaDraft(number, paragraph[area_match.end() :].strip(), block.source)
                areas.append(area)
                sequence.area, sequence.index = number, 0
                direction = None
                label = None
                continue
        if direction is None:
            if area is not None:
                area.intro.append(paragraph)
            continue
        for part in _split_labels(block):
            label_match = RE_LABEL.match(part.text)
            if label_match:
                label = LABELS[label_match.group(1)]
                rest = part.text[label_match.end() :]
                part = _Part(rest.strip(), block, part.start + label_match.end())
            elif label is None:
                label = "research"
                warnings.append(
                    notice(
                        "text_before_label",
                        _direction_address(direction.code),
                        block.source,
                        direction=direction.code,
                    )
                )
            if part.text:
                direction.fields.setdefault(label, []).append(part)
            else:
                direction.fields.setdefault(label, [])
    return [a for a in areas if a.directions]


def research_items(paragraphs: list[str]) -> list[str]:
    """Numbered sub-items ((1)/（1）/①) of 研究内容, without their markers."""
    items: list[str] = []
    for paragraph in paragraphs:
        for part in RE_INLINE_ITEM.split(paragraph):
            match = RE_ITEM_MARKER.match(part)
            if match and (RE_ITEM.match(part.lstrip())):
                items.append(part[match.end() :].strip().rstrip("；;。，, "))
    return items


def _without_ratio(text: str) -> str:
    sentences = re.findall(r"[^。；;]+[。；;]?", text)
    kept = [s for s in sentences if find_ratio(s) is None]
    return "".join(kept).strip()


def _locate(parts: list[_Part], needle: str) -> Source | None:
    for part in parts:
        found = part.locate(needle)
        if found is not None:
            return found
    return None


def _build_direction(draft: _DirectionDraft, warnings: list[Notice]) -> Direction:
    fields = draft.fields
    research = fields.get("research", [])
    indicators = fields.get("indicators", [])
    other = fields.get("other", [])
    notes = fields.get("notes", [])
    address = _direction_address(draft.code)
    if "research" not in fields:
        warnings.append(notice("no_research_content", address, draft.source, direction=draft.code))
    if "indicators" not in fields:
        warnings.append(notice("no_indicators", address, draft.source, direction=draft.code))
    other_text = "\n".join(p.text for p in other)
    notes_text = "\n".join(p.text for p in notes)
    ratio, ratio_source = None, NO_SOURCE
    for part in (*other, *notes):
        ratio = matching_ratio(part.text)
        if ratio is not None:
            ratio_source = part.source
            break
    if ratio is None and _RATIO_MENTION.search(other_text + "\n" + notes_text):
        warnings.append(
            notice(
                "ratio_not_read", f"{address}.matching_ratio", _merged(other + notes), direction=draft.code
            )
        )
    indicators_text = "\n".join(p.text for p in indicators)
    research_text = "\n".join(p.text for p in research)
    other_requirements = "\n".join(filter(None, (_without_ratio(p.text) for p in other)))
    partner_source = "\n".join((research_text, indicators_text, other_text, notes_text))
    all_parts = [*research, *indicators, *other, *notes]
    partners = []
    for requirement in extract_partner_requirements(partner_source):
        source = _locate(all_parts, requirement.text) or _merged(all_parts)
        partners.append(replace(requirement, source=source))
        if requirement.kind == "licence" and requirement.value == "other":
            warnings.append(
                notice(
                    "unknown_licence",
                    f"{address}.partner_requirements[{len(partners) - 1}]",
                    source,
                    direction=draft.code,
                    text=requirement.text,
                )
            )
    parsed_indicators = []
    for indicator in parse_indicators(indicators_text):
        source = (
            _locate(indicators, indicator.text)
            or _locate(indicators, indicator.text[:12])
            or _merged(indicators)
        )
        parsed_indicators.append(replace(indicator, source=source))
        if not indicator.quantitative:
            warnings.append(
                notice(
                    "indicator_qualitative",
                    f"{address}.indicators[{indicator.position}]",
                    source,
                    CHECK,
                    direction=draft.code,
                    n=indicator.position + 1,
                )
            )
    sources = {
        "title": draft.source,
        "research_content": _merged(research),
        "indicators_text": _merged(indicators),
        "matching_ratio": ratio_source,
        "notes": _merged(notes),
        "other_requirements": _merged(other),
    }
    title, project_types = title_tags(draft.title)
    return Direction(
        code=draft.code,
        area=draft.area,
        title=title,
        project_types=project_types,
        research_content=research_text,
        research_items=research_items([p.text for p in research]),
        indicators_text=indicators_text,
        indicators=parsed_indicators,
        matching_ratio=ratio,
        notes=notes_text,
        other_requirements=other_requirements,
        partner_requirements=partners,
        sources={key: value for key, value in sources.items() if value},
    )


# ---------------------------------------------------------------------------
# Formal review
# ---------------------------------------------------------------------------


def parse_formal_review(paragraphs: list[Block] | list[str]) -> list[FormalClause]:
    """Numbered clauses of 形式审查条件要求: ``"1(1)"`` … and ``"4"`` for a section without sub-clauses."""
    blocks = [p if isinstance(p, Block) else Block(0, p) for p in paragraphs]
    sections: list[tuple[int, str, Source, list[list]]] = []
    for block in blocks:
        paragraph = block.text
        section_match = RE_FORMAL_SECTION.match(paragraph)
        item_match = RE_ITEM_MARKER.match(paragraph)
        if section_match and not RE_DIRECTION_HEADING.match(paragraph):
            sections.append((int(section_match.group(1)), section_match.group(2).strip(), block.source, []))
        elif item_match and sections and (item_match.group(1) or item_match.group(2)):
            number = int(item_match.group(1) or item_match.group(2))
            sections[-1][3].append([number, paragraph[item_match.end() :].strip(), block.source])
        elif sections and sections[-1][3] and not ends_sentence(sections[-1][3][-1][1]):
            clause = sections[-1][3][-1]
            clause[1] += paragraph
            clause[2] = clause[2].merge(block.source)
    clauses: list[FormalClause] = []
    for number, title, source, items in sections:
        if not items:
            clauses.append(FormalClause(str(number), number, title, title, source))
        for item_number, text, item_source in items:
            clauses.append(FormalClause(f"{number}({item_number})", number, title, text, item_source))
    return clauses


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def parse_text(text: str) -> ParsedGuide:
    """Parse the text of a call guide.  Raises :class:`GuideParseError` when it is not one."""
    if not text or not text.strip():
        raise GuideParseError("not a call guide: the text is empty")
    blocks = [Block(i, paragraph) for i, paragraph in enumerate(split_paragraphs(text), start=1)]
    return parse_blocks(blocks)


def parse_blocks(
    blocks: list[Block], *, document_kind: str = "text", page_sizes: list[tuple[float, float]] | None = None
) -> ParsedGuide:
    """Parse a guide from its blocks (see guide.parsing.readers); every value keeps its source."""
    blocks = [block for block in blocks if block.text.strip()]
    if not blocks:
        raise GuideParseError("not a call guide: the text is empty")
    paragraphs = [block.text for block in blocks]
    title_index, title, year, rest = _find_title(paragraphs)
    if rest:  # the body that ran on after the title is a paragraph of its own
        block = blocks[title_index]
        start = block.text.index(rest)
        blocks = [
            *blocks[:title_index],
            _piece(block, title, 0, len(title)),
            _piece(block, rest, start, len(block.text)),
            *blocks[title_index + 1 :],
        ]
        paragraphs = [b.text for b in blocks]
    warnings: list[Notice] = []
    formal_index = _find_formal_review(paragraphs, title_index + 1)
    if formal_index is None:
        warnings.append(notice("no_formal_review"))
        main, formal = blocks[title_index + 1 :], []
    else:
        main, formal = blocks[title_index + 1 : formal_index], blocks[formal_index + 1 :]
    area_drafts = _collect_areas(main, warnings)
    if not area_drafts:
        raise GuideParseError("not a call guide: no directions (headings such as “1.1 ……”) found")
    directions = [_build_direction(d, warnings) for a in area_drafts for d in a.directions]
    areas = [Area(a.number, a.title, "\n".join(a.intro), a.source) for a in area_drafts]

    first_area = _first_area_index([b.text for b in main])
    general_blocks = main[:first_area]
    accepted = [a.source.blocks[0] for a in area_drafts if a.source.blocks]
    if accepted:  # up to the first heading the numbering accepted ("1.2 亿元……" before it is text)
        general_blocks = [b for b in main if b.index < accepted[0]]
    general_text = "\n".join(b.text for b in general_blocks)
    all_blocks = blocks
    full_text = "\n".join(paragraphs)
    sources: dict[str, Source] = {"title": blocks[title_index].source, "year": blocks[title_index].source}
    declared = general.find_declared_direction_count(general_text)
    declared_blocks = general_blocks if declared is not None else all_blocks
    if declared is None:
        declared = general.find_declared_direction_count(full_text)
    if declared is not None:
        sources["declared_direction_count"] = general.locate(declared_blocks, "declared_direction_count")
        if declared != len(directions):
            warnings.append(
                notice(
                    "direction_count_mismatch",
                    "declared_direction_count",
                    sources["declared_direction_count"],
                    declared=declared,
                    found=len(directions),
                )
            )
    budget = general.find_budget_yuan(full_text)
    if budget is None:
        warnings.append(notice("no_budget", "total_budget_yuan"))
    else:
        sources["total_budget_yuan"] = general.locate(all_blocks, "total_budget_yuan")
    call_blocks = [*general_blocks, *formal]
    call_text = "\n".join(b.text for b in call_blocks)
    projects = general.find_projects_per_direction(call_text)
    if projects is not None:
        sources["projects_per_direction"] = general.locate(call_blocks, "projects_per_direction")
    else:
        warnings.append(notice("no_projects_per_direction", "projects_per_direction"))
    eligibility, conditions = _conditions(call_blocks, area_drafts, directions, sources, warnings)
    formal_review = parse_formal_review(formal)
    if formal_index is not None and not formal_review:
        warnings.append(notice("no_formal_clauses", "formal_review"))
    for clause in formal_review:
        if "(" in clause.clause and not ends_sentence(clause.text):
            warnings.append(
                notice(
                    "clause_unpunctuated",
                    f"formal_review[{clause.clause}]",
                    clause.source,
                    clause=clause.clause,
                )
            )
    return ParsedGuide(
        year=year,
        title=title,
        declared_direction_count=declared,
        total_budget_yuan=budget,
        projects_per_direction=projects,
        eligibility=eligibility,
        conditions=conditions,
        areas=areas,
        directions=directions,
        formal_review=formal_review,
        warnings=warnings,
        sources={key: value for key, value in sources.items() if value},
        document_kind=document_kind,
        page_sizes=list(page_sizes or ()),
    )


# Parameters the call-wide ``Eligibility`` holds; the others are conditions only.
_ELIGIBILITY = {f for f in Eligibility.__dataclass_fields__}


def _conditions(
    call_blocks: list[Block],
    area_drafts: list[_AreaDraft],
    directions: list[Direction],
    sources: dict[str, Source],
    warnings: list[Notice],
) -> tuple[Eligibility, list[Condition]]:
    """The call-wide values (the first call-wide statement of each) and the other conditions: scoped
    ones, a call-wide value stated again differently, and a MISSING placeholder for each value the
    family's guides state and this one does not. Conflicts are errors (they block publishing), missing
    values and types no direction has are warnings."""
    types = list(dict.fromkeys(t for d in directions for t in d.project_types))
    read = [c for c, _block in read_conditions(call_blocks, types=types)]
    read = [c for c in read if c.parameter != "projects_supported" or c.scope != CALL]
    for draft in (d for a in area_drafts for d in a.directions):
        parts = [*draft.fields.get("other", []), *draft.fields.get("notes", [])]
        own = read_conditions([_part_block(p) for p in parts], direction=draft.code)
        read += [c for c, _block in own if c.parameter != "matching_ratio"]  # the direction's own field
    values: dict[str, object] = {}
    others: list[Condition] = []
    for condition in read:
        name = condition.parameter
        if condition.scope == CALL and name in _ELIGIBILITY and name not in values:
            values[name] = condition.value
            sources[f"eligibility.{name}"] = condition.source
            continue
        others.append(condition)
    placeholders = missing_conditions([*_call_conditions(values), *others])
    conditions = assign_keys([*others, *placeholders], reserved=values)
    for condition in conditions:
        address = f"conditions[{condition.key}]"
        if condition.state == MISSING:
            warnings.append(notice("condition_missing", address, parameter=condition.parameter))
    everything = [*_call_conditions(values), *conditions]
    own = {c.key for c in conditions}
    for conflict in conflicts(everything):
        scope = conflict.scope.key() or CALL_SCOPE
        for key in conflict.keys:
            if key not in own:  # the call-wide value itself: the error sits on the other reading
                continue
            condition = next(c for c in conditions if c.key == key)
            warnings.append(
                notice(
                    "condition_conflict",
                    f"conditions[{key}]",
                    condition.source,
                    ERROR,
                    parameter=conflict.parameter,
                    values=[list(v) if isinstance(v, tuple) else v for v in conflict.values],
                    scope=scope,
                )
            )
    for condition in unknown_types(conditions, types):
        warnings.append(
            notice(
                "condition_unknown_type",
                f"conditions[{condition.key}]",
                condition.source,
                project_type=condition.scope.project_type,
            )
        )
    fields = {name: values.get(name) for name in _ELIGIBILITY}
    for name in ("pi_born_on_or_after", "unit_registered_by", "task_lead_born_on_or_after"):
        if fields[name] is not None:
            fields[name] = date.fromisoformat(fields[name])
    return Eligibility(**fields), conditions


def _call_conditions(values: dict[str, object]) -> list[Condition]:
    return [Condition(key=name, parameter=name, value=value) for name, value in values.items()]


def _part_block(part: _Part) -> Block:
    return replace(part.block, text=part.text) if part.start == 0 else Block(part.block.index, part.text)


def _piece(block: Block, text: str, start: int, end: int) -> Block:
    """A part of a block as a block of its own, pointing only at the lines that hold it."""
    return replace(block, text=text, boxes=block.span_source(start, end).boxes, line_chars=())


def _first_area_index(paragraphs: list[str]) -> int:
    for index, paragraph in enumerate(paragraphs):
        if RE_DIRECTION_HEADING.match(paragraph) or (
            RE_AREA_HEADING.match(paragraph) and _heading_like(paragraph)
        ):
            return index
    return len(paragraphs)
