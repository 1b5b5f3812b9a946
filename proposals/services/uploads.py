"""Uploaded drafts: store the file, read it in a task, turn the confirmed data into a proposal.

queued → running → done / failed. The extraction task is published through the
outbox; a claim is a lease (common.leases), taken over at once by a redelivery of
the same task and by anyone once it expires (see :func:`uploads_requeue_stale`). The extraction itself is plain Python
(:mod:`proposals.extraction`); this module only moves the upload through its
states and stores what came out.
"""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.files import new_files
from common.leases import LeasedJob
from common.outbox import outbox_enqueue
from common.services import audit_record

from .. import selectors
from ..enums import AttachmentKind, UploadState
from ..extraction import ExtractionError
from ..extraction.sandbox import extract_bounded
from ..interchange import ProposalData, parse_proposal, proposal_to_dict
from ..models import Attachment, DraftUpload, Proposal
from ..validators import CONTENT_TYPES, UPLOAD_MESSAGES, upload_check_draft
from .proposals import drafts_ensure_room, proposal_data_write, reference_ensure_free

log = logging.getLogger(__name__)

# A file whose reading has killed this many workers is not read again.
MAX_EXTRACT_ATTEMPTS = 3


class UploadNotReady(Exception):
    """The upload has not been read successfully, so there is nothing to confirm."""


EXTRACT_TASK = "proposals.draft_extract"

JOB = LeasedJob(
    model=DraftUpload,
    task=EXTRACT_TASK,
    status_field="state",
    queued=UploadState.QUEUED,
    running=UploadState.RUNNING,
    lease_seconds=lambda: selectors.extraction_hard_time_limit() + 30,
    max_attempts=MAX_EXTRACT_ATTEMPTS,
)


def draft_upload_create(*, owner, file, by=None) -> DraftUpload:
    """Check an uploaded draft (size before reading, type by content), store it
    privately under a random name, and queue its extraction after commit.

    Raises validators.UploadRejected (nothing stored) for a file that is too
    large, empty or not a PDF/DOCX, and common.files.FileNotSaved (no file, no row)
    when the media storage cannot take it. Writes a ``draft.uploaded`` audit entry.
    """
    checked = upload_check_draft(file)
    with new_files() as files, transaction.atomic():
        upload = DraftUpload(
            owner=owner,
            original_name=checked.original_name,
            size=checked.size,
            sha256=checked.sha256,
            kind=checked.kind,
            state=UploadState.QUEUED,
        )
        files.save(upload.file, checked.kind, checked.data)
        upload.save()
        audit_record(actor=by or owner, action="draft.uploaded", target=upload, data={"kind": checked.kind})
        outbox_enqueue(task=EXTRACT_TASK, args=[upload.pk])
    return upload


def _give_up(upload: DraftUpload) -> None:
    """Reading this file has killed MAX_EXTRACT_ATTEMPTS workers: it fails with "timeout"."""
    log.warning("draft upload %s: worker lost %s times, given up", upload.pk, upload.attempts)
    _finish(upload, state=UploadState.FAILED, error="timeout")


def _finish(upload: DraftUpload, *, state: str, error: str = "", **fields) -> bool:
    """Store the outcome, only while ``upload``'s claim is still the current one (an
    execution that was taken over writes nothing). Returns whether it was stored."""
    return JOB.store(upload, **fields, state=state, error=error, finished_at=timezone.now())


