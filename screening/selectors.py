"""Reads for screening: build the rule inputs (snapshots, guide parameters,
registries, the cross-proposal index) from the database in a constant number of
queries per chunk of proposals, and read runs for the report pages."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import F, Lookup, Prefetch, QuerySet
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import get_language

from guide.models import Direction, FormalClause, Guide, Indicator, PartnerRequirement
from guide.parsing.conditions import Condition
from guide.selectors import KeptPerGuide
from proposals.enums import PersonRole, ProposalState, UnitRole
from proposals.forms import field_anchor
from proposals.models import Attachment, Person, Proposal, Subtask, Unit
from proposals.selectors import proposal_to_data
from proposals.services.proposals import proposal_submit_problems

from .enums import RegistryName, RunStatus
from .messages import rule_title
from .models import (
    ContentFingerprint,
    Finding,
    GuideExpert,
    MisconductEntry,
    OngoingProject,
    Recommender,
    RegistryLoad,
    ScreeningRun,
)
from .report import lang_key
from .rules.registry import run_rules
from .rules.text import content_fingerprints
from .rules.types import (
    CrossIndex,
    DirectionParams,
    GuideParams,
    IndicatorSpec,
    OngoingEntry,
    OtherProposal,
    OtherRef,
    PartnerReq,
    PersonSnap,
    ProposalSnapshot,
    Registries,
    RuleContext,
    SubtaskSnap,
    UnitSnap,
    unit_key,
)

# Proposals that count for the cross-proposal rules: everything handed in.
COMPETING_STATES = (ProposalState.SUBMITTED, ProposalState.SCREENING, ProposalState.SCREENED)

# The guide parser's licence code → the rule engine's.
_LICENCE_CODES = {"hgr_preservation": "hgr_license"}


class AnyOf(Lookup):
    """``lhs IN values`` written ``lhs = ANY(%s)`` on PostgreSQL: one array parameter, where
    ``__in`` binds one placeholder per value (for the thousands of ID numbers and fingerprints of
    a chunk, binding costs more than the query). Used as ``filter(AnyOf(F("field"), values))``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs, rhs):
        super().__init__(lhs, list(rhs))

    def as_sql(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        if not self.rhs:
            return "FALSE", []
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, self.rhs]


# --- guide -------------------------------------------------------------------------


def guide_params(*, year: int) -> tuple[Guide | None, GuideParams | None]:
    """The published guide of a year (the rows hold only the published version) as rule inputs.
    Read for every chunk: what the rules do not read (the version's parse result, where each value
    was read) is left in the database."""
    guide = (
        Guide.objects.filter(year=year)
        .select_related("published_version")
        .defer("warnings", "sources", "published_version__data", "published_version__english")
        .first()
    )
    if guide is None:
        return None, None
    return guide, _GUIDE_PARAMS.get(guide, lambda: _guide_params(guide))


_GUIDE_PARAMS = KeptPerGuide()  # a process builds a guide's rule inputs once per state of its row


def _guide_params(guide: Guide) -> GuideParams:
    directions = (
        Direction.objects.filter(guide=guide)
        .defer("research_items", "sources", "notes", "other_requirements")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("position").defer("source")),
            Prefetch(
                "partner_requirements", queryset=PartnerRequirement.objects.order_by("id").defer("source")
            ),
        )
    )
    params = GuideParams(
        year=guide.year,
        pi_born_on_or_after=guide.pi_born_on_or_after,
        unit_registered_by=guide.unit_registered_by,
        max_domestic_units=guide.max_domestic_units,
        min_foreign_units=guide.min_foreign_units,
        max_duration_years=guide.max_duration_years,
        directions={d.code: _direction_params(d) for d in directions},
        formal_clauses=dict(guide.formal_clauses.values_list("clause", "text")),
        # none stored (a guide written by its columns only): the columns stand for them
        conditions=tuple(Condition.from_json(c) for c in guide.conditions or ()) or None,
    )
    return params


def _direction_params(d: Direction) -> DirectionParams:
    return DirectionParams(
        code=d.code,
        title=d.title,
        text=f"{d.title}\n{d.research_content}\n{d.indicators_text}",
        matching_ratio=d.matching_ratio,
        indicators=[
            IndicatorSpec(
                subject=i.subject or None,
                comparator=i.comparator or None,
                value=i.value,
                value_max=i.value_max,
                unit=i.unit or None,
                text=i.text,
            )
            for i in d.indicators.all()
        ],
        partner_reqs=[
            PartnerReq(
                kind=r.kind,
                value=_LICENCE_CODES.get(r.value, r.value) if r.kind == "licence" else r.value,
                strength=r.strength,
                counts_regions=r.counts_regions,
                text=r.text,
            )
            for r in d.partner_requirements.all()
        ],
        project_types=tuple(d.project_types or ()),
    )


# --- registries --------------------------------------------------------------------


