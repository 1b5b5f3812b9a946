"""Shared reads: the state of the job service as the outbox sees it; the audit trail's pages and
export; notifications as their recipient reads them."""

import csv
import functools
import json
import re
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
from django.utils.translation import gettext, pgettext, pgettext_lazy

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
    "registries.restored": pgettext_lazy("audit", "恢复名单的上一版本"),
    "registries.import_cancelled": pgettext_lazy("audit", "取消名单导入"),
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
    "guide.item_checked": pgettext_lazy("audit", "标记指南中待核对的项为已核对"),
    "guide.item_unchecked": pgettext_lazy("audit", "撤销指南中待核对项的已核对标记"),
    "proposal.reviewed": pgettext_lazy("audit", "标记为已审阅"),
    "workspace.job_requested": pgettext_lazy("audit", "发起批量操作"),
    "workspace.exported": pgettext_lazy("audit", "导出工作台结果"),
    "workspace.export_downloaded": pgettext_lazy("audit", "下载工作台导出文件"),
    "audit.exported": pgettext_lazy("audit", "导出审计记录"),
}

# Labels of every key the code writes in an entry's data (a test renders every action and checks
# each key has one); a key written by older code and unknown here is shown under "其他".
AUDIT_DATA_LABELS: dict[str, str] = {
    "ip": pgettext_lazy("audit data", "IP 地址"),
    "path": pgettext_lazy("audit data", "路径"),
    "username": pgettext_lazy("audit data", "用户名"),
    "from": pgettext_lazy("audit data", "原状态"),
    "to": pgettext_lazy("audit data", "新状态"),
    "source": pgettext_lazy("audit data", "来源"),
    "format": pgettext_lazy("audit data", "格式"),
    "query": pgettext_lazy("audit data", "筛选条件"),
    "scope": pgettext_lazy("audit data", "范围"),
    "lang": pgettext_lazy("audit data", "语言"),
    "full_ids": pgettext_lazy("audit data", "完整证件号码"),
    "guide_year": pgettext_lazy("audit data", "指南年度"),
    "run": pgettext_lazy("audit data", "预审运行"),
    "runs": pgettext_lazy("audit data", "预审运行数"),
    "proposal": pgettext_lazy("audit data", "申报书"),
    "proposals": pgettext_lazy("audit data", "申报书数"),
    "reference": pgettext_lazy("audit data", "申报书编号"),
    "created": pgettext_lazy("audit data", "新建"),
    "updated": pgettext_lazy("audit data", "更新"),
    "submitted": pgettext_lazy("audit data", "已提交"),
    "reason": pgettext_lazy("audit data", "原因"),
    "registry": pgettext_lazy("audit data", "名单"),
    "entries": pgettext_lazy("audit data", "条目数"),
    "counts": pgettext_lazy("audit data", "各名单条目数"),
    "added": pgettext_lazy("audit data", "新增"),
    "removed": pgettext_lazy("audit data", "删除"),
    "changed": pgettext_lazy("audit data", "修改"),
    "restored": pgettext_lazy("audit data", "恢复的版本"),
    "kind": pgettext_lazy("audit data", "类型"),
    "name": pgettext_lazy("audit data", "名称"),
    "state": pgettext_lazy("audit data", "状态"),
    "size": pgettext_lazy("audit data", "大小"),
    "sha256": pgettext_lazy("audit data", "文件校验值（SHA-256）"),
    "upload": pgettext_lazy("audit data", "上传"),
    "attachment": pgettext_lazy("audit data", "附件"),
    "object": pgettext_lazy("audit data", "对象"),
    "change": pgettext_lazy("audit data", "变更"),
    "year": pgettext_lazy("audit data", "年度"),
    "label": pgettext_lazy("audit data", "版本"),
    "version": pgettext_lazy("audit data", "版本"),
    "directions": pgettext_lazy("audit data", "指南方向数"),
    "reader_version": pgettext_lazy("audit data", "读取程序版本"),
    "warnings": pgettext_lazy("audit data", "提示数"),
    "carried_from": pgettext_lazy("audit data", "沿用更正的版本"),
    "applied": pgettext_lazy("audit data", "沿用的更正"),
    "resolved": pgettext_lazy("audit data", "已在新文件中解决的更正"),
    "vanished": pgettext_lazy("audit data", "新文件中找不到的更正"),
    "address": pgettext_lazy("audit data", "更正的位置"),
    "item": pgettext_lazy("audit data", "核对的项"),
    "parsed_value": pgettext_lazy("audit data", "读取的值"),
    "previous_value": pgettext_lazy("audit data", "更正前的值"),
    "value": pgettext_lazy("audit data", "更正后的值"),
    "correction": pgettext_lazy("audit data", "更正"),
    "corrections": pgettext_lazy("audit data", "更正"),
    "superseded": pgettext_lazy("audit data", "被取代的版本"),
    "problems": pgettext_lazy("audit data", "待核对的项"),
    "code": pgettext_lazy("audit data", "原因"),
    "up_to": pgettext_lazy("audit data", "截至记录"),
    "job": pgettext_lazy("audit data", "任务"),
    "note": pgettext_lazy("audit data", "备注"),
}
OTHER_DATA_LABEL = pgettext_lazy("audit data", "其他")

