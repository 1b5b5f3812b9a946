"""Role checks for API views, on top of the row-level ones (selectors filter what a user
may see: another applicant's object is a 404). The rule is the site's: no credentials →
401; signed in without the role an endpoint needs → 403."""

from rest_framework.permissions import BasePermission

from common.roles import OFFICER, is_admin, role_of


class IsAdminRole(BasePermission):
    """Admins only (the registries)."""

    def has_permission(self, request, view) -> bool:
        return is_admin(request.user)


class ReadOrAdmin(BasePermission):
    """Any signed-in user reads; only admins write (the registries' list and upload)."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        return request.method in ("GET", "HEAD", "OPTIONS") or is_admin(request.user)


class WritesProposals(BasePermission):
    """Applicants and admins write proposals; program officers only read them."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        return request.method in ("GET", "HEAD", "OPTIONS") or role_of(request.user) != OFFICER
