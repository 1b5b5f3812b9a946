"""Hooks django-axes calls (see AXES_* in config/settings/base.py): the client's
address and the page a locked-out login attempt receives."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The address failures are counted against. With TRUSTED_PROXY_COUNT = n > 0,
    the n-th address from the right of X-Forwarded-For (the one the outermost
    trusted proxy saw); otherwise, or when the header is shorter, the socket
    address. Left-hand entries are client-supplied and never trusted."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    return hops[-count] if len(hops) >= count else remote


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The lockout page in the site's look, with status AXES_HTTP_RESPONSE_CODE (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class LoginView(auth_views.LoginView):
    """Django's login page, closed with 429 to a client address that has failed too many logins
    across usernames (settings.LOGIN_FAILURES_PER_ADDRESS; counted by common.signals)."""

    def post(self, request, *args, **kwargs):
        from .services import rate_reached

        limit, window = settings.LOGIN_FAILURES_PER_ADDRESS
        if rate_reached(scope="login_failed:address", value=client_ip(request), limit=limit, window=window):
            return render(request, "registration/too_many_requests.html", status=429)
        return super().post(request, *args, **kwargs)
