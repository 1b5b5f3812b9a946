"""Notifications in common: sending (deduplicated, e-mailed after commit through the outbox,
retried, never lost), the recipient's language (remembered at login and on the language switch),
the list page with mark-read, the unread count in the navigation, and isolation between users."""

import re
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from common import context_processors
from common.models import Notification, OutboxMessage, Profile
from common.services import (
    NotificationSpec,
    _insert_notifications,
    notification_email_send,
    notification_send,
    notifications_send,
)
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

STALE = "screening.result_stale"


@pytest.fixture(autouse=True)
def _default_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def user(name: str, *, email: str | None = None, language: str = ""):
    u = make_user(name)
    u.email = f"{name}@example.org" if email is None else email
    u.save(update_fields=["email"])
    if language:
        Profile.objects.create(user=u, language=language)
    return u


def send(recipient, reference: str = "P-1", target=None, **kwargs):
    return notification_send(
        recipient=recipient,
        kind=STALE,
        params={"reference": reference, "registries": ["misconduct"]},
        target=target or recipient,
        link="/screening/",
        **kwargs,
    )


def ids(response) -> list[int]:
    return [
        int(i) for i in re.findall(r'data-testid="notification" data-id="(\d+)"', response.content.decode())
    ]


# --- sending -------------------------------------------------------------------------


def test_sending_creates_the_notification_and_one_email_task(django_capture_on_commit_callbacks):
    ann = user("ann")
    with django_capture_on_commit_callbacks(execute=False):
        notification = send(ann)
    assert (notification.recipient, notification.kind, notification.read_at) == (ann, STALE, None)
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("common.notification_email", [notification.pk])
    ]


def test_an_unread_twin_is_not_sent_again():
    ann = user("ann")
    first = send(ann)
    assert send(ann) is None
    assert list(Notification.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_same_kind_about_another_target_or_for_another_user_is_sent():
    ann, bob = user("ann"), user("bob")
    send(ann, target=ann)
    send(ann, target=bob)
    send(bob, target=ann)
    assert Notification.objects.count() == 3


def test_after_reading_it_the_next_one_is_sent(client):
    ann = user("ann")
    first = send(ann)
    client.force_login(ann)
    client.post(f"/notifications/{first.pk}/read/")
    assert send(ann) is not None
    assert Notification.objects.filter(recipient=ann).count() == 2


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown notification kind: screening.nonsense"):
        notification_send(recipient=user("ann"), kind="screening.nonsense")
    assert Notification.objects.count() == 0


def test_duplicates_within_one_call_create_one():
    ann = user("ann")
    spec = NotificationSpec(recipient_id=ann.pk, kind=STALE, params={"reference": "P-1"}, target_id="5")
    assert len(notifications_send(specs=[spec, spec])) == 1


def test_a_twin_created_concurrently_is_skipped_not_an_error():
    ann = user("ann")
    existing = send(ann)
    twin = Notification(
        recipient=ann, kind=STALE, target_type=existing.target_type, target_id=existing.target_id
    )
    other = Notification(recipient=ann, kind=STALE, target_type="proposals.proposal", target_id="9")
    created = _insert_notifications([twin, other])
    assert [n.target_id for n in created] == ["9"]
    assert Notification.objects.count() == 2


def test_sending_many_takes_a_constant_number_of_queries():
    def queries(n: int) -> int:
        people = [user(f"u{n}-{k}") for k in range(n)]
        specs = [NotificationSpec(recipient_id=p.pk, kind=STALE, target_id="1") for p in people]
        with CaptureQueriesContext(connection) as ctx:
            assert len(notifications_send(specs=specs)) == n
        return len(ctx.captured_queries)

    assert queries(2) == queries(9)


def test_sending_nothing_takes_no_query():
    with CaptureQueriesContext(connection) as ctx:
        assert notifications_send(specs=[]) == []
    assert ctx.captured_queries == []


# --- the e-mail ----------------------------------------------------------------------


def test_the_email_goes_out_after_commit_in_the_recipients_language(django_capture_on_commit_callbacks):
    ann, bob = user("ann", language="en"), user("bob")
    with django_capture_on_commit_callbacks(execute=True):
        send(ann, reference="P-7")
        send(bob, reference="P-8")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ann@example.org"], "The pre-check result of proposal P-7 may be out of date"),
        (["bob@example.org"], "申报书 P-8 的预审结果可能已过时"),
    ]
    assert mail.outbox[0].body == (
        "Hello ann,\n\n"
        "The pre-check result of proposal P-7 may be out of date\n\n"
        "The registries the check used (Misconduct records) have been updated, so this result may no longer "
        "be accurate. You can check again on the report page, or wait for the officers to re-check.\n\n"
        "Open: http://127.0.0.1:8000/screening/\n\n"
        "All your notifications: http://127.0.0.1:8000/notifications/\n\n"
        "This e-mail was sent automatically by the pre-screening workbench; please do not reply.\n"
    )
    assert mail.outbox[1].from_email == settings.DEFAULT_FROM_EMAIL
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_sending_the_email_twice_sends_it_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user("ann"))
    assert notification_email_send(notification_id=notification.pk) == "already"
    assert len(mail.outbox) == 1


