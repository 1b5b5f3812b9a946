"""The officers' list reads at 1366 px: no cell takes more than two lines, the title column keeps a
readable width, and the full text of a cut title is on the cell; the dashboard's labels are whole at their start."""

from datetime import date

import pytest

from guide.services import guide_ingest
from proposals.models import Unit
from screening import registries, services
from tests.conftest import GUIDE_2022
from tests.e2e.test_applicant_flow import log_in
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "面向碳中和目标的燃烧中二氧化碳捕集与资源化利用关键技术及其示范工程的国际合作研究" * 2
LONG_UNIT = "中国科学院某某研究所与某某大学联合共建的碳捕集利用与封存国家重点实验室（北京）"

# For each row, the most lines any of its cells takes (its content height over its line height).
LINES = """() => [...document.querySelectorAll('[data-testid=workspace-proposals] tbody tr')].map(row =>
  Math.max(...[...row.cells].map(td => {
    const s = getComputedStyle(td);
    const inner = td.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
    return Math.round(inner / parseFloat(s.lineHeight));
  })))"""


def test_the_list_keeps_every_row_to_two_lines_at_1366px(live_server, browser):
    guide_ingest(path=GUIDE_2022)
    registries.registries_import(
        data={"ongoing_projects": [], "misconduct": [], "guide_experts": [], "recommenders": []}
    )
    make_user("olivia", role="officer")
    for n in range(12):
        proposal = make_proposal(title=f"{LONG_TITLE}{n}", pi_birth=date(1950, 1, 1), matching="10")
        Unit.objects.filter(proposal=proposal, role="lead").update(name=LONG_UNIT)
        services.screening_request(proposal=proposal)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_server.url, "olivia")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live_server.url + "/screening/workspace/proposals/?year=2022")
    lines = page.evaluate(LINES)
    title = page.get_by_test_id("row-title").first
    width = page.evaluate("el => el.closest('td').getBoundingClientRect().width", title.element_handle())
    full = title.get_attribute("title")
    page.goto(live_server.url + "/screening/workspace/?year=2022")
    # the directions chart: every label starts inside the picture (10.1–10.8 were cut at their start)
    cut = page.evaluate(
        "() => [...document.querySelectorAll('svg.hbars text.chart-label')]"
        ".filter(t => t.getBBox().x < 0).map(t => t.textContent)"
    )
    labels = page.evaluate("() => document.querySelectorAll('svg.hbars text.chart-label').length")
    context.close()
    assert (cut, labels >= 39) == ([], True)
    assert (len(lines), max(lines)) == (12, 2)
    assert width >= 240
    assert full.startswith(LONG_TITLE)
