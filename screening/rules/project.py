"""Section 二: 实施周期一般不超过N年."""

from __future__ import annotations

from screening.rules.base import (
    DATA_MISSING,
    GUIDE_MISSING,
    GUIDE_PARAM_ABSENT,
    data_missing,
    ev,
    finding,
    guide_missing,
    param_absent,
    rule,
)
from screening.rules.types import FAIL, PASS, Finding, RuleContext


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
        GUIDE_MISSING,
        GUIDE_PARAM_ABSENT,
        DATA_MISSING,
    ),
    fixes=("fix.shorten_period", "fix.correct_dates"),
)
def project_duration(ctx: RuleContext) -> list[Finding]:
    """The period, counted in months from the start month to the end month
    inclusive, is at most 12 × ``guide.max_duration_years``."""
    if ctx.guide is None:
        return guide_missing(project_duration, ctx)
    years = ctx.guide.max_duration_years
    if years is None:
        return param_absent(project_duration, ctx, "max_duration_years")
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
    params = {
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
