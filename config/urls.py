from django.contrib import admin
from django.urls import include, path

from common.views import healthz
from guide import views as guide_views

urlpatterns = [
    path("", guide_views.home, name="home"),
    path("guide/", include("guide.urls")),
    path("proposals/", include("proposals.urls")),
    path("screening/", include("screening.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
