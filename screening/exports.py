"""Screening reports as files: JSON (the screen_proposals format), CSV (streamed),
Excel (openpyxl, write-only) and PDF (reportlab, with a built-in CJK font)."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .messages import render
from .models import Finding, ScreeningRun

COLUMNS = [
    "reference",
    "title",
    "direction",
    "overall",
    "rule",
    "status",
    "clause",
    "message_zh",
    "message_en",
    "field",
    "evidence",
]


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


def _rows(items: Iterable[ProposalReport]) -> Iterator[list]:
    for row in _raw_rows(items):
        yield [safe_cell(v) for v in row]


def _raw_rows(items: Iterable[ProposalReport]) -> Iterator[list]:
    for i in items:
        for f in i.findings:
            c = check_dict(f)
            yield [
                i.reference,
                i.title,
                i.direction,
                i.overall,
                f.rule,
                f.status,
                f.clause,
                c["message_zh"],
                c["message_en"],
                f.field,
                json.dumps(f.evidence, ensure_ascii=False),
            ]


class _Echo:
    def write(self, value):
        return value


def csv_stream(items: Iterable[ProposalReport]) -> Iterator[str]:
    """CSV lines one by one (for a StreamingHttpResponse); UTF-8 BOM for Excel."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in _rows(items):
        yield writer.writerow(row)


def xlsx_file(items: Iterable[ProposalReport]) -> tempfile.SpooledTemporaryFile:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    summary = wb.create_sheet("proposals")
    summary.append(["reference", "title", "direction", "overall", "fail", "warn", "unknown", "pass"])
    checks = wb.create_sheet("checks")
    checks.append(COLUMNS)
    for i in items:
        counts = {s: 0 for s in ("fail", "warn", "unknown", "pass")}
        for f in i.findings:
            if f.status in counts:
                counts[f.status] += 1
        summary.append(
            [safe_cell(v) for v in (i.reference, i.title, i.direction, i.overall, *counts.values())]
        )
        for row in _rows([i]):
            checks.append(row)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


def pdf_bytes(items: Iterable[ProposalReport], *, lang: str, title: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=font, fontSize=13, leading=17, spaceAfter=4)
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20, spaceAfter=8)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, title=title)
    story = [Paragraph(escape(title), h1)]
    colors_by_status = {
        "fail": colors.HexColor("#fdecec"),
        "warn": colors.HexColor("#fff6e5"),
        "unknown": colors.HexColor("#efecfa"),
    }
    for i in items:
        story.append(Paragraph(escape(f"{i.reference}  {i.title}  [{i.direction}]  — {i.overall}"), head))
        data = [[Paragraph(h, body) for h in ("rule", "status", "clause", "message", "field")]]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f3f8")),
        ]
        for n, f in enumerate(i.findings, start=1):
            message = render(f.message_id, f.params, lang)
            data.append([Paragraph(escape(x), body) for x in (f.rule, f.status, f.clause, message, f.field)])
            if f.status in colors_by_status:
                style.append(("BACKGROUND", (0, n), (-1, n), colors_by_status[f.status]))
        table = Table(data, colWidths=[34 * mm, 18 * mm, 16 * mm, 96 * mm, 18 * mm], repeatRows=1)
        table.setStyle(TableStyle(style))
        story += [table, Spacer(1, 6 * mm)]
    doc.build(story)
    return buf.getvalue()
