"""Receivers that put logins into the audit trail. They only call `audit_record`."""

from django.contrib.auth import user_logged_in, user_login_failed
from django.dispatch import receiver

from .services import audit_record


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "path": request.path}


@receiver(user_logged_in, dispatch_uid="common.audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="auth.login", target=user, data=_client(request))


@receiver(user_login_failed, dispatch_uid="common.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # `credentials` comes cleansed by Django (the password is masked); keep only the username.
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action="auth.login_failed", data={"username": username, **_client(request)})
