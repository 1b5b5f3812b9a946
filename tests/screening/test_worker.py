"""A real Celery worker against the real Redis broker (not eager mode, which hides
serialisation and transaction bugs). Runs in CI; skipped locally without REDIS_URL."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection

from config.celery import app
from screening import services
from screening.models import ScreeningRun
from tests.factories.screening_db import make_proposal

pytestmark = [pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _close_db(**kwargs):
    connection.close()  # the worker thread's own connection; lets the test database be dropped


@pytest.fixture
def redis_worker():
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    task_postrun.connect(_close_db, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        task_postrun.disconnect(_close_db)
        app.conf.update(saved)


def _wait(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_batch_is_screened_end_to_end_by_a_real_worker(redis_worker):
    from guide.services import guide_ingest
    from tests.screening.conftest import GUIDE_2022

    guide_ingest(path=GUIDE_2022)
    proposals = [make_proposal() for _ in range(5)]
    batch = services.screening_batch_create(proposals=proposals)  # enqueued on commit (autocommit here)
    assert _wait(lambda: ScreeningRun.objects.filter(batch=batch, status="done").count() == 5)
    runs = list(ScreeningRun.objects.filter(batch=batch))
    assert sorted(r.proposal_id for r in runs) == sorted(p.pk for p in proposals)
    assert all(r.findings.count() > 20 for r in runs)
    assert {r.overall for r in runs} <= {"pass", "warn"}


def test_single_submission_run_reaches_done_through_the_worker(redis_worker):
    from guide.services import guide_ingest
    from tests.screening.conftest import GUIDE_2022

    guide_ingest(path=GUIDE_2022)
    run = services.screening_request(proposal=make_proposal(), reason="submit")
    assert _wait(lambda: ScreeningRun.objects.get(pk=run.pk).status == "done")
    run.refresh_from_db()
    assert run.attempts == 1
