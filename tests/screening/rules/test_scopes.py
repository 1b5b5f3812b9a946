"""Rules that read the guide's conditions by scope (screening.rules.base.guide_condition): a guide of
the family with project types, young-scientist gender cutoffs and per-type limits
(tests.factories.screening_snapshots.make_family_guide)."""

from datetime import date
from decimal import Decimal

import pytest

from screening.labels import message
from screening.rules.base import person_gender
from screening.rules.budget import matching_ratio
from screening.rules.pi import pi_age
from screening.rules.project import project_duration, project_subtasks
from screening.rules.types import PersonSnap, SubtaskSnap
from screening.rules.units import unit_registration_date, units_domestic_limit, units_total_limit
from tests.factories.screening_snapshots import (
    ctx_with,
    make_family_guide,
    make_foreign_unit,
    make_lead_unit,
    make_pi,
    make_unit,
    reindex,
)

YOUNG, BASIC, KEY_TECH, DEMO = "3.1", "1.1", "1.2", "2.1"
MALE_ID_1985 = "110101198512310015"  # 17th digit 1: male
FEMALE_ID_1984 = "110101198401010028"  # 17th digit 2: female


def run(rule, direction, guide=None, **proposal):
    ctx = ctx_with({"direction": direction, **proposal}, guide=guide or make_family_guide())
    return [(f.status, f.message_id, f.params.get("scope")) for f in rule(ctx)]


def pi(born: date, id_number: str | None = None, gender: str | None = None) -> PersonSnap:
    return make_pi(birth_date=born, id_number=id_number, gender=gender, nationality="CN")


@pytest.mark.parametrize(
    ("born", "gender", "expected"),
    [
        (date(1985, 12, 31), "male", "fail"),
        (date(1986, 1, 1), "male", "pass"),
        (date(1983, 12, 31), "female", "fail"),
        (date(1984, 1, 1), "female", "pass"),
    ],
)
def test_young_scientist_cutoff_depends_on_gender_at_the_boundary(born, gender, expected):
    scope = {"project_type": "青年科学家项目", "gender": gender}
    message_id = "pi.age.pass" if expected == "pass" else "pi.age.too_old"
    assert run(pi_age, YOUNG, pi=pi(born, gender=gender)) == [(expected, message_id, scope)]


@pytest.mark.parametrize("direction", [BASIC, KEY_TECH, DEMO])
def test_other_types_use_the_call_cutoff(direction):
    assert run(pi_age, direction, pi=pi(date(1964, 1, 1), gender="male")) == [("pass", "pi.age.pass", None)]
    assert run(pi_age, direction, pi=pi(date(1963, 12, 31), gender="female")) == [
        ("fail", "pi.age.too_old", None)
    ]


def test_gender_comes_from_the_17th_digit_of_a_mainland_id():
    assert person_gender(make_pi(id_number=MALE_ID_1985, gender=None)) == "male"
    assert person_gender(make_pi(id_number=FEMALE_ID_1984, gender=None)) == "female"
    assert person_gender(make_pi(id_number="E12345678", gender=None)) is None
    assert (
        person_gender(make_pi(id_number="110101198512310011", gender=None)) is None
    )  # check character wrong
    assert person_gender(make_pi(id_number=MALE_ID_1985, gender="female")) == "female"  # as stated
    born = date(1985, 12, 31)
    assert run(pi_age, YOUNG, pi=pi(born, MALE_ID_1985)) == [
        ("fail", "pi.age.too_old", {"project_type": "青年科学家项目", "gender": "male"})
    ]


def test_unknown_gender_with_gender_cutoffs_is_unknown_and_names_the_field():
    ctx = ctx_with({"direction": YOUNG, "pi": pi(date(1985, 6, 1), "E12345678")}, guide=make_family_guide())
    [finding] = pi_age(ctx)
    assert (finding.status, finding.message_id, finding.field, finding.fix_id) == (
        "unknown",
        "common.guide_param_needs_gender",
        "pi.gender",
        "fix.pi_gender",
    )
    assert finding.params == {"param": "pi_born_on_or_after", "values": ["1986-01-01", "1984-01-01"]}


def test_a_finding_names_its_scope_in_words():
    ctx = ctx_with(
        {"direction": YOUNG, "pi": pi(date(1985, 12, 31), gender="male")}, guide=make_family_guide()
    )
    [finding] = pi_age(ctx)
    assert message(finding.message_id, finding.params, "zh") == (
        "青年科学家项目（男性）：项目负责人出生日期 1985-12-31 早于 1986-01-01，不符合年龄要求。"
    )
    assert message(finding.message_id, finding.params, "en").startswith(
        "青年科学家项目 (male): The PI was born"
    )


def units(count: int):
    return reindex(
        [make_lead_unit(0), *(make_unit(i) for i in range(1, count - 1)), make_foreign_unit(count - 1, "DE")]
    )