# Values with a label of their own: (action or "", key) → the model field whose choices name them,
# read through the app registry (common imports no app); "" applies to every action.
_CHOICE_FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    ("", "from"): ("proposals.Proposal", "state"),
    ("", "to"): ("proposals.Proposal", "state"),
    ("", "registry"): ("screening.RegistryLoad", "name"),
    ("upload.discarded", "state"): ("proposals.DraftUpload", "state"),
    ("attachment.added", "kind"): ("proposals.Attachment", "kind"),
    ("attachment.deleted", "kind"): ("proposals.Attachment", "kind"),
    ("attachment.downloaded", "kind"): ("proposals.Attachment", "kind"),
    ("workspace.job_requested", "kind"): ("screening.BulkJob", "kind"),
}
# Words of other apps' catalogues (by dotted path, read when shown; the value as it is if gone).
_CATALOGUES: dict[tuple[str, str], str] = {
    ("guide.reading_failed", "code"): "guide.services.reading.READING_ERRORS",
}
_WORDS: dict[str, dict[str, str]] = {
    "source": {
        "form": pgettext_lazy("audit value", "在线填写"),
        "upload": pgettext_lazy("audit value", "上传的草稿"),
        "import": pgettext_lazy("audit value", "导入"),
        "api": pgettext_lazy("audit value", "接口（API）"),
        "admin": pgettext_lazy("audit value", "管理后台"),
    },
    "scope": {
        "filtered": pgettext_lazy("audit value", "筛选出的全部申报书"),
        "selected": pgettext_lazy("audit value", "勾选的申报书"),
    },
    "reason": {
        "collision": pgettext_lazy("audit value", "与其他申报书内容相同或相近，一并重新检查"),
        "expired": pgettext_lazy("audit value", "预览超过 7 天没有确认，自动取消"),
    },
    "kind": {
        "pdf": pgettext_lazy("audit value", "PDF 文件"),
        "docx": pgettext_lazy("audit value", "Word 文件（DOCX）"),
        "text": pgettext_lazy("audit value", "文本文件"),
    },
    "lang": {"zh": pgettext_lazy("audit value", "中文"), "en": pgettext_lazy("audit value", "英文")},
}
_NUMBERED = {"run", "job", "upload", "attachment", "proposal", "correction", "up_to"}
# The filters an audited query string may name (the workspace's list, the audit page's own).
_QUERY_LABELS: dict[str, str] = {
    "year": pgettext_lazy("audit query", "指南年度"),
    "q": pgettext_lazy("audit query", "关键词"),
    "direction": pgettext_lazy("audit query", "指南方向"),
    "area": pgettext_lazy("audit query", "领域"),
    "state": pgettext_lazy("audit query", "状态"),
    "overall": pgettext_lazy("audit query", "预审结论"),
    "rule": pgettext_lazy("audit query", "未通过的条件"),
    "recommender": pgettext_lazy("audit query", "推荐单位"),
    "lead_unit": pgettext_lazy("audit query", "牵头单位"),
    "pi": pgettext_lazy("audit query", "项目负责人"),
    "submitted_from": pgettext_lazy("audit query", "提交日期自"),
    "submitted_to": pgettext_lazy("audit query", "提交日期至"),
    "reviewed": pgettext_lazy("audit query", "已审阅"),
    "stale": pgettext_lazy("audit query", "结果可能已过时"),
    "sort": pgettext_lazy("audit query", "排序"),
    "who": pgettext_lazy("audit query", "操作人"),
    "action": pgettext_lazy("audit query", "动作"),
    "target_type": pgettext_lazy("audit query", "对象类型"),
    "target_id": pgettext_lazy("audit query", "对象编号"),
    "since": pgettext_lazy("audit query", "日期自"),
    "until": pgettext_lazy("audit query", "日期至"),
}
_QUERY_CHOICES: dict[str, tuple[str, str]] = {
    "state": ("proposals.Proposal", "state"),
    "overall": ("screening.ScreeningRun", "overall"),
}
_YES_NO = {"yes": pgettext_lazy("audit value", "是"), "no": pgettext_lazy("audit value", "否")}

