"""Long drafts: table cells are read only where fields come from, with the same result as reading
every table; pages read by several processes; tables located from PDFium's path segments."""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal

import pdfplumber
import pypdfium2 as pdfium
import pytest

from proposals.docgen import build_pdf
from proposals.extraction import extract
from proposals.extraction import pdf as pdf_module
from proposals.extraction.fields import extract_fields, tables_wanted
from proposals.extraction.model import Line, Table
from proposals.extraction.pdf import read_pdf
from proposals.extraction.ruling import page_edges, table_shapes
from proposals.interchange import Budget
from tests.factories.proposal_docs import latin_pdf, sample_proposal
from tests.proposals.extraction.long_drafts import UNITS, long_draft_pdf, member


@pytest.fixture
def plumber_pages(monkeypatch):
    """The page numbers whose tables pdfplumber was asked to read."""
    calls: list[int] = []
    original = pdf_module._Reader.read_with_plumber

    def spy(self, index, with_lines, with_tables=True):
        if with_tables:
            calls.append(index + 1)
        return original(self, index, with_lines, with_tables)

    monkeypatch.setattr(pdf_module._Reader, "read_with_plumber", spy)
    return calls


def table_pages(data: bytes) -> dict[str, list[int]]:
    """The pages of the units and the members tables, from a read of every table."""
    units = {row[1] for row in UNITS if row[1]}  # credit codes
    members = {member(n)[0] for n in range(60)}
    pages: dict[str, list[int]] = {"units": [], "members": []}
    for block in read_pdf(data).blocks:
        if isinstance(block, Table):
            cells = {cell.replace("\n", "") for row in block.rows for cell in row}
            if cells & units:
                pages["units"].append(block.page)
            if cells & members:
                pages["members"].append(block.page)
    return pages


# --------------------------------------------------------------------------- #
# Long drafts
# --------------------------------------------------------------------------- #


def test_long_draft_yields_its_members_units_and_budget_reading_only_their_tables(plumber_pages):
    data = long_draft_pdf(members=60, research_pages=60, repeat_header=False)
    assert len(pdfium.PdfDocument(data)) == 65
    expected_pages = table_pages(data)  # also calls the spy: clear it after
    plumber_pages.clear()

    result = extract(data)

    p = result.proposal
    assert [(m.name, m.id_number, m.birth_date) for m in p.members] == [member(n) for n in range(60)]
    assert [u.name for u in p.units] == [row[0] for row in UNITS]
    assert p.budget == Budget(national=Decimal("500"), matching=Decimal("250.5"))
    assert (p.start_date, p.end_date) == (date(2025, 12, 1), date(2028, 11, 30))
    assert p.research_content.startswith("本项目开展高效低成本电解水制氢催化剂")
    assert "样品" not in p.research_content  # the schedules' cells are not body text
    assert result.warnings == []
    # only the pages of the units and members tables (the members' runs over three) were read
    assert expected_pages == {"units": [1], "members": [1, 2, 3]}
    assert plumber_pages == [1, 2, 3]


def test_long_draft_reads_the_same_as_when_every_table_is_read():
    data = long_draft_pdf(members=60, research_pages=60)
    everything = extract_fields(read_pdf(data).blocks)
    result = extract(data)
    assert result.proposal == everything.proposal
    assert result.found == everything.found
    assert result.warnings == everything.warnings


def test_tables_of_people_in_the_research_section_are_not_taken_for_the_members_table(plumber_pages):
    # the members table runs over pages without its header; the research section's tables have
    # its shape (seven columns, names and ID numbers) but no column names
    data = long_draft_pdf(members=60, research_pages=60, repeat_header=False, people_tables=True)
    result = extract(data)
    assert [(m.name, m.id_number) for m in result.proposal.members] == [member(n)[:2] for n in range(60)]
    assert plumber_pages == [1, 2, 3]
    assert member(1031)[0] not in result.proposal.research_content
    everything = extract_fields(read_pdf(data).blocks)
    assert result.proposal == everything.proposal


def test_the_template_reads_the_same_as_when_every_table_is_read():
    for proposal in (sample_proposal(), None):
        data = build_pdf(proposal)
        assert extract(data).proposal == extract_fields(read_pdf(data).blocks).proposal


