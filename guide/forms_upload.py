"""The form of the guide upload page (the file is checked by guide.services.reading)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class GuideUploadForm(forms.Form):
    file = forms.FileField(
        label=_("指南文件"),
        help_text=_("PDF、Word（.docx）或纯文本（.txt）文件；文件类型按内容判断，与扩展名无关。"),
        allow_empty_file=True,  # an empty file gets the service's own message
    )
