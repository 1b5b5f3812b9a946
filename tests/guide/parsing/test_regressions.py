"""Inputs that once crashed the guide parser or made it slow (found by fuzzing), each with its exact outcome.

Time bounds are ratios to parsing the real 2022 guide once in the same test (shared machines are noisy).
"""

from __future__ import annotations

import random
import time

import pypdfium2
import pytest
from billiard.exceptions import SoftTimeLimitExceeded

import guide.parsing.pdf
from guide.parsing import normalize
from guide.parsing.errors import GuideReadError
from guide.parsing.indicators import parse_indicator, parse_indicators
from guide.parsing.parser import matching_ratio, parse_text
from guide.parsing.readers import extract_document
from guide.parsing.types import Indicator
from tests.factories.guide_docs import structure
from tests.factories.proposal_docs import latin_pdf
from tests.proposals.extraction.hostile import nested_docx

RATIO_PHRASE = "配套经费与国拨经费的比例"


def seconds(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def guide_seconds(guide_2022_text: str) -> float:
    """The time to parse the real guide once (the best of three)."""
    return min(seconds(parse_text, guide_2022_text) for _ in range(3))


def with_general_sentence(text: str, sentence: str) -> str:
    """The guide with ``sentence`` as the first paragraph after its title."""
    title_end = text.index("\n", text.index("申报指南"))
    return text[:title_end] + "\n" + sentence + text[title_end:]


# ---------------------------------------------------------------------------
# Numbers that do not fit
# ---------------------------------------------------------------------------


def test_indicator_with_400_nines_has_no_value():
    text = "效率≥" + "9" * 400 + "%"
    assert parse_indicator(text) == Indicator(position=0, text=text)


def test_indicator_with_400_nines_times_ten_to_minus_400_has_no_value():
    text = "误差≤" + "9" * 400 + "×10⁻⁴⁰⁰m"
    assert parse_indicator(text) == Indicator(position=0, text=text)


def test_indicator_with_ten_to_the_9999_has_no_value():
    assert parse_indicator("误差≤1×10⁻⁹⁹⁹⁹m") == Indicator(position=0, text="误差≤1×10⁻⁹⁹⁹⁹m")
    assert parse_indicator("误差≤1×10⁹⁹⁹⁹⁹⁹⁹m") == Indicator(position=0, text="误差≤1×10⁹⁹⁹⁹⁹⁹⁹m")


def test_indicator_range_with_an_overflowing_bound_has_no_value():
    text = "效率5~" + "9" * 400 + "%"
    assert parse_indicator(text) == Indicator(position=0, text=text)


def test_indicator_with_30_digits_keeps_its_value():
    assert parse_indicator("效率达到" + "9" * 30 + "%") == Indicator(
        position=0,
        text="效率达到" + "9" * 30 + "%",
        subject="效率",
        comparator=">=",
        value=1e30,
        unit="%",
    )


def test_overflowing_indicator_does_not_hide_the_next_one():
    indicators = parse_indicators("效率≥" + "9" * 400 + "%；产量≥5吨")
    assert indicators[1] == Indicator(
        position=1, text="产量≥5吨", subject="产量", comparator=">=", value=5.0, unit="吨"
    )
    assert (indicators[0].comparator, indicators[0].value) == (None, None)


def test_small_exponent_still_reads():
    assert parse_indicator("误差≤2×10⁻⁶m").value == 2e-06


@pytest.mark.parametrize(
    "sentence",
    [
        "本专项共" + "9" * 5000 + "个方向。",
        "拟支持项目数" + "9" * 5000 + "项。",
        "国拨经费概算" + "9" * 5000 + "万元。",
        "须有" + "9" * 5000 + "个国外单位参与。",
        "中方单位不超过" + "9" * 5000 + "家。",
        "项目实施周期不超过" + "9" * 5000 + "年。",
    ],
    ids=["declared_count", "projects", "budget", "foreign_units", "domestic_units", "duration"],
)
def test_counts_with_5000_digits_are_not_read(guide_2022_text, guide_2022, sentence):
    """int() refuses more than 4,300 digits: such a number is no value, the guide's own one is read."""
    guide = parse_text(with_general_sentence(guide_2022_text, sentence))
    assert guide.declared_direction_count == guide_2022.declared_direction_count == 39
    assert guide.total_budget_yuan == guide_2022.total_budget_yuan
    assert guide.projects_per_direction == guide_2022.projects_per_direction
    assert guide.eligibility == guide_2022.eligibility
    assert structure(guide)["directions"] == structure(guide_2022)["directions"]


# ---------------------------------------------------------------------------
# Matching ratio
# ---------------------------------------------------------------------------


def test_matching_ratio_after_the_phrase_repeated_500_times(guide_seconds):
    text = RATIO_PHRASE * 500 + "不低于2:1"
    elapsed = seconds(matching_ratio, text)
    assert matching_ratio(text) == 2.0
    assert elapsed < guide_seconds  # was 19.6 s: cubic backtracking


def test_ratio_phrase_repeated_500_times_without_numbers(guide_seconds):
    text = RATIO_PHRASE * 500
    assert matching_ratio(text) is None
    assert seconds(matching_ratio, text) < guide_seconds


def test_ratio_phrase_repeated_with_digits_between_is_linear(guide_seconds):
    text = (RATIO_PHRASE + "1") * 2000
    assert matching_ratio(text) is None
    assert seconds(matching_ratio, text) < guide_seconds


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("配套经费与国拨经费的比例不低于2:1。", 2.0),
        ("配套资金比例不低于 1.5：1", 1.5),
        ("配套经费比例为3比1", 3.0),
        ("配套经费与国拨经费比例（2023年起）不低于1:1", None),  # the first digits after 比例 are a year
        ("配套经费比例不低于2:1；另，比例为3:1", 2.0),
        ("配套经费要求。比例不低于2:1", None),  # not in the same sentence
        ("配套经费的比例、比例不低于2:0", None),
        ("配套经费比例不低于1234567890:1", None),  # no ratio has ten digits
        ("比例不低于2:1，配套经费比例为1:1", 1.0),
    ],
)
def test_matching_ratio_reads_the_first_ratio_of_the_sentence(text, ratio):
    assert matching_ratio(text) == ratio


