from django.urls import path

from . import views

urlpatterns = [
    path("proposals/<int:pk>/runs/", views.RunListView.as_view(), name="run-list"),
    path("proposals/<int:pk>/runs/<int:run_pk>/", views.RunDetailView.as_view(), name="run-detail"),
    path("proposals/<int:pk>/report/", views.LatestReportView.as_view(), name="report"),
    path("proposals/<int:pk>/check/", views.CheckView.as_view(), name="check"),
    path("registries/", views.RegistryListView.as_view(), name="registries"),
]
