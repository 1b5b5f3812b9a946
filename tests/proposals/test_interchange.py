import json
from datetime import date
from decimal import Decimal

import pytest

from proposals.interchange import (
    MAX_LENGTHS,
    MAX_SUBTASKS,
    Batch,
    Budget,
    Issue,
    PersonData,
    ProposalData,
    SubtaskData,
    UnitData,
    continent_of,
    control_character,
    normalize_country,
    normalize_direction_code,
    normalize_unit_type,
    parse_batch,
    parse_date,
    parse_money_wan,
    parse_period,
    parse_proposal,
    proposal_to_dict,
)
from tests.factories.proposal_docs import sample_dict, sample_proposal


def full_dict() -> dict:
    return {
        "reference": "SQ2025YFE0100123",
        "guide_year": 2025,
        "direction": "1.1",
        "title": "面向碳中和的氢能关键材料国际合作研究",
        "recommender": "福建省科学技术厅",
        "start_date": "2025-12-01",
        "end_date": "2028-11-30",
        "budget": {"national": 500, "matching": 250.5, "unit": "万元"},
        "pi": {
            "name": "林海峰",
            "gender": "female",
            "id_number": "11010519491231002X",
            "birth_date": "1949-12-31",
            "nationality": "HK",
            "region": "九龙",
            "title": "教授",
            "degree": "博士",
            "employer": "香港科技大学",
            "employment": "part_time",
            "employment_proofs": 1,
            "civil_servant": False,
        },
        "members": [
            {
                "name": "陈静",
                "gender": "male",
                "id_number": "E12345678",
                "birth_date": "1982-07-19",
                "nationality": None,
                "role": "表征",
                "unit": "厦门大学",
            }
        ],
        "units": [
            {
                "name": "福建氢能科技有限公司",
                "credit_code": "91350100M000100Y43",
                "country": "CN",
                "type": "enterprise",
                "registered_on": "2016-03-15",
                "role": "lead",
                "third_party_testing": True,
                "hgr_license": False,
            },
            {
                "name": "Fraunhofer ISE",
                "credit_code": None,
                "country": "DE",
                "type": "research_institute",
                "registered_on": "1981-01-01",
                "role": "participant",
                "third_party_testing": None,
                "hgr_license": None,
            },
        ],
        "subtasks": [
            {
                "name": "催化剂设计",
                "lead_unit": "福建氢能科技有限公司",
                "lead_name": "陈静",
                "lead_id_number": "E12345678",
                "lead_birth_date": "1982-07-19",
                "lead_title": "高级工程师",
                "lead_degree": "硕士",
                "national_funding": 120.5,
            },
            {
                "name": "系统集成",
                "lead_unit": None,
                "lead_name": None,
                "lead_id_number": None,
                "lead_birth_date": None,
                "lead_title": None,
                "lead_degree": None,
                "national_funding": 0,
            },
        ],
        "research_content": "研究内容",
        "indicators": "考核指标",
        "attachments": ["recommendation_letter", "employment_proof"],
    }


# --------------------------------------------------------------------------- parsing


def test_round_trip_dict_to_proposal_to_dict():
    obj = full_dict()
    proposal, issues = parse_proposal(obj)
    assert issues == []
    assert proposal_to_dict(proposal) == obj
    assert json.loads(json.dumps(proposal_to_dict(proposal))) == obj


