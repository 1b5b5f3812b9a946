"""The audit trail for admins: /audit/ (filters, keyset pages newest first) and its CSV export
(streamed, recorded itself). Officers and applicants get 403, like every page their role lacks."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from .filters import AuditFilter
from .roles import is_admin
from .selectors import audit_csv_lines, audit_entries, audit_page, audit_rows
from .services import audit_export_record


def _admin_only(user) -> None:
    if not is_admin(user):
        raise PermissionDenied  # signed in without the role: 403 (README, Roles)


def _cursor(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _filtered(request):
    """The entries the query string selects; none when a filter is invalid (the form says why)."""
    filterset = AuditFilter(request.GET or None, queryset=audit_entries())
    if not filterset.is_bound:
        return filterset, filterset.queryset
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


@login_required
def audit_list(request):
    _admin_only(request.user)
    filterset, entries = _filtered(request)
    page = audit_page(entries, before=_cursor(request, "before"), after=_cursor(request, "after"))
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    return render(
        request,
        "common/audit_list.html",
        {"filter": filterset, "page": page, "rows": audit_rows(page.entries), "query": query.urlencode()},
    )


@login_required
def audit_export(request):
    _admin_only(request.user)
    _filterset, entries = _filtered(request)
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    newest = audit_export_record(by=request.user, query=query.urlencode())
    response = StreamingHttpResponse(
        audit_csv_lines(entries.filter(id__lte=newest), language=get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