def registries_current() -> Registries:
    versions = dict(RegistryLoad.objects.values_list("name", "version"))
    loaded = set(versions)
    ongoing = misconduct_people = misconduct_units = experts = recommenders = None
    if RegistryName.ONGOING_PROJECTS in loaded:
        ongoing = [
            OngoingEntry(id_number=o.id_number, name=o.name, role=o.role, program=o.program)
            for o in OngoingProject.objects.all()
        ]
    if RegistryName.MISCONDUCT in loaded:
        misconduct_people, misconduct_units = set(), set()
        for e in MisconductEntry.objects.all():
            if e.id_number:
                misconduct_people.add(e.id_number.upper())
            if e.credit_code:
                misconduct_units.add(e.credit_code.upper())
            elif e.name_key:
                misconduct_units.add(e.name_key)
    if RegistryName.GUIDE_EXPERTS in loaded:
        experts = {i.upper() for i in GuideExpert.objects.values_list("id_number", flat=True)}
    if RegistryName.RECOMMENDERS in loaded:
        recommenders = set(Recommender.objects.values_list("name", flat=True))
    return Registries(
        ongoing_projects=ongoing,
        misconduct_people=misconduct_people,
        misconduct_units=misconduct_units,
        guide_experts=experts,
        recommenders=recommenders,
        versions={name: versions.get(name, 0) for name in RegistryName.values},
    )


# The registries as last read by this process, under the loads they were read at (a new load or
# an edit of a registry gives it a new version and load time): registries_cached.
_REGISTRIES_READ: dict[tuple, Registries] = {}


def _registry_loads() -> tuple:
    return tuple(sorted(RegistryLoad.objects.values_list("name", "version", "loaded_at")))


def registries_cached() -> Registries:
    """registries_current, read again only when a registry was loaded or edited since this process
    last read them (one query when not): for a check in a request (check_now), where reading
    registries of tens of thousands of rows would take most of a second. Cached only when the loads
    did not change while the rows were read."""
    loads = _registry_loads()
    cached = _REGISTRIES_READ.get(loads)
    if cached is not None:
        return cached
    registries = registries_current()
    if _registry_loads() == loads:
        _REGISTRIES_READ.clear()
        _REGISTRIES_READ[loads] = registries
    return registries


def guide_version(guide: Guide | None, *, year: int) -> dict:
    """What a run records of the guide it used: the year, the rows' id and the published version
    ({"year", "id", "version": "2022 v2", "version_id"}); publishing another version of the year (or
    a guide appearing for a year that had none) changes it. Rows written without a version (before
    versions existed) are named by their ingest time. ``guide.published_version`` should be
    selected with it."""
    if guide is None:
        return {"year": year, "id": None, "version": None}
    version = guide.published_version if guide.published_version_id else None
    if version is None:
        return {"year": year, "id": guide.pk, "version": guide.ingested_at.isoformat()}
    return {"year": year, "id": guide.pk, "version": version.label, "version_id": version.pk}


# --- staleness ---------------------------------------------------------------------


@dataclass(frozen=True)
class Staleness:
    """Why a finished run is out of date: the registries reloaded or edited since (their names), and
    the guide version it used and the one published now when the guide changed (labels such as
    "2022 v1"; ``guide_used`` is None for a run recorded before versions existed)."""

    registries: tuple[str, ...] = ()
    guide_changed: bool = False
    guide_used: str | None = None
    guide_current: str | None = None

    @property
    def registry_labels(self) -> list:
        return [RegistryName(name).label for name in self.registries if name in RegistryName.values]


def _current_inputs(inputs: list[dict]) -> tuple[dict[str, int], dict[int, dict]]:
    """The registry versions now, and the guide versions now of the years the given
    run inputs name. Two queries."""
    registries = dict(RegistryLoad.objects.values_list("name", "version"))
    return registries, _current_guides({i["guide"]["year"] for i in inputs if i and i.get("guide")})


def _current_guides(years: set[int]) -> dict[int, dict]:
    """guide_version now of each year (one query, none for no year)."""
    guides = {year: guide_version(None, year=year) for year in years}
    if years:
        rows = (
            Guide.objects.filter(year__in=years)
            .select_related("published_version")
            .only(
                "id",
                "year",
                "ingested_at",
                "published_version",
                "published_version__year",
                "published_version__number",
                "published_version__source_name",
            )
        )
        for guide in rows:
            guides[guide.year] = guide_version(guide, year=guide.year)
    return guides


def guide_current(*, year: int) -> dict:
    """guide_version of the guide published now for a year (one query)."""
    return _current_guides({year})[year]


def _label(version: dict | None) -> str | None:
    return version["version"] if version and version.get("version_id") else None


