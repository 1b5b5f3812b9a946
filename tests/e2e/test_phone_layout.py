"""Every page works on a 360 px wide phone: nothing wider than the screen, and the
navigation links stay on one line each (they wrap as whole links, not per character)."""

from datetime import date

import pytest

from guide.services import guide_ingest
from screening import registries, services
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal
from tests.screening.conftest import GUIDE_2022

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360

# For each nav link: its text and whether its box is at least two lines tall.
NAV_WRAPPED = """() => [...document.querySelectorAll('.topbar a, .topbar button')].map(el => {
  const line = parseFloat(getComputedStyle(el).lineHeight);
  return [el.textContent.trim(), el.getBoundingClientRect().height >= 2 * line];
}).filter(([, wrapped]) => wrapped).map(([text]) => text)"""

# Elements that stick out of the viewport on the right (to say which, when one does).
WIDE = """(w) => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > w + 0.5 && !el.closest('.table-wrap, table.grid'))
  .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def fits(page) -> tuple[int, list[str], list[str]]:
    return (
        min(page.evaluate("document.documentElement.scrollWidth"), WIDTH + 1000),
        page.evaluate(WIDE, WIDTH),
        page.evaluate(NAV_WRAPPED),
    )


def test_home_directions_and_report_fit_a_360px_phone_as_applicant(live_server, phone):
    guide_ingest(path=GUIDE_2022)
    registries.registries_import(
        data={
            "ongoing_projects": [],
            "misconduct": [],
            "guide_experts": [],
            "recommenders": ["科学技术部国际合作司"],
        }
    )
    owner = make_user("alice")
    proposal = make_proposal(owner=owner, pi_birth=date(1961, 12, 31))
    services.screening_request(proposal=proposal)

    phone.goto(live_server.url + "/accounts/login/")
    phone.fill("input[name=username]", "alice")
    phone.fill("input[name=password]", "pw-123456!")
    phone.locator("form button[type=submit]").click()
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)

    pages = {
        "home": "/",
        "directions": "/guide/2022/directions/",
        "direction": "/guide/2022/directions/4.3/",
        "report": f"/screening/proposals/{proposal.pk}/",
        "proposals": "/proposals/",
        "proposal": f"/proposals/{proposal.pk}/",
        "new": "/proposals/new/",
    }
    results = {}
    for name, path in pages.items():
        phone.goto(live_server.url + path)
        results[name] = fits(phone)
    assert results == {name: (WIDTH, [], []) for name in pages}


def test_anonymous_pages_fit_a_360px_phone_in_english(live_server, phone):
    guide_ingest(path=GUIDE_2022)
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    results = {}
    for path in ["/", "/guide/2022/directions/", "/accounts/login/", "/proposals/signup/", "/nowhere/"]:
        phone.goto(live_server.url + path)
        results[path] = fits(phone)
    assert results == {path: (WIDTH, [], []) for path in results}
