"""A run that failed for good: its recorded error is shown to officers (not applicants), the
workspace finds such proposals ("预审运行失败"), and checking again re-runs them."""

import pytest

from screening import services
from screening.models import ScreeningRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(three):
    a, b, _ = three
    run = ScreeningRun.objects.filter(proposal=b).latest("pk")
    failed = ScreeningRun.objects.create(proposal=b, reason="manual")
    services._fail_runs([failed.pk], error=services.LOST_TOO_OFTEN)
    failed.refresh_from_db()
    assert (failed.status, run.status) == ("failed", "done")
    return b, failed


def test_officers_read_why_the_run_failed_applicants_only_that_it_did(client, failed, officer):
    proposal, run = failed
    client.force_login(officer)
    page = client.get(f"/screening/proposals/{proposal.pk}/").content.decode()
    assert 'data-testid="run-failed"' in page
    assert services.LOST_TOO_OFTEN in page
    client.force_login(proposal.owner)
    page = client.get(f"/screening/proposals/{proposal.pk}/").content.decode()
    assert 'data-testid="run-failed"' in page
    assert services.LOST_TOO_OFTEN not in page


def test_the_workspace_lists_the_proposals_whose_latest_run_failed_and_checking_again_reruns(
    client, failed, officer, django_capture_on_commit_callbacks
):
    proposal, run = failed
    client.force_login(officer)
    page = client.get("/screening/workspace/proposals/", {"overall": "run_failed"}).content.decode()
    assert proposal.reference in page
    assert "P-A" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/screening/proposals/{proposal.pk}/check/")
    assert ScreeningRun.objects.filter(proposal=proposal).latest("pk").status == "done"
    page = client.get("/screening/workspace/proposals/", {"overall": "run_failed"}).content.decode()
    assert proposal.reference not in page