def test_parsed_types():
    proposal, _ = parse_proposal(full_dict())
    assert proposal.budget == Budget(national=Decimal("500"), matching=Decimal("250.5"))
    assert proposal.start_date == date(2025, 12, 1)
    assert proposal.pi.birth_date == date(1949, 12, 31)
    assert proposal.units[0] == UnitData(
        name="福建氢能科技有限公司",
        credit_code="91350100M000100Y43",
        country="CN",
        type="enterprise",
        registered_on=date(2016, 3, 15),
        role="lead",
        third_party_testing=True,
        hgr_license=False,
    )
    assert proposal.members == [
        PersonData(
            name="陈静",
            gender="male",
            id_number="E12345678",
            birth_date=date(1982, 7, 19),
            role="表征",
            unit="厦门大学",
        )
    ]
    assert proposal.pi.gender == "female"
    assert proposal.subtasks == [
        SubtaskData(
            name="催化剂设计",
            lead_unit="福建氢能科技有限公司",
            lead_name="陈静",
            lead_id_number="E12345678",
            lead_birth_date=date(1982, 7, 19),
            lead_title="高级工程师",
            lead_degree="硕士",
            national_funding=Decimal("120.5"),
        ),
        SubtaskData(name="系统集成", national_funding=Decimal("0")),
    ]


def test_sample_proposal_round_trip():
    proposal, issues = parse_proposal(sample_dict())
    assert issues == []
    assert proposal == sample_proposal()


def test_missing_fields_are_none():
    proposal, issues = parse_proposal({"title": "只有名称"})
    assert issues == []
    assert proposal == ProposalData(title="只有名称")
    out = proposal_to_dict(proposal)
    assert out["budget"] is None
    assert out["pi"] is None
    assert out["units"] is None
    assert out["subtasks"] is None
    assert out["attachments"] is None
    assert out["start_date"] is None


def test_missing_fields_inside_blocks_are_none():
    proposal, issues = parse_proposal({"pi": {"name": "张三"}, "units": [{}], "budget": {"national": 10}})
    assert issues == []
    assert proposal.pi == PersonData(name="张三")
    assert proposal.units == [UnitData()]
    assert proposal.budget == Budget(national=Decimal("10"), matching=None)


def test_empty_lists_stay_empty():
    proposal, _ = parse_proposal({"members": [], "units": [], "subtasks": [], "attachments": []})
    assert (proposal.members, proposal.units, proposal.subtasks, proposal.attachments) == ([], [], [], [])


def test_unknown_keys_are_warned_and_ignored():
    obj = full_dict()
    obj["colour"] = "blue"
    obj["pi"]["hobby"] = "围棋"
    obj["units"][1]["website"] = "x"
    obj["subtasks"][0]["lead_gender"] = "female"
    proposal, issues = parse_proposal(obj)
    assert issues == [
        Issue("colour", "unknown_key", "unknown key 'colour' ignored", "warning"),
        Issue("pi.hobby", "unknown_key", "unknown key 'hobby' ignored", "warning"),
        Issue("units[1].website", "unknown_key", "unknown key 'website' ignored", "warning"),
        Issue("subtasks[0].lead_gender", "unknown_key", "unknown key 'lead_gender' ignored", "warning"),
    ]
    assert proposal_to_dict(proposal) == full_dict()


