from datetime import date

import pytest

from screening.rules.pi import (
    is_doctorate,
    is_senior_title,
    pi_age,
    pi_civil_servant,
    pi_employment_proof,
    pi_ongoing_project,
    pi_qualification,
    pi_single_project,
)
from tests.factories.screening_snapshots import (
    ctx_with,
    make_cross,
    make_foreign_unit,
    make_guide,
    make_lead_unit,
    make_ongoing,
    make_other_year_guide,
    make_pi,
    make_registries,
)


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


# --- pi.age ----------------------------------------------------------------------------


def test_pi_age_passes_when_born_after_cutoff():
    f = only(pi_age(ctx_with({"pi": make_pi(birth_date=date(1975, 5, 5))})))
    assert (f.status, f.message_id, f.clause) == ("pass", "pi.age.pass", "2(1)")


def test_pi_age_passes_on_cutoff_date_itself():
    f = only(pi_age(ctx_with({"pi": make_pi(birth_date=date(1962, 1, 1), id_number="E1234567")})))
    assert f.status == "pass"
    assert f.params == {"birth_date": "1962-01-01", "cutoff": "1962-01-01"}


def test_pi_age_fails_one_day_before_cutoff():
    f = only(pi_age(ctx_with({"pi": make_pi(birth_date=date(1961, 12, 31), id_number="E1234567")})))
    assert (f.status, f.message_id, f.field, f.fix_id) == (
        "fail",
        "pi.age.too_old",
        "pi.birth_date",
        "fix.pi_birth_date",
    )
    assert f.params == {"birth_date": "1961-12-31", "cutoff": "1962-01-01"}


def test_pi_age_unknown_without_birth_date_or_id_date():
    f = only(pi_age(ctx_with({"pi": make_pi(birth_date=None, id_number="E1234567")})))
    assert (f.status, f.message_id, f.field) == ("unknown", "common.data_missing", "pi.birth_date")


def test_pi_age_uses_birth_date_from_id_number_when_missing():
    f = only(pi_age(ctx_with({"pi": make_pi(birth_date=None, id_number="110101196001011234")})))
    assert (f.status, f.params["birth_date"]) == ("fail", "1960-01-01")


def test_pi_age_warns_when_id_number_date_is_before_cutoff():
    pi = make_pi(birth_date=date(1965, 1, 1), id_number="110101196001011234")
    f = only(pi_age(ctx_with({"pi": pi})))
    assert (f.status, f.message_id, f.params["id_birth_date"]) == ("warn", "pi.age.id_mismatch", "1960-01-01")


def test_pi_age_unknown_without_pi():
    assert only(pi_age(ctx_with({"pi": None}))).field == "pi"


def test_pi_age_unknown_when_guide_not_ingested():
    f = only(pi_age(ctx_with(guide=None)))
    assert (f.status, f.message_id, f.params) == ("unknown", "common.guide_missing", {"year": 2022})


def test_pi_age_not_applicable_when_guide_sets_no_limit():
    f = only(pi_age(ctx_with(guide=make_guide(pi_born_on_or_after=None))))
    assert (f.status, f.message_id) == ("not_applicable", "common.guide_param_absent")


def test_pi_age_other_year_guide_uses_its_own_cutoff():
    pi = make_pi(birth_date=date(1964, 12, 31), id_number="E1234567")
    assert only(pi_age(ctx_with({"pi": pi}))).status == "pass"
    f = only(pi_age(ctx_with({"pi": pi}, guide=make_other_year_guide())))
    assert (f.status, f.params["cutoff"]) == ("fail", "1965-01-01")


# --- pi.qualification --------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "教授",
        "研究员",
        "主任医师",
        "正高级工程师",
        "教授级高级工程师",
        "副教授",
        "副研究员",
        "高级工程师",
        "副主任医师",
        "高级实验师",
        "正高级实验师",
        "高级经济师",
        "编审",
        "副编审",
        "Professor",
        "Associate Professor",
        "Senior Engineer",
        "Research Professor",
        "Senior Lecturer",
    ],
)
def test_is_senior_title_accepts_senior_titles(title):
    assert is_senior_title(title) is True


@pytest.mark.parametrize(
    "title",
    [
        "讲师",
        "助理研究员",
        "工程师",
        "助理教授",
        "Assistant Professor",
        "实验师",
        "主治医师",
        "Lecturer",
        "博士后研究员",
    ],
)
def test_is_senior_title_rejects_junior_titles(title):
    assert is_senior_title(title) is False


