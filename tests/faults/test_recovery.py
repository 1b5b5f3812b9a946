"""Faults against the real services: a pool child or the whole worker SIGKILLed
mid-run, Redis stopped while people submit, check and upload, the database
connection terminated mid-run, the same task delivered several times. Each test
asserts that nothing is lost, duplicated or stuck, and that recovery did not wait
for a lease to expire or for the sweep (it is bounded by the lease length)."""

import os
import signal
import time

import pytest
from django.db import connection
from django.urls import reverse

from proposals.models import DraftUpload
from screening import services
from screening.models import Finding, ScreeningRun
from screening.rules.registry import RULES
from tests.factories.screening_db import make_proposal
from tests.faults.conftest import record, wait_until

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


def all_done(runs) -> bool:
    return ScreeningRun.objects.filter(pk__in=[r.pk for r in runs]).exclude(status="done").count() == 0


def assert_each_screened_once(run_ids) -> None:
    runs = ScreeningRun.objects.filter(pk__in=run_ids)
    assert set(runs.values_list("status", flat=True)) == {"done"}
    per_run = {r.pk: r.findings.count() for r in runs}
    assert per_run == {pk: len(RULES) for pk in run_ids}
    assert Finding.objects.filter(run_id__in=run_ids).count() == len(RULES) * len(run_ids)


def running_pid(runs) -> int:
    wait_until(
        lambda: ScreeningRun.objects.filter(pk__in=[r.pk for r in runs], status="running").exists(), 30
    )
    owner = ScreeningRun.objects.filter(pk__in=[r.pk for r in runs], status="running").first().lease_owner
    return int(owner.rsplit("/", 1)[1])


def test_pool_child_sigkilled_mid_run_its_runs_complete_at_once(guide, start_worker):
    start_worker(slow=3)
    batch = services.screening_batch_create(proposals=[make_proposal() for _ in range(6)])
    runs = list(batch.runs.all())
    os.kill(running_pid(runs), signal.SIGKILL)
    seconds = wait_until(lambda: all_done(runs), timeout=services.screening_lease_seconds())
    record("pool child SIGKILLed mid-run → runs done", seconds)
    assert_each_screened_once([r.pk for r in runs])
    assert sorted(ScreeningRun.objects.filter(batch=batch).values_list("attempts", flat=True)) == [2] * 6


def test_whole_worker_sigkilled_and_restarted_its_runs_complete_at_once(guide, start_worker):
    worker = start_worker(slow=3)
    batch = services.screening_batch_create(proposals=[make_proposal() for _ in range(6)])
    runs = list(batch.runs.all())
    running_pid(runs)
    killed = time.monotonic()
    worker.kill_everything()
    worker.start()  # same node name: it gives back what its dead predecessor held
    seconds = wait_until(lambda: all_done(runs), timeout=services.screening_lease_seconds())
    record("whole worker SIGKILLed, restarted → runs done (after ready)", seconds)
    record("whole worker SIGKILLed, restarted → runs done (from the kill)", time.monotonic() - killed)
    assert_each_screened_once([r.pk for r in runs])


def test_worker_lost_for_good_another_worker_takes_over_when_the_lease_expires(guide, start_worker):
    # leases of 5 + 20 s here (SCREENING_TIME_LIMIT=5) instead of 60 + 20 s
    doomed = start_worker(name="doomed", slow=3, env={"SCREENING_TIME_LIMIT": "5"})
    batch = services.screening_batch_create(proposals=[make_proposal() for _ in range(4)])
    runs = list(batch.runs.all())
    running_pid(runs)
    lease = ScreeningRun.objects.filter(batch=batch, status="running").first().lease_expires_at
    doomed.kill_everything()
    start_worker(name="survivor")
    seconds = wait_until(lambda: all_done(runs), timeout=120)
    record("worker lost for good (25 s lease) → another worker's runs done", seconds)
    assert_each_screened_once([r.pk for r in runs])
    assert ScreeningRun.objects.filter(batch=batch).order_by("finished_at").first().finished_at > lease


