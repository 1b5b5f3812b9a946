"""Comparing two guide versions (``/guide/compare/?a=<pk>&b=<pk>``): what changed from A to B.

Everybody may compare published versions (the public guide of each year); officers and admins may
compare any read version (drafts with their corrections in force). A version the user may not see is
not offered, and asking for it is a form error (400), like any other bad choice."""

from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from ..comparison import comparable_versions, compared_data
from ..diff import diff_guides, heading, sections
from ..forms_compare import CompareForm
from ..models import GuideVersion


def _initial(versions: list[GuideVersion]) -> dict:
    """The two latest published versions, the older first (last year's guide against this year's)."""
    published = [v for v in versions if v.status == GuideVersion.Status.PUBLISHED][:2]
    if len(published) < 2:
        return {}
    return {"a": published[1].pk, "b": published[0].pk}


@require_GET
def compare(request):
    versions = list(comparable_versions(user=request.user))
    bound = "a" in request.GET or "b" in request.GET
    form = CompareForm(request.GET if bound else None, versions=versions, initial=_initial(versions))
    context = {"form": form, "versions": versions}
    if bound and form.is_valid():
        by_pk = {v.pk: v for v in versions}
        a, b = by_pk[form.cleaned_data["a"]], by_pk[form.cleaned_data["b"]]
        diff = diff_guides(compared_data(a), compared_data(b))
        lang = "en" if (get_language() or "").startswith("en") else "zh"
        context.update(
            {
                "a": a,
                "b": b,
                "diff": diff,
                "heading": heading(diff, lang, (a.label, b.label)),
                "sections": sections(diff, lang),
            }
        )
    return render(
        request, "guide/compare.html", context, status=400 if bound and not form.is_valid() else 200
    )
