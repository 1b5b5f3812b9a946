from django.contrib import admin

from .models import AuditEntry, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and viewed, never added, changed or deleted here: the product's own records change
    only through their services (which audit, version the guide and mark results stale)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline:
    """An inline of a :class:`ReadOnlyAdmin`: shown, never added to, changed or deleted from."""

    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Append-only (see the model): the admin only reads it; /audit/ is the page with filters."""

    list_display = ["at", "actor", "action", "target_type", "target_id", "data"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    list_select_related = ["actor"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What users were told and whether their e-mail went out (email_error says why not)."""

    list_display = ["created_at", "recipient", "kind", "target_type", "target_id", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "target_id"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    list_select_related = ["recipient"]
