"""The public pages show the conditions with their scopes: a direction's project types and the conditions
that apply in it (guide.parsing.conditions.applicable), the overview's conditions per project type and
single direction with the values the guide's text was not read for, and the direction list's filter by
project type. The guides: the family's young-scientist guide published from its text, the 2022 guide, and
built ones with a missing, an ambiguous and a confirmed-absent condition."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guide import caching
from guide.models import Direction
from guide.services import guide_ingest, version_create_from_file, version_publish
from tests.factories.guide import make_guide
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
MISSING_WARNING = "指南中未读出此项，预审暂不检查"
AMBIGUOUS_WARNING = "适用的取值不止一个，预审暂不检查"


@pytest.fixture
def young2024():
    version = version_create_from_file(path=FIXTURES / "family" / "young-scientist-2024.txt")
    version_publish(version=version, by=make_user("officer"))
    return version


def condition(key, parameter, value, *, project_type=None, direction=None, gender=None, state="stated"):
    return {
        "key": key,
        "parameter": parameter,
        "value": value,
        "scope": {"project_type": project_type, "direction": direction, "gender": gender},
        "state": state,
        "text": "",
        "source": None,
    }


def scoped_guide(year: int = 2031, *, areas: int = 1, directions_per_area: int = 2):
    """Direction 1.1 is of two types (甲类, 乙类) whose unit limits differ (ambiguous there), the others of
    乙类; the registration date was not read (missing) and an officer confirmed the guide sets no number of
    foreign units (absent)."""
    guide = make_guide(year=year, areas=areas, directions_per_area=directions_per_area)
    guide.conditions = [
        condition("pi_born_on_or_after", "pi_born_on_or_after", "1965-01-01"),
        condition("unit_registered_by", "unit_registered_by", None, state="missing"),
        condition("min_foreign_units", "min_foreign_units", None, state="absent"),
        condition("max_duration_years", "max_duration_years", 3),
        condition("max_units@type=甲类", "max_units", 5, project_type="甲类"),
        condition("max_units@type=乙类", "max_units", 8, project_type="乙类"),
        condition("directions[1.1].matching_ratio", "matching_ratio", 1.0, direction="1.1"),
    ]
    guide.save(update_fields=["conditions"])
    Direction.objects.filter(guide=guide).update(project_types=["乙类"])
    Direction.objects.filter(guide=guide, code="1.1").update(project_types=["甲类", "乙类"])
    return guide


def text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def condition_rows(page: str) -> list[tuple[str, str, str, str]]:
    """(label, value, scope, warning) of each row of the direction page's conditions table."""
    rows, label, warning = [], "", ""
    for row in re.findall(r'<tr data-testid="condition-row".*?</tr>', page, re.S):
        head = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
        if head:
            found = re.search(r'<div class="warn small" data-testid="condition-warning">(.*?)</div>', head[1])
            warning = text(found[1]) if found else ""
            label = text(re.sub(r"<div.*?</div>", "", head[1], flags=re.S))
        value = text(re.search(r'<td class="condition-value">(.*?)</td>', row, re.S)[1])
        scope_cell = re.search(r'<td class="condition-scope">(.*?)</td>', row, re.S)[1]
        scope = text(re.sub(r'<(span|details) class="guide-source".*?</\1>', "", scope_cell, flags=re.S))
        rows.append((label, value, scope, warning))
    return rows


def type_rows(page: str) -> list[tuple[str, str, list[str]]]:
    """(type, number of directions, conditions) of each row of the overview's project-type table."""
    rows = []
    for row in re.findall(r'<tr data-testid="type-row">.*?</tr>', page, re.S):
        name = text(re.search(r'<td class="type-name">(.*?)</td>', row, re.S)[1])
        count = text(re.search(r'<td class="type-count">(.*?)</td>', row, re.S)[1])
        cell = re.search(r'<td class="type-conditions">(.*?)</td>', row, re.S)[1]
        items = [text(li) for li in re.findall(r"<li>(.*?)</li>", cell, re.S)] or [text(cell)]
        rows.append((name, count, items))
    return rows


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- the direction page -------------------------------------------------------------------------------


