import itertools
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals.models import Proposal
from screening import registries, services
from screening.models import Finding, RegistryLoad, ScreeningRun
from screening.rules.registry import RULES
from tests.factories.screening_db import distinct_text, make_proposal

pytestmark = pytest.mark.django_db
_distinct = itertools.count()


def statuses(run: ScreeningRun) -> dict[str, str]:
    result = {}
    for f in run.findings.order_by("position"):
        if f.status == "fail" or f.rule not in result:
            result[f.rule] = f.status
    return result


def request_and_run(proposal, django_capture_on_commit_callbacks, **kwargs) -> ScreeningRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.screening_request(proposal=proposal, **kwargs)
    run.refresh_from_db()
    return run


def test_clean_proposal_passes_every_rule(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    run = request_and_run(proposal, django_capture_on_commit_callbacks)
    got = statuses(run)
    assert run.status == "done"
    assert set(got) == set(RULES)
    failing = {rule: s for rule, s in got.items() if s in ("fail", "unknown")}
    assert failing == {}
    assert run.ruleset_version != ""
    assert len(run.data_sha256) == 64
    proposal.refresh_from_db()
    assert proposal.state == "screened"


def test_unloaded_registries_make_their_rules_unknown(guide2022, django_capture_on_commit_callbacks):
    run = request_and_run(make_proposal(), django_capture_on_commit_callbacks)
    got = statuses(run)
    assert got["pi.ongoing_project"] == "unknown"
    assert got["person.integrity"] == "unknown"
    assert got["recommendation.recommender"] == "unknown"
    assert run.overall == "warn"


def test_old_pi_fails_pi_age_with_guide_date(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    from datetime import date

    run = request_and_run(make_proposal(pi_birth=date(1961, 12, 31)), django_capture_on_commit_callbacks)
    assert statuses(run)["pi.age"] == "fail"
    assert run.overall == "fail"


def test_executing_the_same_run_twice_keeps_one_set_of_findings(
    guide2022, django_capture_on_commit_callbacks
):
    run = request_and_run(make_proposal(), django_capture_on_commit_callbacks)
    before = Finding.objects.filter(run=run).count()
    assert services.screening_execute(run_ids=[run.pk]) == []
    assert Finding.objects.filter(run=run).count() == before
    assert ScreeningRun.objects.count() == 1


def test_same_pi_in_two_submissions_fails_both_and_rescreens_the_earlier(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    first = make_proposal(pi_id="11010519491231002X")
    request_and_run(first, django_capture_on_commit_callbacks)
    second = make_proposal(pi_id="11010519491231002X")
    run2 = request_and_run(second, django_capture_on_commit_callbacks)
    assert statuses(run2)["pi.single_project"] == "fail"
    latest_first = first.screening_runs.order_by("-pk").first()
    assert latest_first.reason == "collision"
    assert statuses(latest_first)["pi.single_project"] == "fail"
    assert ScreeningRun.objects.count() == 3  # no endless ping-pong


def test_drafts_do_not_collide_with_submissions(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    make_proposal(pi_id="11010519491231002X", state="draft")
    run = request_and_run(make_proposal(pi_id="11010519491231002X"), django_capture_on_commit_callbacks)
    assert statuses(run)["pi.single_project"] == "pass"


def test_registry_loaded_as_empty_list_passes_and_listed_person_fails(
    guide2022, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    pi = proposal.people.get(role="pi")
    registries.registries_import(data={"misconduct": []})
    assert (
        statuses(request_and_run(proposal, django_capture_on_commit_callbacks))["person.integrity"] == "pass"
    )
    registries.registries_import(data={"misconduct": [{"id_number": pi.id_number, "name": pi.name}]})
    assert (
        statuses(request_and_run(proposal, django_capture_on_commit_callbacks))["person.integrity"] == "fail"
    )


def test_registry_import_rejects_bad_rows_and_writes_nothing():
    with pytest.raises(registries.RegistryImportError) as exc:
        registries.registries_import(data={"guide_experts": [{"name": "no id"}]})
    assert str(exc.value) == "名单“指南编制专家”第 1 条：“证件号码”没有填写。"
    assert RegistryLoad.objects.count() == 0


def test_registry_import_rejects_unknown_registry():
    with pytest.raises(registries.RegistryImportError) as exc:
        registries.registries_import(data={"blacklist": []})
    assert str(exc.value) == (
        "没有这些名单：blacklist。可用的名单：ongoing_projects、misconduct、guide_experts、recommenders。"
    )


def test_registry_csv_import_for_recommenders():
    count = registries.registry_import_csv(
        name="recommenders", text="name\n科学技术部国际合作司\n某省科技厅\n"
    )
    assert count == 2
    assert RegistryLoad.objects.get(name="recommenders").entries == 2


def test_stale_running_run_is_requeued(guide2022, django_capture_on_commit_callbacks):
    proposal = make_proposal()
    run = ScreeningRun.objects.create(
        proposal=proposal, status="running", started_at=timezone.now() - timedelta(hours=2), attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.runs_requeue_stale() == [run.pk]
    run.refresh_from_db()
    assert run.status == "done"
    assert run.attempts == 2


def test_stale_run_fails_after_max_attempts():
    proposal = make_proposal()
    run = ScreeningRun.objects.create(
        proposal=proposal, status="running", started_at=timezone.now() - timedelta(hours=2), attempts=3
    )
    assert services.runs_requeue_stale() == []
    run.refresh_from_db()
    assert run.status == "failed"


def _batch_queries(n: int, django_capture_on_commit_callbacks) -> int:
    # wholly distinct content: no shared fingerprint may bring the (constant) extra queries
    # of loading duplicate candidates into one size and not the other
    proposals = [make_proposal(research_content=distinct_text(5000 + next(_distinct), 200)) for _ in range(n)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.screening_batch_create(proposals=proposals)
    ids = list(batch.runs.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        assert sorted(services.screening_execute(run_ids=ids)) == sorted(ids)
    # bulk inserts of findings are split by the backend's parameter limit: count the rest
    return len(
        [q for q in ctx.captured_queries if not q["sql"].startswith('INSERT INTO "screening_finding"')]
    )


def test_batch_screening_query_count_is_constant(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    first = _batch_queries(1, django_capture_on_commit_callbacks)  # also builds the guide's rule inputs
    small = _batch_queries(3, django_capture_on_commit_callbacks)
    large = _batch_queries(12, django_capture_on_commit_callbacks)
    assert small == large
    assert first > small  # the process keeps the guide's rule inputs it built (selectors.guide_params)


def test_failed_run_gives_the_proposal_back_to_submitted(
    guide2022, monkeypatch, django_capture_on_commit_callbacks
):
    from screening import selectors

    def broken():
        raise RuntimeError("registry table unreadable")

    monkeypatch.setattr(selectors, "registries_current", broken)
    proposal = make_proposal()
    run = request_and_run(proposal, django_capture_on_commit_callbacks)
    proposal.refresh_from_db()
    assert (run.status, run.error) == ("failed", "RuntimeError: registry table unreadable")
    assert proposal.state == "submitted"


def test_run_left_queued_too_long_is_enqueued_again(guide2022, django_capture_on_commit_callbacks):
    proposal = make_proposal()
    run = ScreeningRun.objects.create(proposal=proposal)
    ScreeningRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.runs_requeue_stale() == [run.pk]
    run.refresh_from_db()
    assert run.status == "done"


def test_giving_up_on_a_stale_run_releases_its_proposal(guide2022):
    proposal = make_proposal(state="screening")
    ScreeningRun.objects.create(
        proposal=proposal, status="running", started_at=timezone.now() - timedelta(hours=2), attempts=3
    )
    services.runs_requeue_stale()
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


# --- leases: redelivery, duplicates, take-over ---------------------------------------


def _claimed(run: ScreeningRun, *, task: str, token: str, expires_in: float) -> None:
    ScreeningRun.objects.filter(pk=run.pk).update(
        status="running",
        started_at=timezone.now(),
        attempts=1,
        lease_owner="celery@w1/100",
        lease_task=task,
        lease_token=token,
        lease_expires_at=timezone.now() + timedelta(seconds=expires_in),
    )


def test_redelivered_task_takes_its_running_runs_over_at_once(guide2022):
    run = ScreeningRun.objects.create(proposal=make_proposal())
    _claimed(run, task="task-1", token="dead", expires_in=60)
    assert services.screening_execute(run_ids=[run.pk], task_id="task-1") == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.lease_token, run.findings.count()) == ("done", 2, "", len(RULES))


def test_another_task_leaves_runs_under_a_live_lease_alone(guide2022):
    run = ScreeningRun.objects.create(proposal=make_proposal())
    _claimed(run, task="task-1", token="live", expires_in=60)
    assert services.screening_execute(run_ids=[run.pk], task_id="task-2") == []
    run.refresh_from_db()
    assert (run.status, run.lease_token, run.findings.count()) == ("running", "live", 0)


def test_another_task_takes_over_runs_whose_lease_expired(guide2022):
    run = ScreeningRun.objects.create(proposal=make_proposal())
    _claimed(run, task="task-1", token="dead", expires_in=-1)
    assert services.screening_execute(run_ids=[run.pk], task_id="task-2") == [run.pk]


def test_an_execution_taken_over_meanwhile_writes_no_findings(guide2022, monkeypatch):
    from screening import selectors

    run = ScreeningRun.objects.create(proposal=make_proposal())
    real = selectors.registries_current

    def taken_over():
        ScreeningRun.objects.filter(pk=run.pk).update(lease_token="the-other-delivery")
        return real()

    monkeypatch.setattr(selectors, "registries_current", taken_over)
    assert services.screening_execute(run_ids=[run.pk], task_id="task-1") == []
    run.refresh_from_db()
    assert (run.status, run.lease_token, run.findings.count()) == ("running", "the-other-delivery", 0)


def test_a_task_that_keeps_killing_workers_fails_its_runs_on_the_fourth_delivery(guide2022):
    proposal = make_proposal(state="screening")
    run = ScreeningRun.objects.create(proposal=proposal)
    _claimed(run, task="task-1", token="dead", expires_in=60)
    ScreeningRun.objects.filter(pk=run.pk).update(attempts=services.MAX_ATTEMPTS)
    assert services.screening_execute(run_ids=[run.pk], task_id="task-1") == []
    run.refresh_from_db()
    proposal.refresh_from_db()
    assert (run.status, run.error, proposal.state) == ("failed", services.LOST_TOO_OFTEN, "submitted")


@pytest.mark.django_db(transaction=True)  # the connection is dropped: no test transaction around it
def test_transient_database_error_keeps_the_claim_for_the_retry(guide2022, monkeypatch):
    from django.db import OperationalError

    from screening import selectors

    run = ScreeningRun.objects.create(proposal=make_proposal())

    def connection_lost():
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(selectors, "registries_current", connection_lost)
    with pytest.raises(OperationalError):
        services.screening_execute(run_ids=[run.pk], task_id="task-1")
    run.refresh_from_db()
    assert (run.status, run.lease_task, run.attempts) == ("running", "task-1", 1)
    monkeypatch.undo()
    # the retry lands on the other pool process of the same node, while the first is alive
    sibling = f"{socket.gethostname()}/{os.getppid()}"
    ScreeningRun.objects.filter(pk=run.pk).update(lease_owner=sibling)
    assert services.screening_execute(run_ids=[run.pk], task_id="task-1") == []  # a duplicate: hands off
    assert services.screening_execute(run_ids=[run.pk], task_id="task-1", retries=1) == [run.pk]  # the retry
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 1)  # a transient error is not an attempt


def test_sweep_resends_expired_leases_as_chunk_tasks(guide2022, django_capture_on_commit_callbacks):
    from common.models import OutboxMessage

    runs = [ScreeningRun.objects.create(proposal=make_proposal()) for _ in range(3)]
    for run in runs[:2]:
        _claimed(run, task="task-1", token="dead", expires_in=-1)
    _claimed(runs[2], task="task-2", token="live", expires_in=60)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.runs_requeue_stale() == [runs[0].pk, runs[1].pk]
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("screening.screen_chunk", [[runs[0].pk, runs[1].pk]])
    ]


def test_restarted_worker_releases_the_runs_its_dead_processes_held(
    guide2022, django_capture_on_commit_callbacks
):
    dead, alive, other_node = (ScreeningRun.objects.create(proposal=make_proposal()) for _ in range(3))
    for n, run in enumerate((dead, alive, other_node)):
        _claimed(run, task=f"task-{n}", token=str(n), expires_in=60)
    ScreeningRun.objects.filter(pk=dead.pk).update(lease_owner=f"celery@w1/{dead_pid()}")
    ScreeningRun.objects.filter(pk=alive.pk).update(lease_owner=f"celery@w1/{os.getpid()}")
    ScreeningRun.objects.filter(pk=other_node.pk).update(lease_owner=f"celery@w2/{dead_pid()}")
    with django_capture_on_commit_callbacks(execute=False):
        assert services.runs_release_worker(node="celery@w1") == [dead.pk]
    assert dict(ScreeningRun.objects.values_list("pk", "status")) == {
        dead.pk: "queued",
        alive.pk: "running",
        other_node.pk: "running",
    }


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_colliding_submissions_rescreen_each_earlier_proposal_once(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    # 12 submissions by the same PI, each screened as it comes in, the collision
    # re-screens waiting (debounced) meanwhile: one re-screen per earlier proposal, not n²/2
    proposals = []
    for _ in range(12):
        proposal = make_proposal(pi_id="11010519491231002X")
        proposals.append(proposal)
        with django_capture_on_commit_callbacks(execute=False):
            run = services.screening_request(proposal=proposal, reason="submit")
            services.screening_execute(run_ids=[run.pk])
    collision = ScreeningRun.objects.filter(reason="collision")
    assert collision.count() == 11
    assert sorted(collision.values_list("proposal_id", flat=True)) == sorted(p.pk for p in proposals[:-1])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_check_requests_make_one_run(monkeypatch):
    import threading
    import time

    from django.db import connection as default_connection

    from config.celery import app
    from guide.services import guide_ingest
    from proposals.models import Proposal
    from screening.models import ContentFingerprint
    from tests.screening.conftest import GUIDE_2022

    guide_ingest(path=GUIDE_2022)
    proposal = make_proposal()
    # no fingerprint rows whose deletion would serialise the requests anyway, and a wide
    # window between reading the queued runs and creating one
    Proposal.objects.filter(pk=proposal.pk).update(research_content="")
    services.proposals_index_update(proposals=[Proposal.objects.get(pk=proposal.pk)])
    assert ContentFingerprint.objects.filter(proposal=proposal).count() == 0
    index_update = services.proposals_index_update

    def slow_index_update(**kwargs):
        index_update(**kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(services, "proposals_index_update", slow_index_update)
    published = []
    monkeypatch.setattr(app, "send_task", lambda name, **kw: published.append((name, kw["args"])))
    barrier = threading.Barrier(5)

    def click():
        try:
            barrier.wait()
            services.screening_request(proposal=Proposal.objects.get(pk=proposal.pk))
        finally:
            default_connection.close()

    app.conf.task_always_eager = False
    try:
        threads = [threading.Thread(target=click) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        app.conf.task_always_eager = True
    from common.models import OutboxMessage

    run = ScreeningRun.objects.get(proposal=proposal)
    assert list(OutboxMessage.objects.values_list("task", "args")) == [("screening.screen_run", [run.pk])]
    assert published == []  # the requests only wrote the row: the relay publishes it


def test_a_retried_submission_follow_up_takes_over_its_own_run(guide2022, all_registries_empty):
    """The follow-up's first attempt claimed its run and then died on a database error (a
    deadlock at commit, seen in the rush): the proposal is "being screened" and the run is held
    by that attempt. Its retry screens it at once instead of leaving the run to the lease's end."""
    from proposals.enums import ProposalState

    proposal = make_proposal()
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.SUBMITTED)
    proposal.refresh_from_db()
    run = services.screening_request(proposal=proposal, reason="submit", publish=False)
    token, claimed = services._claim([run.pk], task_id="follow-up-1")  # the first attempt, then it died
    assert claimed == [run.pk]
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SCREENING
    again = services.screening_on_submitted(
        proposal_id=proposal.pk, user_id=None, task_id="follow-up-1", retries=1
    )
    assert (again.pk, again.status) == (run.pk, "done")
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SCREENED