# Places in a published guide's data (guide.parsing.addresses: "directions[1.1].indicators[3].value")
# in words: "方向 1.1 · 考核指标 3 · 数值". Keys of the actions that name them.
_ADDRESS_KEYS = {
    ("guide.corrected", "address"),
    ("guide.correction_reverted", "address"),
    ("guide.version_published", "corrections"),
    ("guide.version_published", "problems"),
    ("guide.version_read", "applied"),
    ("guide.version_read", "resolved"),
    ("guide.version_read", "vanished"),
    ("guide.item_checked", "item"),
    ("guide.item_unchecked", "item"),
}
_ADDRESS_ITEMS: dict[str, str] = {
    "directions": pgettext_lazy("guide address", "方向 %(n)s"),
    "areas": pgettext_lazy("guide address", "领域 %(n)s"),
    "indicators": pgettext_lazy("guide address", "考核指标 %(n)s"),
    "partner_requirements": pgettext_lazy("guide address", "合作要求 %(n)s"),
    "formal_review": pgettext_lazy("guide address", "形式审查 %(n)s"),
}
_ADDRESS_FROM_ZERO = {"indicators", "partner_requirements"}  # 0-based in the address, shown from 1
_ADDRESS_NAMES: dict[str, str] = {
    "title": pgettext_lazy("guide address", "标题"),
    "declared_direction_count": pgettext_lazy("guide address", "方向数"),
    "total_budget_yuan": pgettext_lazy("guide address", "总经费（元）"),
    "projects_per_direction": pgettext_lazy("guide address", "每个方向支持项目数"),
    "min": pgettext_lazy("guide address", "下限"),
    "max": pgettext_lazy("guide address", "上限"),
    "eligibility": pgettext_lazy("guide address", "申报条件"),
    "pi_born_on_or_after": pgettext_lazy("guide address", "项目负责人出生日期不早于"),
    "unit_registered_by": pgettext_lazy("guide address", "单位注册日期不晚于"),
    "max_domestic_units": pgettext_lazy("guide address", "国内参与单位数上限"),
    "min_foreign_units": pgettext_lazy("guide address", "国外合作单位数下限"),
    "max_duration_years": pgettext_lazy("guide address", "执行期上限（年）"),
    "subtasks_allowed": pgettext_lazy("guide address", "可设课题"),
    "matching_ratio": pgettext_lazy("guide address", "配套经费比例"),
    "research_content": pgettext_lazy("guide address", "研究内容"),
    "notes": pgettext_lazy("guide address", "备注"),
    "other_requirements": pgettext_lazy("guide address", "其他要求"),
    "subject": pgettext_lazy("guide address", "指标"),
    "comparator": pgettext_lazy("guide address", "比较方式"),
    "value": pgettext_lazy("guide address", "数值"),
    "value_max": pgettext_lazy("guide address", "数值上限"),
    "unit": pgettext_lazy("guide address", "单位"),
    "strength": pgettext_lazy("guide address", "要求强度"),
    "counts_regions": pgettext_lazy("guide address", "计入地区"),
    "text": pgettext_lazy("guide address", "条文"),
}
_COMPARATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


