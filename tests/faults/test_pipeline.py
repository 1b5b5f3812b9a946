"""The job pipeline under real faults: a broker that comes back empty, a relay killed,
database backends terminated again and again, twenty people checking one proposal at
once, requests while the broker is down. Each asserts that nothing is lost, nothing
failed for a transient cause, nothing is stuck, and records the time to completion."""

import os
import signal
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from common.models import Heartbeat, OutboxMessage
from proposals.models import Proposal
from screening import services
from screening.models import ScreeningRun
from tests.factories.screening_db import make_proposal
from tests.faults.conftest import record, wait_until
from tests.faults.test_recovery import all_done, assert_each_screened_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def guide():
    from guide.services import guide_ingest
    from tests.screening.conftest import GUIDE_2022

    return guide_ingest(path=GUIDE_2022)


def _submit(proposal):
    from proposals.services import proposal_submit

    Proposal.objects.filter(pk=proposal.pk).update(state="draft")
    proposal.refresh_from_db()
    assert proposal_submit(proposal=proposal, by=proposal.owner) == []


def test_a_broker_restarted_empty_loses_nothing(guide, start_worker, start_relay, own_redis, client):
    # the relay publishes while no worker runs: submissions, checks and a batch wait in Redis
    relay = start_relay()
    submitted = [make_proposal() for _ in range(3)]
    for proposal in submitted:
        _submit(proposal)
    checks = [services.screening_request(proposal=make_proposal(), reason="manual") for _ in range(3)]
    batch = services.screening_batch_create(proposals=[make_proposal() for _ in range(450)])
    wait_until(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(), timeout=30)
    assert OutboxMessage.objects.filter(started_at__isnull=True).count() == 3 + 3 + 3  # 450 runs: 3 chunks

    own_redis.stop()  # SIGKILL: everything queued in it is gone
    own_redis.start()
    back = time.monotonic()
    health = Client().get("/healthz").json()
    assert health["outbox"]["published_not_started"] + health["outbox"]["pending"] == 9
    start_worker()
    wanted = [*checks, *batch.runs.all()]
    wait_until(
        lambda: (
            all_done(wanted)
            and ScreeningRun.objects.filter(proposal__in=submitted, status="done").count() == 3
        ),
        timeout=60,
    )
    seconds = time.monotonic() - back
    record("broker restarted empty (3 submissions, 3 checks, 450-run batch) → all done", seconds)
    assert_each_screened_once([r.pk for r in wanted])
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in submitted]).values_list("state", flat=True)) == {
        "screened"
    }
    assert not ScreeningRun.objects.filter(status="failed").exists()
    relay.stop()


def test_a_killed_relay_is_restarted_and_what_waited_is_published(guide, start_worker):
    beat = f"relay:{start_worker().node}"  # this worker's relay, not one a finished test left behind
    wait_until(lambda: Heartbeat.objects.filter(name=beat).exists(), timeout=60)
    pid = Heartbeat.objects.get(name=beat).pid
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    run = services.screening_request(proposal=make_proposal(), reason="manual")
    # liveness bounds only: on a loaded machine starting the new relay process takes seconds
    wait_until(lambda: ScreeningRun.objects.get(pk=run.pk).status == "done", timeout=90)
    record("relay SIGKILLed, check asked meanwhile → check done", time.monotonic() - killed)
    assert Heartbeat.objects.get(name=beat).pid != pid
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def _terminate_backends(
    stop: threading.Event, every: float, database: str, own: int, counts: list[int]
) -> None:
    """Terminate every backend of the test database but this test's own, every ``every`` s."""
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
        while not stop.wait(every):
            counts.append(
                admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> %s",
                    [database, own],
                ).fetchone()[0]
            )


