"""A user's notifications: the list (/notifications/), mark one or all read (POST), and the
language switch that remembers a signed-in user's choice for the e-mails sent to them. Only the
recipient sees or marks a notification: anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .selectors import notification_rows, notifications_for
from .services import notification_mark_read, notifications_mark_all_read, profile_language_remember

PAGE_SIZE = 30


@login_required
def notification_list(request):
    page = Paginator(notifications_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "common/notifications.html", {"page": page, "rows": notification_rows(page)})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one read; with ``open`` in the form, go on to what it is about."""
    notification = get_object_or_404(notifications_for(user=request.user), pk=pk)
    notification_mark_read(notification=notification)
    link = notification.link
    if request.POST.get("open") and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("common:notifications")


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_all_read(user=request.user)
    return redirect("common:notifications")


def language_set(request):
    """Django's language switch; a signed-in user's choice is also remembered in their profile."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        profile_language_remember(user=request.user, language=request.POST.get("language", ""))
    return response
