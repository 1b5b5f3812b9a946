"""Writes on proposals: saving a draft, the state machine (submit, reopen), delete.

Every public function here is one transaction, except :func:`proposal_data_write`,
which its callers wrap: the web form, the upload confirmation and the JSON import
all write through it, so a proposal has the same shape whichever way it came in.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from common.outbox import FAST_QUEUE, outbox_enqueue
from common.services import audit_record

from .. import selectors
from ..enums import AttachmentKind, PersonRole, ProposalState, UnitRole
from ..identifiers import normalize_identifier
from ..interchange import ProposalData, normalize_direction_code
from ..models import Attachment, DraftUpload, Person, Proposal, Subtask, Unit
from ..validators import FieldError, proposal_submit_errors
from .search import proposal_search_write

log = logging.getLogger(__name__)


class ProposalNotEditable(Exception):
    """The proposal is not a draft, so its data cannot be changed."""


class ReferenceTaken(ValueError):
    """Another proposal already uses this reference (编号)."""


class TooManyDrafts(Exception):
    """The account already holds settings.MAX_DRAFTS_PER_ACCOUNT drafts."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} drafts per account")
        self.limit = limit


def drafts_ensure_room(*, owner) -> None:
    """Raise TooManyDrafts when ``owner`` already holds MAX_DRAFTS_PER_ACCOUNT drafts (every one of
    them is screened at each check: the bound keeps one account's work bounded). Counted with the
    owner's row locked, so two concurrent creations cannot both take the last place."""
    from django.contrib.auth import get_user_model

    limit = settings.MAX_DRAFTS_PER_ACCOUNT
    list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
    if Proposal.objects.filter(owner=owner, state=ProposalState.DRAFT).count() >= limit:
        raise TooManyDrafts(limit)


class TransitionNotAllowed(Exception):
    def __init__(self, current: str, to: str) -> None:
        super().__init__(f"proposal state {current} → {to} is not allowed")
        self.current = current
        self.to = to


# The only state changes there are. The screening engine moves submitted →
# screening → screened; the owner may take a submitted or screened proposal back
# to draft to correct it (not while screening is running).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ProposalState.DRAFT: frozenset({ProposalState.SUBMITTED}),
    ProposalState.SUBMITTED: frozenset({ProposalState.DRAFT, ProposalState.SCREENING}),
    ProposalState.SCREENING: frozenset({ProposalState.SCREENED, ProposalState.SUBMITTED}),
    ProposalState.SCREENED: frozenset({ProposalState.DRAFT, ProposalState.SCREENING}),
}


# --- follow-ups of a submission ----------------------------------------------
#
# A submission writes one outbox row per task named in settings.ON_PROPOSAL_SUBMITTED
# (config wires the screening engine in there: proposals never import it). The
# rows commit with the state change and are published after commit, or when the job
# service is back, so a submission is never lost nor turned into an error page.


def _submitted_follow_ups(proposal: Proposal, by) -> None:
    user_id = by.pk if getattr(by, "is_authenticated", False) else None
    for task in settings.ON_PROPOSAL_SUBMITTED:
        outbox_enqueue(task=task, args=[proposal.pk, user_id], queue=FAST_QUEUE)


# --- the state machine -------------------------------------------------------


def proposal_transition(*, proposal: Proposal, to: str, by, follow_ups: bool = True) -> Proposal:
    """Move ``proposal`` to state ``to``: the one place a proposal's state changes.

    Locks the row and guards against ALLOWED_TRANSITIONS (raises TransitionNotAllowed,
    judged on the state in the database, not the caller's copy); saves with
    update_fields; writes a ``proposal.state`` audit entry; on entering
    ``submitted`` writes the follow-up outbox rows (unless ``follow_ups`` is False: a
    caller that screens the proposals itself right after). Updates and returns ``proposal``.
    """
    with transaction.atomic():
        current = Proposal.objects.select_for_update().only("state").get(pk=proposal.pk).state
        if to not in ALLOWED_TRANSITIONS.get(current, frozenset()):
            raise TransitionNotAllowed(current, to)
        proposal.state = to
        fields = ["state", "updated_at"]
        if to == ProposalState.SUBMITTED:
            proposal.submitted_at = timezone.now()
            fields.append("submitted_at")
        proposal.save(update_fields=fields)
        audit_record(actor=by, action="proposal.state", target=proposal, data={"from": current, "to": to})
        if to == ProposalState.SUBMITTED and follow_ups:
            _submitted_follow_ups(proposal, by)
    return proposal