def test_young_scientist_direction_lists_gender_cutoffs_the_three_unit_limit_and_its_own_project_count(
    client, young2024
):
    page = get(client, "/guide/2024/directions/2.2/")
    assert condition_rows(page) == [
        ("项目负责人出生不早于", "1986-01-01", "青年科学家项目（男性）", ""),
        ("项目负责人出生不早于", "1984-01-01", "青年科学家项目（女性）", ""),
        ("课题负责人出生不早于", "1964-01-01", "全指南", ""),
        ("单位注册不晚于", "2023-06-30", "全指南", ""),
        ("参与单位总数上限", "3", "青年科学家项目", ""),
        ("国（境）外单位下限", "1", "全指南", ""),
        ("实施周期上限（年）", "4", "全指南", ""),
        ("可下设课题", "否", "青年科学家项目", ""),
        ("拟支持项目数", "1", "方向 2.2", ""),
    ]
    assert re.findall(r'data-testid="project-type">(.*?)</a>', page) == ["青年科学家项目"]
    assert 'rowspan="2">项目负责人出生不早于</th>' in page
    # where a type's value was read (the call-wide ones say it on the overview)
    table = re.search(r'data-testid="conditions">.*?</table>', page, re.S)[0]
    cited = r'<td class="condition-scope">([^<]*) <span class="guide-source" data-testid="guide-source">原文第 \d+ 段'
    assert re.findall(cited, table) == [
        "青年科学家项目（男性）",
        "青年科学家项目（女性）",
        "青年科学家项目",
        "青年科学家项目",
    ]


def test_a_direction_of_two_types_gets_its_own_ratio_over_its_types_and_both_tags(client, young2024):
    page = get(client, "/guide/2024/directions/1.3/")
    assert re.findall(r'data-testid="project-type">(.*?)</a>', page) == ["应用示范类", "部省联动任务"]
    rows = condition_rows(page)
    assert [
        r for r in rows if r[0] in ("参与单位总数上限", "下设课题数上限", "配套经费比例", "拟支持项目数")
    ] == [
        ("参与单位总数上限", "10", "应用示范类", ""),
        ("下设课题数上限", "5", "应用示范类", ""),
        ("配套经费比例", "3:1", "方向 1.3", ""),
        ("拟支持项目数", "1~2", "全指南", ""),
    ]
    assert '<div class="card-value" data-testid="ratio">3:1</div>' in page
    assert 'data-testid="ratio-scope"' not in page


def test_the_ratio_card_shows_the_types_ratio_where_the_direction_states_none(client, young2024):
    page = get(client, "/guide/2024/directions/3.2/")
    assert ("配套经费比例", "2:1", "应用示范类", "") in condition_rows(page)
    assert '<div class="card-value" data-testid="ratio">2:1</div>' in page
    assert '<div class="muted small" data-testid="ratio-scope">应用示范类</div>' in page


def test_a_basic_research_direction_gets_its_types_limits_and_the_call_wide_pi_cutoff(client, young2024):
    rows = condition_rows(get(client, "/guide/2024/directions/1.1/"))
    assert rows[:1] + [r for r in rows if r[2] != "全指南"] == [
        ("项目负责人出生不早于", "1964-01-01", "全指南", ""),
        ("参与单位总数上限", "6", "基础研究类", ""),
        ("可下设课题", "是", "基础研究类", ""),
        ("下设课题数上限", "4", "基础研究类", ""),
    ]


def test_the_2022_direction_page_lists_the_call_wide_conditions_and_its_ratio(client):
    guide_ingest(path=FIXTURES / "2022-strategic-cooperation.txt")
    page = get(client, "/guide/2022/directions/4.1/")
    assert condition_rows(page) == [
        ("项目负责人出生不早于", "1962-01-01", "全指南", ""),
        ("单位注册不晚于", "2021-06-30", "全指南", ""),
        ("中方参与单位上限", "10", "全指南", ""),
        ("国（境）外单位下限", "1", "全指南", ""),
        ("实施周期上限（年）", "3", "全指南", ""),
        ("可下设课题", "否", "全指南", ""),
        ("配套经费比例", "1:1", "方向 4.1", ""),
        ("拟支持项目数", "1~2", "全指南", ""),
    ]
    assert 'data-testid="project-types"' not in page
    assert '<div class="card-value" data-testid="ratio">1:1</div>' in page


def test_a_missing_value_an_ambiguous_one_and_a_confirmed_absence_are_said_on_the_direction_page(client):
    scoped_guide()
    page = get(client, "/guide/2031/directions/1.1/")
    assert condition_rows(page) == [
        ("项目负责人出生不早于", "1965-01-01", "全指南", ""),
        ("单位注册不晚于", "—", "全指南", MISSING_WARNING),
        ("参与单位总数上限", "5", "甲类", AMBIGUOUS_WARNING),
        ("参与单位总数上限", "8", "乙类", AMBIGUOUS_WARNING),
        ("国（境）外单位下限", "指南未规定（已确认）", "全指南", ""),
        ("实施周期上限（年）", "3", "全指南", ""),
        ("配套经费比例", "1:1", "方向 1.1", ""),
    ]
    assert condition_rows(get(client, "/guide/2031/directions/1.2/"))[2] == (
        "参与单位总数上限",
        "8",
        "乙类",
        "",
    )


