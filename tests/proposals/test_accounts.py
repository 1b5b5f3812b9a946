"""Accounts: login throttling, sign-up that does not reveal usernames, password reset."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456!"  # make_user's
LOCKED_OUT = "登录失败次数过多，请 15 分钟后再试或联系管理员。"


def log_in(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip="10.0.0.1"):
    return [log_in(client, username, "wrong-password", ip).status_code for _ in range(times)]


# --- login throttling --------------------------------------------------------


def test_four_wrong_passwords_then_the_right_one_logs_in(client):
    make_user("amy")
    assert fail(client, "amy", 4) == [200, 200, 200, 200]
    response = log_in(client, "amy", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_fifth_wrong_password_locks_and_the_right_one_is_then_refused(client):
    make_user("bob")
    assert fail(client, "bob", 5) == [200, 200, 200, 200, 429]
    response = log_in(client, "bob", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert [t.name for t in response.templates if t.name.startswith("registration/")] == [
        "registration/login.html",  # the form Django rendered, replaced by axes' middleware
        "registration/locked_out.html",
    ]
    assert LOCKED_OUT in response.content.decode()


def test_lockout_page_in_english(client):
    make_user("eve")
    client.cookies["django_language"] = "en"
    fail(client, "eve", 5)
    response = log_in(client, "eve", PASSWORD)
    assert response.status_code == 429
    assert (
        "Too many failed logins. Please try again in 15 minutes or contact an administrator."
        in response.content.decode()
    )


def test_lockout_is_kept_in_the_database_not_in_the_process_or_session(client):
    from django.test import Client

    make_user("lea")
    fail(client, "lea", 5)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("lea", "10.0.0.1", 5)
    assert log_in(Client(), "lea", PASSWORD).status_code == 429  # fresh cookies, same answer


def test_login_works_again_after_the_cool_off(client):
    make_user("cal")
    fail(client, "cal", 5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=15, seconds=1)
    )
    response = log_in(client, "cal", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_login_still_refused_just_before_the_cool_off_ends(client):
    make_user("cid")
    fail(client, "cid", 5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14, seconds=50)
    )
    assert log_in(client, "cid", PASSWORD).status_code == 429


def test_admin_reset_command_unlocks(client):
    make_user("dan")
    fail(client, "dan", 5)
    call_command("axes_reset_username", "dan")
    assert log_in(client, "dan", PASSWORD).status_code == 302


def test_admin_unlocks_by_deleting_the_attempt_in_the_admin(client):
    from django.test import Client

    make_user("jon")
    fail(client, "jon", 5)
    admin = Client()
    admin.force_login(make_user("chief", role="admin"))
    listing = admin.get("/admin/axes/accessattempt/")
    attempt = AccessAttempt.objects.get()
    assert (listing.status_code, attempt.username, attempt.failures_since_start) == (200, "jon", 5)
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert (deleted.status_code, AccessAttempt.objects.count()) == (302, 0)
    assert log_in(client, "jon", PASSWORD).status_code == 302


def test_another_user_from_the_same_address_is_not_locked(client):
    make_user("fay")
    make_user("gus")
    fail(client, "fay", 5)
    assert log_in(client, "gus", PASSWORD).status_code == 302


def test_the_same_user_from_another_address_is_not_locked(client):
    make_user("hal")
    fail(client, "hal", 5, ip="10.0.0.1")
    assert log_in(client, "hal", PASSWORD, ip="10.0.0.2").status_code == 302


def test_successful_login_resets_the_failure_count(client):
    make_user("ivy")
    fail(client, "ivy", 4)
    assert log_in(client, "ivy", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, "ivy", 4) == [200, 200, 200, 200]
    assert log_in(client, "ivy", PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(client):
    make_user("root", role="admin")
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "nope"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429


def test_client_ip_behind_one_trusted_proxy_is_the_address_the_proxy_saw(rf, settings):
    from common.lockout import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(rf, settings):
    from common.lockout import client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "172.16.0.1"


# --- sign-up -----------------------------------------------------------------


def signup(client, username, email, password="a-Long-pass-2022"):
    return client.post(
        reverse("proposals:signup"),
        {"username": username, "email": email, "password1": password, "password2": password},
        follow=True,
    )


def observable(response) -> tuple:
    """What an outsider sees of a sign-up answer (the CSRF token differs by design)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return (
        response.redirect_chain,
        response.status_code,
        [t.name for t in response.templates][:1],
        [str(m) for m in response.context["messages"]],
        html,
    )


