"""Attachments (recommendation letter, employment proof, cooperation agreement)."""

from __future__ import annotations

from django.db import transaction

from common.files import new_files
from common.services import audit_record

from ..enums import AttachmentKind, ProposalState
from ..models import Attachment, Proposal
from ..validators import upload_check_attachment
from .proposals import ProposalNotEditable, _files_delete

UPLOADABLE_KINDS = (
    AttachmentKind.RECOMMENDATION_LETTER,
    AttachmentKind.EMPLOYMENT_PROOF,
    AttachmentKind.COOPERATION_AGREEMENT,
)


def attachment_add(*, proposal: Proposal, kind: str, file, by) -> Attachment:
    """Check and store an attachment of a draft: size limit before reading, PDF /
    DOCX / PNG / JPEG by content; records size, sha256 and content type; the file
    gets a random private name. A file-less declaration of the same kind (from
    an import) is replaced.

    Raises validators.UploadRejected (nothing stored), ProposalNotEditable when
    the proposal is not a draft, ValueError for a kind that cannot be uploaded,
    common.files.FileNotSaved (no file, no row) when the media storage cannot take it.
    """
    if kind not in UPLOADABLE_KINDS:
        raise ValueError(f"attachment kind {kind!r} cannot be uploaded")
    checked = upload_check_attachment(file)
    with new_files() as files, transaction.atomic():
        state = Proposal.objects.select_for_update().only("state").get(pk=proposal.pk).state
        if state != ProposalState.DRAFT:
            raise ProposalNotEditable(proposal.pk)
        proposal.attachments.filter(kind=kind, file="").delete()
        proposal.attachments.filter(kind=kind, file__isnull=True).delete()
        attachment = Attachment(
            proposal=proposal,
            kind=kind,
            original_name=checked.original_name,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
        )
        files.save(attachment.file, checked.kind, checked.data)
        attachment.save()
        Proposal.objects.filter(pk=proposal.pk).update(updated_at=attachment.uploaded_at)
        audit_record(
            actor=by,
            action="attachment.added",
            target=proposal,
            data={"attachment": attachment.pk, "kind": kind},
        )
    return attachment


def attachment_delete(*, attachment: Attachment, by) -> None:
    """Delete an attachment of a draft (the stored file goes after commit).
    The uploaded draft itself cannot be deleted this way. Raises ProposalNotEditable."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=attachment.proposal_id)
        if proposal.state != ProposalState.DRAFT or attachment.kind == AttachmentKind.DRAFT:
            raise ProposalNotEditable(proposal.pk)
        name = attachment.file.name if attachment.file else ""
        audit_record(
            actor=by,
            action="attachment.deleted",
            target=proposal,
            data={"attachment": attachment.pk, "kind": attachment.kind},
        )
        attachment.delete()
        if name:
            transaction.on_commit(lambda: _files_delete([name]))