def guide_address_text(address: str) -> str:
    """A place in a guide's data in words ("directions[1.1].indicators[3].value" → "方向 1.1 · 考核指标
    3 · 数值"); a part not known here is kept as it is."""
    parts = []
    for name, index in re.findall(r"([A-Za-z_]+)(?:\[([^\]]*)\])?", str(address)):
        if index and name in _ADDRESS_ITEMS:
            n = str(int(index) + 1) if name in _ADDRESS_FROM_ZERO and index.isdigit() else index
            parts.append(str(_ADDRESS_ITEMS[name]) % {"n": n})
        else:
            parts.append(str(_ADDRESS_NAMES.get(name, name)) + (f" {index}" if index else ""))
    return " · ".join(parts) if parts else str(address)


AUDIT_PAGE_SIZE = 50


def audit_action_choices() -> list[tuple[str, str]]:
    """(action, label) of every known action, in catalogue order (the audit page's filter)."""
    return [(action, label) for action, label in AUDIT_ACTIONS.items()]


AUDIT_TARGET_APPS = ("auth", "common", "guide", "proposals", "screening")


def audit_target_type_choices() -> list[tuple[str, str]]:
    """(app_label.model, verbose name) of the models an entry's target may be: the project's and
    the auth app's (a user), by name; a name two models share says its app too."""
    models = [m for m in apps.get_models() if m._meta.app_label in AUDIT_TARGET_APPS]
    names = [str(m._meta.verbose_name) for m in models]
    return sorted(
        (
            (
                m._meta.label_lower,
                name
                if names.count(name) == 1
                else gettext("%(model)s（%(app)s）")
                % {"model": name, "app": m._meta.app_config.verbose_name},
            )
            for m, name in zip(models, names, strict=True)
        ),
        key=lambda choice: choice[1],
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
    (label, text) pairs in words (audit_details)."""

    entry: AuditEntry
    action_label: str
    actor: str
    target_label: str
    data: list[tuple[str, str]]


def _sep() -> str:
    return "、" if translation.get_language() != "en" else ", "


def _semi() -> str:
    return "；" if translation.get_language() != "en" else "; "


def _colon() -> str:
    return "：" if translation.get_language() != "en" else ": "


@functools.lru_cache(maxsize=64)
def _field_choices(model: str, field: str, language: str) -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in apps.get_model(model)._meta.get_field(field).flatchoices}
    except (LookupError, ValueError, AttributeError):
        return {}


def _choice(model_field: tuple[str, str], value) -> str:
    labels = _field_choices(*model_field, translation.get_language() or "")
    return labels.get(str(value), str(value))


def _catalogue(path: str, value) -> str:
    try:
        words = import_string(path)
    except ImportError:
        return str(value)
    return str(words.get(value, value)) if isinstance(words, dict) else str(value)


def _plain(value) -> str:
    """Any value in words, without JSON: lists joined, objects as "key: value" pairs."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_YES_NO["yes" if value else "no"])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return _sep().join(_plain(v) for v in value) if value else pgettext("audit value", "无")
    if isinstance(value, dict):
        return _semi().join(f"{k}{_colon()}{_plain(v)}" for k, v in value.items())
    return str(value)


def _counts(value) -> str:
    if not isinstance(value, dict):
        return _plain(value)
    registry = ("screening.RegistryLoad", "name")
    return _semi().join(
        pgettext("audit value", "%(registry)s：%(n)s 条") % {"registry": _choice(registry, name), "n": n}
        for name, n in value.items()
    )


def _query(value) -> str:
    """A query string of filters in words: "状态：已提交；关键词：燃料电池" (no filter: "无")."""
    from urllib.parse import parse_qsl

    pairs = [(k, v) for k, v in parse_qsl(str(value or "")) if v]
    if not pairs:
        return pgettext("audit value", "无")
    texts = []
    for key, raw in pairs:
        if key in _QUERY_CHOICES:
            text = _choice(_QUERY_CHOICES[key], raw)
        elif key in ("reviewed", "stale"):
            text = str(_YES_NO.get(raw, raw))
        elif key == "rule":
            text = _catalogue_choices("screening.filters.rule_choices", raw)
        elif key == "action":
            text = str(AUDIT_ACTIONS.get(raw, raw))
        else:
            text = raw
        texts.append(f"{_QUERY_LABELS.get(key, OTHER_DATA_LABEL)}{_colon()}{text}")
    return _semi().join(texts)


def _catalogue_choices(path: str, value: str) -> str:
    """``value``'s label among the (value, label) choices a function of another app gives."""
    try:
        choices = import_string(path)()
    except (ImportError, TypeError):
        return value
    return next((str(label) for key, label in choices if key == value), value)


def _change(value) -> str:
    """The admin's change message (its JSON list) in words, as the admin's own history says it."""
    from django.contrib.admin.models import LogEntry

    if isinstance(value, list):
        return LogEntry(change_message=json.dumps(value)).get_change_message() or "—"
    return _plain(value)


def _size(value) -> str:
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(value) if isinstance(value, int) else _plain(value)


def audit_value_text(action: str, key: str, value) -> str:
    """One value of an entry's data in words in the active language."""
    if (action, key) in _ADDRESS_KEYS:
        if isinstance(value, list):
            return (
                _sep().join(guide_address_text(v) for v in value) if value else pgettext("audit value", "无")
            )
        return guide_address_text(value)
    if (
        key in ("parsed_value", "previous_value", "value")
        and isinstance(value, str)
        and value in _COMPARATORS
    ):
        return _COMPARATORS[value]
    field = _CHOICE_FIELDS.get((action, key)) or _CHOICE_FIELDS.get(("", key))
    if field is not None and isinstance(value, str):
        return _choice(field, value)
    if (action, key) in _CATALOGUES and isinstance(value, str):
        return _catalogue(_CATALOGUES[(action, key)], value)
    if key == "counts":
        return _counts(value)
    if key == "query":
        return _query(value)
    if key == "change":
        return _change(value)
    if key == "size":
        return _size(value)
    if key == "format" and isinstance(value, str):
        return value.upper()
    if key in _NUMBERED and isinstance(value, int) and not isinstance(value, bool):
        return f"#{value}"
    if key == "corrections" and isinstance(value, list) and all(isinstance(v, int) for v in value):
        return _sep().join(f"#{v}" for v in value) if value else pgettext("audit value", "无")
    if key == "source" and action == "proposal.created":
        return str(_WORDS["source"].get(value, value))
    if key in _WORDS and isinstance(value, str) and key != "source":
        return str(_WORDS[key].get(value, value))
    return _plain(value)


def audit_details(action: str, data) -> list[tuple[str, str]]:
    """An entry's data as (label, text) pairs in the active language: known keys in the order
    AUDIT_DATA_LABELS lists them, values in words (no JSON, no internal codes where a label exists)."""
    return [
        (
            str(AUDIT_DATA_LABELS.get(key, OTHER_DATA_LABEL)) if key else str(OTHER_DATA_LABEL),
            audit_value_text(action, key, value),
        )
        for key, value in _data_items(data)
    ]


def audit_details_text(action: str, data) -> str:
    """audit_details on one line (the CSV export's readable column)."""
    return _semi().join(f"{label}{_colon()}{text}" for label, text in audit_details(action, data))


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
            data=audit_details(e.action, e.data),
        )
        for e in entries
    ]


