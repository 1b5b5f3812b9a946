"""Writes for the officers' workspace: bulk jobs (re-screen, export, mark as reviewed) over a
frozen set of proposals, done chunk by chunk under a lease, and small exports made at once.

A job is requested in one transaction (its row, an audit entry and the outbox row of its first
step). Each step claims the job (common.leases: queued, or running under an expired lease or one
held by the same task id), does ``proposal_ids[done : done + chunk]`` and, in one transaction that
checks the claim is still its own, writes the chunk's effects, moves ``done`` on and queues the
next step; a superseded step writes nothing, a second delivery finds nothing to claim. An export's
first step instead opens its chunks as parts (BulkJobPart), each a leased row worked by a task of
its own (export_part_step), so that every worker process renders one at the same time; the part that
finishes last queues the job's last step, which writes the file from the parts (its download expires
after EXPORT_TTL; the sweep deletes it).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
from collections.abc import Iterator
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from common.files import FileNotSaved, new_files
from common.leases import (
    RELEASED,
    LeasedJob,
    claimable,
    held_by_another_delivery,
    is_retry_of,
    lease_fields,
    release_dead_holders,
)
from common.models import AuditEntry
from common.outbox import outbox_awaiting_ids, outbox_enqueue
from common.services import audit_record
from proposals.enums import ProposalState
from proposals.models import Proposal

from .. import services as screening_services
from ..models import ScreeningBatch
from . import exports
from .filters import filter_text
from .models import BulkJob, BulkJobPart, JobKind, JobStatus, ProposalReview

log = logging.getLogger(__name__)

STEP_TASK = "screening.workspace_job_step"
PART_TASK = "screening.workspace_export_part"
# an export's parts are small enough that two worker processes finish them at about the same time
CHUNKS = {JobKind.RESCREEN: 500, JobKind.REVIEW: 1000, JobKind.EXPORT: 500}
MAX_PROPOSALS = 20000  # the most one job takes (the filtered set is refused beyond)
STREAM_LIMIT = 300  # exports of at most this many proposals are made at once, not as a job
EXPORT_TTL = timedelta(days=1)
MAX_ATTEMPTS = 3  # starts of one step before the job fails (its task keeps killing workers)
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
STORAGE_UNAVAILABLE = "storage_unavailable"  # BulkJob.error of an export whose file could not be stored
FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "pdf": ("application/pdf", "pdf"),
}
PDF_LIMIT = 1000  # the most proposals one PDF takes (a page or two each: past it, Excel is the file to read)
WITH_FINDINGS = {"xlsx", "pdf"}  # the formats with every finding (the CSV is the proposals sheet)


class JobTooLarge(ValueError):
    """More proposals than one job takes (MAX_PROPOSALS)."""


def job_lease_seconds() -> int:
    """A claim outlasts the step task's hard time limit."""
    return settings.SCREENING_TIME_LIMIT * 3 + 30


PARTS = LeasedJob(
    model=BulkJobPart,
    task=PART_TASK,
    status_field="status",
    queued=JobStatus.QUEUED,
    running=JobStatus.RUNNING,
    lease_seconds=job_lease_seconds,
    max_attempts=MAX_ATTEMPTS,
)
LOST = "worker lost too many times"  # BulkJob.error of a job whose step or part kept killing workers


# --- requesting ------------------------------------------------------------------------


