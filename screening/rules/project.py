"""Section 二: 实施周期一般不超过N年."""

from __future__ import annotations

from guide.parsing.conditions import value_date
from screening.rules.base import (
    CONDITION_MESSAGES,
    birth_date_from_id,
    data_missing,
    ev,
    finding,
    guide_condition,
    rule,
    scope_params,
)
from screening.rules.types import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Finding, RuleContext


def duration_months(start, end) -> int:
    """Months from the start month to the end month, both included
    (2023-01-01 → 2025-12-31 is 36)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


@rule(
    "project.duration",
    clause="二",
    messages=(
        "project.duration.pass",
        "project.duration.too_long",
        "project.duration.end_before_start",
        *CONDITION_MESSAGES,
    ),
    fixes=("fix.shorten_period", "fix.correct_dates"),
)
def project_duration(ctx: RuleContext) -> list[Finding]:
    """The period, counted in months from the start month to the end month
    inclusive, is at most 12 × ``guide.max_duration_years``."""
    resolved = guide_condition(project_duration, ctx, "max_duration_years")
    if isinstance(resolved, list):
        return resolved
    years = int(resolved.value)
    p = ctx.proposal
    if p.start_date is None:
        return data_missing(project_duration, "start_date")
    if p.end_date is None:
        return data_missing(project_duration, "end_date")
    evidence = [ev("start_date", p.start_date), ev("end_date", p.end_date)]
    if p.end_date < p.start_date:
        return [
            finding(
                project_duration,
                FAIL,
                "project.duration.end_before_start",
                {"start_date": p.start_date, "end_date": p.end_date},
                evidence=evidence,
                field="end_date",
                fix_id="fix.correct_dates",
            )
        ]
    months = duration_months(p.start_date, p.end_date)
    params = scope_params(resolved.condition) | {
        "months": months,
        "max_months": 12 * years,
        "max_years": years,
        "start_date": p.start_date,
        "end_date": p.end_date,
    }
    if months > 12 * years:
        return [
            finding(
                project_duration,
                FAIL,
                "project.duration.too_long",
                params,
                evidence=evidence,
                field="end_date",
                fix_id="fix.shorten_period",
            )
        ]
    return [finding(project_duration, PASS, "project.duration.pass", params, evidence=evidence)]


@rule(
    "project.subtasks",
    clause="二",
    messages=(
        "project.subtasks.none",
        "project.subtasks.pass",
        "project.subtasks.forbidden",
        "project.subtasks.too_many",
        "project.subtasks.lead_too_old",
        *CONDITION_MESSAGES,
    ),
    fixes=("fix.remove_subtasks", "fix.reduce_subtasks", "fix.task_lead_birth_date"),
)
def project_subtasks(ctx: RuleContext) -> list[Finding]:
    """课题 as the guide allows them for this proposal's project type: none where it says 不下设课题
    (a young-scientist project may forbid what the call allows), at most its 下设课题数, and each task
    lead born on or after its 课题负责人 cutoff (the lead's gender decides a gender-dependent one)."""
    subtasks = list(ctx.proposal.subtasks or ())
    allowed = guide_condition(project_subtasks, ctx, "subtasks_allowed")
    limit = guide_condition(project_subtasks, ctx, "max_subtasks")
    if isinstance(allowed, list) and isinstance(limit, list):
        return allowed if allowed[0].status != NOT_APPLICABLE or limit[0].status == NOT_APPLICABLE else limit
    evidence = [ev(s.path("name"), s.name) for s in subtasks]
    if not isinstance(allowed, list) and allowed.value is False:
        params = {"count": len(subtasks)} | scope_params(allowed.condition)
        if subtasks:
            return [
                finding(
                    project_subtasks,
                    FAIL,
                    "project.subtasks.forbidden",
                    params,
                    evidence=evidence,
                    field="subtasks",
                    fix_id="fix.remove_subtasks",
                )
            ]
        return [finding(project_subtasks, PASS, "project.subtasks.none", params)]
    if not isinstance(limit, list) and len(subtasks) > int(limit.value):
        return [
            finding(
                project_subtasks,
                FAIL,
                "project.subtasks.too_many",
                {"count": len(subtasks), "limit": int(limit.value)} | scope_params(limit.condition),
                evidence=evidence,
                field="subtasks",
                fix_id="fix.reduce_subtasks",
            )
        ]
    findings: list[Finding] = []
    for subtask in subtasks:
        lead = subtask.lead
        if lead is None or not (lead.name or lead.id_number):
            findings += data_missing(project_subtasks, subtask.path("lead"))
            continue
        cutoff = guide_condition(
            project_subtasks,
            ctx,
            "task_lead_born_on_or_after",
            person=lead,
            gender_field=subtask.path("lead_id_number"),  # a lead's gender is read from the ID number
        )
        if isinstance(cutoff, list):
            if cutoff[0].status == UNKNOWN:
                findings += cutoff
            continue
        born = lead.birth_date or birth_date_from_id(lead.id_number)
        if born is None:
            findings += data_missing(project_subtasks, subtask.path("lead.birth_date"))
            continue
        limit_date = value_date(cutoff.value)
        if born < limit_date:
            findings.append(
                finding(
                    project_subtasks,
                    FAIL,
                    "project.subtasks.lead_too_old",
                    {"subtask": subtask.name or subtask.path(), "birth_date": born, "cutoff": limit_date}
                    | scope_params(cutoff.condition),
                    evidence=[ev(subtask.path("lead.birth_date"), born)],
                    field=subtask.path("lead.birth_date"),
                    fix_id="fix.task_lead_birth_date",
                )
            )
    if findings:
        return findings
    maximum = None if isinstance(limit, list) else int(limit.value)
    return [
        finding(
            project_subtasks,
            PASS,
            "project.subtasks.pass",
            {"count": len(subtasks), "limit": maximum},
            evidence=evidence,
        )
    ]
