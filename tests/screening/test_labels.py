"""screening.labels: field paths, codes and evidence as people read them."""

import re

import pytest

from screening import labels
from screening.messages import render


def test_participant_unit_path_names_position_and_name():
    names = {"units[1]": "某市发展和改革委员会"}
    assert labels.field_label("units[1]", "zh", names) == "第 2 家参与单位“某市发展和改革委员会”"
    assert labels.field_label("units[1]", "en", names) == "Participant unit 2 “某市发展和改革委员会”"
    assert labels.field_label("units[0].country", "zh") == "第 1 家参与单位的国别/地区"


def test_member_path_in_a_message_is_the_member_not_the_path():
    params = {"name": "王强", "path": "members[1]", "others": ["P-0002"]}
    assert labels.message("person.single_project.multiple", params, "zh") == (
        "王强（第 2 位项目骨干）还主持或参与了本专项项目 P-0002，只能主持或参与 1 项。"
    )
    assert labels.message("person.single_project.multiple", params, "en") == (
        "王强 (Key member 2) also leads or takes part in proposal(s) P-0002; only one is allowed."
    )


def test_missing_fields_are_each_named():
    params = {"field": "members[0].id_number, members[1].id_number"}
    assert labels.message("common.data_missing", params, "zh") == (
        "缺少数据：第 1 位项目骨干的证件号码、第 2 位项目骨干的证件号码，无法判断。"
    )
    assert labels.message("common.data_missing", {"field": "pi.civil_servant"}, "en") == (
        "Missing data: PI is a civil servant; cannot decide."
    )


def test_codes_in_params_become_words():
    continents = {
        "required": ["asia", "europe"],
        "present": ["europe"],
        "missing": ["asia"],
        "requirement": "应包括",
    }
    assert labels.message("direction.partner_continents.missing", continents, "zh") == (
        "缺少来自以下大洲的合作单位：亚洲（指南要求：应包括）。"
    )
    countries = {
        "required": 2,
        "count": 1,
        "countries": ["DE"],
        "counts_regions": False,
        "requirement": "须有",
    }
    assert labels.message("direction.partner_countries.short", countries, "en") == (
        "Partners from only 1 countries (regions): Germany; the guide requires 2 or more (须有)."
    )
    assert labels.message(
        "common.guide_param_absent", {"year": 2022, "param": "max_duration_years"}, "zh"
    ) == ("2022 年度指南未规定此项条件（实施周期上限），不适用。")


def test_indicator_gaps_with_nothing_weaker_leave_out_the_weaker_part():
    params = {"direction": "1.1", "total": 3, "missing": ["A"], "weaker": []}
    assert labels.message("direction.indicator_coverage.gaps", params, "zh") == (
        "申报考核指标未完全涵盖指南方向 1.1 的 3 项量化考核指标。缺少：A。"
    )
    assert labels.message(
        "direction.indicator_coverage.gaps", {**params, "missing": [], "weaker": ["B"]}, "en"
    ) == (
        "The proposal's indicators do not fully cover the 3 quantitative indicators of direction 1.1. "
        "Weaker than the guide: B."
    )
    # the stored wording (JSON export) is unchanged
    assert render("direction.indicator_coverage.gaps", params, "zh").endswith("低于指南：—。")


def test_evidence_lines_are_readable_and_each_shown_once():
    evidence = [
        {"field": "indicators_text", "value": None, "source": "guide", "required": "A"},
        {"field": "indicators_text", "value": None, "source": "guide", "required": "B"},
        {"field": "indicators_text", "value": "B ≥ 1", "source": "proposal", "required": "B ≥ 2"},
        {"field": "attachments", "value": ["recommendation_letter"]},
        {"field": "attachments", "value": ["recommendation_letter"]},
    ]
    assert labels.evidence_lines(evidence, "zh") == [
        "指南考核指标“B ≥ 2”：申报书为“B ≥ 1”，低于指南",
        "附件：推荐函",
        "申报书未给出可比较数值的指南考核指标：2 项",
    ]
    assert labels.evidence_lines([{"field": "pi.employment", "value": None}], "en") == [
        "PI employment: not given"
    ]


def test_names_are_gathered_from_params_and_evidence():
    class F:
        def __init__(self, params, evidence):
            self.params, self.evidence = params, evidence

    findings = [
        F({"unit": "某委", "path": "units[2]"}, []),
        F({}, [{"field": "units[3].country", "value": "DE", "unit": "TU Berlin"}]),
        F({"name": "王强", "path": "members[1]"}, []),
    ]
    assert labels.names_of(findings) == {"units[2]": "某委", "units[3]": "TU Berlin", "members[1]": "王强"}


