from django.urls import path

from .views import public

app_name = "guide"

urlpatterns = [
    path("<int:year>/", public.overview, name="overview"),
    path("<int:year>/directions/", public.direction_list, name="direction_list"),
    path("<int:year>/directions/<str:code>/", public.direction_detail, name="direction_detail"),
]