def test_bad_types_are_reported_with_their_path():
    obj = full_dict()
    obj["start_date"] = "2025/12/01"
    obj["guide_year"] = "2025"
    obj["budget"]["national"] = "五百万"
    obj["budget"]["matching"] = -3
    obj["pi"]["employment"] = "sometimes"
    obj["pi"]["civil_servant"] = "否"
    obj["pi"]["birth_date"] = "1949-02-30"
    obj["units"][1]["registered_on"] = 1981
    obj["units"][1]["type"] = "club"
    obj["units"][0]["country"] = "Atlantis"
    obj["attachments"] = ["recommendation_letter", "photo"]
    obj["title"] = 42
    batch = parse_batch({"proposals": [full_dict(), full_dict(), full_dict(), obj]})
    errors = [(i.path, i.code, i.severity) for i in batch.issues]
    assert errors == [
        ("proposals[3].guide_year", "invalid_number", "error"),
        ("proposals[3].title", "type", "error"),
        ("proposals[3].start_date", "invalid_date", "error"),
        ("proposals[3].budget.national", "invalid_number", "error"),
        ("proposals[3].budget.matching", "invalid_value", "error"),
        ("proposals[3].pi.birth_date", "invalid_date", "error"),
        ("proposals[3].pi.employment", "invalid_choice", "error"),
        ("proposals[3].pi.civil_servant", "type", "error"),
        ("proposals[3].units[0].country", "invalid_choice", "error"),
        ("proposals[3].units[1].type", "invalid_choice", "error"),
        ("proposals[3].units[1].registered_on", "invalid_date", "error"),
        ("proposals[3].attachments[1]", "invalid_choice", "error"),
    ]
    p = batch.proposals[3]
    assert p.start_date is None and p.guide_year is None and p.title is None
    assert p.budget == Budget(national=None, matching=None)
    assert p.pi.employment is None and p.pi.civil_servant is None and p.pi.birth_date is None
    assert p.units[1].registered_on is None and p.units[1].type is None
    assert p.units[1].name == "Fraunhofer ISE"
    assert p.attachments == ["recommendation_letter"]
    assert (
        batch.issues[10].message
        == "proposals[3].units[1].registered_on: 1981 is not a date (expected YYYY-MM-DD)"
    )


def test_wrongly_typed_blocks_do_not_crash():
    proposal, issues = parse_proposal(
        {"pi": "张三", "units": {"name": "x"}, "members": [None, 3], "budget": []}
    )
    assert proposal == ProposalData(members=[])  # the list was given, its items were unusable
    assert [(i.path, i.code) for i in issues] == [
        ("budget", "type"),
        ("pi", "type"),
        ("members[0]", "type"),
        ("members[1]", "type"),
        ("units", "type"),
    ]


def test_country_names_are_normalised_with_a_warning():
    obj = full_dict()
    obj["units"][1]["country"] = "德国"
    proposal, issues = parse_proposal(obj)
    assert proposal.units[1].country == "DE"
    assert issues == [
        Issue("units[1].country", "normalized", "units[1].country: '德国' read as DE", "warning")
    ]


def test_budget_in_yuan_is_converted():
    proposal, issues = parse_proposal({"budget": {"national": 1000000, "matching": "250000", "unit": "元"}})
    assert issues == []
    assert proposal.budget == Budget(national=Decimal("100"), matching=Decimal("25"))


def test_money_is_written_as_numbers():
    p = ProposalData(budget=Budget(national=Decimal("100.00"), matching=Decimal("0.5")))
    assert proposal_to_dict(p)["budget"] == {"national": 100, "matching": 0.5, "unit": "万元"}


def test_bare_list_and_batch_object():
    bare = parse_batch([full_dict(), {"title": "b"}])
    assert bare == Batch(
        registries=None, proposals=[parse_proposal(full_dict())[0], ProposalData(title="b")], issues=[]
    )
    registries = {"recommenders": ["福建省科学技术厅"]}
    wrapped = parse_batch({"registries": registries, "proposals": [full_dict()]})
    assert wrapped.registries == registries
    assert wrapped.proposals == [parse_proposal(full_dict())[0]]
    assert wrapped.issues == []


def test_bad_batches():
    assert [(i.path, i.code) for i in parse_batch("nope").issues] == [("", "type")]
    assert [(i.path, i.code) for i in parse_batch({"registries": []}).issues] == [
        ("registries", "type"),
        ("proposals", "missing"),
    ]
    batch = parse_batch({"proposals": [1], "extra": True})
    assert [(i.path, i.code) for i in batch.issues] == [("extra", "unknown_key"), ("proposals[0]", "type")]
    assert batch.proposals == [ProposalData()]


# --------------------------------------------------------------------------- values that cannot be stored


