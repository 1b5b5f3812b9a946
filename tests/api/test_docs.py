"""The docs page (/api/v1/docs/, Swagger UI) works under the site's strict CSP, from the
package's own static files, with no exception to the policy; the schema is served."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

from common.middleware import ContentSecurityPolicyMiddleware
from tests.api.conftest import token_client
from tests.factories.proposals import make_user

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
        "api-docs.css",
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


def test_officers_and_admins_find_the_docs_page_in_the_top_bar(client, db):
    link = '<a href="/api/v1/docs/" data-testid="nav-api">API</a>'
    shown = {}
    for role in ("applicant", "officer", "admin"):
        client.force_login(make_user(f"user-{role}", role=role))
        shown[role] = client.get("/proposals/").content.decode().count(link)
    assert shown == {"applicant": 0, "officer": 1, "admin": 1}
