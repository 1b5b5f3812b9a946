"""Accessibility as a test: axe-core (vendored from its npm package, tests/e2e/vendor) runs in
the browser on every kind of page, signed out, as an applicant, as an officer and as an admin, at
1366 px and at 360 px, in Chinese and in English; no serious or critical violation is allowed.
And the pages work from the keyboard: the skip link, the language switch and a form submitted
without a mouse."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from guide.models import GuideVersion
from guide.parsing.readers import parse_file
from guide.services import guide_ingest, version_record_reading
from screening import registries, services
from tests.conftest import GUIDE_2022
from tests.e2e.test_applicant_flow import log_in
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = (1366, 360)

# axe's WCAG 2.x A and AA rules; each violation as "<rule> (<impact>): <first target>" to say where.
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.length}× ${v.nodes[0].target.join(' ')}`);
}"""


def serious_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluate runs outside the page's Content-Security-Policy
    return page.evaluate(RUN_AXE)


def sweep(browser, base: str, username: str | None, paths: dict[str, str], language: str) -> dict:
    """``{"<name> @<width>": [violations]}`` for the pages that have any."""
    found = {}
    for width in WIDTHS:
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        if language != "zh-hans":
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        if username:
            log_in(page, base, username)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        for name, path in paths.items():
            response = page.goto(base + path)
            assert response is not None and response.status < 400, (name, path, response and response.status)
            violations = serious_violations(page)
            if violations:
                found[f"{name} @{width}"] = violations
        context.close()
    return found


def assert_none(found: dict) -> None:
    """Fail with every violation listed, one page per line (pytest would cut a dict short)."""
    if found:
        pytest.fail(
            "\n".join(f"{page}: {'; '.join(violations)}" for page, violations in sorted(found.items()))
        )


@pytest.fixture
def call(db):
    guide_ingest(path=GUIDE_2022)
    registries.registries_import(
        data={
            "ongoing_projects": [],
            "misconduct": [],
            "guide_experts": [],
            "recommenders": ["科学技术部国际合作司"],
        }
    )
    alice = make_user("alice")
    make_user("olivia", role="officer")
    make_user("root", role="admin")
    failing = make_proposal(owner=alice, pi_birth=date(1961, 12, 31))
    draft = make_proposal(owner=alice, state="draft")
    services.screening_request(proposal=failing)
    parsed = parse_file(GUIDE_2022)
    version = GuideVersion(status="reading", source_name=GUIDE_2022.name, kind="text")
    version.file.save("f", ContentFile(GUIDE_2022.read_bytes()), save=False)
    version.save()
    draft_version = version_record_reading(version=version, parsed=parsed)
    return {"failing": failing, "draft": draft, "version": draft_version}


def test_public_pages_have_no_serious_accessibility_violation(live_server, browser, call):
    paths = {
        "home": "/",
        "guide": "/guide/2022/",
        "directions": "/guide/2022/directions/",
        "direction": "/guide/2022/directions/4.3/",
        "login": "/accounts/login/",
        "signup": "/proposals/signup/",
        "password reset": "/accounts/password_reset/",
        "api docs": "/api/v1/docs/",
    }
    found = {}
    for language in ("zh-hans", "en"):
        found.update(
            {f"{k} {language}": v for k, v in sweep(browser, live_server.url, None, paths, language).items()}
        )
    assert_none(found)


def test_applicant_pages_have_no_serious_accessibility_violation(live_server, browser, call):
    failing, draft = call["failing"], call["draft"]
    paths = {
        "proposals": "/proposals/",
        "new": "/proposals/new/",
        "edit": f"/proposals/{draft.pk}/edit/",
        "detail": f"/proposals/{failing.pk}/",
        "report": f"/screening/proposals/{failing.pk}/",
        "upload": "/proposals/upload/",
        "notifications": "/notifications/",
    }
    found = {}
    for language in ("zh-hans", "en"):
        found.update(
            {
                f"{k} {language}": v
                for k, v in sweep(browser, live_server.url, "alice", paths, language).items()
            }
        )
    assert_none(found)


def test_officer_and_admin_pages_have_no_serious_accessibility_violation(live_server, browser, call):
    version = call["version"]
    officer = {
        "workspace": "/screening/workspace/",
        "workspace list": "/screening/workspace/proposals/",
        "jobs": "/screening/workspace/jobs/",
        "versions": "/guide/versions/",
        "review": f"/guide/versions/{version.pk}/",
        "compare": "/guide/compare/",
        "guide upload": "/guide/upload/",
        "import": "/proposals/import/",
        "report": f"/screening/proposals/{call['failing'].pk}/",
    }
    admin = {"audit": "/audit/", "registries": "/screening/registries/"}
    found = {}
    for language in ("zh-hans", "en"):
        found.update(
            {
                f"{k} {language}": v
                for k, v in sweep(browser, live_server.url, "olivia", officer, language).items()
            }
        )
        found.update(
            {
                f"{k} {language}": v
                for k, v in sweep(browser, live_server.url, "root", admin, language).items()
            }
        )
    assert_none(found)


def test_signing_in_works_from_the_keyboard_alone(live_server, page, call):
    page.goto(live_server.url + "/accounts/login/")
    page.keyboard.press("Tab")
    focused = []
    for _ in range(40):  # walk the page by Tab until the user name field has the focus
        name = page.evaluate("document.activeElement && document.activeElement.name")
        focused.append(name)
        if name == "username":
            break
        page.keyboard.press("Tab")
    assert focused[-1] == "username"
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type("pw-123456!")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.locator("a.user").inner_text() == "alice"  # signed in


def test_every_focusable_element_shows_where_the_focus_is(live_server, page, call):
    """A keyboard user sees the focus: no focusable element of the main pages removes its outline
    without another visible indicator (box-shadow or outline on :focus-visible)."""
    log_in(page, live_server.url, "alice")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    hidden = {}
    for path in ("/", "/proposals/", f"/screening/proposals/{call['failing'].pk}/", "/proposals/new/"):
        page.goto(live_server.url + path)
        count = page.evaluate(
            "document.querySelectorAll('a[href], button, input, select, textarea, summary').length"
        )
        missing = []
        for _ in range(min(count, 60)):
            page.keyboard.press("Tab")
            shown = page.evaluate(
                """() => { const el = document.activeElement; if (!el || el === document.body) return null;
                const s = getComputedStyle(el);
                const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
                return visible ? null : el.tagName + (el.name ? '[name=' + el.name + ']' : '') + ' ' + (el.textContent || '').trim().slice(0, 20); }"""
            )
            if shown:
                missing.append(shown)
        if missing:
            hidden[path] = missing[:5]
    assert hidden == {}
