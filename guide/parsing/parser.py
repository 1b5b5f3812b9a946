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
from dataclasses import dataclass, field

from . import general
from .errors import GuideParseError
from .indicators import parse_indicators
from .normalize import (
    RE_AREA_HEADING,
    RE_DIRECTION_HEADING,
    RE_ITEM,
    ends_sentence,
    split_paragraphs,
)
from .partners import extract_partner_requirements
from .types import Area, Direction, FormalClause, ParsedGuide

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
# 配套经费与国拨经费的比例不低于 2:1, read by :func:`_find_ratio` in linear time (a regular expression with
# two lazy gaps backtracks cubically over a repeated phrase).
_RATIO_SUBJECT = re.compile(r"配套(?:经费|资金)")
_RATIO_WORD = "比例"
_RATIO_DIGIT = re.compile(r"\d")
_RATIO_NUMBERS = re.compile(r"(\d{1,9}(?:\.\d{1,9})?)\s*[:：比]\s*(\d{1,9}(?:\.\d{1,9})?)(?!\d)")
_SENTENCE = re.compile(r"[^。；;]+")
RE_ITEM_MARKER = re.compile(r"^\s*(?:[（(]\s*(\d{1,2})\s*[）)]|(\d{1,2})\s*[）)]|([①-⑳]))\s*")
RE_INLINE_ITEM = re.compile(r"(?<=[：:；;。])\s*(?=[（(]\s*\d{1,2}\s*[）)])")
RE_FORMAL_SECTION = re.compile(r"^([1-9]\d?)\s*[.．、]\s*(?!\d)(.+)$")
MAX_HEADING_LENGTH = 80


@dataclass
class _DirectionDraft:
    code: str
    area: int
    title: str
    fields: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _AreaDraft:
    number: int
    title: str
    intro: list[str] = field(default_factory=list)
    directions: list[_DirectionDraft] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Title, sections
# ---------------------------------------------------------------------------


def _find_title(paragraphs: list[str]) -> tuple[int, str, int]:
    for index, paragraph in enumerate(paragraphs):
        if "指南" not in paragraph or len(paragraph) > 150 or ends_sentence(paragraph):
            continue
        match = general.RE_YEAR.search(paragraph)
        if match:
            return index, paragraph, int(match.group(1))
    raise GuideParseError("not a call guide: no title with a year such as “……2022 年度……申报指南”")


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


def _split_labels(paragraph: str) -> list[str]:
    return [part for part in RE_INLINE_LABEL.split(paragraph) if part.strip()]


def _collect_areas(paragraphs: list[str], warnings: list[str]) -> list[_AreaDraft]:
    areas: list[_AreaDraft] = []
    area: _AreaDraft | None = None
    direction: _DirectionDraft | None = None
    label: str | None = None
    for paragraph in paragraphs:
        direction_match = RE_DIRECTION_HEADING.match(paragraph)
        if direction_match and _heading_like(paragraph):
            number, index = int(direction_match.group(1)), int(direction_match.group(2))
            code = f"{number}.{index}"
            if area is None or area.number != number:
                known = [a for a in areas if a.number == number]
                if known:
                    area = known[-1]
                else:
                    warnings.append(f"direction {code} has no area heading “{number}. ……”")
                    area = _AreaDraft(number, "")
                    areas.append(area)
            if any(d.code == code for a in areas for d in a.directions):
                warnings.append(f"direction {code} appears twice")
            previous = area.directions[-1] if area.directions else None
            if previous is not None and int(previous.code.split(".")[1]) + 1 != index:
                warnings.append(f"direction {code} follows {previous.code}: numbering gap")
            direction = _DirectionDraft(code, number, paragraph[direction_match.end() :].strip())
            area.directions.append(direction)
            label = None
            continue
        area_match = RE_AREA_HEADING.match(paragraph)
        if area_match and _heading_like(paragraph):
            number = int(area_match.group(1))
            with_directions = [a for a in areas if a.directions]
            if number == 1 and with_directions:
                warnings.append(
                    f"numbering restarts at “{paragraph}”: text after it is not read as directions"
                )
                break
            if number == 1:
                areas = []  # numbered lines of the general part were not areas
            elif area is not None and number != area.number + 1:
                warnings.append(f"area {number} follows area {area.number}: numbering gap")
            area = _AreaDraft(number, paragraph[area_match.end() :].strip())
            areas.append(area)
            direction = None
            label = None
            continue
        if direction is None:
            if area is not None:
                area.intro.append(paragraph)
            continue
        for part in _split_labels(paragraph):
            label_match = RE_LABEL.match(part)
            if label_match:
                label = LABELS[label_match.group(1)]
                part = part[label_match.end() :]
            elif label is None:
                label = "research"
                warnings.append(f"direction {direction.code}: text before any label read as 研究内容")
            if part.strip():
                direction.fields.setdefault(label, []).append(part.strip())
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


def _find_ratio(text: str) -> tuple[str, str] | None:
    """The two numbers of the first “配套经费……比例……N:M” in one sentence, or None.

    Within a sentence, after the first 配套经费/配套资金, each 比例 is tried in order: the first digits
    after it (with no sentence break between) must read ``N:M`` (or ``N比M``).  Each run of digits is
    tried once, so the work is linear in the length of the text.  Numbers longer than 9 digits are
    not ratios.
    """
    for sentence in _SENTENCE.finditer(text):
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
                return numbers.group(1), numbers.group(2)
    return None


def matching_ratio(text: str) -> float | None:
    """配套经费与国拨经费的比例不低于 2:1 → 2.0."""
    found = _find_ratio(text)
    if found is None:
        return None
    numerator, denominator = float(found[0]), float(found[1])
    if denominator == 0:
        return None
    return round(numerator / denominator, 4)


