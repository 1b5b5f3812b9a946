"""How the published guide reads in the API (read-only)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guide import selectors
from guide.models import Area, Direction, FormalClause, Guide, Indicator, PartnerRequirement
from guide.parsing.conditions import (
    ABSENT,
    AMBIGUOUS,
    GENDERS,
    MISSING,
    NEEDS_GENDER,
    PARAMETERS,
    STATED,
    STATES,
)


class GuideListSerializer(serializers.ModelSerializer):
    direction_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Guide
        fields = ["year", "title", "declared_direction_count", "direction_count", "published_version_id"]


class EligibilitySerializer(serializers.Serializer):
    """The general limits (总体要求) the checks apply; null where the guide states none."""

    pi_born_on_or_after = serializers.DateField(allow_null=True)
    unit_registered_by = serializers.DateField(allow_null=True)
    max_domestic_units = serializers.IntegerField(allow_null=True)
    min_foreign_units = serializers.IntegerField(allow_null=True)
    max_duration_years = serializers.IntegerField(allow_null=True)
    subtasks_allowed = serializers.BooleanField(allow_null=True)


class ProjectsPerDirectionSerializer(serializers.Serializer):
    min = serializers.IntegerField(source="projects_min", allow_null=True)
    max = serializers.IntegerField(source="projects_max", allow_null=True)


class AreaSerializer(serializers.ModelSerializer):
    direction_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Area
        fields = ["number", "title", "intro", "direction_count"]


class FormalClauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormalClause
        fields = ["clause", "section", "section_title", "text"]


class RatioCountSerializer(serializers.Serializer):
    matching_ratio = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    directions = serializers.IntegerField(source="n")


class PartnerCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PartnerRequirement.Kind.choices)
    strength = serializers.ChoiceField(choices=PartnerRequirement.Strength.choices)
    directions = serializers.IntegerField(source="n")


# --- conditions with their scopes (guide.parsing.conditions) ---------------------------------------
# The pure module's parameters, states and genders have no model choices: their enums are declared here
# for the schema (each under its own field class, so that "state" does not clash with the proposals').


@extend_schema_field(
    {
        "type": "string",
        "enum": list(PARAMETERS),
        "description": _(
            "条件：pi_born_on_or_after 项目负责人出生不早于，task_lead_born_on_or_after 课题负责人出生不早于，"
            "unit_registered_by 单位注册不晚于，max_units 参与单位总数上限，max_domestic_units 中方参与单位上限，"
            "min_foreign_units 国（境）外单位下限，max_duration_years 实施周期上限（年），subtasks_allowed 可下设课题，"
            "max_subtasks 下设课题数上限，matching_ratio 配套经费比例，projects_supported 拟支持项目数"
        ),
    }
)
class ParameterField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "description": _(
            "日期为 YYYY-MM-DD，数量为整数，是否为 true/false，配套比例为数（2 即 2:1），拟支持项目数为 [下限, 上限]；"
            "null：指南中未读出或未规定"
        ),
        "nullable": True,
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "integer"},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
        ],
    }
)
class ConditionValueField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "enum": list(GENDERS),
        "nullable": True,
        "description": _("值只适用于此性别的项目负责人；null：不分性别"),
    }
)
class GenderField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "enum": list(STATES),
        "description": _(
            "stated：已规定；missing：指南中未读出（预审不检查）；absent：指南未规定（已确认）；ignored：不采用"
        ),
    }
)
class ConditionStateField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "enum": [STATED, NEEDS_GENDER, MISSING, AMBIGUOUS, ABSENT],
        "description": _(
            "stated：一个取值；needs_gender：按项目负责人的性别各有取值；missing：指南中未读出（预审不检查）；"
            "ambiguous：适用的取值不止一个（预审不检查）；absent：指南未规定（已确认）"
        ),
    }
)
class ApplicableStateField(serializers.CharField):
    pass


class ScopeSerializer(serializers.Serializer):
    """Where a condition applies; null in each = no restriction (all null: the whole call)."""

    project_type = serializers.CharField(
        allow_null=True, help_text=_("项目类型，如 青年科学家项目；null：不限类型")
    )
    direction = serializers.CharField(allow_null=True, help_text=_("方向编号；null：不限方向"))
    gender = GenderField(allow_null=True)


class ConditionSerializer(serializers.Serializer):
    """One condition of the guide as published (guide.parsing.conditions.Condition)."""

    key = serializers.CharField(help_text=_("条件的编号，如 max_units@type=青年科学家项目"))
    parameter = ParameterField()
    value = ConditionValueField()
    scope = ScopeSerializer()
    state = ConditionStateField()
    text = serializers.CharField(help_text=_("读出该条件的指南原文；没有时为空"))


class ConditionValueSerializer(serializers.Serializer):
    value = ConditionValueField()
    scope = ScopeSerializer()


class ApplicableSerializer(serializers.Serializer):
    """What applies for one parameter in a direction (guide.parsing.conditions.applicable)."""

    parameter = ParameterField()
    state = ApplicableStateField()
    values = ConditionValueSerializer(
        many=True,
        source="conditions",
        help_text=_("适用的取值及其范围：一个；按性别各一个；或不能确定时的各候选值"),
    )


class GuideSerializer(serializers.ModelSerializer):
    """One year's guide: the call at a glance (as the overview page), from
    guide.api.selectors.guide_overview."""

    direction_count = serializers.IntegerField(read_only=True)
    projects_per_direction = ProjectsPerDirectionSerializer(source="*")
    eligibility = EligibilitySerializer(source="*")
    areas = AreaSerializer(many=True, source="area_rows")
    formal_clauses = FormalClauseSerializer(many=True, source="clause_rows")
    matching_ratios = RatioCountSerializer(
        many=True, source="summary.ratios", help_text=_("各配套经费比例的方向数（null：无配套要求）")
    )
    partner_requirements = PartnerCountSerializer(
        many=True, source="summary.partners", help_text=_("各类合作要求的方向数")
    )
    conditions = serializers.SerializerMethodField(
        help_text=_("指南的全部申报条件及其适用范围（全指南、项目类型、方向、性别），含未读出与不采用的")
    )

    class Meta:
        model = Guide
        fields = [
            "year",
            "title",
            "declared_direction_count",
            "direction_count",
            "total_budget_yuan",
            "projects_per_direction",
            "eligibility",
            "areas",
            "formal_clauses",
            "matching_ratios",
            "partner_requirements",
            "conditions",
            "published_version_id",
        ]

    @extend_schema_field(ConditionSerializer(many=True))
    def get_conditions(self, guide) -> list:
        return ConditionSerializer(selectors.guide_conditions(guide=guide), many=True).data


class IndicatorSerializer(serializers.ModelSerializer):
    comparator_symbol = serializers.CharField(read_only=True)
    quantitative = serializers.BooleanField(read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "position",
            "text",
            "subject",
            "comparator",
            "comparator_symbol",
            "value",
            "value_max",
            "unit",
            "quantitative",
        ]


@extend_schema_field(
    {
        "description": _("foreign_countries：国家数；continents：大洲列表；institution_kind、licence：代码"),
        "oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
)
class RequirementValueField(serializers.JSONField):
    pass


class PartnerRequirementSerializer(serializers.ModelSerializer):
    value = RequirementValueField()

    class Meta:
        model = PartnerRequirement
        fields = ["kind", "value", "strength", "counts_regions", "text"]


class DirectionAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["number", "title"]


class DirectionSerializer(serializers.ModelSerializer):
    area = DirectionAreaSerializer()
    matching_ratio = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text=_("本方向自身规定的配套比例：每元国拨经费须配套的经费（2 即 2:1）；null：本方向未规定"),
    )
    applied_ratio = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text=_(
            "本方向适用的配套比例（本方向的，或其项目类型、全指南的）；null：无配套要求或取值不止一个"
        ),
    )
    research_items = serializers.ListField(
        child=serializers.CharField(), help_text=_("研究内容中编号的子项（1）（2）…")
    )
    indicators = IndicatorSerializer(many=True)
    partner_requirements = PartnerRequirementSerializer(many=True)
    project_types = serializers.ListField(
        child=serializers.CharField(), help_text=_("方向名称后标注的项目类型，如 应用示范类、部省联动任务")
    )
    conditions = serializers.SerializerMethodField(
        help_text=_("本方向适用的申报条件，每个条件一项（指南未规定的不列）")
    )

    class Meta:
        model = Direction
        fields = [
            "code",
            "position",
            "area",
            "title",
            "title_en",
            "keywords_en",
            "research_content",
            "research_items",
            "indicators_text",
            "indicators",
            "matching_ratio",
            "applied_ratio",
            "notes",
            "other_requirements",
            "partner_requirements",
            "project_types",
            "conditions",
        ]

    @extend_schema_field(ApplicableSerializer(many=True))
    def get_conditions(self, direction) -> list:
        # The list view reads the guide's conditions once for the page (its serializer context).
        conditions = self.context.get("guide_conditions", {}).get(direction.guide_id)
        applying = selectors.direction_applicable(direction=direction, conditions=conditions)
        return ApplicableSerializer(applying, many=True).data
