"""Writes for the registries the rules consult (ongoing projects, misconduct, guide experts,
recommenders): load them from a batch file's object or a CSV file, mark a hand edit, keep each
registry's previous version, and the registries page's uploads and restores as leased jobs
(RegistryImport: previewed, then loaded once confirmed) with their sweeps. What a file's rows
are and how they are checked is screening.registry_data (pure)."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from common.joberrors import JobError, job_error
from common.leases import RELEASED, LeasedJob
from common.outbox import outbox_enqueue
from common.services import audit_record

from . import registry_data
from .enums import RegistryName
from .models import (
    GuideExpert,
    MisconductEntry,
    OngoingProject,
    Recommender,
    RegistryImport,
    RegistryLoad,
    RegistrySnapshot,
)
from .models import RegistryImportStatus as Status
from .notifications import notify_stale_results
from .registry_data import RegistryImportError

__all__ = ["RegistryImportError"]

log = logging.getLogger(__name__)

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def _is_user(by) -> bool:
    return getattr(by, "is_authenticated", False)


# --- registries --------------------------------------------------------------------


def registries_import(*, data: dict, source: str = "", by=None) -> dict[str, int]:
    """Replace the registries present in `data` (the `registries` object of a batch
    file). A key given as an empty list loads that registry as empty; a key absent
    leaves that registry as it is. Each registry's previous version is kept. One
    transaction. Returns entries per registry."""
    if not isinstance(data, dict):
        raise RegistryImportError("registries_not_object")
    unknown = set(data) - set(RegistryName.values)
    if unknown:
        raise RegistryImportError(
            "unknown_registries", names="、".join(sorted(unknown)), known="、".join(RegistryName.values)
        )
    counts = {}
    with transaction.atomic():
        for name, rows in data.items():
            if not isinstance(rows, list):
                raise RegistryImportError("not_a_list", registry=name)
            counts[name] = _registry_replace(name, registry_rows_clean(name=name, rows=rows), source=source)
        audit_record(actor=by, action="registries.imported", data={"counts": counts, "source": source})
        notify_stale_results(registry=list(counts), by=by)
    return counts


_REGISTRY_MODELS = {
    RegistryName.ONGOING_PROJECTS: OngoingProject,
    RegistryName.MISCONDUCT: MisconductEntry,
    RegistryName.GUIDE_EXPERTS: GuideExpert,
    RegistryName.RECOMMENDERS: Recommender,
}


def _limits(model) -> dict[str, int]:
    """The lengths of the model's text columns (a value too long is refused with its row, as the
    cleaners' own errors are: PostgreSQL would refuse the whole load, SQLite would store it)."""
    return {f.name: f.max_length for f in model._meta.concrete_fields if getattr(f, "max_length", None)}


def registry_rows_clean(*, name: str, rows: list, numbers: list[int] | None = None) -> list[dict]:
    """``rows`` of registry ``name`` checked and normalised to its model's fields
    (registry_data.clean_rows with the columns' lengths). ``numbers``: their spreadsheet rows."""
    if name not in RegistryName.values:
        raise RegistryImportError("unknown_registry", name=name)
    return registry_data.clean_rows(name, rows, numbers=numbers, limits=_limits(_REGISTRY_MODELS[name]))


def registry_touch(*, name: str, by=None, source: str = "admin") -> int:
    """Mark a registry edited by hand as loaded, with its current size and a new version
    (the results that used the previous one become stale)."""
    with transaction.atomic():
        entries = _REGISTRY_MODELS[name].objects.count()
        _registry_loaded(name=name, entries=entries, source=source)
        audit_record(actor=by, action="registries.edited", data={"registry": name, "entries": entries})
        notify_stale_results(registry=name, by=by)
    return entries


def _registry_loaded(*, name: str, entries: int, source: str) -> None:
    """Record a load or edit of a registry: its size, source and a new version, which
    makes the results that used the previous version stale."""
    updated = RegistryLoad.objects.filter(name=name).update(
        entries=entries, source=source, version=F("version") + 1, loaded_at=timezone.now()
    )
    if not updated:
        RegistryLoad.objects.create(name=name, entries=entries, source=source, version=1)


def registry_import_csv(*, name: str, text: str, source: str = "", by=None) -> int:
    """Load one registry from CSV text with a header row (Chinese or English column names), at
    once (the command line and the API; the registries page makes a previewed job:
    registry_import_request)."""
    read = registry_csv_read(name=name, text=text)
    rows = registry_rows_clean(name=name, rows=read.rows, numbers=read.numbers)
    with transaction.atomic():
        entries = _registry_replace(name, rows, source=source)
        audit_record(
            actor=by, action="registries.imported", data={"counts": {name: entries}, "source": source}
        )
        notify_stale_results(registry=[name], by=by)
    return entries


