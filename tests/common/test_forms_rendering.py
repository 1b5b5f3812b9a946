"""The form renderer (common.forms_rendering.WidgetRenderer): Django's Jinja2 widget templates give
the same HTML as its template language; what exists only for the template language (the admin's
widgets) is still found."""

import re

from django import forms
from django.forms.renderers import DjangoTemplates

from common.forms_rendering import WidgetRenderer


class Sample(forms.Form):
    title = forms.CharField(max_length=10, help_text="一行")
    kind = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙 & <丙>")])
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)
    agree = forms.BooleanField(required=False)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)


def html(renderer) -> str:
    form = Sample(data={"title": "<太长的题目>" * 3, "kind": "b", "many": ["y"]}, renderer=renderer)
    form.is_valid()
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(form))).strip()


def test_widgets_render_as_the_template_language_renders_them():
    assert html(WidgetRenderer()) == html(DjangoTemplates())
    assert "&lt;太长的题目&gt;" in html(WidgetRenderer())  # escaped


def test_a_template_only_the_template_language_has_is_found():
    renderer = WidgetRenderer()
    template = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert template.template.__class__.__module__.startswith("django.template")
    assert renderer.get_template("django/forms/widgets/input.html").template.__class__.__module__.startswith(
        "jinja2"
    )
