"""Writes for the proposals app. Import from here: ``from proposals import services``."""

from .accounts import applicant_register
from .attachments import UPLOADABLE_KINDS, attachment_add, attachment_delete
from .imports import ImportReport, proposals_import, proposals_import_file, registry_names
from .proposals import (
    ALLOWED_TRANSITIONS,
    ProposalNotEditable,
    ReferenceTaken,
    TooManyDrafts,
    TransitionNotAllowed,
    proposal_create,
    proposal_data_write,
    proposal_delete,
    proposal_reopen,
    proposal_submit,
    proposal_transition,
    proposal_update,
)
from .uploads import (
    UploadNotReady,
    draft_extract,
    draft_upload_confirm,
    draft_upload_create,
    draft_upload_data,
    draft_upload_discard,
    uploads_release_worker,
    uploads_requeue_stale,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "UPLOADABLE_KINDS",
    "ImportReport",
    "ProposalNotEditable",
    "ReferenceTaken",
    "TooManyDrafts",
    "TransitionNotAllowed",
    "UploadNotReady",
    "applicant_register",
    "attachment_add",
    "attachment_delete",
    "draft_extract",
    "draft_upload_confirm",
    "draft_upload_create",
    "draft_upload_data",
    "draft_upload_discard",
    "proposal_create",
    "proposal_data_write",
    "proposal_delete",
    "proposal_reopen",
    "proposal_submit",
    "proposal_transition",
    "proposal_update",
    "proposals_import",
    "proposals_import_file",
    "registry_names",
    "uploads_release_worker",
    "uploads_requeue_stale",
]
