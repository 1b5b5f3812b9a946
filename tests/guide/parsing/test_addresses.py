"""Addresses of the values of a parsed guide: parse, get, set (validated), items, apply corrections."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guide.parsing import addresses as a
from guide.parsing.addresses import AddressError
from guide.parsing.types import (
    Area,
    Direction,
    Eligibility,
    FormalClause,
    Indicator,
    ParsedGuide,
    PartnerRequirement,
    from_json,
    to_json,
)

SMALL = ParsedGuide(
    year=2030,
    title="2030 年度指南",
    declared_direction_count=2,
    total_budget_yuan=100_000_000,
    projects_per_direction=(1, 2),
    eligibility=Eligibility(
        pi_born_on_or_after=date(1970, 1, 1),
        unit_registered_by=date(2029, 6, 30),
        max_domestic_units=8,
        min_foreign_units=1,
        max_duration_years=3,
        subtasks_allowed=False,
    ),
    areas=[Area(1, "能源"), Area(2, "材料")],
    directions=[
        Direction(
            code="1.1",
            area=1,
            title="氢能",
            research_content="研究内容",
            indicators=[
                Indicator(0, "效率≥90%", "效率", ">=", 90.0, None, "%"),
                Indicator(1, "形成规范 1 项"),
            ],
            matching_ratio=2.0,
            partner_requirements=[
                PartnerRequirement("foreign_countries", 2, "required", "须有2个以上国家"),
                PartnerRequirement("continents", ["asia", "africa"], "indicator", "亚洲、非洲"),
                PartnerRequirement("institution_kind", "hospital", "required", "须有医院参加"),
                PartnerRequirement("licence", "hgr", "required", "须具备人类遗传资源许可"),
            ],
        ),
        Direction(code="2.1", area=2, title="材料方向"),
    ],
    formal_review=[FormalClause("1(2)", 1, "申报资格", "原文条款")],
)


@pytest.fixture
def data() -> dict:
    return to_json(SMALL)


# --- parse ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "section", "key", "sub", "field"),
    [
        ("title", "general", None, None, "title"),
        ("total_budget_yuan", "general", None, None, "total_budget_yuan"),
        ("projects_per_direction.max", "projects_per_direction", None, None, "max"),
        ("eligibility.unit_registered_by", "eligibility", None, None, "unit_registered_by"),
        ("areas[2].title", "areas", "2", None, "title"),
        ("directions[1.1].matching_ratio", "directions", "1.1", None, "matching_ratio"),
        ("directions[1.1].indicators[0].value_max", "indicators", "1.1", 0, "value_max"),
        (
            "directions[1.1].partner_requirements[1].counts_regions",
            "partner_requirements",
            "1.1",
            1,
            "counts_regions",
        ),
        ("formal_review[1(2)].text", "formal_review", "1(2)", None, "text"),
    ],
)
def test_parse_address_names_section_key_and_field(address, section, key, sub, field):
    parsed = a.parse_address(address)
    assert (parsed.section, parsed.key, parsed.sub, parsed.field) == (section, key, sub, field)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "year",
        "eligibility.age",
        "eligibility",
        "projects_per_direction",
        "areas[x].title",
        "areas[1].intro",
        "directions[1.1]",
        "directions[1.1].code",
        "directions[1.1].indicators[0].text",
        "directions[1.1].indicators[-1].value",
        "directions[1.1].partner_requirements[0].kind",
        "formal_review[1(2)].section",
        "title.x",
    ],
)
def test_parse_address_refuses_what_is_not_a_correctable_value(address):
    with pytest.raises(AddressError) as exc:
        a.parse_address(address)
    assert exc.value.code == "unknown_address"
    assert str(exc.value) == f"未知的位置：{address}"


@pytest.mark.parametrize(
    ("address", "item"),
    [
        ("title", "title"),
        ("eligibility.pi_born_on_or_after", "eligibility.pi_born_on_or_after"),
        ("projects_per_direction.min", "projects_per_direction"),
        ("areas[1].title", "areas[1]"),
        ("directions[1.1].notes", "directions[1.1]"),
        ("directions[1.1].indicators[3].unit", "directions[1.1].indicators[3]"),
        ("directions[1.1].partner_requirements[0].value", "directions[1.1].partner_requirements[0]"),
        ("formal_review[1(2)].text", "formal_review[1(2)]"),
    ],
)
def test_item_of_a_value(address, item):
    assert a.item_of(address) == item


# --- get -----------------------------------------------------------------------------


def test_get_value_reads_each_kind_of_value(data):
    assert a.get_value(data, "title") == "2030 年度指南"
    assert a.get_value(data, "projects_per_direction.max") == 2
    assert a.get_value(data, "eligibility.pi_born_on_or_after") == "1970-01-01"
    assert a.get_value(data, "eligibility.subtasks_allowed") is False
    assert a.get_value(data, "areas[2].title") == "材料"
    assert a.get_value(data, "directions[1.1].matching_ratio") == 2.0
    assert a.get_value(data, "directions[1.1].indicators[0].comparator") == ">="
    assert a.get_value(data, "directions[1.1].indicators[1].value") is None
    assert a.get_value(data, "directions[1.1].partner_requirements[1].value") == ["asia", "africa"]
    assert a.get_value(data, "formal_review[1(2)].text") == "原文条款"


@pytest.mark.parametrize(
    "address",
    [
        "areas[3].title",
        "directions[9.9].title",
        "directions[1.1].indicators[2].value",
        "directions[1.1].partner_requirements[4].strength",
        "formal_review[9].text",
    ],
)
def test_get_value_of_an_item_not_in_the_data_is_missing_item(data, address):
    with pytest.raises(AddressError) as exc:
        a.get_value(data, address)
    assert exc.value.code == "missing_item"
    assert a.exists(data, address) is False


def test_projects_per_direction_exists_even_when_the_parse_found_none(data):
    data["projects_per_direction"] = None
    assert a.get_value(data, "projects_per_direction.min") is None
    assert a.set_value(data, "projects_per_direction.min", "3")["projects_per_direction"] == {
        "min": 3,
        "max": None,
    }


# --- set and validate ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "raw", "expected"),
    [
        ("title", "  新标题  ", "新标题"),
        ("declared_direction_count", "39", 39),
        ("total_budget_yuan", "250,000,000", 250_000_000),
        ("total_budget_yuan", "", None),
        ("eligibility.pi_born_on_or_after", "1962-01-01", "1962-01-01"),
        ("eligibility.pi_born_on_or_after", "1962年1月1日", "1962-01-01"),
        ("eligibility.unit_registered_by", "2021/6/30", "2021-06-30"),
        ("eligibility.unit_registered_by", "", None),
        ("eligibility.max_domestic_units", "10", 10),
        ("eligibility.subtasks_allowed", "是", True),
        ("eligibility.subtasks_allowed", "false", False),
        ("eligibility.subtasks_allowed", "", None),
        ("directions[1.1].matching_ratio", "2:1", 2.0),
        ("directions[1.1].matching_ratio", "1.5", 1.5),
        ("directions[1.1].matching_ratio", "", None),
        ("directions[1.1].research_content", " 第一行\r\n第二行 ", "第一行\n第二行"),
        ("directions[1.1].notes", "", ""),
        ("directions[1.1].indicators[0].value", "99.999", 99.999),
        ("directions[1.1].indicators[0].value", "1e-6", 1e-6),
        ("directions[1.1].indicators[0].value", "", None),
        ("directions[1.1].indicators[0].comparator", "≥", ">="),
        ("directions[1.1].indicators[0].comparator", "range", "range"),
        ("directions[1.1].indicators[0].comparator", "", None),
        ("directions[1.1].indicators[0].subject", "", None),
        ("directions[1.1].indicators[0].unit", "kW", "kW"),
        ("directions[1.1].partner_requirements[0].value", "3", 3),
        ("directions[1.1].partner_requirements[1].value", "欧洲、亚洲", ["europe", "asia"]),
        ("directions[1.1].partner_requirements[1].value", "oceania, 北美洲, 南美洲", ["oceania", "americas"]),
        ("directions[1.1].partner_requirements[2].value", "university", "university"),
        ("directions[1.1].partner_requirements[3].value", "hgr_preservation", "hgr_preservation"),
        ("directions[1.1].partner_requirements[3].value", "other", "other"),
        ("directions[1.1].partner_requirements[0].strength", "indicator", "indicator"),
        ("directions[1.1].partner_requirements[0].counts_regions", "true", True),
        ("formal_review[1(2)].text", "改正的条款", "改正的条款"),
    ],
)
def test_set_value_coerces_the_form_string(data, address, raw, expected):
    changed = a.set_value(data, address, raw)
    assert a.get_value(changed, address) == expected


def test_set_value_leaves_the_given_data_as_it_was(data):
    before = to_json(SMALL)
    a.set_value(data, "directions[1.1].indicators[0].value", "80")
    assert data == before


@pytest.mark.parametrize(
    ("address", "raw", "code", "message"),
    [
        ("title", "  ", "required", "此项不能为空"),
        ("title", "长" * 301, "too_long", "不能超过 300 个字符"),
        ("directions[1.1].indicators[0].unit", "u" * 65, "too_long", "不能超过 64 个字符"),
        ("declared_direction_count", "三十九", "not_an_integer", "应为整数"),
        ("declared_direction_count", "3.5", "not_an_integer", "应为整数"),
        ("declared_direction_count", "-1", "negative", "不能为负数"),
        ("total_budget_yuan", "9" * 19, "not_an_integer", "应为整数"),
        ("total_budget_yuan", "9" * 17, "too_large", "数值过大"),
        ("eligibility.pi_born_on_or_after", "1962-13-01", "not_a_date", "日期格式应为 YYYY-MM-DD"),
        ("eligibility.pi_born_on_or_after", "1962-02-30", "not_a_date", "日期格式应为 YYYY-MM-DD"),
        ("eligibility.pi_born_on_or_after", "明年", "not_a_date", "日期格式应为 YYYY-MM-DD"),
        ("eligibility.subtasks_allowed", "也许", "not_a_bool", "应为“是”或“否”"),
        ("directions[1.1].matching_ratio", "两倍", "bad_ratio", "比例应为数字（如 2 或 2:1）"),
        ("directions[1.1].matching_ratio", "2:0", "bad_ratio", "比例应为数字（如 2 或 2:1）"),
        ("directions[1.1].matching_ratio", "-1", "negative", "不能为负数"),
        ("directions[1.1].indicators[0].value", "九十", "not_a_number", "应为数字"),
        ("directions[1.1].indicators[0].value", "nan", "not_a_number", "应为数字"),
        ("directions[1.1].indicators[0].value", "1e400", "too_large", "数值过大"),
        (
            "directions[1.1].indicators[0].comparator",
            "about",
            "bad_comparator",
            "比较符应为 ≥、>、≤、<、= 或 range",
        ),
        ("directions[1.1].partner_requirements[0].value", "0", "too_small", "至少为 1"),
        ("directions[1.1].partner_requirements[0].value", "", "required", "此项不能为空"),
        (
            "directions[1.1].partner_requirements[1].value",
            "亚洲, 火星",
            "unknown_continent",
            "“火星”不是可选的大洲：请从亚洲、欧洲、美洲、非洲、大洋洲中选择",
        ),
        ("directions[1.1].partner_requirements[1].value", " , ", "required", "此项不能为空"),
        (
            "directions[1.1].partner_requirements[2].value",
            "医院",
            "unknown_choice",
            "“医院”不是可选的一项：请从列表中选择",
        ),
        (
            "directions[1.1].partner_requirements[3].value",
            "hospital",
            "unknown_choice",
            "“hospital”不是可选的一项：请从列表中选择",
        ),
        (
            "directions[1.1].partner_requirements[0].strength",
            "must",
            "bad_strength",
            AddressError.MESSAGES["bad_strength"],
        ),
        ("directions[1.1].partner_requirements[0].counts_regions", "", "required", "此项不能为空"),
        ("directions[1.1].title", "", "required", "此项不能为空"),
        (
            "directions[1.1].indicators[7].value",
            "1",
            "missing_item",
            "此版本没有这一项：directions[1.1].indicators[7].value",
        ),
        (
            "directions[1.1].indicators[0].text",
            "1",
            "unknown_address",
            "未知的位置：directions[1.1].indicators[0].text",
        ),
    ],
)
def test_set_value_refuses_bad_values_with_a_clear_error(data, address, raw, code, message):
    with pytest.raises(AddressError) as exc:
        a.set_value(data, address, raw)
    assert (exc.value.code, str(exc.value)) == (code, message)


def test_a_set_value_reads_back_through_from_json(data):
    changed = a.set_value(data, "eligibility.pi_born_on_or_after", "1963-05-04")
    changed = a.set_value(changed, "directions[1.1].indicators[1].comparator", ">=")
    changed = a.set_value(changed, "directions[1.1].indicators[1].value", "1")
    guide = from_json(changed)
    assert guide.eligibility.pi_born_on_or_after == date(1963, 5, 4)
    assert guide.direction("1.1").indicators[1].comparator == ">="
    assert guide.direction("1.1").indicators[1].value == 1.0


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (90.0, "90"),
        (99.999, "99.999"),
        (["亚洲", "非洲"], "亚洲, 非洲"),
        (3, "3"),
    ],
)
def test_format_value_is_what_an_officer_would_type(value, text):
    assert a.format_value(value) == text


# --- items ---------------------------------------------------------------------------


def test_item_addresses_of_each_kind_of_item(data):
    assert a.item_addresses(data, "title") == ["title"]
    assert a.item_addresses(data, "projects_per_direction") == [
        "projects_per_direction.min",
        "projects_per_direction.max",
    ]
    assert a.item_addresses(data, "eligibility.unit_registered_by") == ["eligibility.unit_registered_by"]
    assert a.item_addresses(data, "areas[1]") == ["areas[1].title"]
    assert a.item_addresses(data, "directions[2.1]") == [
        "directions[2.1].title",
        "directions[2.1].matching_ratio",
        "directions[2.1].research_content",
        "directions[2.1].notes",
        "directions[2.1].other_requirements",
    ]
    assert a.item_addresses(data, "directions[1.1].indicators[1]") == [
        "directions[1.1].indicators[1].subject",
        "directions[1.1].indicators[1].comparator",
        "directions[1.1].indicators[1].value",
        "directions[1.1].indicators[1].value_max",
        "directions[1.1].indicators[1].unit",
    ]
    assert a.item_addresses(data, "directions[1.1].partner_requirements[0]") == [
        "directions[1.1].partner_requirements[0].value",
        "directions[1.1].partner_requirements[0].strength",
        "directions[1.1].partner_requirements[0].counts_regions",
    ]
    assert a.item_addresses(data, "formal_review[1(2)]") == ["formal_review[1(2)].text"]
    assert a.item_addresses(data, "directions[1.1].indicators[0].value") == a.item_addresses(
        data, "directions[1.1].indicators[0]"
    )


@pytest.mark.parametrize(
    "item", [None, "", "directions[9.9]", "directions[1.1].indicators[5]", "areas[7]", "nonsense"]
)
def test_item_addresses_of_no_item_or_a_missing_one_is_empty(data, item):
    assert a.item_addresses(data, item) == []


def test_items_are_in_document_order(data):
    assert a.items(data) == [
        "title",
        "declared_direction_count",
        "total_budget_yuan",
        "projects_per_direction",
        "eligibility.pi_born_on_or_after",
        "eligibility.unit_registered_by",
        "eligibility.max_domestic_units",
        "eligibility.min_foreign_units",
        "eligibility.max_duration_years",
        "eligibility.subtasks_allowed",
        "eligibility.max_units",
        "eligibility.max_subtasks",
        "eligibility.task_lead_born_on_or_after",
        "eligibility.matching_ratio",
        "areas[1]",
        "areas[2]",
        "directions[1.1]",
        "directions[1.1].indicators[0]",
        "directions[1.1].indicators[1]",
        "directions[1.1].partner_requirements[0]",
        "directions[1.1].partner_requirements[1]",
        "directions[1.1].partner_requirements[2]",
        "directions[1.1].partner_requirements[3]",
        "directions[2.1]",
        "formal_review[1(2)]",
    ]


def test_every_address_of_the_data_reads_and_sets_its_own_value_back(data):
    for address in a.addresses(data):
        value = a.get_value(data, address)
        if value is None and a.kind_of(data, address) in (a.TEXT, a.FLAG, a.PARTNER_COUNT):
            continue
        if value == "" and a.kind_of(data, address) == a.TEXT:
            continue
        assert a.get_value(a.set_value(data, address, a.format_value(value)), address) == value, address


# --- apply corrections ---------------------------------------------------------------


def test_apply_corrections_applies_in_order_the_latest_winning(data):
    corrected, problems = a.apply_corrections(
        data,
        [
            ("directions[1.1].indicators[0].value", "80"),
            {"address": "eligibility.max_duration_years", "value": 4},
            ("directions[1.1].indicators[0].value", 85),
        ],
    )
    assert problems == []
    assert a.get_value(corrected, "directions[1.1].indicators[0].value") == 85.0
    assert a.get_value(corrected, "eligibility.max_duration_years") == 4
    assert a.get_value(data, "directions[1.1].indicators[0].value") == 90.0


def test_a_correction_whose_address_vanished_is_a_problem_not_an_exception(data):
    class Row:
        address = "directions[1.1].indicators[9].value"
        value = 1.0

    corrected, problems = a.apply_corrections(
        data, [Row(), ("title", "新标题"), ("no.such", 1), ("eligibility.pi_born_on_or_after", "bad")]
    )
    assert a.get_value(corrected, "title") == "新标题"
    assert [(p.address, p.code) for p in problems] == [
        ("directions[1.1].indicators[9].value", "missing_item"),
        ("no.such", "unknown_address"),
        ("eligibility.pi_born_on_or_after", "not_a_date"),
    ]
    assert problems[0].message == "此版本没有这一项：directions[1.1].indicators[9].value"


def test_apply_no_corrections_is_an_equal_copy(data):
    corrected, problems = a.apply_corrections(data, [])
    assert (corrected, problems) == (data, [])
    assert corrected is not data


# --- properties ----------------------------------------------------------------------

PROPERTY = settings(deadline=None, derandomize=True, database=None, max_examples=200)


@PROPERTY
@given(
    address=st.text(max_size=60), raw=st.one_of(st.none(), st.text(max_size=40), st.integers(), st.floats())
)
def test_apply_corrections_never_raises(address, raw):
    data = to_json(SMALL)
    corrected, problems = a.apply_corrections(data, [(address, raw)])
    assert len(problems) in (0, 1)
    from_json(corrected)  # whatever was accepted still reads back


@PROPERTY
@given(number=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e14, max_value=1e14))
def test_a_number_round_trips_through_its_form_text(number):
    data = to_json(SMALL)
    address = "directions[1.1].indicators[0].value"
    assert a.get_value(a.set_value(data, address, a.format_value(number)), address) == number


@PROPERTY
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_a_date_round_trips_through_its_iso_text(day):
    data = to_json(SMALL)
    address = "eligibility.unit_registered_by"
    assert a.get_value(a.set_value(data, address, day.isoformat()), address) == day.isoformat()
