"""Direction 其他要求: 配套经费与国拨经费的比例不低于 N:1."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from screening.rules.base import (
    CONDITION_MESSAGES,
    DIRECTION_NO_REQUIREMENT,
    GUIDE_PARAM_ABSENT,
    data_missing,
    direction_clause,
    ev,
    finding,
    format_decimal,
    guide_condition,
    resolve_direction,
    rule,
    scope_params,
)
from screening.rules.types import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Finding, RuleContext


def as_decimal(value) -> Decimal | None:
    """Exact decimal of a number (floats through ``str`` so 1.5 → Decimal("1.5"))."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@rule(
    "budget.matching_ratio",
    clause="4",
    messages=(
        "budget.matching_ratio.pass",
        "budget.matching_ratio.too_low",
        "budget.matching_ratio.no_national",
        DIRECTION_NO_REQUIREMENT,
        *CONDITION_MESSAGES,
    ),
    fixes=("fix.raise_matching",),
)
def matching_ratio(ctx: RuleContext) -> list[Finding]:
    """matching ÷ national ≥ the direction's ratio, compared exactly as
    ``matching >= ratio × national`` in Decimal (exactly the ratio passes)."""
    direction = resolve_direction(matching_ratio, ctx)
    if isinstance(direction, list):
        return direction
    clause = direction_clause(direction)
    resolved = guide_condition(matching_ratio, ctx, "matching_ratio")
    if isinstance(resolved, list):
        if resolved[0].message_id != GUIDE_PARAM_ABSENT:
            return resolved
        return [
            finding(
                matching_ratio,
                NOT_APPLICABLE,
                DIRECTION_NO_REQUIREMENT,
                {"direction": direction.code, "requirement": "matching_ratio"},
                clause=clause,
            )
        ]
    ratio = as_decimal(resolved.value)
    if resolved.condition is not None and not resolved.condition.scope.direction:
        clause = "二"  # a call-wide or per-type ratio of the general part
    p = ctx.proposal
    national, matching = as_decimal(p.national_funding), as_decimal(p.matching_funding)
    if national is None:
        return data_missing(matching_ratio, "budget.national", clause=clause)
    if matching is None:
        return data_missing(matching_ratio, "budget.matching", clause=clause)
    evidence = [ev("budget.national", national), ev("budget.matching", matching)]
    if national <= 0:
        return [
            finding(
                matching_ratio,
                UNKNOWN,
                "budget.matching_ratio.no_national",
                {"national": national},
                evidence=evidence,
                field="budget.national",
                clause=clause,
            )
        ]
    required_matching = ratio * national
    # rounded down, so a ratio just below the requirement never displays as meeting it
    actual = (matching / national).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    own = resolved.condition is not None and resolved.condition.scope.direction == direction.code
    params = ({} if own else scope_params(resolved.condition)) | {
        "ratio": format_decimal(ratio),
        "national": national,
        "matching": matching,
        "required_matching": format_decimal(required_matching),
        "actual_ratio": format_decimal(actual),
    }
    if matching >= required_matching:
        return [
            finding(
                matching_ratio, PASS, "budget.matching_ratio.pass", params, evidence=evidence, clause=clause
            )
        ]
    params["shortfall"] = format_decimal(
        (required_matching - matching).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)
    )
    return [
        finding(
            matching_ratio,
            FAIL,
            "budget.matching_ratio.too_low",
            params,
            evidence=evidence,
            field="budget.matching",
            fix_id="fix.raise_matching",
            clause=clause,
        )
    ]