def registry_csv_read(*, name: str, text: str) -> registry_data.CsvRows:
    """The data rows of a registry's CSV text, with their spreadsheet rows (registry_data.read_csv)."""
    if name not in RegistryName.values:
        raise RegistryImportError("unknown_registry", name=name)
    return registry_data.read_csv(name, text)


def _current_rows(name: str) -> list[dict]:
    """Registry ``name``'s entries as cleaned rows (its model's fields)."""
    model = _REGISTRY_MODELS[name]
    fields = [f.name for f in model._meta.concrete_fields if f.name != "id"]
    return list(model.objects.order_by("pk").values(*fields))


def _registry_replace(name: str, rows: list[dict], *, source: str) -> int:
    """Replace registry ``name``'s entries with cleaned ``rows``, keeping the entries it had as its
    previous version (when it was loaded), and record the load (a new version). Inside the
    caller's transaction."""
    model = _REGISTRY_MODELS[name]
    load = RegistryLoad.objects.select_for_update().filter(name=name).first()
    if load is not None:
        previous = [{k: v for k, v in row.items() if k != "name_key"} for row in _current_rows(name)]
        RegistrySnapshot.objects.update_or_create(
            registry=name,
            defaults={
                "version": load.version,
                "entries": len(previous),
                "source": load.source,
                "loaded_at": load.loaded_at,
                "rows": previous,
            },
        )
    model.objects.all().delete()
    model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
    _registry_loaded(name=name, entries=len(rows), source=source)
    return len(rows)


def registry_sample_csv(*, name: str, headers: list[str]) -> str:
    """The sample CSV of registry ``name`` (registry_data.sample_csv): ``headers`` are its
    columns' names in the reader's language."""
    if name not in RegistryName.values:
        raise RegistryImportError("unknown_registry", name=name)
    return registry_data.sample_csv(name, headers=headers)


# --- registry imports as jobs (the registries page) ------------------------------------
#
# The request checks the file and writes the job (RegistryImport, holding the checked rows) and
# its outbox row; the task (screening.registry_import) claims the job under a lease (common.leases,
# as guide publishing does) and, in one transaction that checks the claim is still its own:
# - before confirmation, compares the rows with the registry and records the preview and the
#   registry's version compared with (previewed); nothing of the registry changes;
# - once an admin confirmed (registry_import_confirm queues it again), replaces the registry
#   (keeping its previous version), bumps its version, audits and tells the owners of results now
#   stale, and marks the job done — unless the registry changed since the preview ("changed").
# A transient database error is left to the task's retry, which takes the job over; anything else
# fails the job with "<code>: <detail>". The relay's sweep re-sends jobs whose message or worker
# was lost (registry_imports_requeue_stale) and a restarting worker node gives back what its dead
# processes held (registry_imports_release_worker). A restore (registry_restore_request) is such a
# job whose rows are the registry's previous version.

REGISTRY_IMPORT_TASK = "screening.registry_import"
# Replacing a registry is quick; telling the owners of stale results grows with the proposals.
REGISTRY_IMPORT_SOFT_TIME_LIMIT = 120
REGISTRY_IMPORT_TIME_LIMIT = 150  # the hard limit (under the broker's visibility timeout)
MAX_IMPORT_ATTEMPTS = 3  # an import that has killed this many workers is not tried again
PREVIEW_EXAMPLES = 5  # rows shown of each kind of difference
PREVIEW_TTL = timedelta(days=7)  # a preview not confirmed by then is cancelled by the sweep
UNFINISHED = (Status.QUEUED, Status.RUNNING, Status.PREVIEWED)

# Headlines of the failures, by code (the detail after the code is the job's own line).
REGISTRY_IMPORT_ERRORS = {
    "invalid": gettext_lazy("文件中有无法导入的记录。"),
    "superseded": gettext_lazy("同一名单有更晚上传的文件已先导入完成，这个文件没有载入。"),
    "changed": gettext_lazy("预览之后名单又被修改过（另一次导入、恢复或在管理后台编辑），这个文件没有载入。"),
    "timeout": gettext_lazy("导入超时。"),
    "worker_lost": gettext_lazy("导入这个文件使后台进程多次中断，已停止重试。"),
    "internal": gettext_lazy("导入时程序出错。"),
}
# Details of failures that are said in the reader's language (the rest are the program's line).
_CHANGED_DETAIL = gettext_lazy("请重新上传文件，查看与当前名单相比的新预览。")


