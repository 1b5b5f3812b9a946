"""Shared reads: the state of the job service as the outbox sees it; the audit trail's pages and
export; notifications as their recipient reads them."""

import csv
import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import pgettext_lazy

from .models import AuditEntry, Heartbeat, Notification, OutboxMessage

# Pending rows older than this mean the job service (the broker, or every relay) is down.
OUTBOX_STALL_SECONDS = 5


def jobs_waiting_for_service() -> bool:
    """True when work has been waiting in the outbox longer than a relay pass should
    take: pages then say it will run when the job service is back."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    cutoff = timezone.now() - timedelta(seconds=OUTBOX_STALL_SECONDS)
    return OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lt=cutoff).exists()


def outbox_status() -> dict[str, int | float | None]:
    """The outbox's backlog: rows due and not published (the broker is down, or the
    relays are), rows published whose work has not started (queued in the broker),
    and the age in seconds of the oldest of each (None if none)."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=now)
    oldest = due.order_by("available_at").values_list("available_at", flat=True).first()
    waiting = OutboxMessage.objects.filter(sent_at__isnull=False, started_at__isnull=True)
    oldest_sent = waiting.order_by("sent_at").values_list("sent_at", flat=True).first()
    return {
        "pending": due.count(),
        "oldest_seconds": _age(oldest, now),
        "published_not_started": waiting.count(),
        "oldest_published_seconds": _age(oldest_sent, now),
    }


def relay_heartbeat_age() -> float | None:
    """Seconds since the most recent heartbeat of any relay (None: no relay ever ran)."""
    latest = Heartbeat.objects.filter(name__startswith="relay:").order_by("-beat_at").first()
    return _age(latest.beat_at, timezone.now()) if latest else None


def _age(moment, now) -> float | None:
    return round((now - moment).total_seconds(), 1) if moment else None


# --- the audit trail ---------------------------------------------------------------

# Every action the code records (a test keeps this list complete), with its label. Actions are
# plain strings validated in code, not DB choices; an unknown one is shown as it is.
AUDIT_ACTIONS: dict[str, str] = {
    "auth.login": pgettext_lazy("audit", "登录"),
    "auth.login_failed": pgettext_lazy("audit", "登录失败"),
    "account.registered": pgettext_lazy("audit", "注册账号"),
    "proposal.created": pgettext_lazy("audit", "创建申报书"),
    "proposal.updated": pgettext_lazy("audit", "修改申报书"),
    "proposal.deleted": pgettext_lazy("audit", "删除申报书"),
    "proposal.state": pgettext_lazy("audit", "申报书状态变更（提交、退回等）"),
    "proposals.imported": pgettext_lazy("audit", "导入申报书"),
    "draft.uploaded": pgettext_lazy("audit", "上传草稿"),
    "upload.discarded": pgettext_lazy("audit", "放弃上传的草稿"),
    "attachment.added": pgettext_lazy("audit", "添加附件"),
    "attachment.deleted": pgettext_lazy("audit", "删除附件"),
    "attachment.downloaded": pgettext_lazy("audit", "下载附件"),
    "screening.requested": pgettext_lazy("audit", "发起预审"),
    "screening.batch": pgettext_lazy("audit", "批量预审"),
    "screening.exported": pgettext_lazy("audit", "导出预审结果"),
    "screening.report_exported": pgettext_lazy("audit", "导出预审报告"),
    "registries.imported": pgettext_lazy("audit", "导入名单"),
    "registries.edited": pgettext_lazy("audit", "编辑名单"),
    "admin.added": pgettext_lazy("audit", "在管理后台添加"),
    "admin.changed": pgettext_lazy("audit", "在管理后台修改"),
    "admin.deleted": pgettext_lazy("audit", "在管理后台删除"),
    "guide.ingested": pgettext_lazy("audit", "导入指南"),
    "guide.reingested": pgettext_lazy("audit", "重新导入指南"),
    "guide.uploaded": pgettext_lazy("audit", "上传指南文件"),
    "guide.version_read": pgettext_lazy("audit", "读取指南版本"),
    "guide.reading_failed": pgettext_lazy("audit", "指南读取失败"),
    "guide.corrected": pgettext_lazy("audit", "更正指南"),
    "guide.correction_reverted": pgettext_lazy("audit", "撤销指南更正"),
    "guide.version_published": pgettext_lazy("audit", "发布指南版本"),
    "guide.publish_requested": pgettext_lazy("audit", "请求发布指南版本"),
    "proposal.reviewed": pgettext_lazy("audit", "标记为已审阅"),
    "workspace.job_requested": pgettext_lazy("audit", "发起批量操作"),
    "workspace.exported": pgettext_lazy("audit", "导出工作台结果"),
    "workspace.export_downloaded": pgettext_lazy("audit", "下载工作台导出文件"),
    "audit.exported": pgettext_lazy("audit", "导出审计记录"),
}