@pytest.mark.parametrize(
    ("text", "char", "position"),
    [("abc\x0bdef", "U+000B", 4), ("a\x00b", "U+0000", 2), ("ab\ud800", "U+D800", 3), ("\x1f", "U+001F", 1)],
)
def test_text_with_control_character_or_lone_surrogate_is_an_error_with_its_path(text, char, position):
    proposal, issues = parse_proposal({"title": text, "units": [{"name": "ok"}, {"name": text}]})
    assert [(i.path, i.code, i.severity) for i in issues] == [
        ("title", "control_character", "error"),
        ("units[1].name", "control_character", "error"),
    ]
    assert issues[0].message == (
        f"title: control character {char} at position {position} is not allowed "
        "(only tab, line feed and carriage return are)"
    )
    assert (proposal.title, proposal.units[1].name) == (None, None)


def test_text_keeps_tab_line_feed_and_carriage_return():
    proposal, issues = parse_proposal({"research_content": "第一段\t说明\r\n第二段"})
    assert (proposal.research_content, issues) == ("第一段\t说明\r\n第二段", [])


def test_control_character_finds_the_first_forbidden_character():
    assert control_character("ok\tok\nok\r") is None
    assert control_character("a\x7fb\x0cc") == (4, "U+000C")


def test_max_lengths_are_the_model_columns():
    from proposals.models import Person, Proposal, Subtask, Unit

    columns = {
        "reference": Proposal._meta.get_field("reference").max_length,
        "direction": Proposal._meta.get_field("direction_code").max_length,
        "title": Proposal._meta.get_field("title").max_length,
        "recommender": Proposal._meta.get_field("recommender").max_length,
        "research_content": Proposal._meta.get_field("research_content").max_length,
        "indicators": Proposal._meta.get_field("indicators").max_length,
        "pi.name": Person._meta.get_field("name").max_length,
        "pi.id_number": Person._meta.get_field("id_number").max_length,
        "pi.title": Person._meta.get_field("title").max_length,
        "pi.degree": Person._meta.get_field("degree").max_length,
        "pi.employer": Person._meta.get_field("employer").max_length,
        "members.name": Person._meta.get_field("name").max_length,
        "members.id_number": Person._meta.get_field("id_number").max_length,
        "members.role": Person._meta.get_field("task").max_length,
        "members.unit": Person._meta.get_field("employer").max_length,
        "units.name": Unit._meta.get_field("name").max_length,
        "units.credit_code": Unit._meta.get_field("credit_code").max_length,
        "subtasks.name": Subtask._meta.get_field("name").max_length,
        "subtasks.lead_unit": Subtask._meta.get_field("lead_unit").max_length,
        "subtasks.lead_name": Subtask._meta.get_field("lead_name").max_length,
        "subtasks.lead_id_number": Subtask._meta.get_field("lead_id_number").max_length,
        "subtasks.lead_title": Subtask._meta.get_field("lead_title").max_length,
        "subtasks.lead_degree": Subtask._meta.get_field("lead_degree").max_length,
    }
    assert MAX_LENGTHS == columns


def _at(obj: dict, path: str, value) -> dict:
    """``obj`` with ``value`` put at a MAX_LENGTHS path (``pi.name``, ``units.name`` → the first unit)."""
    head, _, key = path.partition(".")
    if not key:
        obj[head] = value
    elif head == "pi":
        obj["pi"] = {key: value}
    else:
        obj[head] = [{key: value}]
    return obj


def _issue_path(path: str) -> str:
    head, _, key = path.partition(".")
    return f"{head}[0].{key}" if head in ("units", "members", "subtasks") else path


@pytest.mark.parametrize("path", sorted(MAX_LENGTHS))
def test_text_of_exactly_the_column_length_is_read(path):
    limit = MAX_LENGTHS[path]
    value = "A" * limit if path != "direction" else "1" * limit
    proposal, issues = parse_proposal(_at({}, path, value))
    assert issues == []


