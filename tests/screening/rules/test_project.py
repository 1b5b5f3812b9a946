from datetime import date

from screening.rules.project import duration_months, project_duration
from tests.factories.screening_snapshots import ctx_with, make_guide, make_other_year_guide


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def test_duration_months_counts_start_and_end_month_inclusive():
    assert duration_months(date(2023, 1, 1), date(2025, 12, 31)) == 36


def test_duration_months_same_month_is_one():
    assert duration_months(date(2023, 3, 1), date(2023, 3, 31)) == 1


def test_project_duration_passes_at_exactly_three_years():
    f = only(project_duration(ctx_with({"start_date": date(2022, 12, 1), "end_date": date(2025, 11, 30)})))
    assert (f.status, f.params["months"], f.params["max_months"]) == ("pass", 36, 36)


def test_project_duration_fails_one_month_over():
    f = only(project_duration(ctx_with({"start_date": date(2022, 12, 1), "end_date": date(2025, 12, 1)})))
    assert (f.status, f.params["months"], f.field, f.fix_id) == ("fail", 37, "end_date", "fix.shorten_period")


def test_project_duration_fails_when_end_before_start():
    f = only(project_duration(ctx_with({"start_date": date(2024, 1, 1), "end_date": date(2023, 1, 1)})))
    assert (f.status, f.message_id) == ("fail", "project.duration.end_before_start")


def test_project_duration_unknown_without_end_date():
    f = only(project_duration(ctx_with({"end_date": None})))
    assert (f.status, f.field) == ("unknown", "end_date")


def test_project_duration_not_applicable_when_guide_sets_none():
    assert (
        only(project_duration(ctx_with(guide=make_guide(max_duration_years=None)))).status == "not_applicable"
    )


def test_project_duration_other_year_guide_allows_four_years():
    dates = {"start_date": date(2023, 1, 1), "end_date": date(2026, 12, 31)}
    assert only(project_duration(ctx_with(dates))).status == "fail"
    f = only(project_duration(ctx_with(dates, guide=make_other_year_guide())))
    assert (f.status, f.params["months"], f.params["max_months"]) == ("pass", 48, 48)
