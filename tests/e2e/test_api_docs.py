"""The API's docs page (/api/v1/docs/, Swagger UI) in chromium: every operation renders under the
site's strict CSP, and a signed-in applicant's unsafe request goes through with the session's CSRF token."""

import pytest

from screening.models import ScreeningRun
from tests.api.conftest import token_client
from tests.factories.proposals import make_proposal, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_page_renders_every_operation_in_chromium_without_a_csp_violation(live_server, page):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.log('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-summary", timeout=20000)
    schema = token_client().get("/api/v1/schema/?format=json").json()
    count = sum(
        1
        for item in schema["paths"].values()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )
    assert page.locator(".opblock").count() == count
    assert violations == []


def test_a_signed_in_applicant_starts_a_check_from_the_docs_page(live_server, page):
    """The session and its CSRF token work from the docs page: an unsafe method goes through."""
    draft = make_proposal(owner=make_user("alice"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "pw-123456!")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/api/v1/docs/")
    operation = page.locator("#operations-screening-check_create")
    operation.locator(".opblock-summary-control").click()  # open the operation (no deep links: see settings)
    operation.locator("text=Try it out").click()
    operation.locator("input[placeholder=id]").fill(str(draft.pk))
    operation.locator("text=Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text(timeout=20000).strip() == "202"
    assert ScreeningRun.objects.filter(proposal=draft).count() == 1
