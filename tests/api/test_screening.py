"""Screening through the API: runs and the report with the report page's lines (the same
messages in zh/en, the same redaction for applicants), a check through the same service
as the "检查" button, and the registries."""

import io
from datetime import date

import pytest

from proposals.models import Proposal
from screening import registries, report, services
from screening.models import RegistryLoad, ScreeningRun
from screening.selectors import findings_of
from tests.api.conftest import token_client
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """A submitted proposal whose PI was born a day too early (pi.age fails), screened."""
    proposal = make_proposal(owner=make_user("owner1"), pi_birth=date(1961, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=proposal)
    return proposal


def test_report_gives_the_report_pages_lines_failures_first(screened):
    body = token_client(screened.owner).get(f"/api/v1/proposals/{screened.pk}/report/").json()
    run = ScreeningRun.objects.get(proposal=screened)
    assert (body["proposal"], body["run"]["id"], body["run"]["status"], body["previous_run"]) == (
        screened.pk,
        run.pk,
        "done",
        None,
    )
    lines = report.report_lines(findings_of(run=run), language="zh-hans")
    assert [f["rule"] for f in body["findings"]] == [
        line.rule for group in report.grouped(lines) for line in group.lines
    ]
    first = body["findings"][0]
    assert (first["rule"], first["status"], first["status_label"], first["field"]) == (
        "pi.age",
        "fail",
        "不通过",
        "pi.birth_date",
    )
    assert "1962-01-01" in first["message"]
    assert body["run"]["counts"]["fail"] == sum(1 for f in body["findings"] if f["status"] == "fail")


def test_report_speaks_english_when_asked(screened):
    client = token_client(screened.owner)
    body = client.get(f"/api/v1/proposals/{screened.pk}/report/", HTTP_ACCEPT_LANGUAGE="en").json()
    first = body["findings"][0]
    assert (first["status_label"], first["message"].isascii(), "1962-01-01" in first["message"]) == (
        "Fail",
        True,
        True,
    )
    client.cookies["django_language"] = "zh-hans"  # the site's switch wins over the header
    again = client.get(f"/api/v1/proposals/{screened.pk}/report/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert again["findings"][0]["status_label"] == "不通过"


def test_report_before_any_run_has_no_run(guide2022):
    proposal = make_proposal(state="draft")
    body = token_client(proposal.owner).get(f"/api/v1/proposals/{proposal.pk}/report/").json()
    assert body == {"proposal": proposal.pk, "run": None, "previous_run": None, "findings": []}


@pytest.fixture
def shared_pi(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """Another applicant's submitted proposal and a prober's draft with the same PI, both checked."""
    victim = make_proposal(reference="SECRET-REF-A", pi_id="11010519491231002X", title="甲的保密项目名称")
    draft = make_proposal(owner=make_user("prober"), state="draft", pi_id="11010519491231002X")
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=victim)
        services.screening_request(proposal=draft, reason="draft")
    return victim, draft


def test_applicants_report_never_names_another_applicants_proposal(shared_pi):
    _victim, draft = shared_pi
    response = token_client(draft.owner).get(f"/api/v1/proposals/{draft.pk}/report/")
    text = response.content.decode()
    assert ("SECRET-REF-A" in text, "甲的保密项目名称" in text) == (False, False)
    finding = next(f for f in response.json()["findings"] if f["rule"] == "pi.single_project")
    assert (finding["status"], finding["evidence"]) == ("fail", [])
    redacted = report.report_lines(
        report.redacted(findings_of(run=ScreeningRun.objects.get(proposal=draft))), language="zh-hans"
    )
    assert finding["message"] == next(line.message for line in redacted if line.rule == "pi.single_project")


def test_officers_report_names_the_other_proposal(shared_pi):
    _victim, draft = shared_pi
    officer = token_client(make_user("olga", role="officer"))
    text = officer.get(f"/api/v1/proposals/{draft.pk}/report/").content.decode()
    assert "SECRET-REF-A" in text


def test_check_queues_a_run_through_the_service_and_reuses_a_queued_one(
    screened, django_capture_on_commit_callbacks
):
    client = token_client(screened.owner)
    done = ScreeningRun.objects.get(proposal=screened)
    # nothing changed since the check that just finished: that result is the answer
    assert client.post(f"/api/v1/proposals/{screened.pk}/check/").json()["id"] == done.pk
    Proposal.objects.filter(pk=screened.pk).update(title="改过的题目")
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(f"/api/v1/proposals/{screened.pk}/check/")
        second = client.post(f"/api/v1/proposals/{screened.pk}/check/")
    assert (first.status_code, first.json()["status"], second.json()["id"]) == (
        202,
        "queued",
        first.json()["id"],
    )
    assert first["Location"] == f"/api/v1/proposals/{screened.pk}/runs/{first.json()['id']}/"
    assert ScreeningRun.objects.filter(proposal=screened).count() == 2


def test_runs_newest_first_with_their_counts_and_a_run_compares_with_the_previous(
    screened, django_capture_on_commit_callbacks
):
    client = token_client(screened.owner)
    Proposal.objects.filter(pk=screened.pk).update(title="改过的题目")  # else the fresh result is reused
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/proposals/{screened.pk}/check/")
    runs = ScreeningRun.objects.filter(proposal=screened).order_by("-pk")
    listed = client.get(f"/api/v1/proposals/{screened.pk}/runs/").json()
    assert [r["id"] for r in listed["results"]] == [r.pk for r in runs]
    assert [r["reason"] for r in listed["results"]] == ["manual", "manual"]
    latest = client.get(f"/api/v1/proposals/{screened.pk}/runs/{runs[0].pk}/").json()
    assert (latest["previous_run"], latest["findings"][0]["previous_status"]) == (runs[1].pk, "fail")


def test_a_run_of_another_proposal_is_404_under_this_one(screened):
    other = make_proposal(owner=screened.owner)
    run = ScreeningRun.objects.get(proposal=screened)
    assert token_client(screened.owner).get(f"/api/v1/proposals/{other.pk}/runs/{run.pk}/").status_code == 404


def csv_file(text: str, name: str = "experts.csv"):
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


def test_admin_uploads_a_registry_csv_through_the_pages_service(db):
    admin = token_client(make_user("root", role="admin"))
    response = admin.post(
        "/api/v1/registries/",
        {"registry": "guide_experts", "file": csv_file("id_number,name\n11010519491231002X,张三\n")},
        format="multipart",
    )
    assert response.status_code == 201
    assert {
        k: response.json()[k] for k in ("name", "loaded", "entries", "source", "version", "imported")
    } == {
        "name": "guide_experts",
        "loaded": True,
        "entries": 1,
        "source": "experts.csv",
        "version": 1,
        "imported": 1,
    }


def test_a_registry_csv_with_bad_rows_is_a_file_error_and_loads_nothing(db):
    admin = token_client(make_user("root", role="admin"))
    response = admin.post(
        "/api/v1/registries/",
        {"registry": "guide_experts", "file": csv_file("name\nnobody\n")},
        format="multipart",
    )
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"file": ["第 1 行：表头中没有“证件号码”列。这个名单的列：“证件号码”“姓名”。"]},
    )
    assert RegistryLoad.objects.count() == 0


def test_the_registry_list_shows_load_records_never_entries(db):
    registries.registry_import_csv(
        name="guide_experts", text="id_number,name\n11010519491231002X,张三\n", source="x"
    )
    body = token_client(make_user("olga", role="officer")).get("/api/v1/registries/").json()
    assert [(r["name"], r["loaded"], r["entries"]) for r in body] == [
        ("ongoing_projects", False, 0),
        ("misconduct", False, 0),
        ("guide_experts", True, 1),
        ("recommenders", False, 0),
    ]
    assert "11010519491231002X" not in str(body)