def test_signup_creates_an_applicant_who_can_log_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, "newbie", "newbie@example.org")
    assert response.redirect_chain == [("/accounts/login/", 302)]
    user = get_user_model().objects.get(username="newbie")
    assert (user.email, list(user.groups.values_list("name", flat=True))) == (
        "newbie@example.org",
        ["applicant"],
    )
    assert log_in(client, "newbie", "a-Long-pass-2022").status_code == 302
    assert client.get(reverse("proposals:list")).status_code == 200


def test_signup_answers_a_taken_username_exactly_like_a_free_one(client, django_capture_on_commit_callbacks):
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        free = signup(Client(), "zoe", "zoe@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        taken = signup(Client(), "zoe", "mallory@example.org", password="another-Pass-99")
    with django_capture_on_commit_callbacks(execute=True):
        taken_other_case = signup(Client(), "ZOE", "mallory@example.org", password="another-Pass-99")
    assert observable(taken) == observable(free)
    assert observable(taken_other_case)[:4] == observable(free)[:4]
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [
        (mail.outbox[0].subject, mail.outbox[0].body, ["zoe@example.org"]),
        (mail.outbox[0].subject, mail.outbox[0].body, ["mallory@example.org"]),
        (mail.outbox[0].subject, mail.outbox[0].body.replace("zoe", "ZOE"), ["mallory@example.org"]),
    ]
    zoe = get_user_model().objects.get(username="zoe")
    assert (zoe.email, zoe.check_password("a-Long-pass-2022")) == ("zoe@example.org", True)
    assert get_user_model().objects.filter(username__iexact="zoe").count() == 1


def test_signup_mail_says_how_to_log_in_and_how_to_reset(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "yan", "yan@example.org")
    assert [m.subject for m in mail.outbox] == ["指南预审工作台：注册申请已收到"]
    body = mail.outbox[0].body
    assert (
        "http://testserver/accounts/login/" in body,
        "http://testserver/accounts/password_reset/" in body,
    ) == (
        True,
        True,
    )


def test_signup_requires_an_email(client):
    response = client.post(
        reverse("proposals:signup"),
        {"username": "nomail", "email": "", "password1": "a-Long-pass-2022", "password2": "a-Long-pass-2022"},
    )
    assert (response.status_code, list(response.context["form"].errors)) == (400, ["email"])
    assert get_user_model().objects.filter(username="nomail").count() == 0


def test_signup_form_errors_do_not_mention_a_taken_username(client):
    make_user("taken")
    response = client.post(
        reverse("proposals:signup"),
        {
            "username": "taken",
            "email": "x@example.org",
            "password1": "a-Long-pass-2022",
            "password2": "different-Pass-1",
        },
    )
    assert (response.status_code, list(response.context["form"].errors)) == (400, ["password2"])


# --- password reset ----------------------------------------------------------


def request_reset(client, email, capture):
    """Ask for the reset mail; the worker's outbox task (eager here) runs once the request commits."""
    with capture(execute=True):
        return client.post(reverse("password_reset"), {"email": email})


def test_password_reset_end_to_end(client, django_capture_on_commit_callbacks):
    user = make_user("pia")
    user.email = "pia@example.org"
    user.save(update_fields=["email"])
    response = request_reset(client, "pia@example.org", django_capture_on_commit_callbacks)
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/done/")
    assert [(m.subject, m.to) for m in mail.outbox] == [("指南预审工作台：重设密码", ["pia@example.org"])]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert (form_page.status_code, form_page.context["validlink"]) == (200, True)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-New-pass-7", "new_password2": "brand-New-pass-7"})
    assert (done.status_code, done["Location"]) == (302, "/accounts/reset/done/")
    assert log_in(client, "pia", PASSWORD).status_code == 200
    assert log_in(client, "pia", "brand-New-pass-7").status_code == 302


def test_password_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    response = request_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert (response.status_code, response["Location"], len(mail.outbox)) == (
        302,
        "/accounts/password_reset/done/",
        0,
    )


def test_password_reset_link_works_once(client, django_capture_on_commit_callbacks):
    user = make_user("quin")
    user.email = "quin@example.org"
    user.save(update_fields=["email"])
    request_reset(client, "quin@example.org", django_capture_on_commit_callbacks)
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "brand-New-pass-7", "new_password2": "brand-New-pass-7"})
    again = client.get(link, follow=True)
    assert (again.status_code, again.context["validlink"]) == (200, False)


