"""Submitting a draft whose current content fails conditions asks for confirmation first, on a
page of its own (POST/redirect/GET); the failing checks come from the settings.SUBMIT_WARNINGS
hook (stubbed here: the proposals app does not know screening; tests/screening/test_freshness.py
uses the real one)."""

import pytest
from django.urls import reverse

from tests.factories.proposals import make_proposal, make_user

pytestmark = pytest.mark.django_db

CALLS = []


def two_failures(proposal, **told):
    CALLS.append(proposal.pk)
    return [("pi.age", "项目负责人年龄"), ("recommendation.recommender", "推荐单位")]


def no_failures(proposal, **told):
    CALLS.append(proposal.pk)
    return []


@pytest.fixture
def owner(client):
    user = make_user("submitter")
    client.force_login(user)
    return user


@pytest.fixture
def failing(settings):
    settings.SUBMIT_WARNINGS = "tests.proposals.test_submit_warnings.two_failures"
    CALLS.clear()


def submit(client, proposal, **data):
    return client.post(reverse("proposals:submit", args=[proposal.pk]), data)


def confirm_url(proposal) -> str:
    return reverse("proposals:submit_confirm", args=[proposal.pk])


def test_submit_with_failing_checks_goes_to_the_confirmation_page(client, owner, failing):
    proposal = make_proposal(owner=owner)
    response = submit(client, proposal)
    assert (response.status_code, response["Location"]) == (302, confirm_url(proposal))
    assert CALLS == [proposal.pk]
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_the_confirmation_page_lists_what_fails_now(client, owner, failing):
    proposal = make_proposal(owner=owner)
    response = client.get(confirm_url(proposal))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "proposals/submit_confirm.html"
    assert response.context["failures"] == [
        ("pi.age", "项目负责人年龄"),
        ("recommendation.recommender", "推荐单位"),
    ]
    html = response.content.decode()
    assert html.count("按您现在填写的内容检查，有 2 项条件不通过：") == 1
    assert html.count('<li data-rule="pi.age">项目负责人年龄</li>') == 1
    assert html.count('<input type="hidden" name="confirm" value="1">') == 1
    assert html.count('data-testid="confirm-submit">仍然提交</button>') == 1
    assert CALLS == [proposal.pk]
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_the_confirmation_page_in_english(client, owner, failing):
    client.cookies["django_language"] = "en"
    html = client.get(confirm_url(make_proposal(owner=owner))).content.decode()
    assert html.count("Checked on what you have entered now, 2 conditions fail:") == 1
    assert html.count('data-testid="confirm-submit">Submit anyway</button>') == 1
    assert html.count("仍然提交") == 0


def test_the_confirmation_page_of_a_submitted_proposal_goes_to_its_page(client, owner, failing):
    proposal = make_proposal(owner=owner, state="submitted")
    response = client.get(confirm_url(proposal))
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/")
    assert CALLS == []


def test_the_confirmation_page_of_another_applicants_draft_is_not_found(client, owner, failing):
    other = make_proposal(owner=make_user("someone-else"))
    assert client.get(confirm_url(other)).status_code == 404


def test_confirming_submits_despite_failing_checks(client, owner, failing):
    proposal = make_proposal(owner=owner)
    response = submit(client, proposal, confirm="1")
    assert response.status_code == 302
    assert CALLS == []
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["已提交；预审将在后台进行。"]


def test_without_failing_checks_submitting_works_at_once(client, owner, settings):
    settings.SUBMIT_WARNINGS = "tests.proposals.test_submit_warnings.no_failures"
    CALLS.clear()
    client.cookies["django_language"] = "en"
    proposal = make_proposal(owner=owner)
    response = submit(client, proposal)
    assert response.status_code == 302
    assert CALLS == [proposal.pk]
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Submitted; screening will run in the background."]


def test_without_a_hook_configured_submitting_works_as_before(client, owner, settings):
    settings.SUBMIT_WARNINGS = ""
    proposal = make_proposal(owner=owner)
    assert submit(client, proposal).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


def test_a_submitted_proposal_is_not_asked_about_its_checks(client, owner, failing):
    proposal = make_proposal(owner=owner, state="submitted")
    response = submit(client, proposal)
    assert response.status_code == 302
    assert CALLS == []
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["只有草稿可以提交。"]


def test_save_and_submit_from_the_form_also_asks_to_confirm_failing_checks(client, owner, failing):
    from tests.proposals.test_views import post_data

    proposal = make_proposal(owner=owner)
    forms = client.get(reverse("proposals:edit", args=[proposal.pk])).context["forms"]
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), post_data(forms, action="submit"))
    assert (response.status_code, response["Location"]) == (302, confirm_url(proposal))
    assert CALLS == [proposal.pk]
    proposal.refresh_from_db()
    assert proposal.state == "draft"
    confirmed = submit(client, proposal, confirm="1")
    proposal.refresh_from_db()
    assert (confirmed.status_code, proposal.state) == (302, "submitted")


def test_a_get_on_the_submit_address_goes_to_the_proposal(client, owner, failing):
    proposal = make_proposal(owner=owner)
    response = client.get(reverse("proposals:submit", args=[proposal.pk]))
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/")
    assert CALLS == []
    proposal.refresh_from_db()
    assert proposal.state == "draft"
