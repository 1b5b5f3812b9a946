from django.contrib import admin
from django.urls import include, path

from common.lockout import LoginView
from common.views import healthz, readyz
from guide.views import public as guide_views
from proposals import views as proposals_views

urlpatterns = [
    path("", guide_views.home, name="home"),
    path("guide/", include("guide.urls")),
    path("proposals/", include("proposals.urls")),
    path("screening/", include("screening.urls")),
    path("api/v1/", include("config.api")),
    path("", include("common.urls")),  # audit trail, notifications; before i18n/ (its setlang)
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/password_reset/", proposals_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        proposals_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/login/", LoginView.as_view(), name="login"),  # before Django's: an address-wide cap
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