def test_password_reset_lifts_a_lockout(client, django_capture_on_commit_callbacks):
    user = make_user("rex")
    user.email = "rex@example.org"
    user.save(update_fields=["email"])
    fail(client, "rex", 5)
    request_reset(client, "rex@example.org", django_capture_on_commit_callbacks)
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "brand-New-pass-7", "new_password2": "brand-New-pass-7"})
    assert log_in(client, "rex", "brand-New-pass-7").status_code == 302


def test_password_reset_pages_are_styled_and_in_english_when_chosen(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("password_reset")).content.decode()
    assert (
        '<link rel="stylesheet" href="/static/css/app.css">' in html,
        "<h1>Reset your password</h1>" in html,
    ) == (
        True,
        True,
    )


def test_signed_in_user_changes_the_password_from_the_nav(client):
    user = make_user("kit")
    client.force_login(user)
    html = client.get(reverse("proposals:list")).content.decode()
    assert '<a class="user" href="/accounts/password_change/" title="修改密码">kit</a>' in html
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-New-pass-7", "new_password2": "brand-New-pass-7"},
    )
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_change/done/")
    user.refresh_from_db()
    assert user.check_password("brand-New-pass-7") is True


def test_password_reset_without_a_mail_service_says_to_ask_an_admin_and_sends_nothing(client, settings):
    settings.PASSWORD_RESET_ENABLED = False
    user = make_user("una")
    user.email = "una@example.org"
    user.save(update_fields=["email"])
    response = client.post(reverse("password_reset"), {"email": "una@example.org"})
    assert (response.status_code, [t.name for t in response.templates][0], len(mail.outbox)) == (
        200,
        "registration/password_reset_unavailable.html",
        0,
    )
    assert "本站没有配置邮件服务，无法通过邮件重设密码。" in response.content.decode()


# --- limits per person, mail after the response -------------------------------


def test_reset_requests_send_at_most_the_limit_of_mails_per_address_and_the_rest_look_the_same(
    client, django_capture_on_commit_callbacks, settings
):
    user = make_user("sal")
    user.email = "sal@example.org"
    user.save(update_fields=["email"])
    answers = [
        request_reset(client, "sal@example.org", django_capture_on_commit_callbacks) for _ in range(10)
    ]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/accounts/password_reset/done/")}
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMITS["email"][0] == 3


def test_reset_requests_from_one_address_past_its_limit_answer_429(client, settings):
    settings.PASSWORD_RESET_LIMITS = {"address": (4, 3600), "email": (3, 3600)}
    codes = [
        client.post(reverse("password_reset"), {"email": f"u{n}@example.org"}).status_code for n in range(6)
    ]
    assert codes == [302, 302, 302, 302, 429, 429]


def test_a_reset_request_writes_an_outbox_row_without_the_link_and_sends_nothing_in_the_request(client):
    from common.models import OutboxMessage

    user = make_user("tao")
    user.email = "tao@example.org"
    user.save(update_fields=["email"])
    client.post(reverse("password_reset"), {"email": "tao@example.org"})
    (row,) = OutboxMessage.objects.filter(task="proposals.password_reset_mail")
    assert row.args == ["tao@example.org", "testserver", False]  # no token: the worker makes it
    assert mail.outbox == []


def test_sign_ups_from_one_address_past_its_limit_answer_429_and_send_no_more_mail(
    client, django_capture_on_commit_callbacks, settings
):
    settings.SIGNUP_LIMITS = {"address": (3, 3600), "email": (3, 86400)}
    with django_capture_on_commit_callbacks(execute=True):
        codes = [signup(Client(), f"flood{n}", f"victim{n}@example.org").status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]  # 200: the login page the sign-up redirects to
    assert len(mail.outbox) == 3


def test_sign_ups_for_one_email_past_its_limit_answer_429(client, settings):
    settings.SIGNUP_LIMITS = {"address": (100, 3600), "email": (2, 86400)}
    codes = [signup(Client(), f"name{n}", "Target@Example.org ").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_one_wrong_password_against_many_usernames_from_one_address_is_capped(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = (10, 900)
    for n in range(12):
        make_user(f"spray{n}")
    codes = [log_in(client, f"spray{n}", "wrong-Password-1", ip="10.9.8.7").status_code for n in range(12)]
    assert codes[:10] == [200] * 10  # the form again, each username failed once only
    assert codes[10:] == [429, 429]
    # another address is not affected, nor is a right password from it
    assert log_in(client, "spray0", PASSWORD, ip="10.9.8.8").status_code == 302
