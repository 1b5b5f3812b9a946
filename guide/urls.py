from django.urls import path

from .views import public
from .views import uploads as upload_views

app_name = "guide"

urlpatterns = [
    path("<int:year>/", public.overview, name="overview"),
    path("<int:year>/directions/", public.direction_list, name="direction_list"),
    path("<int:year>/directions/<str:code>/", public.direction_detail, name="direction_detail"),
    # uploads (guide.views.uploads)
    path("upload/", upload_views.upload, name="upload"),
    path("upload/<int:pk>/", upload_views.upload_status, name="upload_status"),
]
