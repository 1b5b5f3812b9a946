"""The direction list's keyword (guide.filters.DirectionFilter.filter_keyword): every
whitespace-separated word must match one of the fields, in any order, in Chinese and English."""

from pathlib import Path

import pytest

from guide.services import guide_ingest

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide2022():
    return guide_ingest(path=GUIDE_2022)


def codes(client, q: str) -> list[str]:
    response = client.get("/guide/2022/directions/", {"q": q})
    return [d.code for d in response.context["directions"]]


def test_english_words_not_adjacent_in_the_text_find_the_fuel_cell_directions(client, guide2022):
    # "hydrogen" is in the titles, "fuel cell" in the keywords: never the phrase "hydrogen fuel cell".
    assert codes(client, "Hydrogen fuel cell") == ["4.1", "4.2", "4.3"]


def test_english_words_in_another_order_find_the_same_directions(client, guide2022):
    assert codes(client, "cell fuel HYDROGEN") == ["4.1", "4.2", "4.3"]


def test_chinese_words_separated_by_a_space_find_the_direction_with_both(client, guide2022):
    assert codes(client, "储氢 分布式") == ["4.1"]


def test_chinese_words_in_another_order_than_the_text(client, guide2022):
    # 4.3's text says 催化剂载体; the query names the words the other way round.
    assert codes(client, "载体 催化剂") == ["4.3"]


def test_chinese_words_separated_by_a_full_width_space(client, guide2022):
    assert codes(client, "分布式\u3000储氢") == ["4.1"]


def test_chinese_and_english_words_together(client, guide2022):
    assert codes(client, "hydrogen 燃料电池") == ["4.1", "4.2", "4.3"]


def test_every_word_must_match_not_any_word(client, guide2022):
    assert codes(client, "hydrogen banana") == []


def test_a_single_code_still_finds_that_direction(client, guide2022):
    assert codes(client, "10.1") == ["10.1"]
    assert codes(client, " 4.1 ") == ["4.1"]


def test_blank_keyword_lists_every_direction(client, guide2022):
    assert len(codes(client, "   ")) == 39