def test_unread_tables_stand_in_the_blocks_without_cells():
    data = long_draft_pdf(members=5, research_pages=3)
    doc = read_pdf(data, tables_wanted=tables_wanted)
    tables = [(b.page, len(b.rows)) for b in doc.blocks if isinstance(b, Table)]
    assert tables == [(1, 4), (1, 6), (3, 0), (4, 0), (5, 0)]


# --------------------------------------------------------------------------- #
# Which tables are wanted
# --------------------------------------------------------------------------- #

MEMBERS_HEADER_TEXT = "姓名 性别 证件号码 出生日期 工作单位 分工"


def unread(page: int) -> Table:
    return Table([], page)


def test_a_table_outside_the_free_text_sections_is_wanted_when_its_page_holds_a_label_of_the_section():
    blocks = [Line("项目骨干", 1), unread(1), Line("研究内容", 2), Line("正文", 2), unread(2)]
    assert tables_wanted(blocks, {1: "姓名 张三", 2: "阶段 内容"}) == {1}
    assert tables_wanted(blocks, {1: "1 2 3", 2: "阶段 内容"}) == set()
    # the labels are the section's: 推荐函 counts in the attachment list, not in the members'
    attachments = [Line("附件清单", 1), unread(1), Line("项目骨干", 2), Line("说明", 2), unread(2)]
    assert tables_wanted(attachments, {1: "推荐函 有", 2: "推荐函 有"}) == {1}
    # a page of numbers before any heading gives nothing
    assert tables_wanted([Line("表 1", 1), unread(1)], {1: "1.1 2.2 3.3"}) == set()
    assert tables_wanted([Line("表 1", 1), unread(1)], {1: "项目名称 国拨经费（万元）"}) == {1}


def test_a_table_in_the_research_section_is_wanted_when_its_page_names_a_list_tables_columns():
    blocks = [Line("研究内容", 1), Line("正文", 1), unread(1), Line("考核指标", 2), unread(2)]
    assert tables_wanted(blocks, {1: MEMBERS_HEADER_TEXT, 2: "姓名 性别"}) == {1}
    # a wrapped column name, or one with a hint in brackets, still counts
    assert tables_wanted(blocks, {1: "姓\n名 性别（男/女） 证件\n号码", 2: ""}) == {1}


def test_a_table_continuing_a_wanted_one_is_wanted_unless_text_comes_between():
    members = Table([["姓名", "性别", "证件号码"], ["张三", "男", "110105194912310029"]], 1)
    continued = [
        Line("研究内容", 1),
        members,
        unread(2),
        Line("续表", 3),
        unread(3),
        Line("正文", 4),
        unread(4),
    ]
    assert tables_wanted(continued, {2: "", 3: "", 4: ""}) == {2, 3}
    schedule = Table([["阶段", "内容"], ["1", "制备"]], 1)
    assert tables_wanted([Line("研究内容", 1), schedule, unread(2)], {2: ""}) == set()
    # a units table running over a page without its header: the second part has no label
    units = [Line("申报单位及参与单位", 1), unread(1), unread(2), Line("项目骨干", 3)]
    assert tables_wanted(units, {1: "单位名称 统一社会信用代码 国别", 2: "福州大学 中国"}) == {1, 2}


def test_a_running_header_naming_a_free_text_section_does_not_end_a_section():
    # "研究内容" heads every page: a running header, dropped as extract_fields drops it
    pages = [[Line("研究内容", n), Line(f"第 {n} 段", n), unread(n)] for n in (1, 2, 3, 4)]
    pages[0].insert(1, Line("项目骨干", 1))
    blocks = [b for page in pages for b in page]
    assert tables_wanted(blocks, dict.fromkeys((1, 2, 3, 4), "工作单位")) == {1, 2, 3, 4}
    # on two pages only it is a heading: page 2 is in the research section
    assert tables_wanted([b for page in pages[:2] for b in page], {1: "工作单位", 2: "工作单位"}) == {1}


# --------------------------------------------------------------------------- #
# Several processes
# --------------------------------------------------------------------------- #


