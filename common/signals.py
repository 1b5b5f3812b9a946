"""Receivers that put logins into the audit trail and remember the language a user signs in
with (for the e-mails sent to them later). They only call services."""

from django.conf import settings
from django.contrib.auth import user_logged_in, user_login_failed
from django.dispatch import receiver

from .lockout import client_ip
from .services import audit_record, profile_language_remember, rate_allow


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "path": request.path}


@receiver(user_logged_in, dispatch_uid="common.audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="auth.login", target=user, data=_client(request))


@receiver(user_logged_in, dispatch_uid="common.remember_language")
def remember_language(sender, request, user, **kwargs) -> None:
    # the language the interface speaks at login (the language cookie, else Chinese)
    profile_language_remember(user=user, language=getattr(request, "LANGUAGE_CODE", ""))


@receiver(user_login_failed, dispatch_uid="common.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # `credentials` comes cleansed by Django (the password is masked); keep only the username.
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action="auth.login_failed", data={"username": username, **_client(request)})


@receiver(user_login_failed, dispatch_uid="common.count_address_failures")
def count_address_failures(sender, credentials, request=None, **kwargs) -> None:
    """Failed logins per client address, whatever the username (the lockout counts per username and
    address): past LOGIN_FAILURES_PER_ADDRESS the login page answers 429 (common.views.LoginView)."""
    if request is not None:
        limit, window = settings.LOGIN_FAILURES_PER_ADDRESS
        rate_allow(scope="login_failed:address", value=client_ip(request), limit=limit, window=window)
