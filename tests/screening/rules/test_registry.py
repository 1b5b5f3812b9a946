import json
from datetime import date
from decimal import Decimal

from screening.rules import registry
from screening.rules.registry import RULES, RULESET_VERSION, overall, run_rule, run_rules
from screening.rules.types import Finding
from tests.factories.screening_snapshots import (
    ctx_with,
    make_context,
    make_cross,
    make_foreign_unit,
    make_lead_unit,
    make_other_year_guide,
    make_pi,
    make_unit,
    reindex,
)

EXPECTED_RULE_IDS = [
    "direction.exists",
    "submission.complete",
    "recommendation.letter",
    "recommendation.recommender",
    "submission.duplicate",
    "direction.relevance",
    "pi.age",
    "pi.qualification",
    "pi.employment_proof",
    "pi.single_project",
    "pi.ongoing_project",
    "member.ongoing_project",
    "person.single_project",
    "person.guide_expert",
    "person.integrity",
    "pi.civil_servant",
    "unit.mainland_registered",
    "unit.state_organ",
    "unit.registration_date",
    "unit.integrity",
    "units.domestic_limit",
    "units.total_limit",
    "units.foreign_partner",
    "project.duration",
    "project.subtasks",
    "budget.matching_ratio",
    "direction.partner_countries",
    "direction.partner_continents",
    "direction.testing_institution",
    "direction.hgr_license",
    "direction.indicator_coverage",
]


def f(status):
    return Finding(rule="x", status=status, clause="", message_id="m")


def by_rule(findings):
    out = {}
    for finding in findings:
        out.setdefault(finding.rule, []).append(finding.status)
    return out


def test_registry_lists_every_rule_by_stable_id():
    assert list(RULES) == EXPECTED_RULE_IDS


def test_every_rule_declares_its_own_id():
    assert [fn.rule_id for fn in RULES.values()] == EXPECTED_RULE_IDS


def test_ruleset_version_is_a_string():
    assert isinstance(RULESET_VERSION, str) and RULESET_VERSION


def test_default_scenario_passes_every_rule():
    statuses = by_rule(run_rules(make_context()))
    assert set(statuses) == set(EXPECTED_RULE_IDS)
    assert {s for values in statuses.values() for s in values} == {"pass", "not_applicable"}
    assert overall(run_rules(make_context())) == "pass"


def test_run_rules_isolates_a_raising_rule(monkeypatch):
    def boom(ctx):
        raise ValueError("kaputt")

    monkeypatch.setitem(registry.RULES, "pi.age", boom)
    findings = run_rules(make_context())
    errors = [x for x in findings if x.rule == "pi.age"]
    assert [(x.status, x.message_id, x.params, x.clause) for x in errors] == [
        ("unknown", "rule.error", {"rule": "pi.age", "error": "ValueError: kaputt"}, "")
    ]
    assert set(by_rule(findings)) == set(EXPECTED_RULE_IDS)
    assert overall(findings) == "warn"


def test_run_rule_keeps_clause_for_error_of_registered_rule(monkeypatch):
    original = registry.RULES["pi.age"]

    def boom(ctx):
        raise RuntimeError("x")

    boom.clause = original.clause
    monkeypatch.setitem(registry.RULES, "pi.age", boom)
    assert run_rule("pi.age", make_context())[0].clause == "2(1)"


def test_run_rule_turns_empty_result_into_unknown(monkeypatch):
    monkeypatch.setitem(registry.RULES, "pi.age", lambda ctx: [])
    assert [(x.status, x.message_id) for x in run_rule("pi.age", make_context())] == [
        ("unknown", "rule.no_result")
    ]


def test_run_rule_turns_invalid_status_into_unknown(monkeypatch):
    monkeypatch.setitem(registry.RULES, "pi.age", lambda ctx: [f("maybe")])
    assert run_rule("pi.age", make_context())[0].message_id == "rule.bad_result"


def test_overall_fail_wins():
    assert overall([f("pass"), f("warn"), f("unknown"), f("fail")]) == "fail"


def test_overall_unknown_is_warn():
    assert overall([f("pass"), f("unknown"), f("not_applicable")]) == "warn"


def test_overall_warn():
    assert overall([f("pass"), f("warn")]) == "warn"


def test_overall_pass_with_not_applicable():
    assert overall([f("pass"), f("not_applicable")]) == "pass"


def test_overall_of_no_findings_is_pass():
    assert overall([]) == "pass"


def test_without_guide_guide_rules_are_unknown_and_others_still_run():
    statuses = by_rule(run_rules(make_context(guide=None)))
    assert statuses["pi.age"] == ["unknown"]
    assert statuses["direction.exists"] == ["unknown"]
    assert statuses["pi.qualification"] == ["pass"]
    assert statuses["unit.integrity"] == ["pass"]


def test_other_year_guide_is_enforced_with_its_own_values():
    proposal_overrides = {
        "guide_year": 2024,
        "pi": make_pi(birth_date=date(1964, 6, 1), id_number="E7654321"),
        "start_date": date(2025, 1, 1),
        "end_date": date(2028, 12, 31),
        "national_funding": Decimal("300"),
        "matching_funding": Decimal("600"),
        "units": reindex(
            [make_lead_unit(0, registered_on=date(2022, 12, 31))]
            + [make_unit(i) for i in range(1, 9)]
            + [make_foreign_unit(0, "DE"), make_foreign_unit(0, "US")]
        ),
    }
    statuses = by_rule(run_rules(ctx_with(proposal_overrides, guide=make_other_year_guide())))
    assert statuses["pi.age"] == ["fail"]
    assert statuses["unit.registration_date"] == ["pass"]
    assert statuses["units.domestic_limit"] == ["fail"]
    assert statuses["units.foreign_partner"] == ["pass"]
    assert statuses["project.duration"] == ["pass"]
    assert statuses["budget.matching_ratio"] == ["fail"]


def test_same_pi_in_two_proposals_fails_both():
    first = ctx_with(
        {"id": 1, "reference": "P2022-0001"}, cross=make_cross(other_pi_proposals=["P2022-0002"])
    )
    second = ctx_with(
        {"id": 2, "reference": "P2022-0002"}, cross=make_cross(other_pi_proposals=["P2022-0001"])
    )
    results = [[x for x in run_rules(ctx) if x.rule == "pi.single_project"][0] for ctx in (first, second)]
    assert [(x.status, x.params["others"]) for x in results] == [
        ("fail", ["P2022-0002"]),
        ("fail", ["P2022-0001"]),
    ]


def test_all_findings_are_json_serialisable():
    scenarios = [
        make_context(),
        make_context(guide=None, cross=None),
        ctx_with({"pi": None, "units": [], "members": [], "attachments": None}),
    ]
    for ctx in scenarios:
        for finding in run_rules(ctx):
            json.dumps(finding.to_dict(), ensure_ascii=False)
