"""Applicants are told when a run they did not start changes their proposal's result, and when
their result becomes stale (a registry reloaded or edited, a new guide version published): in
the app and by e-mail in their language; once per proposal and kind while unread."""

import itertools

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from common.models import Notification, OutboxMessage, Profile
from common.selectors import notification_text
from common.services import notification_mark_read
from guide.services import guide_ingest
from proposals.models import Proposal
from screening import registries, services
from screening.models import ScreeningRun
from screening.notifications import RESULT_CHANGED, RESULT_STALE, notify_stale_results
from tests.factories.proposals import make_user
from tests.factories.screening_db import distinct_text, make_proposal
from tests.screening.conftest import GUIDE_2022

pytestmark = pytest.mark.django_db

_distinct = itertools.count()


@pytest.fixture(autouse=True)
def _default_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def officer():
    return make_user("olga", role="officer")


def owner(name: str = "ann", *, language: str = "", email: str = "ann@example.org"):
    user = make_user(name)
    user.email = email
    user.save(update_fields=["email"])
    if language:
        Profile.objects.create(user=user, language=language)
    return user


def check(proposal, on_commit, *, by) -> ScreeningRun:
    with on_commit(execute=True):
        run = services.screening_request(proposal=proposal, by=by)
    run.refresh_from_db()
    return run


def batch(proposals, on_commit, *, by) -> list[ScreeningRun]:
    with on_commit(execute=True):
        created = services.screening_batch_create(proposals=proposals, by=by)
    return list(created.runs.order_by("pk"))


def make_it_fail(proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(matching_funding=0)  # below the direction's ratio


def notifications(kind: str | None = None) -> list[tuple]:
    rows = Notification.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("recipient__username", "kind", "target_id", "params", "link"))


