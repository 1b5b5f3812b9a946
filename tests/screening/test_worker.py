"""A real Celery worker against the real Redis broker (not eager mode, which hides
serialisation and transaction bugs). Runs in CI; skipped locally without REDIS_URL."""

import pytest

from screening import services
from screening.models import ScreeningRun
from tests.conftest import wait_for
from tests.factories.screening_db import make_proposal

pytestmark = [pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_batch_is_screened_end_to_end_by_a_real_worker(redis_worker):
    from guide.services import guide_ingest
    from tests.screening.conftest import GUIDE_2022

    guide_ingest(path=GUIDE_2022)
    proposals = [make_proposal() for _ in range(5)]
    batch = services.screening_batch_create(proposals=proposals)  # enqueued on commit (autocommit here)
    assert wait_for(lambda: ScreeningRun.objects.filter(batch=batch, status="done").count() == 5)
    runs = list(ScreeningRun.objects.filter(batch=batch))
    assert sorted(r.proposal_id for r in runs) == sorted(p.pk for p in proposals)
    assert all(r.findings.count() > 20 for r in runs)
    assert {r.overall for r in runs} <= {"pass", "warn"}


def test_single_submission_run_reaches_done_through_the_worker(redis_worker):
    from guide.services import guide_ingest
    from tests.screening.conftest import GUIDE_2022

    guide_ingest(path=GUIDE_2022)
    run = services.screening_request(proposal=make_proposal(), reason="submit")
    assert wait_for(lambda: ScreeningRun.objects.get(pk=run.pk).status == "done")
    run.refresh_from_db()
    assert run.attempts == 1