def test_unreadable_requirement_names_its_kind():
    params = {"requirement": "institution_kind", "value": "hospital"}
    assert labels.message("common.bad_requirement", params, "zh") == (
        "无法解读指南中的要求（特定类型的参加单位：医院或医疗机构），请人工核对。"
    )


# --- from the catalogue ------------------------------------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def every_word():
    """Every word and phrase of ``labels``: the dictionaries' entries and the module's own phrases."""
    from screening.messages import Msg

    found = []
    for name, value in vars(labels).items():
        if isinstance(value, Msg):
            found.append((name, value))
        elif isinstance(value, dict | tuple):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            found += [(f"{name}[{key}]", msg) for key, msg in items if isinstance(msg, Msg)]
    return found


def test_the_words_are_many_and_each_is_in_the_english_catalogue():
    words = every_word()
    assert len(words) > 100
    untranslated = [
        name for name, msg in words if labels.say(msg, "en") == msg.text and msg.text not in "、：，"
    ]
    assert untranslated == []
    assert [name for name, msg in words if CJK.search(labels.say(msg, "en"))] == []


def test_a_new_language_needs_no_code_only_a_catalogue(monkeypatch):
    from screening import messages

    monkeypatch.setattr(
        messages,
        "_translator",
        lambda text, lang, context=None: {"第 {n} 位项目骨干": "Mitglied {n}"}.get(text, text),
    )
    assert labels.field_label("members[1]", "en") == "Mitglied 2"


def test_a_country_the_catalogue_does_not_name_has_its_english_name_not_its_code():
    assert [labels.country_label(code, "en") for code in ("NL", "CH")] == ["Netherlands", "Switzerland"]
    assert labels.country_label("NL", "zh") == "荷兰"


def test_countries_are_named_from_the_catalogue():
    assert [labels.country_label(code, "en") for code in ("DE", "HK", "PG")] == [
        "Germany",
        "Hong Kong, China",
        "Papua New Guinea",
    ]
    assert [labels.country_label(code, "zh") for code in ("DE", "HK")] == ["德国", "中国香港"]
    assert labels.country_label("XQ", "en") == "XQ"
    assert labels.country_label(None, "en") == "not given"


def test_numbers_in_evidence_have_no_trailing_zero():
    assert labels.evidence_lines([{"field": "budget.national", "value": 100.0}], "zh") == [
        "国拨经费（万元）：100"
    ]
    assert labels.evidence_lines([{"field": "budget.national", "value": 12.5}], "en") == [
        "National funding (10k CNY): 12.5"
    ]


def test_the_language_is_the_callers_not_the_pages():
    from django.utils import translation

    with translation.override("en"):
        assert labels.clause_label("2(1)", "zh") == "形式审查 2(1)"
    with translation.override("zh-hans"):
        assert labels.clause_label("2(1)", "en") == "Formal review 2(1)"
        assert labels.scope_label(
            {"direction": "1.1", "project_type": "青年科学家项目", "gender": "male"}, "en"
        ) == ("direction 1.1, 青年科学家项目 (male)")


def test_indicators_described_from_their_parts_show_the_signs():
    params = {"direction": "1.1", "total": 3, "missing": ["效率 >= 90%", "误差 <= 10%"], "weaker": []}
    assert labels.message("direction.indicator_coverage.gaps", params, "zh") == (
        "申报考核指标未完全涵盖指南方向 1.1 的 3 项量化考核指标。缺少：效率 ≥ 90%、误差 ≤ 10%。"
    )
    evidence = [
        {"field": "indicators_text", "value": "效率 >= 80%", "required": "效率 >= 90%", "source": "proposal"}
    ]
    assert labels.evidence_lines(evidence, "zh") == [
        "指南考核指标“效率 ≥ 90%”：申报书为“效率 ≥ 80%”，低于指南"
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_partner_code_the_guide_reader_knows_is_named_in_words(lang):
    """A requirement the rules cannot check ("须有医院参加") is named in an undecidable finding: in
    words, never as the reader's code."""
    from guide.parsing.partners import CONTINENT_CODES, INSTITUTION_KIND_CODES, LICENCE_CODES

    codes = (*INSTITUTION_KIND_CODES, *LICENCE_CODES, *CONTINENT_CODES)
    named = {code: labels.code_label(code, lang) for code in codes}
    # English words may be spelt as the code is ("enterprise"); a code is never shown with its underscores
    assert [code for code, words in named.items() if "_" in words or not words] == []
    in_chinese = [code for code, words in named.items() if CJK.search(words)]
    assert in_chinese == (list(codes) if lang == "zh" else [])
    said = labels.message("common.bad_requirement", {"requirement": "licence", "value": "lab_animal"}, lang)
    assert "lab_animal" not in said and named["lab_animal"] in said
