"""Writes for the registries the rules consult (ongoing projects, misconduct, guide experts,
recommenders): load them from a batch file's object or a CSV file, mark a hand edit, and the
registries page's uploads as leased jobs (RegistryImport) with their sweeps."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from common.joberrors import JobError, job_error
from common.leases import (
    RELEASED,
    claimable,
    held_by_another_delivery,
    is_retry_of,
    lease_fields,
    release_dead_holders,
    requeue_stale,
)
from common.outbox import outbox_enqueue
from common.services import audit_record

from .enums import OngoingRole, RegistryName, RunStatus
from .models import GuideExpert, MisconductEntry, OngoingProject, Recommender, RegistryImport, RegistryLoad
from .notifications import notify_stale_results
from .rules.text import normalise_name

log = logging.getLogger(__name__)

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


class RegistryImportError(ValueError):
    """A registry file or object that cannot be read; the message says why."""


def _is_user(by) -> bool:
    return getattr(by, "is_authenticated", False)


# --- registries --------------------------------------------------------------------


def registries_import(*, data: dict, source: str = "", by=None) -> dict[str, int]:
    """Replace the registries present in `data` (the `registries` object of a batch
    file). A key given as an empty list loads that registry as empty; a key absent
    leaves that registry as it is. One transaction. Returns entries per registry."""
    if not isinstance(data, dict):
        raise RegistryImportError("registries must be an object")
    unknown = set(data) - set(RegistryName.values)
    if unknown:
        raise RegistryImportError(f"unknown registries: {', '.join(sorted(unknown))}")
    counts = {}
    with transaction.atomic():
        for name, rows in data.items():
            if not isinstance(rows, list):
                raise RegistryImportError(f"registries.{name} must be a list")
            counts[name] = _registry_replace(name, _REGISTRY_CLEANERS[name](rows, f"registries.{name}"))
            _registry_loaded(name=name, entries=counts[name], source=source)
        audit_record(actor=by, action="registries.imported", data={"counts": counts, "source": source})
        notify_stale_results(registry=list(counts), by=by)
    return counts


_REGISTRY_MODELS = {
    RegistryName.ONGOING_PROJECTS: OngoingProject,
    RegistryName.MISCONDUCT: MisconductEntry,
    RegistryName.GUIDE_EXPERTS: GuideExpert,
    RegistryName.RECOMMENDERS: Recommender,
}


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
    """Load one registry from CSV text with a header row (columns as in the JSON), at once
    (the command line and the API; the registries page makes a job: registry_import_request)."""
    return registries_import(data={name: registry_csv_rows(name=name, text=text)}, source=source, by=by)[name]


def registry_csv_rows(*, name: str, text: str) -> list:
    """The data rows of a registry's CSV text (header row; columns as in the JSON), as
    registries_import takes them: objects (stripped values, blank lines skipped, cells without a
    header left out), or names for the recommenders. Pure."""
    if name not in RegistryName.values:
        raise RegistryImportError(f"unknown registry: {name}")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
        if header is None:
            raise RegistryImportError("the CSV file is empty")
        keys = [k.strip() for k in header]
        width = len(keys)
        rows = []
        for values in reader:
            if not values:
                continue  # a blank line
            if len(values) < width:  # a short row: its last columns are empty
                values += [""] * (width - len(values))
            # cells past the header are left out
            rows.append({k: v.strip() for k, v in zip(keys, values, strict=False) if k})
    except csv.Error as exc:  # a field over the csv module's 128 KiB, a stray quote at the end …
        raise RegistryImportError(f"line {reader.line_num}: not readable as CSV ({exc})") from None
    if name == RegistryName.RECOMMENDERS:
        return [r.get("name", "") for r in rows]
    return rows


def _registry_replace(name: str, rows: list[dict]) -> int:
    """Replace registry ``name``'s entries with ``rows`` (checked by its cleaner: model fields)."""
    model = _REGISTRY_MODELS[name]
    model.objects.all().delete()
    model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
    return len(rows)


# The cleaners: pure, rows as given (JSON objects, CSV rows) in, each row checked and normalised
# to its model's fields out; RegistryImportError names the first bad row. Applying one to its own
# output gives the same rows (the import job checks its stored rows again).


def _clean_ongoing(rows: list, path: str) -> list[dict]:
    roles = set(OngoingRole.values)
    cleaned = []
    for n, row in enumerate(rows):
        _require_dict(row, path, n)
        id_number = _require_str(row, "id_number", path, n)
        role = row.get("role", OngoingRole.PROJECT_LEAD)
        if role not in roles:
            raise RegistryImportError(f"{path}[{n}].role: must be one of {', '.join(OngoingRole.values)}")
        cleaned.append(
            {
                "id_number": id_number.upper(),
                "name": str(row.get("name", "")),
                "role": str(role),
                "program": str(row.get("program", "")),
            }
        )
    return cleaned


