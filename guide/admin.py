from django.contrib import admin

from .models import Area, Direction, FormalClause, Guide, Indicator, PartnerRequirement


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


class ClauseInline(admin.TabularInline):
    model = FormalClause
    extra = 0


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "declared_direction_count", "pi_born_on_or_after", "unit_registered_by"]
    inlines = [AreaInline, ClauseInline]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class PartnerInline(admin.TabularInline):
    model = PartnerRequirement
    extra = 0


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "title_en", "guide", "area", "matching_ratio"]
    list_filter = ["guide", "area"]
    search_fields = ["code", "title", "title_en", "keywords_en", "research_content", "indicators_text"]
    list_select_related = ["guide", "area"]
    inlines = [IndicatorInline, PartnerInline]


admin.site.register(Area)
admin.site.register(Indicator)
admin.site.register(PartnerRequirement)
admin.site.register(FormalClause)
