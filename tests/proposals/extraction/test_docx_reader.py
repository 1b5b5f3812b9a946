from proposals.extraction.docx import read_docx
from proposals.extraction.model import Line, Table
from tests.factories.proposal_docs import PAGE_BREAK, make_docx

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


def xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}<w:sectPr/></w:body></w:document>'


def p(text: str, ppr: str = "") -> str:
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def test_paragraphs_and_tables_in_document_order():
    doc = read_docx(
        make_docx(["前言", [["姓名", ["张", "三"]], ["单位", "某大学"]], "结尾", PAGE_BREAK, "第二页"])
    )
    assert doc.blocks == [
        Line("前言", 1),
        Table([["姓名", "张\n三"], ["单位", "某大学"]], 1),
        Line("结尾", 1),
        Line("第二页", 2),
    ]
    assert doc.pages == 2


def test_soft_breaks_split_lines():
    doc = read_docx(make_docx(["第一行\n第二行"]))
    assert doc.blocks == [Line("第一行", 1), Line("第二行", 1)]


def test_page_break_inside_a_paragraph_and_page_break_before():
    body = (
        '<w:p><w:r><w:t>甲</w:t><w:br w:type="page"/><w:t>乙</w:t></w:r></w:p>'
        + p("丙", "<w:pPr><w:pageBreakBefore/></w:pPr>")
        + p("丁", '<w:pPr><w:pageBreakBefore w:val="0"/></w:pPr>')
        + p("节末", "<w:pPr><w:sectPr/></w:pPr>")
        + p("新节")
        + p("连续节", '<w:pPr><w:sectPr><w:type w:val="continuous"/></w:sectPr></w:pPr>')
        + p("同页")
    )
    doc = read_docx(make_docx(document_xml=xml(body)))
    assert [(b.text, b.page) for b in doc.blocks] == [
        ("甲", 1),
        ("乙", 2),
        ("丙", 3),
        ("丁", 3),
        ("节末", 3),
        ("新节", 4),
        ("连续节", 4),
        ("同页", 4),
    ]


def test_runs_tabs_and_whitespace():
    body = '<w:p><w:r><w:t>姓名</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">  张三  </w:t></w:r></w:p>'
    assert read_docx(make_docx(document_xml=xml(body))).blocks == [Line("姓名 张三", 1)]


def test_deleted_text_fallbacks_and_textboxes_are_ignored():
    body = (
        "<w:p><w:r><w:t>保留</w:t></w:r>"
        "<w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"
        "<mc:AlternateContent><mc:Choice><w:r><w:t>选</w:t></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:t>重复</w:t></w:r></mc:Fallback></mc:AlternateContent>"
        "</w:p>"
    )
    assert read_docx(make_docx(document_xml=xml(body))).blocks == [Line("保留插入选", 1)]


def test_content_controls_merged_cells_and_nested_tables():
    body = (
        "<w:sdt><w:sdtContent>" + p("控件内") + "</w:sdtContent></w:sdt>"
        "<w:tbl>"
        "<w:tr><w:tc>"
        + p("名称")
        + '</w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'
        + p("合并")
        + "</w:tc></w:tr>"
        "<w:tr><w:tc>" + p("乙") + "</w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr>" + p("") + "</w:tc></w:tr>"
        "<w:tr><w:tc>"
        + p("外")
        + "</w:tc><w:tc><w:tbl><w:tr><w:tc>"
        + p("内1")
        + "</w:tc><w:tc>"
        + p("内2")
        + "</w:tc></w:tr></w:tbl></w:tc></w:tr>"
        "</w:tbl>"
    )
    assert read_docx(make_docx(document_xml=xml(body))).blocks == [
        Line("控件内", 1),
        Table([["名称", "合并"], ["乙", ""], ["外", "内1\n内2"]], 1),
    ]