def test_is_senior_title_empty_is_none():
    assert is_senior_title("  ") is None


@pytest.mark.parametrize("degree", ["博士", "工学博士", "PhD", "Ph.D.", "Dr.", "Doctorate", "DPhil"])
def test_is_doctorate_accepts_doctorates(degree):
    assert is_doctorate(degree) is True


@pytest.mark.parametrize("degree", ["硕士", "学士", "Master of Science", "博士在读", "PhD candidate"])
def test_is_doctorate_rejects_other_degrees(degree):
    assert is_doctorate(degree) is False


def test_pi_qualification_passes_with_senior_title_only():
    f = only(pi_qualification(ctx_with({"pi": make_pi(title="副研究员", degree="硕士")})))
    assert (f.status, f.params["basis"]) == ("pass", "title")


def test_pi_qualification_passes_with_doctorate_only():
    f = only(pi_qualification(ctx_with({"pi": make_pi(title="讲师", degree="博士")})))
    assert (f.status, f.params["basis"]) == ("pass", "degree")


def test_pi_qualification_fails_engineer_with_master():
    f = only(pi_qualification(ctx_with({"pi": make_pi(title="工程师", degree="硕士")})))
    assert (f.status, f.message_id, f.field, f.fix_id) == (
        "fail",
        "pi.qualification.fail",
        "pi.title",
        "fix.pi_qualification",
    )


def test_pi_qualification_fails_assistant_professor_with_master():
    f = only(pi_qualification(ctx_with({"pi": make_pi(title="Assistant Professor", degree="Master")})))
    assert f.status == "fail"


def test_pi_qualification_passes_associate_professor_without_doctorate():
    f = only(pi_qualification(ctx_with({"pi": make_pi(title="Associate Professor", degree="MSc")})))
    assert f.status == "pass"


def test_pi_qualification_unknown_when_degree_missing_and_title_junior():
    f = only(pi_qualification(ctx_with({"pi": make_pi(title="讲师", degree=None)})))
    assert (f.status, f.field) == ("unknown", "pi.degree")


def test_pi_qualification_unknown_when_both_missing():
    f = only(pi_qualification(ctx_with({"pi": make_pi(title="", degree=None)})))
    assert (f.status, f.field) == ("unknown", "pi.title")


# --- pi.employment_proof -----------------------------------------------------------------


def test_pi_employment_proof_not_applicable_for_mainland_pi():
    f = only(pi_employment_proof(ctx_with()))
    assert (f.status, f.message_id) == ("not_applicable", "pi.employment_proof.mainland_pi")


def test_pi_employment_proof_full_time_foreign_pi_with_one_proof_passes():
    pi = make_pi(nationality="US", employment="full_time", employment_proofs=1)
    f = only(pi_employment_proof(ctx_with({"pi": pi})))
    assert (f.status, f.params["required"], f.params["count"]) == ("pass", 1, 1)


def test_pi_employment_proof_full_time_foreign_pi_without_proof_fails():
    pi = make_pi(nationality="US", employment="full_time", employment_proofs=0)
    f = only(pi_employment_proof(ctx_with({"pi": pi})))
    assert (f.status, f.field, f.fix_id) == ("fail", "attachments", "fix.attach_employment_proof")


def test_pi_employment_proof_part_time_hk_pi_needs_two_proofs():
    pi = make_pi(nationality="HK", employment="part_time", employment_proofs=1)
    f = only(pi_employment_proof(ctx_with({"pi": pi})))
    assert (f.status, f.params["required"], f.params["count"]) == ("fail", 2, 1)


def test_pi_employment_proof_part_time_tw_pi_with_two_proofs_passes():
    pi = make_pi(nationality="TW", employment="part_time", employment_proofs=2)
    assert only(pi_employment_proof(ctx_with({"pi": pi}))).status == "pass"


def test_pi_employment_proof_counts_zero_when_no_proof_attached():
    pi = make_pi(nationality="DE", employment="full_time", employment_proofs=None)
    f = only(pi_employment_proof(ctx_with({"pi": pi, "attachments": {"recommendation_letter"}})))
    assert (f.status, f.params["count"]) == ("fail", 0)


def test_pi_employment_proof_unknown_when_count_not_given_but_proof_attached():
    pi = make_pi(nationality="DE", employment="part_time", employment_proofs=None)
    f = only(pi_employment_proof(ctx_with({"pi": pi, "attachments": {"employment_proof"}})))
    assert (f.status, f.field) == ("unknown", "pi.employment_proofs")


