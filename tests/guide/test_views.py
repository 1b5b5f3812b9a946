from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guide import caching
from guide.services import guide_ingest
from tests.factories.guide import make_guide

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide2022():
    return guide_ingest(path=GUIDE_2022)


def codes(response) -> list[str]:
    return [d.code for d in response.context["directions"]]


def test_home_redirects_to_latest_guide_overview(client, guide2022):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/guide/2022/"


def test_home_without_guide_explains_how_to_ingest(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "ingest_guide" in response.content.decode()


def test_overview_shows_general_rules_areas_and_clauses(client, guide2022):
    response = client.get("/guide/2022/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1962-01-01" in html
    assert "2021-06-30" in html
    assert "2.5 亿元" in html
    areas = list(response.context["areas"])
    assert len(areas) == 10
    assert [a.direction_count for a in areas] == [3, 3, 4, 3, 4, 4, 3, 2, 5, 8]
    assert "1962 年 1 月 1 日以后出生" in html


def test_overview_of_unknown_year_is_404(client, guide2022):
    assert client.get("/guide/1999/").status_code == 404


def test_direction_list_unfiltered_lists_all_39(client, guide2022):
    response = client.get("/guide/2022/directions/")
    assert len(codes(response)) == 39


def test_direction_list_filters_by_area(client, guide2022):
    assert codes(client.get("/guide/2022/directions/?area=8")) == ["8.1", "8.2"]


def test_direction_list_filters_by_ratio_two_to_one(client, guide2022):
    assert codes(client.get("/guide/2022/directions/?ratio=2")) == ["1.1", "1.2", "1.3", "3.3", "8.1", "8.2"]


def test_direction_list_filters_by_ratio_none(client, guide2022):
    got = codes(client.get("/guide/2022/directions/?ratio=none"))
    assert got == [
        "2.1",
        "2.3",
        "3.4",
        "6.4",
        "9.2",
        "9.3",
        "9.4",
        "9.5",
        "10.1",
        "10.2",
        "10.3",
        "10.4",
        "10.5",
        "10.7",
        "10.8",
    ]


def test_direction_list_filters_by_any_ratio(client, guide2022):
    assert len(codes(client.get("/guide/2022/directions/?ratio=any"))) == 24


def test_direction_list_filters_hard_partner_country_rule(client, guide2022):
    assert codes(client.get("/guide/2022/directions/?partner=countries_required")) == ["5.2", "5.3"]


def test_direction_list_filters_licence_requirement(client, guide2022):
    assert codes(client.get("/guide/2022/directions/?partner=licence")) == ["10.4"]


def test_direction_list_keyword_chinese_substring_matches_indicators(client, guide2022):
    assert codes(client.get("/guide/2022/directions/?q=放氢纯度")) == ["4.1"]


def test_direction_list_keyword_matches_titles(client, guide2022):
    assert codes(client.get("/guide/2022/directions/?q=帕金森")) == ["10.7"]


def test_direction_list_invalid_filter_value_shows_all_with_message(client, guide2022):
    response = client.get("/guide/2022/directions/?ratio=banana")
    assert response.status_code == 200
    assert response.context["invalid"] is True
    assert len(codes(response)) == 39


def test_direction_detail_shows_indicator_table(client, guide2022):
    response = client.get(reverse("guide:direction_detail", args=[2022, "4.1"]))
    assert response.status_code == 200
    indicators = list(response.context["direction"].indicators.all())
    purity = [i for i in indicators if i.subject and "放氢纯度" in i.subject]
    assert [(i.comparator, i.value, i.unit) for i in purity] == [(">=", 99.999, "%")]
    html = response.content.decode()
    assert 'data-testid="indicators"' in html
    assert "1:1" in html


def test_direction_detail_shows_research_items(client, guide2022):
    response = client.get(reverse("guide:direction_detail", args=[2022, "2.1"]))
    assert len(response.context["direction"].research_items) == 3


def test_direction_detail_unknown_code_is_404(client, guide2022):
    assert client.get("/guide/2022/directions/11.1/").status_code == 404


def test_english_chrome_keeps_guide_text(client, guide2022):
    client.cookies["django_language"] = "en"
    html = client.get("/guide/2022/directions/4.1/").content.decode()
    assert "Research content" in html
    assert "Assessment indicators" in html
    assert "基于安全储氢的氢储能与分布式多能源系统合作研发" in html


def test_the_direction_list_is_named_in_each_language(client, guide2022):
    assert "<h1>2022 年度指南方向</h1>" in client.get("/guide/2022/directions/").content.decode()
    client.cookies["django_language"] = "en"
    assert "<h1>Directions of the 2022 guide</h1>" in client.get("/guide/2022/directions/").content.decode()


def _query_count(client, url) -> int:
    caching.forget()  # each page from the same start: the published versions not read yet (guide.caching)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/guide/{year}/", "/guide/{year}/directions/", "/guide/{year}/directions/?partner=any&ratio=any&q=方向"],
)
def test_page_query_count_constant_as_directions_grow(client, url):
    small = make_guide(year=2031, areas=2, directions_per_area=2)
    large = make_guide(year=2032, areas=5, directions_per_area=6)
    assert _query_count(client, url.format(year=small.year)) == _query_count(
        client, url.format(year=large.year)
    )


def test_direction_detail_query_count_constant(client):
    small = make_guide(year=2031, areas=1, directions_per_area=1)
    large = make_guide(year=2032, areas=3, directions_per_area=5)
    assert _query_count(client, f"/guide/{small.year}/directions/1.1/") == _query_count(
        client, f"/guide/{large.year}/directions/1.1/"
    )


def test_chinese_is_the_default_even_for_english_browsers(client, guide2022):
    html = client.get("/guide/2022/directions/4.1/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "研究内容" in html
    assert "Research content" not in html


def test_language_switch_sets_english(client, guide2022):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/guide/2022/"})
    assert response.status_code == 302
    assert "Research content" in client.get("/guide/2022/directions/4.1/").content.decode()


def test_direction_detail_lists_sub_items_once_and_counts_quantitative_indicators(client, guide2022):
    response = client.get("/guide/2022/directions/2.1/")
    html = response.content.decode()
    assert html.count("与生态环境友好的大型光伏系统设计评估技术") == 1
    direction = response.context["direction"]
    assert direction.quantitative_count == sum(1 for i in direction.indicators.all() if i.comparator)
    assert direction.quantitative_count < direction.indicators.count()
    assert f'data-testid="quantitative-count">{direction.quantitative_count}<' in html


def test_overview_summarises_ratios_and_partner_requirements(client, guide2022):
    summary = client.get("/guide/2022/").context["summary"]
    ratios = {
        (str(r["matching_ratio"]) if r["matching_ratio"] is not None else None): r["n"]
        for r in summary["ratios"]
    }
    assert ratios == {"2.00": 6, "1.00": 18, None: 15}
    partners = {(p["kind"], p["strength"]): p["n"] for p in summary["partners"]}
    assert partners[("foreign_countries", "required")] == 2
    assert partners[("foreign_countries", "indicator")] == 7  # 6.1, 6.4, 7.1–7.3, 8.1, 8.2
    assert partners[("licence", "required")] == 1
