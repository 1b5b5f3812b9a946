import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.rules.base import birth_date_from_id, credit_code_valid, jsonable
from screening.rules.text import (
    CONTENT_SIMILARITY_THRESHOLD,
    FINGERPRINT_BANDS,
    TITLE_SIMILARITY_THRESHOLD,
)
from screening.rules.types import (
    Finding,
    IndicatorSpec,
    UnitSnap,
    content_fingerprints,
    content_similarity,
    title_similarity,
    unit_key,
)
from tests.factories.screening_snapshots import DIRECTION_5_2_TEXT, make_member, make_pi


def test_unit_key_uses_upper_cased_credit_code():
    assert unit_key(UnitSnap(name="清华大学", credit_code=" 12100000400000624d ")) == "12100000400000624D"


def test_unit_key_normalises_name_without_credit_code():
    assert unit_key(UnitSnap(name="ＴＵ  Berlin（Germany）", credit_code=None)) == "tuberlingermany"


def test_unit_key_same_for_full_width_and_half_width_names():
    assert unit_key(UnitSnap(name="中国科学院 大连化学物理研究所")) == unit_key(
        UnitSnap(name="中国科学院大连化学物理研究所")
    )


def test_title_similarity_identical_after_normalisation_is_one():
    assert title_similarity("氢能 技术合作研发！", "氢能技术合作研发") == 1.0


def test_title_similarity_empty_title_is_zero():
    assert title_similarity("", "氢能技术") == 0.0


def test_title_similarity_small_edit_stays_above_threshold():
    a = "新能源汽车运行故障与事故检测评价关键技术联合研究"
    b = "新能源汽车运行故障与事故检测评价关键技术的联合研究"
    assert title_similarity(a, b) >= TITLE_SIMILARITY_THRESHOLD


def test_title_similarity_different_topics_below_threshold():
    assert title_similarity("氢能储运关键技术", "帕金森病早期预警研究") < TITLE_SIMILARITY_THRESHOLD


def test_content_similarity_identical_text_is_one():
    assert round(content_similarity(DIRECTION_5_2_TEXT, DIRECTION_5_2_TEXT), 9) == 1.0


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="氢能储运关键技术 ab,。", max_size=40),
    st.text(alphabet="氢能储运关键技术 ab,。", max_size=40),
)
def test_content_similarity_is_the_cosine_of_the_bigram_counts_in_either_order(a, b):
    """The kept vectors (text._bigram_vector) give the cosine of the two texts' bigram counts."""
    from collections import Counter

    from screening.rules.text import bigrams, cosine_counts

    expected = cosine_counts(Counter(bigrams(a)), Counter(bigrams(b)))
    assert content_similarity(a, b) == content_similarity(b, a) == expected


def test_content_similarity_unrelated_text_below_threshold():
    assert content_similarity(DIRECTION_5_2_TEXT, "研究唐代诗歌的修辞传统。") < CONTENT_SIMILARITY_THRESHOLD


def test_content_fingerprints_are_deterministic_strings():
    first = content_fingerprints(DIRECTION_5_2_TEXT)
    assert first == content_fingerprints(DIRECTION_5_2_TEXT)
    assert len(first) == FINGERPRINT_BANDS
    assert all(key.startswith("mh1:") for key in first)


def test_content_fingerprints_empty_text_gives_no_keys():
    assert content_fingerprints("  ") == []


def test_content_fingerprints_near_identical_texts_share_a_key():
    edited = DIRECTION_5_2_TEXT.replace("便捷专用", "便捷").replace("国际应用", "国际推广")
    assert set(content_fingerprints(DIRECTION_5_2_TEXT)) & set(content_fingerprints(edited))


def test_content_fingerprints_unrelated_texts_share_no_key():
    assert not set(content_fingerprints(DIRECTION_5_2_TEXT)) & set(
        content_fingerprints("本项目研究唐代诗歌的修辞传统与文学批评方法，整理历代诗话文献。")
    )


def test_credit_code_valid_accepts_real_codes():
    assert [credit_code_valid(c) for c in ("91440300708461136T", "12100000400000624D")] == [True, True]


def test_credit_code_valid_rejects_wrong_check_digit_and_length():
    assert [credit_code_valid(c) for c in ("91440300708461136A", "9144030070846113", "")] == [
        False,
        False,
        False,
    ]


def test_birth_date_from_mainland_id_number():
    assert birth_date_from_id("11010119750505123X") == date(1975, 5, 5)


def test_birth_date_from_passport_number_is_none():
    assert birth_date_from_id("E12345678") is None


def test_person_paths_for_pi_and_member():
    assert (make_pi().path("birth_date"), make_member(2).path("id_number")) == (
        "pi.birth_date",
        "members[2].id_number",
    )


def test_finding_to_dict_is_json_serialisable():
    f = Finding(
        rule="pi.age",
        status="fail",
        clause="2(1)",
        message_id="pi.age.too_old",
        params=jsonable({"cutoff": date(1962, 1, 1)}),
    )
    assert json.loads(json.dumps(f.to_dict()))["params"] == {"cutoff": "1962-01-01"}


def test_indicator_spec_from_parser_like_object():
    class Indicator:
        position = 3
        text = "预警准确率达到95%以上"
        subject = "预警准确率"
        comparator = ">="
        value = 95.0
        value_max = None
        unit = "%"

    assert IndicatorSpec.from_indicator(Indicator()) == IndicatorSpec(
        subject="预警准确率",
        comparator=">=",
        value=95.0,
        value_max=None,
        unit="%",
        text="预警准确率达到95%以上",
    )
