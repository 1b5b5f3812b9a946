"""Writes for screening: request runs, execute them (idempotently), re-queue runs whose
worker died (the registries are loaded by screening.registries)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from common.leases import (
    RELEASED,
    claimable,
    held_by_another_delivery,
    holder_is_gone,
    is_retry_of,
    lease_fields,
)
from common.outbox import (
    FAST_QUEUE,
    outbox_enqueue,
    outbox_enqueue_many,
    outbox_unstarted_args,
)
from common.services import audit_record
from proposals.enums import ProposalState
from proposals.models import Proposal, Unit
from proposals.services.proposals import proposals_transition_many

from . import report, selectors
from .enums import RunStatus
from .models import (
    ContentFingerprint,
    Finding,
    ReportView,
    ScreeningBatch,
    ScreeningRun,
)
from .notifications import notify_runs_finished
from .rules.registry import RULESET_VERSION, overall, run_rules
from .rules.text import content_fingerprints, normalise_name

log = logging.getLogger(__name__)

# Rules whose failures involve other proposals: those are re-screened too.
CROSS_RULES = tuple(report.CROSS_RULES)
MAX_ATTEMPTS = 3
# The error recorded on a run whose executions kept dying (crashed worker, time limit, lost lease).
LOST_TOO_OFTEN = f"the worker executing it was lost {MAX_ATTEMPTS} times (crashed, killed or timed out)"
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


# --- requesting runs ---------------------------------------------------------------

SCREEN_RUN = "screening.screen_run"
SCREEN_CHUNK = "screening.screen_chunk"
CHUNK = 200  # runs per chunk task: one chunk is read in a constant number of queries


def screening_request(
    *,
    proposal: Proposal,
    by=None,
    batch: ScreeningBatch | None = None,
    reason: str = "manual",
    publish: bool = True,
) -> ScreeningRun:
    """Queue a screening run for a proposal; its task is published through the outbox
    (after commit, or when the job service is back). A queued run that has not
    started yet is reused, also under concurrent requests (the proposal row is
    locked), so clicking "check" five times makes one run; so is a run started after
    the proposal's last change that is still running or finished less than
    SCREENING_CHECK_REUSE seconds ago (twenty people clicking "check" on one proposal
    at once make one run). A check of a draft is recorded with reason "draft". A
    single proposal's run goes to the fast lane (FAST_QUEUE), never behind batches. With
    ``publish=False`` the caller, a task, executes the run itself (no message is written for it;
    if that task dies, its redelivery does, or the sweep re-queues the run)."""
    if proposal.state == ProposalState.DRAFT:
        reason = "draft"
    with transaction.atomic():
        Proposal.objects.select_for_update().filter(pk=proposal.pk).values_list("pk").first()
        sha = proposal_data_sha256(proposal.pk)
        run = _run_to_reuse(proposal=proposal, batch=batch, reason=reason, sha=sha)
        if run is None:
            proposals_index_update(proposals=[proposal])
            run = ScreeningRun.objects.create(
                proposal=proposal,
                batch=batch,
                requested_by=by if _is_user(by) else None,
                reason=reason,
                inputs={"requested_sha256": sha},
            )
            audit_record(actor=by, action="screening.requested", target=proposal, data={"run": run.pk})
            if publish:
                outbox_enqueue(task=SCREEN_RUN, args=[run.pk], queue=FAST_QUEUE)
        if proposal.state != ProposalState.DRAFT and run.status != RunStatus.DONE:
            proposals_transition_many(ids=[proposal.pk], to=ProposalState.SCREENING, by=by)
    return run


def proposal_data_sha256(proposal_id: int) -> str:
    """The sha256 of what the rules would see of the proposal now (selectors.snapshot_sha256);
    "" for no such proposal."""
    return selectors.data_sha256_now([proposal_id]).get(proposal_id, "")


def _run_to_reuse(*, proposal: Proposal, batch: ScreeningBatch | None, reason: str, sha: str):
    """A run of ``proposal`` (in ``batch``) that a new request can share: a queued one;
    or one of the same reason, of the same data (``sha``), running or finished less
    than SCREENING_CHECK_REUSE seconds ago on inputs still current."""
    runs = ScreeningRun.objects.filter(proposal=proposal, batch=batch).order_by("-pk")
    queued = runs.filter(status=RunStatus.QUEUED).first()
    if queued is not None or not sha:
        return queued
    recent = timezone.now() - timedelta(seconds=settings.SCREENING_CHECK_REUSE)
    running = runs.filter(status=RunStatus.RUNNING, reason=reason).first()
    if running is not None and running.inputs.get("requested_sha256") == sha:
        return running
    done = runs.filter(status=RunStatus.DONE, reason=reason, finished_at__gte=recent).first()
    if done is not None and done.data_sha256 == sha and not selectors.run_is_stale(run=done):
        return done
    return None


def screening_on_submitted(
    *, proposal_id: int, user_id: int | None, task_id: str | None = None, retries: int = 0
) -> ScreeningRun | None:
    """The follow-up of a submission (published through the outbox by
    proposals.services): screen it, unless it was taken back to draft meanwhile. The run
    is executed here, under this task's claim, not handed to another message: the
    applicant's result does not wait for a second trip through the outbox and the queue. A retry
    (a database error, e.g. a deadlock at commit, ended the earlier attempt) finds the proposal
    being screened by that attempt's run and takes it over."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None or proposal.state not in (
        ProposalState.SUBMITTED,
        ProposalState.SCREENING,
        ProposalState.SCREENED,
    ):
        return None
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = screening_request(proposal=proposal, by=by, reason="submit", publish=False)
    if run.status != RunStatus.DONE:
        screening_execute(run_ids=[run.pk], task_id=task_id, retries=retries)
        run.refresh_from_db()
    return run


