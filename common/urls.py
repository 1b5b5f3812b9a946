"""The shared pages: the audit trail (admins), notifications (every signed-in user: their own).

Included at the site root from config/urls.py, before Django's i18n URLs: its ``i18n/setlang/``
takes the language switch's address (the form posts to ``set_language``, the same path) so a
signed-in user's choice is remembered for what is sent to them."""

from django.urls import path

from . import views_audit, views_notifications

app_name = "common"

urlpatterns = [
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views_notifications.notification_read, name="notification_read"),
    path("notifications/read-all/", views_notifications.notification_read_all, name="notifications_read_all"),
    path("i18n/setlang/", views_notifications.language_set, name="language_set"),
]
