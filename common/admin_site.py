"""The admin site: every model registered on it — the project's and the libraries' (users and
groups, API tokens, login attempts) — writes each add, change and delete it makes to the append-only
audit trail as well as to Django's own log (``LogEntry``, which an administrator can delete).

The product's own records (proposals, screening runs and findings, the published guide and its
versions, registry loads) are read-only there (``common.admin.ReadOnlyAdmin``): they change only
through the services, which audit, version the guide and mark results stale."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


def _jsonable(message) -> list | str:
    """The admin's change message (a list of {"added"/"changed"/"deleted": …} or a text) as stored."""
    return message if isinstance(message, list | str) else str(message)


class AuditedAdmin(admin.ModelAdmin):
    """Mixed into every admin class registered on :class:`AuditedAdminSite`."""

    def log_addition(self, request, obj, message):
        from common.services import audit_record

        audit_record(
            actor=request.user, action="admin.added", target=obj, data={"change": _jsonable(message)}
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        from common.services import audit_record

        audit_record(
            actor=request.user, action="admin.changed", target=obj, data={"change": _jsonable(message)}
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        from common.services import audit_record

        for obj in queryset:
            audit_record(actor=request.user, action="admin.deleted", target=obj, data={"object": str(obj)})
        return super().log_deletions(request, queryset)


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__, (AuditedAdmin, admin_class), {"__module__": admin_class.__module__}
            )
        return super().register(model_or_iterable, admin_class, **options)


class AuditedAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`AuditedAdminSite` as its default site (INSTALLED_APPS)."""

    default_site = "common.admin_site.AuditedAdminSite"