@pytest.mark.parametrize(
    ("direction", "count", "status", "limit", "scope"),
    [
        (BASIC, 6, "pass", 6, "基础研究类"),
        (BASIC, 7, "fail", 6, "基础研究类"),
        (DEMO, 9, "pass", 10, "应用示范类"),
        (YOUNG, 3, "pass", 3, "青年科学家项目"),
        (YOUNG, 4, "fail", 3, "青年科学家项目"),
    ],
)
def test_unit_limit_is_the_one_of_the_project_type(direction, count, status, limit, scope):
    ctx = ctx_with({"direction": direction, "units": units(count)}, guide=make_family_guide())
    [finding] = units_total_limit(ctx)
    assert (finding.status, finding.params) == (
        status,
        {"count": count, "limit": limit, "scope": {"project_type": scope}},
    )


def test_a_value_the_guide_never_stated_is_unknown_not_passed():
    assert run(unit_registration_date, BASIC) == [("unknown", "common.guide_param_missing", None)]


def test_a_condition_the_guide_does_not_set_is_not_applicable():
    assert run(units_domestic_limit, BASIC) == [("not_applicable", "common.guide_param_absent", None)]


def test_duration_is_call_wide():
    assert run(project_duration, YOUNG, start_date=date(2025, 1, 1), end_date=date(2028, 12, 31))[0][:2] == (
        "pass",
        "project.duration.pass",
    )


@pytest.mark.parametrize(
    ("direction", "matching", "status", "ratio"),
    [
        (DEMO, "199", "fail", "2"),
        (DEMO, "200", "pass", "2"),
        (KEY_TECH, "100", "pass", "1"),
        (KEY_TECH, "99", "fail", "1"),
    ],
)
def test_ratio_by_type_or_by_the_direction_itself(direction, matching, status, ratio):
    ctx = ctx_with(
        {"direction": direction, "national_funding": Decimal("100"), "matching_funding": Decimal(matching)},
        guide=make_family_guide(),
    )
    [finding] = matching_ratio(ctx)
    assert (finding.status, finding.params["ratio"]) == (status, ratio)


def test_a_direction_with_no_ratio_at_any_scope_is_not_applicable():
    ctx = ctx_with({"direction": BASIC}, guide=make_family_guide())
    assert [(f.status, f.message_id) for f in matching_ratio(ctx)] == [
        ("not_applicable", "common.direction_no_requirement")
    ]


def subtask(index: int, born: date) -> SubtaskSnap:
    return SubtaskSnap(
        name=f"课题{index + 1}",
        lead_unit="中方单位1",
        lead=PersonSnap(name=f"负责人{index}", birth_date=born, index=None),
        index=index,
    )


def test_subtasks_in_a_young_scientist_project_fail():
    assert run(project_subtasks, YOUNG, subtasks=[subtask(0, date(1990, 1, 1))]) == [
        ("fail", "project.subtasks.forbidden", {"project_type": "青年科学家项目"})
    ]
    assert run(project_subtasks, YOUNG, subtasks=[]) == [
        ("pass", "project.subtasks.none", {"project_type": "青年科学家项目"})
    ]


def test_subtasks_at_most_the_limit_of_the_type():
    four = [subtask(i, date(1970, 1, 1)) for i in range(4)]
    assert run(project_subtasks, BASIC, subtasks=four) == [("pass", "project.subtasks.pass", None)]
    five = [subtask(i, date(1970, 1, 1)) for i in range(5)]
    assert run(project_subtasks, BASIC, subtasks=five) == [
        ("fail", "project.subtasks.too_many", {"project_type": "基础研究类"})
    ]
    assert run(project_subtasks, KEY_TECH, subtasks=five) == [("pass", "project.subtasks.pass", None)]


def test_each_task_lead_is_checked_against_the_task_lead_cutoff():
    findings = run(
        project_subtasks, BASIC, subtasks=[subtask(0, date(1963, 12, 31)), subtask(1, date(1964, 1, 1))]
    )
    assert findings == [("fail", "project.subtasks.lead_too_old", None)]


def test_scoped_conditions_need_the_direction():
    assert run(pi_age, None, pi=pi(date(1990, 1, 1), gender="male")) == [
        ("unknown", "common.data_missing", None)
    ]
    assert run(pi_age, "9.9", pi=pi(date(1990, 1, 1), gender="male")) == [
        ("unknown", "common.direction_unresolved", None)
    ]


def test_a_task_lead_of_unknown_gender_under_gender_cutoffs_is_unknown_at_the_lead_id():
    from guide.parsing.conditions import Condition, Scope

    guide = make_family_guide(
        conditions=(
            *make_family_guide().conditions,
            Condition("t1", "task_lead_born_on_or_after", "1980-01-01", Scope("基础研究类", None, "male")),
            Condition("t2", "task_lead_born_on_or_after", "1978-01-01", Scope("基础研究类", None, "female")),
        )
    )
    ctx = ctx_with({"direction": BASIC, "subtasks": [subtask(0, date(1979, 1, 1))]}, guide=guide)
    [finding] = project_subtasks(ctx)
    assert (finding.status, finding.message_id, finding.field) == (
        "unknown",
        "common.guide_param_needs_gender",
        "subtasks[0].lead_id_number",
    )
