from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import RegistryName

MAX_CSV_BYTES = 10 * 1024 * 1024


class RegistryUploadForm(forms.Form):
    registry = forms.ChoiceField(choices=RegistryName.choices, label=_("名单"))
    file = forms.FileField(label=_("CSV 文件"))

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("文件过大（上限 10 MB）。"))
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                cleaned["text"] = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise forms.ValidationError(_("无法识别文件编码，请使用 UTF-8 编码的 CSV。"))
        if "\x00" in cleaned["text"]:
            raise forms.ValidationError(_("这不是 CSV 文本文件。"))
        return cleaned