def _staleness(inputs: dict, *, registries: dict[str, int], guides: dict[int, dict]) -> Staleness | None:
    if not inputs:  # a run from before inputs were recorded, or not finished: unknown, not stale
        return None
    changed = tuple(
        name for name, v in sorted(inputs.get("registries", {}).items()) if registries.get(name, 0) != v
    )
    used = inputs.get("guide")
    current = guides.get(used["year"]) if used is not None else None
    guide_changed = used is not None and current != used
    if not changed and not guide_changed:
        return None
    return Staleness(
        registries=changed,
        guide_changed=guide_changed,
        guide_used=_label(used) if guide_changed else None,
        guide_current=_label(current) if guide_changed else None,
    )


def run_staleness(*, run: ScreeningRun) -> Staleness | None:
    """Why a finished run is stale (a registry reloaded or edited, another guide version published
    since), or None when it is not. At most two queries."""
    if not run.inputs:
        return None
    registries, guides = _current_inputs([run.inputs])
    return _staleness(run.inputs, registries=registries, guides=guides)


def run_is_stale(*, run: ScreeningRun) -> bool:
    """Whether a registry or the guide a finished run used has changed since (see run_staleness)."""
    return run_staleness(run=run) is not None


def stale_proposals(proposals: Iterable[Proposal]) -> dict[int, Staleness]:
    """Among proposals annotated by latest_runs_for_proposals (a page of them), those whose latest
    run is stale, with why (see run_staleness). Three queries for any number."""
    run_of = {p.pk: p.latest_run_id for p in proposals if getattr(p, "latest_run_id", None)}
    if not run_of:
        return {}
    inputs = dict(ScreeningRun.objects.filter(pk__in=run_of.values()).values_list("pk", "inputs"))
    registries, guides = _current_inputs(list(inputs.values()))
    result = {}
    for pid, rid in run_of.items():
        staleness = _staleness(inputs.get(rid) or {}, registries=registries, guides=guides)
        if staleness is not None:
            result[pid] = staleness
    return result


def stale_proposal_ids(proposals: Iterable[Proposal]) -> set[int]:
    """The ids of stale_proposals. Three queries for any number."""
    return set(stale_proposals(proposals))


def proposals_on_older_guide(*, year: int) -> QuerySet[Proposal]:
    """The handed-in proposals of a year whose latest run finished on a guide version other than the
    one published now (their results say "based on an older guide"): what the re-screen after a
    publish queues. A proposal whose latest run is still queued or running, or has none, is not
    among them (that run reads the current rows). Three queries."""
    rows = list(
        latest_runs_for_proposals(
            Proposal.objects.filter(guide_year=year, state__in=COMPETING_STATES)
        ).values_list("pk", "latest_run_id")
    )
    run_ids = [rid for _pid, rid in rows if rid]
    inputs = dict(ScreeningRun.objects.filter(pk__in=run_ids).values_list("pk", "inputs")) if run_ids else {}
    current = _current_guides({year})[year]
    affected = [
        pid
        for pid, rid in rows
        if (used := (inputs.get(rid) or {}).get("guide")) is not None and used != current
    ]
    return Proposal.objects.filter(pk__in=affected).order_by("reference")


# --- proposals ---------------------------------------------------------------------


def proposals_for_screening(ids: Iterable[int]) -> QuerySet[Proposal]:
    return Proposal.objects.filter(pk__in=list(ids)).prefetch_related(
        Prefetch("people", queryset=Person.objects.order_by("role", "position", "id")),
        Prefetch("units", queryset=Unit.objects.order_by("position", "id")),
        Prefetch("subtasks", queryset=Subtask.objects.order_by("position", "id")),
        Prefetch("attachments", queryset=Attachment.objects.only("id", "proposal_id", "kind", "sha256")),
    )


class ScreeningInput(NamedTuple):
    """What a run of a proposal reads: the rules' snapshot, and the sha256 of each attached file
    (sorted) for the run's data hash."""

    snapshot: ProposalSnapshot
    files: list[str]


_PROPOSAL_FIELDS = (
    "pk",
    "reference",
    "guide_year",
    "direction_code",
    "title",
    "recommender",
    "start_date",
    "end_date",
    "national_funding",
    "matching_funding",
    "research_content",
    "indicators",
)
_PERSON_FIELDS = (
    "proposal_id",
    "name",
    "id_number",
    "birth_date",
    "nationality",
    "title",
    "degree",
    "employer",
    "employment",
    "employment_proofs",
    "civil_servant",
    "gender",
    "role",
)
_UNIT_FIELDS = (
    "proposal_id",
    "name",
    "credit_code",
    "country",
    "type",
    "registered_on",
    "role",
    "third_party_testing",
    "hgr_license",
)
_SUBTASK_FIELDS = (
    "proposal_id",
    "name",
    "lead_unit",
    "lead_name",
    "lead_id_number",
    "lead_birth_date",
    "lead_title",
    "lead_degree",
    "national_funding",
)