_DATA_ORDER = {key: n for n, key in enumerate(AUDIT_DATA_LABELS)}


def _data_items(data) -> list[tuple[str, object]]:
    """An entry's data in a stable order (PostgreSQL's jsonb keeps no key order): the known keys
    as AUDIT_DATA_LABELS lists them, then the others by name."""
    if not isinstance(data, dict):
        return [] if data in (None, "", {}, []) else [("", data)]
    return sorted(data.items(), key=lambda item: (_DATA_ORDER.get(item[0], len(_DATA_ORDER)), item[0]))


AUDIT_CSV_COLUMNS = [
    ("id", pgettext_lazy("audit csv", "编号")),
    ("at", pgettext_lazy("audit csv", "时间")),
    ("actor", pgettext_lazy("audit csv", "操作人")),
    ("action", pgettext_lazy("audit csv", "动作")),
    ("action_label", pgettext_lazy("audit csv", "动作说明")),
    ("target_type", pgettext_lazy("audit csv", "对象类型")),
    ("target_id", pgettext_lazy("audit csv", "对象编号")),
    ("details", pgettext_lazy("audit csv", "详情")),
    ("data", pgettext_lazy("audit csv", "原始数据")),
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
    times in settings.TIME_ZONE, details in words and the data as stored (JSON); UTF-8 BOM for
    Excel."""
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
                _cell(audit_details_text(e.action, e.data)),
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
