"""Uploaded drafts: store the file, read it in a task, turn the confirmed data into a proposal.

queued → running → done / failed (running → queued again when the worker died,
see :func:`uploads_requeue_stale`). The extraction itself is plain Python
(:mod:`proposals.extraction`); this module only moves the upload through its
states and stores what came out.
"""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from common.services import audit_record

from .. import selectors
from ..enums import AttachmentKind, UploadState
from ..extraction import ExtractionError, extract
from ..interchange import ProposalData, parse_proposal, proposal_to_dict
from ..models import Attachment, DraftUpload, Proposal
from ..validators import CONTENT_TYPES, UPLOAD_MESSAGES, upload_check_draft
from .proposals import proposal_data_write, reference_ensure_free

log = logging.getLogger(__name__)


class UploadNotReady(Exception):
    """The upload has not been read successfully, so there is nothing to confirm."""


def _enqueue_extract(upload_id: int) -> None:
    from ..tasks import draft_extract_task

    draft_extract_task.delay(upload_id)


def draft_upload_create(*, owner, file, by=None) -> DraftUpload:
    """Check an uploaded draft (size before reading, type by content), store it
    privately under a random name, and queue its extraction after commit.

    Raises validators.UploadRejected (nothing stored) for a file that is too
    large, empty or not a PDF/DOCX. Writes a ``draft.uploaded`` audit entry.
    """
    checked = upload_check_draft(file)
    with transaction.atomic():
        upload = DraftUpload(
            owner=owner,
            original_name=checked.original_name,
            size=checked.size,
            sha256=checked.sha256,
            kind=checked.kind,
            state=UploadState.QUEUED,
        )
        upload.file.save(checked.kind, ContentFile(checked.data), save=False)
        upload.save()
        audit_record(actor=by or owner, action="draft.uploaded", target=upload, data={"kind": checked.kind})
        transaction.on_commit(lambda: _enqueue_extract(upload.pk))
    return upload


def _claim(upload_id: int, *, resume: bool) -> DraftUpload | None:
    with transaction.atomic():
        upload = DraftUpload.objects.select_for_update().filter(pk=upload_id).first()
        if upload is None:
            return None
        takeover = upload.state == UploadState.RUNNING and (resume or selectors.draft_upload_stalled(upload))
        if upload.state != UploadState.QUEUED and not takeover:
            return None
        upload.state = UploadState.RUNNING
        upload.started_at = timezone.now()
        upload.attempts += 1
        upload.save(update_fields=["state", "started_at", "attempts"])
    return upload


def _finish(upload: DraftUpload, *, state: str, error: str = "", **fields) -> None:
    for name, value in fields.items():
        setattr(upload, name, value)
    upload.state = state
    upload.error = error
    upload.finished_at = timezone.now()
    upload.save(update_fields=["state", "error", "finished_at", *fields])


def draft_extract(*, upload_id: int, resume: bool = False) -> DraftUpload | None:
    """Read the stored draft and keep the extracted fields on the upload.

    Idempotent and status-guarded: only a queued upload (or one left running by
    a dead worker, or by this task's previous attempt when ``resume``) is read;
    a second delivery finds it running/done/failed and returns. Unreadable files end ``failed`` with the reason in ``error`` (a code
    of validators.UPLOAD_MESSAGES, translated when shown, or the extractor's own
    message); so do a time-out and an unexpected error (logged).
    """
    upload = _claim(upload_id, resume=resume)
    if upload is None:
        return DraftUpload.objects.filter(pk=upload_id).first()
    try:
        with upload.file.open("rb") as fh:
            data = fh.read(settings.MAX_UPLOAD_BYTES + 1)
        result = extract(data, max_bytes=settings.MAX_UPLOAD_BYTES, max_pages=settings.MAX_UPLOAD_PAGES)
    except ExtractionError as exc:
        # Known codes are stored as the code (translated when shown), others as the package's message.
        _finish(
            upload, state=UploadState.FAILED, error=exc.code if exc.code in UPLOAD_MESSAGES else exc.message
        )
    except SoftTimeLimitExceeded:
        _finish(upload, state=UploadState.FAILED, error="timeout")
    except OSError:
        log.exception("draft upload %s: stored file cannot be read", upload_id)
        _finish(upload, state=UploadState.FAILED, error="file_missing")
    except Exception:  # the extractor's bugs must end in a recorded failure, not a stuck upload
        log.exception("draft upload %s: extraction failed", upload_id)
        _finish(upload, state=UploadState.FAILED, error="internal")
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


# A file whose reading has killed this many workers is not read again.
MAX_EXTRACT_ATTEMPTS = 3


def uploads_requeue_stale() -> list[int]:
    """Uploads left running by a dead worker (selectors.draft_uploads_stale) go back to
    queued and their extraction is enqueued again after commit; one that has already
    been started MAX_EXTRACT_ATTEMPTS times ends failed with error "timeout" instead
    (a file that kills every worker must not loop). Returns the ids re-queued.

    Safe to run concurrently and repeatedly: rows another run has locked are
    skipped, and a re-queued upload is no longer running.
    """
    requeued = []
    with transaction.atomic():
        for upload in selectors.draft_uploads_stale().select_for_update(skip_locked=True):
            if upload.attempts >= MAX_EXTRACT_ATTEMPTS:
                _finish(upload, state=UploadState.FAILED, error="timeout")
                log.warning("draft upload %s: worker lost %s times, given up", upload.pk, upload.attempts)
                continue
            upload.state = UploadState.QUEUED
            upload.save(update_fields=["state"])
            requeued.append(upload.pk)
            transaction.on_commit(lambda pk=upload.pk: _enqueue_extract(pk))
    return requeued


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
