"""Screening reports as files: JSON (the screen_proposals format, raw ids), and for
people CSV (streamed), Excel (openpyxl, write-only) and PDF (reportlab, with an
embedded CJK TrueType font), with headers, statuses, messages and evidence in the
chosen language (``lang``: "zh" or "en")."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import labels
from .messages import render, rule_title
from .models import Finding, ScreeningRun
from .report import STATUS_ORDER

# One row per finding: the columns people read first, then the raw ids (for
# filtering and for scripts), in the order of COLUMNS.
COLUMNS = [
    "reference",
    "title",
    "direction",
    "overall",
    "rule_title",
    "status",
    "clause",
    "message",
    "fix",
    "field",
    "evidence",
    "rule",
    "status_code",
    "field_path",
]
HEADERS: dict[str, dict[str, str]] = {
    "reference": {"zh": "编号", "en": "Reference"},
    "title": {"zh": "项目名称", "en": "Project title"},
    "direction": {"zh": "指南方向", "en": "Guide direction"},
    "overall": {"zh": "预审结论", "en": "Overall result"},
    "rule_title": {"zh": "检查项", "en": "Check"},
    "status": {"zh": "结论", "en": "Result"},
    "clause": {"zh": "条款", "en": "Clause"},
    "message": {"zh": "说明", "en": "Details"},
    "fix": {"zh": "建议", "en": "Suggestion"},
    "field": {"zh": "需修改的字段", "en": "Field to fix"},
    "evidence": {"zh": "依据", "en": "Basis"},
    "rule": {"zh": "规则编号", "en": "Rule ID"},
    "status_code": {"zh": "结论代码", "en": "Result code"},
    "field_path": {"zh": "字段路径", "en": "Field path"},
    "fail": {"zh": "不通过", "en": "Fail"},
    "warn": {"zh": "提醒", "en": "Warning"},
    "unknown": {"zh": "无法判定", "en": "Undecidable"},
    "pass": {"zh": "通过", "en": "Pass"},
    "proposals": {"zh": "申报项目", "en": "Proposals"},
    "checks": {"zh": "检查结果", "en": "Checks"},
}
COUNTED = ("fail", "warn", "unknown", "pass")
# Excel column widths (characters), by column.
_WIDTHS = {
    "reference": 14,
    "title": 30,
    "direction": 9,
    "overall": 10,
    "rule_title": 18,
    "status": 10,
    "clause": 16,
    "message": 60,
    "fix": 40,
    "field": 24,
    "evidence": 50,
    "rule": 24,
    "status_code": 12,
    "field_path": 20,
}
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"


def header(key: str, lang: str) -> str:
    return HEADERS[key].get(lang) or HEADERS[key]["zh"]


@dataclass
class ProposalReport:
    reference: str
    title: str
    direction: str
    overall: str
    findings: list[Finding]


def report_items(runs: Iterable[ScreeningRun]) -> Iterator[ProposalReport]:
    """Runs must come with `proposal` selected and `findings` prefetched."""
    for run in runs:
        yield ProposalReport(
            reference=run.proposal.reference,
            title=run.proposal.title,
            direction=run.proposal.direction_code,
            overall=run.overall or run.status,
            findings=list(run.findings.all()),
        )


def check_dict(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "status": f.status,
        "clause": f.clause,
        "message_zh": render(f.message_id, f.params, "zh"),
        "message_en": render(f.message_id, f.params, "en"),
        "evidence": f.evidence,
        "field": f.field or None,
        "fix_zh": render(f.fix_id, f.params, "zh") if f.fix_id else None,
        "fix_en": render(f.fix_id, f.params, "en") if f.fix_id else None,
    }


def to_json(items: Iterable[ProposalReport]) -> dict:
    return {
        "results": [
            {"reference": i.reference, "overall": i.overall, "checks": [check_dict(f) for f in i.findings]}
            for i in items
        ]
    }


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value safe for a spreadsheet: control characters (which XLSX cannot hold)
    removed, and text that a spreadsheet would run as a formula prefixed with '."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def safe_line(value):
    """safe_cell for a cell that must stay on one line (an export's stamp, written in a CSV as a
    comment line): every kind of line break becomes one space first, so that nothing typed into a
    URL or a name can start a line of its own."""
    return safe_cell(_LINE_BREAKS.sub(" ", value)) if isinstance(value, str) else value


def safe_row(row: list) -> list:
    """safe_cell of every value of a row, with one scan for control characters for the whole row
    (rows rarely have any; a large export makes hundreds of thousands of rows)."""
    if _CONTROL.search("".join(v for v in row if isinstance(v, str))):
        return [safe_cell(v) for v in row]
    return ["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]


def _rows(items: Iterable[ProposalReport], lang: str, *, evidence_sep: str) -> Iterator[list]:
    for row in _raw_rows(items, lang, evidence_sep=evidence_sep):
        yield safe_row(row)


def _raw_rows(items: Iterable[ProposalReport], lang: str, *, evidence_sep: str) -> Iterator[list]:
    for i in items:
        names = labels.names_of(i.findings)
        overall = labels.status_label(i.overall, lang)
        for f in i.findings:
            yield [
                i.reference,
                i.title,
                i.direction,
                overall,
                rule_title(f.rule, lang),
                labels.status_label(f.status, lang),
                labels.clause_label(f.clause, lang) if f.clause else "",
                labels.message(f.message_id, f.params, lang, names),
                labels.message(f.fix_id, f.params, lang, names) if f.fix_id else "",
                labels.field_label(f.field, lang, names),
                evidence_sep.join(labels.evidence_lines(f.evidence, lang, names)),
                f.rule,
                f.status,
                f.field,
            ]


class _Echo:
    def write(self, value):
        return value


def csv_stream(items: Iterable[ProposalReport], *, lang: str = "zh") -> Iterator[str]:
    """CSV lines one by one (for a StreamingHttpResponse); UTF-8 BOM for Excel."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([header(c, lang) for c in COLUMNS])
    for row in _rows(items, lang, evidence_sep="；" if lang == "zh" else "; "):
        yield writer.writerow(row)


