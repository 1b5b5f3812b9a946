"""Property-based tests: the guide parser and the indicator parser cannot be crashed or made slow.

Inputs are mutations of the real 2022 guide (lines deleted, duplicated, swapped, truncated, random
Unicode and tokens the parser reacts to inserted) and generated indicator strings. Each property:
a result or the parser's own error, never another exception, and a time per input bounded as a
ratio to parsing the real guide once, measured in the same run (shared machines are noisy).

Budget: derandomized (reproducible in CI), no example database (nothing written to the project tree), a few
hundred examples in all; about 10 s on a 2-core machine.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.parsing.errors import GuideParseError
from guide.parsing.indicators import parse_indicator, parse_indicators, split_indicators
from guide.parsing.parser import parse_text
from guide.parsing.types import Indicator, ParsedGuide

GUIDE_RATIO = 20  # a mutated guide parses within 20 times the real one
INDICATOR_RATIO = 1  # one indicator text parses faster than the whole real guide

FUZZ = settings(
    deadline=None,  # time is bounded by the ratio below, not by an absolute deadline
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Tokens the parser gives a meaning to, and numbers that do not fit.
TOKENS = [
    "9" * 400,
    "1" * 5000,
    "×10⁹⁹⁹⁹",
    "×10⁻⁴⁰⁰",
    "优于",
    "配套经费与国拨经费的比例" * 20,
    "比例",
    "2:1",
    "1:0",
    "（",
    "）",
    "(",
    ")",
    "1.1 ",
    "9.99 ",
    "1. ",
    "一、",
    "考核指标：",
    "研究内容：",
    "其他要求：",
    "有关说明：",
    "形式审查条件要求",
    "2022年度申报指南",
    "共39个方向",
    "国拨经费概算2.5亿元",
    "拟支持项目数1~2项",
    "1975年2月30日以后出生",
    "$\\geq 10\\%$",
    "^{",
    "_{",
    "\\text{",
    "≥",
    "≤",
    "~",
    "—",
    "至",
    "±",
    "①",
    "（1）",
    "10个以上",
    "达到",
    "不低于",
    "5-8人",
    "2018—2022年",
    "。",
    "；",
    "，",
    "：",
    "\n",
    "\n\n",
    "\f",
    "\r",
    "\x00",
    "\ufffd",
    "\u3000",
    "— 3 —",
]
insertions = st.one_of(
    st.sampled_from(TOKENS),
    st.text(max_size=40),  # any Unicode, surrogates excluded
    st.lists(st.sampled_from(TOKENS), min_size=2, max_size=4).map("".join),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("delete"), st.floats(0, 1)),
        st.tuples(st.just("duplicate"), st.floats(0, 1), st.integers(1, 3)),
        st.tuples(st.just("swap"), st.floats(0, 1), st.floats(0, 1)),
        st.tuples(st.just("insert"), st.floats(0, 1), st.floats(0, 1), insertions),
        st.tuples(st.just("truncate"), st.floats(0, 1)),
    ),
    min_size=1,
    max_size=8,
)


def mutate(lines: list[str], ops) -> str:
    lines = list(lines)
    for op in ops:
        if not lines:
            break
        at = min(int(op[1] * len(lines)), len(lines) - 1)
        if op[0] == "delete":
            del lines[at]
        elif op[0] == "duplicate":
            lines[at:at] = [lines[at]] * op[2]
        elif op[0] == "swap":
            other = min(int(op[2] * len(lines)), len(lines) - 1)
            lines[at], lines[other] = lines[other], lines[at]
        elif op[0] == "insert":
            line = lines[at]
            cut = int(op[2] * len(line))
            lines[at] = line[:cut] + op[3] + line[cut:]
        else:
            lines = lines[: max(1, int(op[1] * len(lines)))]
    return "\n".join(lines)


def timed(function, *args):
    """(seconds, result or the exception raised)."""
    start = time.perf_counter()
    try:
        outcome = function(*args)
    except GuideParseError as exc:
        outcome = exc
    return time.perf_counter() - start, outcome


@pytest.fixture(scope="module")
def guide_lines(guide_2022_text: str) -> list[str]:
    return guide_2022_text.split("\n")


@pytest.fixture(scope="module")
def guide_seconds(guide_2022_text: str) -> float:
    """Parsing the real guide once (the best of three), measured in this run."""
    return min(timed(parse_text, guide_2022_text)[0] for _ in range(3))


@settings(FUZZ, max_examples=300)
@given(ops=operations)
def test_mutated_guide_parses_or_is_refused_in_bounded_time(guide_lines, guide_seconds, ops):
    text = mutate(guide_lines, ops)
    elapsed, outcome = timed(parse_text, text)
    assert isinstance(outcome, ParsedGuide | GuideParseError)
    assert elapsed <= GUIDE_RATIO * guide_seconds, f"{elapsed:.3f}s for {len(text)} characters"


@settings(FUZZ, max_examples=60)
@given(text=st.text(max_size=2000))
def test_any_text_parses_or_is_refused(guide_seconds, text):
    elapsed, outcome = timed(parse_text, text)
    assert isinstance(outcome, ParsedGuide | GuideParseError)
    assert elapsed <= GUIDE_RATIO * guide_seconds


indicator_texts = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.one_of(st.sampled_from(TOKENS), st.sampled_from("0123456789.%个项吨年mμ℃ "), st.text(max_size=5)),
        max_size=30,
    ).map("".join),
)


@settings(FUZZ, max_examples=300)
@given(text=indicator_texts)
def test_indicator_parser_returns_an_indicator_for_any_text(guide_seconds, text):
    start = time.perf_counter()
    indicator = parse_indicator(text)
    indicators = parse_indicators(text)
    elapsed = time.perf_counter() - start
    assert isinstance(indicator, Indicator)
    assert [i.position for i in indicators] == list(range(len(split_indicators(text))))
    for parsed in (indicator, *indicators):
        for value in (parsed.value, parsed.value_max):
            assert value is None or (isinstance(value, float) and abs(value) < float("inf"))
    assert elapsed <= INDICATOR_RATIO * guide_seconds


@settings(FUZZ, max_examples=40)
@given(pieces=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=200))
def test_long_indicator_texts_parse_in_bounded_time(guide_seconds, pieces):
    text = "考核指标：" + "".join(pieces)
    start = time.perf_counter()
    parse_indicators(text)
    assert time.perf_counter() - start <= GUIDE_RATIO * guide_seconds
