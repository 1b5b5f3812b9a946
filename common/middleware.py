from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """The interface speaks the default language (Chinese) until the user picks
    another with the language switch (stored in the language cookie); the
    browser's Accept-Language is not consulted."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every page: the templates have no inline
    script or style and load nothing from other origins. Also a Permissions-Policy
    that switches off every device and payment API (the app uses none)."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    PERMISSIONS = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS)
        return response


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` on everything that may carry personal data (ID
    numbers, CVs, budgets), so neither a shared proxy nor the browser's disk cache
    keeps a copy: every response to a signed-in user, and every response under the
    private prefixes (signed in or not: login and sign-up forms, redirects).
    Static files (served by WhiteNoise before authentication runs) and public
    guide pages for anonymous visitors stay cacheable. The rule is by prefix, not
    by view, so a new private view cannot forget it."""

    PRIVATE_PREFIXES = ("/proposals/", "/screening/", "/admin/", "/accounts/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path_info.startswith(self.PRIVATE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            response.headers.pop("Expires", None)
        return response


API_PREFIX = "/api/"


class RequestTooLargeMiddleware:
    """Answers 413 with a page that says why (under /api/: the API's JSON error body), before
    anything reads a body whose declared size is over settings.MAX_REQUEST_BYTES (the upload
    handler common.uploadhandlers stops a body that turns out larger than declared)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BYTES:
            from django.shortcuts import render

            if request.path_info.startswith(API_PREFIX):
                from .api.errors import declared_too_large_response

                return declared_too_large_response(request)

            return render(
                request,
                "413.html",
                {"limit_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)
