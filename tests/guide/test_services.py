from pathlib import Path

import pytest

from common.models import AuditEntry
from guide.models import Area, Direction, FormalClause, Guide, Indicator, PartnerRequirement
from guide.services import guide_ingest

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"

pytestmark = pytest.mark.django_db


def test_ingest_stores_the_whole_guide():
    guide = guide_ingest(path=GUIDE_2022)
    assert guide.year == 2022
    assert Area.objects.filter(guide=guide).count() == 10
    assert Direction.objects.filter(guide=guide).count() == 39
    assert guide.max_domestic_units == 10
    assert guide.min_foreign_units == 1
    assert guide.max_duration_years == 3
    assert str(guide.pi_born_on_or_after) == "1962-01-01"
    assert str(guide.unit_registered_by) == "2021-06-30"
    assert guide.total_budget_yuan == 250_000_000
    assert FormalClause.objects.filter(guide=guide, clause="2(1)").count() == 1


def test_ingest_twice_updates_in_place_without_duplicates():
    first = guide_ingest(path=GUIDE_2022)
    pks = sorted(Direction.objects.values_list("pk", flat=True))
    counts = (Indicator.objects.count(), PartnerRequirement.objects.count(), FormalClause.objects.count())
    second = guide_ingest(path=GUIDE_2022)
    assert second.pk == first.pk
    assert Guide.objects.count() == 1
    assert sorted(Direction.objects.values_list("pk", flat=True)) == pks
    assert (
        Indicator.objects.count(),
        PartnerRequirement.objects.count(),
        FormalClause.objects.count(),
    ) == counts
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "guide.version_read",
        "guide.ingested",
        "guide.version_published",
        "guide.version_read",
        "guide.reingested",
        "guide.version_published",
    ]


def test_matching_ratio_persisted_per_direction():
    guide_ingest(path=GUIDE_2022)
    ratios = {d.code: d.matching_ratio for d in Direction.objects.all()}
    assert str(ratios["1.1"]) == "2.00"
    assert str(ratios["2.2"]) == "1.00"
    assert ratios["2.1"] is None


def test_partner_requirements_persisted():
    guide_ingest(path=GUIDE_2022)
    got = sorted(
        (r.direction.code, r.kind, r.strength)
        for r in PartnerRequirement.objects.select_related("direction").filter(kind="foreign_countries")
    )
    assert got == [
        ("5.2", "foreign_countries", "required"),
        ("5.3", "foreign_countries", "required"),
        ("6.1", "foreign_countries", "indicator"),
        ("6.4", "foreign_countries", "indicator"),
        ("7.1", "foreign_countries", "indicator"),
        ("7.2", "foreign_countries", "indicator"),
        ("7.3", "foreign_countries", "indicator"),
        ("8.1", "foreign_countries", "indicator"),
        ("8.2", "foreign_countries", "indicator"),
    ]
