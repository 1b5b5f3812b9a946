from decimal import Decimal

from django import template
from django.utils.translation import get_language, gettext

from guide.filters import format_ratio, ratio_value

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