def screening_inputs(ids: Iterable[int]) -> dict[int, ScreeningInput]:
    """The ScreeningInput of each of the proposals ``ids`` (a chunk), by proposal id: the same
    snapshot as snapshot_of(proposals_for_screening(…)), in five queries whose rows are read as
    tuples, not model instances (several times cheaper for a chunk of 200)."""
    ids = list(ids)
    people: dict[int, list] = defaultdict(list)
    for row in (
        Person.objects.filter(AnyOf(F("proposal_id"), ids))
        .order_by("proposal_id", "role", "position", "id")
        .values_list(*_PERSON_FIELDS, named=True)
    ):
        people[row.proposal_id].append(row)
    units: dict[int, list] = defaultdict(list)
    for row in (
        Unit.objects.filter(AnyOf(F("proposal_id"), ids))
        .order_by("proposal_id", "position", "id")
        .values_list(*_UNIT_FIELDS, named=True)
    ):
        units[row.proposal_id].append(row)
    subtasks: dict[int, list] = defaultdict(list)
    for row in (
        Subtask.objects.filter(AnyOf(F("proposal_id"), ids))
        .order_by("proposal_id", "position", "id")
        .values_list(*_SUBTASK_FIELDS, named=True)
    ):
        subtasks[row.proposal_id].append(row)
    kinds: dict[int, list[str]] = defaultdict(list)
    files: dict[int, list[str]] = defaultdict(list)
    for pid, kind, sha256 in (
        Attachment.objects.filter(AnyOf(F("proposal_id"), ids))
        .order_by()
        .values_list("proposal_id", "kind", "sha256")
    ):
        kinds[pid].append(kind)
        files[pid].append(sha256)
    return {
        p.pk: ScreeningInput(
            _snapshot(p, people=people[p.pk], units=units[p.pk], subtasks=subtasks[p.pk], kinds=kinds[p.pk]),
            sorted(files[p.pk]),
        )
        for p in Proposal.objects.filter(AnyOf(F("pk"), ids))
        .order_by()
        .values_list(*_PROPOSAL_FIELDS, named=True)
    }


def screening_input_of(p: Proposal) -> ScreeningInput:
    """The ScreeningInput of a proposal read with its people (by role, position, id), units and
    subtasks (by position, id) and attachments, as proposals.selectors.proposal_get_for_user reads
    it: what screening_inputs gives for it, without reading it again."""
    return ScreeningInput(snapshot_of(p), sorted(a.sha256 for a in p.attachments.all()))


def snapshot_of(p: Proposal) -> ProposalSnapshot:
    """What the rules read of a proposal loaded by proposals_for_screening."""
    return _snapshot(
        p,
        people=p.people.all(),
        units=p.units.all(),
        subtasks=p.subtasks.all(),
        kinds=[a.kind for a in p.attachments.all()],
    )


def _snapshot(
    p, *, people: Iterable, units: Iterable, subtasks: Iterable, kinds: Iterable[str]
) -> ProposalSnapshot:
    """The snapshot of a proposal (a model instance or a row with its field names) from its
    people (ordered by role, position, id), units and subtasks (by position, id) and the kinds
    of its attachments."""
    pi = None
    members = []
    for person in people:
        if person.role == PersonRole.PI and pi is None:
            pi = _person(person, None)
        else:
            members.append(_person(person, len(members)))
    return ProposalSnapshot(
        id=p.pk,
        reference=p.reference,
        guide_year=p.guide_year,
        direction=p.direction_code or None,
        title=p.title or None,
        recommender=p.recommender or None,
        start_date=p.start_date,
        end_date=p.end_date,
        national_funding=p.national_funding,
        matching_funding=p.matching_funding,
        research_content=p.research_content or None,
        indicators_text=p.indicators or None,
        attachments=frozenset(kinds),
        pi=pi,
        members=members,
        units=[_unit(u, n) for n, u in enumerate(units)],
        subtasks=[_subtask(s, n) for n, s in enumerate(subtasks)],
    )


def _subtask(s: Subtask, index: int) -> SubtaskSnap:
    lead = PersonSnap(
        name=s.lead_name or None,
        id_number=(s.lead_id_number or "").upper() or None,
        birth_date=s.lead_birth_date,
        title=s.lead_title or None,
        degree=s.lead_degree or None,
        role="task_lead",
    )
    return SubtaskSnap(
        name=s.name or None,
        lead_unit=s.lead_unit or None,
        lead=lead,
        national_funding=s.national_funding,
        index=index,
    )


def _person(p: Person, index: int | None) -> PersonSnap:
    return PersonSnap(
        name=p.name or None,
        id_number=(p.id_number or "").upper() or None,
        birth_date=p.birth_date,
        nationality=p.nationality or None,
        title=p.title or None,
        degree=p.degree or None,
        employer=p.employer or None,
        employment=p.employment or None,
        employment_proofs=p.employment_proofs,
        civil_servant=p.civil_servant,
        gender=p.gender or None,
        role=p.role,
        index=index,
    )


def _unit(u: Unit, index: int) -> UnitSnap:
    return UnitSnap(
        name=u.name or None,
        credit_code=(u.credit_code or "").upper() or None,
        country=u.country or None,
        type=u.type or None,
        registered_on=u.registered_on,
        role=u.role,
        third_party_testing=u.third_party_testing,
        hgr_license=u.hgr_license,
        index=index,
    )