@pytest.mark.parametrize("path", sorted(MAX_LENGTHS))
def test_text_one_character_longer_than_its_column_is_an_error(path):
    limit = MAX_LENGTHS[path]
    proposal, issues = parse_proposal(_at({}, path, "1" * (limit + 1)))
    assert [(i.path, i.code, i.message) for i in issues] == [
        (
            _issue_path(path),
            "too_long",
            f"{_issue_path(path)}: {limit + 1} characters, at most {limit} are allowed",
        )
    ]


def test_identifier_length_is_judged_in_its_stored_form():
    # 20 ligatures fold to 40 letters (allowed); 21 to 42 (too long for the column).
    fits, issues = parse_proposal({"pi": {"id_number": "\ufb00" * 20}})
    assert (fits.pi.id_number, issues) == ("FF" * 20, [])
    _, issues = parse_proposal({"pi": {"id_number": "\ufb00" * 21}})
    assert [(i.path, i.code) for i in issues] == [("pi.id_number", "too_long")]


@pytest.mark.parametrize("reference", ["SQ-A", "2022YFE0100100", "a_b.c/d-1", "R" * 64])
def test_reference_in_the_safe_charset_is_read(reference):
    proposal, issues = parse_proposal({"reference": reference})
    assert (proposal.reference, issues) == (reference, [])


@pytest.mark.parametrize(
    "reference",
    ['R"1\r\nX-Injected: 1', "R 1", "编号1", "Ｒ１", "R;1", "R\\1"],
)
def test_reference_outside_the_safe_charset_is_an_error(reference):
    proposal, issues = parse_proposal({"reference": reference})
    assert [(i.path, i.code) for i in issues] == [("reference", "invalid_reference")]
    assert proposal.reference is None


def test_reference_error_message_names_the_allowed_characters():
    _, issues = parse_proposal({"reference": "R 1"})
    assert issues[0].message == (
        "reference: 'R 1' is not a valid reference (1 to 64 letters, digits, '-', '_', '.' or '/')"
    )


@pytest.mark.parametrize(
    ("given", "unit", "stored"),
    [
        ("9999999999.99", "万元", Decimal("9999999999.99")),
        (0.01, "万元", Decimal("0.01")),
        (1234500, "元", Decimal("123.45")),
    ],
)
def test_money_that_fits_the_column_is_read(given, unit, stored):
    proposal, issues = parse_proposal({"budget": {"national": given, "unit": unit}})
    assert (proposal.budget.national, issues) == (stored, [])


@pytest.mark.parametrize("given", [1e15, 10**30, "10000000000", "99999999999999999999.999"])
def test_money_too_large_for_the_column_is_an_error(given):
    proposal, issues = parse_proposal({"budget": {"national": given}})
    assert [(i.path, i.code, i.message) for i in issues] == [
        (
            "budget.national",
            "too_large",
            f"budget.national: {given!r} is too large (at most 9999999999.99 万元)",
        )
    ]
    assert proposal.budget.national is None


@pytest.mark.parametrize(
    ("given", "unit"), [(0.004, "万元"), ("0.001", "万元"), (0.005, "万元"), (123, "元")]
)
def test_money_with_more_than_two_decimals_is_an_error_not_rounded(given, unit):
    proposal, issues = parse_proposal({"budget": {"matching": given, "unit": unit}})
    assert [(i.path, i.code, i.message) for i in issues] == [
        (
            "budget.matching",
            "too_precise",
            f"budget.matching: {given!r} has more than 2 decimal places in 万元",
        )
    ]
    assert proposal.budget.matching is None


def test_identifiers_are_read_in_their_stored_form():
    proposal, issues = parse_proposal(
        {
            "pi": {"id_number": " １１０１０５ 19750308 231x "},
            "members": [{"id_number": "e1234-5678"}],
            "units": [{"credit_code": "91110000ma000100xj"}],
        }
    )
    assert issues == []
    assert (proposal.pi.id_number, proposal.members[0].id_number, proposal.units[0].credit_code) == (
        "11010519750308231X",
        "E12345678",
        "91110000MA000100XJ",
    )


