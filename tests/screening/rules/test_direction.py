from screening.rules.direction import (
    direction_exists,
    direction_testing_institution,
    hgr_license,
    partner_continents,
    partner_countries,
)
from screening.rules.types import PartnerReq
from tests.factories.screening_snapshots import (
    ctx_with,
    make_direction,
    make_foreign_unit,
    make_guide,
    make_lead_unit,
    make_unit,
    reindex,
)


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


# --- direction.exists -------------------------------------------------------------------


def test_direction_exists_passes_for_guide_direction():
    f = only(direction_exists(ctx_with()))
    assert (f.status, f.params["direction"], f.params["year"]) == ("pass", "5.2", 2022)


def test_direction_exists_normalises_full_width_code():
    assert only(direction_exists(ctx_with({"direction": " 5．2 "}))).status == "pass"


def test_direction_exists_fails_for_unknown_code():
    f = only(direction_exists(ctx_with({"direction": "11.1"})))
    assert (f.status, f.field, f.fix_id, f.params) == (
        "fail",
        "direction",
        "fix.choose_direction",
        {"direction": "11.1", "year": 2022},
    )


def test_direction_exists_unknown_without_direction():
    assert only(direction_exists(ctx_with({"direction": None}))).status == "unknown"


def test_direction_exists_unknown_without_guide():
    assert only(direction_exists(ctx_with(guide=None))).message_id == "common.guide_missing"


# --- direction.partner_countries --------------------------------------------------------


def units_with(*countries, types=None):
    types = types or {}
    foreign = [
        make_foreign_unit(i + 1, country, type=types.get(country, "university"))
        for i, country in enumerate(countries)
    ]
    return reindex([make_lead_unit(0), *foreign])


def test_partner_countries_hard_rule_passes_with_two_foreign_countries():
    f = only(partner_countries(ctx_with({"units": units_with("DE", "US")})))
    assert (f.status, f.clause, f.params["count"], f.params["countries"]) == (
        "pass",
        "direction 5.2",
        2,
        ["DE", "US"],
    )


def test_partner_countries_hard_rule_counts_a_country_once():
    f = only(partner_countries(ctx_with({"units": units_with("DE", "DE")})))
    assert (f.status, f.params["count"], f.fix_id) == ("fail", 1, "fix.add_partner_countries")


def test_partner_countries_hard_rule_does_not_count_hong_kong():
    f = only(partner_countries(ctx_with({"units": units_with("DE", "HK")})))
    assert (f.status, f.params["count"]) == ("fail", 1)


def test_partner_countries_hard_rule_does_not_count_mainland_units():
    units = reindex([make_lead_unit(0), make_unit(1), make_foreign_unit(2, "DE")])
    assert only(partner_countries(ctx_with({"units": units}))).status == "fail"


def test_partner_countries_hard_rule_fails_with_no_partners():
    f = only(partner_countries(ctx_with({"units": [make_lead_unit(0)]})))
    assert (f.status, f.params["count"]) == ("fail", 0)


def test_partner_countries_unknown_when_missing_country_could_decide():
    f = only(partner_countries(ctx_with({"units": units_with("DE", None)})))
    assert (f.status, f.field) == ("unknown", "units[2].country")


def test_partner_countries_indicator_counts_hong_kong_and_international_organisation():
    units = units_with("HK", "CH", types={"CH": "international_organization"})
    f = only(partner_countries(ctx_with({"direction": "6.4", "units": units})))
    assert (f.status, f.params["count"]) == ("pass", 2)


def test_partner_countries_indicator_unmet_warns():
    f = only(partner_countries(ctx_with({"direction": "6.4", "units": units_with("MO")})))
    assert (f.status, f.message_id) == ("warn", "direction.partner_countries.short")


def test_partner_countries_not_applicable_without_requirement():
    f = only(partner_countries(ctx_with({"direction": "10.7"})))
    assert (f.status, f.message_id) == ("not_applicable", "common.direction_no_requirement")


def test_partner_countries_unknown_for_direction_not_in_guide():
    f = only(partner_countries(ctx_with({"direction": "99.9"})))
    assert (f.status, f.message_id) == ("unknown", "common.direction_unresolved")


def test_partner_countries_unknown_for_unreadable_requirement():
    direction = make_direction(partner_reqs=[PartnerReq(kind="foreign_countries", value="若干")])
    guide = make_guide(directions={"5.2": direction})
    assert only(partner_countries(ctx_with(guide=guide))).message_id == "common.bad_requirement"


