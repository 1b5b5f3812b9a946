from django.contrib import admin

from common.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Area,
    Direction,
    FormalClause,
    Guide,
    GuideCorrection,
    GuideVersion,
    Indicator,
    PartnerRequirement,
)


class AreaInline(ReadOnlyInline, admin.TabularInline):
    model = Area
    extra = 0


class ClauseInline(ReadOnlyInline, admin.TabularInline):
    model = FormalClause
    extra = 0


# The published guide's rows are what screening and the public pages read: they change only by
# publishing a version (guide.services.versions, the review pages), never here.
@admin.register(Guide)
class GuideAdmin(ReadOnlyAdmin):
    list_display = ["year", "title", "declared_direction_count", "pi_born_on_or_after", "unit_registered_by"]
    inlines = [AreaInline, ClauseInline]


class IndicatorInline(ReadOnlyInline, admin.TabularInline):
    model = Indicator
    extra = 0


class PartnerInline(ReadOnlyInline, admin.TabularInline):
    model = PartnerRequirement
    extra = 0


@admin.register(Direction)
class DirectionAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "title_en", "guide", "area", "matching_ratio"]
    list_filter = ["guide", "area"]
    search_fields = ["code", "title", "title_en", "keywords_en", "research_content", "indicators_text"]
    list_select_related = ["guide", "area"]
    inlines = [IndicatorInline, PartnerInline]


admin.site.register(Area, ReadOnlyAdmin)
admin.site.register(Indicator, ReadOnlyAdmin)
admin.site.register(PartnerRequirement, ReadOnlyAdmin)
admin.site.register(FormalClause, ReadOnlyAdmin)


class CorrectionInline(ReadOnlyInline, admin.TabularInline):
    model = GuideCorrection
    fk_name = "version"
    extra = 0
    fields = ["address", "parsed_value", "value", "reason", "created_by", "created_at", "reverted_at"]
    readonly_fields = fields


@admin.register(GuideVersion)
class GuideVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "source_name",
        "kind",
        "warning_count",
        "created_by",
        "created_at",
        "published_at",
    ]
    list_filter = ["status", "year"]
    list_select_related = ["created_by"]
    search_fields = ["source_name", "sha256"]
    exclude = ["data", "english"]  # large: the review page shows them
    inlines = [CorrectionInline]


@admin.register(GuideCorrection)
class GuideCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["address", "version", "value", "created_by", "created_at", "reverted_at"]
    list_filter = ["version__year"]
    list_select_related = ["version", "created_by"]
    search_fields = ["address", "reason"]
