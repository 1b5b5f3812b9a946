from datetime import date
from decimal import Decimal

import pytest

from proposals.forms import ProposalForms
from proposals.identifiers import make_resident_id
from proposals.interchange import PersonData, ProposalData, SubtaskData, UnitData
from proposals.validators import FieldError


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def bound(**fields) -> ProposalForms:
    data = {**management("units", 3), **management("members", 2), **management("subtasks", 2), **fields}
    return ProposalForms(data)


def test_empty_form_is_valid_and_gives_empty_data():
    forms = bound()
    assert forms.is_valid()
    assert forms.to_data() == ProposalData(members=[], units=[], subtasks=[], attachments=[])


def test_country_names_are_cleaned_to_codes():
    forms = bound(
        **{
            "pi-nationality": "中国",
            "units-0-name": "A",
            "units-0-country": "德国",
            "units-1-name": "B",
            "units-1-country": "Hong Kong",
        }
    )
    assert forms.is_valid()
    data = forms.to_data()
    assert (data.pi.nationality, [u.country for u in data.units]) == ("CN", ["DE", "HK"])


def test_unknown_country_is_a_form_error():
    forms = bound(**{"units-0-country": "亚特兰蒂斯"})
    assert forms.is_valid() is False
    assert forms.units.forms[0].errors["country"] == ["无法识别的国家或地区：亚特兰蒂斯"]


def test_identifiers_are_normalised():
    forms = bound(
        **{"pi-id_number": " １１０１０５ 19750308 231x ", "units-0-credit_code": "91110000ma000100xj"}
    )
    assert forms.is_valid()
    data = forms.to_data()
    assert (data.pi.id_number, data.units[0].credit_code) == ("11010519750308231X", "91110000MA000100XJ")


def test_blank_and_deleted_rows_are_dropped():
    forms = bound(**{"units-0-name": "A", "units-1-name": "B", "units-1-DELETE": "on", "units-2-name": "C"})
    assert forms.is_valid()
    assert [u.name for u in forms.to_data().units] == ["A", "C"]


def test_submit_errors_land_on_the_row_they_refer_to_after_deleted_rows():
    forms = bound(**{"units-0-name": "A", "units-1-name": "B", "units-1-DELETE": "on", "units-2-name": "C"})
    forms.is_valid()
    forms.to_data()
    forms.add_errors(
        [
            FieldError("units[1].credit_code", "required", "必填"),
            FieldError("pi.name", "required", "必填"),
            FieldError("budget.national", "required", "必填"),
            FieldError("units", "required", "至少一个"),
        ]
    )
    assert forms.units.forms[2].errors["credit_code"] == ["必填"]
    assert forms.units.forms[1].errors == {}
    assert forms.pi.errors["name"] == ["必填"]
    assert forms.main.errors["national_funding"] == ["必填"]
    assert [e.path for e in forms.units_errors] == ["units"]


def test_negative_budget_is_a_form_error():
    forms = bound(national_funding="-1")
    assert forms.is_valid() is False
    assert list(forms.main.errors) == ["national_funding"]


def test_initial_data_prefills_fields_and_marks_found_fields():
    initial = ProposalData(
        title="T",
        budget=None,
        pi=PersonData(name="林", nationality="CN", birth_date=date(1975, 3, 8)),
        units=[UnitData(name="A", country="DE")],
        members=[PersonData(name="M", role="分工", unit="A")],
    )
    forms = ProposalForms(initial=initial, found={"title": 2, "recommender": None, "units": 3})
    assert forms.main["title"].value() == "T"
    assert forms.pi["nationality"].value() == "中国"
    assert forms.units.forms[0]["country"].value() == "德国"
    assert (forms.members.forms[0]["task"].value(), forms.members.forms[0]["employer"].value()) == (
        "分工",
        "A",
    )
    rows = {row.path: (row.found, row.page) for row in forms.main.rows}
    assert rows["title"] == (True, 2)
    assert rows["recommender"] == (False, None)
    assert rows["reference"] == (None, None)
    assert (forms.units_mark.found, forms.units_mark.page) == (True, 3)


def test_money_keeps_two_decimals():
    forms = bound(national_funding="250.50", matching_funding="")
    assert forms.is_valid()
    assert forms.to_data().budget.national == Decimal("250.50")
    assert forms.to_data().budget.matching is None


# --- values that cannot be stored --------------------------------------------

