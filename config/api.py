"""The API, version 1 (mounted at /api/v1/ by config/urls.py): each app's endpoints, the
OpenAPI schema and its docs page. A later version gets a module of its own beside this
one; clients of v1 keep what they use."""

from django.urls import include, path, re_path

from common.api.docs import DocsView, SchemaView
from common.api.views import NotFoundView

app_name = "api"

urlpatterns = [
    path("", include("guide.api.urls")),
    path("", include("proposals.api.urls")),
    path("", include("screening.api.urls")),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    # Last: any other path under /api/v1/ is the API's 404, not the site's page (a line break
    # in the path too: "." would not match it).
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="not-found"),
]