# Labels of the keys entries' data use most; other keys are shown as they are.
AUDIT_DATA_LABELS: dict[str, str] = {
    "ip": pgettext_lazy("audit data", "IP 地址"),
    "path": pgettext_lazy("audit data", "路径"),
    "username": pgettext_lazy("audit data", "用户名"),
    "from": pgettext_lazy("audit data", "原状态"),
    "to": pgettext_lazy("audit data", "新状态"),
    "source": pgettext_lazy("audit data", "来源"),
    "format": pgettext_lazy("audit data", "格式"),
    "query": pgettext_lazy("audit data", "筛选条件"),
    "run": pgettext_lazy("audit data", "预审运行"),
    "runs": pgettext_lazy("audit data", "预审运行数"),
    "proposal": pgettext_lazy("audit data", "申报书"),
    "proposals": pgettext_lazy("audit data", "申报书数"),
    "reason": pgettext_lazy("audit data", "原因"),
    "registry": pgettext_lazy("audit data", "名单"),
    "entries": pgettext_lazy("audit data", "条目数"),
    "counts": pgettext_lazy("audit data", "各名单条目数"),
    "kind": pgettext_lazy("audit data", "类型"),
    "name": pgettext_lazy("audit data", "名称"),
    "label": pgettext_lazy("audit data", "版本"),
    "up_to": pgettext_lazy("audit data", "截至记录"),
    "job": pgettext_lazy("audit data", "任务"),
    "note": pgettext_lazy("audit data", "备注"),
}

AUDIT_PAGE_SIZE = 50


def audit_action_choices() -> list[tuple[str, str]]:
    """(action, label) of every known action, in catalogue order (the audit page's filter)."""
    return [(action, f"{label} · {action}") for action, label in AUDIT_ACTIONS.items()]


AUDIT_TARGET_APPS = ("auth", "common", "guide", "proposals", "screening")


def audit_target_type_choices() -> list[tuple[str, str]]:
    """(app_label.model, verbose name) of the models an entry's target may be: the project's and
    the auth app's (a user)."""
    return sorted(
        (
            (m._meta.label_lower, f"{m._meta.verbose_name} · {m._meta.label_lower}")
            for m in apps.get_models()
            if m._meta.app_label in AUDIT_TARGET_APPS
        ),
        key=lambda choice: choice[0],
    )


def audit_entries() -> QuerySet[AuditEntry]:
    """Every entry with its actor, newest first (by time, then id)."""
    return AuditEntry.objects.select_related("actor").order_by("-at", "-id")


@dataclass(frozen=True)
class KeysetPage:
    """One page of entries, newest first, with the cursors (entry ids) of its neighbours:
    ``older`` (the ``before`` of the next page) and ``newer`` (the ``after`` of the previous
    one), None at either end."""

    entries: list
    older: int | None
    newer: int | None


