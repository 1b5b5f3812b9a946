from django.urls import path

from .caching import public_page
from .views import compare as compare_views
from .views import public
from .views import review as review_views
from .views import sources as source_views
from .views import uploads as upload_views

app_name = "guide"

urlpatterns = [
    path("<int:year>/", public.overview, name="overview"),
    path("<int:year>/directions/", public.direction_list, name="direction_list"),
    path("<int:year>/directions/<str:code>/", public.direction_detail, name="direction_detail"),
    # uploads (guide.views.uploads)
    path("upload/", upload_views.upload, name="upload"),
    path("upload/<int:pk>/", upload_views.upload_status, name="upload_status"),
    # source pictures (guide.views.sources)
    path("versions/<int:pk>/source/<int:page>.png", source_views.source_image, name="source_image"),
    # comparing versions (guide.views.compare)
    # the public compares published versions only: from the page cache like the pages of guide.views.public
    path("compare/", public_page(compare_views.compare, params=("a", "b")), name="compare"),
    # versions and their review (guide.views.review)
    path("versions/", review_views.versions, name="versions"),
    path("versions/<int:pk>/", review_views.version_review, name="version_review"),
    path(
        "versions/<int:pk>/directions/<str:code>/", review_views.version_direction, name="version_direction"
    ),
    path("versions/<int:pk>/corrections/", review_views.correction_add, name="correction_add"),
    path(
        "versions/<int:pk>/corrections/<int:correction_pk>/revert/",
        review_views.correction_revert,
        name="correction_revert",
    ),
    path("versions/<int:pk>/publish/", review_views.version_publish, name="version_publish"),
    path("versions/<int:pk>/publishing/", review_views.version_publishing, name="version_publishing"),
]
