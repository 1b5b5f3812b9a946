"""Reads for the guide app. Every queryset here fetches what its page shows in a
constant number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Area, Direction, Guide, Indicator, PartnerRequirement


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
            for r in Direction.objects.filter(guide=guide, matching_ratio__isnull=False).values_list(
                "matching_ratio", flat=True
            )
        }
    )


def call_summary(*, guide: Guide) -> dict:
    """The call at a glance: directions per matching ratio and per partner requirement."""
    ratios = (
        Direction.objects.filter(guide=guide)
        .values("matching_ratio")
        .annotate(n=Count("id"))
        .order_by("-matching_ratio")
    )
    partners = (
        PartnerRequirement.objects.filter(direction__guide=guide)
        .values("kind", "strength")
        .annotate(n=Count("direction", distinct=True))
        .order_by("kind", "strength")
    )
    return {"ratios": list(ratios), "partners": list(partners)}
