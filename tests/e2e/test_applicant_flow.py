import dataclasses
import os
from datetime import date

import pytest

from guide.services import guide_ingest
from proposals.docgen import build_docx
from proposals.models import Proposal
from screening.models import ScreeningRun
from tests.factories.proposal_docs import sample_proposal
from tests.factories.proposals import make_user
from tests.screening.conftest import GUIDE_2022

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url, username, password="pw-123456!"):
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").click()


def test_applicant_uploads_a_word_draft_corrects_it_submits_and_reads_the_report(live_server, page, tmp_path):
    guide_ingest(path=GUIDE_2022)
    make_user("alice")
    draft = dataclasses.replace(
        sample_proposal(), guide_year=2022, start_date=date(2023, 1, 1), end_date=date(2025, 12, 31)
    )
    path = tmp_path / "draft.docx"
    path.write_bytes(build_docx(draft))

    log_in(page, live_server.url, "alice")
    page.goto(live_server.url + "/proposals/upload/")
    page.set_input_files("[data-testid=upload-form] input[type=file]", str(path))
    page.get_by_role("button", name="上传并读取").click()

    assert page.get_by_test_id("found-title").count() == 1
    title = page.locator("#field-title input")
    assert title.input_value() == draft.title
    title.fill("改正后的项目名称：面向碳中和的高效电解水制氢国际合作研究")
    page.get_by_test_id("save").click()

    proposal = Proposal.objects.get(owner__username="alice")
    assert proposal.title == "改正后的项目名称：面向碳中和的高效电解水制氢国际合作研究"
    assert proposal.units.count() == 8
    # the uploaded file, and the attachments its 附件清单 declares (推荐函：有 …)
    assert list(proposal.attachments.values_list("kind", flat=True)) == [
        "cooperation_agreement",
        "draft",
        "employment_proof",
        "recommendation_letter",
    ]

    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.get_by_test_id("submit").click()
    # the confirmation checks the content as it is now (the sample lacks a listed recommender and
    # the matching ratio): submitting anyway is the applicant's choice
    page.get_by_test_id("confirm-submit").click()
    page.wait_for_url(lambda url: "/confirm/" not in url)
    page.goto(f"{live_server.url}/screening/proposals/{proposal.pk}/")
    assert ScreeningRun.objects.filter(proposal=proposal, status="done").count() == 1
    overall = page.get_by_test_id("overall").locator("[data-status]").get_attribute("data-status")
    assert overall == ScreeningRun.objects.get(proposal=proposal).overall
    # the PI is born after the cutoff: the age check passes and says so
    assert page.locator("tr[data-rule='pi.age'] [data-status]").get_attribute("data-status") == "pass"
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["E2E_SCREENSHOTS"], "report.png"), full_page=True)


def test_other_applicant_cannot_open_the_report(live_server, page):
    owner = make_user("bob")
    from tests.factories.screening_db import make_proposal

    proposal = make_proposal(owner=owner)
    make_user("mallory")
    log_in(page, live_server.url, "mallory")
    response = page.goto(f"{live_server.url}/screening/proposals/{proposal.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert response.status == 404
