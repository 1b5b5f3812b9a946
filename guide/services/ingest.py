"""Writes for the guide app."""

import hashlib
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from common.services import audit_record

from ..models import Area, Direction, FormalClause, Guide, Indicator, PartnerRequirement
from ..parsing.english import EnglishGuide, english_load, english_path
from ..parsing.readers import parse_file
from ..parsing.types import ParsedGuide


def guide_parse_file(*, path: Path) -> tuple[ParsedGuide, str]:
    """Read and parse a guide file (.txt, .pdf, .docx). Returns the parsed guide and
    the sha256 of the file. Writes nothing. Raises GuideReadError / GuideParseError."""
    data = Path(path).read_bytes()
    parsed = parse_file(path)
    return parsed, hashlib.sha256(data).hexdigest()


@transaction.atomic
def guide_save(
    *,
    parsed: ParsedGuide,
    source_name: str = "",
    sha256: str = "",
    english: EnglishGuide | None = None,
    english_name: str = "",
    by=None,
) -> Guide:
    """Persist a parsed guide. Idempotent: the guide of a year is updated in place,
    directions keep their primary keys (proposals link to them), directions and
    areas no longer in the text are removed. Guides of other years are untouched.
    `english` (the per-year English titles and keywords, see guide.parsing.english) fills
    `title_en`/`keywords_en`; without it they are emptied and search is over the Chinese text."""
    if english is not None and english.year not in (None, parsed.year):
        english = None
    elig = parsed.eligibility
    ppd = parsed.projects_per_direction or (None, None)
    guide, created = Guide.objects.update_or_create(
        year=parsed.year,
        defaults={
            "title": parsed.title,
            "declared_direction_count": parsed.declared_direction_count,
            "total_budget_yuan": parsed.total_budget_yuan,
            "projects_min": ppd[0],
            "projects_max": ppd[1],
            "pi_born_on_or_after": elig.pi_born_on_or_after,
            "unit_registered_by": elig.unit_registered_by,
            "max_domestic_units": elig.max_domestic_units,
            "min_foreign_units": elig.min_foreign_units,
            "max_duration_years": elig.max_duration_years,
            "subtasks_allowed": elig.subtasks_allowed,
            "source_name": source_name,
            "source_sha256": sha256,
            "english_source": english_name if english is not None else "",
            "warnings": list(parsed.warnings),
        },
    )

    areas = {}
    for area in parsed.areas:
        areas[area.number], _ = Area.objects.update_or_create(
            guide=guide, number=area.number, defaults={"title": area.title, "intro": area.intro}
        )
    Area.objects.filter(guide=guide).exclude(number__in=list(areas)).delete()

    kept = []
    for position, d in enumerate(parsed.directions):
        en = english.directions.get(d.code) if english is not None else None
        direction, _ = Direction.objects.update_or_create(
            guide=guide,
            code=d.code,
            defaults={
                "area": areas[d.area],
                "position": position,
                "title": d.title,
                "title_en": en.title if en else "",
                "keywords_en": "; ".join(en.keywords) if en else "",
                "research_content": d.research_content,
                "research_items": list(d.research_items),
                "indicators_text": d.indicators_text,
                "matching_ratio": None if d.matching_ratio is None else Decimal(str(d.matching_ratio)),
                "notes": d.notes,
                "other_requirements": d.other_requirements,
            },
        )
        kept.append(direction.pk)
        direction.indicators.all().delete()
        Indicator.objects.bulk_create(
            Indicator(
                direction=direction,
                position=i.position,
                text=i.text,
                subject=i.subject or "",
                comparator=i.comparator or "",
                value=i.value,
                value_max=i.value_max,
                unit=i.unit or "",
            )
            for i in d.indicators
        )
        direction.partner_requirements.all().delete()
        PartnerRequirement.objects.bulk_create(
            PartnerRequirement(
                direction=direction,
                kind=r.kind,
                value=r.value,
                strength=r.strength,
                counts_regions=r.counts_regions,
                text=r.text,
            )
            for r in d.partner_requirements
        )
    Direction.objects.filter(guide=guide).exclude(pk__in=kept).delete()

    guide.formal_clauses.all().delete()
    FormalClause.objects.bulk_create(
        FormalClause(
            guide=guide,
            clause=c.clause,
            section=c.section,
            section_title=c.section_title,
            position=n,
            text=c.text,
        )
        for n, c in enumerate(parsed.formal_review)
    )
    audit_record(
        actor=by,
        action="guide.ingested" if created else "guide.reingested",
        target=guide,
        data={"year": guide.year, "directions": len(kept), "source": source_name, "sha256": sha256},
    )
    return guide


def guide_ingest(*, path: Path, by=None) -> Guide:
    """Parse a guide file and persist it (see guide_save), with the English titles and
    keywords of `<name>.en.json` beside it when that file exists. One transaction."""
    parsed, sha = guide_parse_file(path=path)
    english = english_load(path)
    return guide_save(
        parsed=parsed,
        source_name=Path(path).name,
        sha256=sha,
        english=english,
        english_name=english_path(path).name if english is not None else "",
        by=by,
    )
