"""Screening reports as data: JSON (the screen_proposals format, raw ids), and what every file
for people is made of: the findings' columns with their headers in the chosen language (``lang``:
"zh" or "en"), one row per finding with statuses, messages and evidence as words, and cells safe for
a spreadsheet. The files themselves (Excel, CSV, PDF) are written by the one export engine,
screening.workspace.exports."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import labels
from .messages import Msg, pgettext_lazy, render, rule_title
from .models import Finding, ScreeningRun

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
# The columns' headers and the statuses, from the catalogue (context "导出").
HEADERS: dict[str, Msg] = {
    "reference": pgettext_lazy("导出", "编号"),
    "title": pgettext_lazy("导出", "项目名称"),
    "direction": pgettext_lazy("导出", "指南方向"),
    "overall": pgettext_lazy("导出", "预审结论"),
    "rule_title": pgettext_lazy("导出", "检查项"),
    "status": pgettext_lazy("导出", "结论"),
    "clause": pgettext_lazy("导出", "条款"),
    "message": pgettext_lazy("导出", "说明"),
    "fix": pgettext_lazy("导出", "建议"),
    "field": pgettext_lazy("导出", "需修改的字段"),
    "evidence": pgettext_lazy("导出", "依据"),
    "rule": pgettext_lazy("导出", "规则编号"),
    "status_code": pgettext_lazy("导出", "结论代码"),
    "field_path": pgettext_lazy("导出", "字段路径"),
    "fail": pgettext_lazy("导出", "不通过"),
    "warn": pgettext_lazy("导出", "提醒"),
    "unknown": pgettext_lazy("导出", "无法判定"),
    "pass": pgettext_lazy("导出", "通过"),
    "proposals": pgettext_lazy("导出", "申报项目"),
}
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


def header(key: str, lang: str) -> str:
    return labels.say(HEADERS[key], lang)


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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what XML cannot hold
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset("".join(_FORMULA_START))


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
    (rows rarely have any; a large export makes hundreds of thousands of rows). The row itself when
    nothing needs to change."""
    try:
        text = "".join(row)  # a row of text only (a finding's)
    except TypeError:
        text = "".join([v for v in row if type(v) is str])
    if _CONTROL.search(text):
        return [safe_cell(v) for v in row]
    for v in row:
        if type(v) is str and v and v[0] in _FORMULA_CHARS:
            return ["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]
    return row


def finding_cells(f: Finding, lang: str, names: labels.Names, *, evidence_sep: str) -> list:
    """What a finding says, as the cells of COLUMNS from "rule_title" to "evidence"."""
    return [
        rule_title(f.rule, lang),
        labels.status_label(f.status, lang),
        labels.clause_label(f.clause, lang) if f.clause else "",
        labels.message(f.message_id, f.params, lang, names),
        labels.message(f.fix_id, f.params, lang, names) if f.fix_id else "",
        labels.field_label(f.field, lang, names),
        evidence_sep.join(labels.evidence_lines(f.evidence, lang, names)),
    ]


def finding_rows(
    items: Iterable[ProposalReport], lang: str, *, evidence_sep: str, cache: dict | None = None
) -> Iterator[list]:
    """One row per finding of each item, in the order of COLUMNS, as people read it (not yet made
    safe for a spreadsheet: safe_row, when written). ``cache``: the cells of findings that carry a
    ``cache_key`` (one that names no unit or member by position, so that it reads the same in any
    proposal), kept across calls: many proposals' findings say the same thing."""
    for i in items:
        names = None  # the proposal's unit and member names, read when a finding needs them
        head = [i.reference, i.title, i.direction, labels.status_label(i.overall, lang)]
        for f in i.findings:
            key = getattr(f, "cache_key", None) if cache is not None else None
            cells = cache.get(key) if key is not None else None
            if cells is None:
                if names is None:
                    names = labels.names_of(i.findings)
                cells = finding_cells(f, lang, names, evidence_sep=evidence_sep)
                if key is not None:
                    cache[key] = cells
            yield [*head, *cells, f.rule, f.status, f.field]


class _Echo:
    """A file for csv.writer that hands each line back (to stream it)."""

    def write(self, value):
        return value