TEXT_FIELDS = [
    ("main", "direction", "direction"),
    ("main", "title", "title"),
    ("main", "recommender", "recommender"),
    ("main", "research_content", "research_content"),
    ("main", "indicators", "indicators"),
    ("pi", "pi-name", "name"),
    ("pi", "pi-id_number", "id_number"),
    ("pi", "pi-nationality", "nationality"),
    ("pi", "pi-title", "title"),
    ("pi", "pi-degree", "degree"),
    ("pi", "pi-employer", "employer"),
    ("unit", "units-0-name", "name"),
    ("unit", "units-0-credit_code", "credit_code"),
    ("unit", "units-0-country", "country"),
    ("member", "members-0-name", "name"),
    ("member", "members-0-id_number", "id_number"),
    ("member", "members-0-nationality", "nationality"),
    ("member", "members-0-employer", "employer"),
    ("member", "members-0-task", "task"),
    ("subtask", "subtasks-0-name", "name"),
    ("subtask", "subtasks-0-lead_unit", "lead_unit"),
    ("subtask", "subtasks-0-lead_name", "lead_name"),
    ("subtask", "subtasks-0-lead_id_number", "lead_id_number"),
    ("subtask", "subtasks-0-lead_title", "lead_title"),
    ("subtask", "subtasks-0-lead_degree", "lead_degree"),
]


def _errors(forms: ProposalForms, form: str) -> dict:
    return {
        "main": forms.main,
        "pi": forms.pi,
        "unit": forms.units.forms[0],
        "member": forms.members.forms[0],
        "subtask": forms.subtasks.forms[0],
    }[form].errors


@pytest.mark.parametrize(("form", "html_name", "name"), TEXT_FIELDS)
def test_control_character_in_any_text_field_is_an_error_at_that_field(form, html_name, name):
    forms = bound(**{html_name: "abc\x01def"})
    assert forms.is_valid() is False
    assert _errors(forms, form) == {name: ["含有不允许的控制字符（U+0001，第 4 个字符），请删除后再保存。"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc\x0bdef", "含有不允许的控制字符（U+000B，第 4 个字符），请删除后再保存。"),
        ("a\x00b", "含有不允许的控制字符（U+0000，第 2 个字符），请删除后再保存。"),
        ("ab\ud800", "含有不允许的控制字符（U+D800，第 3 个字符），请删除后再保存。"),
    ],
)
def test_vertical_tab_nul_and_lone_surrogate_in_title_are_one_clear_error(text, message):
    forms = bound(title=text)
    assert forms.is_valid() is False
    assert forms.main.errors == {"title": [message]}


def test_tab_and_line_breaks_are_kept_in_text():
    forms = bound(research_content="第一段\t说明\r\n第二段")
    assert forms.is_valid()
    assert forms.to_data().research_content == "第一段\t说明\r\n第二段"


@pytest.mark.parametrize("reference", ['R"1\r\nX-Injected: 1', "R 1", "编号1", "Ｒ１", "R\x0b1"])
def test_reference_outside_the_safe_charset_is_a_form_error(reference):
    forms = bound(reference=reference)
    assert forms.is_valid() is False
    assert forms.main.errors == {
        "reference": ["编号只能使用半角字母、数字和 - _ . / 这几个符号，最长 64 个字符。"]
    }


@pytest.mark.parametrize("reference", ["SQ-A", "2022YFE0100100", "a_b.c/d-1", "R" * 64])
def test_reference_in_the_safe_charset_is_accepted(reference):
    forms = bound(reference=reference)
    assert forms.is_valid()
    assert forms.to_data().reference == reference


def test_reference_longer_than_64_is_a_form_error():
    forms = bound(reference="R" * 65)
    assert forms.is_valid() is False
    assert list(forms.main.errors) == ["reference"]


@pytest.mark.parametrize(("given", "stored"), [("５．２", "5.2"), (" 5.2 ", "5.2"), ("5.2.", "5.2")])
def test_direction_code_is_cleaned_to_its_stored_form(given, stored):
    forms = bound(direction=given)
    assert forms.is_valid()
    assert forms.to_data().direction == stored


@pytest.mark.parametrize("amount", ["0.001", "10000000000", "1e15"])
def test_money_beyond_the_column_is_a_form_error_not_rounded(amount):
    forms = bound(national_funding=amount)
    assert forms.is_valid() is False
    assert list(forms.main.errors) == ["national_funding"]


