from datetime import date

from screening.rules.units import (
    unit_integrity,
    unit_mainland_registered,
    unit_registration_date,
    unit_state_organ,
    units_domestic_limit,
    units_foreign_partner,
)
from tests.factories.screening_snapshots import (
    credit_code,
    ctx_with,
    make_foreign_unit,
    make_guide,
    make_lead_unit,
    make_other_year_guide,
    make_registries,
    make_unit,
    reindex,
)


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def domestic(n):
    """A lead unit and n-1 mainland participants (n distinct mainland units)."""
    return [make_lead_unit(0)] + [make_unit(i) for i in range(1, n)]


# --- unit.mainland_registered -----------------------------------------------------------


def test_unit_mainland_registered_passes_for_default_units():
    f = only(unit_mainland_registered(ctx_with()))
    assert (f.status, f.clause, f.params) == ("pass", "3(1)", {"count": 2})


def test_unit_mainland_registered_fails_for_foreign_lead_unit():
    units = reindex([make_foreign_unit(0, "DE", role="lead"), make_unit(1)])
    f = only(unit_mainland_registered(ctx_with({"units": units})))
    assert (f.status, f.message_id, f.field) == (
        "fail",
        "unit.mainland_registered.lead_outside_mainland",
        "units[0].country",
    )


def test_unit_mainland_registered_fails_for_hong_kong_lead_unit():
    units = reindex([make_foreign_unit(0, "HK", role="lead")])
    f = only(unit_mainland_registered(ctx_with({"units": units})))
    assert (f.status, f.params["country"]) == ("fail", "HK")


def test_unit_mainland_registered_fails_for_invalid_credit_code():
    units = reindex([make_lead_unit(0), make_unit(1, credit_code="12110000400000001X")])
    f = only(unit_mainland_registered(ctx_with({"units": units})))
    assert (f.status, f.field, f.fix_id) == ("fail", "units[1].credit_code", "fix.correct_credit_code")


def test_unit_mainland_registered_unknown_for_missing_credit_code():
    units = reindex([make_lead_unit(0), make_unit(1, credit_code=None)])
    f = only(unit_mainland_registered(ctx_with({"units": units})))
    assert (f.status, f.field) == ("unknown", "units[1].credit_code")


def test_unit_mainland_registered_unknown_without_lead_unit():
    f = only(unit_mainland_registered(ctx_with({"units": [make_unit(0)]})))
    assert (f.status, f.message_id) == ("unknown", "unit.mainland_registered.no_lead")


def test_unit_mainland_registered_unknown_without_units():
    assert only(unit_mainland_registered(ctx_with({"units": []}))).field == "units"


def test_unit_mainland_registered_foreign_participants_are_not_checked():
    units = reindex([make_lead_unit(0), make_foreign_unit(1, "TW"), make_foreign_unit(2, "FR")])
    assert only(unit_mainland_registered(ctx_with({"units": units}))).status == "pass"


# --- unit.state_organ -------------------------------------------------------------------


def test_unit_state_organ_passes_without_state_organs():
    assert only(unit_state_organ(ctx_with())).status == "pass"


def test_unit_state_organ_fails_for_participating_state_organ():
    units = reindex([make_lead_unit(0), make_unit(1, name="某省科学技术厅", type="state_organ")])
    f = only(unit_state_organ(ctx_with({"units": units})))
    assert (f.status, f.field, f.fix_id) == ("fail", "units[1]", "fix.remove_state_organ")


def test_unit_state_organ_fails_for_leading_state_organ():
    units = reindex([make_lead_unit(0, type="state_organ")])
    assert only(unit_state_organ(ctx_with({"units": units}))).status == "fail"


def test_unit_state_organ_warns_when_name_looks_like_an_organ():
    units = reindex([make_lead_unit(0), make_unit(1, name="某市人民政府", type="other")])
    f = only(unit_state_organ(ctx_with({"units": units})))
    assert (f.status, f.message_id) == ("warn", "unit.state_organ.name_suggests")


def test_unit_state_organ_unknown_without_type():
    units = reindex([make_lead_unit(0), make_unit(1, type=None)])
    assert only(unit_state_organ(ctx_with({"units": units}))).field == "units[1].type"


# --- unit.registration_date -------------------------------------------------------------


def test_unit_registration_date_passes_on_cutoff_date_itself():
    units = reindex([make_lead_unit(0, registered_on=date(2021, 6, 30))])
    f = only(unit_registration_date(ctx_with({"units": units})))
    assert (f.status, f.params) == ("pass", {"cutoff": "2021-06-30", "count": 1})


def test_unit_registration_date_fails_one_day_after_cutoff():
    units = reindex([make_lead_unit(0), make_unit(1, registered_on=date(2021, 7, 1))])
    f = only(unit_registration_date(ctx_with({"units": units})))
    assert (f.status, f.field, f.params["registered_on"], f.clause) == (
        "fail",
        "units[1].registered_on",
        "2021-07-01",
        "3(2)",
    )


def test_unit_registration_date_ignores_foreign_units():
    units = reindex([make_lead_unit(0), make_foreign_unit(1, "DE", registered_on=date(2022, 5, 1))])
    assert only(unit_registration_date(ctx_with({"units": units}))).status == "pass"


def test_unit_registration_date_not_applicable_with_only_foreign_units():
    units = reindex([make_foreign_unit(0, "DE")])
    assert only(unit_registration_date(ctx_with({"units": units}))).status == "not_applicable"