def test_pages_read_by_two_processes_read_the_same(monkeypatch):
    started = []
    real_executor = pdf_module.ProcessPoolExecutor

    def recording_executor(*args, **kwargs):
        started.append(args)
        return real_executor(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "ProcessPoolExecutor", recording_executor)
    monkeypatch.setattr(pdf_module, "_may_fork", lambda: True)  # pytest's own threads aside
    data = long_draft_pdf(members=60, research_pages=40)
    alone = read_pdf(data, tables_wanted=tables_wanted)
    assert started == []
    together = read_pdf(data, tables_wanted=tables_wanted, workers=2)
    assert started == [(1,)]
    assert together == alone
    assert extract(data, workers=2).proposal == extract(data).proposal


TEST_PROCESS = os.getpid()


def _exit_in_a_worker(reader, job):
    if os.getpid() != TEST_PROCESS:
        os._exit(3)  # as a worker killed by a failed allocation
    return job


def test_a_worker_that_dies_ends_the_read_with_memory_error(monkeypatch):
    monkeypatch.setattr(pdf_module, "_may_fork", lambda: True)
    data = latin_pdf(with_table=True)
    pdf = pdf_module._open(data)
    reader = pdf_module._Reader(data, pdf)
    try:
        with pytest.raises(MemoryError), pdf_module._Workers(reader, 2) as pool:
            pool.map(_exit_in_a_worker, [1, 2], least=2)
    finally:
        reader.close()


# --------------------------------------------------------------------------- #
# Tables located from PDFium's path segments
# --------------------------------------------------------------------------- #


def located(data: bytes) -> list:
    pdf = pdfium.PdfDocument(data)
    out = []
    for page in pdf:
        edges = page_edges(page)
        shapes = table_shapes(edges) if edges is not None else None
        out.append(None if shapes is None else [(tuple(round(v, 3) for v in bbox), n) for bbox, n in shapes])
    pdf.close()
    return out


def found_by_pdfplumber(data: bytes) -> list:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [
            [(tuple(round(v, 3) for v in t.bbox), len(t.cells)) for t in page.find_tables()]
            for page in doc.pages
        ]


def drawn_pdf() -> bytes:
    """Tables drawn in other ways: rectangles (re), closed paths (h), a table inside a form
    XObject moved by its matrix, a rounded frame (curves), a slanted line, a lone frame."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for x in (72, 172, 272):  # a 3 × 2 grid of rectangles
        for y in (600, 630):
            c.rect(x, y, 100, 30)
    path = c.beginPath()  # a 2 × 2 grid of closed paths
    for x0, y0 in ((72, 400), (172, 400), (72, 430), (172, 430)):
        path.moveTo(x0, y0)
        path.lineTo(x0 + 100, y0)
        path.lineTo(x0 + 100, y0 + 30)
        path.lineTo(x0, y0 + 30)
        path.close()
    c.drawPath(path)
    c.roundRect(300, 380, 200, 80, 10)
    c.line(300, 300, 400, 350)
    c.rect(72, 200, 150, 40)
    c.beginForm("grid")
    for x in (0, 60, 120):
        c.line(x, 0, x, 60)
    for y in (0, 30, 60):
        c.line(0, y, 120, y)
    c.endForm()
    c.saveState()
    c.translate(300, 150)
    c.scale(1.5, 1)
    c.doForm("grid")
    c.restoreState()
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        lambda: build_pdf(sample_proposal()),
        lambda: build_pdf(None),
        lambda: latin_pdf(with_table=True),
        lambda: long_draft_pdf(members=60, research_pages=2),
        lambda: long_draft_pdf(members=30, research_pages=2, people_tables=True),
        drawn_pdf,
    ],
    ids=["template", "blank-template", "latin", "long-draft", "people-tables", "drawn"],
)
def test_tables_are_located_where_pdfplumber_finds_them(make):
    data = make()
    assert located(data) == found_by_pdfplumber(data)


def test_the_drawn_tables_are_all_found():
    assert [len(page) for page in found_by_pdfplumber(drawn_pdf())] == [3]


def test_a_rotated_page_is_left_to_pdfplumber():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setPageRotation(90)
    c.rect(72, 600, 150, 30)
    c.rect(222, 600, 150, 30)
    c.showPage()
    c.save()
    assert located(out.getvalue()) == [None]
