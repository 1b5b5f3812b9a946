"""Proposals in the API. The body has the interchange shape (the JSON import/export's);
its fields only check JSON types, the rules are the form's (proposals.api.payload)."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.api.fields import (
    FormChoice,
    FormDate,
    FormInteger,
    FormNumber,
    FormText,
    StrictBoolean,
    StrictSerializer,
)

from .. import selectors
from ..enums import AttachmentKind, Employment, Gender, ProposalState, UnitRole, UnitType
from ..forms import PIForm, ProposalForm, SubtaskForm
from ..interchange import ATTACHMENT_KINDS, MAX_LENGTHS, MAX_SUBTASKS
from .payload import body_to_data, data_to_body

COUNTRY_HELP = _("ISO 两位代码或中文国名，如：CN、德国、香港；读出时为两位代码")
GENDER_HELP = _("male：男；female：女；空或 null：未知（居民身份证号码第 17 位可判断）")
OUTCOMES = [("pass", "pass"), ("fail", "fail"), ("warn", "warn"), ("unknown", "unknown")]


def bounds(form, name: str) -> dict:
    """The form field's range, for the schema (the form checks it)."""
    field = form.base_fields[name]
    return {"minimum": field.min_value, "maximum": field.max_value}


class BudgetSerializer(StrictSerializer):
    national = FormNumber(help_text=_("国拨经费（万元）"), **bounds(ProposalForm, "national_funding"))
    matching = FormNumber(help_text=_("配套经费（万元）"), **bounds(ProposalForm, "matching_funding"))
    unit = serializers.ChoiceField(choices=[("万元", "万元")], required=False, help_text=_("金额单位：万元"))


class PISerializer(StrictSerializer):
    name = FormText(max_length=MAX_LENGTHS["pi.name"])
    gender = FormChoice(choices=Gender.choices, help_text=GENDER_HELP)
    id_number = FormText(
        max_length=MAX_LENGTHS["pi.id_number"], help_text=_("居民身份证 18 位；外籍填护照号")
    )
    birth_date = FormDate()
    nationality = FormText(max_length=60, help_text=COUNTRY_HELP)
    title = FormText(max_length=MAX_LENGTHS["pi.title"], help_text=_("职称"))
    degree = FormText(max_length=MAX_LENGTHS["pi.degree"])
    employer = FormText(max_length=MAX_LENGTHS["pi.employer"])
    employment = FormChoice(choices=Employment.choices)
    employment_proofs = FormInteger(**bounds(PIForm, "employment_proofs"))
    civil_servant = StrictBoolean(required=False, allow_null=True)


class MemberSerializer(StrictSerializer):
    name = FormText(max_length=MAX_LENGTHS["members.name"])
    gender = FormChoice(choices=Gender.choices, help_text=GENDER_HELP)
    id_number = FormText(
        max_length=MAX_LENGTHS["members.id_number"], help_text=_("居民身份证 18 位；外籍填护照号")
    )
    birth_date = FormDate()
    nationality = FormText(max_length=60, help_text=COUNTRY_HELP)
    role = FormText(max_length=MAX_LENGTHS["members.role"], help_text=_("分工"))
    unit = FormText(max_length=MAX_LENGTHS["members.unit"], help_text=_("工作单位"))


class UnitSerializer(StrictSerializer):
    name = FormText(max_length=MAX_LENGTHS["units.name"])
    credit_code = FormText(
        max_length=MAX_LENGTHS["units.credit_code"], help_text=_("统一社会信用代码（18 位）")
    )
    country = FormText(max_length=60, help_text=COUNTRY_HELP)
    type = FormChoice(choices=UnitType.choices)
    registered_on = FormDate()
    role = FormChoice(choices=UnitRole.choices, help_text=_("lead：牵头；participant：参与（默认）"))
    third_party_testing = StrictBoolean(required=False, allow_null=True)
    hgr_license = StrictBoolean(required=False, allow_null=True)


class SubtaskSerializer(StrictSerializer):
    name = FormText(max_length=MAX_LENGTHS["subtasks.name"], help_text=_("课题名称"))
    lead_unit = FormText(max_length=MAX_LENGTHS["subtasks.lead_unit"], help_text=_("承担单位"))
    lead_name = FormText(max_length=MAX_LENGTHS["subtasks.lead_name"], help_text=_("课题负责人"))
    lead_id_number = FormText(
        max_length=MAX_LENGTHS["subtasks.lead_id_number"],
        help_text=_("课题负责人的证件号码：居民身份证 18 位；外籍填护照号"),
    )
    lead_birth_date = FormDate(help_text=_("课题负责人的出生日期"))
    lead_title = FormText(max_length=MAX_LENGTHS["subtasks.lead_title"], help_text=_("课题负责人的职称"))
    lead_degree = FormText(max_length=MAX_LENGTHS["subtasks.lead_degree"], help_text=_("课题负责人的学位"))
    national_funding = FormNumber(
        help_text=_("课题的国拨经费（万元）"), **bounds(SubtaskForm, "national_funding")
    )