def test_database_backends_terminated_again_and_again_fail_no_run(guide, start_worker):
    start_worker(slow=0.5)
    batch = services.screening_batch_create(proposals=[make_proposal() for _ in range(800)])
    runs = list(batch.runs.all())
    connection.ensure_connection()
    stop, counts = threading.Event(), []
    blips = threading.Thread(
        target=_terminate_backends,
        args=(stop, 0.2, connection.settings_dict["NAME"], connection.connection.info.backend_pid, counts),
    )
    started = time.monotonic()
    blips.start()
    time.sleep(10)
    stop.set()
    blips.join()
    assert sum(counts) > 20  # backends were really terminated, many times
    wait_until(lambda: all_done(runs), timeout=240)
    record("backends terminated every 0.2 s for 10 s (800 runs) → all done", time.monotonic() - started)
    assert ScreeningRun.objects.filter(batch=batch, status="failed").count() == 0
    assert_each_screened_once([r.pk for r in runs])
    assert max(ScreeningRun.objects.filter(batch=batch).values_list("attempts", flat=True)) == 1


def test_twenty_concurrent_checks_of_one_proposal_make_one_run(guide, start_worker):
    start_worker()
    proposal = make_proposal()
    barrier = threading.Barrier(20)
    made = []

    def check():
        try:
            barrier.wait()
            made.append(services.screening_request(proposal=proposal, reason="manual").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 20
    assert len(set(made)) == 1
    wait_until(lambda: ScreeningRun.objects.get(pk=made[0]).status == "done", timeout=30)
    assert ScreeningRun.objects.filter(proposal=proposal).count() == 1


def test_requests_never_talk_to_the_broker(guide, start_worker, own_redis, monkeypatch):
    """With the broker down, a check, a submission and an upload answer without one
    publishing attempt (the relay publishes later): they cannot wait on it."""
    from config.celery import app
    from proposals.docgen import build_docx
    from tests.factories.proposals import complete_data, make_user
    from tests.factories.proposals import make_proposal as make_draft
    from tests.faults.test_recovery import _docx_upload

    own_redis.stop()
    calls = []
    monkeypatch.setattr(app, "send_task", lambda *a, **k: calls.append(a))
    applicant = make_user("applicant-nb")
    client = Client()
    client.force_login(applicant)
    draft = make_draft(owner=applicant)
    submitted = make_proposal(owner=applicant)
    responses = [
        client.post(reverse("proposals:submit", args=[draft.pk]), {"confirm": "1"}),  # past the confirmation
        client.post(reverse("screening:check", args=[submitted.pk])),
        client.post(reverse("proposals:upload"), {"file": _docx_upload(build_docx(complete_data()))}),
    ]
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert calls == []
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 3


def test_an_exports_parts_are_rendered_by_both_worker_processes_at_once(
    guide, start_worker, django_user_model
):
    """An export job's parts are tasks of their own: the two pool processes of a real worker each
    render one at the same time (seen running together, under two owners), and the file holds every
    proposal once, in order."""
    import io

    from openpyxl import load_workbook

    from screening.workspace import services as workspace
    from screening.workspace.models import BulkJob, BulkJobPart

    start_worker(env={"FAULT_EXPORT_CHUNK": "2", "FAULT_SLOW_PART_SECONDS": "1"})
    officer = django_user_model.objects.create(username="fault-officer")
    proposals = [make_proposal(reference=f"EXP-{n}") for n in range(8)]
    started = time.monotonic()
    job = workspace.bulk_job_request(
        kind="export",
        proposal_ids=[p.pk for p in proposals],
        by=officer,
        params={"format": "xlsx", "lang": "zh", "query": ""},
    )
    together = set()

    def finished() -> bool:
        running = set(
            BulkJobPart.objects.filter(job_id=job.pk, status="running").values_list("lease_owner", flat=True)
        )
        if len(running) > 1:
            together.update(running)
        return BulkJob.objects.get(pk=job.pk).status in ("done", "failed")

    wait_until(finished, timeout=60, step=0.05)
    record(
        "an export of 4 parts (1 s each) on one worker of two processes → file", time.monotonic() - started
    )
    job.refresh_from_db()
    assert (job.status, job.error, job.done, BulkJobPart.objects.filter(job_id=job.pk).count()) == (
        "done",
        "",
        8,
        0,
    )
    assert len({owner.rpartition("/")[2] for owner in together}) == 2  # two processes, at once
    with job.result.open("rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read()))["申报项目"]
    assert [row[0] for row in sheet.iter_rows(min_row=14, values_only=True)] == [f"EXP-{n}" for n in range(8)]
