"""Forms of the guide's review pages: correcting the values of one item of a draft version."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .parsing import addresses
from .parsing.addresses import AddressError

# The messages of guide.parsing.addresses.AddressError codes, translated.
ADDRESS_ERRORS = {
    "unknown_address": _("未知的位置：%(address)s"),
    "missing_item": _("此版本没有这一项：%(address)s"),
    "required": _("此项不能为空"),
    "too_long": _("不能超过 %(limit)s 个字符"),
    "not_an_integer": _("应为整数"),
    "negative": _("不能为负数"),
    "too_small": _("至少为 %(minimum)s"),
    "too_large": _("数值过大"),
    "not_a_number": _("应为数字"),
    "not_a_date": _("日期格式应为 YYYY-MM-DD"),
    "not_a_bool": _("应为“是”或“否”"),
    "bad_ratio": _("比例应为数字（如 2 或 2:1）"),
    "bad_comparator": _("比较符应为 ≥、>、≤、<、= 或 range"),
    "bad_strength": _("性质应为“申报时须满足”或“执行期内须达到”"),
    "bad_range": _("应为整数范围，如 1~2"),
    "bad_gender": _("性别应为男性（male）、女性（female）或留空"),
    "unknown_continent": _("“%(name)s”不是可选的大洲：请从亚洲、欧洲、美洲、非洲、大洋洲中选择"),
    "unknown_choice": _("请从列表中选择一项"),
    "bad_state": _("状态应为 stated（已规定）、absent（指南未规定）、ignored（不采用）或 missing（待确认）"),
}

# The messages of guide.services.versions.VersionError codes, translated.
VERSION_ERRORS = {
    "not_draft": _("只有草稿可以更正或发布。"),
    "reason_required": _("请填写更正理由。"),
    "unchanged": _("没有修改任何值：与当前值相同。"),
    "not_read": _("此版本尚未读取完成。"),
    "conflicting_conditions": _(
        "同一条件在同一适用范围内有不同取值：请先为其指定适用范围，或将其中一个标为“不采用”，再发布。"
    ),
}


def address_error_message(exc: AddressError) -> str:
    message = ADDRESS_ERRORS.get(exc.code)
    return str(message % exc.params) if message is not None else str(exc)


class ItemCorrectionForm(forms.Form):
    """The values of one item (``item``: an address of guide.parsing.addresses, e.g.
    "directions[1.1].indicators[3]") and the reason. Each value is validated and coerced against the
    version's parsed data; ``cleaned_data["values"]`` maps addresses to the new values. Which of them
    actually change is the service's to decide (``corrections_add`` skips the unchanged ones)."""

    item = forms.CharField(widget=forms.HiddenInput, max_length=300)
    reason = forms.CharField(
        label=_("更正理由"),
        max_length=2000,
        error_messages={"required": _("请填写更正理由。")},
    )

    def __init__(self, *args, data_json: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_json = data_json
        item = (self.data.get("item") or "") if self.is_bound else ""
        self.addresses = addresses.item_addresses(data_json, item)
        for address in self.addresses:
            self.fields[address.rpartition(".")[2]] = forms.CharField(required=False, strip=False)

    def clean_item(self):
        if not self.addresses:
            raise forms.ValidationError(_("未知的更正项。"))
        return self.cleaned_data["item"]

    def clean(self):
        cleaned = super().clean()
        values = {}
        for address in self.addresses:
            name = address.rpartition(".")[2]
            raw = self._sent(name, addresses.kind_of(self.data_json, address))
            if raw is None:  # a value the form did not send is left as it is
                continue
            try:
                values[address] = addresses.coerce(self.data_json, address, raw)
            except AddressError as exc:
                self.add_error(name, address_error_message(exc))
        cleaned["values"] = values
        return cleaned

    def _sent(self, name: str, kind: str) -> str | None:
        """What the form sent for a value; a list's boxes (an empty marker, then one value per box
        ticked) joined as the list is typed."""
        if name not in self.data:
            return None
        if kind == addresses.PARTNER_LIST and hasattr(self.data, "getlist"):
            return ", ".join(v for v in self.data.getlist(name) if v)
        return self.data.get(name)

    def sent_back(self, item_view) -> None:
        """Show this (bound, invalid) form's values and errors on the review page's item."""
        item_view.open = True
        item_view.reason = self.data.get("reason", "")
        item_view.errors = [str(e) for e in self.non_field_errors()] + [
            str(e) for e in self.errors.get("reason", ())
        ]
        for field_view in item_view.fields:
            if field_view.name in self.data:
                field_view.text = self._sent(field_view.name, field_view.kind) or ""
            field_view.errors = [str(e) for e in self.errors.get(field_view.name, ())]
