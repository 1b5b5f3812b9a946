from django.utils.functional import SimpleLazyObject

from .roles import role_of
from .selectors import notifications_unread_count


def role(request):
    return {"role": role_of(request.user)}


def notifications(request):
    """``notifications_unread``: the signed-in user's unread count for the navigation. Lazy (no
    query unless a template shows it) and cached on the request: one COUNT per request at most."""
    return {"notifications_unread": SimpleLazyObject(lambda: _unread(request))}


def _unread(request) -> int:
    if not hasattr(request, "_notifications_unread"):
        user = getattr(request, "user", None)
        request._notifications_unread = notifications_unread_count(user=user) if user is not None else 0
    return request._notifications_unread