def test_money_at_the_column_limit_is_accepted():
    forms = bound(national_funding="9999999999.99", matching_funding="0.01")
    assert forms.is_valid()
    assert (forms.to_data().budget.national, forms.to_data().budget.matching) == (
        Decimal("9999999999.99"),
        Decimal("0.01"),
    )


# --- subtasks (课题) ------------------------------------------------------------


def test_subtask_rows_become_subtask_data_and_blank_rows_are_dropped():
    lead_id = make_resident_id(date(1982, 7, 19), "046", "350103")
    forms = bound(
        **{
            "subtasks-0-name": "催化剂设计",
            "subtasks-0-lead_unit": "福州大学",
            "subtasks-0-lead_name": "陈静",
            "subtasks-0-lead_id_number": " " + lead_id.lower(),
            "subtasks-0-lead_birth_date": "1982-07-19",
            "subtasks-0-lead_title": "研究员",
            "subtasks-0-lead_degree": "博士",
            "subtasks-0-national_funding": "200.5",
        }
    )
    assert forms.is_valid()
    assert forms.to_data().subtasks == [
        SubtaskData(
            name="催化剂设计",
            lead_unit="福州大学",
            lead_name="陈静",
            lead_id_number=lead_id,
            lead_birth_date=date(1982, 7, 19),
            lead_title="研究员",
            lead_degree="博士",
            national_funding=Decimal("200.5"),
        )
    ]


@pytest.mark.parametrize(("length", "valid"), [(200, True), (201, False)])
def test_subtask_name_is_bounded_by_its_column(length, valid):
    forms = bound(**{"subtasks-0-name": "课" * length})
    assert forms.is_valid() is valid
    assert list(forms.subtasks.forms[0].errors) == ([] if valid else ["name"])


@pytest.mark.parametrize("amount", ["-1", "0.001", "10000000000"])
def test_subtask_money_beyond_the_column_is_a_form_error(amount):
    forms = bound(**{"subtasks-0-name": "课题", "subtasks-0-national_funding": amount})
    assert forms.is_valid() is False
    assert list(forms.subtasks.forms[0].errors) == ["national_funding"]


# --- gender -------------------------------------------------------------------

MALE_ID = make_resident_id(date(1975, 3, 8), "231", "350102")  # 17th digit 1: male
FEMALE_ID = make_resident_id(date(1982, 7, 19), "046", "350103")  # 17th digit 6: female


def test_pi_gender_that_contradicts_the_id_number_is_an_error_naming_both():
    forms = bound(**{"pi-gender": "female", "pi-id_number": MALE_ID})
    assert forms.is_valid() is False
    assert forms.pi.errors == {
        "gender": [
            f"性别填写为“女”，但证件号码 {MALE_ID} 的第 17 位（1）表示男（奇数为男，偶数为女），"
            "请核对性别或证件号码。"
        ]
    }


def test_member_gender_that_contradicts_the_id_number_is_an_error_at_that_row():
    forms = bound(**{"members-0-name": "陈静", "members-0-gender": "male", "members-0-id_number": FEMALE_ID})
    assert forms.is_valid() is False
    assert forms.members.errors[0] == {
        "gender": [
            f"性别填写为“男”，但证件号码 {FEMALE_ID} 的第 17 位（6）表示女（奇数为男，偶数为女），"
            "请核对性别或证件号码。"
        ]
    }


@pytest.mark.parametrize(
    ("gender", "id_number"),
    [
        ("male", MALE_ID),
        ("female", FEMALE_ID),
        ("", FEMALE_ID),  # not typed: the ID number tells it
        ("male", "E12345678"),  # a passport says nothing about it
        ("female", MALE_ID[:-1] + ("0" if MALE_ID[-1] != "0" else "1")),  # wrong check digit: unknown
        ("female", ""),
    ],
)
def test_gender_that_agrees_or_cannot_be_checked_is_accepted(gender, id_number):
    forms = bound(**{"pi-name": "林海峰", "pi-gender": gender, "pi-id_number": id_number})
    assert forms.is_valid()
    assert forms.to_data().pi.gender == (gender or None)


def test_a_gender_that_is_not_a_choice_is_an_error():
    forms = bound(**{"pi-gender": "男"})
    assert forms.is_valid() is False
    assert forms.pi.errors == {"gender": ["选择一个有效的选项。 男 不在可用的选项中。"]}