def _without_ratio(text: str) -> str:
    sentences = re.findall(r"[^。；;]+[。；;]?", text)
    kept = [s for s in sentences if _find_ratio(s) is None]
    return "".join(kept).strip()


def _build_direction(draft: _DirectionDraft, warnings: list[str]) -> Direction:
    fields = draft.fields
    research = fields.get("research", [])
    indicators = fields.get("indicators", [])
    other = fields.get("other", [])
    notes = fields.get("notes", [])
    if "research" not in fields:
        warnings.append(f"direction {draft.code}: no 研究内容")
    if "indicators" not in fields:
        warnings.append(f"direction {draft.code}: no 考核指标")
    other_text = "\n".join(other)
    notes_text = "\n".join(notes)
    ratio = matching_ratio(other_text)
    if ratio is None:
        ratio = matching_ratio(notes_text)
    if ratio is None and "配套" in other_text + notes_text:
        warnings.append(f"direction {draft.code}: matching funds mentioned but no ratio read")
    indicators_text = "\n".join(indicators)
    research_text = "\n".join(research)
    other_requirements = "\n".join(filter(None, (_without_ratio(p) for p in other)))
    partner_source = "\n".join((research_text, indicators_text, other_text, notes_text))
    partners = extract_partner_requirements(partner_source)
    for requirement in partners:
        if requirement.kind == "licence" and requirement.value == "other":
            warnings.append(f"direction {draft.code}: unknown licence “{requirement.text}”")
    return Direction(
        code=draft.code,
        area=draft.area,
        title=draft.title,
        research_content=research_text,
        research_items=research_items(research),
        indicators_text=indicators_text,
        indicators=parse_indicators(indicators_text),
        matching_ratio=ratio,
        notes=notes_text,
        other_requirements=other_requirements,
        partner_requirements=partners,
    )


# ---------------------------------------------------------------------------
# Formal review
# ---------------------------------------------------------------------------


def parse_formal_review(paragraphs: list[str]) -> list[FormalClause]:
    """Numbered clauses of 形式审查条件要求: ``"1(1)"`` … and ``"4"`` for a section without sub-clauses."""
    sections: list[tuple[int, str, list[tuple[int, str]]]] = []
    for paragraph in paragraphs:
        section_match = RE_FORMAL_SECTION.match(paragraph)
        item_match = RE_ITEM_MARKER.match(paragraph)
        if section_match and not RE_DIRECTION_HEADING.match(paragraph):
            sections.append((int(section_match.group(1)), section_match.group(2).strip(), []))
        elif item_match and sections and (item_match.group(1) or item_match.group(2)):
            number = int(item_match.group(1) or item_match.group(2))
            sections[-1][2].append((number, paragraph[item_match.end() :].strip()))
        elif sections and sections[-1][2] and not ends_sentence(sections[-1][2][-1][1]):
            number, text = sections[-1][2][-1]
            sections[-1][2][-1] = (number, text + paragraph)
    clauses: list[FormalClause] = []
    for number, title, items in sections:
        if not items:
            clauses.append(FormalClause(str(number), number, title, title))
        for item_number, text in items:
            clauses.append(FormalClause(f"{number}({item_number})", number, title, text))
    return clauses


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def parse_text(text: str) -> ParsedGuide:
    """Parse the text of a call guide.  Raises :class:`GuideParseError` when it is not one."""
    if not text or not text.strip():
        raise GuideParseError("not a call guide: the text is empty")
    paragraphs = split_paragraphs(text)
    title_index, title, year = _find_title(paragraphs)
    warnings: list[str] = []
    formal_index = _find_formal_review(paragraphs, title_index + 1)
    if formal_index is None:
        warnings.append("no formal review section (形式审查条件要求) found")
        main, formal = paragraphs[title_index + 1 :], []
    else:
        main, formal = paragraphs[title_index + 1 : formal_index], paragraphs[formal_index + 1 :]
    area_drafts = _collect_areas(main, warnings)
    if not area_drafts:
        raise GuideParseError("not a call guide: no directions (headings such as “1.1 ……”) found")
    directions = [_build_direction(d, warnings) for a in area_drafts for d in a.directions]
    areas = [Area(a.number, a.title, "\n".join(a.intro)) for a in area_drafts]

    full_text = "\n".join(paragraphs)
    general_text = "\n".join(main[: _first_area_index(main)])
    declared = general.find_declared_direction_count(general_text) or general.find_declared_direction_count(
        full_text
    )
    if declared is not None and declared != len(directions):
        warnings.append(f"the guide declares {declared} directions but {len(directions)} were found")
    budget = general.find_budget_yuan(full_text)
    if budget is None:
        warnings.append("no national budget (国拨经费概算) found")
    eligibility = general.find_eligibility(full_text, warnings)
    formal_review = parse_formal_review(formal)
    if formal_index is not None and not formal_review:
        warnings.append("formal review section has no numbered clauses")
    return ParsedGuide(
        year=year,
        title=title,
        declared_direction_count=declared,
        total_budget_yuan=budget,
        projects_per_direction=general.find_projects_per_direction(full_text),
        eligibility=eligibility,
        areas=areas,
        directions=directions,
        formal_review=formal_review,
        warnings=warnings,
    )


def _first_area_index(paragraphs: list[str]) -> int:
    for index, paragraph in enumerate(paragraphs):
        if RE_DIRECTION_HEADING.match(paragraph) or (
            RE_AREA_HEADING.match(paragraph) and _heading_like(paragraph)
        ):
            return index
    return len(paragraphs)
