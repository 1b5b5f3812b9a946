"""Every screening rule by stable id, and the runner.

``run_rules(ctx)`` runs all rules in ``RULES`` order; a rule that raises yields
one ``unknown`` finding with message id ``"rule.error"`` and the others still
run. ``overall(findings)`` is "fail" if any fail, "warn" if any warn or unknown,
else "pass" (``not_applicable`` is neutral).
"""

from __future__ import annotations

from collections.abc import Callable

from screening.rules import (
    budget,
    coverage,
    direction,
    people,
    pi,
    project,
    relevance,
    submission,
    units,
)
from screening.rules.base import jsonable
from screening.rules.types import FAIL, PASS, STATUSES, UNKNOWN, WARN, Finding, RuleContext

RULESET_VERSION = "1.0.0"

RULE_ERROR = "rule.error"
RULE_NO_RESULT = "rule.no_result"
RULE_BAD_RESULT = "rule.bad_result"

RULES: dict[str, Callable[[RuleContext], list[Finding]]] = {
    "direction.exists": direction.direction_exists,
    "submission.complete": submission.submission_complete,
    "recommendation.letter": submission.recommendation_letter,
    "recommendation.recommender": submission.recommendation_recommender,
    "submission.duplicate": submission.submission_duplicate,
    "direction.relevance": relevance.direction_relevance,
    "pi.age": pi.pi_age,
    "pi.qualification": pi.pi_qualification,
    "pi.employment_proof": pi.pi_employment_proof,
    "pi.single_project": pi.pi_single_project,
    "pi.ongoing_project": pi.pi_ongoing_project,
    "member.ongoing_project": people.member_ongoing_project,
    "person.single_project": people.person_single_project,
    "person.guide_expert": people.person_guide_expert,
    "person.integrity": people.person_integrity,
    "pi.civil_servant": pi.pi_civil_servant,
    "unit.mainland_registered": units.unit_mainland_registered,
    "unit.state_organ": units.unit_state_organ,
    "unit.registration_date": units.unit_registration_date,
    "unit.integrity": units.unit_integrity,
    "units.domestic_limit": units.units_domestic_limit,
    "units.total_limit": units.units_total_limit,
    "units.foreign_partner": units.units_foreign_partner,
    "project.duration": project.project_duration,
    "project.subtasks": project.project_subtasks,
    "budget.matching_ratio": budget.matching_ratio,
    "direction.partner_countries": direction.partner_countries,
    "direction.partner_continents": direction.partner_continents,
    "direction.testing_institution": direction.direction_testing_institution,
    "direction.hgr_license": direction.hgr_license,
    "direction.indicator_coverage": coverage.indicator_coverage,
}

RUNNER_MESSAGES = (RULE_ERROR, RULE_NO_RESULT, RULE_BAD_RESULT)


def rule_clause(rule_id: str) -> str:
    return getattr(RULES.get(rule_id), "clause", "")


def rule_messages(rule_id: str) -> tuple[str, ...]:
    """Message ids and fix ids the rule declares it may emit."""
    fn = RULES[rule_id]
    return tuple(fn.message_ids) + tuple(fn.fix_ids)  # type: ignore[attr-defined]


def all_message_ids() -> set[str]:
    ids = set(RUNNER_MESSAGES)
    for rule_id in RULES:
        ids.update(rule_messages(rule_id))
    return ids


def _runner_finding(rule_id: str, message_id: str, params: dict) -> Finding:
    return Finding(
        rule=rule_id,
        status=UNKNOWN,
        clause=rule_clause(rule_id),
        message_id=message_id,
        params=jsonable(params),
    )


def run_rule(rule_id: str, ctx: RuleContext) -> list[Finding]:
    """Run one rule, turning an exception or a malformed result into ``unknown``."""
    fn = RULES[rule_id]
    try:
        result = list(fn(ctx))
    except Exception as exc:  # isolate every rule from the others
        return [
            _runner_finding(rule_id, RULE_ERROR, {"rule": rule_id, "error": f"{type(exc).__name__}: {exc}"})
        ]
    if not result:
        return [_runner_finding(rule_id, RULE_NO_RESULT, {"rule": rule_id})]
    if any(not isinstance(f, Finding) or f.status not in STATUSES for f in result):
        return [_runner_finding(rule_id, RULE_BAD_RESULT, {"rule": rule_id})]
    return result


def run_rules(ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for rule_id in RULES:
        findings.extend(run_rule(rule_id, ctx))
    return findings


def overall(findings: list[Finding]) -> str:
    statuses = {f.status for f in findings}
    if FAIL in statuses:
        return FAIL
    if WARN in statuses or UNKNOWN in statuses:
        return WARN
    return PASS
