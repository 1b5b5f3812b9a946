import io
import zipfile

import pdfplumber
import pypdfium2 as pdfium

from proposals.docgen import (
    MEMBER_HEADERS,
    SECTION_TITLES,
    SUBTASK_HEADERS,
    UNIT_HEADERS,
    build_docx,
    build_pdf,
)
from proposals.extraction.docx import read_docx
from proposals.extraction.model import Line, Table
from proposals.interchange import ProposalData
from tests.factories.proposal_docs import sample_proposal

LABELS = (
    "项目名称",
    "指南方向",
    "推荐单位",
    "执行期限（YYYY-MM-DD 至 YYYY-MM-DD）",
    "国拨经费（万元）",
    "配套经费（万元）",
    "姓名",
    "性别（男/女）",
    "证件号码（居民身份证 18 位；外籍填护照号）",
    "出生日期（YYYY-MM-DD）",
    "国籍/地区（ISO 两位代码或中文国名）",
    "职称",
    "学位",
    "工作单位",
    "聘用方式",
    "是否为国家机关公务人员",
    "推荐函（有/无）",
    "合作协议（有/无）",
    "聘用证明（份数）",
)


def pdf_texts(data: bytes) -> tuple[str, str]:
    pdf = pdfium.PdfDocument(data)
    try:
        pdfium_text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    with pdfplumber.open(io.BytesIO(data)) as doc:
        plumber_text = "\n".join(page.extract_text() for page in doc.pages)
    return pdfium_text, plumber_text


def test_blank_docx_has_every_section_and_label():
    data = build_docx(None)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    doc = read_docx(data)
    lines = [b.text for b in doc.blocks if isinstance(b, Line)]
    for title in SECTION_TITLES:
        assert title in lines
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [t.rows[0] for t in tables] == [
        ["姓名", ""],  # the PI table: label | value
        list(UNIT_HEADERS),
        list(MEMBER_HEADERS),
        list(SUBTASK_HEADERS),
    ]
    assert [len(t.rows) for t in tables] == [10, 4, 4, 4]  # three blank rows under each list header
    assert [row[0] for row in tables[0].rows] == list(LABELS[6:16])
    for label in LABELS[:6] + LABELS[16:]:
        assert f"{label}：" in lines


def test_filled_docx_tables():
    doc = read_docx(build_docx(sample_proposal()))
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert tables[0].rows[0] == ["姓名", "林海峰"]
    assert tables[0].rows[-1] == ["是否为国家机关公务人员", "否"]
    assert tables[1].rows[1] == [
        "中国科学院福建物质结构研究所",
        "12350000485000112B",
        "中国",
        "科研院所",
        "1960-06-01",
        "牵头",
        "第三方公共检测机构",
    ]
    assert tables[1].rows[5][-1] == "第三方公共检测机构；具有人类遗传资源保藏行政许可"
    assert len(tables[1].rows) == 9 and len(tables[2].rows) == 6
    assert tables[2].rows[1][:2] == ["陈静", ""]  # no gender given
    assert tables[3].rows == [list(SUBTASK_HEADERS), *[[""] * 8] * 3]  # no subtasks given: blank rows
    assert doc.pages == 2  # the cover, then everything else


def test_filled_docx_gives_genders_and_subtasks():
    from tests.factories.proposals import with_genders_and_subtasks

    p = sample_proposal()
    p.pi.gender, p.members[0].gender = "male", "female"
    p.subtasks = with_genders_and_subtasks(ProposalData()).subtasks
    doc = read_docx(build_docx(p))
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert tables[0].rows[:2] == [["姓名", "林海峰"], ["性别（男/女）", "男"]]
    assert [row[1] for row in tables[2].rows[1:]] == ["女", "", "", "", ""]
    assert tables[3].rows[1:] == [
        [
            "高活性非贵金属催化剂的设计与制备",
            "福州大学",
            "陈静",
            "350103198207190464",
            "1982-07-19",
            "研究员",
            "博士",
            "200",
        ],
        [
            "Membrane electrode testing",
            "Fraunhofer ISE",
            "Hans Müller",
            "C4X7K2M19",
            "1970-01-25",
            "Senior Scientist",
            "PhD",
            "150.75",
        ],
    ]


def test_an_empty_subtask_list_prints_the_header_only():
    doc = read_docx(build_docx(ProposalData(subtasks=[])))
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert tables[3].rows == [list(SUBTASK_HEADERS)]


def test_pdf_uses_the_builtin_cid_font():
    data = build_pdf(sample_proposal())
    assert data.startswith(b"%PDF-")
    assert b"STSong-Light" in data
    assert b"FontFile" not in data  # nothing embedded


def test_both_pdf_libraries_read_the_chinese_text():
    pdfium_text, plumber_text = pdf_texts(build_pdf(sample_proposal()))
    for text in (pdfium_text, plumber_text):
        for title in SECTION_TITLES:
            assert title in text
        for label in LABELS:
            assert f"{label}：" in text
        assert "项目名称：面向碳中和的高效电解水制氢关键材料与系统国际合作研究" in text
        assert "工作单位：中国科学院福建物质结构研究所" in text
        assert "执行期限（YYYY-MM-DD 至 YYYY-MM-DD）：2025-12-01 至 2028-11-30" in text
        assert "2025年度项目申报书（预申报草稿）" in text


def test_pdf_tables_are_found_by_pdfplumber():
    with pdfplumber.open(io.BytesIO(build_pdf(sample_proposal()))) as doc:
        tables = [table for page in doc.pages for table in page.extract_tables()]
    # header cells wrap inside their column
    assert [[cell.replace("\n", "") for cell in t[0]] for t in tables] == [
        list(UNIT_HEADERS),
        list(MEMBER_HEADERS),  # on page 3, with its section title (never left alone at a page end)
        list(SUBTASK_HEADERS),
    ]
    assert tables[0][6] == [
        "Fraunhofer Institute for Solar\nEnergy Systems",
        "",
        "德国",
        "科研院所",
        "1981-01-01",
        "参与",
        "",
    ]
    assert [row[0].replace("\n", " ") for row in tables[1][1:]] == [
        "陈静",
        "王立新",
        "Hans Müller",
        "佐藤健",
        "张敏",
    ]
    assert tables[2][1:] == [[""] * 8] * 3


def test_blank_pdf_has_every_section():
    pdfium_text, plumber_text = pdf_texts(build_pdf(None))
    for text in (pdfium_text, plumber_text):
        for title in SECTION_TITLES:
            assert title in text
        assert "项目申报书（预申报草稿）" in text
