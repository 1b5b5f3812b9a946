"""Submitting through the API goes through proposal_submit, with the pages' confirmation
for failing checks, and ends screened (tasks run eagerly on the embedded default)."""

from datetime import date

import pytest

from proposals.models import Proposal
from screening.models import ScreeningRun
from tests.api.conftest import token_client
from tests.factories.proposals import complete_data, make_proposal, make_user


def data_2022(**overrides):
    return complete_data(
        guide_year=2022, start_date=date(2023, 1, 1), end_date=date(2025, 12, 31), **overrides
    )


@pytest.mark.django_db(transaction=True)
def test_submit_through_the_api_ends_in_a_screened_proposal_with_its_report(guide2022):
    """Real commits (a transactional test): the submission's outbox row is published after
    commit and the screening task runs eagerly, as on the embedded default."""
    alice = make_user("alice")
    proposal = make_proposal(owner=alice, data=data_2022())
    client = token_client(alice)
    response = client.post(f"/api/v1/proposals/{proposal.pk}/submit/", {"confirm": True}, format="json")
    assert response.status_code == 200  # confirmed: its content fails the recommendation letter check
    assert Proposal.objects.get(pk=proposal.pk).state == "screened"
    run = ScreeningRun.objects.get(proposal=proposal)
    assert (run.status, run.reason, run.requested_by_id) == ("done", "submit", alice.pk)
    report = client.get(f"/api/v1/proposals/{proposal.pk}/report/").json()
    assert (report["run"]["id"], report["run"]["status"]) == (run.pk, "done")
    assert len(report["findings"]) == run.findings.count()
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").json()["state"] == "screened"


db_test = pytest.mark.django_db


@pytest.fixture
def failing_check(settings):
    settings.SUBMIT_WARNINGS = "tests.proposals.test_submit_warnings.two_failures"


@db_test
def test_submit_with_failing_checks_asks_for_confirmation_and_submits_when_confirmed(
    failing_check, django_capture_on_commit_callbacks
):
    alice = make_user("alice")
    proposal = make_proposal(owner=alice)
    client = token_client(alice)
    response = client.post(f"/api/v1/proposals/{proposal.pk}/submit/", {}, format="json")
    assert (response.status_code, response.json()) == (
        409,
        {
            "error": {
                "code": "confirmation_required",
                "message": '按草稿现在的内容检查，有 2 项条件不通过；确认仍要提交，请在请求中加上 "confirm": true。',
                "fields": {},
                "checks": [
                    {"rule": "pi.age", "title": "项目负责人年龄"},
                    {"rule": "recommendation.recommender", "title": "推荐单位"},
                ],
            }
        },
    )
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"
    with django_capture_on_commit_callbacks(execute=False):
        confirmed = client.post(f"/api/v1/proposals/{proposal.pk}/submit/", {"confirm": True}, format="json")
    assert (confirmed.status_code, confirmed.json()["state"]) == (200, "submitted")


@db_test
def test_submit_of_an_incomplete_draft_lists_the_fields_and_keeps_the_draft(db):
    alice = make_user("alice")
    proposal = make_proposal(owner=alice, data=complete_data(title=None, start_date=None))
    response = token_client(alice).post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "not_submittable",
                "message": "还不能提交：有 2 处需要修改。",
                "fields": {"title": ["必填项，提交前请填写。"], "start_date": ["必填项，提交前请填写。"]},
            }
        },
    )
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"


@db_test
def test_submit_of_a_submitted_proposal_is_409(db):
    alice = make_user("alice")
    proposal = make_proposal(owner=alice, state="submitted")
    response = token_client(alice).post(f"/api/v1/proposals/{proposal.pk}/submit/", {"confirm": True})
    assert response.json()["error"] == {"code": "not_a_draft", "message": "只有草稿可以提交。", "fields": {}}
