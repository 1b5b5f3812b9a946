import pytest

from proposals.models import Proposal
from tests.e2e.test_applicant_flow import log_in
from tests.factories.proposals import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_applicant_adds_member_rows_removes_one_and_saves(live_server, page):
    make_user("alice")
    log_in(page, live_server.url, "alice")
    page.goto(live_server.url + "/proposals/new/")
    members = page.locator("[data-formset=members]")
    rows = members.locator("tbody tr[data-formset-row]")
    assert rows.count() == 2  # the blank rows the page starts with
    add = members.locator("[data-formset-add]")
    add.click()
    add.click()
    assert rows.count() == 4
    assert members.locator("input[name=members-TOTAL_FORMS]").input_value() == "4"
    page.fill("input[name=title]", "四名骨干的申报书")
    page.fill("input[name=members-0-name]", "张一")
    page.fill("input[name=members-2-name]", "张三")
    page.fill("input[name=members-3-name]", "李四")
    page.fill("input[name=members-3-nationality]", "德国")
    # remove the third row (added here): the fourth moves up to index 2
    rows.nth(2).locator("[data-formset-remove]").click()
    assert rows.count() == 3
    assert members.locator("input[name=members-TOTAL_FORMS]").input_value() == "3"
    assert page.locator("input[name=members-2-name]").input_value() == "李四"
    page.get_by_test_id("save").click()
    page.wait_for_url("**/proposals/*/")
    proposal = Proposal.objects.get(owner__username="alice")
    people = proposal.people.filter(role="member").order_by("position")
    assert [(p.name, p.nationality) for p in people] == [("张一", ""), ("李四", "DE")]