def draft_extract(*, upload_id: int, task_id: str | None = None, retries: int = 0) -> DraftUpload | None:
    """Read the stored draft and keep the extracted fields on the upload.

    Idempotent and status-guarded: only a queued upload (or one whose lease expired,
    or is held by this same task id: a redelivery or retry) is read; a second
    delivery finds it running under a live lease, done or failed and returns.

    The file is read in a child process under a memory limit (EXTRACTION_MEMORY_BYTES)
    and a hard timeout (EXTRACTION_TIME_LIMIT), so a hostile file cannot exhaust the
    worker. Unreadable files end ``failed`` with the reason in ``error`` (a code of
    validators.UPLOAD_MESSAGES, translated when shown, or the extractor's own
    message); so do a time-out, a memory bomb and a bug of the reader.
    """
    upload = JOB.claim(upload_id, task_id=task_id, retries=retries, give_up=_give_up)
    if upload is None:
        return DraftUpload.objects.filter(pk=upload_id).first()
    try:
        with upload.file.open("rb") as fh:
            data = fh.read(settings.MAX_UPLOAD_BYTES + 1)
        result = extract_bounded(
            data,
            max_bytes=settings.MAX_UPLOAD_BYTES,
            max_pages=settings.MAX_UPLOAD_PAGES,
            memory_bytes=settings.EXTRACTION_MEMORY_BYTES,
            timeout=settings.EXTRACTION_TIME_LIMIT,
        )
    except ExtractionError as exc:
        # Known codes are stored as the code (translated when shown), others as the package's message;
        # the reader's own bugs come back from its child process as "internal".
        _finish(
            upload, state=UploadState.FAILED, error=exc.code if exc.code in UPLOAD_MESSAGES else exc.message
        )
    except SoftTimeLimitExceeded:
        _finish(upload, state=UploadState.FAILED, error="timeout")
    except OSError:
        log.exception("draft upload %s: stored file cannot be read", upload_id)
        _finish(upload, state=UploadState.FAILED, error="file_missing")
    else:
        _finish(
            upload,
            state=UploadState.DONE,
            extracted=proposal_to_dict(result.proposal),
            found=dict(result.found),
            warnings=[
                {"path": w.path, "code": w.code, "message": w.message, "page": w.page}
                for w in result.warnings
            ],
        )
    return upload


def uploads_requeue_stale() -> list[int]:
    """Sweep: uploads left running under an expired lease (their worker died and the
    message was not redelivered) go back to queued, and uploads queued longer than
    UPLOAD_QUEUED_RESEND seconds (their message was lost) are sent again, through
    the outbox. One already started MAX_EXTRACT_ATTEMPTS times fails with "timeout"
    (a file that kills every worker must not loop). Returns the ids re-sent.

    Safe to run concurrently and repeatedly: rows another sweep has locked are
    skipped, and a re-queued upload is no longer running.
    """

    return JOB.requeue_stale(selectors.draft_uploads_stale(), give_up=_give_up)


def uploads_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting on this machine: uploads its earlier, now dead
    processes were reading are queued again at once."""
    return JOB.release_worker(node=node)


def draft_upload_data(upload: DraftUpload) -> ProposalData:
    """The extracted proposal of a done upload, as interchange data."""
    data, _issues = parse_proposal(upload.extracted or {})
    return data


def draft_upload_confirm(*, upload: DraftUpload, data: ProposalData, by) -> Proposal:
    """Create the applicant's draft proposal (source "upload") from the confirmed and
    corrected ``data``, with the uploaded file attached as its draft.

    Idempotent: an upload already confirmed returns its proposal unchanged (a
    double-clicked button does not create two). Raises UploadNotReady when the
    upload was not read successfully, ReferenceTaken for a used reference.
    """
    with transaction.atomic():
        upload = (
            DraftUpload.objects.select_for_update(of=("self",)).select_related("proposal").get(pk=upload.pk)
        )
        if upload.proposal is not None:
            return upload.proposal
        if upload.state != UploadState.DONE:
            raise UploadNotReady(upload.pk)
        drafts_ensure_room(owner=upload.owner)
        reference_ensure_free(reference=data.reference, proposal=None)
        proposal = proposal_data_write(proposal=Proposal(owner=upload.owner, source="upload"), data=data)
        Attachment.objects.create(
            proposal=proposal,
            kind=AttachmentKind.DRAFT,
            file=upload.file.name,
            original_name=upload.original_name,
            size=upload.size,
            sha256=upload.sha256,
            content_type=CONTENT_TYPES.get(upload.kind, "application/octet-stream"),
        )
        upload.proposal = proposal
        upload.save(update_fields=["proposal"])
        audit_record(
            actor=by,
            action="proposal.created",
            target=proposal,
            data={"source": "upload", "upload": upload.pk},
        )
    return proposal


def draft_upload_discard(*, upload: DraftUpload, by) -> bool:
    """Throw away an upload that was never confirmed: delete its row (with an audit
    entry) and, after commit, its stored file. Returns False and changes nothing when
    the upload was already confirmed (its file is then the proposal's draft attachment).
    Idempotent: an upload already discarded (row gone) returns False too. A worker still
    reading it finds its row gone and writes nothing."""
    with transaction.atomic():
        upload = DraftUpload.objects.select_for_update(of=("self",)).filter(pk=upload.pk).first()
        if upload is None or upload.proposal_id is not None:
            return False
        name, storage = upload.file.name, upload.file.storage
        audit_record(
            actor=by,
            action="upload.discarded",
            target=upload,
            data={"name": upload.original_name, "state": upload.state, "sha256": upload.sha256},
        )
        upload.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
    return True
