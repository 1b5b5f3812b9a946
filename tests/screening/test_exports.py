"""The files for people, from the one export engine: headers, statuses, messages and evidence in
the chosen language (zh by default, en when chosen) in the Excel findings sheet and the PDF (with an
embedded CJK font), for the officers' exports and one proposal's report. The JSON export keeps the
raw ids (see test_views)."""

import io
import re
from datetime import date

import pdfplumber
import pytest
from openpyxl import load_workbook

from screening import services
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    proposal = make_proposal(owner=make_user("owner-x"), reference="P-EXPORT", pi_birth=date(1961, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=proposal)
    return proposal


@pytest.fixture
def officer(client):
    client.force_login(make_user("officer-x", role="officer"))
    return client


def _findings(client) -> list[list[str]]:
    """The Excel export's findings sheet (the officers' list, filtered to 2022): header and rows."""
    response = client.post(
        "/screening/workspace/bulk/", {"action": "export_xlsx", "scope": "filtered", "query": "year=2022"}
    )
    wb = load_workbook(io.BytesIO(response.content))
    return [["" if v is None else v for v in row] for row in wb.worksheets[1].iter_rows(values_only=True)]


def _row(rows: list[list[str]], rule: str) -> dict[str, str]:
    header = rows[0]
    found = [dict(zip(header, r, strict=True)) for r in rows[1:] if rule in r]
    assert len(found) == 1
    return found[0]


def test_findings_headers_and_statuses_are_chinese_by_default(officer, screened):
    rows = _findings(officer)
    assert rows[0] == [
        "编号",
        "项目名称",
        "指南方向",
        "预审结论",
        "检查项",
        "结论",
        "条款",
        "说明",
        "建议",
        "需修改的字段",
        "依据",
        "规则编号",
        "结论代码",
        "字段路径",
    ]
    age = _row(rows, "pi.age")
    assert age["编号"] == "P-EXPORT"
    assert age["预审结论"] == "不通过"
    assert (age["检查项"], age["结论"], age["条款"]) == ("项目负责人年龄", "不通过", "形式审查 2(1)")
    assert age["建议"] == "请核对出生日期；如无误，须更换 1962-01-01 以后出生的项目负责人。"
    assert age["需修改的字段"] == "项目负责人出生日期"
    assert age["依据"] == "项目负责人出生日期：1961-12-31\n项目负责人身份证号中的出生日期：1961-12-31"
    assert (age["规则编号"], age["结论代码"], age["字段路径"]) == ("pi.age", "fail", "pi.birth_date")
    na = _row(rows, "direction.hgr_license")
    assert na["结论"] == "不适用"
    assert na["说明"] == "指南方向 1.1 未规定此项要求（单位资质许可），不适用。"


def test_findings_follow_the_chosen_language(officer, screened):
    officer.cookies["django_language"] = "en"
    rows = _findings(officer)
    assert rows[0][:11] == [
        "Reference",
        "Project title",
        "Guide direction",
        "Overall result",
        "Check",
        "Result",
        "Clause",
        "Details",
        "Suggestion",
        "Field to fix",
        "Basis",
    ]
    civil = _row(rows, "pi.civil_servant")
    assert (civil["Result"], civil["Clause"]) == ("Pass", "Formal review 2(6)")
    assert civil["Basis"] == "PI is a civil servant: no\nPI employer: 清华大学"
    assert _row(rows, "direction.partner_countries")["Result"] == "Not applicable"


def test_xlsx_has_widths_frozen_header_autofilter_and_readable_evidence(officer, screened):
    response = officer.post(
        "/screening/workspace/bulk/", {"action": "export_xlsx", "scope": "filtered", "query": "year=2022"}
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["申报项目", "检查结果", "按检查项统计"]
    checks = wb["检查结果"]
    assert checks.freeze_panes == "A2"
    findings = checks.max_row - 1
    assert findings == screened.screening_runs.get().findings.count()
    assert checks.auto_filter.ref == f"A1:N{findings + 1}"
    assert (checks.column_dimensions["H"].width, checks.column_dimensions["K"].width) == (60, 50)
    assert checks["A1"].font.bold is True
    age = next(r for r in checks.iter_rows(min_row=2) if r[11].value == "pi.age")
    assert age[10].value == "项目负责人出生日期：1961-12-31\n项目负责人身份证号中的出生日期：1961-12-31"
    assert age[10].alignment.wrap_text is True


def _pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def _cells(data: bytes) -> list[list[str]]:
    """The table rows of every page, each cell's lines joined."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [
            [re.sub(r"\s*\n\s*", " ", cell or "") for cell in row]
            for page in doc.pages
            for table in page.extract_tables()
            for row in table
        ]


def _finding_row(rows: list[list[str]], check: str) -> list[str]:
    found = [row for row in rows if row[0].replace(" ", "") == check.replace(" ", "")]
    assert len(found) == 1
    return found[0]


def test_pdf_embeds_its_cjk_font(officer, screened):
    data = _pdf(officer, f"/screening/proposals/{screened.pk}/report.pdf")
    assert b"STSong-Light" not in data
    assert b"/FontFile2" in data
    with pdfplumber.open(io.BytesIO(data)) as doc:
        fonts = {c["fontname"].split("+")[-1] for page in doc.pages for c in page.chars}
    assert {re.sub(r"-\d+$", "", f) for f in fonts} == {"WenQuanYiMicroHei"}


def test_pdf_shows_suggestions_and_clause_labels_in_chinese(officer, screened):
    rows = _cells(_pdf(officer, f"/screening/proposals/{screened.pk}/report.pdf"))
    assert rows[0] == ["检查项", "结论", "条款", "说明", "需修改的字段"]
    assert rows[1][:2] == ["项目负责人年龄", "不通过"]  # failures first
    check, status, clause, details, field = _finding_row(rows, "项目负责人年龄")
    assert (status, clause, field.replace(" ", "")) == ("不通过", "形式审查 2(1)", "项目负责人出生日期")
    assert details.replace(" ", "") == (
        "项目负责人出生日期1961-12-31早于1962-01-01，不符合年龄要求。"
        "建议：请核对出生日期；如无误，须更换1962-01-01以后出生的项目负责人。"
        "项目负责人出生日期：1961-12-31项目负责人身份证号中的出生日期：1961-12-31"
    )
    assert _finding_row(rows, "人类遗传资源保藏许可")[1:3] == ["不适用", "指南方向 1.1"]


def test_pdf_follows_the_chosen_language(officer, screened):
    officer.cookies["django_language"] = "en"
    rows = _cells(_pdf(officer, f"/screening/proposals/{screened.pk}/report.pdf"))
    assert rows[0] == ["Check", "Result", "Clause", "Details", "Field to fix"]
    check, status, clause, details, field = _finding_row(rows, "PI age")
    assert (status, clause, field) == ("Fail", "Formal review 2(1)", "PI date of birth")
    assert details == (
        "The PI was born on 1961-12-31, before 1962-01-01; the age limit is not met. "
        "Suggestion: Check the birth date; if correct, choose a PI born on or after 1962-01-01. "
        "PI date of birth: 1961-12-31 PI date of birth in the ID number: 1961-12-31"
    )
    assert _finding_row(rows, "Human genetic resources licence")[1:3] == [
        "Not applicable",
        "Guide direction 1.1",
    ]
