"""Receivers that put logins into the audit trail and remember the language a user signs in
with (for the e-mails sent to them later). They only call services."""

from django.contrib.auth import user_logged_in, user_login_failed
from django.dispatch import receiver

from .services import audit_record, profile_language_remember


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
