"""English in the guide pages: list joins, English titles and keywords from the per-year
data file, and the same indicator count on the list and the direction page."""

import json
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from guide.models import Direction, PartnerRequirement
from guide.parsing.english import english_load
from guide.parsing.readers import parse_file
from guide.services import guide_ingest
from guide.templatetags.humanize_guide import file_kind, join_words

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
GUIDE_2022 = FIXTURES / "2022-strategic-cooperation.txt"


@pytest.fixture
def guide2022(db):
    return guide_ingest(path=GUIDE_2022)


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def codes(response) -> list[str]:
    return [d.code for d in response.context["directions"]]


def test_continents_label_joins_the_english_way():
    r = PartnerRequirement(kind="continents", value=["asia", "europe", "americas"], strength="required")
    with translation.override("en"):
        html = render_to_string("guide/partner_requirement_label.html", {"r": r})
    assert html.strip() == "Partners from Asia, Europe and the Americas"


def test_continents_label_joins_with_the_chinese_comma_in_chinese():
    r = PartnerRequirement(kind="continents", value=["asia", "europe", "americas"], strength="required")
    with translation.override("zh-hans"):
        html = render_to_string("guide/partner_requirement_label.html", {"r": r})
    assert html.strip() == "合作单位来自 亚洲、欧洲、美洲"


@pytest.mark.parametrize(
    ("items", "joined"),
    [
        ([], ""),
        (["Asia"], "Asia"),
        (["Asia", "Europe"], "Asia and Europe"),
        (["A", "B", "C", "D"], "A, B, C and D"),
    ],
)
def test_join_words_in_english(items, joined):
    with translation.override("en"):
        assert join_words(items) == joined


def test_english_file_has_a_title_and_keywords_for_each_of_the_39_directions():
    english = english_load(GUIDE_2022)
    parsed_codes = [d.code for d in parse_file(GUIDE_2022).directions]
    assert len(parsed_codes) == 39
    assert sorted(english.directions) == sorted(parsed_codes)
    assert [c for c, d in english.directions.items() if not d.title or not d.keywords] == []
    # Real English: no Chinese characters left in the titles or keywords.
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert [c for c, d in english.directions.items() if cjk.search(d.title + "".join(d.keywords))] == []


def test_ingest_stores_the_english_titles_and_names_the_file(guide2022):
    assert guide2022.english_source == "2022-strategic-cooperation.en.json"
    assert Direction.objects.filter(guide=guide2022, title_en="").count() == 0
    d = Direction.objects.get(guide=guide2022, code="4.3")
    assert (
        d.title_en == "Cooperative R&D of catalyst supports and catalysts for hydrogen-electricity conversion"
    )


def test_keyword_hydrogen_finds_the_hydrogen_directions(client, guide2022):
    response = client.get("/guide/2022/directions/", {"q": "hydrogen"})
    assert codes(response) == ["4.1", "4.2", "4.3", "6.1", "8.2"]


def test_english_keyword_is_case_insensitive(client, guide2022):
    response = client.get("/guide/2022/directions/", {"q": "Parkinson"})
    assert codes(response) == ["10.7"]
    response = client.get("/guide/2022/directions/", {"q": "v2g"})
    assert codes(response) == ["5.1"]


def test_chinese_keyword_still_searches_the_guide_text(client, guide2022):
    response = client.get("/guide/2022/directions/", {"q": "帕金森"})
    assert codes(response) == ["10.7"]


def test_direction_list_shows_english_titles_in_english(client, guide2022):
    html = en(client).get("/guide/2022/directions/").content.decode()
    assert "Pathogenesis, early warning and intervention of Parkinson&#x27;s disease</a>" in html
    assert 'data-testid="search-scope">Keywords in Chinese or English' in html


def test_direction_page_shows_english_title_and_the_original_in_english(client, guide2022):
    html = en(client).get("/guide/2022/directions/10.7/").content.decode()
    assert (
        'data-testid="direction-title">Pathogenesis, early warning and intervention of Parkinson&#x27;s disease<'
        in html
    )
    assert 'data-testid="direction-title-zh">帕金森病发病机制和早期预警和干预研究<' in html


def test_direction_page_shows_the_chinese_title_in_chinese(client, guide2022):
    html = client.get("/guide/2022/directions/10.7/").content.decode()
    assert 'data-testid="direction-title">帕金森病发病机制和早期预警和干预研究<' in html
    assert 'data-testid="direction-title-zh"' not in html