def audit_page(
    entries: QuerySet[AuditEntry], *, before: int | None = None, after: int | None = None, size: int = 0
) -> KeysetPage:
    """A page of ``entries`` (filtered or not) by keyset on (at, id): the entries just older than
    entry ``before``, just newer than entry ``after``, or the newest. One query for the cursor's
    time (by primary key) and one index range of size + 1 rows, whatever the page and the number
    of entries (no OFFSET, no COUNT). A cursor that names no entry gives the newest page."""
    size = size or AUDIT_PAGE_SIZE
    cursor_id = after if after is not None else before
    cursor_at = (
        AuditEntry.objects.filter(pk=cursor_id).values_list("at", flat=True).first()
        if cursor_id is not None
        else None
    )
    if cursor_at is not None and after is not None:
        # (at, id) > cursor, as a plain range on at (an index range on both databases)
        newer = entries.filter(at__gte=cursor_at).exclude(at=cursor_at, id__lte=after)
        rows = list(newer.order_by("at", "id")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            entries=rows,
            older=rows[-1].pk if rows else after,
            newer=rows[0].pk if rows and more_newer else None,
        )
    scope = entries
    if cursor_at is not None:
        scope = entries.filter(at__lte=cursor_at).exclude(at=cursor_at, id__gte=before)
    rows = list(scope.order_by("-at", "-id")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    newer = None
    if cursor_at is not None:
        newer = rows[0].pk if rows else before
    return KeysetPage(entries=rows, older=rows[-1].pk if rows and more_older else None, newer=newer)


@dataclass(frozen=True)
class AuditRow:
    """An entry as the audit page shows it: labels in the active language, its data as
    (label, text) pairs (nested values as compact JSON)."""

    entry: AuditEntry
    action_label: str
    actor: str
    target_label: str
    data: list[tuple[str, str]]


def audit_data_text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return "" if value is None else str(value)


def _target_label(target_type: str) -> str:
    if not target_type:
        return ""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """The page's entries made readable (no query: actors come selected with them)."""
    return [
        AuditRow(
            entry=e,
            action_label=str(AUDIT_ACTIONS.get(e.action, e.action)),
            actor=e.actor.get_username() if e.actor_id else "",
            target_label=_target_label(e.target_type),
            data=[
                (str(AUDIT_DATA_LABELS.get(key, key)), audit_data_text(value))
                for key, value in _data_items(e.data)
            ],
        )
        for e in entries
    ]


_DATA_ORDER = {key: n for n, key in enumerate(AUDIT_DATA_LABELS)}


def _data_items(data) -> list[tuple[str, object]]:
    """An entry's data in a stable order (PostgreSQL's jsonb keeps no key order): the known keys
    as AUDIT_DATA_LABELS lists them, then the others by name."""
    if not isinstance(data, dict):
        return [("", data)]
    return sorted(data.items(), key=lambda item: (_DATA_ORDER.get(item[0], len(_DATA_ORDER)), item[0]))


AUDIT_CSV_COLUMNS = [
    ("id", pgettext_lazy("audit csv", "编号")),
    ("at", pgettext_lazy("audit csv", "时间")),
    ("actor", pgettext_lazy("audit csv", "操作人")),
    ("action", pgettext_lazy("audit csv", "动作")),
    ("action_label", pgettext_lazy("audit csv", "动作说明")),
    ("target_type", pgettext_lazy("audit csv", "对象类型")),
    ("target_id", pgettext_lazy("audit csv", "对象编号")),
    ("data", pgettext_lazy("audit csv", "详情")),
]


class _Echo:
    def write(self, value):
        return value


def _cell(value: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def audit_csv_lines(entries: QuerySet[AuditEntry], *, language: str) -> Iterator[str]:
    """CSV lines of ``entries`` one by one, newest first, read in chunks (for a streamed
    response, which runs after the view: hence the ``language`` of the headers and labels);
    times in settings.TIME_ZONE, data as JSON; UTF-8 BOM for Excel."""
    with translation.override(language):
        yield from _audit_csv_lines(entries)


def _audit_csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(label) for _key, label in AUDIT_CSV_COLUMNS])
    for e in entries.select_related("actor").order_by("-at", "-id").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                str(e.pk),
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(e.actor.get_username() if e.actor_id else ""),
                _cell(e.action),
                _cell(str(AUDIT_ACTIONS.get(e.action, ""))),
                _cell(e.target_type),
                _cell(e.target_id),
                json.dumps(e.data, ensure_ascii=False, sort_keys=True, default=str),
            ]
        )


# --- notifications -----------------------------------------------------------------


@dataclass(frozen=True)
class NotificationText:
    title: str
    body: str


@functools.cache
def notification_kinds() -> dict:
    """Every notification kind: kind id → a function (params) → (title, body) in the active
    language. Merged from the catalogues named in settings.NOTIFICATION_KINDS (each app keeps
    the words of what it sends; common imports none of them)."""
    kinds: dict = {}
    for path in settings.NOTIFICATION_KINDS:
        kinds.update(import_string(path))
    return kinds


def notification_text(notification: Notification, *, language: str | None = None) -> NotificationText:
    """A notification's title and body, rendered from its kind and params in ``language`` (the
    active one by default). A kind no catalogue knows any more shows its id."""
    render = notification_kinds().get(notification.kind)
    if render is None:
        return NotificationText(title=notification.kind, body="")
    with translation.override(language or translation.get_language()):
        title, body = render(notification.params)
        return NotificationText(title=str(title), body=str(body))


def notification_email(notification: Notification, *, language: str) -> tuple[str, str]:
    """The subject and plain-text body of a notification's e-mail, in ``language``."""
    text = notification_text(notification, language=language)
    with translation.override(language):
        body = render_to_string(
            "common/notification_email.txt",
            {
                "notification": notification,
                "text": text,
                "url": f"{settings.SITE_URL.rstrip('/')}{notification.link}" if notification.link else "",
                "inbox": f"{settings.SITE_URL.rstrip('/')}{reverse('common:notifications')}",
                "user": notification.recipient,
            },
        )
    return " ".join(text.title.split()), body


@dataclass(frozen=True)
class NotificationRow:
    notification: Notification
    text: NotificationText


def notifications_for(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first (the inbox index)."""
    return Notification.objects.filter(recipient=user).order_by("-id")


def notification_rows(notifications: Iterable[Notification]) -> list[NotificationRow]:
    """A page of notifications with their texts in the active language (no query)."""
    return [NotificationRow(notification=n, text=notification_text(n)) for n in notifications]


def notifications_unread_count(*, user) -> int:
    """How many unread notifications ``user`` has: one COUNT on the partial unique index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