@pytest.mark.parametrize(
    ("given", "stored"), [("５．２", "5.2"), (" 5.2 ", "5.2"), ("5.2.", "5.2"), ("1.1", "1.1")]
)
def test_direction_code_is_read_in_its_stored_form(given, stored):
    proposal, issues = parse_proposal({"direction": given})
    assert (proposal.direction, issues) == (stored, [])
    assert normalize_direction_code(given) == stored


# --------------------------------------------------------------------------- normalisers


def test_parse_date_formats():
    assert parse_date("2023-01-01") == date(2023, 1, 1)
    assert parse_date("2023年1月1日") == date(2023, 1, 1)
    assert parse_date("2023 年 1 月 1 日") == date(2023, 1, 1)
    assert parse_date("2023.01.01") == date(2023, 1, 1)
    assert parse_date("2023/1/1") == date(2023, 1, 1)
    assert parse_date("2023年1月") == date(2023, 1, 1)
    assert parse_date("1962.01") == date(1962, 1, 1)
    assert parse_date("2023-01") == date(2023, 1, 1)
    assert parse_date("20230115") == date(2023, 1, 15)
    assert parse_date("２０２３年１２月３１日") == date(2023, 12, 31)
    assert parse_date(date(2020, 5, 6)) == date(2020, 5, 6)


def test_parse_date_rejects_non_dates():
    assert parse_date("2023-02-30") is None
    assert parse_date("2023年13月") is None
    assert parse_date("明年") is None
    assert parse_date("2023") is None
    assert parse_date("") is None
    assert parse_date(None) is None


def test_parse_money_wan():
    assert parse_money_wan("100") == Decimal("100")
    assert parse_money_wan("100.5") == Decimal("100.5")
    assert parse_money_wan("100万元") == Decimal("100")
    assert parse_money_wan("100 万") == Decimal("100")
    assert parse_money_wan("1,000,000 元") == Decimal("100")
    assert parse_money_wan("1000000元") == Decimal("100")
    assert parse_money_wan("￥1,234,500元") == Decimal("123.45")
    assert parse_money_wan("人民币 50 万元") == Decimal("50")
    assert parse_money_wan("1.2亿元") == Decimal("12000")
    assert parse_money_wan("１００万元") == Decimal("100")
    assert parse_money_wan("250000", default_unit="元") == Decimal("25")
    assert parse_money_wan(80) == Decimal("80")
    assert str(parse_money_wan("1,000,000 元")) == "100"


def test_parse_money_wan_rejects_non_numbers():
    assert parse_money_wan("五百万") is None
    assert parse_money_wan("-5") is None
    assert parse_money_wan("") is None
    assert parse_money_wan(None) is None
    assert parse_money_wan(True) is None


def test_parse_period():
    assert parse_period("2023年1月 至 2025年12月") == (date(2023, 1, 1), date(2025, 12, 31))
    assert parse_period("2023-01-01 至 2025-12-31") == (date(2023, 1, 1), date(2025, 12, 31))
    assert parse_period("2023.01-2025.12") == (date(2023, 1, 1), date(2025, 12, 31))
    assert parse_period("2024.1.1—2026.6") == (date(2024, 1, 1), date(2026, 6, 30))
    assert parse_period("2024年1月1日至2026年2月") == (date(2024, 1, 1), date(2026, 2, 28))
    assert parse_period("2023/01/01 ~ 2025/12/31") == (date(2023, 1, 1), date(2025, 12, 31))
    assert parse_period("2023-2025") == (date(2023, 1, 1), date(2025, 12, 31))
    assert parse_period("2023年1月起") == (date(2023, 1, 1), None)
    assert parse_period("三年") == (None, None)
    assert parse_period(None) == (None, None)