def cross_indexes(snapshots: list[ProposalSnapshot], *, fresh: bool = False) -> dict[int, CrossIndex]:
    """The cross-proposal index for a chunk of proposals of any years, in a constant
    number of indexed queries (by ID number, lead-unit key and content fingerprint). The
    proposals' own content fingerprints are the ones stored when they were last queued
    (services.proposals_index_update); with ``fresh`` they are computed from the snapshots
    (a check of content that was never queued: the submit confirmation's)."""
    by_year: dict[int, list[ProposalSnapshot]] = defaultdict(list)
    for s in snapshots:
        by_year[s.guide_year].append(s)
    result: dict[int, CrossIndex] = {}
    for year, group in by_year.items():
        result.update(_cross_for_year(year, group, fresh=fresh))
    return result


def _own_prints(group: list[ProposalSnapshot], *, fresh: bool) -> dict[int, set[str]]:
    prints: dict[int, set[str]] = defaultdict(set)
    if fresh:
        for s in group:
            prints[s.id].update(content_fingerprints(s.research_content))
        return prints
    # fingerprints stored at submission (services.proposals_index_update), not recomputed here
    for pid, value in ContentFingerprint.objects.filter(
        AnyOf(F("proposal_id"), [s.id for s in group])
    ).values_list("proposal_id", "value"):
        prints[pid].add(value)
    return prints


def _cross_for_year(
    year: int, group: list[ProposalSnapshot], *, fresh: bool = False
) -> dict[int, CrossIndex]:
    # Each lookup reads one table by its index (ID number, lead-unit key, fingerprint, primary
    # key); which of the proposals found compete (handed in, of the year) is one more lookup by
    # primary key, not a join: a join lets the planner hash the whole call's proposals, a cost
    # that grows with the call.
    ids = {p.id_number for s in group for p in [s.pi, *s.members] if p and p.id_number}
    people = (
        list(
            Person.objects.filter(AnyOf(F("id_number"), ids))
            .order_by()
            .values_list("id_number", "proposal_id", "role")
        )
        if ids
        else []
    )
    lead_keys = list({unit_key(u) for s in group for u in s.units if u.role == UnitRole.LEAD and unit_key(u)})
    leads = (
        list(
            Unit.objects.filter(
                AnyOf(F("credit_code"), lead_keys) | AnyOf(F("name_key"), lead_keys), role=UnitRole.LEAD
            )
            .order_by()
            .values_list("proposal_id", "credit_code", "name_key")
        )
        if lead_keys
        else []
    )
    prints = _own_prints(group, fresh=fresh)
    all_prints = {fp for fps in prints.values() for fp in fps}
    # by value only (its index); candidates outside the year or not handed in are dropped below
    shared = (
        list(
            ContentFingerprint.objects.filter(AnyOf(F("value"), all_prints)).values_list(
                "proposal_id", "value"
            )
        )
        if all_prints
        else []
    )
    found = {pid for _id, pid, _role in people} | {pid for pid, _c, _k in leads} | {pid for pid, _v in shared}
    references = (
        dict(
            Proposal.objects.filter(AnyOf(F("pk"), found), guide_year=year, state__in=COMPETING_STATES)
            .order_by()
            .values_list("pk", "reference")
        )
        if found
        else {}
    )

    involvement: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for id_number, pid, role in sorted(people, key=lambda row: row[1]):
        if pid in references:
            involvement[id_number.upper()].append((pid, references[pid], role))
    lead_rows: dict[str, set[int]] = defaultdict(set)
    for pid, code, key in leads:
        if pid in references:
            lead_rows[(code or "").upper() or key].add(pid)
    by_print: dict[str, set[int]] = defaultdict(set)
    for pid, value in shared:
        if pid in references:
            by_print[value].add(pid)

    candidates: dict[int, set[int]] = {}
    for s in group:
        found: set[int] = set()
        if s.pi and s.pi.id_number:
            found |= {pid for pid, _ref, role in involvement.get(s.pi.id_number, []) if role == PersonRole.PI}
        for u in s.units:
            if u.role == UnitRole.LEAD:
                found |= lead_rows.get(unit_key(u), set())
        for fp in prints[s.id]:
            found |= by_print.get(fp, set())
        found.discard(s.id)
        candidates[s.id] = found

    others = _other_proposals({pid for found in candidates.values() for pid in found})
    result = {}
    for s in group:
        person_proposals = {}
        for person in [s.pi, *s.members]:
            if person and person.id_number:
                refs = [
                    OtherRef(id=pid, reference=ref, role=role)
                    for pid, ref, role in involvement.get(person.id_number, [])
                    if pid != s.id
                ]
                if refs:
                    person_proposals[person.id_number] = refs
        other_pi = []
        if s.pi and s.pi.id_number:
            other_pi = [
                ref
                for pid, ref, role in involvement.get(s.pi.id_number, [])
                if role == PersonRole.PI and pid != s.id
            ]
        result[s.id] = CrossIndex(
            other_pi_proposals=other_pi,
            person_proposals=person_proposals,
            duplicate_candidates=[others[pid] for pid in sorted(candidates[s.id]) if pid in others],
        )
    return result


