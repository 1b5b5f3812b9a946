"""The workspace's bulk-action form: what to do, to which proposals (those ticked, or the whole
filtered list), and a note for marking as reviewed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

ACTIONS = [
    ("rescreen", _("重新预审")),
    ("review", _("标记为已审阅")),
    ("export_xlsx", _("导出 Excel")),
    ("export_csv", _("导出 CSV")),
    ("export_pdf", _("导出 PDF")),
]
MAX_ID = 2**63 - 1  # the largest primary key a database's bigint holds
SCOPES = [("selected", _("勾选的申报书")), ("filtered", _("筛选结果中的全部申报书"))]


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=ACTIONS, label=_("操作"))
    scope = forms.ChoiceField(choices=SCOPES, initial="selected", widget=forms.RadioSelect, label=_("范围"))
    note = forms.CharField(
        required=False, max_length=2000, label=_("审阅备注"), widget=forms.TextInput(attrs={"size": 40})
    )
    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, max_ids: int = 20000, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.max_ids = max_ids

    def clean(self):
        cleaned = super().clean()
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        try:
            ids = list(dict.fromkeys(int(x) for x in raw))
        except ValueError:  # not a number, or more digits than Python converts
            raise forms.ValidationError(_("所选申报书无效。")) from None
        if any(not 0 < pk <= MAX_ID for pk in ids):  # no row has it; SQLite cannot even compare it
            raise forms.ValidationError(_("所选申报书无效。"))
        if len(ids) > self.max_ids:
            raise forms.ValidationError(_("一次最多处理 %(n)s 份申报书。") % {"n": self.max_ids})
        if cleaned.get("scope") == "selected" and not ids:
            raise forms.ValidationError(_("请先勾选申报书，或选择“筛选结果中的全部申报书”。"))
        cleaned["ids"] = ids
        return cleaned
