"""The schema (/api/v1/schema/) and its docs page (/api/v1/docs/: Swagger UI).

The app runs offline under a strict Content-Security-Policy (common.middleware: no
inline script or style, nothing from other origins). Swagger UI comes from the package's
own static files (drf-spectacular-sidecar, served like every static file); its start-up
script is a separate request (drf-spectacular's split view: ``?script``), and the page is
written here without drf-spectacular's inline ``<style>``, so the page needs no exception
to the site's policy (tests/api/test_docs.py checks the policy and every resource)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template import Context, Engine
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import ApiMixin

PAGE = Engine.get_default().from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="icon" href="{{ favicon_href }}">
<link rel="stylesheet" href="{{ swagger_ui_css }}">
<link rel="stylesheet" href="{{ docs_css }}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{{ swagger_ui_bundle }}"></script>
<script src="{{ swagger_ui_standalone }}"></script>
<script src="{{ script_url }}"></script>
</body>
</html>
"""
)


class SchemaView(ApiMixin, SpectacularAPIView):
    """The OpenAPI 3 schema: YAML by default, JSON with ``?format=json`` or
    ``Accept: application/vnd.oai.openapi+json``; ``?lang=en`` for English descriptions."""

    cacheable = True


class DocsView(ApiMixin, SpectacularSwaggerSplitView):
    url_name = "api:schema"
    cacheable = False  # the start-up script carries the session's CSRF token

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("script") is not None:
            return super().get(request, *args, **kwargs)  # the start-up script (JavaScript)
        context = {
            "lang": translation.get_language(),
            "title": self.title,
            "favicon_href": self._swagger_ui_favicon(),
            "swagger_ui_css": self._swagger_ui_resource("swagger-ui.css"),
            "docs_css": static("css/api-docs.css"),
            "swagger_ui_bundle": self._swagger_ui_resource("swagger-ui-bundle.js"),
            "swagger_ui_standalone": self._swagger_ui_resource("swagger-ui-standalone-preset.js"),
            "script_url": set_query_parameters(
                url=reverse("api:docs"), lang=request.GET.get("lang"), script=""
            ),
        }
        return HttpResponse(PAGE.render(Context(context)), content_type="text/html; charset=utf-8")
