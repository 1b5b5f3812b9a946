"""How the published guide reads in the API (read-only)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guide.models import Area, Direction, FormalClause, Guide, Indicator, PartnerRequirement


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
            "published_version_id",
        ]


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
        help_text=_("每元国拨经费须配套的经费（2 即 2:1）；null：无配套要求"),
    )
    research_items = serializers.ListField(
        child=serializers.CharField(), help_text=_("研究内容中编号的子项（1）（2）…")
    )
    indicators = IndicatorSerializer(many=True)
    partner_requirements = PartnerRequirementSerializer(many=True)

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
            "notes",
            "other_requirements",
            "partner_requirements",
        ]
