"""Results that say when they are out of date: a result checked on other content than the
proposal holds now says "checked before your last change" on the report, the proposal list and
the detail page; the submit confirmation checks the current content (storing nothing) and lists
what fails now; the owner is told when the check of a submission finishes; "may be out of date"
notices are marked read when a newer result is there."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.models import Notification
from proposals.models import Person, Proposal
from screening import registries, selectors, services
from screening.models import ScreeningRun
from screening.notifications import RESULT_CHANGED, RESULT_READY, RESULT_STALE
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db

CHANGED_ZH = "这份结果是在您最近一次修改之前检查的"
MARK_ZH = "在您最近一次修改之前检查"


def run_for(proposal, on_commit, **kwargs) -> ScreeningRun:
    with on_commit(execute=True):
        run = services.screening_request(proposal=proposal, **kwargs)
    run.refresh_from_db()
    return run


def change_title(proposal, title: str = "改过的项目名称") -> None:
    Proposal.objects.filter(pk=proposal.pk).update(title=title)


# --- the data hash of a result against the content now ---------------------------------


def test_a_result_on_the_current_content_is_not_checked_before_a_change(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(state="draft")
    run = run_for(proposal, django_capture_on_commit_callbacks)
    assert len(run.data_sha256) == 64
    assert selectors.run_checked_before_change(run=run) is False
    assert selectors.proposals_checked_before_change([proposal]) == set()


def test_a_change_to_any_field_the_rules_read_makes_the_result_checked_before_it(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(state="draft")
    run = run_for(proposal, django_capture_on_commit_callbacks)
    Person.objects.filter(proposal=proposal, role="member").update(name="另一个骨干")
    assert selectors.run_checked_before_change(run=run) is True
    assert selectors.proposals_checked_before_change([proposal]) == {proposal.pk}


def test_changing_the_content_back_makes_the_result_current_again(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(state="draft", title="原来的名称")
    run = run_for(proposal, django_capture_on_commit_callbacks)
    change_title(proposal)
    assert selectors.run_checked_before_change(run=run) is True
    change_title(proposal, "原来的名称")
    assert selectors.run_checked_before_change(run=run) is False


def test_an_unfinished_run_or_none_is_never_checked_before_a_change(db):
    proposal = make_proposal(state="draft")
    queued = ScreeningRun.objects.create(proposal=proposal, reason="draft")
    assert selectors.run_checked_before_change(run=queued) is False
    assert selectors.run_checked_before_change(run=None) is False
    assert selectors.proposals_checked_before_change([proposal]) == set()


def test_the_lists_check_is_a_constant_number_of_queries(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    def queries(n: int) -> int:
        proposals = [make_proposal(state="draft") for _ in range(n)]
        for p in proposals:
            run_for(p, django_capture_on_commit_callbacks)
            change_title(p, f"改过 {p.pk}")
        with CaptureQueriesContext(connection) as ctx:
            assert selectors.proposals_checked_before_change(proposals) == {p.pk for p in proposals}
        return len(ctx.captured_queries)

    assert queries(1) == queries(4) == 6


# --- the pages ---------------------------------------------------------------------------


def test_the_report_says_it_was_checked_before_the_owners_last_change(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("changer")
    proposal = make_proposal(owner=owner, state="draft")
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    client.force_login(owner)
    before = client.get(f"/screening/proposals/{proposal.pk}/")
    assert before.context["checked_before_change"] is False
    assert before.content.decode().count(CHANGED_ZH) == 0
    change_title(proposal)
    after = client.get(f"/screening/proposals/{proposal.pk}/")
    assert after.context["checked_before_change"] is True
    html = after.content.decode()
    assert html.count(CHANGED_ZH) == 1
    assert html.count('data-testid="changed-check-again">按现在的内容重新检查</button>') == 1


def test_an_officer_reads_it_was_checked_before_the_proposals_last_change_in_english(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(state="submitted")
    run_for(proposal, django_capture_on_commit_callbacks)
    change_title(proposal)
    client.force_login(make_user("reader", role="officer"))
    client.cookies["django_language"] = "en"
    html = client.get(f"/screening/proposals/{proposal.pk}/").content.decode()
    assert html.count("This result was checked before the proposal's last change") == 1
    assert html.count("changed-check-again") == 0


def test_the_proposal_list_marks_results_checked_before_a_change(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("lister")
    changed = make_proposal(owner=owner, state="draft", reference="P-CHANGED")
    same = make_proposal(owner=owner, state="draft", reference="P-SAME")
    run_for(changed, django_capture_on_commit_callbacks, by=owner)
    run_for(same, django_capture_on_commit_callbacks, by=owner)
    change_title(changed)
    client.force_login(owner)
    html = client.get("/proposals/").content.decode()
    assert html.count('data-testid="checked-before-change-P-CHANGED">在您最近一次修改之前检查</span>') == 1
    assert html.count("checked-before-change-P-SAME") == 0


def test_the_detail_page_marks_a_result_checked_before_a_change(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("detailer")
    proposal = make_proposal(owner=owner, state="draft")
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    client.force_login(owner)
    marker = f'data-testid="checked-before-change">{MARK_ZH}</p>'
    assert client.get(f"/proposals/{proposal.pk}/").content.decode().count(marker) == 0
    change_title(proposal)
    assert client.get(f"/proposals/{proposal.pk}/").content.decode().count(marker) == 1


def test_a_get_on_the_check_address_goes_to_the_report(client, db):
    owner = make_user("getter")
    proposal = make_proposal(owner=owner, state="draft")
    client.force_login(owner)
    response = client.get(f"/screening/proposals/{proposal.pk}/check/")
    assert (response.status_code, response["Location"]) == (302, f"/screening/proposals/{proposal.pk}/")
    assert ScreeningRun.objects.filter(proposal=proposal).count() == 0


# --- the submit confirmation checks the content now ----------------------------------------


def test_the_confirmation_lists_what_fails_now_not_what_the_last_check_found(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    """The applicant fixes a failing field and presses submit: the old failure is not shown."""
    owner = make_user("fixer")
    proposal = make_proposal(owner=owner, state="draft", pi_birth=date(1961, 12, 31), recommender="某某大学")
    run = run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    assert {f.rule for f in run.findings.filter(status="fail")} == {"pi.age", "recommendation.recommender"}
    Proposal.objects.filter(pk=proposal.pk).update(recommender="科学技术部国际合作司")
    client.force_login(owner)
    response = client.post(f"/proposals/{proposal.pk}/submit/")
    assert response["Location"] == f"/proposals/{proposal.pk}/submit/confirm/"
    page = client.get(response["Location"])
    assert page.context["failures"] == [("pi.age", "项目负责人年龄")]
    assert page.context["failures"].checked_before_change is True
    assert [f.anchor for f in page.context["failures"]] == ["field-pi.birth_date"]
    html = page.content.decode()
    assert (
        html.count(
            f'<li data-rule="pi.age"><a href="/proposals/{proposal.pk}/edit/#field-pi.birth_date">项目负责人年龄</a></li>'
        )
        == 1
    )
    assert html.count('<li data-rule="recommendation.recommender">') == 0
    assert html.count("预审报告中的结果是在您最近一次修改之前检查的") == 1
    assert ScreeningRun.objects.filter(proposal=proposal).count() == 1  # nothing stored


def test_fixing_every_failure_submits_without_a_confirmation(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("clean")
    proposal = make_proposal(owner=owner, state="draft", recommender="某某大学")
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    Proposal.objects.filter(pk=proposal.pk).update(recommender="科学技术部国际合作司")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/proposals/{proposal.pk}/submit/")
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"


def test_the_check_now_computes_the_duplicate_rule_on_the_content_now(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    """The draft's stored fingerprints are those of its last check; the check now reads the text."""
    text = "开发燃烧中二氧化碳捕集共性关键技术，建立富氧燃烧与化学链燃烧的示范装置并完成中试验证。" * 3
    make_proposal(state="submitted", research_content=text, reference="P-FIRST")
    run_for(Proposal.objects.get(reference="P-FIRST"), django_capture_on_commit_callbacks)
    draft = make_proposal(state="draft")
    run_for(draft, django_capture_on_commit_callbacks)
    Proposal.objects.filter(pk=draft.pk).update(research_content=text)
    findings = selectors.check_now(draft.pk).findings
    assert [f.status for f in findings if f.rule == "submission.duplicate"] == ["fail"]