def test_guide_without_english_file_searches_chinese_only_and_says_so(client, db, tmp_path):
    path = tmp_path / "2022-no-english.txt"
    shutil.copy(GUIDE_2022, path)
    guide = guide_ingest(path=path)
    assert guide.english_source == ""
    response = client.get("/guide/2022/directions/", {"q": "hydrogen"})
    assert codes(response) == []
    assert codes(client.get("/guide/2022/directions/", {"q": "氢"}))[:3] == ["4.1", "4.2", "4.3"]
    html = client.get("/guide/2022/directions/").content.decode()
    assert (
        'data-testid="search-scope">关键词只在指南的中文原文中查找（本年度指南没有英文名称和关键词）。<'
        in html
    )
    html = en(client).get("/guide/2022/directions/10.7/").content.decode()
    assert 'data-testid="direction-title">帕金森病发病机制和早期预警和干预研究<' in html


def test_reingest_without_english_file_empties_the_english_fields(db, tmp_path):
    path = tmp_path / "g.txt"
    shutil.copy(GUIDE_2022, path)
    (tmp_path / "g.en.json").write_text(
        json.dumps({"year": 2022, "directions": {"4.3": {"title": "Catalysts", "keywords": ["platinum"]}}})
    )
    guide_ingest(path=path)
    assert Direction.objects.get(code="4.3").keywords_en == "platinum"
    (tmp_path / "g.en.json").unlink()
    guide = guide_ingest(path=path)
    assert guide.english_source == ""
    assert Direction.objects.exclude(title_en="").count() == 0


def test_english_file_of_another_year_is_ignored(db, tmp_path):
    path = tmp_path / "g.txt"
    shutil.copy(GUIDE_2022, path)
    (tmp_path / "g.en.json").write_text(
        json.dumps({"year": 2021, "directions": {"4.3": {"title": "Catalysts", "keywords": []}}})
    )
    guide = guide_ingest(path=path)
    assert guide.english_source == ""
    assert Direction.objects.get(code="4.3").title_en == ""


def test_list_and_page_count_the_same_indicators_of_4_3(client, guide2022):
    direction = Direction.objects.get(guide=guide2022, code="4.3")
    quantitative = sum(1 for i in direction.indicators.all() if i.comparator)
    assert quantitative == 30
    listing = client.get("/guide/2022/directions/").content.decode()
    page = client.get("/guide/2022/directions/4.3/").content.decode()
    assert 'data-testid="quantitative-count-4.3">30<' in listing
    assert 'data-testid="quantitative-count">30<' in page


def test_admin_direction_page_names_the_indicator_columns_in_each_language(client, guide2022):
    from tests.factories.proposals import make_user

    client.force_login(make_user("root", role="admin"))
    direction = Direction.objects.get(guide=guide2022, code="4.3")
    url = f"/admin/guide/direction/{direction.pk}/change/"
    html = en(client).get(url).content.decode()
    assert ("Upper value" in html, "Value max" in html, "Original text" in html) == (True, False, True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(url).content.decode()
    assert ("数值上限" in html, "Value max" in html) == (True, False)


def test_the_guides_areas_are_thematic_areas_in_english(client, guide2022):
    """领域 is a thematic area of the guide, said so on every page (a bare "Area" reads as a place)."""
    directions = en(client).get("/guide/2022/directions/").content.decode()
    overview = en(client).get("/guide/2022/").content.decode()
    assert (
        '<label>Thematic area <select name="area"' in directions,
        "<th>Thematic area</th>" in directions,
        '<option value="" selected>All thematic areas</option>' in directions,
        "<th>Thematic area</th>" in overview,
    ) == (True, True, True, True)
    assert (">Area<" in directions + overview, ">Area " in directions + overview) == (False, False)


@pytest.mark.parametrize(
    ("language", "kinds"),
    [("en", ["PDF", "Word (DOCX)", "plain text"]), ("zh-hans", ["PDF", "Word (DOCX)", "纯文本"])],
)
def test_a_guide_files_kind_is_named_not_given_as_its_code(language, kinds):
    with translation.override(language):
        assert [file_kind(k) for k in ("pdf", "docx", "text")] == kinds


@pytest.mark.parametrize(
    ("language", "kind", "value", "shown"),
    [
        ("zh-hans", "institution_kind", "hospital", "须有医院或医疗机构参加"),
        ("en", "institution_kind", "hospital", "A hospital or medical institution must take part"),
        ("en", "licence", "biosafety_level_3", "A unit must have a biosafety level 3 laboratory"),
        ("zh-hans", "licence", "other", "须具备某某资质（原文）"),  # no words for "other": the clause
        ("en", "licence", "not_a_code", "须具备某某资质（原文）"),
    ],
)
def test_a_partner_requirement_is_said_in_words_or_by_its_clause(language, kind, value, shown):
    requirement = PartnerRequirement(
        kind=kind, value=value, strength="required", text="须具备某某资质（原文）"
    )
    with translation.override(language):
        html = render_to_string("guide/partner_requirement_label.html", {"r": requirement})
    assert html.strip() == shown