@pytest.fixture
def screened(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """A submitted proposal whose owner's own check ended in warnings only."""
    proposal = make_proposal(owner=owner())
    assert check(proposal, django_capture_on_commit_callbacks, by=proposal.owner).overall == "warn"
    return proposal


# --- a changed result ------------------------------------------------------------------


def test_an_officers_batch_rerun_that_changes_the_result_notifies_the_owner(
    screened, officer, django_capture_on_commit_callbacks
):
    make_it_fail(screened)
    (run,) = batch([screened], django_capture_on_commit_callbacks, by=officer)
    assert run.overall == "fail"
    assert notifications() == [
        (
            "ann",
            RESULT_CHANGED,
            str(screened.pk),
            {"reference": screened.reference, "before": "warn", "after": "fail", "reason": "batch"},
            f"/screening/proposals/{screened.pk}/",
        )
    ]


def test_a_check_the_owner_started_does_not_notify(screened, django_capture_on_commit_callbacks):
    make_it_fail(screened)
    assert check(screened, django_capture_on_commit_callbacks, by=screened.owner).overall == "fail"
    assert notifications() == []


def test_a_rerun_with_the_same_result_does_not_notify(screened, officer, django_capture_on_commit_callbacks):
    (run,) = batch([screened], django_capture_on_commit_callbacks, by=officer)
    assert run.overall == "warn"
    assert notifications() == []


def test_a_first_result_is_no_change(
    guide2022, all_registries_empty, officer, django_capture_on_commit_callbacks
):
    proposal = make_proposal(owner=owner())
    batch([proposal], django_capture_on_commit_callbacks, by=officer)
    assert notifications() == []


def test_an_officers_single_recheck_notifies_too(screened, officer, django_capture_on_commit_callbacks):
    make_it_fail(screened)
    check(screened, django_capture_on_commit_callbacks, by=officer)
    assert [(n[1], n[3]["reason"]) for n in notifications()] == [(RESULT_CHANGED, "manual")]


def test_a_collision_rescreen_nobody_started_notifies(screened, django_capture_on_commit_callbacks):
    make_it_fail(screened)
    run = ScreeningRun.objects.create(proposal=screened, reason="collision")
    services.screening_execute(run_ids=[run.pk])
    assert [(n[1], n[3]["reason"], n[3]["after"]) for n in notifications()] == [
        (RESULT_CHANGED, "collision", "fail")
    ]


def test_while_unread_a_second_change_adds_no_second_notification(
    screened, officer, django_capture_on_commit_callbacks
):
    make_it_fail(screened)
    batch([screened], django_capture_on_commit_callbacks, by=officer)
    Proposal.objects.filter(pk=screened.pk).update(matching_funding=1000)
    (run,) = batch([screened], django_capture_on_commit_callbacks, by=officer)
    assert run.overall == "warn"
    assert [n[3]["after"] for n in notifications()] == ["fail"]


def test_once_read_a_new_change_notifies_again(screened, officer, django_capture_on_commit_callbacks):
    make_it_fail(screened)
    batch([screened], django_capture_on_commit_callbacks, by=officer)
    notification_mark_read(notification=Notification.objects.get())
    Proposal.objects.filter(pk=screened.pk).update(matching_funding=1000)
    batch([screened], django_capture_on_commit_callbacks, by=officer)
    assert [n[3]["after"] for n in notifications()] == ["fail", "warn"]


def test_only_the_owners_whose_result_changed_are_told(
    guide2022, all_registries_empty, officer, django_capture_on_commit_callbacks
):
    changed, same = (
        make_proposal(owner=owner("ann")),
        make_proposal(owner=owner("bob", email="bob@example.org")),
    )
    for p in (changed, same):
        check(p, django_capture_on_commit_callbacks, by=p.owner)
    make_it_fail(changed)
    batch([changed, same], django_capture_on_commit_callbacks, by=officer)
    assert [(n[0], n[2]) for n in notifications()] == [("ann", str(changed.pk))]


def _changed_batch_queries(n: int, officer, on_commit) -> int:
    # wholly distinct content, so no chance duplicate candidate adds queries to one size only
    proposals = [
        make_proposal(
            owner=owner(f"q{n}-{k}", email=""), research_content=distinct_text(9000 + next(_distinct), 200)
        )
        for k in range(n)
    ]
    for p in proposals:
        check(p, on_commit, by=p.owner)
        make_it_fail(p)
    with on_commit(execute=False):
        created = services.screening_batch_create(proposals=proposals, by=officer)
    ids = list(created.runs.values_list("pk", flat=True))
    before = Notification.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        assert sorted(services.screening_execute(run_ids=ids)) == sorted(ids)
    assert Notification.objects.count() - before == n
    return len(
        [q for q in ctx.captured_queries if not q["sql"].startswith('INSERT INTO "screening_finding"')]
    )


def test_notifying_changed_results_keeps_the_chunk_query_count_constant(
    guide2022, all_registries_empty, officer, django_capture_on_commit_callbacks
):
    small = _changed_batch_queries(2, officer, django_capture_on_commit_callbacks)
    assert _changed_batch_queries(7, officer, django_capture_on_commit_callbacks) == small


# --- the e-mail ----------------------------------------------------------------------


def test_the_owner_gets_an_email_in_chinese_by_default(screened, officer, django_capture_on_commit_callbacks):
    make_it_fail(screened)
    batch([screened], django_capture_on_commit_callbacks, by=officer)
    (message,) = mail.outbox
    assert (message.to, message.subject) == (
        ["ann@example.org"],
        f"申报书 {screened.reference} 的预审结论有变化",
    )
    assert "管理人员的批量重新预审后，结论由“提醒”变为“不通过”。请查看报告中的变化。" in message.body
    assert f"查看：http://127.0.0.1:8000/screening/proposals/{screened.pk}/" in message.body
    assert Notification.objects.get().emailed_at is not None


def test_the_owner_gets_the_email_in_their_language(
    guide2022, all_registries_empty, officer, django_capture_on_commit_callbacks
):
    proposal = make_proposal(owner=owner(language="en"))
    check(proposal, django_capture_on_commit_callbacks, by=proposal.owner)
    make_it_fail(proposal)
    batch([proposal], django_capture_on_commit_callbacks, by=officer)
    (message,) = mail.outbox
    assert message.subject == f"The pre-check result of proposal {proposal.reference} has changed"
    assert (
        "After an officers' batch re-check, the result changed from “Warning” to “Fail”. "
        "The report shows what changed." in message.body
    )
    assert message.body.startswith("Hello ann,")


def test_the_email_is_sent_only_after_commit(screened, officer, django_capture_on_commit_callbacks):
    make_it_fail(screened)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.screening_batch_create(proposals=[screened], by=officer)
    for callback in callbacks:  # the batch's chunk runs now, eagerly; its own on_commit waits
        with django_capture_on_commit_callbacks(execute=False) as inner:
            callback()
        assert (Notification.objects.count(), len(mail.outbox)) == (1, 0)
        assert (
            OutboxMessage.objects.filter(task="common.notification_email", sent_at__isnull=True).count() == 1
        )
        for follow_up in inner:
            follow_up()
    assert len(mail.outbox) == 1


# --- stale results ------------------------------------------------------------------


def test_reloading_a_registry_tells_the_owners_of_stale_results(screened, django_capture_on_commit_callbacks):
    admin = make_user("root", role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        registries.registry_import_csv(
            name="guide_experts", text="id_number,name\n11010519491231002X,张三\n", by=admin
        )
    assert notifications() == [
        (
            "ann",
            RESULT_STALE,
            str(screened.pk),
            {"reference": screened.reference, "registries": ["guide_experts"]},
            f"/screening/proposals/{screened.pk}/",
        )
    ]
    (message,) = mail.outbox
    assert message.subject == f"申报书 {screened.reference} 的预审结果可能已过时"
    assert "预审所用的名单（指南编制专家）已更新，这份结果可能已不准确。" in message.body


def test_editing_a_registry_by_hand_tells_them_too(screened):
    registries.registry_touch(name="misconduct")
    assert [(n[1], n[3]["registries"]) for n in notifications()] == [(RESULT_STALE, ["misconduct"])]


def test_a_stale_result_is_told_once_while_unread(screened):
    registries.registry_touch(name="misconduct")
    registries.registries_import(data={"recommenders": ["科学技术部国际合作司"], "guide_experts": []})
    assert [n[3]["registries"] for n in notifications(RESULT_STALE)] == [["misconduct"]]


def test_a_draft_or_a_result_not_yet_finished_is_not_told(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    draft = make_proposal(owner=owner("ann"), state="draft")
    check(draft, django_capture_on_commit_callbacks, by=draft.owner)
    waiting = make_proposal(owner=owner("bob", email="bob@example.org"))
    ScreeningRun.objects.create(proposal=waiting)  # queued
    registries.registry_touch(name="misconduct")
    assert notifications() == []


def test_a_result_made_after_the_reload_is_not_stale(screened, django_capture_on_commit_callbacks):
    registries.registry_touch(name="misconduct")
    Notification.objects.update(read_at="2022-03-01T00:00:00Z")
    check(screened, django_capture_on_commit_callbacks, by=screened.owner)
    assert notify_stale_results(registry="misconduct") == 0


def test_the_admin_who_reloads_is_not_told_about_their_own_proposal(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    admin = make_user("root", role="admin")
    proposal = make_proposal(owner=admin)
    check(proposal, django_capture_on_commit_callbacks, by=admin)
    registries.registry_touch(name="misconduct", by=admin)
    assert notifications() == []


def test_a_new_guide_version_tells_the_owners_of_that_years_results(
    screened, django_capture_on_commit_callbacks
):
    # publishing calls notify_stale_results through settings.ON_GUIDE_PUBLISHED
    guide_ingest(path=GUIDE_2022)  # publishes a new version of 2022
    notify_stale_results(year=2022)  # told once, however often asked
    assert notifications() == [
        (
            "ann",
            RESULT_STALE,
            str(screened.pk),
            {"reference": screened.reference, "year": 2022},
            f"/screening/proposals/{screened.pk}/",
        )
    ]


def test_publishing_a_guide_version_tells_them(screened):
    guide_ingest(path=GUIDE_2022)  # version_publish runs the ON_GUIDE_PUBLISHED hook
    assert [(n[1], n[3]) for n in notifications()] == [
        (RESULT_STALE, {"reference": screened.reference, "year": 2022})
    ]


def test_a_new_guide_version_of_another_year_tells_nobody(screened):
    guide_ingest(path=GUIDE_2022)  # tells ann of her 2022 result
    told = notifications()
    assert notify_stale_results(year=2023) == 0
    assert notifications() == told


def test_the_guide_publish_hook_names_this_function():
    assert settings.ON_GUIDE_PUBLISHED == ["screening.notifications.notify_stale_results"]


def test_notify_stale_results_query_count_is_constant(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    def queries(n: int) -> int:
        Notification.objects.update(read_at="2022-03-01T00:00:00Z")
        proposals = [make_proposal(owner=owner(f"s{n}-{k}", email="")) for k in range(n)]
        batch(proposals, django_capture_on_commit_callbacks, by=None)
        registries.registry_touch(name="misconduct")  # stale now; told by the touch itself
        Notification.objects.update(read_at="2022-03-01T00:00:00Z")
        with CaptureQueriesContext(connection) as ctx:
            told = notify_stale_results(registry="misconduct")
        assert told == Proposal.objects.count()
        return len(ctx.captured_queries)

    assert queries(2) == queries(8)


# --- the words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "zh", "en"),
    [
        (
            {"reference": "P-1", "before": "pass", "after": "fail", "reason": "collision"},
            (
                "申报书 P-1 的预审结论有变化",
                "与其他申报书的交叉核对后，结论由“通过”变为“不通过”。请查看报告中的变化。",
            ),
            (
                "The pre-check result of proposal P-1 has changed",
                "After a cross-check with other proposals, the result changed from “Pass” to “Fail”. "
                "The report shows what changed.",
            ),
        ),
    ],
)
def test_a_changed_result_reads_in_both_languages(params, zh, en):
    notification = Notification(kind=RESULT_CHANGED, params=params)
    assert tuple(vars(notification_text(notification, language="zh-hans")).values()) == zh
    assert tuple(vars(notification_text(notification, language="en")).values()) == en


def test_a_stale_result_reads_in_both_languages():
    notification = Notification(
        kind=RESULT_STALE, params={"reference": "P-1", "registries": ["misconduct", "recommenders"]}
    )
    assert notification_text(notification, language="zh-hans").body == (
        "预审所用的名单（失信记录、推荐单位）已更新，这份结果可能已不准确。可以在报告页再次检查，或等待管理人员重新预审。"
    )
    assert notification_text(notification, language="en").body == (
        "The registries the check used (Misconduct records, Recommender) have been updated, so this result may "
        "no longer be accurate. You can check again on the report page, or wait for the officers to re-check."
    )
    guide = Notification(kind=RESULT_STALE, params={"reference": "P-1", "year": 2022})
    assert notification_text(guide, language="en").body.startswith(
        "A new version of the 2022 guide has been published,"
    )
