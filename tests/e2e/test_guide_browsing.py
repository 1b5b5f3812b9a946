import pytest

from guide.services import guide_ingest
from tests.screening.conftest import GUIDE_2022

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_browses_filters_and_reads_indicators_in_both_languages(live_server, page, tmp_path):
    guide_ingest(path=GUIDE_2022)
    page.goto(live_server.url + "/")
    assert page.get_by_test_id("direction-count").inner_text() == "39"
    page.get_by_role("link", name="浏览全部方向").click()
    page.select_option("select[name=ratio]", "2")
    page.get_by_role("button", name="筛选").click()
    codes = page.locator("[data-testid=directions] tbody tr td:first-child").all_inner_texts()
    assert codes == ["1.1", "1.2", "1.3", "3.3", "8.1", "8.2"]
    page.fill("input[name=q]", "放氢纯度")
    page.select_option("select[name=ratio]", "")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="4.1").click()
    table = page.get_by_test_id("indicators")
    row = table.locator("tr", has_text="放氢纯度").first
    assert row.locator("td").nth(2).inner_text() == "≥"
    assert row.locator("td").nth(3).inner_text() == "99.999"
    page.get_by_test_id("lang-en").click()
    assert page.locator("h2", has_text="Assessment indicators").count() == 1
    assert page.get_by_test_id("indicators").locator("th").nth(1).inner_text() == "Subject"
    page.screenshot(path=str(tmp_path / "direction-4.1-en.png"), full_page=True)