def screening_batch_create(
    *,
    proposals: Iterable[Proposal],
    by=None,
    label: str = "",
    enqueue: bool = True,
    batch: ScreeningBatch | None = None,
) -> ScreeningBatch:
    """Queue one run per proposal under a batch, published as chunk tasks (CHUNK runs
    each) that any number of workers share (unless `enqueue` is False: the caller
    then runs `screening_execute` itself). With ``batch``, the runs join that batch
    (a bulk job queues its proposals chunk by chunk under one batch)."""
    with transaction.atomic():
        if batch is None:
            batch = ScreeningBatch.objects.create(created_by=by if _is_user(by) else None, label=label)
        proposals = list(proposals)
        proposals_index_update(proposals=proposals)
        proposals_transition_many(
            ids=[p.pk for p in proposals if p.state != ProposalState.DRAFT], to=ProposalState.SCREENING, by=by
        )
        requested_by = by if _is_user(by) else None
        runs = ScreeningRun.objects.bulk_create(
            [
                ScreeningRun(proposal=p, batch=batch, requested_by=requested_by, reason="batch")
                for p in proposals
            ],
            batch_size=1000,
        )
        audit_record(actor=by, action="screening.batch", target=batch, data={"proposals": len(proposals)})
        if enqueue:
            _enqueue_chunks(sorted(r.pk for r in runs))
    return batch


def _enqueue_chunks(run_ids: list[int], *, queue: str = "") -> None:
    outbox_enqueue_many(
        task=SCREEN_CHUNK,
        args_list=([run_ids[k : k + CHUNK]] for k in range(0, len(run_ids), CHUNK)),
        queue=queue,
    )


def _is_user(by) -> bool:
    return getattr(by, "is_authenticated", False)


def proposals_index_update(*, proposals: list[Proposal]) -> None:
    """Refresh what the cross-proposal lookups search: unit name keys and the
    content fingerprints of the research content. Idempotent; a constant number of
    queries for any number of proposals."""
    ids = [p.pk for p in proposals]
    stale = []
    for unit in Unit.objects.filter(proposal_id__in=ids).only("id", "name", "name_key"):
        key = normalise_name(unit.name)
        if unit.name_key != key:
            unit.name_key = key
            stale.append(unit)
    Unit.objects.bulk_update(stale, ["name_key"], batch_size=1000)
    ContentFingerprint.objects.filter(proposal_id__in=ids).delete()
    ContentFingerprint.objects.bulk_create(
        (
            ContentFingerprint(proposal_id=p.pk, value=fp)
            for p in proposals
            for fp in set(content_fingerprints(p.research_content))
        ),
        batch_size=2000,
    )


