from django import template

from screening import selectors

register = template.Library()


@register.inclusion_tag("screening/panel.html", takes_context=True)
def screening_panel(context, proposal):
    """The latest screening run of a proposal, for its detail page."""
    run = selectors.run_latest(proposal=proposal)
    counts = selectors.run_counts(run=run) if run is not None and run.status == "done" else {}
    return {
        "proposal": proposal,
        "run": run,
        "counts": counts,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def clause_label(clause: str) -> str:
    """'2(1)' → '形式审查 2(1)'; 'direction 5.2' → '指南方向 5.2'; '二' → the general rules."""
    from django.utils.translation import gettext

    if clause.startswith("direction "):
        return gettext("指南方向 %(code)s") % {"code": clause.removeprefix("direction ")}
    if clause[:1].isdigit():
        return gettext("形式审查 %(clause)s") % {"clause": clause}
    if clause == "二":
        return gettext("总体要求（指南第二部分）")
    return clause


@register.filter
def staleness_of(stale: dict, pk):
    """The Staleness of a proposal in the overview's {proposal id: Staleness} (None when fresh)."""
    return stale.get(pk) if stale else None