def registry_import_failure(error: str) -> JobError | None:
    """A stored ``RegistryImport.error`` as its code, translated headline and detail (None if
    empty); the detail of a bad row is said in the reader's language."""
    failure = job_error(error, REGISTRY_IMPORT_ERRORS)
    if failure is None:
        return None
    if failure.code == "invalid":
        parsed = RegistryImportError.from_json(failure.detail)
        if parsed is not None:
            return JobError(failure.code, failure.headline, str(parsed))
    if failure.code == "changed":
        return JobError(failure.code, failure.headline, str(_CHANGED_DETAIL))
    return failure


def registry_import_lease_seconds() -> int:
    """A claim outlasts the task's hard time limit."""
    return REGISTRY_IMPORT_TIME_LIMIT + 30


def registry_import_request(*, name: str, text: str, source: str = "", by=None) -> RegistryImport:
    """Ask for CSV ``text`` to be compared with registry ``name`` by a job, and loaded once
    confirmed. The file is read and every row checked at once (RegistryImportError says what is
    wrong, with its spreadsheet row: nothing is written); then the job, holding the checked rows,
    and its outbox row are written in one transaction: the task makes the preview after the commit,
    and nothing of the registry changes before it is confirmed. The same file for the same registry
    by the same person while an earlier upload of it is unfinished returns that job (a double click
    makes one job)."""
    read = registry_csv_read(name=name, text=text)  # refuses an unknown registry first
    rows = registry_rows_clean(name=name, rows=read.rows, numbers=read.numbers)
    key = hashlib.sha256(f"{name}\n{text}".encode()).hexdigest()
    return _job_request(name=name, rows=rows, key=key, source=source, by=by, ignored=read.ignored)


def registry_restore_request(*, name: str, by=None) -> RegistryImport | None:
    """Ask for registry ``name``'s previous version (its RegistrySnapshot) to be restored: a job
    like an upload's (previewed, then loaded once confirmed). None when it has none."""
    snapshot = RegistrySnapshot.objects.filter(registry=name).first()
    if snapshot is None:
        return None
    key = hashlib.sha256(
        f"{name}\nrestore\n{snapshot.version}\n{json.dumps(snapshot.rows, sort_keys=True)}".encode()
    ).hexdigest()
    rows = registry_rows_clean(name=name, rows=snapshot.rows)
    return _job_request(name=name, rows=rows, key=key, source=snapshot.source, by=by, restore_of=snapshot)


def _job_request(
    *, name: str, rows: list[dict], key: str, source: str, by, ignored: list[str] = (), restore_of=None
) -> RegistryImport:
    requester = by if _is_user(by) else None
    with transaction.atomic():
        existing = (
            RegistryImport.objects.select_for_update()
            .filter(key=key, requested_by=requester, status__in=UNFINISHED)
            .first()
        )
        if existing is not None:
            return existing
        job = RegistryImport.objects.create(
            registry=name,
            source=source[:255],
            rows=rows,
            key=key,
            total=len(rows),
            requested_by=requester,
            ignored_columns=list(ignored),
            restore_of=restore_of,
        )
        outbox_enqueue(task=REGISTRY_IMPORT_TASK, args=[job.pk])
    return job


def registry_import_confirm(*, job: RegistryImport, by) -> bool:
    """The admin confirms a previewed job: it is queued again, to be loaded. Idempotent: False (and
    nothing written) when the job is not previewed (confirmed already, cancelled, failed)."""
    with transaction.atomic():
        updated = RegistryImport.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
            status=Status.QUEUED,
            confirmed_at=timezone.now(),
            confirmed_by=by if _is_user(by) else None,
            queued_at=timezone.now(),
            attempts=0,
        )
        if updated:
            outbox_enqueue(task=REGISTRY_IMPORT_TASK, args=[job.pk])
    return bool(updated)


def registry_import_cancel(*, job: RegistryImport, by) -> bool:
    """The admin cancels a previewed job: nothing of the registry changes, its rows are dropped,
    and the cancellation is audited. False when the job is not previewed."""
    with transaction.atomic():
        updated = RegistryImport.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
            status=Status.CANCELLED, rows=[], finished_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=by,
                action="registries.import_cancelled",
                data={"registry": job.registry, "source": job.source, "job": job.pk},
            )
    return bool(updated)