# --- executing runs ----------------------------------------------------------------


def screening_lease_seconds() -> int:
    """How long a claim holds: the screening tasks' hard time limit plus a margin (a
    task still running after it has been killed)."""
    return settings.SCREENING_TIME_LIMIT + 20


def screening_execute(*, run_ids: list[int], task_id: str | None = None, retries: int = 0) -> list[int]:
    """Execute runs. Each run is claimed under a lease (common.leases): a queued run,
    or a running one whose lease expired or belongs to this same task id (a
    redelivered or retried message takes its runs over at once). A run held by a
    live claim elsewhere is skipped, so a duplicate delivery does nothing; results
    are written only under the current claim's token, so an execution that was
    taken over writes nothing and findings are never duplicated.

    A transient database error drops the connection and re-raises: the task's retry
    (same task id, ``retries`` one higher) takes the runs over at once, on a fresh
    connection, and that is not a new attempt (common.leases.is_retry_of). A time-out
    or any other error marks the claimed runs failed with the error recorded.
    Returns the IDs of the runs completed here."""
    token, claimed = _claim(run_ids, task_id=task_id, retries=retries)
    if not claimed:
        return []
    runs = list(ScreeningRun.objects.filter(pk__in=claimed).only("id", "proposal_id", "reason"))
    try:
        return _execute(runs, token=token)
    except TRANSIENT_DB_ERRORS:
        connection.close()
        raise
    except SoftTimeLimitExceeded:
        log.warning("screening timed out for runs %s", claimed)
        _fail_runs(claimed, token=token, error="timeout")
    except Exception as exc:  # a rule's bug ends in a recorded failure, not a stuck run
        log.exception("screening failed for runs %s", claimed)
        _fail_runs(claimed, token=token, error=f"{type(exc).__name__}: {exc}")
    return []


def _fail_runs(run_ids: list[int], *, error: str, token: str | None = None) -> None:
    """Record runs as failed (only those still under ``token``, when given) and give
    their proposals back (screening → submitted), so no proposal stays locked in
    `screening` after a run that will not finish."""
    with transaction.atomic():
        runs = ScreeningRun.objects.filter(pk__in=run_ids, status__in=[RunStatus.RUNNING, RunStatus.QUEUED])
        if token is not None:
            runs = runs.filter(lease_token=token)
        proposal_ids = list(runs.values_list("proposal_id", flat=True).distinct())
        runs.update(status=RunStatus.FAILED, error=error[:2000], finished_at=timezone.now(), **RELEASED)
        still_running = set(
            ScreeningRun.objects.filter(
                proposal_id__in=proposal_ids, status__in=[RunStatus.RUNNING, RunStatus.QUEUED]
            ).values_list("proposal_id", flat=True)
        )
        proposals_transition_many(
            ids=[pid for pid in proposal_ids if pid not in still_running], to=ProposalState.SUBMITTED
        )