def _other_proposals(pids: set[int]) -> dict[int, OtherProposal]:
    """What the duplicate rule compares of other proposals ``pids`` (competing ones of the year).
    Three queries, none for none."""
    if not pids:
        return {}
    pi_ids = dict(
        Person.objects.filter(AnyOf(F("proposal_id"), pids), role=PersonRole.PI)
        .order_by("proposal_id", "role", "position", "id")
        .values_list("proposal_id", "id_number")
    )
    leads = {}
    for pid, code, key in (
        Unit.objects.filter(AnyOf(F("proposal_id"), pids), role=UnitRole.LEAD)
        .order_by("proposal_id", "position", "id")
        .values_list("proposal_id", "credit_code", "name_key")
    ):
        leads.setdefault(pid, (code or "").upper() or key)
    return {
        pid: OtherProposal(
            id=pid,
            reference=ref,
            title=title,
            research_content=content,
            pi_id_number=(pi_ids.get(pid) or "").upper() or None,
            lead_unit_key=leads.get(pid),
            recommender=recommender,
        )
        for pid, ref, title, content, recommender in Proposal.objects.filter(AnyOf(F("pk"), pids))
        .order_by()
        .values_list("pk", "reference", "title", "research_content", "recommender")
    }


# --- what the rules read, all of it -------------------------------------------------


class RuleInput(NamedTuple):
    """Everything one proposal's check reads: the rules' context, the published guide it uses
    (None when the year has none), the data hash of the snapshot and the versions of the inputs
    (as a run records them in ``inputs``)."""

    context: RuleContext
    guide: Guide | None
    data_sha256: str
    inputs: dict


def snapshot_sha256(snapshot: ProposalSnapshot, *, files: list[str]) -> str:
    """sha256 of exactly what the rules saw plus the sha256 of each attached file,
    so a report can be tied to the data it was made from. The dataclass repr is
    deterministic once the attachment set is sorted."""
    frozen = dataclasses.replace(snapshot, attachments=tuple(sorted(snapshot.attachments or ())))
    return hashlib.sha256(f"{frozen!r}|{files!r}".encode()).hexdigest()


def rule_inputs(
    ids: Iterable[int], *, fresh: bool = False, read: dict[int, ScreeningInput] | None = None
) -> dict[int, RuleInput]:
    """The RuleInput of each of the proposals ``ids`` (a chunk), by proposal id, in a constant
    number of queries per guide year: the one path from the database to the rules, for the
    runs (services) and for a check of the current content that stores nothing
    (check_now). ``fresh`` as in cross_indexes; the registries then come from this process's
    copy while no registry changed (registries_cached). ``read``: the proposals' ScreeningInput
    where the caller has it already (screening_input_of), instead of reading them again."""
    inputs = read if read is not None else screening_inputs(ids)
    cross = cross_indexes([i.snapshot for i in inputs.values()], fresh=fresh)
    registries = registries_cached() if fresh else registries_current()
    guides: dict[int, tuple[Guide | None, GuideParams | None]] = {}
    today = timezone.localdate()
    result = {}
    for pid, (snapshot, files) in inputs.items():
        year = snapshot.guide_year
        if year not in guides:
            guides[year] = guide_params(year=year)
        guide, params = guides[year]
        result[pid] = RuleInput(
            context=RuleContext(
                proposal=snapshot, guide=params, registries=registries, cross=cross[pid], today=today
            ),
            guide=guide,
            data_sha256=snapshot_sha256(snapshot, files=files),
            inputs={"registries": registries.versions, "guide": guide_version(guide, year=year)},
        )
    return result


def data_sha256_now(ids: Iterable[int]) -> dict[int, str]:
    """The data hash each of the proposals ``ids`` would be checked on now (what a run records
    in ``data_sha256``). Five queries for any number."""
    return {pid: snapshot_sha256(i.snapshot, files=i.files) for pid, i in screening_inputs(ids).items()}


# --- results and the content they were checked on ------------------------------------


def run_checked_before_change(*, run: ScreeningRun | None) -> bool:
    """Whether a finished run was checked on other content than the proposal holds now (its
    owner changed it since): its recorded data hash differs from the current one. False for a
    run that is not finished or recorded no hash. Five queries (none for such a run)."""
    if run is None or run.status != RunStatus.DONE or not run.data_sha256:
        return False
    return data_sha256_now([run.proposal_id]).get(run.proposal_id, run.data_sha256) != run.data_sha256


