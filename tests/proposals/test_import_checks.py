"""The officers' import goes through the submission checks and the state machine
(issue "Defects found by using the app", item 2)."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from common.models import OutboxMessage
from proposals import services
from proposals.interchange import proposal_to_dict
from proposals.models import Proposal
from tests.factories.proposals import complete_data, make_proposal, make_user, upload

pytestmark = pytest.mark.django_db

# What the officer imported: no units, a three-digit ID number.
BAD = {"reference": "SQ-BAD", "direction": "9.9", "pi": {"id_number": "123"}}
BAD_PROBLEMS = [
    ("title", "required"),
    ("start_date", "required"),
    ("end_date", "required"),
    ("budget.national", "required"),
    ("pi.name", "required"),
    ("pi.birth_date", "required"),
    ("pi.title", "required"),
    ("pi.degree", "required"),
    ("pi.id_number", "id_digits_without_nationality"),  # the form refuses it too: no import gets it past
    ("units", "required"),
]
SUBMITTED_TASKS = ["screening.proposal_submitted"]


def outcome(report):
    return [
        (i.reference, i.created, i.state, [(e.path, e.code) for e in i.problems]) for i in report.proposals
    ]


def test_import_of_a_proposal_that_fails_the_checks_stores_a_draft_with_its_problems():
    owner = make_user("bob")
    report = services.proposals_import(data={"proposals": [BAD]}, owner=owner)
    assert (report.created, report.errors) == (["SQ-BAD"], [])
    assert outcome(report) == [("SQ-BAD", True, "draft", BAD_PROBLEMS)]
    proposal = Proposal.objects.get(reference="SQ-BAD")
    assert (proposal.state, proposal.owner, proposal.source, proposal.submitted_at) == (
        "draft",
        owner,
        "import",
        None,
    )
    assert OutboxMessage.objects.count() == 0


def test_import_of_a_complete_proposal_submits_it_through_the_state_machine(settings):
    settings.ON_PROPOSAL_SUBMITTED = SUBMITTED_TASKS
    report = services.proposals_import(
        data={"proposals": [proposal_to_dict(complete_data(reference="SQ-OK"))]}, owner=make_user("bob")
    )
    proposal = Proposal.objects.get(reference="SQ-OK")
    assert outcome(report) == [("SQ-OK", True, "submitted", [])]
    assert proposal.state == "submitted"
    assert proposal.submitted_at is not None
    # the outbox row that gets it screened, as for a proposal submitted in the form
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("screening.proposal_submitted", [proposal.pk, None])
    ]


def test_reimporting_the_same_data_leaves_a_submitted_proposal_as_it_is(settings):
    settings.ON_PROPOSAL_SUBMITTED = SUBMITTED_TASKS
    data = {"proposals": [proposal_to_dict(complete_data(reference="SQ-OK"))]}
    owner = make_user("bob")
    services.proposals_import(data=data, owner=owner)
    report = services.proposals_import(data=data, owner=owner)
    assert [(i.reference, i.unchanged, i.state) for i in report.proposals] == [("SQ-OK", True, "submitted")]
    assert OutboxMessage.objects.count() == 1


def test_reimporting_changed_data_that_fails_the_checks_takes_a_screened_proposal_back_to_draft():
    owner = make_user("bob")
    services.proposals_import(
        data={"proposals": [proposal_to_dict(complete_data(reference="SQ-OK"))]}, owner=owner
    )
    Proposal.objects.filter(reference="SQ-OK").update(state="screened")
    report = services.proposals_import(
        data={"proposals": [proposal_to_dict(complete_data(reference="SQ-OK", units=[]))]}, owner=owner
    )
    assert outcome(report) == [("SQ-OK", False, "draft", [("units", "required")])]
    assert Proposal.objects.get(reference="SQ-OK").state == "draft"


def test_import_refuses_to_update_a_proposal_while_it_is_being_screened():
    owner = make_user("bob")
    services.proposals_import(
        data={"proposals": [proposal_to_dict(complete_data(reference="SQ-OK"))]}, owner=owner
    )
    Proposal.objects.filter(reference="SQ-OK").update(state="screening")
    report = services.proposals_import(
        data={"proposals": [proposal_to_dict(complete_data(reference="SQ-OK", title="新名称"))]},
        owner=owner,
    )
    assert [(e.path, e.code) for e in report.errors] == [("proposals[0].reference", "screening")]
    proposal = Proposal.objects.get(reference="SQ-OK")
    assert (proposal.state, proposal.title) == ("screening", "面向碳中和的电解水制氢国际合作研究")


# --- the page ----------------------------------------------------------------


@pytest.fixture
def officer(client):
    user = make_user("olga", role="officer")
    client.force_login(user)
    return user


def post_import(client, content: dict, **fields):
    return client.post(
        reverse("proposals:import"),
        {"file": upload("batch.json", json.dumps(content).encode()), **fields},
    )


def test_import_page_stores_a_failing_proposal_as_the_named_applicants_draft_and_lists_its_problems(
    client, officer
):
    bob = make_user("bob")
    response = post_import(client, {"proposals": [BAD]}, owner="bob")
    assert response.status_code == 200
    proposal = Proposal.objects.get(reference="SQ-BAD")
    assert (proposal.owner, proposal.state) == (bob, "draft")
    html = response.content.decode()
    assert html.count("必填项，提交前请填写。") == 8
    assert "保存为草稿：有 10 处问题" in html
    assert "已提交" not in html.split('data-testid="import-proposals"')[1].split("</table>")[0]


def test_import_page_never_makes_the_officer_the_owner_of_a_new_proposal(client, officer):
    response = post_import(client, {"proposals": [BAD]})
    assert response.status_code == 400
    assert [(e.path, e.code) for e in response.context["report"].errors] == [
        ("proposals[0].reference", "no_owner")
    ]
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_import_page_refuses_an_owner_who_is_not_an_applicant(client, officer, role):
    make_user("staff", role=role)
    response = post_import(client, {"proposals": [BAD]}, owner="staff")
    assert response.status_code == 400
    assert response.context["form"].errors == {"owner": ["staff 不是申请人账号；申报书只能归属申请人。"]}
    assert Proposal.objects.count() == 0


def test_import_page_updates_an_imported_proposal_without_an_owner_and_keeps_its_owner(client, officer):
    bob = make_user("bob")
    post_import(client, {"proposals": [BAD]}, owner="bob")
    response = post_import(client, {"proposals": [{**BAD, "title": "改过的名称"}]})
    assert response.status_code == 200
    assert response.context["report"].updated == ["SQ-BAD"]
    proposal = Proposal.objects.get(reference="SQ-BAD")
    assert (proposal.owner, proposal.title, proposal.state) == (bob, "改过的名称", "draft")


def test_import_page_does_not_overwrite_an_applicants_own_proposal(client, officer):
    own = make_proposal(data=complete_data(reference="SQ-BAD"), state="draft")
    response = post_import(client, {"proposals": [BAD]}, owner=own.owner.username)
    assert [(e.path, e.code) for e in response.context["report"].errors] == [
        ("proposals[0].reference", "reference_taken")
    ]
    own.refresh_from_db()
    assert (own.source, own.title) == ("form", "面向碳中和的电解水制氢国际合作研究")


# --- the command -------------------------------------------------------------


def test_import_command_lists_each_proposal_as_draft_with_its_problems_or_submitted(tmp_path):
    make_user("bob")
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps(
            {"proposals": [BAD, proposal_to_dict(complete_data(reference="SQ-OK"))]}, ensure_ascii=False
        )
    )
    out = io.StringIO()
    call_command("import_proposals", str(path), owner="bob", stdout=out)
    assert out.getvalue().splitlines() == [
        "SQ-BAD: created as draft with 10 problems",
        "    title: 必填项，提交前请填写。",
        "    start_date: 必填项，提交前请填写。",
        "    end_date: 必填项，提交前请填写。",
        "    budget.national: 必填项，提交前请填写。",
        "    pi.name: 必填项，提交前请填写。",
        "    pi.birth_date: 必填项，提交前请填写。",
        "    pi.title: 必填项，提交前请填写。",
        "    pi.degree: 必填项，提交前请填写。",
        "    pi.id_number: 证件号码为 3 位数字：居民身份证号码应为 18 位；如是外国证件（护照等），请同时填写国籍/地区。",
        "    units: 至少填写一个单位（申报单位）。",
        "SQ-OK: created, submitted",
        "created 2, updated 0",
    ]
    assert dict(Proposal.objects.values_list("reference", "state")) == {
        "SQ-BAD": "draft",
        "SQ-OK": "submitted",
    }


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_import_command_refuses_an_owner_who_is_not_an_applicant(tmp_path, role):
    from django.core.management.base import CommandError

    make_user("olga", role=role)
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"proposals": [BAD]}))
    with pytest.raises(CommandError) as exc:
        call_command("import_proposals", str(path), owner="olga")
    assert str(exc.value) == "'olga' is not an applicant; proposals belong to applicants"
    assert Proposal.objects.count() == 0
