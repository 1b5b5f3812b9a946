"""Whether results were checked on the content a proposal holds now, for pages of the proposals
app (its list, the screening panel of its detail page): the proposals app never imports
screening, its templates load this library."""

from django import template

from screening import selectors

register = template.Library()


@register.simple_tag
def checked_before_change_ids(proposals) -> set[int]:
    """The ids of the proposals (a page of them) whose latest finished result was checked on other
    content than they hold now (selectors.proposals_checked_before_change). A constant number of
    queries for the page."""
    return selectors.proposals_checked_before_change(list(proposals))


@register.simple_tag
def run_checked_before_change(run) -> bool:
    """Whether a finished run was checked on other content than its proposal holds now."""
    return selectors.run_checked_before_change(run=run)
