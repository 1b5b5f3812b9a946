"""Reads for the guide API, built on guide.selectors (the pages' reads) with what the API
shows besides: every direction with its indicators. Only the published rows (Guide,
Area, Direction, Indicator, PartnerRequirement, FormalClause) are read, never versions."""

from django.db.models import Count, Prefetch, QuerySet

from guide import selectors
from guide.models import Direction, Guide, Indicator


def guide_list() -> QuerySet[Guide]:
    """Every published guide, newest year first, with its number of directions. One query."""
    return Guide.objects.annotate(direction_count=Count("directions")).order_by("-year")


def guide_overview(*, year: int) -> Guide:
    """One year's guide with what its overview page shows, as attributes: ``direction_count``,
    ``area_rows`` (with their direction counts), ``clause_rows`` and ``summary`` (directions
    per matching ratio and per partner requirement). Http404 for a year not published.
    Six queries."""
    guide = selectors.guide_get(year=year)
    guide.direction_count = guide.directions.count()
    guide.area_rows = list(selectors.area_list_with_counts(guide=guide))
    guide.clause_rows = list(guide.formal_clauses.order_by("position"))
    guide.summary = selectors.call_summary(guide=guide)
    return guide


def direction_list(*, guide: Guide) -> QuerySet[Direction]:
    """The direction list's queryset (guide.selectors.direction_list) with the indicators too:
    three queries whatever the number of directions."""
    return selectors.direction_list(guide=guide).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
    )