# ---------------------------------------------------------------------------
# Paragraphs joined from many lines
# ---------------------------------------------------------------------------


def test_20000_lines_joined_into_one_paragraph_parse_in_linear_time(guide_2022_text, guide_seconds):
    rng = random.Random(7)
    lines = ["".join(chr(rng.randrange(0x4E00, 0x4E00 + 2000)) for _ in range(10)) for _ in range(20_000)]
    text = with_general_sentence(guide_2022_text, "\n".join(lines))
    guide = parse_text(text)
    assert len(guide.directions) == 39
    assert seconds(parse_text, text) < 40 * guide_seconds  # 8 times the guide's length; was quadratic


def reference_split_paragraphs(text: str) -> list[str]:
    """split_paragraphs as it was (re-normalising the whole paragraph on every joined line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    raw_lines = [line.strip() for line in text.split("\n")]
    furniture = normalize.repeated_furniture(raw_lines)
    seen: set[str] = set()
    lines = []
    for line in raw_lines:
        if not line or normalize.is_page_number(line):
            continue
        key = normalize.furniture_key(line)
        if key in furniture:
            if len(lines) >= 5 or key in seen:
                continue
            seen.add(key)
        line = normalize.normalize_inline(line)
        if line:
            lines.append(line)
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and normalize.continues(paragraphs[-1], line):
            paragraphs[-1] = normalize.remove_cjk_spaces(normalize.smart_join(paragraphs[-1], line))
        else:
            paragraphs.append(line)
    return paragraphs


def test_joined_paragraphs_are_those_of_the_line_by_line_join(guide_2022_text):
    rng = random.Random(11)
    pieces = [
        "alpha",
        "Beta",
        "中文",
        "续行",
        "（1）",
        "1.1 方向",
        "考核指标：",
        "。",
        "；",
        "2:1",
        " ",
        "附件",
    ]
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    text = "\n".join(lines)
    assert normalize.split_paragraphs(text) == reference_split_paragraphs(text)
    assert normalize.split_paragraphs(guide_2022_text) == reference_split_paragraphs(guide_2022_text)


def test_ascii_lines_join_with_a_space_and_chinese_without():
    assert normalize.split_paragraphs("alpha\nbeta\n中文\n续行。\n下一段") == [
        "alpha beta中文续行。",
        "下一段",
    ]


# ---------------------------------------------------------------------------
# Readers: damaged files give GuideReadError, a soft time limit goes through
# ---------------------------------------------------------------------------


def test_guide_docx_nested_5000_levels_is_a_read_error(tmp_path):
    path = tmp_path / "guide.docx"
    path.write_bytes(nested_docx(5000))
    with pytest.raises(GuideReadError) as info:
        extract_document(path)
    assert str(info.value).startswith(
        "guide.docx is a broken DOCX (XMLSyntaxError: Excessive depth in document: 256"
    )


def test_pdfium_error_in_a_guide_pdf_is_a_read_error(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise pypdfium2.PdfiumError("damaged content stream")

    monkeypatch.setattr(guide.parsing.pdf, "_page_chars", broken)
    path = tmp_path / "guide.pdf"
    path.write_bytes(latin_pdf())
    with pytest.raises(GuideReadError) as info:
        extract_document(path)
    assert str(info.value) == "guide.pdf is a broken PDF (damaged content stream)"


def test_soft_time_limit_goes_through_the_guide_pdf_reader(tmp_path, monkeypatch):
    def soft_limit(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(guide.parsing.pdf, "_page_chars", soft_limit)
    path = tmp_path / "guide.pdf"
    path.write_bytes(latin_pdf())
    with pytest.raises(SoftTimeLimitExceeded):
        extract_document(path)


def test_soft_time_limit_goes_through_the_guide_docx_reader(tmp_path, monkeypatch):
    import docx.document

    def soft_limit(self, *args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(docx.document.Document, "iter_inner_content", soft_limit)
    path = tmp_path / "guide.docx"
    path.write_bytes(nested_docx(1))
    with pytest.raises(SoftTimeLimitExceeded):
        extract_document(path)
