"""The published guide: its overview, the directions with their filters and a direction's page. Each
is served to anonymous visitors from the page cache (guide.caching: keyed by the published versions,
the language and the full path; signed-in users get a fresh page)."""

from django.shortcuts import redirect, render

from .. import selectors
from ..caching import public_page
from ..filters import DirectionFilter


def home(request):
    guide = selectors.guide_latest()
    if guide is None:
        return render(request, "guide/empty.html")
    return redirect("guide:overview", year=guide.year)


@public_page
def overview(request, year: int):
    guide = selectors.guide_get(year=year)
    return render(
        request,
        "guide/overview.html",
        {
            "guide": guide,
            "areas": selectors.area_list_with_counts(guide=guide),
            "clauses": guide.formal_clauses.all(),
            "years": selectors.guide_years(),
            "direction_count": guide.directions.count(),
            "summary": selectors.call_summary(guide=guide),
            "scoped": selectors.call_conditions(guide=guide),
        },
    )


@public_page(params=DirectionFilter.Meta.fields)
def direction_list(request, year: int):
    guide = selectors.guide_get(year=year)
    areas = list(guide.areas.order_by("number"))
    types = [name for name, _count in selectors.project_types(guide=guide)]
    filterset = DirectionFilter(
        request.GET or None,
        queryset=selectors.direction_list(guide=guide),
        guide=guide,
        areas=areas,
        ratios=selectors.ratio_choices(guide=guide),
        types=types,
    )
    directions = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return render(
        request,
        "guide/direction_list.html",
        {
            "guide": guide,
            "filter": filterset,
            "directions": directions,
            "invalid": filterset.is_bound and not filterset.is_valid(),
            "types": types,
        },
    )


@public_page
def direction_detail(request, year: int, code: str):
    guide = selectors.guide_get(year=year)
    direction = selectors.direction_get(guide=guide, code=code)
    conditions = selectors.direction_conditions(direction=direction)
    return render(
        request,
        "guide/direction_detail.html",
        {
            "guide": guide,
            "direction": direction,
            "conditions": conditions,
            "ratio_condition": next((c for c in conditions if c.parameter == "matching_ratio"), None),
        },
    )
