"""The form of the compare page: two versions among those the user may compare."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import GuideVersion


def version_choice_label(version: GuideVersion) -> str:
    if version.status == GuideVersion.Status.PUBLISHED:
        return version.label
    # "2023 v2（待审核草稿）" / "2023 v2 (Draft to review)": the brackets are the language's own.
    return gettext("%(label)s（%(status)s）") % {
        "label": version.label,
        "status": version.get_status_display(),
    }


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("原版本"), coerce=int)
    b = forms.TypedChoiceField(label=_("新版本"), coerce=int)

    def __init__(self, *args, versions: list[GuideVersion], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.pk, version_choice_label(v)) for v in versions]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