def test_unit_registration_date_unknown_without_date():
    units = reindex([make_lead_unit(0, registered_on=None)])
    assert only(unit_registration_date(ctx_with({"units": units}))).field == "units[0].registered_on"


def test_unit_registration_date_other_year_guide_uses_its_own_cutoff():
    units = reindex([make_lead_unit(0, registered_on=date(2022, 12, 31))])
    assert only(unit_registration_date(ctx_with({"units": units}))).status == "fail"
    f = only(unit_registration_date(ctx_with({"units": units}, guide=make_other_year_guide())))
    assert (f.status, f.params["cutoff"]) == ("pass", "2022-12-31")


def test_unit_registration_date_not_applicable_when_guide_sets_none():
    f = only(unit_registration_date(ctx_with(guide=make_guide(unit_registered_by=None))))
    assert f.params == {"year": 2022, "param": "unit_registered_by"}


# --- unit.integrity ---------------------------------------------------------------------


def test_unit_integrity_fails_for_listed_credit_code():
    registries = make_registries(misconduct_units={credit_code(1).lower()})
    f = only(unit_integrity(ctx_with(registries=registries)))
    assert (f.status, f.field, f.clause) == ("fail", "units[1]", "3(3)")


def test_unit_integrity_fails_for_listed_normalised_name():
    registries = make_registries(misconduct_units={"清华 大学"})
    assert only(unit_integrity(ctx_with(registries=registries))).field == "units[0]"


def test_unit_integrity_passes_with_empty_registry():
    assert only(unit_integrity(ctx_with())).status == "pass"


def test_unit_integrity_unknown_when_registry_not_loaded():
    assert (
        only(unit_integrity(ctx_with(registries=make_registries(misconduct_units=None)))).status == "unknown"
    )


# --- units.domestic_limit ---------------------------------------------------------------


def test_units_domestic_limit_passes_at_exactly_the_limit():
    f = only(units_domestic_limit(ctx_with({"units": domestic(10)})))
    assert (f.status, f.params) == ("pass", {"count": 10, "limit": 10})


def test_units_domestic_limit_fails_one_over_the_limit():
    f = only(units_domestic_limit(ctx_with({"units": domestic(11)})))
    assert (f.status, f.params, f.fix_id) == ("fail", {"count": 11, "limit": 10}, "fix.reduce_domestic_units")


def test_units_domestic_limit_does_not_count_foreign_or_regional_units():
    units = reindex(domestic(10) + [make_foreign_unit(0, "HK"), make_foreign_unit(0, "US")])
    assert only(units_domestic_limit(ctx_with({"units": units}))).params["count"] == 10


def test_units_domestic_limit_counts_a_repeated_unit_once():
    units = reindex(domestic(10) + [make_unit(3)])
    assert only(units_domestic_limit(ctx_with({"units": units}))).status == "pass"


def test_units_domestic_limit_passes_with_empty_list():
    assert only(units_domestic_limit(ctx_with({"units": []}))).params == {"count": 0, "limit": 10}


def test_units_domestic_limit_unknown_when_unknown_country_could_exceed():
    units = reindex(domestic(10) + [make_unit(0, name="国别未知单位", country=None, credit_code=None)])
    f = only(units_domestic_limit(ctx_with({"units": units})))
    assert (f.status, f.field) == ("unknown", "units[10].country")


def test_units_domestic_limit_other_year_guide_limit_of_eight():
    assert only(units_domestic_limit(ctx_with({"units": domestic(9)}))).status == "pass"
    f = only(units_domestic_limit(ctx_with({"units": domestic(9)}, guide=make_other_year_guide())))
    assert (f.status, f.params) == ("fail", {"count": 9, "limit": 8})


# --- units.foreign_partner --------------------------------------------------------------


def test_units_foreign_partner_passes_with_exactly_one():
    units = reindex([make_lead_unit(0), make_foreign_unit(1, "US")])
    f = only(units_foreign_partner(ctx_with({"units": units})))
    assert (f.status, f.params) == ("pass", {"count": 1, "required": 1})


def test_units_foreign_partner_counts_hong_kong_unit_as_outside_mainland():
    units = reindex([make_lead_unit(0), make_foreign_unit(1, "HK")])
    assert only(units_foreign_partner(ctx_with({"units": units}))).status == "pass"


def test_units_foreign_partner_counts_international_organisation():
    units = reindex([make_lead_unit(0), make_foreign_unit(1, None, type="international_organization")])
    assert only(units_foreign_partner(ctx_with({"units": units}))).status == "pass"


def test_units_foreign_partner_fails_with_only_mainland_units():
    f = only(units_foreign_partner(ctx_with({"units": domestic(3)})))
    assert (f.status, f.params, f.field, f.fix_id) == (
        "fail",
        {"count": 0, "required": 1},
        "units",
        "fix.add_foreign_partner",
    )


def test_units_foreign_partner_fails_with_empty_list():
    assert only(units_foreign_partner(ctx_with({"units": []}))).status == "fail"


def test_units_foreign_partner_unknown_when_country_missing():
    units = reindex([make_lead_unit(0), make_foreign_unit(1, None)])
    assert only(units_foreign_partner(ctx_with({"units": units}))).status == "unknown"


def test_units_foreign_partner_other_year_guide_requires_two():
    units = reindex([make_lead_unit(0), make_foreign_unit(1, "US")])
    f = only(units_foreign_partner(ctx_with({"units": units}, guide=make_other_year_guide())))
    assert (f.status, f.params) == ("fail", {"count": 1, "required": 2})