def bulk_job_request(*, kind: str, proposal_ids: list[int], by, params: dict, label: str = "") -> BulkJob:
    """Queue a bulk job over ``proposal_ids`` (in the order given; a re-screen leaves drafts out)
    for the officer ``by``, and its first step through the outbox. The same request by the same
    person while an earlier one is unfinished returns that job (a double click makes one job).
    Writes a ``workspace.job_requested`` audit entry; a re-screen also opens its screening batch.
    Raises JobTooLarge past MAX_PROPOSALS."""
    if kind not in JobKind.values:
        raise ValueError(f"unknown job kind {kind}")
    if len(proposal_ids) > MAX_PROPOSALS:
        raise JobTooLarge(len(proposal_ids))
    key = hashlib.sha256(
        json.dumps([kind, proposal_ids, params], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    with transaction.atomic():
        existing = (
            BulkJob.objects.select_for_update()
            .filter(requested_by=by, key=key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .first()
        )
        if existing is not None:
            return existing
        if kind == JobKind.RESCREEN:
            drafts = set(
                Proposal.objects.filter(pk__in=proposal_ids, state=ProposalState.DRAFT).values_list(
                    "pk", flat=True
                )
            )
            proposal_ids = [pk for pk in proposal_ids if pk not in drafts]
        job = BulkJob.objects.create(
            kind=kind,
            requested_by=by,
            params=params,
            key=key,
            proposal_ids=proposal_ids,
            total=len(proposal_ids),
        )
        if kind == JobKind.RESCREEN:
            job.batch = ScreeningBatch.objects.create(created_by=by, label=label or f"workspace job {job.pk}")
            job.save(update_fields=["batch"])
        audit_record(
            actor=by,
            action="workspace.job_requested",
            target=job,
            data={"kind": kind, "proposals": job.total, **{k: v for k, v in params.items() if k != "note"}},
        )
        outbox_enqueue(task=STEP_TASK, args=[job.pk])
    return job


# --- executing ----------------------------------------------------------------------------


def bulk_job_step(*, job_id: int, task_id: str | None = None, retries: int = 0) -> BulkJob | None:
    """Do the next step of a job: the next chunk, or (an export whose chunks are all done) its
    file. Idempotent: a step whose claim was taken over writes nothing, a duplicate delivery
    claims nothing. A transient database error drops the connection and re-raises (the task's
    retry takes the job over); a time-out or any other error fails the job with it recorded."""
    job = _claim(job_id, task_id=task_id, retries=retries)
    if job is None:
        return BulkJob.objects.filter(pk=job_id).first()
    try:
        if job.kind == JobKind.EXPORT and job.done >= job.total:
            _export_finish(job)
        elif job.kind == JobKind.EXPORT:
            _export_parts(job)
        else:
            _chunk(job)
    except TRANSIENT_DB_ERRORS:
        connection.close()
        raise
    except SoftTimeLimitExceeded:
        log.warning("workspace job %s timed out", job.pk)
        _fail(job, error="timeout")
    except FileNotSaved:  # the media storage is full or read-only: a clear failure, requested anew later
        log.warning("workspace job %s: its file could not be stored", job.pk)
        _fail(job, error=STORAGE_UNAVAILABLE)
    except Exception as exc:  # a bug ends in a recorded failure, not a stuck job
        log.exception("workspace job %s failed", job.pk)
        _fail(job, error=f"{type(exc).__name__}: {exc}")
    job.refresh_from_db()
    return job


def _claim(job_id: int, *, task_id: str | None, retries: int = 0) -> BulkJob | None:
    lease = lease_fields(task_id=task_id, seconds=job_lease_seconds(), retries=retries)
    with transaction.atomic():
        job = (
            BulkJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id)
            .filter(
                claimable(field="status", queued=JobStatus.QUEUED, running=JobStatus.RUNNING, task_id=task_id)
            )
            .first()
        )
        if job is None:
            return None
        retry = job.status == JobStatus.RUNNING and is_retry_of(
            job.lease_task, task_id=task_id, retries=retries
        )
        if job.status == JobStatus.RUNNING and held_by_another_delivery(
            lease_task=job.lease_task, lease_owner=job.lease_owner, task_id=task_id, retries=retries
        ):
            return None  # a duplicate delivery while this node's other process runs the step
        if not retry and job.attempts >= MAX_ATTEMPTS:
            _finish_failed(job, error=LOST)
            return None
        for name, value in lease.items():
            setattr(job, name, value)
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.attempts += 0 if retry else 1  # a retry after a transient error continues its attempt
        job.save(update_fields=["status", "started_at", "attempts", *lease])
    return job


def _locked(job: BulkJob) -> BulkJob | None:
    """The job row locked, while ``job``'s claim is still the current one (else None)."""
    return (
        BulkJob.objects.select_for_update()
        .filter(pk=job.pk, status=JobStatus.RUNNING, lease_token=job.lease_token)
        .first()
    )


def _advance(locked: BulkJob, *, done: int, **fields) -> None:
    """Move the job on by a chunk: the next step queued (through the outbox), or the job done."""
    locked.done = done
    finished = done >= locked.total and locked.kind != JobKind.EXPORT
    locked.status = JobStatus.DONE if finished else JobStatus.QUEUED
    locked.attempts = 0
    locked.queued_at = timezone.now()
    if finished:
        locked.finished_at = timezone.now()
    for name, value in {**RELEASED, **fields}.items():
        setattr(locked, name, value)
    locked.save()
    if not finished:
        outbox_enqueue(task=STEP_TASK, args=[locked.pk])


def _chunk(job: BulkJob) -> None:
    size = CHUNKS[job.kind]
    ids = job.proposal_ids[job.done : job.done + size]
    with transaction.atomic():
        locked = _locked(job)
        if locked is None:
            return  # taken over: the chunk's effects are left to the new claim
        if job.kind == JobKind.REVIEW:
            _review(ids, job=locked)
        else:
            _rescreen(ids, job=locked)
        _advance(locked, done=min(job.done + len(ids), job.total))


def _export_parts(job: BulkJob) -> None:
    """An export's first step: its chunks opened as parts (any left from an earlier claim are
    replaced), each with the outbox row of its task; the job stays running without a lease while
    they run (its sweep leaves it to theirs), and the part that finishes last queues the next step."""
    size = CHUNKS[JobKind.EXPORT]
    with transaction.atomic():
        locked = _locked(job)
        if locked is None:
            return  # taken over
        BulkJobPart.objects.filter(job=locked).delete()
        parts = BulkJobPart.objects.bulk_create(
            BulkJobPart(job=locked, number=n) for n in range((locked.total + size - 1) // size)
        )
        for part in parts:
            outbox_enqueue(task=PART_TASK, args=[part.pk])
        locked.attempts = 0
        for name, value in RELEASED.items():
            setattr(locked, name, value)
        locked.save(update_fields=["attempts", *RELEASED])


def export_part_step(*, part_id: int, task_id: str | None = None, retries: int = 0) -> None:
    """Render one part of an export (PART_TASK): claim it (common.leases.LeasedJob: a duplicate
    delivery claims nothing, a redelivery or retry takes over), read and render its chunk outside
    any transaction, then store it and move the job on in one transaction that checks the claim is
    still this one. The last part to finish queues the job's last step (the file). A transient
    database error re-raises (the task retries within its attempt); a time-out or any other error
    fails the job with it recorded."""
    part = PARTS.claim(part_id, task_id=task_id, retries=retries, give_up=_part_given_up)
    if part is None:
        _fail_given_up(BulkJobPart.objects.filter(pk=part_id))
        return
    job = BulkJob.objects.filter(pk=part.job_id).only("proposal_ids", "params", "total").first()
    if job is None:
        return
    size = CHUNKS[JobKind.EXPORT]
    ids = job.proposal_ids[part.number * size : (part.number + 1) * size]
    fmt = job.params.get("format", "xlsx")
    try:
        chunk = exports.chunk_rows(
            ids,
            lang=job.params.get("lang", "zh"),
            full_ids=bool(job.params.get("full_ids")),
            findings=fmt in WITH_FINDINGS,
        )
        proposals_text, findings_text = exports.render_part(chunk, fmt)
        with transaction.atomic():
            # the job first, then the part (the order every writer of both takes)
            running = BulkJob.objects.select_for_update().filter(pk=job.pk, status=JobStatus.RUNNING).first()
            locked = PARTS.locked_current(part) if running else None
            if locked is None:
                return  # taken over, or the job has failed: nothing stored
            PARTS.store(
                locked,
                status=JobStatus.DONE,
                summary=chunk.summary,
                proposals=exports.pack(proposals_text),
                findings=exports.pack(findings_text),
            )
            running.done = min(running.done + len(ids), running.total)
            if not BulkJobPart.objects.filter(job=running).exclude(status=JobStatus.DONE).exists():
                running.status = JobStatus.QUEUED
                running.queued_at = timezone.now()
                outbox_enqueue(task=STEP_TASK, args=[running.pk])
            running.save(update_fields=["done", "status", "queued_at"])
    except TRANSIENT_DB_ERRORS:
        connection.close()
        raise
    except SoftTimeLimitExceeded:
        log.warning("workspace job %s: part %s timed out", job.pk, part.number)
        _fail_running(job.pk, error="timeout")
    except Exception as exc:  # a bug ends in a recorded failure, not a stuck job
        log.exception("workspace job %s: part %s failed", job.pk, part.number)
        _fail_running(job.pk, error=f"{type(exc).__name__}: {exc}")


def _part_given_up(part: BulkJobPart) -> None:
    """A part started MAX_ATTEMPTS times (its task keeps killing workers): marked failed, in the
    claim's or the sweep's transaction; its job is failed after it (_fail_given_up)."""
    BulkJobPart.objects.filter(pk=part.pk).update(status=JobStatus.FAILED, **RELEASED)


def _fail_given_up(parts) -> None:
    """Fail the jobs of those of ``parts`` (a queryset) that were given up (_part_given_up)."""
    for job_id in set(parts.filter(status=JobStatus.FAILED).values_list("job_id", flat=True)):
        _fail_running(job_id, error=LOST)


def _fail_running(job_id: int, *, error: str) -> None:
    """Fail a job whose parts are under way (it holds no lease of its own then)."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().filter(pk=job_id, status=JobStatus.RUNNING).first()
        if job is not None:
            _finish_failed(job, error=error)


def _review(ids: list[int], *, job: BulkJob) -> None:
    """Mark the proposals reviewed by the job's requester with its note (the latest mark replaces
    an earlier one), one ``proposal.reviewed`` audit entry each."""
    now = timezone.now()
    note = job.params.get("note", "")
    ids = list(Proposal.objects.filter(pk__in=ids).values_list("pk", flat=True))
    marked = set(ProposalReview.objects.filter(proposal_id__in=ids).values_list("proposal_id", flat=True))
    ProposalReview.objects.filter(proposal_id__in=marked).update(
        reviewed_by=job.requested_by, reviewed_at=now, note=note, job=job
    )
    ProposalReview.objects.bulk_create(
        [
            ProposalReview(proposal_id=pk, reviewed_by=job.requested_by, reviewed_at=now, note=note, job=job)
            for pk in ids
            if pk not in marked
        ]
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=job.requested_by,
            action="proposal.reviewed",
            target_type=Proposal._meta.label_lower,
            target_id=str(pk),
            data={"note": note, "job": job.pk},
        )
        for pk in ids
    )


def _rescreen(ids: list[int], *, job: BulkJob) -> None:
    """Queue a run for each handed-in proposal of the chunk under the job's screening batch."""
    proposals = list(Proposal.objects.filter(pk__in=ids).exclude(state=ProposalState.DRAFT))
    if proposals:
        screening_services.screening_batch_create(
            proposals=proposals,
            by=job.requested_by,
            batch=job.batch,
            label=job.batch.label if job.batch else "",
        )


def _export_finish(job: BulkJob) -> None:
    """Write the export's file from its parts, attach it (expiring after EXPORT_TTL), delete the
    parts. The file is rendered into a temporary file first; it is stored under the job's lock,
    only while the claim is still this step's (common.files: removed again if the transaction
    fails). Raises common.files.FileNotSaved when the media storage cannot take it."""
    parts = BulkJobPart.objects.filter(job=job).order_by("number")
    summaries = list(parts.values_list("summary", flat=True))
    summary = exports.summary_merge(summaries)
    lang = job.params.get("lang", "zh")
    fmt = job.params.get("format", "xlsx")
    meta = exports.Meta(
        lang=lang,
        exported_at=timezone.now(),
        by=job.requested_by.get_username() if job.requested_by else "",
        query=job.params.get("query", ""),
        full_ids=bool(job.params.get("full_ids")),
    )
    stamp = exports.stamp_lines(
        summary, meta, guides=exports.guides_now(summary["years"]), filters=filter_text(meta.query, lang=lang)
    )

    def texts(column: str) -> Iterator[str | bytes]:  # one part's text at a time (UTF-8 but for a CSV)
        for packed in parts.values_list(column, flat=True).iterator(chunk_size=1):
            yield exports.unpack(packed, decode=fmt == "csv")

    with tempfile.TemporaryFile() as out:
        exports.write_file(
            out,
            fmt,
            exports.Parts(summaries, texts),
            stamp=stamp,
            summary=summary,
            lang=lang,
            exported_at=meta.exported_at,
        )
        size = out.tell()
        with new_files() as files, transaction.atomic():
            locked = _locked(job)
            if locked is None:
                return  # taken over: nothing stored
            now = timezone.now()
            files.save(locked.result, "export", File(out))
            locked.result_name = f"workspace-export-{job.pk}.{FORMATS[fmt][1]}"
            locked.result_size = size
            locked.summary = {k: v for k, v in summary.items() if k != "hashes"}
            locked.status = JobStatus.DONE
            locked.finished_at = now
            locked.expires_at = now + EXPORT_TTL
            locked.attempts = 0
            for field_name, value in RELEASED.items():
                setattr(locked, field_name, value)
            locked.save()
            BulkJobPart.objects.filter(job=locked).delete()
            audit_record(
                actor=locked.requested_by,
                action="workspace.exported",
                target=locked,
                data={
                    "format": fmt,
                    "proposals": summary["proposals"],
                    "query": meta.query,
                    "job": locked.pk,
                },
            )


def _fail(job: BulkJob, *, error: str) -> None:
    with transaction.atomic():
        locked = _locked(job)
        if locked is not None:
            _finish_failed(locked, error=error)


def _finish_failed(job: BulkJob, *, error: str) -> None:
    job.status = JobStatus.FAILED
    job.error = error[:2000]
    job.finished_at = timezone.now()
    for name, value in RELEASED.items():
        setattr(job, name, value)
    job.save()
    BulkJobPart.objects.filter(job=job).delete()


# --- sweeps ------------------------------------------------------------------------------


def bulk_jobs_sweep(*, queued_for: timedelta | None = None) -> dict[str, list[int]]:
    """Run by the relay every SWEEP_INTERVAL seconds (settings.RELAY_SWEEPS) and by beat: steps
    left running under an expired lease go back to queued and are sent again, steps queued longer
    than ``queued_for`` (SCREENING_QUEUED_RESEND seconds: the message was lost) are sent again, and
    the files of exports past their expiry are deleted (the download then says so); export parts
    the same (a part started MAX_ATTEMPTS times fails its job). Returns the ids re-sent (jobs,
    parts) and expired."""
    now = timezone.now()
    cutoff = now - (queued_for or timedelta(seconds=settings.SCREENING_QUEUED_RESEND))
    awaiting = outbox_awaiting_ids(STEP_TASK)  # queued with their message still waiting: not lost
    with transaction.atomic():
        lost = list(
            BulkJob.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
                | (Q(status=JobStatus.QUEUED, queued_at__lt=cutoff) & ~Q(pk__in=awaiting))
            )
            .values_list("pk", flat=True)
        )
        BulkJob.objects.filter(pk__in=lost).update(status=JobStatus.QUEUED, queued_at=now, **RELEASED)
        for pk in lost:
            outbox_enqueue(task=STEP_TASK, args=[pk])
    parts = PARTS.requeue_stale(
        BulkJobPart.objects.filter(
            Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
            | Q(status=JobStatus.QUEUED, queued_at__lt=cutoff)
        ),
        give_up=_part_given_up,
    )
    _fail_given_up(BulkJobPart.objects.all())
    return {"resent": lost, "parts": parts, "expired": exports_expire(now=now)}


def exports_expire(*, now=None) -> list[int]:
    """Delete the files of finished exports past their expiry; returns the jobs' ids. Idempotent."""
    now = now or timezone.now()
    expired = []
    with transaction.atomic():
        for job in BulkJob.objects.select_for_update(skip_locked=True).filter(
            expired=False, expires_at__lt=now
        ):
            name = job.result.name
            BulkJob.objects.filter(pk=job.pk).update(expired=True, result="")
            if name:
                transaction.on_commit(lambda name=name: _delete_file(name))
            expired.append(job.pk)
    return expired


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        log.warning("could not delete expired export %s", name)


def bulk_jobs_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting: the steps its dead processes held are sent again at once."""
    return release_dead_holders(
        BulkJob,
        node=node,
        status_field="status",
        running=JobStatus.RUNNING,
        queued=JobStatus.QUEUED,
        queued_at_field="queued_at",
        task=STEP_TASK,
    )


def export_parts_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting: the export parts its dead processes held are sent again."""
    return PARTS.release_worker(node=node)


# --- small exports, at once ------------------------------------------------------------


def export_now(
    *,
    proposal_ids: list[int],
    fmt: str,
    lang: str,
    full_ids: bool,
    by,
    query: str,
    redact: bool = False,
    title: str = "",
    audit_action: str = "workspace.exported",
    audit_target=None,
):
    """An export of at most STREAM_LIMIT proposals made in the request: (file name, content type,
    the file's bytes as one object or an iterator of CSV lines). ``redact``: cross-proposal findings
    as an applicant sees them (report.redacted). Writes a ``workspace.exported`` audit entry
    (exports carry ID numbers), or ``audit_action`` on ``audit_target`` (one proposal's report)."""
    size = CHUNKS[JobKind.EXPORT]
    chunks = [
        exports.chunk_rows(
            proposal_ids[k : k + size],
            lang=lang,
            full_ids=full_ids,
            findings=fmt in WITH_FINDINGS,
            redact=redact,
        )
        for k in range(0, len(proposal_ids), size)
    ]
    summary = exports.summary_merge(c.summary for c in chunks)
    meta = exports.Meta(
        lang=lang, exported_at=timezone.now(), by=by.get_username(), query=query, full_ids=full_ids
    )
    stamp = exports.stamp_lines(
        summary, meta, guides=exports.guides_now(summary["years"]), filters=filter_text(query, lang=lang)
    )
    audit_record(
        actor=by,
        action=audit_action,
        target=audit_target,
        data={"format": fmt, "proposals": summary["proposals"], "query": query, "job": None},
    )
    content_type, extension = FORMATS[fmt]
    name = f"workspace-export.{extension}"
    rendered = [exports.render_part(c, fmt) for c in chunks]  # the parts as a job's tasks render them
    parts = exports.Parts(
        [c.summary for c in chunks], lambda column: (p if column == "proposals" else f for p, f in rendered)
    )
    if fmt == "csv":
        return name, content_type, exports.csv_lines(stamp=stamp, blocks=parts.texts("proposals"), lang=lang)
    out = io.BytesIO()
    exports.write_file(
        out, fmt, parts, stamp=stamp, summary=summary, lang=lang, title=title, exported_at=meta.exported_at
    )
    return name, content_type, out.getvalue()


def export_download_record(*, job: BulkJob, by) -> None:
    """The requester downloads an export's file: in the audit trail (it carries ID numbers)."""
    audit_record(actor=by, action="workspace.export_downloaded", target=job, data={"job": job.pk})
