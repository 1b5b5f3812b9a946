"""The audit trail (one row per significant action, written by `audit_record`; append-only),
the outbox of work to hand to the job queue, the lease fields of job rows, users' profiles
(the language things sent to them are written in) and their notifications."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(RuntimeError):
    """An audit entry is never changed or removed once written."""


class AuditEntryQuerySet(models.QuerySet):
    """Entries can be added (``create``, ``bulk_create``) and read, never changed or removed in
    bulk. On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of the table as well
    (migration 0004), so not even raw SQL rewrites the trail."""

    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")

    delete.alters_data = True
    delete.queryset_only = True

    def _raw_delete(self, using):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One significant action. Append-only: ``save()`` of an existing row, ``delete()``, and
    queryset ``update()``/``delete()`` raise AppendOnlyError. Newest first by time, then id;
    with an index for each filter of the audit page followed by (at, id), so a
    page is one index range at any size and depth (keyset pagination on (at, id))."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # PROTECT: a user who has acted is deactivated, not deleted (deleting would have to rewrite
    # their entries, which the trail refuses).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (actor, at, id) index serves it
    )
    action = models.CharField(_("动作"), max_length=64)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at", "id"], name="audit_at"),
            models.Index(fields=["action", "at", "id"], name="audit_action_at"),
            models.Index(fields=["actor", "at", "id"], name="audit_actor_at"),
            models.Index(fields=["target_type", "target_id", "at", "id"], name="audit_target_at"),
        ]
        verbose_name = _("审计记录")
        verbose_name_plural = pgettext_lazy("plural", "审计记录")

    def __str__(self) -> str:
        # In settings.TIME_ZONE (Asia/Shanghai), like every other time the site shows.
        return (
            f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("audit entries cannot be changed")
        kwargs["force_insert"] = True  # never an UPDATE, even with a primary key given
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")


class Leased(models.Model):
    """A job row that a worker claims for a while (a lease), so that work whose
    worker died is taken over: at once by a redelivery of the same task message
    (same ``lease_task``), or by anyone once ``lease_expires_at`` has passed.
    ``lease_token`` is new for every claim: only the holder of the current token
    may write the results (a superseded execution finds its token gone)."""

    lease_owner = models.CharField(max_length=200, blank=True)  # "<worker node>/<pid>"
    lease_task = models.CharField(max_length=64, blank=True)  # the Celery task id
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """A task to hand to the job queue, written in the same transaction as the state
    change that calls for it (a run queued, a draft uploaded, a proposal submitted).
    The relay (common.outbox) publishes what is pending and keeps it pending while
    the broker is unreachable, so nothing is lost and no request fails for it."""

    task = models.CharField(max_length=100)  # a registered Celery task name
    args = models.JSONField(default=list, blank=True)
    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(default=timezone.now)  # not sent before (debouncing)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The queue to publish to ("" for the task's route): an applicant's check goes to the fast lane.
    queue = models.CharField(max_length=50, blank=True)
    # The broker's epoch when the row was published (common.outbox.broker_epoch): a broker that
    # came back empty has a new one, and what it lost is published again.
    epoch = models.CharField(max_length=32, blank=True)
    # When the work started (a worker began the task): until then the row may be published again.
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["available_at", "id"], condition=models.Q(sent_at__isnull=True), name="outbox_pending"
            ),
            models.Index(
                fields=["sent_at", "id"],
                condition=models.Q(sent_at__isnull=False, started_at__isnull=True),
                name="outbox_unstarted",
            ),
            models.Index(fields=["task", "sent_at"]),
        ]
        verbose_name = _("待发送任务")
        verbose_name_plural = pgettext_lazy("plural", "待发送任务")

    def __str__(self) -> str:
        return f"{self.task}{self.args} ({'sent' if self.sent_at else 'pending'})"


class Heartbeat(models.Model):
    """The last sign of life of a background process (a relay, per worker node): /healthz
    reports degraded when every relay's is old."""

    name = models.CharField(max_length=200, unique=True)  # e.g. "relay:screening@host"
    beat_at = models.DateTimeField()
    pid = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("心跳")
        verbose_name_plural = pgettext_lazy("plural", "心跳")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Profile(models.Model):
    """What the site keeps about a user beyond the auth tables: the language things sent to them
    later are written in (notification e-mails), remembered at login and on the language switch."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("用户"),
    )
    language = models.CharField(_("语言"), max_length=16, blank=True)  # a code of settings.LANGUAGES

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = pgettext_lazy("plural", "用户资料")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.language or '-'})"


class Notification(models.Model):
    """Something a user is told in the app (and by e-mail): a ``kind`` (a stable id validated in
    code, like the screening message ids) with ``params``; its title and body are rendered from
    them when shown, in the reader's language (common.selectors.notification_text). At most one
    unread notification per recipient, kind and target."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("收件人"),
        db_index=False,  # the inbox index (recipient, -id) serves it
    )
    kind = models.CharField(_("类型"), max_length=64)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)  # a path on this site
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_error = models.CharField(_("邮件错误"), max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "target_type", "target_id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_one_unread_per_target",
            )
        ]
        indexes = [models.Index(fields=["recipient", "-id"], name="notification_inbox")]
        verbose_name = _("通知")
        verbose_name_plural = pgettext_lazy("plural", "通知")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} {self.target_type}:{self.target_id}"


class RateCount(models.Model):
    """How many times something was asked for one key in the current window (sign-ups and password
    reset requests per client address and per e-mail address): in the database, so that every web
    worker on every machine counts the same. The key is a sha256 (no address or e-mail is kept)."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.count} since {self.window_start:%Y-%m-%d %H:%M}"
