"""The docs page (/api/v1/docs/, Swagger UI) works under the site's strict CSP, from the
package's own static files, with no exception to the policy; the schema is served."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

from common.middleware import ContentSecurityPolicyMiddleware
from screening.models import ScreeningRun
from tests.api.conftest import token_client
from tests.e2e.conftest import browser, page  # noqa: F401  (the browser test's fixtures)
from tests.factories.proposals import make_proposal, make_user

pytestmark = pytest.mark.django_db


def test_docs_page_has_the_sites_policy_and_nothing_inline(db):
    response = token_client().get("/api/v1/docs/")
    assert (response.status_code, response["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert response["Content-Security-Policy"] == ContentSecurityPolicyMiddleware.POLICY
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert (re.findall(r"<style", html), re.findall(r"\sstyle=", html), re.findall(r"\son\w+=", html)) == (
        [],
        [],
        [],
    )


def test_every_resource_of_the_docs_page_is_one_of_the_apps_own_files(db):
    html = token_client().get("/api/v1/docs/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    static = [u for u in urls if u.startswith("/static/")]
    assert [u for u in urls if u not in static] == ["/api/v1/docs/?script="]
    assert sorted(u.rsplit("/", 1)[1] for u in static) == [
        "favicon-32x32.png",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
    ]
    assert [u for u in static if finders.find(u.removeprefix("/static/")) is None] == []


def test_the_docs_script_is_javascript_that_loads_the_schema(db):
    response = token_client().get("/api/v1/docs/?script=")
    assert response["Content-Type"] == "application/javascript"
    script = response.content.decode()
    assert ('url: "/api/v1/schema/"' in script, "SwaggerUIBundle(" in script) == (True, True)
    assert response["Cache-Control"] == "no-store"  # it carries the CSRF token


def test_schema_is_served_as_yaml_and_json_in_both_languages(db):
    client = token_client()
    as_yaml = yaml.safe_load(client.get("/api/v1/schema/").content)
    as_json = client.get("/api/v1/schema/?format=json").json()
    assert as_yaml == as_json
    english = client.get("/api/v1/schema/?format=json&lang=en").json()
    summaries = (
        as_json["paths"]["/api/v1/guides/"]["get"]["summary"],
        english["paths"]["/api/v1/guides/"]["get"]["summary"],
    )
    assert summaries == ("已发布的指南（各年度）", "Published guides (each year)")


@pytest.mark.browser
def test_docs_page_renders_every_operation_in_chromium_without_a_csp_violation(live_server, page):  # noqa: F811
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


@pytest.mark.browser
def test_a_signed_in_applicant_starts_a_check_from_the_docs_page(live_server, page):  # noqa: F811
    """The session and its CSRF token work from the docs page: an unsafe method goes through."""
    draft = make_proposal(owner=make_user("alice"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "pw-123456!")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/api/v1/docs/#/screening/check_create")  # deep link: the operation opens
    operation = page.locator("#operations-screening-check_create")
    operation.locator("text=Try it out").click()
    operation.locator("input[placeholder=id]").fill(str(draft.pk))
    operation.locator("text=Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text(timeout=20000).strip() == "202"
    assert ScreeningRun.objects.filter(proposal=draft).count() == 1


def test_officers_and_admins_find_the_docs_page_in_the_top_bar(client, db):
    link = '<a href="/api/v1/docs/" data-testid="nav-api">API</a>'
    shown = {}
    for role in ("applicant", "officer", "admin"):
        client.force_login(make_user(f"user-{role}", role=role))
        shown[role] = client.get("/proposals/").content.decode().count(link)
    assert shown == {"applicant": 0, "officer": 1, "admin": 1}
