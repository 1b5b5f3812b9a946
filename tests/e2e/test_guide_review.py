"""An officer reviews a draft version of the guide in the browser: the warning comes first, an
indicator value is corrected with a reason, the version is published, and the public direction page
shows the corrected value."""

from dataclasses import replace

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from guide.models import GuideVersion
from guide.parsing.readers import parse_file
from guide.parsing.types import Notice
from guide.services import version_record_reading
from tests.conftest import GUIDE_2022
from tests.e2e.test_applicant_flow import log_in
from tests.factories.proposals import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARNING = "放氢纯度的数值请与原文核对"


def draft_with_a_warning() -> GuideVersion:
    parsed = parse_file(GUIDE_2022)
    notice = Notice(WARNING, "directions[4.1].indicators[4]", severity="warning")
    version = GuideVersion(status="reading", source_name=GUIDE_2022.name, kind="text")
    version.file.save("f", ContentFile(GUIDE_2022.read_bytes()), save=False)
    version.save()
    return version_record_reading(
        version=version, parsed=replace(parsed, warnings=[notice, *parsed.warnings])
    )


def test_officer_corrects_an_indicator_of_a_draft_publishes_it_and_the_public_page_shows_it(
    live_server, page, tmp_path
):
    version = draft_with_a_warning()
    make_user("olivia", role="officer")
    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/guide/versions/")
    page.get_by_test_id("review").click()
    assert page.get_by_test_id("version-label").inner_text() == "2022 v1"

    attention = page.get_by_test_id("attention")
    first = attention.locator("[data-testid^=notice-]").first
    assert first.get_attribute("data-testid") == "notice-warning"
    assert WARNING in first.inner_text()

    item = attention.locator(".review-item").first
    assert item.get_attribute("data-item") == "directions[4.1].indicators[4]"
    item.locator("summary").click()
    item.locator("input[name=value]").fill("99.99")
    item.locator("input[name=reason]").fill("原文为 99.99%")
    item.get_by_role("button", name="保存更正").click()

    assert page.locator(".messages").inner_text() == "已保存更正。"
    assert page.url.endswith(f"/guide/versions/{version.pk}/directions/4.1/#item-directions-4-1-indicators-4")
    row = page.locator("#item-directions-4-1-indicators-4")
    assert row.locator("td").nth(4).inner_text().startswith("99.99 已更正")
    page.screenshot(path=str(tmp_path / "review-corrected.png"), full_page=False)
    page.get_by_role("link", name="返回版本审核页").click()
    assert page.get_by_test_id("correction-count").inner_text() == "1"

    page.get_by_test_id("publish").click()
    page.get_by_test_id("confirm-publish").click()
    assert page.get_by_test_id("version-status").inner_text() == "已发布"
    assert page.get_by_test_id("rescreen").count() == 1
    version.refresh_from_db()
    assert version.status == "published"

    page.goto(f"{live_server.url}/guide/2022/directions/4.1/")
    cells = page.get_by_test_id("indicators").locator("tr", has_text="放氢纯度").first.locator("td")
    assert cells.nth(2).inner_text() == "≥"
    assert cells.nth(3).inner_text() == "99.99"


def test_officer_marks_items_checked_and_the_counts_move(live_server, page):
    version = draft_with_a_warning()
    make_user("oscar", role="officer")
    log_in(page, live_server.url, "oscar")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/guide/versions/{version.pk}/")
    # groups of items to check and the guide's full text are closed: a page, not 31,000 px of forms
    assert page.evaluate("document.documentElement.scrollHeight") < 8000
    progress = page.get_by_test_id("check-progress")
    before = progress.inner_text()
    done, total = (int(n) for n in before.removeprefix("已核对 ").removesuffix(" 项").split(" / "))
    assert done == 0 and total > 0

    groups = page.get_by_test_id("attention-group")
    assert groups.count() > 1
    key = page.locator("[data-testid=attention-group]:not([open])").first.get_attribute("data-group")
    group = page.locator(f"[data-testid=attention-group][data-group='{key}']")
    assert group.get_by_test_id("mark-checked").first.is_visible() is False
    group.locator("summary").first.click()  # a group of items to check opens on demand
    first_to_check = group.get_by_test_id("mark-checked").first
    item = first_to_check.locator("xpath=ancestor::div[contains(@class, 'review-item')]")
    item_address = item.get_attribute("data-item")
    first_to_check.click()

    assert page.locator(".messages").inner_text() == "已标记为已核对。"
    assert page.get_by_test_id("check-progress").inner_text() == f"已核对 1 / {total} 项"
    marked = page.locator(f"[data-testid=attention] [data-item='{item_address}']").first
    # the browser opens the group the address points at once the page has loaded: wait for it
    expect(marked.get_by_test_id("checked")).to_have_text("已核对")
    assert page.url.split("#")[1].startswith("attn-item-")

    marked.get_by_test_id("uncheck").click()
    assert page.get_by_test_id("check-progress").inner_text() == f"已核对 0 / {total} 项"
