"""resolve() and applicable(): which of a guide's conditions applies to a proposal."""

from guide.parsing.conditions import (
    ABSENT,
    AMBIGUOUS,
    IGNORED,
    MISSING,
    NEEDS_GENDER,
    STATED,
    Condition,
    Scope,
    applicable,
    conflicts,
    resolve,
)

YOUNG, BASIC = "青年科学家项目", "基础研究类"


def c(key, parameter, value, project_type=None, direction=None, gender=None, state=STATED):
    return Condition(key, parameter, value, Scope(project_type, direction, gender), state)


CONDITIONS = (
    c("pi", "pi_born_on_or_after", "1964-01-01"),
    c("pi@m", "pi_born_on_or_after", "1986-01-01", YOUNG, gender="male"),
    c("pi@f", "pi_born_on_or_after", "1984-01-01", YOUNG, gender="female"),
    c("units", "max_units", 10),
    c("units@basic", "max_units", 6, BASIC),
    c("units@1.1", "max_units", 5, direction="1.1"),
    c("years", "max_duration_years", None, state=MISSING),
    c("foreign", "min_foreign_units", None, state=ABSENT),
)


def resolved(parameter, **proposal):
    r = resolve(CONDITIONS, parameter, **proposal)
    return r.state, r.value, r.condition.key if r.condition else None


def test_the_most_specific_scope_wins():
    assert resolved("max_units") == (STATED, 10, "units")
    assert resolved("max_units", direction="2.1", types=[BASIC]) == (STATED, 6, "units@basic")
    assert resolved("max_units", direction="1.1", types=[BASIC]) == (STATED, 5, "units@1.1")


def test_a_gender_cutoff_applies_to_its_gender_only():
    assert resolved("pi_born_on_or_after", types=[YOUNG], gender="male") == (STATED, "1986-01-01", "pi@m")
    assert resolved("pi_born_on_or_after", types=[YOUNG], gender="female") == (STATED, "1984-01-01", "pi@f")
    assert resolved("pi_born_on_or_after", types=[YOUNG])[0] == NEEDS_GENDER
    assert resolved("pi_born_on_or_after", types=[BASIC]) == (STATED, "1964-01-01", "pi")


def test_missing_absent_and_unset_are_told_apart():
    assert resolved("max_duration_years") == (MISSING, None, None)
    assert resolved("min_foreign_units") == (ABSENT, None, "foreign")
    assert resolved("max_subtasks") == (ABSENT, None, None)


def test_a_value_entered_for_a_missing_condition_is_stated():
    entered = (c("years", "max_duration_years", 4, state=MISSING),)
    assert resolve(entered, "max_duration_years").state == STATED


def test_an_ignored_reading_is_not_used_and_settles_a_conflict():
    two = (c("years", "max_duration_years", 3), c("years#2", "max_duration_years", 5))
    assert [x.keys for x in conflicts(two)] == [("years", "years#2")]
    assert resolve(two, "max_duration_years").state == AMBIGUOUS
    settled = (two[0], c("years#2", "max_duration_years", 5, state=IGNORED))
    assert conflicts(settled) == []
    assert resolve(settled, "max_duration_years").value == 3


def test_applicable_lists_both_gender_values_of_a_young_scientist_direction():
    rows = {
        a.parameter: (a.state, [(x.value, x.scope.gender) for x in a.conditions])
        for a in applicable(CONDITIONS, direction="3.1", types=[YOUNG])
    }
    assert rows == {
        "pi_born_on_or_after": (NEEDS_GENDER, [("1986-01-01", "male"), ("1984-01-01", "female")]),
        "max_units": (STATED, [(10, None)]),
        "min_foreign_units": (ABSENT, [(None, None)]),
        "max_duration_years": (MISSING, [(None, None)]),
    }
