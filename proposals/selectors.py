"""Reads for the proposals app: who may see what, and the querysets each page needs
(fetched in a constant number of queries)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language, pgettext

from common.roles import is_admin, is_officer
from guide.models import Direction, Guide
from guide.selectors import KeptPerGuide

from .enums import AttachmentKind, PersonRole, ProposalState, UploadState
from .identifiers import gender_from_id
from .interchange import (
    ATTACHMENT_KINDS,
    Budget,
    PersonData,
    ProposalData,
    SubtaskData,
    UnitData,
    country_name_en,
    country_name_zh,
)
from .models import Attachment, DraftUpload, Person, Proposal, Subtask, Unit

# States from which the owner may take a proposal back to draft: submitted (nothing
# has started yet) and screened (to correct it after reading the report). Not while
# a screening run is in progress.
REOPENABLE_STATES = (ProposalState.SUBMITTED, ProposalState.SCREENED)


# --- who may do what ---------------------------------------------------------


def proposals_visible_to(*, user) -> QuerySet[Proposal]:
    """Officers and admins see every proposal; an applicant only their own."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    if is_officer(user):
        return Proposal.objects.all()
    return Proposal.objects.filter(owner=user)


def proposal_get_for_user(*, user, pk: int) -> Proposal:
    """The proposal with its people, units, subtasks and attachments, or Http404 when it
    does not exist or ``user`` may not see it (the two are indistinguishable)."""
    qs = (
        proposals_visible_to(user=user)
        .select_related("owner", "direction")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.order_by("role", "position", "id")),
            Prefetch("units", queryset=Unit.objects.order_by("position", "id")),
            Prefetch("subtasks", queryset=Subtask.objects.order_by("position", "id")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "id")),
        )
    )
    return get_object_or_404(qs, pk=pk)


def proposal_can_change(*, user, proposal: Proposal) -> bool:
    """Whether ``user`` may change the proposal's data (the owner or an admin).
    Officers read but never change an applicant's data."""
    return user.is_authenticated and (proposal.owner_id == user.pk or is_admin(user))


def proposal_can_edit(*, user, proposal: Proposal) -> bool:
    """Editing (the form, attachments, delete, submit) needs change rights and a draft."""
    return proposal.state == ProposalState.DRAFT and proposal_can_change(user=user, proposal=proposal)


def proposal_can_reopen(*, user, proposal: Proposal) -> bool:
    return proposal.state in REOPENABLE_STATES and proposal_can_change(user=user, proposal=proposal)


def attachment_get_for_user(*, user, proposal_pk: int, pk: int) -> Attachment:
    """An attachment of a proposal ``user`` may see, or Http404."""
    qs = Attachment.objects.select_related("proposal").filter(
        proposal__in=proposals_visible_to(user=user), proposal_id=proposal_pk
    )
    return get_object_or_404(qs, pk=pk)


def draft_upload_get_for_user(*, user, pk: int) -> DraftUpload:
    """An uploaded draft: only its owner (and admins) may see it; anyone else gets Http404."""
    if not user.is_authenticated:
        raise Http404
    qs = DraftUpload.objects.all() if is_admin(user) else DraftUpload.objects.filter(owner=user)
    return get_object_or_404(qs.select_related("proposal"), pk=pk)


def draft_upload_stalled(upload: DraftUpload) -> bool:
    """True for an upload still queued long after it was uploaded, or running long
    after a worker claimed it (``started_at``; ``created_at`` for rows claimed before
    that was recorded), well past the task's hard limit: its worker died (a
    redelivered or re-queued task may take it over; the page says so)."""
    if upload.state not in (UploadState.QUEUED, UploadState.RUNNING):
        return False
    since = upload.created_at
    if upload.state == UploadState.RUNNING and upload.started_at is not None:
        since = upload.started_at
    return since < timezone.now() - timedelta(seconds=2 * settings.EXTRACTION_TIME_LIMIT + 60)


def extraction_hard_time_limit() -> int:
    """Seconds after which Celery kills an extraction task: the reading child's own
    limit is ``EXTRACTION_TIME_LIMIT``, the task's soft limit 15 s and its hard limit
    30 s later (time to record the outcome)."""
    return settings.EXTRACTION_TIME_LIMIT + 30