def test_a_guide_without_conditions_says_so_and_keeps_the_directions_ratio(client):
    make_guide(year=2031, areas=1, directions_per_area=1)
    page = get(client, "/guide/2031/directions/1.1/")
    assert condition_rows(page) == []
    assert 'data-testid="no-conditions"' in page
    assert '<div class="card-value" data-testid="ratio">1:1</div>' in page


def test_the_direction_page_speaks_english_with_the_guides_own_names(client, young2024):
    client.cookies["django_language"] = "en"
    page = get(client, "/guide/2024/directions/2.2/")
    assert "<h2>Conditions that apply</h2>" in page
    assert condition_rows(page)[:2] == [
        ("PI born on or after", "1986-01-01", "青年科学家项目 (Male)", ""),
        ("PI born on or after", "1984-01-01", "青年科学家项目 (Female)", ""),
    ]
    assert condition_rows(page)[-2:] == [
        ("Subtasks allowed", "no", "青年科学家项目", ""),
        ("Projects supported", "1", "Direction 2.2", ""),
    ]
    scoped_guide()
    assert condition_rows(get(client, "/guide/2031/directions/1.1/"))[1:3] == [
        (
            "Organization registered on or before",
            "—",
            "Whole call",
            "Not read from the guide: the pre-check does not check it yet",
        ),
        (
            "Participating units, at most",
            "5",
            "甲类",
            "More than one value applies: the pre-check does not check it yet",
        ),
    ]


# --- the overview -------------------------------------------------------------------------------------


def test_the_overview_lists_each_project_type_with_its_directions_and_own_conditions(client, young2024):
    page = get(client, "/guide/2024/")
    assert type_rows(page) == [
        ("基础研究类", "2", ["参与单位总数上限 6", "可下设课题 是", "下设课题数上限 4"]),
        ("共性关键技术类", "2", ["参与单位总数上限 10", "可下设课题 是", "下设课题数上限 5"]),
        ("应用示范类", "2", ["参与单位总数上限 10", "可下设课题 是", "下设课题数上限 5", "配套经费比例 2:1"]),
        ("部省联动任务", "1", ["同总体要求"]),
        (
            "青年科学家项目",
            "1",
            [
                "项目负责人出生不早于 1986-01-01（男性）/1984-01-01（女性）",
                "参与单位总数上限 3",
                "可下设课题 否",
            ],
        ),
    ]
    directions = re.findall(r'<tr data-testid="direction-row">.*?</tr>', page, re.S)
    assert [text(d) for d in directions] == ["2.2 拟支持项目数 1"]
    assert 'data-testid="condition-warnings"' not in page
    assert (
        'href="/guide/2024/directions/?type=%E9%9D%92%E5%B9%B4%E7%A7%91%E5%AD%A6%E5%AE%B6%E9%A1%B9%E7%9B%AE"'
        in page
    )


