"""The downloadable draft template (申报书草稿), blank or filled from a ProposalData.

``build_docx`` writes a Word document with python-docx, ``build_pdf`` a PDF
with reportlab and its built-in CID font STSong-Light (no font files needed;
pypdfium2 and pdfplumber both extract its Chinese text). Both use the same
sections, labels and table headers, which the extraction code reads back.

Plain Python, no Django.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from proposals.extraction.text import wrap_text
from proposals.interchange import UNIT_TYPE_LABELS, ProposalData, country_name_zh

__all__ = [
    "MEMBER_HEADERS",
    "SECTION_TITLES",
    "SUBTASK_HEADERS",
    "UNIT_HEADERS",
    "build_docx",
    "build_pdf",
]

SECTION_TITLES = (
    "基本信息",
    "项目负责人",
    "申报单位及参与单位",
    "项目骨干",
    "课题",
    "研究内容",
    "考核指标",
    "附件清单",
)
# Format hints go in brackets after a label: the extractor reads the label without them.
DATE_HINT = "YYYY-MM-DD"
ID_HINT = "居民身份证 18 位；外籍填护照号"
CREDIT_CODE_HINT = "18 位"
COUNTRY_HINT = "ISO 两位代码或中文国名"
GENDER_LABEL = "性别（男/女）"
GENDER_WORDS = {"male": "男", "female": "女"}
UNIT_HEADERS = (
    "单位名称",
    f"统一社会信用代码（{CREDIT_CODE_HINT}）",
    f"国别/地区（{COUNTRY_HINT}）",
    "单位类型",
    f"注册日期（{DATE_HINT}）",
    "角色（牵头/参与）",
    "资质/备注",
)
MEMBER_HEADERS = (
    "姓名",
    GENDER_LABEL,
    f"证件号码（{ID_HINT}）",
    f"出生日期（{DATE_HINT}）",
    f"国籍/地区（{COUNTRY_HINT}）",
    "工作单位",
    "分工",
)
SUBTASK_HEADERS = (
    "课题名称",
    "承担单位",
    "课题负责人",
    f"证件号码（{ID_HINT}）",
    f"出生日期（{DATE_HINT}）",
    "职称",
    "学位",
    "国拨经费（万元）",
)
THIRD_PARTY_TESTING = "第三方公共检测机构"
HGR_LICENSE = "具有人类遗传资源保藏行政许可"
_BLANK_ROWS = 3
ROWS_NOTE = "行数不够时请自行增加行，空行可以保留。"


# --------------------------------------------------------------------------- #
# The content, independent of the output format
# --------------------------------------------------------------------------- #


@dataclass
class _Section:
    title: str
    pairs: list[tuple[str, str]] | None = None
    headers: tuple[str, ...] | None = None
    rows: list[list[str]] | None = None
    text: str | None = None
    note: str | None = None  # a line under a table


def _s(value: object | None) -> str:
    return "" if value is None else str(value)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _money(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "是" if value else "否"


def _have(attachments: list[str] | None, kind: str) -> str:
    if attachments is None:
        return ""
    return "有" if kind in attachments else "无"


def _content(p: ProposalData | None) -> tuple[list[str], list[_Section]]:
    p = p or ProposalData()
    year = f"{p.guide_year}年度" if p.guide_year else ""
    cover = [
        "国家重点研发计划",
        "战略性科技创新合作重点专项",
        f"{year}项目申报书（预申报草稿）",
        f"申报编号：{_s(p.reference)}",
        "说明：请按各栏目如实填写，完成后以 PDF 或 DOCX 格式上传预审。",
    ]
    period = ""
    if p.start_date or p.end_date:
        period = f"{_iso(p.start_date)} 至 {_iso(p.end_date)}"
    budget = p.budget
    basic = [
        ("项目名称", _s(p.title)),
        ("指南方向", _s(p.direction)),
        ("推荐单位", _s(p.recommender)),
        (f"执行期限（{DATE_HINT} 至 {DATE_HINT}）", period),
        ("国拨经费（万元）", _money(budget.national) if budget else ""),
        ("配套经费（万元）", _money(budget.matching) if budget else ""),
    ]
    pi = p.pi
    nationality = ""
    if pi and pi.nationality:
        nationality = country_name_zh(pi.nationality) or ""
        if pi.region:
            nationality += f"（{pi.region}）"
    pi_pairs = [
        ("姓名", _s(pi and pi.name)),
        (GENDER_LABEL, GENDER_WORDS.get(pi.gender or "", "") if pi else ""),
        (f"证件号码（{ID_HINT}）", _s(pi and pi.id_number)),
        (f"出生日期（{DATE_HINT}）", _iso(pi.birth_date) if pi else ""),
        (f"国籍/地区（{COUNTRY_HINT}）", nationality),
        ("职称", _s(pi and pi.title)),
        ("学位", _s(pi and pi.degree)),
        ("工作单位", _s(pi and pi.employer)),
        ("聘用方式", {"full_time": "全职", "part_time": "兼职"}.get(pi.employment or "", "") if pi else ""),
        ("是否为国家机关公务人员", _yes_no(pi.civil_servant) if pi else ""),
    ]
    unit_rows = []
    for u in p.units or []:
        notes = []
        if u.third_party_testing:
            notes.append(THIRD_PARTY_TESTING)
        if u.hgr_license:
            notes.append(HGR_LICENSE)
        unit_rows.append(
            [
                _s(u.name),
                _s(u.credit_code),
                _s(country_name_zh(u.country)),
                UNIT_TYPE_LABELS.get(u.type or "", ""),
                _iso(u.registered_on),
                {"lead": "牵头", "participant": "参与"}.get(u.role or "", ""),
                "；".join(notes),
            ]
        )
    member_rows = [
        [
            _s(m.name),
            GENDER_WORDS.get(m.gender or "", ""),
            _s(m.id_number),
            _iso(m.birth_date),
            _s(country_name_zh(m.nationality)),
            _s(m.unit),
            _s(m.role),
        ]
        for m in p.members or []
    ]
    subtask_rows = [
        [
            _s(t.name),
            _s(t.lead_unit),
            _s(t.lead_name),
            _s(t.lead_id_number),
            _iso(t.lead_birth_date),
            _s(t.lead_title),
            _s(t.lead_degree),
            _money(t.national_funding),
        ]
        for t in p.subtasks or []
    ]
    if p.units is None:
        unit_rows = [[""] * len(UNIT_HEADERS) for _ in range(_BLANK_ROWS)]
    if p.subtasks is None:
        subtask_rows = [[""] * len(SUBTASK_HEADERS) for _ in range(_BLANK_ROWS)]
    if p.members is None:
        member_rows = [[""] * len(MEMBER_HEADERS) for _ in range(_BLANK_ROWS)]
    proofs = ""
    if pi and pi.employment_proofs is not None:
        proofs = f"{pi.employment_proofs} 份"
    elif p.attachments is not None:
        proofs = _have(p.attachments, "employment_proof")
    attachments = [
        ("推荐函（有/无）", _have(p.attachments, "recommendation_letter")),
        ("合作协议（有/无）", _have(p.attachments, "cooperation_agreement")),
        ("聘用证明（份数）", proofs),
    ]
    sections = [
        _Section("基本信息", pairs=basic),
        _Section("项目负责人", pairs=pi_pairs),
        _Section(
            "申报单位及参与单位",
            headers=UNIT_HEADERS,
            rows=unit_rows,
            note=ROWS_NOTE if p.units is None else None,
        ),
        _Section(
            "项目骨干",
            headers=MEMBER_HEADERS,
            rows=member_rows,
            note=ROWS_NOTE if p.members is None else None,
        ),
        _Section(
            "课题",
            headers=SUBTASK_HEADERS,
            rows=subtask_rows,
            note=ROWS_NOTE if p.subtasks is None else None,
        ),
        _Section("研究内容", text=_s(p.research_content)),
        _Section("考核指标", text=_s(p.indicators)),
        _Section("附件清单", pairs=attachments),
    ]
    return cover, sections


# --------------------------------------------------------------------------- #
# DOCX
# --------------------------------------------------------------------------- #


def build_docx(p: ProposalData | None = None) -> bytes:
    """The template as DOCX: blank when ``p`` is None, else filled from ``p``.

    The cover is page 1 (followed by a page break); 项目负责人 is a two-column
    table, units, members and subtasks (课题) are grid tables with a repeating header row.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    cover, sections = _content(p)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = "Times New Roman"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    for i, line in enumerate(cover):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER if i < 3 else WD_ALIGN_PARAGRAPH.LEFT
        run = para.add_run(line)
        if i < 3:
            run.bold = True
            run.font.size = Pt(18 if i == 2 else 14)
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)

    def add_table(headers: tuple[str, ...] | None, rows: list[list[str]]) -> None:
        ncols = len(headers) if headers else len(rows[0])
        table = doc.add_table(rows=0, cols=ncols)
        table.style = "Table Grid"
        if headers:
            cells = table.add_row().cells
            for cell, text in zip(cells, headers, strict=True):
                cell.text = text
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            header_flag = OxmlElement("w:tblHeader")
            header_flag.set(qn("w:val"), "true")
            tr_pr.append(header_flag)
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text

    for section in sections:
        doc.add_heading(section.title, level=1)
        if section.title == "项目负责人":
            add_table(None, [[label, value] for label, value in section.pairs or []])
        elif section.pairs is not None:
            for label, value in section.pairs:
                doc.add_paragraph(f"{label}：{value}")
        elif section.headers is not None:
            add_table(section.headers, section.rows or [])
            if section.note:
                doc.add_paragraph(section.note)
        else:
            for line in (section.text or "").split("\n"):
                doc.add_paragraph(line)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- #