def test_normalize_country():
    cases = {
        "中国": "CN",
        "中华人民共和国": "CN",
        "日本": "JP",
        "德国": "DE",
        "美国": "US",
        "英国": "GB",
        "新加坡": "SG",
        "阿联酋": "AE",
        "乌兹别克斯坦": "UZ",
        "中国香港": "HK",
        "香港": "HK",
        "Hong Kong": "HK",
        "Hong Kong, China": "HK",
        "中华人民共和国香港特别行政区": "HK",
        "中国（香港）": "HK",
        "澳门": "MO",
        "中国澳门": "MO",
        "Macau": "MO",
        "中国台湾": "TW",
        "台湾": "TW",
        "台湾地区": "TW",
        "Germany": "DE",
        "United States of America": "US",
        "United Kingdom": "GB",
        "Korea, Republic of": "KR",
        "Russian Federation": "RU",
        "de": "DE",
        "ZW": "ZW",
        "USA": "US",
        "CHN": "CN",
    }
    assert {text: normalize_country(text) for text in cases} == cases
    assert normalize_country("Atlantis") is None
    assert normalize_country("XX") is None
    assert normalize_country("日本省") is None
    assert normalize_country("") is None


def test_continent_of():
    assert continent_of("CN") == "asia"
    assert continent_of("HK") == "asia"
    assert continent_of("MO") == "asia"
    assert continent_of("TW") == "asia"
    assert continent_of("DE") == "europe"
    assert continent_of("RU") == "europe"
    assert continent_of("US") == "americas"
    assert continent_of("BR") == "americas"
    assert continent_of("EG") == "africa"
    assert continent_of("NZ") == "oceania"
    assert continent_of("de") == "europe"
    assert continent_of("AQ") is None
    assert continent_of("XX") is None
    assert continent_of(None) is None


def test_normalize_unit_type():
    cases = {
        "高等学校": "university",
        "大学": "university",
        "高等院校": "university",
        "科研院所": "research_institute",
        "研究所": "research_institute",
        "研究院": "research_institute",
        "企业": "enterprise",
        "有限公司": "enterprise",
        "国家机关": "state_organ",
        "政府部门": "state_organ",
        "国际组织": "international_organization",
        "其他": "other",
        "University": "university",
        "Research Institute": "research_institute",
        "company": "enterprise",
        "Government agency": "state_organ",
        "International Organisation": "international_organization",
        "Other": "other",
        "state_organ": "state_organ",
    }
    assert {text: normalize_unit_type(text) for text in cases} == cases
    assert normalize_unit_type("俱乐部") is None
    assert normalize_unit_type(None) is None


# --------------------------------------------------------------------------- genders and subtasks


@pytest.mark.parametrize(
    ("given", "read"), [("male", "male"), ("female", "female"), ("", None), (None, None)]
)
def test_gender_is_male_female_or_unknown(given, read):
    proposal, issues = parse_proposal({"pi": {"gender": given}, "members": [{"gender": given}]})
    assert issues == []
    assert (proposal.pi.gender, proposal.members[0].gender) == (read, read)


@pytest.mark.parametrize("given", ["男", "M", "Male", "other", 1, True, ["male"]])
def test_gender_outside_the_choices_is_an_error_with_its_path(given):
    proposal, issues = parse_proposal({"pi": {"name": "张三", "gender": given}})
    assert [(i.path, i.code, i.message) for i in issues] == [
        ("pi.gender", "invalid_choice", f"pi.gender: {given!r} is not one of male, female")
    ]
    assert proposal.pi == PersonData(name="张三")


def test_subtasks_round_trip_through_json():
    obj = {"subtasks": full_dict()["subtasks"]}
    proposal, issues = parse_proposal(obj)
    assert issues == []
    assert json.loads(json.dumps(proposal_to_dict(proposal)))["subtasks"] == obj["subtasks"]


