import io
import json
from datetime import date

import pdfplumber
import pytest
from openpyxl import load_workbook

from screening import services
from screening.models import RegistryImport, RegistryLoad, ScreeningRun
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    owner = make_user("owner1")
    proposal = make_proposal(owner=owner, pi_birth=date(1961, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=proposal)
    return proposal


def login(client, user):
    client.force_login(user)
    return client


def test_owner_sees_report_with_failures_first(client, screened):
    response = login(client, screened.owner).get(f"/screening/proposals/{screened.pk}/")
    assert response.status_code == 200
    groups = response.context["groups"]
    assert groups[0].worst == "fail"
    assert [line.rule for line in groups[0].lines if line.status == "fail"] == ["pi.age"]
    html = response.content.decode()
    assert "1962-01-01" in html
    assert 'data-rule="pi.age"' in html


def test_each_formal_review_section_shows_the_clauses_words_from_the_guide(client, screened):
    from guide.models import FormalClause

    response = login(client, screened.owner).get(f"/screening/proposals/{screened.pk}/")
    age = next(g for g in response.context["groups"] if any(line.rule == "pi.age" for line in g.lines))
    words = FormalClause.objects.get(guide__year=2022, clause=age.clause).text
    assert (age.text, len(words) > 10) == (words, True)
    assert f'<p class="clause-text muted small" data-testid="clause-text">{words}</p>' in response.content.decode()


def test_report_renders_english_messages(client, screened):
    client.cookies["django_language"] = "en"
    response = login(client, screened.owner).get(f"/screening/proposals/{screened.pk}/")
    line = next(line for g in response.context["groups"] for line in g.lines if line.rule == "pi.age")
    assert "1962-01-01" in line.message
    assert line.message.isascii()


def test_other_applicant_gets_404_on_every_screening_url(client, screened):
    intruder = make_user("intruder")
    login(client, intruder)
    run = ScreeningRun.objects.get(proposal=screened)
    assert client.get(f"/screening/proposals/{screened.pk}/").status_code == 404
    assert client.post(f"/screening/proposals/{screened.pk}/check/").status_code == 404
    assert client.get(f"/screening/proposals/{screened.pk}/report.pdf").status_code == 404
    assert client.get(f"/screening/proposals/{screened.pk}/report.json").status_code == 404
    assert client.get(f"/screening/runs/{run.pk}/").status_code == 404
    # pages, not objects: the role rule (403), as for every officers' page
    assert client.get("/screening/").status_code == 403
    assert client.get("/screening/export.csv").status_code == 403
    assert client.get("/screening/registries/").status_code == 403
    assert ScreeningRun.objects.count() == 1


def test_anonymous_is_sent_to_login(client, screened):
    response = client.get(f"/screening/proposals/{screened.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_check_again_keeps_previous_run_and_shows_changes(
    client, screened, django_capture_on_commit_callbacks
):
    pi = screened.people.get(role="pi")
    pi.birth_date = date(1962, 1, 1)
    pi.id_number = ""
    pi.save()
    login(client, screened.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/screening/proposals/{screened.pk}/check/")
    assert response.status_code == 302
    assert ScreeningRun.objects.filter(proposal=screened).count() == 2
    page = client.get(f"/screening/proposals/{screened.pk}/")
    changed = {line.rule: (line.previous_status, line.status) for line in page.context["changes"]}
    assert changed["pi.age"] == ("fail", "pass")


def test_the_old_overview_sends_officers_to_the_workspace_list_filtered_the_same_way(client, screened):
    from proposals.services.search import proposals_search_rebuild

    proposals_search_rebuild(ids=[screened.pk])  # the factory writes rows around the services
    login(client, make_user("officer1", role="officer"))
    response = client.get(
        "/screening/?q=碳&guide_year=2022&direction_code=1.1&overall=fail&rule=pi.age&page=3"
    )
    assert (response.status_code, response["Location"]) == (
        301,
        "/screening/workspace/proposals/?q=%E7%A2%B3&year=2022&direction=1.1&overall=fail&rule=pi.age",
    )
    page = client.get(response["Location"])
    assert [p.reference for p in page.context["page"].rows] == [screened.reference]
    assert client.get("/screening/").headers["Location"] == "/screening/workspace/proposals/"


def test_the_old_exports_and_rerun_lead_to_the_workspace_list_and_do_nothing(client, screened):
    login(client, make_user("officer2", role="officer"))
    for fmt in ("csv", "xlsx", "pdf"):
        response = client.get(f"/screening/export.{fmt}?rule=pi.age")
        assert (response.status_code, response["Location"]) == (
            301,
            "/screening/workspace/proposals/?rule=pi.age",
        )
    response = client.post("/screening/rerun/", {"rule": "pi.age"})
    assert (response.status_code, response["Location"]) == (
        302,
        "/screening/workspace/proposals/?rule=pi.age",
    )
    assert ScreeningRun.objects.count() == 1


def _bulk_export(client, fmt: str):
    return client.post(
        "/screening/workspace/bulk/", {"action": f"export_{fmt}", "scope": "filtered", "query": "year=2022"}
    )


def test_exports_in_three_formats(client, screened):
    login(client, make_user("officer3", role="officer"))
    csv_text = b"".join(_bulk_export(client, "csv").streaming_content).decode("utf-8-sig")
    rows = [r for r in csv_text.splitlines() if not r.startswith("#")]
    assert rows[0].startswith("编号,项目名称,指南年度,指南方向")
    assert rows[1].startswith(f"{screened.reference},")
    xlsx = _bulk_export(client, "xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    summary = list(wb["申报项目"].iter_rows(values_only=True))
    assert (summary[13][0], summary[13][7]) == (screened.reference, "不通过")
    pdf = _bulk_export(client, "pdf")
    assert pdf["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.content)) as doc:
        text = "".join(page.extract_text() for page in doc.pages)
    assert screened.reference in text
    assert "项目负责人年龄" in text.replace("\n", "")


def test_proposal_report_json_matches_cli_format(client, screened):
    data = login(client, screened.owner).get(f"/screening/proposals/{screened.pk}/report.json").json()
    assert data["results"][0]["reference"] == screened.reference
    assert data["results"][0]["overall"] == "fail"


def test_admin_uploads_registry_csv(client, db, django_capture_on_commit_callbacks):
    admin = make_user("admin1", role="admin")
    login(client, admin)
    upload = io.BytesIO("id_number,name\n11010519491231002X,张三\n".encode())
    upload.name = "experts.csv"
    with django_capture_on_commit_callbacks(execute=True):  # eager: the job runs at the commit
        response = client.post("/screening/registries/", {"registry": "guide_experts", "file": upload})
    job = RegistryImport.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/screening/registries/imports/{job.pk}/")
    assert (job.status, RegistryLoad.objects.filter(name="guide_experts").count()) == ("previewed", 0)
    with django_capture_on_commit_callbacks(execute=True):  # confirmed: loaded by the job
        client.post(response["Location"], {"action": "confirm"})
    job.refresh_from_db()
    assert (job.status, job.entries, RegistryLoad.objects.get(name="guide_experts").entries) == ("done", 1, 1)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-done">已导入 1 条记录。<' in page


def test_admin_registry_upload_with_bad_rows_shows_error(client, db):
    login(client, make_user("admin2", role="admin"))
    upload = io.BytesIO(b"name\nnobody\n")
    upload.name = "experts.csv"
    response = client.post("/screening/registries/", {"registry": "guide_experts", "file": upload})
    assert response.status_code == 200
    assert "第 1 行：表头中没有“证件号码”列。这个名单的列：“证件号码”“姓名”。" in response.content.decode()
    assert (RegistryLoad.objects.count(), RegistryImport.objects.count()) == (0, 0)


def test_admin_adding_a_registry_entry_by_hand_marks_it_loaded(client, db):
    login(client, make_user("admin3", role="admin"))
    response = client.post(
        "/admin/screening/guideexpert/add/", {"id_number": "11010519491231002X", "name": "专家甲"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/screening/guideexpert/"
    assert RegistryLoad.objects.get(name="guide_experts").entries == 1


def test_applicant_report_does_not_name_other_applicants_proposals(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    shared_pi = "11010519491231002X"
    victim = make_proposal(reference="SECRET-REF-A", pi_id=shared_pi, title="甲的保密项目名称")
    prober = make_user("prober")
    draft = make_proposal(owner=prober, state="draft", pi_id=shared_pi)
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=victim)
        services.screening_request(proposal=draft, reason="draft")
    login(client, prober)
    html = client.get(f"/screening/proposals/{draft.pk}/").content.decode()
    data = client.get(f"/screening/proposals/{draft.pk}/report.json").content.decode()
    for text in (html, data):
        assert "SECRET-REF-A" not in text
        assert "甲的保密项目名称" not in text
    checks = {c["rule"]: c for c in json.loads(data)["results"][0]["checks"]}
    assert checks["pi.single_project"]["status"] == "fail"
    assert checks["pi.single_project"]["evidence"] == []


def test_officer_report_names_the_other_proposal(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    shared_pi = "11010519491231002X"
    first = make_proposal(reference="REF-FIRST", pi_id=shared_pi)
    second = make_proposal(reference="REF-SECOND", pi_id=shared_pi)
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=first)
        services.screening_request(proposal=second)
    login(client, make_user("officer9", role="officer"))
    assert "REF-FIRST" in client.get(f"/screening/proposals/{second.pk}/").content.decode()


def test_pdf_report_name_is_safe_for_any_reference(client, screened):
    from proposals.models import Proposal

    Proposal.objects.filter(pk=screened.pk).update(reference='R"1\r\nX-Injected: 1')
    response = login(client, screened.owner).get(f"/screening/proposals/{screened.pk}/report.pdf")
    assert response.status_code == 200
    assert "X-Injected" not in response.headers


def test_exports_survive_control_characters_and_neutralise_formulas(client, screened):
    from proposals.models import Proposal

    Proposal.objects.filter(pk=screened.pk).update(title='=HYPERLINK("http://x")\x0bend')
    login(client, make_user("officer5", role="officer"))
    xlsx = _bulk_export(client, "xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    cell = wb["申报项目"]["B14"]
    assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("http://x")end')
    csv_text = b"".join(_bulk_export(client, "csv").streaming_content).decode("utf-8-sig")
    assert ',"\'=HYPERLINK(""' in csv_text
    assert _bulk_export(client, "pdf").status_code == 200


def test_progress_page_says_the_check_waits_for_the_job_service(client, guide2022, settings):
    from datetime import timedelta

    from django.utils import timezone

    from common.models import OutboxMessage

    owner = make_user("waiting")
    proposal = make_proposal(owner=owner)
    run = ScreeningRun.objects.create(proposal=proposal)
    OutboxMessage.objects.create(
        task="screening.screen_run", args=[run.pk], available_at=timezone.now() - timedelta(seconds=30)
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    waiting = login(client, owner).get(f"/screening/runs/{run.pk}/")
    OutboxMessage.objects.update(sent_at=timezone.now())
    sent = client.get(f"/screening/runs/{run.pk}/")
    assert (waiting.status_code, b'data-testid="jobs-waiting"' in waiting.content) == (200, True)
    assert (sent.status_code, b'data-testid="jobs-waiting"' in sent.content) == (200, False)