# PDF
# --------------------------------------------------------------------------- #

FONT_NAME = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT_NAME))


def build_pdf(p: ProposalData | None = None) -> bytes:
    """The template as PDF (A4): blank when ``p`` is None, else filled from ``p``.

    Cover on page 1, then the sections; 项目负责人 as "label：value" lines, units,
    members and subtasks (课题) as grid tables whose header row repeats on each page.
    """
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    cover, sections = _content(p)
    body = ParagraphStyle("body", fontName=FONT_NAME, fontSize=10.5, leading=16, spaceAfter=2)
    # keepWithNext: a section title never ends a page, away from its content
    heading = ParagraphStyle(
        "heading", fontName=FONT_NAME, fontSize=14, leading=20, spaceBefore=10, spaceAfter=6, keepWithNext=1
    )
    title = ParagraphStyle("title", fontName=FONT_NAME, fontSize=18, leading=28, alignment=TA_CENTER)
    cell = ParagraphStyle("cell", fontName=FONT_NAME, fontSize=8, leading=10)

    width = A4[0] - 40 * mm
    widths: dict[tuple[str, float], float] = {}

    def para(text: str, style: ParagraphStyle, avail: float | None = None) -> Paragraph:
        # Break lines ourselves, only where joining them back restores the text
        # (reportlab would split Latin words inside mixed Chinese/Latin runs).
        def char_width(ch: str) -> float:
            key = (ch, style.fontSize)
            if key not in widths:
                widths[key] = stringWidth(ch, FONT_NAME, style.fontSize)
            return widths[key]

        lines = wrap_text(text, (avail or width - 12) - 1, char_width)
        return Paragraph("<br/>".join(escape(line) for line in lines), style)

    # Column widths in 480ths of the text width; a column holding an ID number or a date
    # fits it on one line (a number cut in two would read back with a space in it).
    column_widths = {
        "申报单位及参与单位": (118, 92, 48, 50, 55, 37, 80),
        "项目骨干": (50, 24, 92, 56, 56, 100, 102),
        "课题": (88, 72, 44, 92, 56, 52, 32, 44),
    }

    story: list = [Spacer(1, 40 * mm)]
    for i, line in enumerate(cover):
        story.append(para(line, title if i < 3 else body))
        if i == 2:
            story.append(Spacer(1, 30 * mm))
    story.append(PageBreak())
    for section in sections:
        story.append(para(section.title, heading))
        if section.pairs is not None:
            story.extend(para(f"{label}：{value}", body) for label, value in section.pairs)
        elif section.headers is not None:
            cols = [w * width / 480 for w in column_widths[section.title]]
            data = [[para(text, cell, w - 12) for text, w in zip(section.headers, cols, strict=True)]]
            data += [
                [para(text, cell, w - 12) for text, w in zip(row, cols, strict=True)]
                for row in section.rows or []
            ]
            table = Table(data, colWidths=cols, repeatRows=1, minRowHeights=[16] * len(data))
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
            if section.note:
                story.append(para(section.note, body))
        else:
            story.extend(para(line, body) for line in (section.text or "").split("\n"))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT_NAME, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title="战略性科技创新合作重点专项项目申报书",
        author="prescreen",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
