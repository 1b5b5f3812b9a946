"""Screening runs, reports and registries in the API (read-only shapes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import labels
from ..enums import Outcome, RegistryName, RunStatus
from ..report import lang_key

REASONS = [(r, r) for r in ("submit", "manual", "batch", "collision", "draft")]


# Findings per outcome ("pass" is a Python keyword: the class is built from the outcomes).
CountsSerializer = type(
    "CountsSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        **{outcome: serializers.IntegerField(source=f"n_{outcome}") for outcome in Outcome.values},
    },
)


class RunSerializer(serializers.Serializer):
    """One screening run (from screening.api.selectors.runs_of, with its counts)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RunStatus.choices)
    overall = serializers.ChoiceField(
        choices=[("", ""), *Outcome.choices], help_text=_("预审结论；未完成时为空")
    )
    reason = serializers.ChoiceField(
        choices=REASONS,
        help_text=_(
            "submit：提交；manual：点“检查”；batch：批量；collision：与其他申报书重复；draft：草稿检查"
        ),
    )
    ruleset_version = serializers.CharField()
    queued_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    counts = CountsSerializer(source="*", help_text=_("各结论的检查项数"))


class FindingSerializer(serializers.Serializer):
    """One line of the report (screening.report.ReportLine), in the request's language."""

    rule = serializers.CharField(help_text=_("检查项编号，如 pi.age"))
    rule_title = serializers.CharField()
    status = serializers.ChoiceField(choices=Outcome.choices)
    status_label = serializers.SerializerMethodField()
    previous_status = serializers.ChoiceField(
        choices=Outcome.choices, allow_null=True, help_text=_("上一次完成的预审中的结论；没有上一次时为 null")
    )
    clause = serializers.CharField(help_text=_("指南条款，如 2(1)"))
    clause_label = serializers.SerializerMethodField()
    message = serializers.CharField()
    suggestion = serializers.CharField(source="fix", help_text=_("修改建议；没有时为空"))
    field = serializers.CharField(help_text=_("需修改的字段路径，如 pi.birth_date；与字段无关时为空"))
    field_label = serializers.CharField()
    evidence = serializers.ListField(
        child=serializers.CharField(), source="evidence_lines", help_text=_("依据（可读的文字，每条一行）")
    )

    def _lang(self) -> str:
        return lang_key(self.context.get("language"))

    def get_status_label(self, line) -> str:
        return labels.status_label(line.status, self._lang())

    def get_clause_label(self, line) -> str:
        return labels.clause_label(line.clause, self._lang())


class ReportSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    run = RunSerializer(allow_null=True, help_text=_("这次运行；尚未预审时为 null"))
    previous_run = serializers.IntegerField(allow_null=True, help_text=_("用来比较的上一次完成的运行"))
    findings = FindingSerializer(many=True, help_text=_("检查结果，顺序同预审报告页：不通过的条款在前"))


class RegistrySerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=RegistryName.choices)
    label = serializers.CharField()
    loaded = serializers.BooleanField(help_text=_("是否加载过；从未加载的名单使相应检查无法判定"))
    loaded_at = serializers.DateTimeField(allow_null=True)
    entries = serializers.IntegerField()
    source = serializers.CharField()
    version = serializers.IntegerField()

    def to_representation(self, row):
        name, label, load = row
        return {
            "name": name,
            "label": str(label),
            "loaded": load is not None,
            "loaded_at": serializers.DateTimeField().to_representation(load.loaded_at) if load else None,
            "entries": load.entries if load else 0,
            "source": load.source if load else "",
            "version": load.version if load else 0,
        }


class RegistryUploadSerializer(serializers.Serializer):
    """Documents the upload (multipart/form-data); the registries page's form checks it."""

    registry = serializers.ChoiceField(choices=RegistryName.choices)
    file = serializers.FileField(help_text=_("CSV 文件（UTF-8 或 GB18030，首行为列名；上限 10 MB）"))


class RegistryImportedSerializer(RegistrySerializer):
    imported = serializers.IntegerField(help_text=_("导入的条数"))

    def to_representation(self, row):
        *registry, imported = row
        return {**super().to_representation(tuple(registry)), "imported": imported}
