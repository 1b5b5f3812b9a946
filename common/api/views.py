"""The base of every API view.

- **Language.** The API answers in the language the request asks for: the site's language
  cookie (the switch in the top bar) first, then ``Accept-Language``, else Chinese. The
  pages ignore Accept-Language (common.middleware); an API client has no switch to press.
- **Bodies.** JSON through common.api.parsers.JSONParser (depth-limited); a view that takes
  something else (the registries' upload) names its parser.
- **No caching of private data.** Every API response carries ``Cache-Control: no-store``
  (PrivateNoStoreMiddleware only sees the session's user, not a token's), except the
  public guide's, which set ``cacheable = True``; all of them vary on the language and the
  credentials.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from .errors import exceptions
from .parsers import JSONParser


def api_language(request) -> str:
    """The language an API request asks for (cookie, then Accept-Language, then the default)."""
    return translation.get_language_from_request(request, check_path=False)


class ApiMixin:
    cacheable = False  # True only for public, non-personal data (the published guide)
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        # Before authentication and throttling, so their errors speak the language too.
        translation.activate(api_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not self.cacheable:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        patch_vary_headers(response, ("Accept-Language", "Cookie", "Authorization"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ApiView(ApiMixin, APIView):
    pass


class ApiGenericView(ApiMixin, generics.GenericAPIView):
    pass


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Any path under /api/v1/ that names no endpoint: the API's 404 body, not the site's page."""

    permission_classes = [AllowAny]
    throttle_classes: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()