def draft_uploads_stale() -> QuerySet[DraftUpload]:
    """Uploads whose reading was lost: running under an expired lease (rows claimed
    before leases existed: claimed longer ago than the hard limit plus a minute), or
    queued for longer than UPLOAD_QUEUED_RESEND seconds (the message was lost)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=extraction_hard_time_limit() + 60)
    return DraftUpload.objects.filter(
        Q(state=UploadState.RUNNING, lease_expires_at__lt=now)
        | Q(state=UploadState.RUNNING, lease_expires_at__isnull=True, started_at__lt=cutoff)
        | Q(state=UploadState.QUEUED, queued_at__lt=now - timedelta(seconds=settings.UPLOAD_QUEUED_RESEND))
    )


# --- lists -------------------------------------------------------------------


def proposal_list(*, user) -> QuerySet[Proposal]:
    """The proposals ``user`` may see, with what the list page shows (owner, direction,
    the PI's name) in a constant number of queries."""
    return with_screened_overall(
        proposals_visible_to(user=user)
        .select_related("owner", "direction")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.filter(role=PersonRole.PI), to_attr="pi_list")
        )
        .order_by("-updated_at", "-id")
    )


def with_screened_overall(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate ``screened_overall``: the overall result (pass/fail/warn/unknown) of each
    proposal's latest finished screening run, "" without one. One subquery, no extra query.
    Goes through the reverse relation ``screening_runs`` by name, so proposals never
    imports screening; without that app installed the annotation is always ""."""
    if "screening_runs" not in {f.name for f in Proposal._meta.get_fields()}:
        return queryset.annotate(screened_overall=Value(""))
    latest = (
        Proposal.objects.filter(pk=OuterRef("pk"), screening_runs__status="done")
        .order_by("-screening_runs__queued_at", "-screening_runs__id")
        .values("screening_runs__overall")[:1]
    )
    return queryset.annotate(screened_overall=Coalesce(Subquery(latest), Value("")))


def proposal_years(*, queryset: QuerySet[Proposal]) -> list[int]:
    return list(queryset.order_by("-guide_year").values_list("guide_year", flat=True).distinct())


def draft_uploads_pending(*, user) -> QuerySet[DraftUpload]:
    """The user's uploads still being read or waiting for confirmation (newest first);
    failed ones are left out (the upload page said why)."""
    return (
        DraftUpload.objects.filter(owner=user, proposal__isnull=True)
        .exclude(state=UploadState.FAILED)
        .order_by("-created_at", "-id")[:10]
    )


def gender_shown(gender: str, id_number: str) -> tuple[str, bool]:
    """(the gender to show, whether it was read from the ID number): the stored one, else
    the one a mainland resident ID number encodes, else ("", False)."""
    if gender:
        return gender, False
    derived = gender_from_id(id_number)
    return (derived, True) if derived else ("", False)


# The catalogue's context for country names (screening.labels.COUNTRY_CONTEXT, the reports' words).
COUNTRY_CONTEXT = "国家或地区"


def country_shown(code: str | None) -> str:
    """A country or region by its name in the reader's language ("DE" → 德国 / Germany, "HK" → 中国香港 /
    Hong Kong, China): the catalogue's name (the reports' words), else the country table's English
    name; never the Chinese name on an English page."""
    name = country_name_zh(code) or ""
    if not name or (get_language() or "").startswith("zh"):
        return name
    translated = pgettext(COUNTRY_CONTEXT, name)
    return translated if translated != name else country_name_en(code) or ""


def proposal_display(proposal: Proposal) -> dict:
    """What the detail page shows, from the prefetched rows: the PI, members, units
    (with the country's name), subtasks, uploaded files and declared-only attachments.
    People get ``gender_value`` / ``gender_from_id``: the stored gender or, when none is
    stored, the one their resident ID number encodes (so marked)."""
    people = list(proposal.people.all())
    units = list(proposal.units.all())
    subtasks = list(proposal.subtasks.all())
    for unit in units:
        unit.country_name = country_shown(unit.country)
    for person in people:
        person.nationality_name = country_shown(person.nationality)
        person.gender_value, person.gender_from_id = gender_shown(person.gender, person.id_number)
    attachments = list(proposal.attachments.all())
    return {
        "pi": next((p for p in people if p.role == PersonRole.PI), None),
        "members": [p for p in people if p.role == PersonRole.MEMBER],
        "units": units,
        "subtasks": subtasks,
        "files": [a for a in attachments if a.file],
        "declared": [a for a in attachments if not a.file],
    }


# --- guide -------------------------------------------------------------------


def guide_year_default() -> int:
    """The latest loaded guide's year, or this year when none is loaded."""
    year = Guide.objects.order_by("-year").values_list("year", flat=True).first()
    return year or date.today().year


def direction_codes(*, year: int | None) -> set[str] | None:
    """Direction codes of the guide for ``year``; None when that guide is not loaded. One query
    (none for no year)."""
    directions = _guide_directions(year)
    return None if directions is None else {code for code, _title, _title_en in directions}


def direction_choices(*, year: int | None) -> list[tuple[str, str]]:
    """The directions of the guide published for ``year`` as (code, title in the active
    language), in the guide's order; [] when none is published for that year. One query (none
    for no year)."""
    english = (get_language() or "").startswith("en")
    return [
        (code, (title_en if english and title_en else title))
        for code, title, title_en in _guide_directions(year) or []
    ]


def _guide_directions(year: int | None) -> list[tuple[str, str, str]] | None:
    """(code, title, English title) of each direction of the guide for ``year``, in the guide's
    order; None when no guide is loaded for that year. Kept per state of the guide row
    (guide.selectors.KeptPerGuide): one query while it is unchanged."""
    if not year:
        return None
    state = Guide.objects.filter(year=year).values_list("pk", "published_version_id", "ingested_at").first()
    if state is None:
        return None
    return _GUIDE_DIRECTIONS.get(
        state,
        lambda: list(
            Direction.objects.filter(guide_id=state[0])
            .order_by("position")
            .values_list("code", "title", "title_en")
        ),
    )


_GUIDE_DIRECTIONS = KeptPerGuide()


def direction_lookup(*, year: int | None, code: str | None) -> Direction | None:
    if not year or not code:
        return None
    return Direction.objects.filter(guide__year=year, code=code).first()


# --- rows → interchange data -------------------------------------------------


def _opt(value: str) -> str | None:
    return value or None


def proposal_to_data(proposal: Proposal) -> ProposalData:
    """The proposal as interchange data (the shape the checks, the form and the JSON
    export share). Uses the prefetched people, units, subtasks and attachments when present."""
    people = list(proposal.people.all())
    pi_row = next((p for p in people if p.role == PersonRole.PI), None)
    pi = None
    if pi_row is not None:
        pi = PersonData(
            name=_opt(pi_row.name),
            gender=_opt(pi_row.gender),
            id_number=_opt(pi_row.id_number),
            birth_date=pi_row.birth_date,
            nationality=_opt(pi_row.nationality),
            title=_opt(pi_row.title),
            degree=_opt(pi_row.degree),
            employer=_opt(pi_row.employer),
            employment=_opt(pi_row.employment),
            employment_proofs=pi_row.employment_proofs,
            civil_servant=pi_row.civil_servant,
        )
    members = [
        PersonData(
            name=_opt(m.name),
            gender=_opt(m.gender),
            id_number=_opt(m.id_number),
            birth_date=m.birth_date,
            nationality=_opt(m.nationality),
            role=_opt(m.task),
            unit=_opt(m.employer),
        )
        for m in sorted((p for p in people if p.role == PersonRole.MEMBER), key=lambda m: (m.position, m.pk))
    ]
    units = [
        UnitData(
            name=_opt(u.name),
            credit_code=_opt(u.credit_code),
            country=_opt(u.country),
            type=_opt(u.type),
            registered_on=u.registered_on,
            role=_opt(u.role),
            third_party_testing=u.third_party_testing,
            hgr_license=u.hgr_license,
        )
        for u in sorted(proposal.units.all(), key=lambda u: (u.position, u.pk))
    ]
    subtasks = [
        SubtaskData(
            name=_opt(t.name),
            lead_unit=_opt(t.lead_unit),
            lead_name=_opt(t.lead_name),
            lead_id_number=_opt(t.lead_id_number),
            lead_birth_date=t.lead_birth_date,
            lead_title=_opt(t.lead_title),
            lead_degree=_opt(t.lead_degree),
            national_funding=t.national_funding,
        )
        for t in sorted(proposal.subtasks.all(), key=lambda t: (t.position, t.pk))
    ]
    kinds = {a.kind for a in proposal.attachments.all() if a.kind != AttachmentKind.DRAFT}
    budget = None
    if proposal.national_funding is not None or proposal.matching_funding is not None:
        budget = Budget(national=proposal.national_funding, matching=proposal.matching_funding)
    return ProposalData(
        reference=proposal.reference,
        guide_year=proposal.guide_year,
        direction=_opt(proposal.direction_code),
        title=_opt(proposal.title),
        recommender=_opt(proposal.recommender),
        start_date=proposal.start_date,
        end_date=proposal.end_date,
        budget=budget,
        pi=pi,
        members=members,
        units=units,
        subtasks=subtasks,
        research_content=_opt(proposal.research_content),
        indicators=_opt(proposal.indicators),
        attachments=[k for k in ATTACHMENT_KINDS if k in kinds],
    )
