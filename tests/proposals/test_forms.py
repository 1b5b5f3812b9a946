from datetime import date
from decimal import Decimal

from proposals.forms import ProposalForms
from proposals.interchange import PersonData, ProposalData, UnitData
from proposals.validators import FieldError


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def bound(**fields) -> ProposalForms:
    data = {**management("units", 3), **management("members", 2), **fields}
    return ProposalForms(data)


def test_empty_form_is_valid_and_gives_empty_data():
    forms = bound()
    assert forms.is_valid()
    assert forms.to_data() == ProposalData(members=[], units=[])


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
