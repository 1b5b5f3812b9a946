"""Turns stored findings into what a report shows: rendered messages in one
language, grouped by clause with failures first, and the differences from the
previous run. Used by the report page and every export format."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from proposals.forms import field_anchor

from . import labels
from .messages import rule_title
from .models import Finding, ScreeningRun

STATUS_ORDER = {"fail": 0, "warn": 1, "unknown": 2, "pass": 3, "not_applicable": 4}


@dataclass
class ReportLine:
    rule: str
    rule_title: str
    status: str
    clause: str
    message: str
    fix: str
    field: str
    evidence: list = field(default_factory=list)
    previous_status: str | None = None
    field_label: str = ""  # the field as people name it (labels.field_label)
    evidence_lines: list[str] = field(default_factory=list)  # readable, each once
    anchor: str = ""  # the id of the field's element on the proposal form ("" for no field)


@dataclass
class ClauseGroup:
    clause: str
    worst: str
    lines: list[ReportLine]
    text: str = ""  # the clause's words in the guide (its formal-review clause), when it has some


# Findings about other proposals: applicants see them without the other
# proposals' references, titles or recommenders (those belong to other applicants).
CROSS_RULES = {
    "submission.duplicate": "cross.redacted.duplicate",
    "pi.single_project": "cross.redacted.person",
    "person.single_project": "cross.redacted.person",
}


def redacted(findings: list[Finding]) -> list[Finding]:
    """Copies of the findings fit for an applicant: a cross-proposal finding that is
    not a pass keeps its status, clause and field, with a generic message and no
    evidence. Nothing is saved."""
    result = []
    for f in findings:
        if f.rule in CROSS_RULES and f.status not in ("pass", "not_applicable"):
            f = Finding(
                run_id=f.run_id,
                position=f.position,
                rule=f.rule,
                status=f.status,
                clause=f.clause,
                message_id=CROSS_RULES[f.rule],
                params={},
                evidence=[],
                field=f.field,
                fix_id="",
            )
        result.append(f)
    return result


def lang_key(language: str | None) -> str:
    return "en" if (language or "").startswith("en") else "zh"


def report_lines(
    findings: list[Finding], *, language: str, previous: list[Finding] | None = None
) -> list[ReportLine]:
    lang = lang_key(language)
    before = {}
    for f in previous or []:
        before.setdefault(f.rule, f.status)
    names = labels.names_of(findings)
    lines = []
    for f in findings:
        lines.append(
            ReportLine(
                rule=f.rule,
                rule_title=rule_title(f.rule, lang),
                status=f.status,
                clause=f.clause,
                message=labels.message(f.message_id, f.params, lang, names),
                fix=labels.message(f.fix_id, f.params, lang, names) if f.fix_id else "",
                field=f.field,
                evidence=f.evidence,
                previous_status=before.get(f.rule) if previous is not None else None,
                field_label=labels.field_label(f.field, lang, names),
                evidence_lines=labels.evidence_lines(f.evidence, lang, names),
                anchor=field_anchor(f.field),
            )
        )
    return lines


def grouped(lines: list[ReportLine]) -> list[ClauseGroup]:
    groups: dict[str, list[ReportLine]] = {}
    for line in lines:
        groups.setdefault(line.clause or "—", []).append(line)
    result = []
    for clause, items in groups.items():
        items.sort(key=lambda line: (STATUS_ORDER.get(line.status, 9), line.rule))
        result.append(ClauseGroup(clause=clause, worst=items[0].status, lines=items))
    result.sort(key=lambda g: (STATUS_ORDER.get(g.worst, 9), _clause_key(g.clause)))
    return result


def changes(lines: list[ReportLine]) -> list[ReportLine]:
    return [
        line for line in lines if line.previous_status is not None and line.previous_status != line.status
    ]


@dataclass
class SinceSeen:
    """What changed between the run an applicant last saw and the one shown now."""

    new_failures: int  # conditions failing now that did not fail then
    resolved: int  # conditions that failed then and do not fail now
    lines: list[ReportLine]  # one per condition whose status changed, as in changes()


def since_seen(findings: list[Finding], *, seen: list[Finding], language: str) -> SinceSeen | None:
    """The changes from the findings of the run last seen (``seen``) to ``findings``,
    computed as the report's changes from the previous run; None when nothing changed."""
    lines = []
    for line in changes(report_lines(findings, language=language, previous=seen)):
        if line.rule not in {x.rule for x in lines}:
            lines.append(line)
    if not lines:
        return None
    return SinceSeen(
        new_failures=sum(1 for line in lines if line.status == "fail"),
        resolved=sum(1 for line in lines if line.previous_status == "fail"),
        lines=lines,
    )


def with_clause_texts(groups: list[ClauseGroup], texts: dict[str, str]) -> list[ClauseGroup]:
    """``groups`` with each formal-review clause's words from the guide (``texts``: clause → text)."""
    return [dataclasses.replace(g, text=texts.get(g.clause, "")) for g in groups]


def _clause_key(clause: str) -> tuple:
    digits = [int(x) for x in "".join(c if c.isdigit() else " " for c in clause).split()]
    return (0 if clause[:1].isdigit() else 1, digits, clause)


def run_summary(run: ScreeningRun) -> dict:
    return {"id": run.pk, "status": run.status, "overall": run.overall, "ruleset": run.ruleset_version}