def proposals_transition_many(*, ids: list[int], to: str, by=None) -> int:
    """The bulk form of :func:`proposal_transition` for the screening engine: moves
    every proposal among ``ids`` whose current state allows ``to`` (others are left
    alone), in one UPDATE plus one audit row per proposal. Returns how many moved."""
    from common.models import AuditEntry

    sources = [state for state, targets in ALLOWED_TRANSITIONS.items() if to in targets]
    with transaction.atomic():
        rows = list(
            Proposal.objects.select_for_update()
            .filter(pk__in=ids, state__in=sources)
            .values_list("pk", "state")
        )
        if not rows:
            return 0
        Proposal.objects.filter(pk__in=[pk for pk, _ in rows]).update(state=to, updated_at=timezone.now())
        actor = by if getattr(by, "is_authenticated", False) else None
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor=actor,
                action="proposal.state",
                target_type=Proposal._meta.label_lower,
                target_id=str(pk),
                data={"from": current, "to": to},
            )
            for pk, current in rows
        )
    return len(rows)


def proposal_submit_problems(data: ProposalData) -> list[FieldError]:
    """What stops ``data`` from being submitted (validators.proposal_submit_errors, the direction
    judged against its guide year's directions when that guide is loaded), in form order; [] when
    nothing does. Reads only: the form shows them before anything is saved, and on the stored
    draft after a refused submission."""
    return proposal_submit_errors(data, known_directions=selectors.direction_codes(year=data.guide_year))


def proposal_submit(*, proposal: Proposal, by, follow_ups: bool = True) -> list[FieldError]:
    """Check the stored draft and, when nothing is wrong, move it draft → submitted
    (``follow_ups`` as in :func:`proposal_transition`).

    Returns the problems per field (the state stays draft) or an empty list when
    submitted. Raises TransitionNotAllowed when the proposal is not a draft.
    """
    with transaction.atomic():
        stored = (
            Proposal.objects.select_for_update()
            .prefetch_related("people", "units", "subtasks", "attachments")
            .get(pk=proposal.pk)
        )
        if stored.state != ProposalState.DRAFT:
            raise TransitionNotAllowed(stored.state, ProposalState.SUBMITTED)
        errors = proposal_submit_problems(selectors.proposal_to_data(stored))
        if errors:
            return errors
        proposal_transition(proposal=proposal, to=ProposalState.SUBMITTED, by=by, follow_ups=follow_ups)
    return []


def proposal_reopen(*, proposal: Proposal, by) -> Proposal:
    """Take a submitted or screened proposal back to draft so its owner can correct it."""
    return proposal_transition(proposal=proposal, to=ProposalState.DRAFT, by=by)


# --- writing data ------------------------------------------------------------


def _new_reference() -> str:
    while True:
        reference = f"P{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"
        if not Proposal.objects.filter(reference=reference).exists():
            return reference


def _s(value) -> str:
    return value or ""


def proposal_data_write(*, proposal: Proposal, data: ProposalData) -> Proposal:
    """Write ``data`` into ``proposal`` (saved or not): scalar fields, the PI, members,
    units and subtasks (课题; each replaced as a whole, in the order given; None writes
    none), and its keyword-search document. Attachments: when
    ``data.attachments`` is a list, the declared kinds without a file are replaced
    by it (uploaded files are never touched, and a kind with an uploaded file gets
    no extra file-less row); when None they are left alone.

    The one place identifiers get their stored form, whichever way they came in:
    ID numbers (people's and subtask leads') and credit codes through ``normalize_identifier`` (no spaces,
    half-width, upper case), the direction code through ``normalize_direction_code``.

    No transaction of its own and no checks: callers hold the transaction and
    decide whether the proposal may be written.
    """
    if data.reference:
        proposal.reference = data.reference
    elif not proposal.reference:
        proposal.reference = _new_reference()
    proposal.guide_year = data.guide_year or proposal.guide_year or selectors.guide_year_default()
    proposal.direction_code = normalize_direction_code(data.direction)
    proposal.direction = selectors.direction_lookup(year=proposal.guide_year, code=proposal.direction_code)
    proposal.title = _s(data.title)
    proposal.recommender = _s(data.recommender)
    proposal.start_date = data.start_date
    proposal.end_date = data.end_date
    proposal.national_funding = data.budget.national if data.budget else None
    proposal.matching_funding = data.budget.matching if data.budget else None
    proposal.research_content = _s(data.research_content)
    proposal.indicators = _s(data.indicators)
    new = proposal._state.adding  # created here: it has no rows of its own to replace
    proposal.save()

    if not new:
        proposal.people.all().delete()
        proposal.units.all().delete()
        proposal.subtasks.all().delete()
    people = []
    if data.pi is not None:
        pi = data.pi
        people.append(
            Person(
                proposal=proposal,
                role=PersonRole.PI,
                position=0,
                name=_s(pi.name),
                gender=_s(pi.gender),
                id_number=normalize_identifier(pi.id_number),
                birth_date=pi.birth_date,
                nationality=_s(pi.nationality),
                title=_s(pi.title),
                degree=_s(pi.degree),
                employer=_s(pi.employer),
                employment=_s(pi.employment),
                employment_proofs=pi.employment_proofs,
                civil_servant=pi.civil_servant,
            )
        )
    for i, m in enumerate(data.members or []):
        people.append(
            Person(
                proposal=proposal,
                role=PersonRole.MEMBER,
                position=i,
                name=_s(m.name),
                gender=_s(m.gender),
                id_number=normalize_identifier(m.id_number),
                birth_date=m.birth_date,
                nationality=_s(m.nationality),
                employer=_s(m.unit),
                task=_s(m.role),
            )
        )
    Person.objects.bulk_create(people)
    units = Unit.objects.bulk_create(
        [
            Unit(
                proposal=proposal,
                position=i,
                name=_s(u.name),
                credit_code=normalize_identifier(u.credit_code),
                country=_s(u.country),
                type=_s(u.type),
                registered_on=u.registered_on,
                role=u.role or UnitRole.PARTICIPANT,
                third_party_testing=bool(u.third_party_testing),
                hgr_license=bool(u.hgr_license),
            )
            for i, u in enumerate(data.units or [])
        ]
    )
    Subtask.objects.bulk_create(
        [
            Subtask(
                proposal=proposal,
                position=i,
                name=_s(t.name),
                lead_unit=_s(t.lead_unit),
                lead_name=_s(t.lead_name),
                lead_id_number=normalize_identifier(t.lead_id_number),
                lead_birth_date=t.lead_birth_date,
                lead_title=_s(t.lead_title),
                lead_degree=_s(t.lead_degree),
                national_funding=t.national_funding,
            )
            for i, t in enumerate(data.subtasks or [])
        ]
    )
    proposal_search_write(proposal=proposal, people=people, units=units, new=new)
    if data.attachments is not None:
        uploaded: set[str] = set()
        if not new:
            proposal.attachments.filter(file="").delete()
            proposal.attachments.filter(file__isnull=True).delete()
            # A kind with an uploaded file is declared already: no second, file-less row.
            uploaded = set(proposal.attachments.values_list("kind", flat=True))
        Attachment.objects.bulk_create(
            [
                Attachment(proposal=proposal, kind=kind)
                for kind in data.attachments
                if kind != AttachmentKind.DRAFT and kind not in uploaded
            ]
        )
    return proposal