def test_database_connection_terminated_mid_run_the_retry_takes_over(guide, start_worker):
    start_worker(slow=3)
    batch = services.screening_batch_create(proposals=[make_proposal() for _ in range(4)])
    runs = list(batch.runs.all())
    running_pid(runs)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
    seconds = wait_until(lambda: all_done(runs), timeout=services.screening_lease_seconds())
    record("PostgreSQL backends terminated mid-run → runs done", seconds)
    assert_each_screened_once([r.pk for r in runs])
    assert ScreeningRun.objects.filter(batch=batch, status="failed").count() == 0


@pytest.mark.parametrize("deliveries", [2, 5])
def test_the_same_task_delivered_several_times_screens_once(guide, start_worker, deliveries):
    from config.celery import app

    start_worker(slow=1)
    batch = services.screening_batch_create(proposals=[make_proposal() for _ in range(3)], enqueue=False)
    runs = list(batch.runs.all())
    ids = sorted(r.pk for r in runs)
    for _ in range(deliveries):
        app.send_task("screening.screen_chunk", args=[ids], task_id="the-same-task-id", retry=False)
    wait_until(lambda: all_done(runs), timeout=60)
    assert_each_screened_once(ids)
    assert sorted(ScreeningRun.objects.filter(batch=batch).values_list("attempts", flat=True)) == [1, 1, 1]


def test_redis_down_while_people_submit_check_and_upload_then_everything_runs(
    guide, start_worker, own_redis, client
):
    from proposals.docgen import build_docx
    from tests.factories.proposals import complete_data, make_user
    from tests.factories.proposals import make_proposal as make_draft

    start_worker()
    applicant = make_user("applicant-rd")
    client.force_login(applicant)
    draft = make_draft(owner=applicant)
    submitted = make_proposal(owner=applicant)
    own_redis.stop()

    responses = [
        client.post(reverse("proposals:submit", args=[draft.pk]), {"confirm": "1"}),  # past the confirmation
        client.post(reverse("screening:check", args=[submitted.pk])),
        client.post(
            reverse("proposals:upload"),
            {"file": _docx_upload(build_docx(complete_data()))},
        ),
    ]
    assert [r.status_code for r in responses] == [302, 302, 302]
    upload = DraftUpload.objects.get(owner=applicant)
    assert upload.state == "queued"
    progress = client.get(responses[1]["Location"])
    assert progress.status_code == 200

    own_redis.start()
    seconds = wait_until(
        lambda: (
            ScreeningRun.objects.filter(proposal__in=[draft, submitted], status="done").count() == 2
            and DraftUpload.objects.get(pk=upload.pk).state == "done"
        ),
        timeout=60,
    )
    record("Redis down during submit/check/upload, back → all done", seconds)
    assert sorted(
        ScreeningRun.objects.filter(proposal__in=[draft, submitted]).values_list("proposal_id", flat=True)
    ) == sorted([draft.pk, submitted.pk])
    assert DraftUpload.objects.get(pk=upload.pk).attempts == 1


def _docx_upload(content: bytes):
    from tests.factories.proposals import upload

    return upload(
        "draft.docx", content, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_a_long_extraction_never_delays_a_check(guide, start_worker):
    from proposals.docgen import build_docx
    from proposals.services import draft_upload_create
    from tests.factories.proposals import complete_data, make_user, upload

    start_worker(name="extraction", queues="extraction", env={"FAULT_SLOW_EXTRACT_SECONDS": "30"})
    start_worker(name="checks", queues="checks,celery,screening")
    owner = make_user("long-reader")
    draft = draft_upload_create(owner=owner, file=upload("draft.docx", build_docx(complete_data())))
    wait_until(lambda: DraftUpload.objects.get(pk=draft.pk).state == "running", timeout=30)
    run = services.screening_request(proposal=make_proposal(), reason="manual")
    seconds = wait_until(lambda: ScreeningRun.objects.get(pk=run.pk).status == "done", timeout=20)
    record("check while a 30 s extraction runs → check done", seconds)
    assert DraftUpload.objects.get(pk=draft.pk).state == "running"