def _claim(run_ids: list[int], *, task_id: str | None, retries: int = 0) -> tuple[str, list[int]]:
    """Claim what may be claimed among ``run_ids``: (lease token, claimed IDs).

    Only a start that may have crashed a worker counts as an attempt: a queued run,
    or one taken over from a dead or expired claim; a retry of the same task after a
    transient error continues its attempt. A run started MAX_ATTEMPTS times (its task
    keeps killing workers) fails instead, the reason recorded; a duplicate delivery
    while a live process of this node runs the task claims nothing."""
    lease = lease_fields(task_id=task_id, seconds=screening_lease_seconds(), retries=retries)
    with transaction.atomic():
        rows = [
            (
                pk,
                attempts,
                status == RunStatus.RUNNING and is_retry_of(held, task_id=task_id, retries=retries),
            )
            for pk, attempts, status, owner, held in ScreeningRun.objects.select_for_update(skip_locked=True)
            .filter(pk__in=run_ids)
            .filter(
                claimable(field="status", queued=RunStatus.QUEUED, running=RunStatus.RUNNING, task_id=task_id)
            )
            .values_list("pk", "attempts", "status", "lease_owner", "lease_task")
            if status == RunStatus.QUEUED
            or not held_by_another_delivery(
                lease_task=held, lease_owner=owner, task_id=task_id, retries=retries
            )
        ]
        continued = [pk for pk, _, retry in rows if retry]
        fresh = [pk for pk, attempts, retry in rows if not retry and attempts < MAX_ATTEMPTS]
        exhausted = [pk for pk, attempts, retry in rows if not retry and attempts >= MAX_ATTEMPTS]
        now = timezone.now()
        if continued:
            ScreeningRun.objects.filter(pk__in=continued).update(**lease)
        if fresh:
            ScreeningRun.objects.filter(pk__in=fresh).update(
                status=RunStatus.RUNNING, started_at=now, attempts=F("attempts") + 1, **lease
            )
    if exhausted:
        _fail_runs(exhausted, error=LOST_TOO_OFTEN)
    return lease["lease_token"], sorted(continued + fresh)


def _execute(runs: list[ScreeningRun], *, token: str) -> list[int]:
    inputs = selectors.rule_inputs(r.proposal_id for r in runs)
    rows: list[tuple] = []  # in _FINDING_COLUMNS order
    updates = []
    collisions: dict[int, set[int]] = {}  # run → the other proposals its failures name
    for run in runs:
        found = inputs[run.proposal_id]
        results = run_rules(found.context)
        for n, f in enumerate(results):
            rows.append(
                (
                    run.pk,
                    n,
                    f.rule,
                    f.status,
                    f.clause or "",
                    f.message_id,
                    f.params,
                    f.evidence,
                    f.field or "",
                    f.fix_id or "",
                )
            )
            if run.reason != "collision" and f.rule in CROSS_RULES and f.status == "fail":
                collisions.setdefault(run.pk, set()).update(_referenced_proposals(f, found.context.cross))
        run.guide_id = found.guide.pk if found.guide else None
        run.inputs = found.inputs
        run.overall = overall(results)
        run.data_sha256 = found.data_sha256
        updates.append(run)
    with transaction.atomic():
        # only the runs still under this claim: an execution that was taken over writes nothing
        attempts = dict(
            ScreeningRun.objects.select_for_update()
            .filter(pk__in=[r.pk for r in runs], status=RunStatus.RUNNING, lease_token=token)
            .values_list("pk", "attempts")
        )
        mine = set(attempts)
        # a re-claimed run starts clean; a run on its first claim has no findings (they are
        # written with its `done`), so the common case deletes nothing and skips the statement
        reclaimed = [pk for pk, n in attempts.items() if n > 1]
        if reclaimed:
            Finding.objects.filter(run_id__in=reclaimed).delete()
        _insert_findings([row for row in rows if row[0] in mine])
        done = [r for r in updates if r.pk in mine]
        _mark_done(done)
        proposals_transition_many(ids=[r.proposal_id for r in done], to=ProposalState.SCREENED)
        notify_runs_finished(run_ids=[r.pk for r in done])  # changed or ready results, stale notices answered
        others = set().union(*(collisions.get(r.pk, set()) for r in done)) - set(inputs)
        _rescreen_collided(others)
    return sorted(mine)