def test_pi_employment_proof_unknown_without_employment_kind():
    pi = make_pi(nationality="DE", employment=None, employment_proofs=1)
    assert only(pi_employment_proof(ctx_with({"pi": pi}))).field == "pi.employment"


def test_pi_employment_proof_unknown_without_nationality():
    assert only(pi_employment_proof(ctx_with({"pi": make_pi(nationality=None)}))).field == "pi.nationality"


def test_pi_employment_proof_fails_when_employer_is_foreign_unit():
    pi = make_pi(nationality="DE", employer="TU Berlin", employment="full_time", employment_proofs=1)
    units = [make_lead_unit(0), make_foreign_unit(1, "DE", name="TU Berlin")]
    f = only(pi_employment_proof(ctx_with({"pi": pi, "units": units})))
    assert (f.status, f.message_id, f.field) == (
        "fail",
        "pi.employment_proof.not_mainland_employer",
        "pi.employer",
    )


# --- pi.single_project -------------------------------------------------------------------


def test_pi_single_project_passes_without_other_proposals():
    assert only(pi_single_project(ctx_with())).status == "pass"


def test_pi_single_project_fails_naming_the_other_proposal():
    f = only(pi_single_project(ctx_with(cross=make_cross(other_pi_proposals=["P2022-0042"]))))
    assert (f.status, f.params["others"], f.fix_id) == (
        "fail",
        ["P2022-0042"],
        "fix.withdraw_other_pi_proposals",
    )


def test_pi_single_project_ignores_own_reference():
    f = only(pi_single_project(ctx_with(cross=make_cross(other_pi_proposals=["P2022-0001"]))))
    assert f.status == "pass"


def test_pi_single_project_unknown_without_cross_index():
    assert only(pi_single_project(ctx_with(cross=None))).message_id == "common.cross_not_computed"


def test_pi_single_project_unknown_without_id_number():
    assert only(pi_single_project(ctx_with({"pi": make_pi(id_number=None)}))).field == "pi.id_number"


# --- pi.ongoing_project ------------------------------------------------------------------


def test_pi_ongoing_project_fails_for_ongoing_project_lead():
    registries = make_registries(ongoing_projects=[make_ongoing("110101197505051234")])
    f = only(pi_ongoing_project(ctx_with(registries=registries)))
    assert (f.status, f.params["programs"], f.params["roles"]) == (
        "fail",
        ["国家重点研发计划"],
        ["project_lead"],
    )


def test_pi_ongoing_project_fails_for_ongoing_task_lead():
    registries = make_registries(ongoing_projects=[make_ongoing("110101197505051234", role="task_lead")])
    assert only(pi_ongoing_project(ctx_with(registries=registries))).status == "fail"


def test_pi_ongoing_project_matches_id_number_case_insensitively():
    pi = make_pi(id_number="11010119750505123x")
    registries = make_registries(ongoing_projects=[make_ongoing("11010119750505123X")])
    assert only(pi_ongoing_project(ctx_with({"pi": pi}, registries=registries))).status == "fail"


def test_pi_ongoing_project_passes_same_name_different_id():
    registries = make_registries(ongoing_projects=[make_ongoing("110101197001019999", name="张伟")])
    assert only(pi_ongoing_project(ctx_with(registries=registries))).status == "pass"


def test_pi_ongoing_project_passes_with_empty_registry():
    assert only(pi_ongoing_project(ctx_with())).status == "pass"


def test_pi_ongoing_project_unknown_when_registry_not_loaded():
    f = only(pi_ongoing_project(ctx_with(registries=make_registries(ongoing_projects=None))))
    assert (f.status, f.message_id, f.params) == (
        "unknown",
        "common.registry_not_loaded",
        {"registry": "ongoing_projects"},
    )


# --- pi.civil_servant --------------------------------------------------------------------


def test_pi_civil_servant_passes_for_non_civil_servant():
    assert only(pi_civil_servant(ctx_with())).status == "pass"


def test_pi_civil_servant_fails_for_civil_servant():
    f = only(pi_civil_servant(ctx_with({"pi": make_pi(civil_servant=True, employer="科学技术部")})))
    assert (f.status, f.clause, f.field) == ("fail", "2(6)", "pi.civil_servant")


def test_pi_civil_servant_unknown_when_not_stated():
    f = only(pi_civil_servant(ctx_with({"pi": make_pi(civil_servant=None)})))
    assert (f.status, f.field) == ("unknown", "pi.civil_servant")
