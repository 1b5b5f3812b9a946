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


# --- text boxes, and the main part found as Office finds it ---------------------------------------

VML = 'xmlns:v="urn:schemas-microsoft-com:vml"'


def _box(text: str) -> str:
    return f"<w:txbxContent>{p(text)}</w:txbxContent>"


def test_text_in_text_boxes_is_read_after_its_paragraph_once_not_twice_from_the_fallback_copy():
    anchored = (
        "<w:p><w:r><w:t>锚定段落</w:t></w:r><w:r><mc:AlternateContent>"
        f'<mc:Choice Requires="wps"><w:drawing>{_box("框内：项目负责人 张三")}</w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict>{_box('框内：项目负责人 张三')}</w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    old_vml = f"<w:p><w:r><w:pict><v:shape {VML}><v:textbox>{_box('旧式文本框')}</v:textbox></v:shape></w:pict></w:r></w:p>"
    doc = read_docx(make_docx(document_xml=xml(p("前") + anchored + old_vml + p("后"))))
    assert doc.blocks == [
        Line("前", 1),
        Line("锚定段落", 1),
        Line("框内：项目负责人 张三", 1),
        Line("旧式文本框", 1),
        Line("后", 1),
    ]


def _package(main: str, *, content_type: str | None = None, target: str | None = None) -> bytes:
    import io
    import zipfile

    kind = content_type or "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main}" ContentType="{kind}"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="/{target or main}"/></Relationships>',
        )
        zf.writestr(main, xml(p("正文在别处")))
    return out.getvalue()


def test_a_main_part_not_named_word_document_xml_is_found_through_the_relationships():
    from proposals.extraction.sniff import sniff

    data = _package("word/document2.xml")
    assert sniff(data, max_bytes=10**7) == "docx"
    assert read_docx(data).blocks == [Line("正文在别处", 1)]


def test_a_package_whose_main_part_is_not_a_word_document_is_not_a_docx():
    import pytest

    from proposals.extraction.model import ExtractionError
    from proposals.extraction.sniff import sniff

    for data in (
        _package(
            "xl/workbook.xml",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ),
        _package("word/document.xml", target="word/missing.xml"),
    ):
        with pytest.raises(ExtractionError) as info:
            sniff(data, max_bytes=10**7)
        assert info.value.code == "not_docx"