def proposals_checked_before_change(proposals: Iterable[Proposal]) -> set[int]:
    """Among ``proposals`` (a page of them), the ids of those whose latest finished result was
    checked on other content than they hold now. Six queries for any number (one for none)."""
    ids = [p.pk for p in proposals]
    if not ids:
        return set()
    latest: dict[int, str] = {}
    for pid, sha in (
        ScreeningRun.objects.filter(proposal_id__in=ids, status=RunStatus.DONE)
        .order_by("proposal_id", "-queued_at", "-id")
        .values_list("proposal_id", "data_sha256")
    ):
        latest.setdefault(pid, sha)
    checked = {pid: sha for pid, sha in latest.items() if sha}
    if not checked:
        return set()
    now = data_sha256_now(checked)
    return {pid for pid, sha in checked.items() if now.get(pid, sha) != sha}


class Failure(tuple):
    """One failing condition: (rule ID, rule title), as a pair, with the form anchor of the field
    its first failing finding names (``anchor``; "" for none)."""

    anchor: str

    def __new__(cls, rule: str, title: str, anchor: str = ""):
        failure = super().__new__(cls, (rule, title))
        failure.anchor = anchor
        return failure


class SubmitWarnings(list):
    """The conditions the current content of a draft fails, as (rule ID, rule title) in report
    order (what settings.SUBMIT_WARNINGS returns: a list), and whether the report's latest result
    was checked on other content (``checked_before_change``). ``reuse``: the check as a plain
    record (JSON: the data hash and input versions it was made on, when, the failing rules and
    their fields), which the page that follows hands back to draft_failures (the submission's
    confirmation page, a moment later: the same check is not made twice)."""

    def __init__(
        self,
        failures: Iterable[tuple[str, str]] = (),
        *,
        checked_before_change: bool = False,
        reuse: dict | None = None,
    ):
        super().__init__(failures)
        self.checked_before_change = checked_before_change
        self.reuse = reuse


class Checked(NamedTuple):
    findings: list[Finding]
    data_sha256: str
    inputs: dict  # the versions of the registries and the guide it read (as a run's ``inputs``)


def check_now(proposal_id: int, *, read: ScreeningInput | None = None) -> Checked | None:
    """Run every rule on the proposal's current content, storing nothing: the findings (as a
    run would store them, unsaved), the data hash and the input versions they were made on; None
    for no such proposal. The same inputs and rules as a run (rule_inputs, run_rules); the
    proposal's own content fingerprints computed afresh. A constant number of queries; milliseconds.
    ``read``: the proposal's content as the caller read it a moment ago (screening_input_of)."""
    found = rule_inputs([proposal_id], fresh=True, read=None if read is None else {proposal_id: read}).get(
        proposal_id
    )
    if found is None:
        return None
    findings = [
        Finding(
            position=n,
            rule=f.rule,
            status=f.status,
            clause=f.clause or "",
            message_id=f.message_id,
            params=f.params,
            evidence=f.evidence,
            field=f.field or "",
            fix_id=f.fix_id or "",
        )
        for n, f in enumerate(run_rules(found.context))
    ]
    return Checked(findings, found.data_sha256, found.inputs)


def _proposals_for_submission(ids: Iterable[int]) -> QuerySet[Proposal]:
    return Proposal.objects.filter(pk__in=list(ids)).prefetch_related(
        "people", "units", "subtasks", "attachments"
    )


def draft_failures(
    proposal: Proposal, *, reuse: dict | None = None, submittable: bool = False, loaded: bool = False
) -> SubmitWarnings:
    """The conditions the draft's current content fails, checked now (check_now): (rule ID,
    rule title in the active language), in report order, each once; ``checked_before_change``
    says whether the latest finished result shown on the report was made on other content. The
    proposals app reads it through settings.SUBMIT_WARNINGS. Empty while the draft cannot be
    submitted at all (the submission checks refuse it: they answer first, on the form and in the
    API), so nobody is asked to confirm a submission that would be refused.

    ``reuse``: the record of a check made a moment ago (SubmitWarnings.reuse), whose failures are
    given again without checking anew while it is the same check: of this proposal, less than
    SCREENING_CHECK_REUSE seconds old, on the same data (hash) and the same registry and guide
    versions (the policy of a repeated check request, services.screening_request).

    ``submittable``: the caller ran the submission checks on this content a moment ago and they
    passed (the view that submits), so they are not made again here.

    ``loaded``: ``proposal`` was read a moment ago with its people, units, subtasks and
    attachments as proposals.selectors.proposal_get_for_user reads it, and not changed since (the
    views that show or submit a draft): its content is taken from it, not read again."""
    read = screening_input_of(proposal) if loaded else None
    if not submittable:
        stored = proposal if loaded else _proposals_for_submission([proposal.pk]).first()
        if stored is None or proposal_submit_problems(proposal_to_data(stored)):
            return SubmitWarnings()
    if reuse is not None and _check_still_current(proposal.pk, reuse, read=read):
        sha, rules, inputs, at = reuse["sha"], dict(reuse["rules"]), reuse["inputs"], reuse["at"]
    else:
        checked = check_now(proposal.pk, read=read)
        if checked is None:
            return SubmitWarnings()
        sha, inputs, at = checked.data_sha256, checked.inputs, timezone.now().timestamp()
        rules: dict[str, str] = {}  # failing rule → the field its first failing finding names
        for f in checked.findings:
            if f.status == "fail":
                rules.setdefault(f.rule, f.field)
    lang = lang_key(get_language())
    latest = (
        ScreeningRun.objects.filter(proposal_id=proposal.pk, status=RunStatus.DONE)
        .order_by("-queued_at", "-id")
        .values_list("data_sha256", flat=True)
        .first()
    )
    return SubmitWarnings(
        [Failure(rule, rule_title(rule, lang), field_anchor(field)) for rule, field in rules.items()],
        checked_before_change=bool(latest) and latest != sha,
        reuse={"pk": proposal.pk, "sha": sha, "inputs": inputs, "at": at, "rules": list(rules.items())},
    )


