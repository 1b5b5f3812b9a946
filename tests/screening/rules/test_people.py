from screening.rules.people import (
    member_ongoing_project,
    person_guide_expert,
    person_integrity,
    person_single_project,
)
from tests.factories.screening_snapshots import (
    ctx_with,
    make_cross,
    make_member,
    make_ongoing,
    make_other_ref,
    make_pi,
    make_registries,
)

PI_ID = "110101197505051234"
MEMBER0_ID = make_member(0).id_number
MEMBER1_ID = make_member(1).id_number


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


# --- member.ongoing_project -------------------------------------------------------------


def test_member_ongoing_project_passes_with_empty_registry():
    f = only(member_ongoing_project(ctx_with()))
    assert (f.status, f.params) == ("pass", {"count": 2})


def test_member_ongoing_project_fails_for_ongoing_project_lead():
    registries = make_registries(ongoing_projects=[make_ongoing(MEMBER1_ID, program="科技创新2030")])
    f = only(member_ongoing_project(ctx_with(registries=registries)))
    assert (f.status, f.field, f.params) == (
        "fail",
        "members[1]",
        {"name": "李娜", "path": "members[1]", "others": ["科技创新2030"]},
    )


def test_member_ongoing_project_allows_ongoing_task_lead():
    registries = make_registries(ongoing_projects=[make_ongoing(MEMBER0_ID, role="task_lead")])
    assert only(member_ongoing_project(ctx_with(registries=registries))).status == "pass"


def test_member_ongoing_project_one_finding_per_member():
    registries = make_registries(ongoing_projects=[make_ongoing(MEMBER0_ID), make_ongoing(MEMBER1_ID)])
    findings = member_ongoing_project(ctx_with(registries=registries))
    assert [(f.status, f.field) for f in findings] == [("fail", "members[0]"), ("fail", "members[1]")]


def test_member_ongoing_project_does_not_judge_the_pi():
    registries = make_registries(ongoing_projects=[make_ongoing(PI_ID)])
    assert only(member_ongoing_project(ctx_with(registries=registries))).status == "pass"


def test_member_ongoing_project_passes_with_no_members():
    f = only(member_ongoing_project(ctx_with({"members": []})))
    assert (f.status, f.params) == ("pass", {"count": 0})


def test_member_ongoing_project_unknown_for_member_without_id():
    members = [make_member(0), make_member(1, id_number=None)]
    f = only(member_ongoing_project(ctx_with({"members": members})))
    assert (f.status, f.field) == ("unknown", "members[1].id_number")


def test_member_ongoing_project_unknown_when_registry_not_loaded():
    f = only(member_ongoing_project(ctx_with(registries=make_registries(ongoing_projects=None))))
    assert f.message_id == "common.registry_not_loaded"


# --- person.single_project --------------------------------------------------------------


def test_person_single_project_passes_without_other_proposals():
    f = only(person_single_project(ctx_with()))
    assert (f.status, f.params) == ("pass", {"count": 3})


def test_person_single_project_fails_for_pi_in_two_proposals_naming_the_other():
    cross = make_cross(person_proposals={PI_ID: [make_other_ref(5, role="pi")]})
    f = only(person_single_project(ctx_with(cross=cross)))
    assert (f.status, f.field, f.params["others"], f.fix_id) == (
        "fail",
        "pi",
        ["P2022-0005"],
        "fix.leave_other_proposals",
    )


def test_person_single_project_fails_for_member_in_another_proposal():
    cross = make_cross(person_proposals={MEMBER0_ID: [make_other_ref(6), make_other_ref(7)]})
    f = only(person_single_project(ctx_with(cross=cross)))
    assert (f.field, f.params["others"]) == ("members[0]", ["P2022-0006", "P2022-0007"])


def test_person_single_project_same_name_different_id_passes():
    namesake = make_member(0, name="张伟", id_number="320101198001010011")
    cross = make_cross(person_proposals={"320101198001010011": []})
    f = only(person_single_project(ctx_with({"members": [namesake]}, cross=cross)))
    assert f.status == "pass"


def test_person_single_project_ignores_own_proposal_in_index():
    cross = make_cross(person_proposals={PI_ID: [make_other_ref(1, role="pi", reference="P2022-0001")]})
    assert only(person_single_project(ctx_with(cross=cross))).status == "pass"


def test_person_single_project_counts_pi_repeated_in_members_once():
    members = [make_member(0, id_number=PI_ID, name="张伟")]
    cross = make_cross(person_proposals={PI_ID: [make_other_ref(5)]})
    f = only(person_single_project(ctx_with({"members": members}, cross=cross)))
    assert f.field == "pi"


def test_person_single_project_unknown_without_cross_index():
    assert only(person_single_project(ctx_with(cross=None))).status == "unknown"


# --- person.guide_expert ----------------------------------------------------------------


def test_person_guide_expert_warns_for_guide_drafter():
    registries = make_registries(guide_experts={PI_ID})
    f = only(person_guide_expert(ctx_with(registries=registries)))
    assert (f.status, f.clause, f.field, f.message_id) == ("warn", "2(4)", "pi", "person.guide_expert.expert")


def test_person_guide_expert_passes_with_empty_registry():
    assert only(person_guide_expert(ctx_with())).status == "pass"


def test_person_guide_expert_unknown_when_registry_not_loaded():
    assert (
        only(person_guide_expert(ctx_with(registries=make_registries(guide_experts=None)))).status
        == "unknown"
    )


# --- person.integrity -------------------------------------------------------------------


def test_person_integrity_fails_for_listed_member():
    registries = make_registries(misconduct_people={MEMBER1_ID})
    f = only(person_integrity(ctx_with(registries=registries)))
    assert (f.status, f.clause, f.field) == ("fail", "2(5)", "members[1]")


def test_person_integrity_fails_for_listed_pi_and_member_separately():
    registries = make_registries(misconduct_people={PI_ID, MEMBER0_ID})
    findings = person_integrity(ctx_with(registries=registries))
    assert [f.field for f in findings] == ["pi", "members[0]"]


def test_person_integrity_same_name_different_id_passes():
    registries = make_registries(misconduct_people={"999999199001010000"})
    assert (
        only(person_integrity(ctx_with({"pi": make_pi(name="张伟")}, registries=registries))).status == "pass"
    )


def test_person_integrity_unknown_when_registry_not_loaded():
    f = only(person_integrity(ctx_with(registries=make_registries(misconduct_people=None))))
    assert f.params == {"registry": "misconduct_people"}
