from django.contrib import admin

from common.admin import ReadOnlyAdmin, ReadOnlyInline

from .enums import RegistryName
from .models import (
    Finding,
    GuideExpert,
    MisconductEntry,
    OngoingProject,
    Recommender,
    RegistryImport,
    RegistryLoad,
    ScreeningBatch,
    ScreeningRun,
)
from .registries import registry_touch


class RegistryAdmin(admin.ModelAdmin):
    """Editing a registry by hand marks it as loaded, with its new size."""

    registry: str = ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        registry_touch(name=self.registry, by=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        registry_touch(name=self.registry, by=request.user)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        registry_touch(name=self.registry, by=request.user)


@admin.register(OngoingProject)
class OngoingProjectAdmin(RegistryAdmin):
    registry = RegistryName.ONGOING_PROJECTS
    list_display = ["id_number", "name", "role", "program"]
    list_filter = ["role"]
    search_fields = ["id_number", "name", "program"]


@admin.register(MisconductEntry)
class MisconductEntryAdmin(RegistryAdmin):
    registry = RegistryName.MISCONDUCT
    list_display = ["name", "id_number", "credit_code"]
    search_fields = ["name", "id_number", "credit_code"]


@admin.register(GuideExpert)
class GuideExpertAdmin(RegistryAdmin):
    registry = RegistryName.GUIDE_EXPERTS
    list_display = ["name", "id_number"]
    search_fields = ["name", "id_number"]


@admin.register(Recommender)
class RecommenderAdmin(RegistryAdmin):
    registry = RegistryName.RECOMMENDERS
    list_display = ["name"]
    search_fields = ["name"]
    exclude = ["name_key"]

    def save_model(self, request, obj, form, change):
        from .rules.text import normalise_name

        obj.name_key = normalise_name(obj.name)
        super().save_model(request, obj, form, change)


@admin.register(RegistryLoad)
class RegistryLoadAdmin(ReadOnlyAdmin):
    """A registry counts as loaded once it has a row here (rules report `unknown` before)."""

    list_display = ["name", "version", "entries", "loaded_at", "source"]
    readonly_fields = ["version"]  # bumped by every load or edit (services), never by hand


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadOnlyAdmin):
    """Registry uploads of the registries page, loaded by a job (screening.services): shown, never
    changed here (the registries page and its progress pages are where they are made and followed)."""

    list_display = ["id", "registry", "status", "source", "total", "entries", "requested_by", "created_at"]
    list_filter = ["status", "registry"]
    list_select_related = ["requested_by"]
    # not the file's rows (kept until it is loaded): ID numbers, shown nowhere
    readonly_fields = [f.name for f in RegistryImport._meta.fields if f.name != "rows"]
    fields = readonly_fields


class FindingInline(ReadOnlyInline, admin.TabularInline):
    model = Finding
    extra = 0
    readonly_fields = ["rule", "status", "clause", "message_id", "params", "evidence", "field", "fix_id"]
    fields = readonly_fields


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "proposal",
        "status",
        "overall",
        "reason",
        "ruleset_version",
        "queued_at",
        "finished_at",
    ]
    list_filter = ["status", "overall", "reason"]
    list_select_related = ["proposal"]
    search_fields = ["proposal__reference", "proposal__title"]
    readonly_fields = [f.name for f in ScreeningRun._meta.fields]
    inlines = [FindingInline]


@admin.register(ScreeningBatch)
class ScreeningBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "label", "created_by", "created_at"]