def registry_import_run(
    *, job_id: int, task_id: str | None = None, retries: int = 0
) -> RegistryImport | None:
    """Preview or load the rows of a requested registry import (the task's service).

    Idempotent and status-guarded: only a queued job (or one running under an expired lease, or
    held by this same task id: a redelivery or retry) is run; a second delivery finds it running
    under a live lease, previewed, done or failed, and returns it. Not yet confirmed: the preview
    and the registry's version are recorded (previewed). Confirmed: the registry's rows, its
    version, its previous version kept, the ``registries.imported`` (or ``registries.restored``)
    audit entry, the notifications of stale results and the job's done state are written in one
    transaction, only under the current claim. A transient database error drops the connection
    and re-raises (the task's retry takes over, changing nothing before); a bad row, a registry
    changed since the preview, a time-out or a bug ends ``failed`` with its error and the registry
    as it was."""
    job = JOB.claim(job_id, task_id=task_id, retries=retries, give_up=_give_up)
    if job is None:
        return RegistryImport.objects.filter(pk=job_id).first()
    try:
        if job.confirmed_at is None:
            _import_preview(job)
        else:
            _import_apply(job)
    except TRANSIENT_DB_ERRORS:
        connection.close()
        raise
    except SoftTimeLimitExceeded:
        log.warning("registry import %s timed out", job.pk)
        _import_fail(job, "timeout", f"loading took more than {REGISTRY_IMPORT_SOFT_TIME_LIMIT} s")
    except RegistryImportError as exc:
        _import_fail(job, "invalid", exc.as_json())
    except Exception as exc:  # a bug ends in a recorded failure, never a stuck "running"
        log.exception("registry import %s failed", job.pk)
        _import_fail(job, "internal", f"{type(exc).__name__}: {exc}")
    job.refresh_from_db()
    return job


JOB = LeasedJob(
    model=RegistryImport,
    task=REGISTRY_IMPORT_TASK,
    status_field="status",
    queued=Status.QUEUED,
    running=Status.RUNNING,
    lease_seconds=registry_import_lease_seconds,
    max_attempts=MAX_IMPORT_ATTEMPTS,
)


def _give_up(job: RegistryImport) -> None:
    """The import has killed MAX_IMPORT_ATTEMPTS workers: it fails ("worker_lost")."""
    log.warning("registry import %s: lost %s times, given up", job.pk, job.attempts)
    _import_fail(job, "worker_lost", f"the import stopped {job.attempts} times")


def _current_claim(job: RegistryImport) -> RegistryImport | None:
    """The job's row locked, if ``job``'s claim is still the current one."""
    return JOB.locked_current(job)


def _version(name: str) -> int:
    return RegistryLoad.objects.filter(name=name).values_list("version", flat=True).first() or 0


def _import_preview(job: RegistryImport) -> bool:
    """Compare the job's rows with the registry and record the preview (previewed), under the
    current claim. False when the claim was taken over (nothing written)."""
    name = job.registry
    rows = registry_rows_clean(name=name, rows=job.rows)
    with transaction.atomic():
        current = _current_claim(job)
        if current is None:
            return False
        preview = registry_data.diff_rows(name, _current_rows(name), rows, examples=PREVIEW_EXAMPLES)
        RegistryImport.objects.filter(pk=job.pk).update(
            status=Status.PREVIEWED, preview=preview, base_version=_version(name), **RELEASED
        )
    return True


