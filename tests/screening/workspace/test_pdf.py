"""The PDF of the export engine lays out any proposal: long cells wrap and continue on the next page,
one proposal never breaks another's or the file (the writer's own layout, property-tested with
extreme unit counts and name lengths, and real proposals screened and exported)."""

from __future__ import annotations

import io
import re
from datetime import date

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals.models import Unit
from screening.workspace import exports, pdf, services
from tests.factories.screening_db import make_proposal

LABELS = pdf.Labels(
    columns=["检查项", "结论", "条款", "说明", "需修改的字段"], page="第 {n} 页", unrenderable="无法排版"
)
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def text_of(data: bytes) -> tuple[int, str]:
    """The number of pages and the text of every page, without any white space."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return len(doc.pages), re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in doc.pages))


# --- wrapping ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def widths():
    pdf.register_font()
    return pdf._Widths(pdf.FONT_NAME)


def test_chinese_breaks_between_characters_and_english_at_spaces(widths):
    chinese = pdf.wrap("项目负责人出生日期早于规定日期" * 3, 60, 10, widths)
    assert "".join(chinese) == "项目负责人出生日期早于规定日期" * 3
    assert [len(line) for line in chinese] == [6, 6, 6, 6, 6, 6, 6, 3]
    english = pdf.wrap("The PI was born before the cutoff date", 60, 10, widths)
    assert english == ["The PI was", "born before", "the cutoff", "date"]


def test_a_word_longer_than_the_line_is_cut_and_line_breaks_are_kept(widths):
    lines = pdf.wrap("x" * 40 + "\n\nend", 50, 10, widths)
    assert "".join(lines[:-2]) == "x" * 40
    assert lines[-2:] == ["", "end"]
    assert max(widths[c] * 10 * len(line) for line in lines for c in line[:1]) <= 50


@PROPERTY
@given(
    text=st.text(alphabet=st.sampled_from("项目负责人 ab,.-1234 长名称ABCDEFGHIJ\n"), max_size=400),
    width=st.floats(min_value=12, max_value=400),
)
def test_every_line_fits_and_no_character_is_lost(widths, text, width):
    lines = pdf.wrap(text, width, 8.5, widths)
    for line in lines:
        assert len(line) == 1 or sum(widths[c] for c in line) * 8.5 <= width + 1e-6
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")


# --- whole files, built by the writer ------------------------------------------------------

NAMES = st.text(
    alphabet=st.one_of(
        st.sampled_from("北京量子信息科学研究院有限公司"),
        st.sampled_from("Institute of Technology "),
        st.characters(min_codepoint=0, max_codepoint=0x2FFFF),  # anything: controls, surrogates, emoji
    ),
    min_size=1,
    max_size=400,
)


@PROPERTY
@given(
    units=st.lists(NAMES, min_size=0, max_size=120),
    title=NAMES,
    findings=st.integers(min_value=0, max_value=40),
)
def test_any_proposal_lays_out_and_never_hides_its_neighbours(units, title, findings):
    """A proposal with up to 120 units of up to 400 characters each (one evidence line per unit in
    one cell, many pages tall) between two ordinary ones: the file opens and names all three."""
    evidence = "\n".join(f"{name}：91110000MA0000000{k % 10}" for k, name in enumerate(units))
    rows = [
        pdf.Row(
            [
                [("body", "单位资质")],
                [("body", "不通过")],
                [("body", "形式审查 2(3)")],
                cells,
                [("body", title)],
            ],
            status="fail",
        )
        for cells in [[("body", title), ("fix", "建议：" + title), ("note", evidence)]] * findings
    ]
    sections = [
        pdf.Section("AAA-FIRST 普通项目", [pdf.Row([[("body", "项目负责人年龄")]] * 5, "pass")]),
        pdf.Section(f"BBB-EXTREME {title}", rows, empty_note="没有预审结果。"),
        pdf.Section("CCC-LAST 普通项目", [pdf.Row([[("body", "项目负责人年龄")]] * 5, "pass")]),
    ]
    out = io.BytesIO()
    pdf.write_pdf(
        out, title="预审报告", stamp=[("导出人", "officer")], sections=sections, labels=LABELS, footer="f"
    )
    pages, text = text_of(out.getvalue())
    assert pages >= 1 + (len(evidence) > 20000)
    assert ("AAA-FIRST" in text, "BBB-EXTREME" in text, "CCC-LAST" in text) == (True, True, True)
    assert text.index("AAA-FIRST") < text.index("BBB-EXTREME") < text.index("CCC-LAST")


def test_a_section_that_cannot_be_laid_out_is_a_notice_and_the_others_stay(monkeypatch):
    real = pdf._Layout.section

    def broken(self, section):
        if section.heading.startswith("BROKEN"):
            raise ValueError("cannot")
        return real(self, section)

    monkeypatch.setattr(pdf._Layout, "section", broken)
    sections = [pdf.Section("OK-1", []), pdf.Section("BROKEN-2", []), pdf.Section("OK-3", [])]
    out = io.BytesIO()
    pdf.write_pdf(out, title="t", stamp=[], sections=sections, labels=LABELS, footer="f")
    _pages, text = text_of(out.getvalue())
    assert ("OK-1" in text, "BROKEN-2无法排版" in text, "OK-3" in text) == (True, True, True)


# --- real proposals, screened and exported --------------------------------------------------


def with_units(proposal, *, count: int, length: int):
    for k in range(count):
        name = (f"第{k}参与单位" + "量子信息与精密测量联合研究中心" * 20)[:length]
        Unit.objects.create(
            proposal=proposal,
            position=10 + k,
            name=name,
            credit_code="",
            country="CN",
            type="enterprise",
            registered_on=date(2010, 1, 1),
            role="participant",
        )
    return proposal


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "length"), [(40, 12), (12, 200), (60, 200)])  # 60 units of 200: the bounds
def test_a_draft_with_many_or_long_named_units_exports_with_its_neighbours(
    client, officer, screen, count, length
):
    before = make_proposal(reference="U-1")
    extreme = with_units(make_proposal(reference="U-2"), count=count, length=length)
    after = make_proposal(reference="U-3")
    screen([before, extreme, after])
    name, content_type, data = services.export_now(
        proposal_ids=[before.pk, extreme.pk, after.pk],
        fmt="pdf",
        lang="zh",
        full_ids=False,
        by=officer,
        query="",
    )
    assert (name, content_type) == ("workspace-export.pdf", "application/pdf")
    _pages, text = text_of(data)
    assert text.index("U-1") < text.index("U-2") < text.index("U-3")
    assert f"第{count - 1}参与单位" in text
    client.force_login(extreme.owner)
    response = client.get(f"/screening/proposals/{extreme.pk}/report.pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert "U-2" in text_of(response.content)[1]


@pytest.mark.django_db
def test_the_pdf_is_stamped_and_lists_failures_first(officer, three):
    _name, _type, data = services.export_now(
        proposal_ids=[three[1].pk], fmt="pdf", lang="zh", full_ids=False, by=officer, query="year=2022"
    )
    _pages, text = text_of(data)
    assert text.startswith("预审报告导出时间")
    assert "导出人ws-officer" in text
    assert "证件号码已部分隐藏" in text
    heading = "P-B"
    after = text[text.index(heading) :]
    assert after.index("检查项结论条款说明需修改的字段项目负责人年龄不通过") > 0


def test_pdf_sections_pair_each_proposal_with_its_own_findings():
    width = len(exports.PROPOSAL_COLUMNS)
    p = {key: n for n, (key, _h, _w) in enumerate(exports.PROPOSAL_COLUMNS)}

    def proposal(ref):
        row = [""] * width
        row[p["reference"]], row[p["overall"]], row[p["stale"]] = ref, "不通过", "否"
        return row

    def finding(ref, rule, status):
        row = [""] * 14
        row[0], row[4], row[12] = ref, rule, status
        return row

    sections = list(
        exports.pdf_sections(
            [proposal("A"), proposal("B"), proposal("C")],
            [finding("A", "a1", "pass"), finding("A", "a2", "fail"), finding("C", "c1", "warn")],
            lang="zh",
        )
    )
    assert [[r.cells[0][0][1] for r in s.rows] for s in sections] == [["a2", "a1"], [], ["c1"]]
    assert [r.status for r in sections[0].rows] == ["fail", "pass"]
