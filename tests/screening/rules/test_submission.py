from screening.rules.submission import (
    recommendation_letter,
    recommendation_recommender,
    submission_complete,
    submission_duplicate,
)
from screening.rules.types import unit_key
from tests.factories.screening_snapshots import (
    DIRECTION_5_2_TEXT,
    ctx_with,
    make_cross,
    make_direction,
    make_guide,
    make_lead_unit,
    make_other_proposal,
    make_pi,
    make_registries,
)


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


# --- submission.complete ----------------------------------------------------------------


def test_submission_complete_passes_for_full_proposal():
    f = only(submission_complete(ctx_with()))
    assert (f.status, f.message_id, f.clause) == ("pass", "submission.complete.pass", "1(4)")


def test_submission_complete_lists_every_missing_field():
    ctx = ctx_with(
        {
            "title": " ",
            "pi": make_pi(birth_date=None, degree=""),
            "start_date": None,
            "national_funding": None,
            "matching_funding": None,
        }
    )
    f = only(submission_complete(ctx))
    assert f.status == "fail"
    assert f.params["missing"] == [
        "title",
        "pi.birth_date",
        "pi.degree",
        "start_date",
        "budget.national",
        "budget.matching",
    ]
    assert (f.field, f.fix_id) == ("title", "fix.fill_missing")


def test_submission_complete_fails_without_units():
    f = only(submission_complete(ctx_with({"units": []})))
    assert f.params["missing"] == ["units"]


def test_submission_complete_fails_without_lead_unit():
    units = [make_lead_unit(0, role="participant")]
    assert only(submission_complete(ctx_with({"units": units}))).params["missing"] == ["units[lead]"]


def test_submission_complete_fails_without_pi():
    assert only(submission_complete(ctx_with({"pi": None}))).params["missing"] == ["pi"]


def test_submission_complete_matching_not_required_when_direction_sets_no_ratio():
    ctx = ctx_with({"direction": "10.7", "matching_funding": None})
    assert only(submission_complete(ctx)).status == "pass"


def test_submission_complete_requires_matching_when_direction_sets_ratio():
    guide = make_guide(directions={"5.2": make_direction()})
    f = only(submission_complete(ctx_with({"matching_funding": None}, guide=guide)))
    assert f.params["missing"] == ["budget.matching"]


# --- recommendation.letter --------------------------------------------------------------


def test_recommendation_letter_passes_when_attached():
    f = only(recommendation_letter(ctx_with()))
    assert (f.status, f.clause) == ("pass", "1(1)")


def test_recommendation_letter_fails_when_missing():
    f = only(recommendation_letter(ctx_with({"attachments": {"cooperation_agreement"}})))
    assert (f.status, f.field, f.fix_id) == ("fail", "attachments", "fix.attach_recommendation_letter")


def test_recommendation_letter_fails_with_no_attachments():
    assert only(recommendation_letter(ctx_with({"attachments": set()}))).status == "fail"


def test_recommendation_letter_unknown_when_attachments_not_loaded():
    f = only(recommendation_letter(ctx_with({"attachments": None})))
    assert (f.status, f.field) == ("unknown", "attachments")


# --- recommendation.recommender ---------------------------------------------------------


def test_recommendation_recommender_passes_for_designated_recommender():
    assert only(recommendation_recommender(ctx_with())).status == "pass"


def test_recommendation_recommender_normalises_names():
    ctx = ctx_with({"recommender": " 中国 科学院 "}, registries=make_registries(recommenders={"中国科学院"}))
    assert only(recommendation_recommender(ctx)).status == "pass"


def test_recommendation_recommender_fails_for_other_recommender():
    f = only(recommendation_recommender(ctx_with({"recommender": "某市科技局"})))
    assert (f.status, f.params, f.field) == ("fail", {"recommender": "某市科技局"}, "recommender")


def test_recommendation_recommender_fails_with_empty_registry():
    ctx = ctx_with(registries=make_registries(recommenders=set()))
    assert only(recommendation_recommender(ctx)).status == "fail"


def test_recommendation_recommender_unknown_when_registry_not_loaded():
    f = only(recommendation_recommender(ctx_with(registries=make_registries(recommenders=None))))
    assert (f.status, f.params) == ("unknown", {"registry": "recommenders"})


def test_recommendation_recommender_unknown_without_recommender():
    assert only(recommendation_recommender(ctx_with({"recommender": None}))).field == "recommender"


# --- submission.duplicate ---------------------------------------------------------------

TITLE = "新能源汽车运行故障与事故检测评价关键技术联合研究"


def test_submission_duplicate_passes_without_candidates():
    assert only(submission_duplicate(ctx_with())).status == "pass"


def test_submission_duplicate_fails_same_pi_same_title_via_different_recommender():
    other = make_other_proposal(
        7, title=TITLE, pi_id_number="110101197505051234", recommender="工业和信息化部"
    )
    f = only(submission_duplicate(ctx_with(cross=make_cross(duplicate_candidates=[other]))))
    assert (f.status, f.clause, f.params) == (
        "fail",
        "1(2)",
        {"others": ["P2022-0007"], "other_recommender": True},
    )
    assert f.evidence[0]["reasons"] == ["same_pi_title"]


def test_submission_duplicate_fails_same_lead_unit_near_identical_title():
    lead_key = unit_key(make_lead_unit(0))
    other = make_other_proposal(8, title=TITLE + "与示范", lead_unit_key=lead_key, recommender="教育部")
    f = only(submission_duplicate(ctx_with(cross=make_cross(duplicate_candidates=[other]))))
    assert (f.status, f.params["others"], f.params["other_recommender"]) == ("fail", ["P2022-0008"], False)
    assert f.evidence[0]["reasons"] == ["same_lead_unit_title"]


def test_submission_duplicate_fails_near_identical_content_from_other_applicant():
    other = make_other_proposal(9, title="车辆安全检测国际合作", research_content=DIRECTION_5_2_TEXT)
    f = only(submission_duplicate(ctx_with(cross=make_cross(duplicate_candidates=[other]))))
    assert (f.status, f.evidence[0]["reasons"]) == ("fail", ["same_content"])


def test_submission_duplicate_passes_same_title_different_pi_and_unit():
    other = make_other_proposal(10, title=TITLE)
    assert (
        only(submission_duplicate(ctx_with(cross=make_cross(duplicate_candidates=[other])))).status == "pass"
    )


def test_submission_duplicate_passes_same_pi_different_project():
    other = make_other_proposal(11, pi_id_number="110101197505051234")
    assert (
        only(submission_duplicate(ctx_with(cross=make_cross(duplicate_candidates=[other])))).status == "pass"
    )


def test_submission_duplicate_ignores_itself():
    me = make_other_proposal(
        1, title=TITLE, pi_id_number="110101197505051234", research_content=DIRECTION_5_2_TEXT
    )
    assert only(submission_duplicate(ctx_with(cross=make_cross(duplicate_candidates=[me])))).status == "pass"


def test_submission_duplicate_unknown_without_cross_index():
    assert only(submission_duplicate(ctx_with(cross=None))).status == "unknown"


def test_submission_duplicate_unknown_without_title_and_content():
    f = only(submission_duplicate(ctx_with({"title": None, "research_content": ""})))
    assert (f.status, f.message_id) == ("unknown", "submission.duplicate.no_text")
