"""The three roles, as auth groups. Role checks used by views live here."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

APPLICANT = "applicant"
OFFICER = "officer"
ADMIN = "admin"
ROLES = (APPLICANT, OFFICER, ADMIN)


def _groups(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_groups = cached
    return cached


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or ADMIN in _groups(user))


def is_officer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Officers and admins see every proposal."""
    return is_admin(user) or OFFICER in _groups(user)


def role_of(user) -> str | None:
    if is_admin(user):
        return ADMIN
    if is_officer(user):
        return OFFICER
    if user.is_authenticated:
        return APPLICANT
    return None


def officer_required(view):
    """The one guard of officers' pages (README, Roles): signed out → the login page (with
    ``next``); signed in without the officer or admin role → 403, the site's refusal page. An
    object that exists but is another's is a 404, decided by the view's own lookup."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(guarded)