def _clean_misconduct(rows: list, path: str) -> list[dict]:
    cleaned = []
    for n, row in enumerate(rows):
        _require_dict(row, path, n)
        id_number = str(row.get("id_number") or "").strip().upper()
        credit_code = str(row.get("credit_code") or "").strip().upper()
        name = str(row.get("name") or "").strip()
        if not (id_number or credit_code or name):
            raise RegistryImportError(f"{path}[{n}]: needs id_number, credit_code or name")
        cleaned.append(
            {
                "id_number": id_number,
                "credit_code": credit_code,
                "name": name,
                "name_key": normalise_name(name) if not (id_number or credit_code) else "",
            }
        )
    return cleaned


def _clean_experts(rows: list, path: str) -> list[dict]:
    cleaned = []
    for n, row in enumerate(rows):
        _require_dict(row, path, n)
        cleaned.append(
            {"id_number": _require_str(row, "id_number", path, n).upper(), "name": str(row.get("name", ""))}
        )
    return cleaned


def _clean_recommenders(rows: list, path: str) -> list[dict]:
    """Names (or objects with a name); one entry per normalised name, the last spelling kept."""
    cleaned = {}
    for n, row in enumerate(rows):
        name = row.get("name") if isinstance(row, dict) else row
        if not isinstance(name, str) or not name.strip():
            raise RegistryImportError(f"{path}[{n}]: must be a non-empty name")
        key = normalise_name(name)
        cleaned[key] = {"name": name.strip(), "name_key": key}
    return list(cleaned.values())


def _require_dict(row, path: str, n: int) -> dict:
    if not isinstance(row, dict):
        raise RegistryImportError(f"{path}[{n}]: must be an object")
    return row


def _require_str(row: dict, key: str, path: str, n: int) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryImportError(f"{path}[{n}].{key}: required")
    return value.strip()


def _within_columns(model, clean):
    """``clean``, then every value checked against its column's length: a value too long for the
    database names its row, as the cleaners' own errors do (PostgreSQL would refuse the whole load
    with a database error; SQLite would store it)."""
    limits = {f.name: f.max_length for f in model._meta.concrete_fields if getattr(f, "max_length", None)}

    def cleaned(rows: list, path: str) -> list[dict]:
        out = clean(rows, path)
        for n, row in enumerate(out):
            for key, value in row.items():
                limit = limits.get(key)
                if limit is not None and isinstance(value, str) and len(value) > limit:
                    raise RegistryImportError(f"{path}[{n}].{key}: longer than {limit} characters")
        return out

    return cleaned


_REGISTRY_CLEANERS = {
    RegistryName.ONGOING_PROJECTS: _within_columns(OngoingProject, _clean_ongoing),
    RegistryName.MISCONDUCT: _within_columns(MisconductEntry, _clean_misconduct),
    RegistryName.GUIDE_EXPERTS: _within_columns(GuideExpert, _clean_experts),
    RegistryName.RECOMMENDERS: _within_columns(Recommender, _clean_recommenders),
}


# --- registry imports as jobs (the registries page) ------------------------------------
#
# The request checks the file and writes the job (RegistryImport, holding the checked rows) and
# its outbox row; the task (screening.registry_import) claims the job under a lease
# (common.leases, as guide publishing does) and, in one transaction that checks the claim is still
# its own, replaces the registry, bumps its version, audits and tells the owners of results now
# stale, and marks the job done. A transient database error is left to the task's retry, which
# takes the job over; anything else fails the job with "<code>: <detail>". The relay's sweep
# re-sends jobs whose message or worker was lost (registry_imports_requeue_stale) and a restarting
# worker node gives back what its dead processes held (registry_imports_release_worker).

REGISTRY_IMPORT_TASK = "screening.registry_import"
# Replacing a registry is quick; telling the owners of stale results grows with the proposals.
REGISTRY_IMPORT_SOFT_TIME_LIMIT = 120
REGISTRY_IMPORT_TIME_LIMIT = 150  # the hard limit (under the broker's visibility timeout)
MAX_IMPORT_ATTEMPTS = 3  # an import that has killed this many workers is not tried again

# Headlines of the failures, by code (the detail after the code is the job's own line).
REGISTRY_IMPORT_ERRORS = {
    "invalid": gettext_lazy("文件中有无法导入的记录。"),
    "superseded": gettext_lazy("同一名单有更晚上传的文件已先导入完成，这个文件没有载入。"),
    "timeout": gettext_lazy("导入超时。"),
    "worker_lost": gettext_lazy("导入这个文件使后台进程多次中断，已停止重试。"),
    "internal": gettext_lazy("导入时程序出错。"),
}