def _rescreen_collided(proposal_ids: set[int]) -> None:
    """Re-screen proposals that a new result collides with (same person, duplicate
    content), debounced: a proposal that already has a queued run (a batch's, or an
    earlier collision's still waiting) gets none, and a new collision run waits
    SCREENING_COLLISION_DELAY seconds, so a burst of colliding submissions re-screens
    each affected proposal once, not once per submission."""
    if not proposal_ids:
        return
    waiting = set(
        ScreeningRun.objects.filter(proposal_id__in=proposal_ids, status=RunStatus.QUEUED).values_list(
            "proposal_id", flat=True
        )
    )
    for other in Proposal.objects.filter(
        pk__in=proposal_ids - waiting, state__in=selectors.COMPETING_STATES
    ).only("pk"):
        rerun = ScreeningRun.objects.create(proposal=other, reason="collision")
        audit_record(
            actor=None,
            action="screening.requested",
            target=other,
            data={"run": rerun.pk, "reason": "collision"},
        )
        outbox_enqueue(task=SCREEN_RUN, args=[rerun.pk], delay=settings.SCREENING_COLLISION_DELAY)


_FINDING_COLUMNS = (
    "run_id",
    "position",
    "rule",
    "status",
    "clause",
    "message_id",
    "params",
    "evidence",
    "field",
    "fix_id",
)


def _insert_findings(rows: list[tuple]) -> None:
    """Bulk insert of finding rows (in _FINDING_COLUMNS order); on PostgreSQL through
    COPY, several times faster than INSERT for the thousands of rows a batch makes."""
    if connection.vendor != "postgresql":
        Finding.objects.bulk_create(
            (Finding(**dict(zip(_FINDING_COLUMNS, row, strict=True))) for row in rows), batch_size=2000
        )
        return
    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), made once
    sql = f"COPY {Finding._meta.db_table} ({', '.join(_FINDING_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for run_id, position, rule, status, clause, message_id, params, evidence, field, fix_id in rows:
            copy.write_row(
                (
                    run_id,
                    position,
                    rule,
                    status,
                    clause,
                    message_id,
                    encode(params) if params else "{}",  # most findings have no params or evidence
                    encode(evidence) if evidence else "[]",
                    field,
                    fix_id,
                )
            )


def _mark_done(runs: list[ScreeningRun]) -> None:
    """One statement for the whole chunk: the common fields once, the per-run ones
    (overall, data hash, guide) from arrays; the leases are released."""
    if not runs:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        for run in runs:
            run.status, run.finished_at, run.ruleset_version, run.error = (
                RunStatus.DONE,
                now,
                RULESET_VERSION,
                "",
            )
            for name, value in RELEASED.items():
                setattr(run, name, value)
        ScreeningRun.objects.bulk_update(
            runs,
            [
                "status",
                "finished_at",
                "ruleset_version",
                "guide",
                "overall",
                "data_sha256",
                "inputs",
                "error",
                *RELEASED,
            ],
            batch_size=1000,
        )
        return
    ids = [r.pk for r in runs]
    columns = (
        ids,
        [r.overall for r in runs],
        [r.data_sha256 for r in runs],
        [r.guide_id for r in runs],
        [json.dumps(r.inputs, ensure_ascii=False) for r in runs],
    )
    table = ScreeningRun._meta.db_table
    with connection.cursor() as cursor:
        # the per-run values as arrays (five parameters, not five per run); `r.id = ANY`
        # lets the planner find the runs by primary key whatever its statistics say
        cursor.execute(
            f"UPDATE {table} AS r SET status = %s, finished_at = %s, ruleset_version = %s, error = '', "
            f"lease_owner = '', lease_task = '', lease_token = '', lease_expires_at = NULL, "
            f"overall = v.overall, data_sha256 = v.sha, guide_id = v.guide_id, inputs = v.inputs "
            f"FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[], %s::jsonb[]) "
            f"AS v(id, overall, sha, guide_id, inputs) WHERE r.id = v.id AND r.id = ANY(%s)",
            [RunStatus.DONE, now, RULESET_VERSION, *columns, ids],
        )


def _referenced_proposals(finding, cross) -> set[int]:
    """The other proposals a failed cross-proposal finding is about."""
    if finding.rule == "submission.duplicate":
        mentioned = json.dumps([finding.params, finding.evidence], ensure_ascii=False, default=str)
        return {c.id for c in cross.duplicate_candidates if c.reference in mentioned}
    return {o.id for others in cross.person_proposals.values() for o in others}