# --- notifications -------------------------------------------------------------------------


def notifications(kind: str) -> list[tuple]:
    """(recipient, proposal id, params, unread) of each notification of ``kind``."""
    return [
        (username, target_id, params, read_at is None)
        for username, target_id, params, read_at in Notification.objects.filter(kind=kind)
        .order_by("id")
        .values_list("recipient__username", "target_id", "params", "read_at")
    ]


def test_the_owner_is_told_when_the_check_of_their_submission_finishes(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("told")
    proposal = make_proposal(owner=owner, state="submitted")
    run = services.screening_on_submitted(proposal_id=proposal.pk, user_id=owner.pk)
    assert (run.status, run.reason) == ("done", "submit")
    assert notifications(RESULT_READY) == [
        ("told", str(proposal.pk), {"reference": proposal.reference, "overall": run.overall}, True)
    ]


def test_the_ready_notice_reads_in_both_languages():
    from django.utils import translation

    from common.selectors import notification_text

    notification = Notification(kind=RESULT_READY, params={"reference": "P-1", "overall": "fail"})
    with translation.override("zh-hans"):
        assert (notification_text(notification).title, notification_text(notification).body) == (
            "申报书 P-1 的预审已完成",
            "提交后的预审已完成，结论为“不通过”。请查看预审报告。",
        )
    with translation.override("en"):
        assert (notification_text(notification).title, notification_text(notification).body) == (
            "The screening of proposal P-1 is done",
            "The screening after your submission is done; its conclusion is “Fail”. See the screening report.",
        )


def test_a_check_of_a_draft_or_an_officers_recheck_with_the_same_result_is_not_a_ready_notice(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("quiet")
    draft = make_proposal(owner=owner, state="draft")
    run_for(draft, django_capture_on_commit_callbacks, by=owner)
    submitted = make_proposal(owner=owner, state="submitted")
    run_for(submitted, django_capture_on_commit_callbacks, by=make_user("o", role="officer"))
    assert notifications(RESULT_READY) == []


def test_a_submission_check_that_changes_the_result_is_one_notice_not_two(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    """An officer's import submits (the run is not the owner's): the change says it all."""
    owner = make_user("once")
    proposal = make_proposal(owner=owner, state="submitted")
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    Proposal.objects.filter(pk=proposal.pk).update(matching_funding=0)
    officer = make_user("importer", role="officer")
    run = services.screening_on_submitted(proposal_id=proposal.pk, user_id=officer.pk)
    assert run.overall == "fail"
    assert [n[0] for n in notifications(RESULT_CHANGED)] == ["once"]
    assert notifications(RESULT_READY) == []


def test_a_stale_notice_is_marked_read_when_a_newer_result_is_there(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("renewed")
    proposal = make_proposal(owner=owner, state="submitted")
    other = make_proposal(owner=owner, state="submitted")
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    run_for(other, django_capture_on_commit_callbacks, by=owner)
    registries.registries_import(data={"misconduct": []})
    assert sorted((n[1], n[3]) for n in notifications(RESULT_STALE)) == sorted(
        [(str(proposal.pk), True), (str(other.pk), True)]
    )
    officer = make_user("rechecker", role="officer")
    run_for(proposal, django_capture_on_commit_callbacks, by=officer)
    assert sorted((n[1], n[3]) for n in notifications(RESULT_STALE)) == sorted(
        [(str(proposal.pk), False), (str(other.pk), True)]
    )


def test_the_check_in_a_request_reads_the_registries_again_only_after_a_change(db):
    registries.registries_import(data={"recommenders": ["甲单位"]})
    first = selectors.registries_cached()
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.registries_cached() is first
    assert len(ctx.captured_queries) == 1
    registries.registries_import(data={"recommenders": ["乙单位"]})
    assert selectors.registries_cached().recommenders == {"乙单位"}
