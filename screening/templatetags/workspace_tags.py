from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """``mapping[key]`` in a template (None when absent)."""
    return mapping.get(key) if mapping else None


@register.filter
def is_select(field) -> bool:
    return getattr(field.field.widget, "input_type", None) == "select"


@register.simple_tag
def select_options(field):
    """The <option>s of a bound choice field, written at once: Django's Select widget renders a
    template per option, a third of the list page's time with the filters' ~150 options."""
    current = "" if field.value() is None else str(field.value())
    selected = mark_safe(" selected")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, selected if str(value) == current else "", label) for value, label in field.field.choices),
    )
