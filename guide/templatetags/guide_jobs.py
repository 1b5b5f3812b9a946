"""Template filters of the guide's jobs (readings)."""

from django import template

from guide.services.reading import reading_error

register = template.Library()


@register.filter
def reading_headline(error: str) -> str:
    """A stored ``GuideVersion.error`` ("<code>: <the reader's line>") as its translated headline."""
    found = reading_error(error)
    return found.headline if found is not None else ""
