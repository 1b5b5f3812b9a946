"""Builders for proposal test data and draft files (DOCX / PDF, good and bad).

Plain Python (no Django): sample ProposalData / interchange dicts, drafts laid
out in the ways applicants write them, and every kind of broken upload.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from proposals.identifiers import make_credit_code, make_resident_id
from proposals.interchange import Budget, PersonData, ProposalData, UnitData

# --------------------------------------------------------------------------- #
# Sample data
# --------------------------------------------------------------------------- #

RESEARCH_CONTENT = (
    "本项目面向碳中和目标，联合德国弗劳恩霍夫太阳能系统研究所（Fraunhofer Institute for Solar "
    "Energy Systems）和日本东北大学，开展高效低成本电解水制氢催化剂的设计、制备与规模化验证研究，"
    "突破非贵金属催化剂活性与稳定性难以兼顾的瓶颈，建立中外联合实验室与人才交流机制。\n"
    "主要研究内容包括：（1）高通量计算筛选与机器学习辅助的催化剂设计；（2）兆瓦级 PEM 电解槽关键材料"
    "的中试放大；（3）制氢系统在波动性可再生能源输入下的动态运行策略与寿命评估。"
)
INDICATORS = (
    "发表高水平论文 10 篇以上，申请发明专利 8 项；研制催化剂在 2 A/cm2 下稳定运行 2000 小时，"
    "衰减率低于 5%；建成 1 套兆瓦级示范系统，培养研究生 12 名。"
)


def sample_proposal() -> ProposalData:
    """A complete proposal: 8 units (3 of them abroad / in Hong Kong) and 5 members."""
    return ProposalData(
        reference="SQ2025YFE0100123",
        guide_year=2025,
        direction="1.1",
        title="面向碳中和的高效电解水制氢关键材料与系统国际合作研究",
        recommender="福建省科学技术厅",
        start_date=date(2025, 12, 1),
        end_date=date(2028, 11, 30),
        budget=Budget(national=Decimal("500"), matching=Decimal("250.5")),
        pi=PersonData(
            name="林海峰",
            id_number=make_resident_id(date(1975, 3, 8), "231", "350102"),
            birth_date=date(1975, 3, 8),
            nationality="CN",
            title="研究员",
            degree="博士",
            employer="中国科学院福建物质结构研究所",
            employment="full_time",
            employment_proofs=2,
            civil_servant=False,
        ),
        members=[
            PersonData(
                name="陈静",
                id_number=make_resident_id(date(1982, 7, 19), "046", "350103"),
                birth_date=date(1982, 7, 19),
                role="催化剂设计与表征",
                unit="中国科学院福建物质结构研究所",
            ),
            PersonData(
                name="王立新",
                id_number=make_resident_id(date(1979, 11, 2), "117", "110108"),
                birth_date=date(1979, 11, 2),
                role="电解槽系统集成",
                unit="福州大学",
            ),
            PersonData(
                name="Hans Müller",
                id_number="C4X7K2M19",
                birth_date=date(1970, 1, 25),
                role="国际合作协调与膜电极测试",
                unit="Fraunhofer Institute for Solar Energy Systems",
            ),
            PersonData(
                name="佐藤健",
                id_number="TZ1234567",
                birth_date=date(1984, 4, 30),
                role="机器学习辅助材料筛选",
                unit="日本东北大学",
            ),
            PersonData(
                name="张敏",
                id_number=make_resident_id(date(1990, 2, 14), "082", "350104"),
                birth_date=date(1990, 2, 14),
                role="示范系统运行与寿命评估",
                unit="福建氢能科技有限公司",
            ),
        ],
        units=[
            UnitData(
                name="中国科学院福建物质结构研究所",
                credit_code=make_credit_code("48500011", authority="1", category="2", region="350000"),
                country="CN",
                type="research_institute",
                registered_on=date(1960, 6, 1),
                role="lead",
                third_party_testing=True,
            ),
            UnitData(
                name="福州大学",
                credit_code=make_credit_code("48500023", authority="1", category="2", region="350000"),
                country="CN",
                type="university",
                registered_on=date(1958, 9, 1),
                role="participant",
            ),
            UnitData(
                name="福建氢能科技有限公司",
                credit_code="91350100M000100Y43",
                country="CN",
                type="enterprise",
                registered_on=date(2016, 3, 15),
                role="participant",
                hgr_license=True,
            ),
            UnitData(
                name="厦门大学",
                credit_code=make_credit_code("48500035", authority="1", category="2", region="350200"),
                country="CN",
                type="university",
                registered_on=date(1921, 4, 6),
                role="participant",
            ),
            UnitData(
                name="福建省能源研究院",
                credit_code=make_credit_code("48500047", authority="1", category="2", region="350100"),
                country="CN",
                type="research_institute",
                registered_on=date(1985, 10, 8),
                role="participant",
                third_party_testing=True,
                hgr_license=True,
            ),
            UnitData(
                name="Fraunhofer Institute for Solar Energy Systems",
                country="DE",
                type="research_institute",
                registered_on=date(1981, 1, 1),
                role="participant",
            ),
            UnitData(
                name="日本东北大学",
                country="JP",
                type="university",
                registered_on=date(1907, 6, 22),
                role="participant",
            ),
            UnitData(
                name="香港科技大学",
                country="HK",
                type="university",
                registered_on=date(1991, 10, 10),
                role="participant",
            ),
        ],
        research_content=RESEARCH_CONTENT,
        indicators=INDICATORS,
        attachments=["recommendation_letter", "cooperation_agreement", "employment_proof"],
    )


def sample_dict() -> dict:
    """The interchange dict of :func:`sample_proposal`, written out by hand."""
    from proposals.interchange import proposal_to_dict

    return proposal_to_dict(sample_proposal())


# --------------------------------------------------------------------------- #
# Free-form drafts: DOCX
# --------------------------------------------------------------------------- #

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)

PAGE_BREAK = object()  # marker in a block list


def docx_xml(blocks: list) -> str:
    """word/document.xml for blocks: str (a paragraph; "\\n" = soft line break),
    PAGE_BREAK, or a list of rows (a table; a cell is a str or a list of paragraphs)."""

    def para(text: str) -> str:
        runs = "<w:r><w:br/></w:r>".join(
            f'<w:r><w:t xml:space="preserve">{escape(t)}</w:t></w:r>' for t in text.split("\n")
        )
        return f"<w:p>{runs}</w:p>"

    body = []
    for block in blocks:
        if block is PAGE_BREAK:
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
        elif isinstance(block, str):
            body.append(para(block))
        else:
            rows = []
            for row in block:
                cells = []
                for cell in row:
                    paras = cell if isinstance(cell, list) else [cell]
                    cells.append("<w:tc>" + "".join(para(p) for p in paras) + "</w:tc>")
                rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
            body.append("<w:tbl>" + "".join(rows) + "</w:tbl>")
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W_NS}">'
        f"<w:body>{''.join(body)}<w:sectPr/></w:body></w:document>"
    )


def make_docx(
    blocks: list | None = None, *, document_xml: str | bytes | None = None, extra: dict | None = None
) -> bytes:
    """A minimal DOCX package from blocks (see :func:`docx_xml`) or raw document.xml."""
    xml = document_xml if document_xml is not None else docx_xml(blocks or [])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


# --------------------------------------------------------------------------- #
# Free-form drafts: PDF
# --------------------------------------------------------------------------- #


def make_pdf(blocks: list, *, encrypt=None, col_widths: dict | None = None) -> bytes:
    """A PDF from blocks: str (a paragraph), PAGE_BREAK, ("table", rows, repeat_header)
    or ("spacer", height_pt). Uses STSong-Light like the project's template."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from proposals.docgen import FONT_NAME, _register_font

    _register_font()
    body = ParagraphStyle("b", fontName=FONT_NAME, fontSize=10.5, leading=16)
    cell = ParagraphStyle("c", fontName=FONT_NAME, fontSize=9, leading=11)
    story: list = []
    for block in blocks:
        if block is PAGE_BREAK:
            story.append(PageBreak())
        elif isinstance(block, str):
            story.append(Paragraph(escape(block), body))
        elif block[0] == "spacer":
            story.append(Spacer(1, block[1]))
        else:
            _, rows, repeat = block
            data = [[Paragraph(escape(c), cell) for c in row] for row in rows]
            widths = (col_widths or {}).get(len(rows[0]))
            table = Table(data, colWidths=widths, repeatRows=1 if repeat else 0)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
            story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, encrypt=encrypt).build(story)
    return out.getvalue()


