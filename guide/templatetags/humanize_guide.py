from decimal import Decimal

from django import template
from django.utils.translation import get_language, gettext, gettext_lazy

from guide.filters import format_ratio, ratio_value
from guide.parsing.partners import says_requirement
from guide.words import continent_names, join_words, partner_code_name

register = template.Library()


@register.filter
def yuan_yi(value) -> str:
    """250000000 → '2.5 亿元' (zh) or 'CNY 250,000,000' (en)."""
    if value in (None, ""):
        return "—"
    if (get_language() or "").startswith("zh"):
        yi = (Decimal(value) / Decimal(100_000_000)).normalize()
        return f"{yi:f} 亿元"
    return gettext("CNY %(amount)s") % {"amount": f"{int(value):,}"}


@register.filter
def ratio(value) -> str:
    """Decimal('2.00') → '2:1'; None → '—'."""
    if value is None:
        return "—"
    return format_ratio(value)


register.filter("ratio_value", ratio_value)


@register.filter
def number(value) -> str:
    """99.999 → '99.999', 10.0 → '10', 1000000.0 → '1000000' (no exponent, no trailing zeros)."""
    if value is None:
        return "—"
    return f"{Decimal(repr(value)).normalize():f}"


# A guide version's file kind (GuideVersion.kind: pdf / docx / text) as people name it, not the code.
FILE_KINDS = {"pdf": "PDF", "docx": "Word (DOCX)", "text": gettext_lazy("纯文本")}


@register.filter
def file_kind(kind) -> str:
    """'text' → 纯文本 / plain text; 'pdf' → PDF; 'docx' → Word (DOCX); another value as it is."""
    return str(FILE_KINDS.get(kind, kind or ""))


register.filter("join_words", join_words)


@register.filter
def continents(codes) -> str:
    """A partner requirement's continents, named and joined the way the active language joins a list."""
    return continent_names(codes)


@register.filter
def partner_words(requirement) -> str:
    """An institution kind or licence required, in words: its code's ("hgr_preservation" →
    须具备人类遗传资源保藏行政许可), or the clause where they would not say it ("other", a code
    without words)."""
    if says_requirement(requirement.value):
        return partner_code_name(requirement.value)
    return requirement.text or partner_code_name(requirement.value) or ""


@register.filter
def shown_as(value, kind: str) -> str:
    """A parsed or corrected value as the review page shows values of its kind: "≥" for ">=", 100.0 as
    "100", 是/否, "—" for none (``guide.selectors.display_value``)."""
    from guide.selectors import display_value

    return display_value(kind or "", value)


@register.filter
def problem_text(problem) -> str:
    """Why a correction could not be applied (``guide.parsing.addresses.Problem``), in the page's
    language; the English message when its code has no words."""
    from guide.forms import ADDRESS_ERRORS

    message = ADDRESS_ERRORS.get(getattr(problem, "code", ""))
    if message is None:
        return str(getattr(problem, "message", problem))
    try:
        return str(message) % {"address": problem.address, **(getattr(problem, "params", None) or {})}
    except (KeyError, TypeError, ValueError):
        return str(problem.message)
