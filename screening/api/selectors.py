"""Reads for the screening API, built on screening.selectors and screening.report: runs
with their counts per outcome, and a run's findings as the report page shows them
(rendered in one language, redacted for applicants, in the page's order)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from common.roles import is_officer

from .. import report, selectors
from ..enums import Outcome, RegistryName
from ..models import RegistryLoad, ScreeningRun


def runs_of(*, proposal) -> QuerySet[ScreeningRun]:
    """A proposal's runs, newest first, each with ``n_<outcome>`` counts. One query."""
    counts = {
        f"n_{outcome}": Count("findings", filter=Q(findings__status=outcome)) for outcome in Outcome.values
    }
    return ScreeningRun.objects.filter(proposal=proposal).annotate(**counts).order_by("-queued_at", "-id")


def run_latest(*, proposal) -> ScreeningRun | None:
    latest = selectors.run_latest(proposal=proposal)
    return None if latest is None else runs_of(proposal=proposal).get(pk=latest.pk)


def report_lines(*, run: ScreeningRun, user, language: str) -> tuple[ScreeningRun | None, list]:
    """(the previous finished run, the report's lines) of a finished run, in the report
    page's order (clauses with failures first); an applicant gets them redacted as on the
    report page (report.redacted: other proposals are never named). (None, []) for a run
    that is not done."""
    if run.status != "done":
        return None, []
    previous = selectors.run_previous_done(run=run)
    visible = (lambda findings: findings) if is_officer(user) else report.redacted
    lines = report.report_lines(
        visible(selectors.findings_of(run=run)),
        language=language,
        previous=visible(selectors.findings_of(run=previous)) if previous else None,
    )
    return previous, [line for group in report.grouped(lines) for line in group.lines]


def registry_rows() -> list[tuple[str, str, RegistryLoad | None]]:
    """Every registry: (name, label, its load record or None when never loaded). One query."""
    loads = {load.name: load for load in RegistryLoad.objects.all()}
    return [(value, label, loads.get(value)) for value, label in RegistryName.choices]
