"""A form refused for its security token (CSRF) gets the site's own page, in the reader's
language, with status 403 and what to do (settings.CSRF_FAILURE_VIEW = common.views.csrf_failure)."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def browser(language: str | None = None, *, with_cookie: bool = False) -> Client:
    client = Client(enforce_csrf_checks=True)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if with_cookie:
        client.get(LOGIN)  # the login page sets the CSRF cookie, as in a browser
        assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


def refused(client: Client, **headers) -> tuple[int, str]:
    response = client.post(LOGIN, {"username": "a", "password": "b"}, headers=headers)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("language", "title", "advice", "home"),
    [
        (
            None,
            "<h1>表单未能提交 <span",
            "请返回上一页，刷新页面后重新提交；已填写的内容可能需要重新输入。",
            "返回首页",
        ),
        (
            "en",
            "<h1>Form not sent <span",
            "Go back, reload the page and send the form again; you may need to fill in what you typed again.",
            "Back to the home page",
        ),
    ],
)
def test_a_stale_token_gets_the_sites_page_in_the_readers_language(language, title, advice, home):
    client = browser(language, with_cookie=True)
    status, html = refused(client)  # the cookie, but no token in the form
    assert (status, title in html, advice in html, home in html) == (403, True, True, True)
    assert ('data-cause="expired"' in html, '<header class="topbar">' in html) == (True, True)
    assert ("CSRF" in html, "Forbidden" in html) == (False, False)  # not Django's English page


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        (None, "请在浏览器设置中允许本站使用 Cookie，然后返回上一页重新提交。"),
        ("en", "Allow this site's cookies in your browser's settings, then go back and send the form again."),
    ],
)
def test_no_cookie_says_to_allow_the_sites_cookies(language, advice):
    status, html = refused(browser(language))
    assert (status, 'data-cause="cookie"' in html, advice in html) == (403, True, True)


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        (None, "请直接打开本站，在本站的页面上重新操作。"),
        ("en", "Open this site directly and do it again on its own pages."),
    ],
)
def test_a_form_from_another_site_says_to_use_this_site(language, advice):
    status, html = refused(browser(language, with_cookie=True), origin="https://elsewhere.example")
    assert (status, 'data-cause="origin"' in html, advice in html) == (403, True, True)


def test_the_refusal_page_gives_a_fresh_token_so_sending_again_works():
    client = browser(with_cookie=True)
    status, html = refused(client)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(LOGIN, {"username": "a", "password": "b", "csrfmiddlewaretoken": token})
    assert (status, response.status_code) == (403, 200)  # the login form again, with its own error