def _import_apply(job: RegistryImport) -> bool:
    """Replace the registry under the current claim and mark the job done, in one transaction.
    False when the claim was taken over (nothing written)."""
    with transaction.atomic():
        # The running imports of this registry, locked in order: two replacing it at once would
        # each keep its own rows (a delete does not see rows inserted by an uncommitted one).
        list(
            RegistryImport.objects.select_for_update()
            .filter(registry=job.registry, status=Status.RUNNING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        current = _current_claim(job)
        if current is None:
            return False
        name = current.registry
        if RegistryImport.objects.filter(registry=name, status=Status.DONE, pk__gt=current.pk).exists():
            # a file uploaded later is loaded already (this one was delayed): it must not undo that
            _import_finish(current, status=Status.FAILED, error="superseded: ")
            return True
        if _version(name) != (current.base_version or 0):
            # the counts the admin confirmed no longer describe what this load would do
            _import_finish(current, status=Status.FAILED, error="changed: ")
            return True
        by = current.requested_by if current.confirmed_by_id is None else current.confirmed_by
        restored = None
        if current.restore_of_id is not None:  # its version, read before the load replaces it
            restored = (
                RegistrySnapshot.objects.filter(pk=current.restore_of_id)
                .values_list("version", flat=True)
                .first()
            )
        entries = _registry_replace(
            name, registry_rows_clean(name=name, rows=current.rows), source=current.source
        )
        data = {"counts": {name: entries}, "source": current.source, "job": current.pk}
        preview = current.preview or {}
        data.update({k: preview[k] for k in ("added", "removed", "changed") if k in preview})
        if current.restore_of_id is not None:
            data["restored"] = restored
        audit_record(
            actor=by,
            action="registries.restored" if current.restore_of_id is not None else "registries.imported",
            data=data,
        )
        notify_stale_results(registry=[name], by=by)
        _import_finish(current, status=Status.DONE, entries=entries)
    return True


def _import_finish(job: RegistryImport, *, status: str, error: str = "", entries: int | None = None) -> None:
    """Record the end of a job whose row the caller holds: its state, error or entries; its rows
    and its claim are dropped."""
    RegistryImport.objects.filter(pk=job.pk).update(
        status=status,
        error=error,
        entries=entries,
        rows=[],
        finished_at=timezone.now(),
        **RELEASED,
    )


def _import_fail(job: RegistryImport, code: str, message: str) -> bool:
    """Record a failed import (the registry is as it was), only while ``job``'s claim is the
    current one (an execution that was taken over writes nothing). Returns whether it was stored."""
    return JOB.store(
        job,
        only_while=(Status.QUEUED, Status.RUNNING),
        status=Status.FAILED,
        error=f"{code}: {' '.join(message.split())}"[:2000],
        rows=[],
        finished_at=timezone.now(),
    )


def registry_import_stalled(job: RegistryImport) -> bool:
    """True for an import queued or running well past the task's hard limit (its worker died or the
    job service is away: the sweep sends it again, the progress page says it is taking long)."""
    if job.status not in (Status.QUEUED, Status.RUNNING):
        return False
    since = (job.started_at if job.status == Status.RUNNING else None) or job.queued_at
    return since is not None and since < timezone.now() - timedelta(seconds=REGISTRY_IMPORT_TIME_LIMIT + 60)


def registry_imports_stale() -> QuerySet[RegistryImport]:
    """Imports that were lost: running under an expired lease (or, without a lease, claimed longer
    ago than the hard limit plus a minute), or queued for longer than SCREENING_QUEUED_RESEND
    seconds (the message was lost)."""
    now = timezone.now()
    return RegistryImport.objects.filter(
        Q(status=Status.RUNNING, lease_expires_at__lt=now)
        | Q(
            status=Status.RUNNING,
            lease_expires_at__isnull=True,
            started_at__lt=now - timedelta(seconds=REGISTRY_IMPORT_TIME_LIMIT + 60),
        )
        | Q(status=Status.QUEUED, queued_at__lt=now - timedelta(seconds=settings.SCREENING_QUEUED_RESEND))
    )


def registry_imports_requeue_stale() -> list[int]:
    """Sweep (settings.RELAY_SWEEPS): imports left running under an expired lease go back to
    queued, and imports queued longer than SCREENING_QUEUED_RESEND are sent again, through the
    outbox — except a queued one whose message still waits to start (it is not lost). One started
    MAX_IMPORT_ATTEMPTS times fails ("worker_lost"). Previews left unconfirmed for PREVIEW_TTL are
    cancelled (registry_previews_expire). Returns the ids re-sent. Safe to run concurrently: rows
    another sweep has locked are skipped."""
    registry_previews_expire()

    return JOB.requeue_stale(registry_imports_stale(), give_up=_give_up)


def registry_previews_expire() -> list[int]:
    """Cancel the previews nobody confirmed or cancelled within PREVIEW_TTL of being made (their
    rows are dropped; each cancellation audited, by no one, with the reason "expired"). Returns
    their ids. Idempotent."""
    cutoff = timezone.now() - PREVIEW_TTL
    expired = []
    for job in RegistryImport.objects.filter(status=Status.PREVIEWED, started_at__lt=cutoff).only(
        "pk", "registry", "source"
    ):
        with transaction.atomic():
            updated = RegistryImport.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
                status=Status.CANCELLED, rows=[], error="expired: ", finished_at=timezone.now()
            )
            if updated:
                audit_record(
                    actor=None,
                    action="registries.import_cancelled",
                    data={"registry": job.registry, "source": job.source, "job": job.pk, "reason": "expired"},
                )
                expired.append(job.pk)
    return expired


def registry_imports_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting on this machine (settings.RELAY_RELEASES): imports its
    earlier, now dead processes were running are queued again at once."""
    return JOB.release_worker(node=node)
