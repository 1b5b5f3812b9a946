"""The shared pages: the audit trail (admins). Included at the site root from config/urls.py."""

from django.urls import path

from . import views_audit

app_name = "common"

urlpatterns = [
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
]