def runs_requeue_stale(*, queued_for: timedelta | None = None) -> list[int]:
    """Sweep (run by every worker every SWEEP_INTERVAL seconds, and by beat): runs
    left `running` under an expired lease (their worker died and nothing redelivered
    the message) go back to `queued`; runs `queued` for longer than ``queued_for``
    (default SCREENING_QUEUED_RESEND seconds: their message was lost, e.g. the broker
    restarted empty) are sent again. Both are re-sent as chunk tasks through the
    outbox. A run already started MAX_ATTEMPTS times fails, its proposal given back.
    Returns the re-sent run IDs."""
    now = timezone.now()
    queued_cutoff = now - (queued_for or timedelta(seconds=settings.SCREENING_QUEUED_RESEND))
    lost = (
        Q(status=RunStatus.RUNNING, lease_expires_at__lt=now)
        | Q(status=RunStatus.RUNNING, lease_expires_at__isnull=True, started_at__lt=queued_cutoff)
        | Q(status=RunStatus.QUEUED, queued_at__lt=queued_cutoff)
    )
    candidates = list(ScreeningRun.objects.filter(lost).values_list("pk", "status"))
    if not candidates:
        return []
    # a queued run whose message still waits (in the outbox or the broker) is not lost
    covered = _runs_awaiting_their_task() if any(s == RunStatus.QUEUED for _, s in candidates) else set()
    ids = [pk for pk, status in candidates if status != RunStatus.QUEUED or pk not in covered]
    if not ids:
        return []
    with transaction.atomic():
        stale = list(
            ScreeningRun.objects.select_for_update(skip_locked=True)
            .filter(lost, pk__in=ids)
            .values_list("pk", "attempts")
        )
        given_up = [pk for pk, attempts in stale if attempts >= MAX_ATTEMPTS]
        resent = sorted(pk for pk, attempts in stale if attempts < MAX_ATTEMPTS)
        ScreeningRun.objects.filter(pk__in=resent).update(status=RunStatus.QUEUED, queued_at=now, **RELEASED)
        _enqueue_chunks(resent, queue=FAST_QUEUE)
    if given_up:
        _fail_runs(given_up, error=LOST_TOO_OFTEN)
    return resent


def _runs_awaiting_their_task() -> set[int]:
    """Runs named by an outbox row whose work has not started (pending, delayed or
    queued in the broker): their message is not lost, the sweep leaves them alone."""
    ids: set[int] = set()
    for args in outbox_unstarted_args([SCREEN_RUN, SCREEN_CHUNK]):
        first = args[0] if args else None
        ids.update(first if isinstance(first, list) else [first])
    return ids


def runs_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting on this machine: the runs its earlier, now
    dead processes still hold are re-sent at once instead of waiting for their lease
    to expire (runs of its live processes are left alone)."""
    with transaction.atomic():
        held = ScreeningRun.objects.select_for_update(skip_locked=True).filter(
            status=RunStatus.RUNNING, lease_owner__startswith=f"{node}/"
        )
        ids = sorted(pk for pk, owner in held.values_list("pk", "lease_owner") if holder_is_gone(owner))
        ScreeningRun.objects.filter(pk__in=ids).update(status=RunStatus.QUEUED, **RELEASED)
        _enqueue_chunks(ids, queue=FAST_QUEUE)
    return ids


# --- reports -----------------------------------------------------------------------


def report_view_record(*, user, proposal: Proposal, run: ScreeningRun) -> ScreeningRun | None:
    """The owner of ``proposal`` has just looked at the report of the finished ``run``:
    remember it, and return the run they had seen before (None the first time, or when
    that run is gone). Idempotent: looking again at the same run changes nothing."""
    with transaction.atomic():
        view, created = ReportView.objects.select_for_update().get_or_create(
            user=user, proposal=proposal, defaults={"run_seen": run}
        )
        if created:
            return None
        seen = view.run_seen
        if view.run_seen_id != run.pk:
            view.run_seen = run
            view.save(update_fields=["run_seen", "seen_at"])
    return seen