def registry_import_failure(error: str) -> JobError | None:
    """A stored ``RegistryImport.error`` as its code, translated headline and detail (None if empty)."""
    return job_error(error, REGISTRY_IMPORT_ERRORS)


def registry_import_lease_seconds() -> int:
    """A claim outlasts the task's hard time limit."""
    return REGISTRY_IMPORT_TIME_LIMIT + 30


def registry_import_request(*, name: str, text: str, source: str = "", by=None) -> RegistryImport:
    """Ask for CSV ``text`` to be loaded as registry ``name`` by a job. The file is read and every
    row checked at once (RegistryImportError says what is wrong: nothing is written); then the job,
    holding the checked rows, and its outbox row are written in one transaction: the task loads
    them after the commit, and nothing of the registry changes before. The same file for the same
    registry by the same person while an earlier upload of it is unfinished returns that job (a
    double click makes one job)."""
    csv_rows = registry_csv_rows(name=name, text=text)  # refuses an unknown registry first
    rows = _REGISTRY_CLEANERS[name](csv_rows, f"registries.{name}")
    key = hashlib.sha256(f"{name}\n{text}".encode()).hexdigest()
    requester = by if _is_user(by) else None
    with transaction.atomic():
        existing = (
            RegistryImport.objects.select_for_update()
            .filter(key=key, requested_by=requester, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            .first()
        )
        if existing is not None:
            return existing
        job = RegistryImport.objects.create(
            registry=name, source=source[:255], rows=rows, key=key, total=len(rows), requested_by=requester
        )
        outbox_enqueue(task=REGISTRY_IMPORT_TASK, args=[job.pk])
    return job


def registry_import_run(
    *, job_id: int, task_id: str | None = None, retries: int = 0
) -> RegistryImport | None:
    """Load the rows of a requested registry import (the task's service).

    Idempotent and status-guarded: only a queued job (or one running under an expired lease, or
    held by this same task id: a redelivery or retry) is run; a second delivery finds it running
    under a live lease, done or failed, and returns it. The registry's rows, its version, the
    ``registries.imported`` audit entry, the notifications of stale results and the job's done
    state are written in one transaction, only under the current claim. A transient database error
    drops the connection and re-raises (the task's retry takes over, changing nothing before); a
    bad row, a later import finished first, a time-out or a bug ends ``failed`` with its error and
    the registry as it was."""
    job = _import_claim(job_id, task_id=task_id, retries=retries)
    if job is None:
        return RegistryImport.objects.filter(pk=job_id).first()
    try:
        _import_apply(job)
    except TRANSIENT_DB_ERRORS:
        connection.close()
        raise
    except SoftTimeLimitExceeded:
        log.warning("registry import %s timed out", job.pk)
        _import_fail(job, "timeout", f"loading took more than {REGISTRY_IMPORT_SOFT_TIME_LIMIT} s")
    except RegistryImportError as exc:
        _import_fail(job, "invalid", str(exc))
    except Exception as exc:  # a bug ends in a recorded failure, never a stuck "running"
        log.exception("registry import %s failed", job.pk)
        _import_fail(job, "internal", f"{type(exc).__name__}: {exc}")
    job.refresh_from_db()
    return job


def _import_claim(job_id: int, *, task_id: str | None, retries: int = 0) -> RegistryImport | None:
    """Claim the job under a lease: queued, or running under an expired lease or this same task's
    (its earlier delivery died). None when there is nothing to do."""
    lease = lease_fields(task_id=task_id, seconds=registry_import_lease_seconds(), retries=retries)
    with transaction.atomic():
        job = (
            RegistryImport.objects.select_for_update()
            .filter(
                claimable(field="status", queued=RunStatus.QUEUED, running=RunStatus.RUNNING, task_id=task_id)
            )
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None
        running = job.status == RunStatus.RUNNING
        retry = running and is_retry_of(job.lease_task, task_id=task_id, retries=retries)
        if running and held_by_another_delivery(
            lease_task=job.lease_task, lease_owner=job.lease_owner, task_id=task_id, retries=retries
        ):
            return None  # a duplicate delivery: the task is still running in this node
        if not retry and job.attempts >= MAX_IMPORT_ATTEMPTS:
            log.warning("registry import %s: lost %s times, given up", job.pk, job.attempts)
            _import_fail(job, "worker_lost", f"the import stopped {job.attempts} times")
            return None
        for field_name, value in lease.items():
            setattr(job, field_name, value)
        job.status = RunStatus.RUNNING
        job.started_at = timezone.now()
        job.attempts += 0 if retry else 1  # a retry after a transient error continues its attempt
        job.save(update_fields=["status", "started_at", "attempts", *lease])
    return job


def _import_apply(job: RegistryImport) -> bool:
    """Replace the registry under the current claim and mark the job done, in one transaction.
    False when the claim was taken over (nothing written)."""
    with transaction.atomic():
        # The running imports of this registry, locked in order: two replacing it at once would
        # each keep its own rows (a delete does not see rows inserted by an uncommitted one).
        list(
            RegistryImport.objects.select_for_update()
            .filter(registry=job.registry, status=RunStatus.RUNNING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        current = (
            RegistryImport.objects.select_for_update()
            .filter(pk=job.pk, status=RunStatus.RUNNING, lease_token=job.lease_token)
            .first()
        )
        if current is None:
            return False
        name = current.registry
        if RegistryImport.objects.filter(registry=name, status=RunStatus.DONE, pk__gt=current.pk).exists():
            # a file uploaded later is loaded already (this one was delayed): it must not undo that
            _import_finish(current, status=RunStatus.FAILED, error="superseded: ")
            return True
        by = current.requested_by
        entries = _registry_replace(name, _REGISTRY_CLEANERS[name](current.rows, f"registries.{name}"))
        _registry_loaded(name=name, entries=entries, source=current.source)
        audit_record(
            actor=by,
            action="registries.imported",
            data={"counts": {name: entries}, "source": current.source, "job": current.pk},
        )
        notify_stale_results(registry=[name], by=by)
        _import_finish(current, status=RunStatus.DONE, entries=entries)
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
    return bool(
        RegistryImport.objects.filter(
            pk=job.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING], lease_token=job.lease_token
        ).update(
            status=RunStatus.FAILED,
            error=f"{code}: {' '.join(message.split())}"[:2000],
            rows=[],
            finished_at=timezone.now(),
            **RELEASED,
        )
    )


def registry_import_stalled(job: RegistryImport) -> bool:
    """True for an import queued or running well past the task's hard limit (its worker died or the
    job service is away: the sweep sends it again, the progress page says it is taking long)."""
    if job.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return False
    since = (job.started_at if job.status == RunStatus.RUNNING else None) or job.queued_at
    return since is not None and since < timezone.now() - timedelta(seconds=REGISTRY_IMPORT_TIME_LIMIT + 60)


def registry_imports_stale() -> QuerySet[RegistryImport]:
    """Imports that were lost: running under an expired lease (or, without a lease, claimed longer
    ago than the hard limit plus a minute), or queued for longer than SCREENING_QUEUED_RESEND
    seconds (the message was lost)."""
    now = timezone.now()
    return RegistryImport.objects.filter(
        Q(status=RunStatus.RUNNING, lease_expires_at__lt=now)
        | Q(
            status=RunStatus.RUNNING,
            lease_expires_at__isnull=True,
            started_at__lt=now - timedelta(seconds=REGISTRY_IMPORT_TIME_LIMIT + 60),
        )
        | Q(status=RunStatus.QUEUED, queued_at__lt=now - timedelta(seconds=settings.SCREENING_QUEUED_RESEND))
    )


def registry_imports_requeue_stale() -> list[int]:
    """Sweep (settings.RELAY_SWEEPS): imports left running under an expired lease go back to
    queued, and imports queued longer than SCREENING_QUEUED_RESEND are sent again, through the
    outbox — except a queued one whose message still waits to start (it is not lost). One started
    MAX_IMPORT_ATTEMPTS times fails ("worker_lost"). Returns the ids re-sent. Safe to run
    concurrently: rows another sweep has locked are skipped."""

    def give_up(job: RegistryImport) -> None:
        log.warning("registry import %s: lost %s times, given up", job.pk, job.attempts)
        _import_fail(job, "worker_lost", f"the import stopped {job.attempts} times")

    return requeue_stale(
        registry_imports_stale(),
        status_field="status",
        queued=RunStatus.QUEUED,
        queued_at_field="queued_at",
        attempts_field="attempts",
        max_attempts=MAX_IMPORT_ATTEMPTS,
        task=REGISTRY_IMPORT_TASK,
        give_up=give_up,
    )


def registry_imports_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting on this machine (settings.RELAY_RELEASES): imports its
    earlier, now dead processes were running are queued again at once."""
    return release_dead_holders(
        RegistryImport,
        node=node,
        status_field="status",
        running=RunStatus.RUNNING,
        queued=RunStatus.QUEUED,
        queued_at_field="queued_at",
        task=REGISTRY_IMPORT_TASK,
    )