def _check_still_current(proposal_id: int, record: dict, *, read: ScreeningInput | None = None) -> bool:
    """Whether ``record`` (SubmitWarnings.reuse) is a check of this proposal made less than
    SCREENING_CHECK_REUSE seconds ago on the data and input versions it has now. Seven queries;
    two with ``read`` (the proposal's content as the caller read it, screening_input_of)."""
    try:
        fresh = (
            record["pk"] == proposal_id
            and 0 <= timezone.now().timestamp() - float(record["at"]) <= settings.SCREENING_CHECK_REUSE
        )
        if not fresh:
            return False
        if read is not None:
            sha = snapshot_sha256(read.snapshot, files=read.files)
        else:
            sha = data_sha256_now([proposal_id]).get(proposal_id)
        if sha != record["sha"]:
            return False
        registries, guides = _current_inputs([record["inputs"]])
        return _staleness(record["inputs"], registries=registries, guides=guides) is None
    except (KeyError, TypeError, ValueError, AttributeError):  # not such a record: check anew
        return False


# --- reports -----------------------------------------------------------------------


def run_latest(*, proposal: Proposal) -> ScreeningRun | None:
    return proposal.screening_runs.order_by("-queued_at", "-id").first()


def run_previous_done(*, run: ScreeningRun) -> ScreeningRun | None:
    return (
        ScreeningRun.objects.filter(proposal_id=run.proposal_id, status="done", pk__lt=run.pk)
        .order_by("-pk")
        .first()
    )


def findings_of(*, run: ScreeningRun) -> list[Finding]:
    return list(run.findings.order_by("position"))


def latest_runs_for_proposals(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate proposals with the id, status and overall of their latest run."""
    from django.db.models import OuterRef, Subquery

    latest = ScreeningRun.objects.filter(proposal=OuterRef("pk")).order_by("-queued_at", "-id")
    return proposals.annotate(
        latest_run_id=Subquery(latest.values("id")[:1]),
        latest_run_status=Subquery(latest.values("status")[:1]),
        latest_overall=Subquery(latest.values("overall")[:1]),
    )


def proposals_failing(
    proposals: QuerySet[Proposal], *, rule: str, status: str = "fail"
) -> QuerySet[Proposal]:
    """Proposals whose latest run has a finding of `rule` with `status`."""
    from django.db.models import Exists, OuterRef

    return proposals.filter(
        Exists(Finding.objects.filter(run_id=OuterRef("latest_run_id"), rule=rule, status=status))
    )


def runs_for_export(run_ids: list[int]) -> QuerySet[ScreeningRun]:
    return (
        ScreeningRun.objects.filter(pk__in=run_ids)
        .select_related("proposal")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("position")))
        .order_by("proposal__reference")
    )


def batch_progress(*, batch_id: int) -> dict[str, int]:
    from django.db.models import Count

    counts = dict(
        ScreeningRun.objects.filter(batch_id=batch_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    total = sum(counts.values())
    return {"total": total, **{s: counts.get(s, 0) for s in ("queued", "running", "done", "failed")}}


def run_counts(*, run: ScreeningRun) -> dict[str, int]:
    from django.db.models import Count

    return dict(run.findings.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def runs_backlog() -> dict[str, int | float | None]:
    """Screening runs waiting to start (for /healthz): how many, and the age in seconds
    of the one waiting longest (None if none)."""
    queued = ScreeningRun.objects.filter(status=RunStatus.QUEUED)
    oldest = queued.order_by("queued_at").values_list("queued_at", flat=True).first()
    return {
        "queued": queued.count(),
        "oldest_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else None,
    }


def clause_texts(*, year: int | None) -> dict[str, str]:
    """The words of the published guide's formal-review clauses of ``year``, by clause ("2(1)" → its
    text), for the report's section headings. One query; empty without such a guide."""
    if year is None:
        return {}
    return dict(FormalClause.objects.filter(guide__year=year).values_list("clause", "text"))
