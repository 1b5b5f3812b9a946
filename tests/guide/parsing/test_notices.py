"""The parser's notices are codes with params: an English sentence for logs, people's words from the
catalogue, and older readings' sentences recognised."""

import re

import pytest

from guide.parsing import notices
from guide.parsing.notices import NOTICES, english, notice, recognise, render
from guide.parsing.parser import parse_text
from guide.parsing.types import CHECK, Notice

SAMPLE = {
    "direction": "1.2",
    "area": 3,
    "previous": "1.1",
    "text": "3.4 深海探测",
    "expected": "2.1",
    "n": 4,
    "declared": 40,
    "found": 39,
    "clause": "2(1)",
    "parameter": "max_units",
    "values": [8, 10],
    "scope": "type=青年科学家项目,gender=male",
    "project_type": "青年科学家项目",
    "pages": 2,
}


def params_of(code: str) -> dict:
    return {name: SAMPLE[name] for name in notices.placeholders(NOTICES[code].zh)}


def test_every_code_has_the_same_placeholders_in_both_wordings():
    for code, wording in NOTICES.items():
        assert notices.placeholders(wording.zh) == notices.placeholders(wording.en), code


def test_a_notice_keeps_its_code_params_and_english_sentence():
    made = notice(
        "indicator_qualitative", "directions[1.2].indicators[0]", severity=CHECK, direction="1.2", n=1
    )
    assert made == Notice(
        "direction 1.2: indicator 1 has no comparator (qualitative): check it against the text",
        "directions[1.2].indicators[0]",
        severity=CHECK,
        code="indicator_qualitative",
        params={"direction": "1.2", "n": 1},
    )
    assert Notice.from_json(made.to_json()) == made


def test_a_stored_notice_without_code_reads_back_as_before():
    stored = {"message": "放氢纯度的数值可能不完整", "item": None, "severity": "warning", "source": None}
    assert Notice.from_json(stored) == Notice("放氢纯度的数值可能不完整")
    assert "code" not in Notice("x").to_json()


@pytest.mark.parametrize("code", sorted(NOTICES))
def test_an_older_readers_sentence_is_recognised_with_its_params(code):
    params = params_of(code)
    code_read, params_read = recognise(english(code, params))
    assert code_read == code
    expected = {name: value if name in ("n", "values") else str(value) for name, value in params.items()}
    if "values" in expected:
        expected["values"] = [str(v) for v in params["values"]]
    assert params_read == expected


def test_an_unknown_sentence_is_not_recognised():
    assert recognise("放氢纯度的数值可能不完整") is None


def test_render_takes_a_gettext_and_gives_none_for_what_it_cannot_fill():
    catalogue = {NOTICES["no_indicators"].zh: "Direction {direction}: keine Indikatoren."}
    assert (
        render("no_indicators", {"direction": "1.2"}, gettext=catalogue.get)
        == "Direction 1.2: keine Indikatoren."
    )
    assert render("no_indicators", {}, gettext=str) is None
    assert render("no_such_code", {}, gettext=str) is None


def test_every_notice_the_parser_gives_on_the_2022_guide_has_a_code(guide_2022):
    assert guide_2022.warnings != []
    assert [w.message for w in guide_2022.warnings if w.code not in NOTICES] == []
    assert [w for w in guide_2022.warnings if english(w.code, w.params) != w.message] == []


def test_the_parser_gives_a_qualitative_indicator_as_a_code_and_params():
    text = "2031 年度测试专项申报指南\n1. 能源\n1.1 储能\n研究内容：研究储能。\n考核指标：形成技术规范。\n"
    guide = parse_text(text)
    found = [w for w in guide.warnings if w.code == "indicator_qualitative"]
    assert [(w.item, w.params, w.severity) for w in found] == [
        ("directions[1.1].indicators[0]", {"direction": "1.1", "n": 1}, CHECK)
    ]


# --- in people's words (Django's gettext) -----------------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("code", sorted(NOTICES))
def test_every_notice_reads_in_chinese_and_in_english(code):
    from django.utils import translation

    from guide.selectors import notice_text

    raw = notice(code, **params_of(code)).to_json()
    with translation.override("zh-hans"):
        zh = notice_text(raw)
    with translation.override("en"):
        en = notice_text(raw)
    assert "{" not in zh + en and "}" not in zh + en
    # user-given text (a heading, a project type) stays as written; everything else is the language's
    en_own = en.replace(SAMPLE["text"], "").replace(SAMPLE["project_type"], "")
    zh_own = zh.replace(SAMPLE["text"], "")
    assert CJK.findall(en_own) == []
    assert re.findall(r"[A-Za-z]{2,}", zh_own) == (["PDF", "Unicode"] if code == "pdf_unmapped_font" else [])


def test_the_qualitative_indicator_notice_in_chinese():
    from django.utils import translation

    from guide.selectors import notice_text

    legacy = {
        "message": "direction 1.2: indicator 1 has no comparator (qualitative): check it against the text"
    }
    with translation.override("zh-hans"):
        assert notice_text(legacy) == "指南方向 1.2 的指标 1 没有比较符（定性指标），请对照原文核对。"
    with translation.override("en"):
        assert notice_text(legacy) == (
            "Direction 1.2, indicator 1: no comparator (a qualitative indicator); check it against the text."
        )


def test_a_conflict_names_the_parameter_its_values_and_scope_in_words():
    from django.utils import translation

    from guide.selectors import notice_text

    raw = notice(
        "condition_conflict", parameter="max_units", values=[8, 10], scope="type=青年科学家项目,gender=male"
    )
    with translation.override("zh-hans"):
        assert notice_text(raw.to_json()) == (
            "“参与单位总数上限”在同一范围（青年科学家项目（男性））内有不同的取值（8、10）：发布前请指定各自的适用范围，"
            "或将其中之一设为“不采用”。"
        )
    call = notice("condition_missing", parameter="pi_born_on_or_after")
    with translation.override("en"):
        assert notice_text(call.to_json()).startswith("“")
        assert CJK.findall(notice_text(call.to_json())) == []


def test_a_stored_sentence_nobody_knows_is_shown_as_stored():
    from guide.selectors import notice_text

    assert notice_text({"message": "放氢纯度的数值可能不完整"}) == "放氢纯度的数值可能不完整"
    assert notice_text("free text of an old reader") == "free text of an old reader"
