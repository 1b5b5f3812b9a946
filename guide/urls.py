from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("<int:year>/", views.overview, name="overview"),
    path("<int:year>/directions/", views.direction_list, name="direction_list"),
    path("<int:year>/directions/<str:code>/", views.direction_detail, name="direction_detail"),
]
