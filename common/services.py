"""Shared writes: the audit trail."""

from django.db import models, transaction

from .models import AuditEntry


def audit_record(
    *, actor, action: str, target: models.Model | None = None, data: dict | None = None
) -> AuditEntry:
    """Append one audit entry. `actor` may be None (command line, system)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


def audit_export_record(*, by, query: str, fmt: str = "csv") -> int:
    """Record an export of the audit trail (filtered by ``query``, the page's query string) and
    return the id of the newest entry it covers: the export streams the entries up to that id,
    so it is a consistent snapshot that does not include its own record."""
    with transaction.atomic():
        newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        audit_record(actor=by, action="audit.exported", data={"format": fmt, "query": query, "up_to": newest})
    return newest


# Permissions each role gets on top of its row-level checks in the views.
ROLE_PERMISSIONS = {
    "applicant": ["proposals.add_proposal", "proposals.change_proposal", "proposals.view_proposal"],
    "officer": [
        "proposals.view_proposal",
        "proposals.view_attachment",
        "guide.view_guide",
        "guide.view_direction",
        "screening.view_screeningrun",
        "screening.add_screeningrun",
    ],
}

DEMO_USERS = [
    # username, password, role
    ("applicant", "applicant-demo-2022", "applicant"),
    ("applicant2", "applicant-demo-2022", "applicant"),
    ("officer", "officer-demo-2022", "officer"),
    ("admin", "admin-demo-2022", "admin"),
]


def roles_ensure() -> None:
    """Create the three role groups with their permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    from .roles import ROLES

    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == "admin":
            perms = Permission.objects.all()
        else:
            wanted = ROLE_PERMISSIONS[role]
            perms = [
                p
                for p in Permission.objects.select_related("content_type")
                if f"{p.content_type.app_label}.{p.codename}" in wanted
            ]
        group.permissions.set(perms)


def demo_users_ensure(*, reset_passwords: bool = False) -> list[str]:
    """Create the documented demo accounts that are missing; returns the usernames created.

    An existing account is left as it is (password, role, flags) unless
    ``reset_passwords``, which gives every demo account its documented password and
    role again. Idempotent; also ensures the role groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    roles_ensure()
    User = get_user_model()
    created = []
    for username, password, role in DEMO_USERS:
        user, is_new = User.objects.get_or_create(username=username)
        if not (is_new or reset_passwords):
            continue
        user.set_password(password)
        user.is_staff = role == "admin"
        user.is_superuser = role == "admin"
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if is_new:
            created.append(username)
    return created