def test_the_overview_warns_of_a_value_not_read_and_groups_the_types(client):
    scoped_guide()
    page = get(client, "/guide/2031/")
    warnings = re.search(r'<div class="notice" data-testid="condition-warnings">(.*?)</div>', page, re.S)[1]
    assert [text(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", warnings, re.S)] == [
        f"单位注册不晚于 {MISSING_WARNING}"
    ]
    assert type_rows(page) == [("甲类", "1", ["参与单位总数上限 5"]), ("乙类", "2", ["参与单位总数上限 8"])]
    assert 'data-testid="direction-conditions"' not in page  # the per-direction ratio is summarised apart


def test_the_2022_overview_keeps_its_call_wide_table_and_has_no_type_section(client):
    guide_ingest(path=FIXTURES / "2022-strategic-cooperation.txt")
    page = get(client, "/guide/2022/")
    assert 'data-testid="general-rules"' in page
    assert (
        'data-testid="type-conditions"' not in page
        and 'data-testid="direction-conditions"' not in page
        and 'data-testid="condition-warnings"' not in page
    )


def test_the_overviews_partner_counts_follow_the_pages_punctuation(client):
    guide_ingest(path=FIXTURES / "2022-strategic-cooperation.txt")
    assert re.search(r"须有多国合作单位参与</a>：\d+</li>", get(client, "/guide/2022/"))
    client.cookies["django_language"] = "en"
    assert re.search(r"</a>: \d+</li>", get(client, "/guide/2022/"))


def test_the_overview_speaks_english(client, young2024):
    client.cookies["django_language"] = "en"
    page = get(client, "/guide/2024/")
    assert "<h2>Conditions by project type</h2>" in page
    assert type_rows(page)[-1] == (
        "青年科学家项目",
        "1",
        [
            "PI born on or after 1986-01-01 (Male)/1984-01-01 (Female)",
            "Participating units, at most 3",
            "Subtasks allowed no",
        ],
    )
    assert type_rows(page)[3] == ("部省联动任务", "1", ["As in the general limits"])


# --- the direction list -------------------------------------------------------------------------------


def codes(response) -> list[str]:
    return [d.code for d in response.context["directions"]]


@pytest.mark.parametrize(
    ("project_type", "expected"),
    [
        ("应用示范类", ["1.3", "3.2"]),
        ("部省联动任务", ["1.3"]),
        ("青年科学家项目", ["2.2"]),
        ("基础研究类", ["1.1", "3.1"]),
    ],
)
def test_the_direction_list_filters_by_project_type(client, young2024, project_type, expected):
    response = client.get("/guide/2024/directions/", {"type": project_type})
    assert (response.context["invalid"], codes(response)) == (False, expected)


def test_the_project_type_filter_with_the_area_and_a_type_the_guide_has_not(client, young2024):
    assert codes(client.get("/guide/2024/directions/", {"type": "应用示范类", "area": 3})) == ["3.2"]
    response = client.get("/guide/2024/directions/", {"type": "示范类"})
    assert (response.context["invalid"], len(codes(response))) == (True, 7)


def test_the_direction_list_shows_each_directions_types_and_offers_the_guides_types(client, young2024):
    page = get(client, "/guide/2024/directions/")
    tags = re.search(r'data-testid="project-types-1.3">(.*?)</div>', page, re.S)[1]
    assert re.findall(r'data-testid="project-type">(.*?)</a>', tags) == ["应用示范类", "部省联动任务"]
    select = re.search(r'<select name="type".*?</select>', page, re.S)[0]
    assert re.findall(r"<option[^>]*>(.*?)</option>", select) == [
        "全部类型",
        "基础研究类",
        "共性关键技术类",
        "应用示范类",
        "部省联动任务",
        "青年科学家项目",
    ]


def test_the_2022_direction_list_has_no_type_filter(client):
    guide_ingest(path=FIXTURES / "2022-strategic-cooperation.txt")
    page = get(client, "/guide/2022/directions/")
    assert '<select name="type"' not in page
    assert 'data-testid="project-types-' not in page


# --- queries ------------------------------------------------------------------------------------------


def _query_count(client, url) -> int:
    caching.forget()  # each page from the same start: the published versions not read yet (guide.caching)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/guide/{year}/",
        "/guide/{year}/directions/",
        "/guide/{year}/directions/?type=乙类",
        "/guide/{year}/directions/1.1/",
        "/guide/{year}/directions/1.2/",
    ],
)
def test_pages_with_scoped_conditions_take_as_many_queries_at_two_sizes(client, url):
    small = scoped_guide(2031, areas=1, directions_per_area=2)
    large = scoped_guide(2032, areas=4, directions_per_area=6)
    assert _query_count(client, url.format(year=small.year)) == _query_count(
        client, url.format(year=large.year)
    )


def test_the_list_its_ratio_filter_and_the_summary_use_the_ratio_that_applies(client, young2024):
    # 3.2 (应用示范类) has no ratio of its own: the type's 2:1 applies; 1.3 its own 3:1 over the type's
    assert dict(Direction.objects.filter(guide__year=2024).values_list("code", "applied_ratio")) == {
        "1.1": None,
        "1.2": 1,
        "1.3": 3,
        "2.1": 1,
        "2.2": None,
        "3.1": None,
        "3.2": 2,
    }
    listed = client.get("/guide/2024/directions/?ratio=2").content.decode()
    assert re.findall(r"/guide/2024/directions/([\d.]+)/\">\1<", listed) == ["3.2"]
    summary = client.get("/api/v1/guides/2024/").json()["matching_ratios"]
    assert summary == [
        {"matching_ratio": 3.0, "directions": 1},
        {"matching_ratio": 2.0, "directions": 1},
        {"matching_ratio": 1.0, "directions": 2},
        {"matching_ratio": None, "directions": 3},
    ]
