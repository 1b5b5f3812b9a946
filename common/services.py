"""Shared writes: the audit trail, roles and demo accounts, profiles, notifications (in the app,
and by e-mail through the outbox), and the hooks other layers are told through."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import AuditEntry, Notification, Profile
from .outbox import outbox_enqueue_many
from .selectors import notification_email, notification_kinds


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


# --- hooks -------------------------------------------------------------------------


def hooks_run(setting: str, **kwargs) -> None:
    """Call every function named (dotted path) in ``settings.<setting>`` with ``kwargs``: how a
    lower layer tells a higher one something happened without importing it (guide publishing →
    screening's notify_stale_results through ON_GUIDE_PUBLISHED)."""
    for path in getattr(settings, setting, ()):
        import_string(path)(**kwargs)


# --- profiles ----------------------------------------------------------------------


def profile_language_remember(*, user, language: str) -> bool:
    """Remember the language ``user`` uses (at login, on the language switch), in which what is
    sent to them later is written (notification e-mails). A language the site does not offer is
    ignored. Idempotent; returns whether anything changed."""
    if not getattr(user, "is_authenticated", False) or language not in dict(settings.LANGUAGES):
        return False
    with transaction.atomic():
        updated = Profile.objects.filter(user=user).exclude(language=language).update(language=language)
        if updated:
            return True
        _, created = Profile.objects.get_or_create(user=user, defaults={"language": language})
    return created


# --- notifications -----------------------------------------------------------------

NOTIFICATION_EMAIL = "common.notification_email"


@dataclass(frozen=True)
class NotificationSpec:
    """One notification to send: to ``recipient_id``, of ``kind`` (a key of a catalogue in
    settings.NOTIFICATION_KINDS) with ``params``; about ``target`` (label_lower, pk); ``link`` a
    path on this site."""

    recipient_id: int
    kind: str
    params: dict = field(default_factory=dict)
    target_type: str = ""
    target_id: str = ""
    link: str = ""

    @property
    def key(self) -> tuple:
        return (self.recipient_id, self.kind, self.target_type, self.target_id)


def notification_send(
    *, recipient, kind: str, params: dict | None = None, target: models.Model | None = None, link: str = ""
) -> Notification | None:
    """Tell ``recipient`` something: see notifications_send. Returns the new notification, or
    None when an unread one of the same kind about the same target is already there."""
    created = notifications_send(
        specs=[
            NotificationSpec(
                recipient_id=recipient.pk,
                kind=kind,
                params=params or {},
                target_type=target._meta.label_lower if target is not None else "",
                target_id=str(target.pk) if target is not None else "",
                link=link,
            )
        ]
    )
    return created[0] if created else None


def notifications_send(*, specs: Iterable[NotificationSpec]) -> list[Notification]:
    """Create the in-app notifications of ``specs``, one transaction, and for each an outbox row
    whose task e-mails it after commit (common.notification_email: retried; a failure never
    touches the notification). Deduplicated: a recipient has at most one unread notification of
    a kind about a target, so a spec whose unread twin exists (or repeats one before it) creates
    nothing. A constant number of queries for any number of specs (none for none). Raises
    ValueError for a kind no catalogue defines. Returns the notifications created."""
    kinds = notification_kinds()
    wanted: dict[tuple, NotificationSpec] = {}
    for spec in specs:
        if spec.kind not in kinds:
            raise ValueError(f"unknown notification kind: {spec.kind}")
        wanted.setdefault(spec.key, spec)
    if not wanted:
        return []
    with transaction.atomic():
        unread = set(
            Notification.objects.filter(
                read_at__isnull=True,
                recipient_id__in={k[0] for k in wanted},
                kind__in={k[1] for k in wanted},
                target_id__in={k[3] for k in wanted},
            ).values_list("recipient_id", "kind", "target_type", "target_id")
        )
        rows = [
            Notification(
                recipient_id=s.recipient_id,
                kind=s.kind,
                params=s.params,
                link=s.link,
                target_type=s.target_type,
                target_id=s.target_id,
            )
            for key, s in wanted.items()
            if key not in unread
        ]
        created = _insert_notifications(rows)
        outbox_enqueue_many(task=NOTIFICATION_EMAIL, args_list=[[n.pk] for n in created])
    return created


def _insert_notifications(rows: list[Notification]) -> list[Notification]:
    """Insert in one statement; when a concurrent sender created one of them meanwhile (the
    unique constraint on unread ones), insert one by one and skip those."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            row.pk = None
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
        return created


def notification_mark_read(*, notification: Notification) -> bool:
    """Mark one notification read (the caller checked it is the user's). Idempotent."""
    return bool(
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read, in one statement; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_email_send(*, notification_id: int) -> str:
    """E-mail one notification to its recipient, in the recipient's language (their profile's,
    else settings.LANGUAGE_CODE), through the configured e-mail backend. Idempotent: one that was
    sent (or cannot be: no address) is not sent again. Mail errors propagate (the task retries);
    the row is locked meanwhile so a duplicate delivery waits and then finds it sent. Returns
    "sent", "already", "no_address" or "missing"."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "recipient__profile")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "missing"
        if notification.emailed_at is not None or notification.email_error == NO_ADDRESS:
            return "already"
        recipient = notification.recipient
        if not recipient.email:
            notification.email_error = NO_ADDRESS
            notification.save(update_fields=["email_error"])
            return "no_address"
        language = _language_of(recipient)
        subject, body = notification_email(notification, language=language)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        notification.emailed_at, notification.email_error = timezone.now(), ""
        notification.save(update_fields=["emailed_at", "email_error"])
    return "sent"


NO_ADDRESS = "no e-mail address"


def _language_of(user) -> str:
    try:
        language = user.profile.language  # selected with the user: no query
    except Profile.DoesNotExist:
        language = ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notification_email_failed(*, notification_id: int, error: str) -> None:
    """The e-mail of a notification could not be sent after every retry: record why. The
    in-app notification is untouched."""
    Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(email_error=error[:500])


# --- rate limits (sign-up, password reset) -------------------------------------------------------


def _rate_key(scope: str, value: str) -> str:
    """The stored key of ``value`` in ``scope``: a sha256, so no address or e-mail is kept."""
    return hashlib.sha256(f"{scope}\0{value.strip().lower()}".encode()).hexdigest()


def rate_allow(*, scope: str, value: str, limit: int, window: int) -> bool:
    """Count one request of ``scope`` (e.g. "signup:address") for ``value`` (an address, an e-mail)
    and say whether it is within ``limit`` requests in a fixed window of ``window`` seconds. Counted
    in the database (common.RateCount, keyed by a sha256 of both), so all web workers share it."""
    from .models import RateCount

    key = _rate_key(scope, value)
    now = timezone.now()
    for _attempt in range(2):  # a concurrent first request may create the row between the two
        try:
            with transaction.atomic():
                row = RateCount.objects.select_for_update().filter(key=key).first()
                if row is None:
                    RateCount.objects.create(key=key, window_start=now, count=1)
                    return limit >= 1
                if (now - row.window_start).total_seconds() >= window:
                    row.window_start, row.count = now, 0
                row.count += 1
                row.save(update_fields=["window_start", "count"])
                return row.count <= limit
        except IntegrityError:
            continue
    return False


def rate_reached(*, scope: str, value: str, limit: int, window: int) -> bool:
    """Whether ``value`` has used up ``limit`` in the current window of ``scope`` (counts nothing)."""
    from .models import RateCount

    row = RateCount.objects.filter(key=_rate_key(scope, value)).only("window_start", "count").first()
    return (
        row is not None
        and (timezone.now() - row.window_start).total_seconds() < window
        and row.count >= limit
    )


def rate_allow_all(*, checks: list[tuple[str, str, tuple[int, int]]]) -> bool:
    """rate_allow for each (scope, value, (limit, window)) with a value; every one is counted."""
    results = [
        rate_allow(scope=scope, value=value, limit=limit, window=window)
        for scope, value, (limit, window) in checks
        if value
    ]
    return all(results)


def rate_counts_purge(*, older_than: timedelta = timedelta(days=2)) -> int:
    """Forget counts whose window began longer ago than ``older_than`` (longer than any limit's
    window): daily, with the outbox purge. Returns how many."""
    from .models import RateCount

    deleted, _ = RateCount.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted
