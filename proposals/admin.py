from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Attachment, DraftUpload, Person, Proposal, Subtask, Unit


class PersonInline(ReadOnlyInline, admin.TabularInline):
    model = Person
    extra = 0
    fields = [
        "role",
        "position",
        "name",
        "gender",
        "id_number",
        "birth_date",
        "nationality",
        "title",
        "degree",
        "employer",
        "task",
    ]


class UnitInline(ReadOnlyInline, admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["position", "name", "credit_code", "country", "type", "registered_on", "role"]


class SubtaskInline(ReadOnlyInline, admin.TabularInline):
    model = Subtask
    extra = 0
    fields = [
        "position",
        "name",
        "lead_unit",
        "lead_name",
        "lead_id_number",
        "lead_birth_date",
        "lead_title",
        "lead_degree",
        "national_funding",
    ]


class AttachmentInline(ReadOnlyInline, admin.TabularInline):
    """Files are only reachable through the permission-checked download view; the
    storage path is never shown as a link."""

    model = Attachment
    extra = 0
    fields = ["kind", "original_name", "size", "content_type", "sha256", "uploaded_at", "download"]
    readonly_fields = fields

    @admin.display(description=_("下载"))
    def download(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        url = reverse("proposals:attachment", args=[obj.proposal_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("下载"))


# Proposals change through their forms, imports and the screening services (audited, results marked
# stale, states moved by their rules), never here.
@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "title",
        "guide_year",
        "direction_code",
        "state",
        "source",
        "owner",
        "updated_at",
    ]
    list_filter = ["state", "guide_year", "source"]
    search_fields = ["reference", "title", "people__name", "units__name", "subtasks__name"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "direction"]
    readonly_fields = ["submitted_at", "created_at", "updated_at"]
    inlines = [PersonInline, UnitInline, SubtaskInline, AttachmentInline]


@admin.register(DraftUpload)
class DraftUploadAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "owner", "kind", "size", "state", "proposal", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["original_name", "owner__username", "sha256"]
    list_select_related = ["owner", "proposal"]
    exclude = ["file"]
    readonly_fields = [
        "owner",
        "proposal",
        "original_name",
        "size",
        "sha256",
        "kind",
        "state",
        "extracted",
        "found",
        "warnings",
        "error",
        "created_at",
        "finished_at",
    ]
