"""Guide files uploaded in the browser: store the file as a queued version, read it in a task.

queued → reading → draft (through ``guide.services.versions.version_record_reading``) or failed.
The reading task is published through the outbox (written in the upload's transaction); a claim
is a lease (common.leases), taken over at once by a redelivery of the same task and by anyone
once it expires (:func:`readings_requeue_stale`, run by the relay's sweep). The file is read in
a bounded child process (:mod:`guide.parsing.sandbox`); this module only moves the version
through its states and hands the parse to the versions service.

``GuideVersion.error`` holds "<code>: <one line>", the code one of
:data:`guide.parsing.sandbox.CODES` (or ``worker_lost`` / ``file_missing``);
:func:`reading_error` splits it into a translated headline and the reader's own words.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.files import new_files
from common.leases import LeasedJob
from common.outbox import outbox_enqueue
from common.services import audit_record

from ..models import GuideVersion
from ..parsing.errors import GuideError
from ..parsing.sandbox import TIMEOUT_MESSAGE, SandboxError, read_bounded, safe_name, sniff
from ..parsing.types import from_json
from .versions import version_record_reading

log = logging.getLogger(__name__)

READ_TASK = "guide.read_version"
# A file whose reading has killed this many workers is not read again.
MAX_READ_ATTEMPTS = 3
Status = GuideVersion.Status

# Headlines of the reading errors, by code (the detail after the code is the reader's own line).
READING_ERRORS = {
    "empty": _("文件是空的。"),
    "too_large": _("文件过大。"),
    "unknown_type": _(
        "仅支持 PDF、Word（.docx）或纯文本（.txt，UTF-8 或 GB18030 编码）文件；文件类型按内容判断。"
    ),
    "legacy_doc": _("这是旧版 Word（.doc）文件，请另存为 .docx 或 PDF 后上传。"),
    "not_pdf": _("这不是 PDF 文件（没有 PDF 文件头）。"),
    "not_docx": _("这不是 Word（.docx）文档。"),
    "not_text": _("文件不是可识别的文本（编码错误或二进制内容）。"),
    "zip_bomb": _("文件解压后异常巨大，已拒绝。"),
    "encrypted": _("文件已加密（有密码保护），请去除密码后重新上传。"),
    "broken_pdf": _("PDF 文件已损坏或不完整。"),
    "broken_docx": _("Word 文档已损坏。"),
    "scanned": _("没有文字层：这是扫描件或纯图片 PDF，不支持文字识别（OCR）。"),
    "no_unicode": _("PDF 的字体缺少 Unicode 编码，文字无法提取，请上传 DOCX/TXT 或嵌入字体的 PDF。"),
    "no_text": _("文件中没有文字。"),
    "too_many_pages": _("页数过多，不像是申报指南。"),
    "not_a_guide": _("读出了文字，但这不是申报指南（没有找到指南标题、年度或方向）。"),
    "too_complex": _("文件过于复杂：读取所需的内存超出上限。"),
    "timeout": _("读取超时：文件过于复杂。"),
    "worker_lost": _("读取这个文件使后台进程多次中断，已停止重试。"),
    "file_missing": _("保存的文件无法打开，请重新上传。"),
    "unreadable": _("无法读取这个文件。"),
    "internal": _("读取时程序出错。"),
}


class GuideUploadRejected(Exception):
    """An uploaded guide file that is not accepted (nothing was stored); ``message`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ReadingError:
    code: str
    headline: str
    detail: str


def reading_error(error: str) -> ReadingError | None:
    """A stored ``GuideVersion.error`` as its code, translated headline and detail (None if empty)."""
    if not error:
        return None
    code, sep, detail = error.partition(": ")
    if not sep or code not in READING_ERRORS:
        return ReadingError("unreadable", str(READING_ERRORS["unreadable"]), error)
    return ReadingError(code, str(READING_ERRORS[code]), detail)


def reading_hard_time_limit() -> int:
    """Seconds after which Celery kills a reading task: the child's own limit is
    GUIDE_READING_TIME_LIMIT, the task's soft limit 15 s and its hard limit 30 s later."""
    return settings.GUIDE_READING_TIME_LIMIT + 30


# --------------------------------------------------------------------------- #
# Upload
# --------------------------------------------------------------------------- #


def _read_upload(file) -> bytes:
    limit = settings.MAX_UPLOAD_BYTES
    too_large = _("文件过大（%(size)s），上限为 %(limit)s。")
    if file.size is not None and file.size > limit:
        raise GuideUploadRejected(
            "too_large", str(too_large) % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)}
        )
    file.seek(0)
    data = file.read(limit + 1)  # never more than the limit, whatever the file declared
    if len(data) > limit:
        raise GuideUploadRejected(
            "too_large", str(too_large) % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    return data


def guide_upload_create(*, file, by) -> GuideVersion:
    """Check an uploaded guide file (size before reading, type by content: PDF, DOCX or text),
    store it privately under a random name as a queued version, and queue its reading: the
    outbox row is written in the same transaction. Writes a ``guide.uploaded`` audit entry.

    Raises GuideUploadRejected (nothing stored) for a file that is too large, empty, of another
    type, a legacy .doc, or a ZIP that is no DOCX or would unpack to too much, and
    common.files.FileNotSaved (no file, no row) when the media storage cannot take it. Not idempotent:
    the same file uploaded twice is two versions (the versions service recognises the document)."""
    data = _read_upload(file)
    name = safe_name(getattr(file, "name", "") or "")
    try:
        kind = sniff(data, name, max_bytes=settings.MAX_UPLOAD_BYTES)
    except SandboxError as exc:
        code = "unknown_type" if exc.code == "not_text" else exc.code  # binary data of another type
        raise GuideUploadRejected(code, str(READING_ERRORS.get(code, exc.message))) from None
    with new_files() as files, transaction.atomic():
        version = GuideVersion(
            status=Status.QUEUED,
            source_name=name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            kind=kind,
            size=len(data),
            created_by=by,
            queued_at=timezone.now(),
        )
        files.save(version.file, kind, data)
        version.save()
        audit_record(
            actor=by,
            action="guide.uploaded",
            target=version,
            data={"name": name, "kind": kind, "size": len(data), "sha256": version.sha256},
        )
        outbox_enqueue(task=READ_TASK, args=[version.pk])
    return version


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


JOB = LeasedJob(
    model=GuideVersion,
    task=READ_TASK,
    status_field="status",
    queued=Status.QUEUED,
    running=Status.READING,
    lease_seconds=lambda: reading_hard_time_limit() + 30,
    max_attempts=MAX_READ_ATTEMPTS,
)


def _give_up(version: GuideVersion) -> None:
    """Reading this file has killed MAX_READ_ATTEMPTS workers: it fails ("worker_lost")."""
    log.warning("guide version %s: worker lost %s times, given up", version.pk, version.attempts)
    _fail(version, "worker_lost", f"the reading stopped {version.attempts} times")


def _fail(version: GuideVersion, code: str, message: str) -> bool:
    """Record a failed reading, only while ``version``'s claim is the current one (an execution
    that was taken over writes nothing). Returns whether it was stored."""
    stored = JOB.store(version, status=Status.FAILED, error=f"{code}: {' '.join(message.split())}"[:2000])
    if stored:
        audit_record(actor=None, action="guide.reading_failed", target=version, data={"code": code})
    return bool(stored)


def _english_of_year(year: int) -> tuple[dict | None, str]:
    """The English data of the year's latest published version: an upload has no ``.en.json``
    beside it, so a new reading of a year keeps the English titles and keywords it had."""
    earlier = (
        GuideVersion.objects.filter(year=year, english__isnull=False)
        .filter(status__in=(Status.PUBLISHED, Status.SUPERSEDED))
        .order_by("-number")
        .only("english", "english_source")
        .first()
    )
    return (earlier.english, earlier.english_source) if earlier is not None else (None, "")


def _record(version: GuideVersion, result: dict) -> bool:
    """Hand the parse to the versions service under the current claim (it numbers the version,
    stores it as a draft, re-applies corrections and releases the lease). False when taken over."""
    try:
        parsed = from_json(result["guide"])
    except (KeyError, TypeError, ValueError) as exc:
        return _fail(version, "internal", f"unexpected answer from the reader ({type(exc).__name__})")
    english, english_name = _english_of_year(parsed.year)
    with transaction.atomic():
        current = JOB.locked_current(version)
        if current is None:
            return False
        version_record_reading(version=current, parsed=parsed, english=english, english_name=english_name)
    version.refresh_from_db()
    return True


def version_read(*, version_id: int, task_id: str | None = None, retries: int = 0) -> GuideVersion | None:
    """Read a queued version's file and record the reading as a draft version.

    Idempotent and status-guarded: only a queued version (or one whose lease expired, or is held
    by this same task id: a redelivery or retry) is read; a second delivery finds it reading under
    a live lease, draft or failed, and returns. The file is parsed in a child process under
    GUIDE_READING_MEMORY_BYTES of memory and GUIDE_READING_TIME_LIMIT seconds; an unreadable
    file, a memory bomb, a time-out or a bug of the reader ends ``failed`` with its error. Results
    are written only under the current lease token."""
    version = JOB.claim(version_id, task_id=task_id, retries=retries, give_up=_give_up)
    if version is None:
        return GuideVersion.objects.filter(pk=version_id).first()
    try:
        with version.file.open("rb") as fh:
            data = fh.read(settings.MAX_UPLOAD_BYTES + 1)
        result = read_bounded(
            data,
            name=version.source_name or version.kind,
            max_bytes=settings.MAX_UPLOAD_BYTES,
            memory_bytes=settings.GUIDE_READING_MEMORY_BYTES,
            timeout=settings.GUIDE_READING_TIME_LIMIT,
        )
    except SandboxError as exc:
        _fail(version, exc.code, exc.message)
    except SoftTimeLimitExceeded:
        _fail(version, "timeout", TIMEOUT_MESSAGE)
    except (OSError, ValueError):  # ValueError: a version without a file
        log.exception("guide version %s: stored file cannot be read", version_id)
        _fail(version, "file_missing", "the stored file cannot be opened")
    else:
        try:
            _record(version, result)
        except GuideError as exc:  # the parse is not a storable guide (the versions service says why)
            _fail(version, "not_a_guide", str(exc))
    return version


# --------------------------------------------------------------------------- #
# Sweeps
# --------------------------------------------------------------------------- #


def readings_stale() -> QuerySet[GuideVersion]:
    """Versions whose reading was lost: reading under an expired lease (or, without a lease,
    claimed longer ago than the hard limit plus a minute), or queued for longer than
    UPLOAD_QUEUED_RESEND seconds (the message was lost)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=reading_hard_time_limit() + 60)
    return GuideVersion.objects.filter(
        Q(status=Status.READING, lease_expires_at__lt=now)
        | Q(status=Status.READING, lease_expires_at__isnull=True, started_at__lt=cutoff)
        | Q(status=Status.QUEUED, queued_at__lt=now - timedelta(seconds=settings.UPLOAD_QUEUED_RESEND))
    )


def reading_stalled(version: GuideVersion) -> bool:
    """True for a version queued or reading well past the task's hard limit (its worker died; the
    sweep sends it again, the progress page says it is taking long)."""
    if version.status not in (Status.QUEUED, Status.READING):
        return False
    since = version.started_at if version.status == Status.READING else version.queued_at
    since = since or version.created_at
    return since < timezone.now() - timedelta(seconds=2 * settings.GUIDE_READING_TIME_LIMIT + 60)


def readings_requeue_stale() -> list[int]:
    """Sweep (settings.RELAY_SWEEPS): versions left reading under an expired lease go back to
    queued, and versions queued longer than UPLOAD_QUEUED_RESEND are sent again, through the
    outbox. One already started MAX_READ_ATTEMPTS times fails ("worker_lost"). Returns the ids
    re-sent. Safe to run concurrently: rows another sweep has locked are skipped."""

    return JOB.requeue_stale(readings_stale(), give_up=_give_up)


def readings_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting on this machine (settings.RELAY_RELEASES): versions its
    earlier, now dead processes were reading are queued again at once."""
    return JOB.release_worker(node=node)
