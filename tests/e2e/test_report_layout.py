"""The report reads on a phone and on a desktop: at 360 px each finding is a card whose parts (the
evidence and the field to fix included) are on screen; at 1366 px every section's columns line up and
a condition's title is not wrapped a few characters a line."""

from datetime import date

import pytest

from guide.services import guide_ingest
from screening import registries, services
from tests.conftest import GUIDE_2022
from tests.e2e.test_applicant_flow import log_in
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Per findings table: the left and width of each header cell (whole pixels).
COLUMNS = """() => [...document.querySelectorAll('table.findings')].map(t =>
  [...t.tHead.rows[0].cells].map(c => [Math.round(c.getBoundingClientRect().left), Math.round(c.getBoundingClientRect().width)]))"""
# Cells of findings that stick out of the screen on the right, or have no box.
OFF_SCREEN = """(w) => [...document.querySelectorAll('table.findings td')]
  .filter(td => td.getBoundingClientRect().right > w + 0.5 || td.getBoundingClientRect().width === 0)
  .map(td => td.dataset.label)"""


@pytest.fixture
def report_path(db):
    guide_ingest(path=GUIDE_2022)
    registries.registries_import(
        data={"ongoing_projects": [], "misconduct": [], "guide_experts": [], "recommenders": []}
    )
    owner = make_user("alice")
    proposal = make_proposal(owner=owner, pi_birth=date(1955, 1, 1), matching="10", state="draft")
    services.screening_request(proposal=proposal)
    return f"/screening/proposals/{proposal.pk}/"


def open_report(browser, base: str, path: str, width: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, base, "alice")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(base + path)
    return context, page


def test_on_a_phone_each_finding_is_a_card_with_every_part_on_screen(live_server, browser, report_path):
    context, page = open_report(browser, live_server.url, report_path, 360)
    off = page.evaluate(OFF_SCREEN, 360)
    cards = page.locator("table.findings tbody tr").count()
    labels = page.evaluate(
        "() => getComputedStyle(document.querySelector('table.findings td[data-label]'), '::before').content"
    )
    context.close()
    assert (off, cards > 10, labels) == ([], True, '"结论"')


def test_on_a_desktop_every_section_has_the_same_columns(live_server, browser, report_path):
    context, page = open_report(browser, live_server.url, report_path, 1366)
    columns = page.evaluate(COLUMNS)
    rule_width = columns[0][1][1]
    context.close()
    assert (len(columns) > 2, [c for c in columns if c != columns[0]]) == (True, [])
    assert (
        rule_width >= 140
    )  # 检查项: a title such as 项目负责人年龄 on one or two lines, not two characters a line
