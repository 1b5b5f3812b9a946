from django.urls import include, path

from . import views, views_registries

app_name = "screening"

urlpatterns = [
    # the old overview, its re-run and exports: the workspace list, filtered the same way
    path("", views.overview_moved, name="overview"),
    path("rerun/", views.overview_moved, name="overview_rerun"),
    path("export.<str:fmt>", views.overview_moved, name="export"),
    path("proposals/<int:pk>/", views.proposal_report, name="report"),
    path("proposals/<int:pk>/check/", views.proposal_check, name="check"),
    path("proposals/<int:pk>/report.<str:fmt>", views.proposal_export, name="proposal_export"),
    path("runs/<int:pk>/", views.run_status, name="run_status"),
    path("batches/<int:pk>/", views.batch_status, name="batch"),
    path("guide/<int:year>/rescreen/", views.guide_rescreen, name="guide_rescreen"),
    path("registries/", views_registries.registries, name="registries"),
    path("registries/imports/<int:pk>/", views_registries.registry_import, name="registry_import"),
    path("workspace/", include("screening.workspace.urls")),
]