# --- direction.partner_continents -------------------------------------------------------


def test_partner_continents_passes_with_asia_europe_americas():
    f = only(partner_continents(ctx_with({"direction": "2.1", "units": units_with("JP", "FR", "BR")})))
    assert (f.status, f.params["missing"]) == ("pass", [])


def test_partner_continents_counts_hong_kong_as_asia():
    f = only(partner_continents(ctx_with({"direction": "2.1", "units": units_with("HK", "FR", "US")})))
    assert f.status == "pass"


def test_partner_continents_mainland_unit_is_not_an_asian_partner():
    units = reindex([make_lead_unit(0), make_unit(1), make_foreign_unit(2, "FR"), make_foreign_unit(3, "US")])
    f = only(partner_continents(ctx_with({"direction": "2.1", "units": units})))
    assert (f.status, f.params["missing"], f.fix_id) == ("warn", ["asia"], "fix.add_partner_continents")


def test_partner_continents_required_rule_fails():
    req = PartnerReq(kind="continents", value=("亚洲", "非洲"), strength="required")
    guide = make_guide(directions={"5.2": make_direction(partner_reqs=[req])})
    f = only(partner_continents(ctx_with({"units": units_with("JP", "DE")}, guide=guide)))
    assert (f.status, f.params["missing"]) == ("fail", ["africa"])


def test_partner_continents_not_applicable_without_requirement():
    assert only(partner_continents(ctx_with())).status == "not_applicable"


# --- direction.testing_institution ------------------------------------------------------


def test_testing_institution_passes_with_third_party_testing_unit():
    units = reindex([make_lead_unit(0), make_unit(1, name="国家光伏质检中心", third_party_testing=True)])
    f = only(direction_testing_institution(ctx_with({"direction": "2.1", "units": units})))
    assert (f.status, f.params["units"], f.clause) == ("pass", ["国家光伏质检中心"], "direction 2.1")


def test_testing_institution_fails_without_testing_unit():
    f = only(direction_testing_institution(ctx_with({"direction": "2.1"})))
    assert (f.status, f.params["count"], f.fix_id) == ("fail", 0, "fix.add_testing_institution")


def test_testing_institution_not_applicable_elsewhere():
    assert only(direction_testing_institution(ctx_with())).status == "not_applicable"


def test_testing_institution_university_kind_uses_unit_type():
    req = PartnerReq(kind="institution_kind", value="university", text="参加单位应包括高校")
    guide = make_guide(directions={"5.2": make_direction(partner_reqs=[req])})
    f = only(direction_testing_institution(ctx_with(guide=guide)))
    assert (f.status, f.params["units"]) == (
        "pass",
        ["清华大学", "Technische Universität Berlin", "University of Michigan"],
    )


def test_testing_institution_unmodelled_kind_is_unknown():
    req = PartnerReq(kind="institution_kind", value="hospital", text="参加单位应包括医院")
    guide = make_guide(directions={"5.2": make_direction(partner_reqs=[req])})
    f = only(direction_testing_institution(ctx_with(guide=guide)))
    assert (f.status, f.message_id) == ("unknown", "common.bad_requirement")


# --- direction.hgr_license --------------------------------------------------------------


def test_hgr_license_passes_with_licensed_unit():
    units = reindex([make_lead_unit(0, hgr_license=True)])
    assert only(hgr_license(ctx_with({"direction": "10.4", "units": units}))).status == "pass"


def test_hgr_license_fails_without_licensed_unit():
    f = only(hgr_license(ctx_with({"direction": "10.4"})))
    assert (f.status, f.message_id) == ("fail", "direction.hgr_license.missing")


def test_hgr_license_parser_code_hgr_preservation_maps_to_flag():
    req = PartnerReq(kind="licence", value="hgr_preservation", text="须具备人类遗传资源保藏行政许可")
    guide = make_guide(directions={"5.2": make_direction(partner_reqs=[req])})
    units = reindex([make_lead_unit(0, hgr_license=True)])
    assert only(hgr_license(ctx_with({"units": units}, guide=guide))).status == "pass"


def test_hgr_license_not_applicable_elsewhere():
    assert only(hgr_license(ctx_with())).status == "not_applicable"


def test_hgr_license_unknown_without_guide():
    assert only(hgr_license(ctx_with({"direction": "10.4"}, guide=None))).status == "unknown"