def test_a_user_without_an_address_keeps_the_notification_and_gets_no_email(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user("ann", email=""))
    notification.refresh_from_db()
    assert (len(mail.outbox), notification.emailed_at, notification.email_error) == (
        0,
        None,
        "no e-mail address",
    )
    assert notification_email_send(notification_id=notification.pk) == "already"


@pytest.fixture
def worker_like_retries():
    """Eager tasks with errors kept inside the task, as a worker runs them: a retry runs at once
    (no countdown) instead of propagating to the caller."""
    from config.celery import app

    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


def test_a_failing_mail_server_is_retried_then_recorded_and_the_notification_stays(
    monkeypatch, worker_like_retries, django_capture_on_commit_callbacks
):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(1)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("common.services.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user("ann"))
    notification.refresh_from_db()
    assert len(attempts) == 6  # the first try and 5 retries
    assert (notification.emailed_at, notification.email_error, notification.read_at) == (
        None,
        "SMTPServerDisconnected: Connection unexpectedly closed",
        None,
    )


def test_a_mail_server_back_on_a_retry_sends_once(
    monkeypatch, worker_like_retries, django_capture_on_commit_callbacks
):
    from django.core.mail import send_mail

    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionRefusedError(111, "Connection refused")
        return send_mail(*args, **kwargs)

    monkeypatch.setattr("common.services.send_mail", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user("ann"))
    notification.refresh_from_db()
    assert (len(calls), len(mail.outbox), notification.email_error) == (3, 1, "")


def test_retries_back_off_then_give_up(monkeypatch):
    from celery.exceptions import Retry

    from common.tasks import notification_email

    notification = send(user("ann"))

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    countdowns = []

    def retry(exc=None, countdown=None, **kwargs):
        countdowns.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr("common.services.send_mail", refuse)
    monkeypatch.setattr(notification_email, "retry", retry)
    for retries in range(6):
        notification_email.push_request(retries=retries)
        try:
            if retries < 5:
                with pytest.raises(Retry):
                    notification_email.run(notification.pk)
            else:
                notification_email.run(notification.pk)
        finally:
            notification_email.pop_request()
    notification.refresh_from_db()
    assert (countdowns, notification.email_error) == ([30, 60, 120, 240, 480], "SMTPServerDisconnected: gone")


def test_on_the_embedded_default_a_mail_error_is_logged_and_the_notification_stays(
    monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("common.services.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(user("ann"))
    notification.refresh_from_db()
    # the Retry propagates (eager tasks raise) and the outbox's on_commit logs it; no e-mail
    assert (Notification.objects.count(), notification.emailed_at, len(mail.outbox)) == (1, None, 0)


# --- the recipient's language ------------------------------------------------------------


def test_logging_in_remembers_the_interface_language(client):
    ann = user("ann")
    ann.set_password("a-long-password-1")
    ann.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post("/accounts/login/", {"username": "ann", "password": "a-long-password-1"})
    assert Profile.objects.get(user=ann).language == "en"


def test_logging_in_without_a_choice_remembers_chinese(client):
    ann = user("ann")
    ann.set_password("a-long-password-1")
    ann.save()
    client.post("/accounts/login/", {"username": "ann", "password": "a-long-password-1"})
    assert Profile.objects.get(user=ann).language == "zh-hans"


def test_switching_the_language_when_signed_in_remembers_it(client):
    ann = user("ann", language="zh-hans")
    client.force_login(ann)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/notifications/"})
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    assert (
        response.cookies[settings.LANGUAGE_COOKIE_NAME].value,
        Profile.objects.get(user=ann).language,
    ) == (
        "en",
        "en",
    )


def test_switching_to_a_language_the_site_does_not_offer_changes_nothing(client):
    ann = user("ann", language="zh-hans")
    client.force_login(ann)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert Profile.objects.get(user=ann).language == "zh-hans"


def test_switching_the_language_anonymously_still_works(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (response.status_code, response.cookies[settings.LANGUAGE_COOKIE_NAME].value) == (302, "en")
    assert Profile.objects.count() == 0


# --- the list page -------------------------------------------------------------------


def test_the_list_shows_my_notifications_newest_first_in_my_language(client):
    ann, bob = user("ann"), user("bob")
    older, newer = send(ann, "P-1", target=ann), send(ann, "P-2", target=bob)
    send(bob, "P-3")
    client.force_login(ann)
    response = client.get("/notifications/")
    html = response.content.decode()
    assert ids(response) == [newer.pk, older.pk]
    assert (
        "<strong>申报书 P-2 的预审结果可能已过时</strong>" in html,
        "P-3" in html,
        html.count('data-testid="unread"'),
    ) == (True, False, 2)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/notifications/").content.decode()
    assert "<strong>The pre-check result of proposal P-2 may be out of date</strong>" in html


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/notifications/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/notifications/")


def test_marking_one_read(client):
    ann = user("ann")
    first, second = send(ann, target=ann), send(ann, target=user("bob"))
    client.force_login(ann)
    response = client.post(f"/notifications/{first.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.read_at is not None, second.read_at) == (True, None)


def test_opening_one_marks_it_read_and_goes_to_its_link(client):
    ann = user("ann")
    notification = send(ann)
    client.force_login(ann)
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert (response.status_code, response["Location"]) == (302, "/screening/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_never_followed(client):
    ann = user("ann")
    notification = send(ann)
    Notification.objects.filter(pk=notification.pk).update(link="https://evil.example/")
    client.force_login(ann)
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"


def test_marking_read_needs_post(client):
    ann = user("ann")
    notification = send(ann)
    client.force_login(ann)
    assert client.get(f"/notifications/{notification.pk}/read/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_marks_only_mine(client):
    ann, bob = user("ann"), user("bob")
    send(ann, target=ann)
    send(ann, target=bob)
    theirs = send(bob)
    client.force_login(ann)
    assert client.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(recipient=ann, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_users_notification_is_a_404_and_stays_unread(client):
    ann, bob = user("ann"), user("bob")
    theirs = send(bob)
    client.force_login(ann)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/", {"open": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert ids(client.get("/notifications/")) == []


def test_the_list_query_count_does_not_grow(client):
    ann = user("ann")
    client.force_login(ann)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifications/").status_code == 200
        return len(ctx.captured_queries)

    for k in range(2):
        send(ann, target=user(f"a{k}"))
    small = queries()
    for k in range(12):
        send(ann, target=user(f"b{k}"))
    assert queries() == small


# --- the unread count ---------------------------------------------------------------


def test_the_navigation_shows_an_applicants_unread_count(client):
    ann = user("ann")
    send(ann, target=ann)
    send(ann, target=user("bob"))
    client.force_login(ann)
    html = client.get("/").content.decode()
    assert (
        '<a href="/notifications/" data-testid="nav-notifications">通知 <span class="nav-count" '
        'data-testid="nav-unread">2</span></a>'
    ) in html
    client.post("/notifications/read-all/")
    html = client.get("/").content.decode()
    assert '<a href="/notifications/" data-testid="nav-notifications">通知</a>' in html


def test_the_unread_count_is_one_query_cached_for_the_request(rf):
    ann = user("ann")
    send(ann)
    request = rf.get("/")
    request.user = ann
    context = context_processors.notifications(request)
    with CaptureQueriesContext(connection) as ctx:
        assert (int(str(context["notifications_unread"])), bool(context["notifications_unread"])) == (1, True)
        again = context_processors.notifications(request)
        assert str(again["notifications_unread"]) == "1"
    assert len(ctx.captured_queries) == 1
    assert "COUNT(" in ctx.captured_queries[0]["sql"].upper()


def test_a_page_that_does_not_show_the_count_does_not_count(rf):
    request = rf.get("/")
    request.user = user("ann")
    with CaptureQueriesContext(connection) as ctx:
        context_processors.notifications(request)
    assert ctx.captured_queries == []


def test_the_count_adds_one_query_to_a_page_whatever_the_number_of_notifications(client):
    ann = user("ann")
    client.force_login(ann)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/proposals/")
        return len([q for q in ctx.captured_queries if "common_notification" in q["sql"]])

    send(ann, target=ann)
    small = queries()
    for k in range(6):
        send(ann, target=user(f"c{k}"))
    assert (small, queries()) == (1, 1)


def test_officers_have_no_notifications_link(client):
    client.force_login(make_user("olga", role="officer"))
    html = client.get("/").content.decode()
    assert 'data-testid="nav-notifications"' not in html


# --- hooks ----------------------------------------------------------------------------

HOOK_CALLS: list[dict] = []


def record_hook(**kwargs) -> None:
    HOOK_CALLS.append(kwargs)


def test_hooks_run_calls_each_configured_function_with_the_arguments(settings):
    from common.services import hooks_run

    HOOK_CALLS.clear()
    settings.ON_GUIDE_PUBLISHED = [f"{__name__}.record_hook", f"{__name__}.record_hook"]
    hooks_run("ON_GUIDE_PUBLISHED", year=2022, by=None)
    assert HOOK_CALLS == [{"year": 2022, "by": None}, {"year": 2022, "by": None}]


def test_hooks_run_without_the_setting_does_nothing(settings):
    from common.services import hooks_run

    HOOK_CALLS.clear()
    hooks_run("ON_NOTHING_CONFIGURED", year=2022)
    assert HOOK_CALLS == []