def image_only_pdf(pages: int = 1) -> bytes:
    """A PDF whose pages hold only a drawn rectangle (like a scan without OCR)."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for _ in range(pages):
        c.rect(100, 100, 300, 500, fill=1)
        c.showPage()
    c.save()
    return out.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i in range(pages):
        c.drawString(100, 700, f"Body text of section {i + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


# --------------------------------------------------------------------------- #
# Bad zips
# --------------------------------------------------------------------------- #


def zip_bomb_docx(size: int = 5 * 1024 * 1024) -> bytes:
    """A DOCX whose document.xml is ``size`` bytes of spaces (compresses > 1000:1)."""
    head = f'<?xml version="1.0"?><w:document xmlns:w="{_W_NS}"><w:body>'
    return make_docx(document_xml=head + " " * size + "</w:body></w:document>")


def zip_without_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def zip_with_many_members(count: int) -> bytes:
    return make_docx(["x"], extra={f"word/media/f{i}.txt": "x" for i in range(count)})


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _raw_pdf(pages: list[tuple[bytes, bool]]) -> bytes:
    """A hand-written PDF. Each page is (content stream, garbled): a garbled page's
    font maps every character to the private use area through its ToUnicode CMap,
    as PDFs with broken font encodings do."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Garbled def "
        b"1 begincodespacerange <00> <FF> endcodespacerange "
        b"1 beginbfrange <20> <7E> <E000> endbfrange endcmap "
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    objects: list[bytes] = []
    kids = []
    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 plain font, 4 garbled font, 5 cmap, then page/content pairs
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(n_pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n_pages).encode() + b" >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 5 0 R >>")
    objects.append(b"<< /Length " + str(len(cmap)).encode() + b" >>\nstream\n" + cmap + b"\nendstream")
    for i, (content, garbled) in enumerate(pages):
        font = b"/F1 4 0 R" if garbled else b"/F1 3 0 R"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents "
            + str(7 + 2 * i).encode()
            + b" 0 R /Resources << /Font << "
            + font
            + b" >> >> >>"
        )
        objects.append(
            b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\nstartxref\n"
    out += str(xref).encode() + b"\n%%EOF\n"
    return bytes(out)


def garbled_pdf() -> bytes:
    """Page 1 readable (Latin text), page 2 garbled (private-use characters)."""
    page = b"BT /F1 12 Tf 72 700 Td (Title: Hydrogen materials cooperation) Tj ET"
    return _raw_pdf([(page, False), (b"BT /F1 12 Tf 72 700 Td (Some unreadable body text here) Tj ET", True)])


def latin_pdf(with_table: bool = False) -> bytes:
    """A one-page Latin-only PDF (no CJK font involved), optionally with a ruled table."""
    content = b"BT /F1 12 Tf 72 760 Td (Title: Hydrogen materials cooperation) Tj ET"
    if with_table:
        rules = b" ".join(
            [f"72 {y} m 372 {y} l S".encode() for y in (600, 630, 660)]
            + [f"{x} 600 m {x} 660 l S".encode() for x in (72, 222, 372)]
        )
        cells = (
            b" BT /F1 10 Tf 80 645 Td (Name) Tj ET BT /F1 10 Tf 230 645 Td (Country) Tj ET"
            b" BT /F1 10 Tf 80 615 Td (Fraunhofer) Tj ET BT /F1 10 Tf 230 615 Td (DE) Tj ET"
        )
        content += b" 0.5 w " + rules + cells
    return _raw_pdf([(content, False)])