def reference_ensure_free(*, reference: str | None, proposal: Proposal | None) -> None:
    """Raise ReferenceTaken when another proposal than ``proposal`` uses ``reference``."""
    if not reference:
        return
    taken = Proposal.objects.filter(reference=reference)
    if proposal is not None and proposal.pk:
        taken = taken.exclude(pk=proposal.pk)
    if taken.exists():
        raise ReferenceTaken(reference)


def proposal_create(*, owner, data: ProposalData, source: str = "form", by=None) -> Proposal:
    """Create a draft from ``data``; anything may be missing (checks run at submit).

    Raises ReferenceTaken when ``data.reference`` is used by another proposal,
    TooManyDrafts when the owner holds MAX_DRAFTS_PER_ACCOUNT drafts already.
    Without a reference one is generated. Writes a ``proposal.created`` audit entry.
    """
    with transaction.atomic():
        drafts_ensure_room(owner=owner)
        reference_ensure_free(reference=data.reference, proposal=None)
        proposal = proposal_data_write(proposal=Proposal(owner=owner, source=source), data=data)
        audit_record(actor=by, action="proposal.created", target=proposal, data={"source": source})
    return proposal


def proposal_update(*, proposal: Proposal, data: ProposalData, by) -> Proposal:
    """Replace a draft's data with ``data`` (people, units and subtasks as a whole).

    Raises ProposalNotEditable when the stored proposal is not a draft and
    ReferenceTaken when the new reference belongs to another proposal.
    Writes a ``proposal.updated`` audit entry.
    """
    with transaction.atomic():
        state = Proposal.objects.select_for_update().only("state").get(pk=proposal.pk).state
        if state != ProposalState.DRAFT:
            raise ProposalNotEditable(proposal.pk)
        reference_ensure_free(reference=data.reference, proposal=proposal)
        proposal_data_write(proposal=proposal, data=data)
        audit_record(actor=by, action="proposal.updated", target=proposal)
    return proposal


def proposal_delete(*, proposal: Proposal, by) -> None:
    """Delete a draft with its people, units, subtasks, attachments and uploaded drafts; the
    stored files are removed after commit. Raises ProposalNotEditable when not a draft."""
    with transaction.atomic():
        state = Proposal.objects.select_for_update().only("state").get(pk=proposal.pk).state
        if state != ProposalState.DRAFT:
            raise ProposalNotEditable(proposal.pk)
        uploads = DraftUpload.objects.filter(proposal=proposal)
        names = {a.file.name for a in proposal.attachments.all() if a.file}
        names |= {u.file.name for u in uploads if u.file}
        audit_record(
            actor=by, action="proposal.deleted", target=proposal, data={"reference": proposal.reference}
        )
        uploads.delete()
        proposal.delete()
        transaction.on_commit(lambda: _files_delete(sorted(names)))


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete stored file %s", name)