def test_subtask_money_in_wan_yuan_follows_the_budget_rules():
    subtasks = [
        {"national_funding": "300"},
        {"national_funding": 9999999999.99},
        {"national_funding": -1},
        {"national_funding": 0.001},
        {"national_funding": 10**10},
        {"national_funding": "三百万"},
    ]
    proposal, issues = parse_proposal({"subtasks": subtasks})
    assert [t.national_funding for t in proposal.subtasks] == [
        Decimal("300"),
        Decimal("9999999999.99"),
        None,
        None,
        None,
        None,
    ]
    assert [(i.path, i.code) for i in issues] == [
        ("subtasks[2].national_funding", "invalid_value"),
        ("subtasks[3].national_funding", "too_precise"),
        ("subtasks[4].national_funding", "too_large"),
        ("subtasks[5].national_funding", "invalid_number"),
    ]


def test_wrongly_typed_subtasks_are_errors_with_their_paths_and_never_crash():
    proposal, issues = parse_proposal(
        {
            "subtasks": [
                None,
                "课题一",
                ["x"],
                {"name": 1, "lead_birth_date": "1982/07/19", "lead_id_number": 110, "lead_name": "a\x00"},
            ]
        }
    )
    assert proposal.subtasks == [SubtaskData()]
    assert [(i.path, i.code, i.message) for i in issues] == [
        ("subtasks[0]", "type", "subtasks[0]: expected an object, got null"),
        ("subtasks[1]", "type", "subtasks[1]: expected an object, got a string"),
        ("subtasks[2]", "type", "subtasks[2]: expected an object, got a list"),
        ("subtasks[3].name", "type", "subtasks[3].name: expected a string, got a number"),
        (
            "subtasks[3].lead_name",
            "control_character",
            "subtasks[3].lead_name: control character U+0000 at position 2 is not allowed "
            "(only tab, line feed and carriage return are)",
        ),
        ("subtasks[3].lead_id_number", "type", "subtasks[3].lead_id_number: expected a string, got a number"),
        (
            "subtasks[3].lead_birth_date",
            "invalid_date",
            "subtasks[3].lead_birth_date: '1982/07/19' is not a date (expected YYYY-MM-DD)",
        ),
    ]


@pytest.mark.parametrize("given", [{"name": "x"}, "none", 3])
def test_subtasks_that_are_not_a_list_are_an_error(given):
    proposal, issues = parse_proposal({"subtasks": given})
    assert proposal.subtasks is None
    assert [(i.path, i.code) for i in issues] == [("subtasks", "type")]


def test_exactly_the_most_subtasks_are_read_and_one_more_is_an_error():
    most = [{"name": f"课题{n}"} for n in range(MAX_SUBTASKS)]
    proposal, issues = parse_proposal({"subtasks": most})
    assert (len(proposal.subtasks), issues) == (20, [])
    proposal, issues = parse_proposal({"subtasks": [*most, {"name": "多一个"}]})
    assert proposal.subtasks is None
    assert [(i.path, i.code, i.message) for i in issues] == [
        ("subtasks", "too_many", "subtasks: 21 items, at most 20 are allowed")
    ]


@pytest.mark.parametrize(
    ("key", "most", "item"), [("units", 60, {"name": "单位"}), ("members", 100, {"name": "张"})]
)
def test_exactly_the_most_units_and_members_are_read_and_one_more_is_an_error(key, most, item):
    proposal, issues = parse_proposal({key: [item] * most})
    assert (len(getattr(proposal, key)), issues) == (most, [])
    proposal, issues = parse_proposal({key: [item] * (most + 1)})
    assert getattr(proposal, key) is None
    assert [(i.path, i.code, i.message) for i in issues] == [
        (key, "too_many", f"{key}: {most + 1} items, at most {most} are allowed")
    ]


def test_subtask_lead_id_number_is_read_in_its_stored_form():
    proposal, issues = parse_proposal({"subtasks": [{"lead_id_number": " １１０１０５ 19491231 002x "}]})
    assert issues == []
    assert proposal.subtasks[0].lead_id_number == "11010519491231002X"