def rows(child: serializers.Serializer, **kwargs) -> serializers.ListSerializer:
    """A list of objects, itself optional and nullable (null: not given), whose rows are
    never null: ``many=True`` would hand ``allow_null`` to the row serializer too, and a
    null row would reach the form as a row."""
    return serializers.ListSerializer(child=child, required=False, allow_null=True, **kwargs)


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class ProposalSerializer(StrictSerializer):
    """One proposal: what the detail page shows. Written with PUT (the whole proposal) or
    PATCH (the top-level keys given replace theirs; ``units``, ``members``, ``subtasks`` and
    ``pi`` are replaced as a whole) while it is a draft; every field may be missing in a draft (the
    checks run at submission)."""

    READ_ONLY = (
        "id",
        "state",
        "source",
        "owner",
        "direction_title",
        "submitted_at",
        "created_at",
        "updated_at",
        "files",
        "can_edit",
        "can_reopen",
    )
    ignored_keys = READ_ONLY

    id = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(choices=ProposalState.choices, read_only=True)
    source = serializers.ChoiceField(
        choices=[("form", "form"), ("upload", "upload"), ("import", "import")], read_only=True
    )
    owner = serializers.CharField(read_only=True, help_text=_("申报人账号"))
    reference = FormText(max_length=MAX_LENGTHS["reference"], help_text=_("编号；留空则自动生成"))
    guide_year = FormInteger(help_text=_("指南年度；留空为最新指南"), **bounds(ProposalForm, "guide_year"))
    direction = FormText(max_length=MAX_LENGTHS["direction"], help_text=_("方向编号，如 1.1"))
    direction_title = serializers.CharField(read_only=True, allow_null=True)
    title = FormText(max_length=MAX_LENGTHS["title"])
    recommender = FormText(max_length=MAX_LENGTHS["recommender"])
    start_date = FormDate()
    end_date = FormDate()
    budget = BudgetSerializer(required=False, allow_null=True)
    pi = PISerializer(required=False, allow_null=True)
    members = rows(MemberSerializer())
    units = rows(UnitSerializer())
    subtasks = rows(
        SubtaskSerializer(), help_text=format_lazy(_("课题，按顺序，至多 {count} 个"), count=MAX_SUBTASKS)
    )
    research_content = FormText(max_length=MAX_LENGTHS["research_content"])
    indicators = FormText(max_length=MAX_LENGTHS["indicators"])
    attachments = serializers.ListField(
        child=serializers.ChoiceField(choices=ATTACHMENT_KINDS),
        required=False,
        allow_null=True,
        help_text=_("声明的附件（文件在网页上传）"),
    )
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    files = FileSerializer(many=True, read_only=True, help_text=_("已上传的附件文件"))
    can_edit = serializers.BooleanField(read_only=True, help_text=_("当前用户能否修改、提交、删除"))
    can_reopen = serializers.BooleanField(read_only=True, help_text=_("当前用户能否撤回为草稿"))

    def validate(self, attrs):
        data, errors = body_to_data(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return {"data": data}

    def to_representation(self, proposal):
        user = self.context["request"].user
        return {
            "id": proposal.pk,
            "state": proposal.state,
            "source": proposal.source,
            "owner": proposal.owner.get_username(),
            "direction_title": proposal.direction.title if proposal.direction_id else None,
            **data_to_body(selectors.proposal_to_data(proposal)),
            "submitted_at": _datetime(proposal.submitted_at),
            "created_at": _datetime(proposal.created_at),
            "updated_at": _datetime(proposal.updated_at),
            "files": FileSerializer([a for a in proposal.attachments.all() if a.file], many=True).data,
            "can_edit": selectors.proposal_can_edit(user=user, proposal=proposal),
            "can_reopen": selectors.proposal_can_reopen(user=user, proposal=proposal),
        }


def _datetime(value) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


class ProposalListSerializer(serializers.Serializer):
    """A row of the list (as the list page: no ID numbers)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    guide_year = serializers.IntegerField()
    direction = serializers.CharField(source="direction_code")
    direction_title = serializers.SerializerMethodField()
    pi_name = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=ProposalState.choices)
    screened_overall = serializers.ChoiceField(
        choices=[("", ""), *OUTCOMES], help_text=_("最近一次完成的预审结论；未预审为空")
    )
    owner = serializers.CharField(source="owner.username", help_text=_("申报人账号"))
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_direction_title(self, proposal) -> str | None:
        return proposal.direction.title if proposal.direction_id else None

    def get_pi_name(self, proposal) -> str | None:
        return next((p.name for p in proposal.pi_list), None) or None


class SubmitSerializer(StrictSerializer):
    confirm = StrictBoolean(
        required=False,
        default=False,
        help_text=_(
            "按草稿现在的内容检查有不通过的条件时，须为 true 才提交（否则答 409 confirmation_required）"
        ),
    )