def xlsx_file(items: Iterable[ProposalReport], *, lang: str = "zh") -> tempfile.SpooledTemporaryFile:
    """Two sheets (proposals, checks), each with a bold frozen header row, an
    autofilter and set column widths; evidence one item per line. Write-only:
    rows are streamed to the file, not kept."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    summary = wb.create_sheet(header("proposals", lang))
    checks = wb.create_sheet(header("checks", lang))
    summary_columns = ["reference", "title", "direction", "overall", *COUNTED]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def start(sheet, columns: list[str]) -> None:
        for n, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = _WIDTHS.get(column, 10)
        sheet.freeze_panes = "A2"
        cells = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=header(column, lang))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    def wrapped(sheet, row: list) -> list:
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = wrap
            out.append(cell)
        return out

    start(summary, summary_columns)
    start(checks, COLUMNS)
    summary_rows = check_rows = 1
    for i in items:
        counts = dict.fromkeys(COUNTED, 0)
        for f in i.findings:
            if f.status in counts:
                counts[f.status] += 1
        overall = labels.status_label(i.overall, lang)
        summary.append([safe_cell(v) for v in (i.reference, i.title, i.direction, overall, *counts.values())])
        summary_rows += 1
        for row in _rows([i], lang, evidence_sep="\n"):
            checks.append(wrapped(checks, row))
            check_rows += 1
    summary.auto_filter.ref = f"A1:{get_column_letter(len(summary_columns))}{summary_rows}"
    checks.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{check_rows}"
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


def _pdf_font() -> str:
    """The embedded CJK font (a TrueType subset of WenQuanYi Micro Hei, shipped in
    screening/fonts/), registered once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME


def pdf_bytes(items: Iterable[ProposalReport], *, lang: str, title: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _pdf_font()
    # CJK wrapping breaks between any two characters: right for Chinese; English
    # breaks at spaces (long words are still split).
    wrap = "CJK" if lang == "zh" else None
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11, wordWrap=wrap)
    fix = ParagraphStyle("fix", parent=body, textColor=colors.HexColor("#1f4e8c"), spaceBefore=2)
    note = ParagraphStyle(
        "note", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555")
    )
    head = ParagraphStyle("head", fontName=font, fontSize=13, leading=17, spaceAfter=4, wordWrap=wrap)
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20, spaceAfter=8, wordWrap=wrap)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, title=title)
    story = [Paragraph(escape(title), h1)]
    colors_by_status = {
        "fail": colors.HexColor("#fdecec"),
        "warn": colors.HexColor("#fff6e5"),
        "unknown": colors.HexColor("#efecfa"),
    }
    colon = "：" if lang == "zh" else ": "
    for i in items:
        names = labels.names_of(i.findings)
        heading = (
            f"{i.reference}  {i.title}  · {header('direction', lang)} {i.direction}  · "
            f"{header('overall', lang)}{colon}{labels.status_label(i.overall, lang)}"
        )
        story.append(Paragraph(escape(heading), head))
        columns = ("rule_title", "status", "clause", "message", "field")
        data = [[Paragraph(escape(header(c, lang)), body) for c in columns]]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f3f8")),
        ]
        # failures first, as on the report page
        ordered = sorted(i.findings, key=lambda f: (STATUS_ORDER.get(f.status, 9), f.position))
        for n, f in enumerate(ordered, start=1):
            details = [Paragraph(escape(labels.message(f.message_id, f.params, lang, names)), body)]
            if f.fix_id:
                suggestion = labels.message(f.fix_id, f.params, lang, names)
                details.append(Paragraph(escape(f"{header('fix', lang)}{colon}{suggestion}"), fix))
            details += [Paragraph(escape(e), note) for e in labels.evidence_lines(f.evidence, lang, names)]
            data.append(
                [
                    Paragraph(escape(rule_title(f.rule, lang)), body),
                    Paragraph(escape(labels.status_label(f.status, lang)), body),
                    Paragraph(escape(labels.clause_label(f.clause, lang) if f.clause else ""), body),
                    details,
                    Paragraph(escape(labels.field_label(f.field, lang, names)), body),
                ]
            )
            if f.status in colors_by_status:
                style.append(("BACKGROUND", (0, n), (-1, n), colors_by_status[f.status]))
        table = Table(data, colWidths=[28 * mm, 22 * mm, 28 * mm, 76 * mm, 28 * mm], repeatRows=1)
        table.setStyle(TableStyle(style))
        story += [table, Spacer(1, 6 * mm)]
    doc.build(story)
    return buf.getvalue()
