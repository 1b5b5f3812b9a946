"""The workspace pages: who may see them, every filter and sort of the list, masked ID numbers,
the dashboard's charts, and query counts that do not grow with the proposals."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.models import Proposal
from screening import registries
from screening.workspace.models import ProposalReview
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal
from tests.factories.workspace import index, submitted_on

pytestmark = pytest.mark.django_db

URLS = [
    "/screening/workspace/",
    "/screening/workspace/proposals/",
    "/screening/workspace/jobs/",
    "/screening/workspace/jobs/1/",
    "/screening/workspace/jobs/1/download/",
]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


@pytest.mark.parametrize("url", URLS)
def test_an_applicant_gets_403(client, applicant, url):
    client.force_login(applicant)
    assert client.get(url).status_code == 403


def test_an_applicant_cannot_post_a_bulk_action(client, applicant, three):
    client.force_login(applicant)
    response = client.post(
        "/screening/workspace/bulk/", {"action": "review", "scope": "filtered", "query": ""}
    )
    assert response.status_code == 403
    assert ProposalReview.objects.count() == 0


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_see_the_dashboard_and_the_list(client, three, role):
    client.force_login(make_user(f"ws-{role}", role=role))
    assert (
        client.get("/screening/workspace/").status_code,
        client.get("/screening/workspace/proposals/").status_code,
    ) == (
        200,
        200,
    )


def test_the_nav_links_the_workspace_for_officers_only(client, officer, applicant):
    client.force_login(officer)
    assert 'href="/screening/workspace/"' in client.get("/").content.decode()
    client.force_login(applicant)
    assert 'href="/screening/workspace/"' not in client.get("/").content.decode()


# --- the dashboard ------------------------------------------------------------------


def test_dashboard_draws_its_charts_as_inline_svg_without_style_attributes(client, officer, three):
    submitted_on(three[0], dt.date(2022, 5, 1))
    client.force_login(officer)
    html = client.get("/screening/workspace/").content.decode()
    assert [t in html for t in ("chart-directions", "chart-states", "chart-outcomes", "chart-days")] == [
        True
    ] * 4
    assert re.findall(r"<script(?![^>]*\bsrc=)|style=", html) == []  # no inline script or style
    assert '<rect class="bar bar-outcome-fail"' in html
    assert "<title>不通过：2</title>" in html


def test_dashboard_links_each_failing_rule_to_the_filtered_list(client, officer, three):
    client.force_login(officer)
    html = client.get("/screening/workspace/").content.decode()
    assert 'href="/screening/workspace/proposals/?year=2022&amp;state=handed_in&amp;rule=pi.age"' in html


def test_dashboard_offers_to_rescreen_the_stale_results(client, officer, three):
    client.force_login(officer)
    assert 'data-testid="rescreen-stale"' not in client.get("/screening/workspace/").content.decode()
    registries.registries_import(data={"recommenders": ["科学技术部国际合作司"]})
    html = client.get("/screening/workspace/").content.decode()
    assert ('data-testid="rescreen-stale"' in html, 'data-testid="stale-count">3<' in html) == (True, True)


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/screening/workspace/").status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_the_proposals(client, officer, screen):
    client.force_login(officer)
    screen([make_proposal(direction="1.1", pi_birth=dt.date(1960, 1, 1)) for _ in range(2)])
    small = dashboard_queries(client)
    screen(
        [
            make_proposal(direction=d, pi_birth=dt.date(1960, 1, 1))
            for d in ("1.2", "2.1", "1.1", "3.1", "1.2")
        ]
    )
    assert dashboard_queries(client) == small


# --- the list: filters ---------------------------------------------------------------


@pytest.fixture
def varied(screen):
    """Screened proposals that differ in every filtered column."""
    owner = make_user("ws-varied")
    a = make_proposal(owner=owner, reference="V-A", direction="1.1", title="碳捕集示范工程")
    b = make_proposal(
        owner=owner, reference="V-B", direction="2.1", title="氢能储运技术", pi_birth=dt.date(1961, 1, 1)
    )
    c = make_proposal(owner=owner, reference="V-C", direction="1.2", title="气候模式", recommender="某某厅")
    screen([a, b, c])
    d = make_proposal(owner=owner, reference="V-D", direction="1.1", title="草稿项目", state="draft")
    index([a, b, c, d])
    for p, day in ((a, dt.date(2022, 5, 1)), (b, dt.date(2022, 5, 2)), (c, dt.date(2022, 5, 3))):
        submitted_on(p, day)
    ProposalReview.objects.create(proposal=c, reviewed_at=dt.datetime(2022, 5, 4, tzinfo=dt.UTC), note="ok")
    return {p.reference: p for p in (a, b, c, d)}


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/screening/workspace/proposals/?{query}")
    assert response.status_code == 200
    return [p.reference for p in response.context["page"].rows]


FILTER_CASES = {
    "": ["V-A", "V-B", "V-C", "V-D"],
    "direction=1.1": ["V-A", "V-D"],
    "area=1": ["V-A", "V-C", "V-D"],
    "area=2": ["V-B"],
    "state=draft": ["V-D"],
    "state=screened": ["V-A", "V-B", "V-C"],
    "overall=fail": ["V-B", "V-C"],
    "overall=none": ["V-D"],
    "rule=pi.age": ["V-B"],
    "rule=recommendation.recommender": ["V-C"],
    "recommender=某某厅": ["V-C"],
    "lead_unit=牵头大学": ["V-A", "V-B", "V-C", "V-D"],
    "pi=负责人": ["V-A", "V-B", "V-C", "V-D"],
    "submitted_from=2022-05-02": ["V-B", "V-C"],
    "submitted_to=2022-05-02": ["V-A", "V-B"],
    "submitted_from=2022-05-02&submitted_to=2022-05-02": ["V-B"],
    "reviewed=yes": ["V-C"],
    "reviewed=no": ["V-A", "V-B", "V-D"],
    "stale=yes": [],
    "stale=no": ["V-A", "V-B", "V-C", "V-D"],
    "q=氢能": ["V-B"],
    "q=碳": ["V-A", "V-B", "V-C", "V-D"],  # every research content names 碳 (二氧化碳)
    "q=示范": ["V-A"],
    "q=v-c": ["V-C"],
    "q=氢能 储运": ["V-B"],
    "year=2022&direction=1.1&state=screened": ["V-A"],
}


def test_each_filter(client, officer, varied):
    """Every filter of the list (one fixture for all: building it screens proposals)."""
    client.force_login(officer)
    assert {query: listed(client, query) for query in FILTER_CASES} == FILTER_CASES


def test_filter_by_lead_unit_name_and_pi_name_or_id(client, officer, varied):
    client.force_login(officer)
    b = varied["V-B"]
    lead = b.units.get(role="lead").name
    pi = b.people.get(role="pi")
    assert (
        listed(client, f"lead_unit={lead}"),
        listed(client, f"pi={pi.name}"),
        listed(client, f"pi={pi.id_number}"),
    ) == (
        ["V-B"],
        ["V-B"],
        ["V-B"],
    )


def test_stale_filter_after_a_registry_reload(client, officer, varied):
    registries.registries_import(data={"recommenders": ["科学技术部国际合作司"]})
    client.force_login(officer)
    assert (listed(client, "stale=yes"), listed(client, "stale=no")) == (["V-A", "V-B", "V-C"], ["V-D"])


def test_a_bad_filter_value_shows_the_years_proposals_and_says_so(client, officer, varied):
    client.force_login(officer)
    response = client.get("/screening/workspace/proposals/?submitted_from=yesterday")
    assert (
        [p.reference for p in response.context["page"].rows],
        'data-testid="filter-invalid"' in response.content.decode(),
    ) == (
        ["V-A", "V-B", "V-C", "V-D"],
        True,
    )


# --- the list: sorting, columns, masking ------------------------------------------------


TITLES = {"V-A": "碳捕集示范工程", "V-B": "氢能储运技术", "V-C": "气候模式", "V-D": "草稿项目"}
SORT_CASES = {
    "reference": ["V-A", "V-B", "V-C", "V-D"],
    "-reference": ["V-D", "V-C", "V-B", "V-A"],
    "direction": ["V-A", "V-D", "V-C", "V-B"],
    "-direction": ["V-B", "V-C", "V-D", "V-A"],
    "submitted": ["V-A", "V-B", "V-C", "V-D"],  # a draft has no submission time: last either way
    "-submitted": ["V-C", "V-B", "V-A", "V-D"],
    "state": ["V-D", "V-A", "V-B", "V-C"],
    "title": sorted(TITLES, key=TITLES.get),
    "-title": sorted(TITLES, key=TITLES.get, reverse=True),
    "password": ["V-A", "V-B", "V-C", "V-D"],  # not a sortable column: the default
}


def test_each_sort(client, officer, varied):
    client.force_login(officer)
    assert {sort: listed(client, f"sort={sort}") for sort in SORT_CASES} == SORT_CASES


def test_sort_links_keep_the_filter_and_flip_the_direction(client, officer, varied):
    client.force_login(officer)
    html = client.get("/screening/workspace/proposals/?direction=1.1&sort=title").content.decode()
    assert (
        '<th aria-sort="ascending"><a href="?direction=1.1&amp;sort=-title" data-sort="title" class="sorted">'
        in html
    )
    assert html.count("aria-sort=") == 1  # on the sorted column's header cell, not on its link
    assert 'href="?direction=1.1&amp;sort=reference" data-sort="reference">' in html


def test_rows_show_lead_unit_pi_failing_conditions_result_and_review(client, officer, varied):
    client.force_login(officer)
    response = client.get("/screening/workspace/proposals/")
    rows = {p.reference: p for p in response.context["page"].rows}
    b = rows["V-B"]
    assert (b.row.lead_unit, b.row.pi_name, b.latest_overall) == (
        varied["V-B"].units.get(role="lead").name,
        varied["V-B"].people.get(role="pi").name,
        "fail",
    )
    # born 1961 and direction 2.1's partner requirements (a continent, a testing institution)
    assert [rule for rule, _title in b.row.failing] == [
        "pi.age",
        "direction.partner_continents",
        "direction.testing_institution",
    ]
    assert b.row.failing[0] == ("pi.age", "项目负责人年龄")
    assert rows["V-C"].review.note == "ok"


def test_id_numbers_are_masked_for_officers_without_the_permission(client, officer, varied):
    pi_id = varied["V-A"].people.get(role="pi").id_number
    client.force_login(officer)
    html = client.get("/screening/workspace/proposals/").content.decode()
    assert (pi_id in html, f"{pi_id[:4]}{'*' * 10}{pi_id[-4:]}" in html) == (False, True)


def test_id_numbers_are_shown_in_full_with_the_permission(client, officer, varied):
    officer.user_permissions.add(Permission.objects.get(codename="view_full_id"))
    pi_id = varied["V-A"].people.get(role="pi").id_number
    client.force_login(officer)
    assert pi_id in client.get("/screening/workspace/proposals/").content.decode()


def test_admins_see_full_id_numbers(client, varied):
    client.force_login(make_user("ws-admin2", role="admin"))
    pi_id = varied["V-A"].people.get(role="pi").id_number
    assert pi_id in client.get("/screening/workspace/proposals/").content.decode()


def test_the_detail_page_shows_the_full_id_to_an_officer_without_the_permission(client, officer, varied):
    client.force_login(officer)
    pi_id = varied["V-A"].people.get(role="pi").id_number
    assert pi_id in client.get(f"/proposals/{varied['V-A'].pk}/").content.decode()


def test_next_and_previous_links_carry_an_opaque_cursor_and_the_filter(client, officer, guide2022):
    from tests.factories.workspace import bulk_proposals

    bulk_proposals(120, owner=make_user("ws-many"))
    client.force_login(officer)
    first = client.get("/screening/workspace/proposals/?direction=1.1")
    assert (first.context["page"].count, len(first.context["page"].rows)) == (40, 40)
    page = client.get("/screening/workspace/proposals/?state=submitted")
    assert (page.context["page"].count, page.context["page"].start, page.context["page"].end) == (120, 1, 50)
    next_query = page.context["next_query"]
    assert re.fullmatch(r"state=submitted&cursor=[\w%.-]+", next_query)
    second = client.get(f"/screening/workspace/proposals/?{next_query}")
    assert (second.context["page"].start, second.context["page"].rows[0].reference) == (51, "WS-00050")
    back = client.get(f"/screening/workspace/proposals/?{second.context['prev_query']}")
    assert [p.pk for p in back.context["page"].rows] == [p.pk for p in page.context["page"].rows]
    assert back.context["prev_query"] == ""


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/screening/workspace/proposals/?q=燃烧&sort=-submitted").status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_the_proposals(client, officer, screen):
    client.force_login(officer)
    first = [make_proposal(direction="1.1", pi_birth=dt.date(1960, 1, 1)) for _ in range(2)]
    screen(first)
    index(first)
    small = list_queries(client)
    more = [
        make_proposal(direction=d, pi_birth=dt.date(1960, 1, 1)) for d in ("1.2", "2.1", "1.1", "3.1", "1.2")
    ]
    screen(more)
    index(more)
    assert Proposal.objects.count() == 7
    assert list_queries(client) == small


def test_a_review_job_is_named_in_english_in_english(
    client, officer, three, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/screening/workspace/bulk/",
            {"action": "review", "scope": "selected", "query": "", "ids": [three[0].pk], "note": ""},
        )
    client.cookies["django_language"] = "en"
    page = client.get(response["Location"]).content.decode()
    jobs = client.get("/screening/workspace/jobs/").content.decode()
    assert ("· Mark as reviewed</h1>" in page, "<td>Mark as reviewed</td>" in jobs) == (True, True)
    assert "标记为已审阅" not in page + jobs
