from django.urls import path

from . import views

urlpatterns = [
    path("guides/", views.GuideListView.as_view(), name="guide-list"),
    path("guides/<int:year>/", views.GuideDetailView.as_view(), name="guide-detail"),
    path("guides/<int:year>/directions/", views.DirectionListView.as_view(), name="direction-list"),
    path(
        "guides/<int:year>/directions/<str:code>/",
        views.DirectionDetailView.as_view(),
        name="direction-detail",
    ),
]
