from decimal import Decimal

from screening.rules.budget import matching_ratio
from tests.factories.screening_snapshots import ctx_with, make_direction, make_guide, make_other_year_guide


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def guide_with_ratio(ratio):
    return make_guide(directions={"5.2": make_direction(matching_ratio=ratio)})


def test_matching_ratio_passes_at_exactly_the_ratio():
    ctx = ctx_with(
        {"national_funding": Decimal("500"), "matching_funding": Decimal("1000")}, guide=guide_with_ratio(2)
    )
    f = only(matching_ratio(ctx))
    assert (f.status, f.clause, f.params) == (
        "pass",
        "direction 5.2",
        {
            "ratio": "2",
            "national": "500",
            "matching": "1000",
            "required_matching": "1000",
            "actual_ratio": "2",
        },
    )


def test_matching_ratio_fails_one_ten_thousandth_below():
    ctx = ctx_with(
        {"national_funding": Decimal("500"), "matching_funding": Decimal("999.9999")},
        guide=guide_with_ratio(2),
    )
    f = only(matching_ratio(ctx))
    assert (f.status, f.field, f.fix_id, f.params["shortfall"], f.params["actual_ratio"]) == (
        "fail",
        "budget.matching",
        "fix.raise_matching",
        "0.0001",
        "1.99",  # rounded down: a failing ratio never displays as the requirement
    )


def test_matching_ratio_exact_with_non_binary_fraction():
    ctx = ctx_with(
        {"national_funding": Decimal("333.33"), "matching_funding": Decimal("499.995")},
        guide=guide_with_ratio(1.5),
    )
    assert only(matching_ratio(ctx)).status == "pass"


def test_matching_ratio_not_applicable_when_direction_sets_none():
    f = only(matching_ratio(ctx_with({"direction": "10.7"})))
    assert (f.status, f.message_id, f.clause) == (
        "not_applicable",
        "common.direction_no_requirement",
        "direction 10.7",
    )


def test_matching_ratio_unknown_without_matching_funding():
    f = only(matching_ratio(ctx_with({"matching_funding": None})))
    assert (f.status, f.field) == ("unknown", "budget.matching")


def test_matching_ratio_unknown_with_zero_national_funding():
    f = only(matching_ratio(ctx_with({"national_funding": Decimal("0")})))
    assert (f.status, f.message_id) == ("unknown", "budget.matching_ratio.no_national")


def test_matching_ratio_other_year_guide_three_to_one():
    amounts = {"national_funding": Decimal("300"), "matching_funding": Decimal("600")}
    assert only(matching_ratio(ctx_with(amounts))).status == "pass"
    f = only(matching_ratio(ctx_with(amounts, guide=make_other_year_guide())))
    assert (f.status, f.params["ratio"], f.params["required_matching"]) == ("fail", "3", "900")


def test_matching_ratio_just_below_shows_the_ratio_rounded_down():
    ctx = ctx_with(
        {"national_funding": Decimal("500"), "matching_funding": Decimal("499.99")}, guide=guide_with_ratio(1)
    )
    f = only(matching_ratio(ctx))
    assert (f.status, f.params["actual_ratio"]) == ("fail", "0.99")
