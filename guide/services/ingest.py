"""Writes for the guide app: reading a file, and writing the published version into the rows."""

import hashlib
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from common.services import audit_record

from ..models import Area, Direction, FormalClause, Guide, GuideVersion, Indicator, PartnerRequirement
from ..parsing.conditions import STATED, all_conditions, resolve
from ..parsing.english import EnglishGuide
from ..parsing.readers import parse_file
from ..parsing.types import ParsedGuide, Source


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
    version: GuideVersion | None = None,
) -> Guide:
    """Write a parsed guide into the rows (the low-level writer: ``version_publish`` calls it with
    the version's effective data). Idempotent: the guide of a year is updated in place,
    directions keep their primary keys (proposals link to them), directions and
    areas no longer in the text are removed. Guides of other years are untouched.
    `english` (the per-year English titles and keywords, see guide.parsing.english) fills
    `title_en`/`keywords_en`; without it they are emptied and search is over the Chinese text.
    The sources of the values are written beside them (empty when the reader gave none);
    `version` becomes `Guide.published_version`."""
    if english is not None and english.year not in (None, parsed.year):
        english = None
    elig = parsed.eligibility
    ppd = parsed.projects_per_direction or (None, None)
    conditions = all_conditions(parsed)
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
            "warnings": [str(w) for w in parsed.warnings],
            "sources": _sources_json(parsed.sources),
            "document_kind": parsed.document_kind or "",
            "conditions": [c.to_json() for c in conditions],
            "published_version": version,
        },
    )

    areas = {}
    for area in parsed.areas:
        areas[area.number], _ = Area.objects.update_or_create(
            guide=guide,
            number=area.number,
            defaults={"title": area.title, "intro": area.intro, "source": _source_json(area.source)},
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
                "applied_ratio": _applied_ratio(conditions, d),
                "notes": d.notes,
                "other_requirements": d.other_requirements,
                "project_types": list(d.project_types),
                "sources": _sources_json(d.sources),
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
                source=_source_json(i.source),
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
                source=_source_json(r.source),
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
            source=_source_json(c.source),
        )
        for n, c in enumerate(parsed.formal_review)
    )
    audit_record(
        actor=by,
        action="guide.ingested" if created else "guide.reingested",
        target=guide,
        data={
            "year": guide.year,
            "directions": len(kept),
            "source": source_name,
            "sha256": sha256,
            "version": version.label if version is not None else "",
        },
    )
    return guide


def _source_json(source) -> dict | None:
    return source.to_json() if isinstance(source, Source) and source else None


def _sources_json(sources) -> dict:
    return {key: _source_json(s) for key, s in (sources or {}).items() if _source_json(s)}


@transaction.atomic
def guide_ingest(*, path: Path, by=None) -> Guide:
    """Read a guide file, store it as a new version and publish it at once (the command line's
    ``ingest_guide --publish``, the demo set-up and the tests): ``version_create_from_file`` then
    ``version_publish``, in one transaction. The English titles and keywords of `<name>.en.json`
    beside the file are read when that file exists. Re-ingesting the same file makes a new version
    that carries the corrections of the previous one; the directions keep their primary keys.
    Returns the year's rows."""
    from .versions import version_create_from_file, version_publish

    version = version_publish(version=version_create_from_file(path=path, by=by), by=by)
    return Guide.objects.get(year=version.year)


def _applied_ratio(conditions, direction) -> Decimal | None:
    """The matching ratio resolved for a direction (its own, its type's or the call's); None when none or
    ambiguous."""
    found = resolve(conditions, "matching_ratio", direction=direction.code, types=direction.project_types)
    return Decimal(str(found.value)) if found.state == STATED and found.value is not None else None
