"""The guide's public pages from the page cache (guide.caching): hits, invalidation by publishing,
languages, ETags, anonymous and signed-in visitors, CSRF tokens, and a cache that is down."""

from __future__ import annotations

import os
import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _get_new_csrf_string, _unmask_cipher_token
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from guide import caching
from guide.services.versions import correction_add, version_create_from_file, version_publish
from tests.conftest import GUIDE_2022
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

OVERVIEW = "/guide/2022/"
DETAIL = "/guide/2022/directions/4.1/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
PI_BORN = "eligibility.pi_born_on_or_after"


@pytest.fixture(autouse=True)
def _versions_kept(monkeypatch):
    """The published versions read by a request are kept until a test says otherwise (by publishing, or
    with ``caching.versions_changed()``), however slow the machine: no test depends on the clock."""
    monkeypatch.setattr(caching, "VERSIONS_TTL", 1e9)


def body(response) -> str:
    """The page without its CSRF tokens (each response has the visitor's own, freshly masked)."""
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


def token(response) -> str:
    return TOKEN.search(response.content.decode())[1]


def rendered(response) -> bool:
    """Whether the view rendered the page (a hit renders no template)."""
    return any(t.name == "base.html" for t in response.templates)


def publish_with_pi_born(value: str):
    """A new version of 2022 read from the same file, with the PI's birth date corrected, published."""
    version = version_create_from_file(path=GUIDE_2022)
    correction_add(version=version, address=PI_BORN, value=value, reason="原文勘误", by=None)
    return version_publish(version=version)


# --- hits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [OVERVIEW, "/guide/2022/directions/?ratio=any&q=碳", DETAIL, "/guide/compare/"]
)
def test_a_hit_serves_the_rendered_page_without_a_query(client, guide2022, url):
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert (first.status_code, second.status_code, rendered(first), rendered(second)) == (
        200,
        200,
        True,
        False,
    )
    assert body(second) == body(first)
    assert second["Content-Type"] == first["Content-Type"]
    assert len(queries) == 0  # the published versions were read by the first request


def test_another_visitor_gets_the_stored_page(guide2022):
    first, second = Client().get(DETAIL), Client().get(DETAIL)
    assert (rendered(first), rendered(second), body(second)) == (True, False, body(first))


def test_each_query_string_is_its_own_page(client, guide2022):
    two_to_one = client.get("/guide/2022/directions/?area=8")
    everything = client.get("/guide/2022/directions/")
    again = client.get("/guide/2022/directions/?area=8")
    assert ([d.code for d in two_to_one.context["directions"]], len(everything.context["directions"])) == (
        ["8.1", "8.2"],
        39,
    )
    assert (rendered(again), body(again)) == (False, body(two_to_one))


def test_parameters_a_page_does_not_take_are_rendered_and_not_stored(client, guide2022):
    client.get(OVERVIEW + "?utm=1")
    assert rendered(client.get(OVERVIEW + "?utm=1")) is True
    assert len(caches["pages"]._cache) == 0


def test_head_goes_to_the_view_even_for_a_stored_page(client, guide2022):
    client.get(OVERVIEW)
    client.get("/guide/compare/")
    assert (client.head(OVERVIEW).status_code, client.head("/guide/compare/").status_code) == (200, 405)


def test_a_missing_page_is_not_stored(client, guide2022):
    assert client.get("/guide/2022/directions/99.9/").status_code == 404
    assert len(caches["pages"]._cache) == 0


def test_the_near_pages_keep_the_most_recently_used_within_their_limit():
    near = caching.NearPages(limit=25)
    pages = {
        key: caching.CachedPage(content=b"x" * 10, content_type="text/html", digest=key) for key in "abc"
    }
    near.put("a", pages["a"])
    near.put("b", pages["b"])
    near.get("a")  # used: b is now the oldest
    near.put("c", pages["c"])
    assert [near.get(key) for key in "abc"] == [pages["a"], None, pages["c"]]
    near.discard("a")
    near.put("b", pages["b"])  # room for it again
    assert [near.get(key) for key in "abc"] == [None, pages["b"], pages["c"]]


def test_a_page_from_the_shared_cache_is_kept_near(client, guide2022):
    client.get(OVERVIEW)
    caching.near.clear()
    client.get(OVERVIEW)  # from the shared cache
    caches["pages"].clear()
    third = client.get(OVERVIEW)
    assert (third.status_code, rendered(third)) == (200, False)


# --- publishing ---------------------------------------------------------------------------------


def test_publishing_a_version_shows_it_at_the_next_request(client, guide2022):
    before = client.get(OVERVIEW).content.decode()
    born = guide2022.pi_born_on_or_after.isoformat()
    version = version_create_from_file(path=GUIDE_2022)
    correction_add(version=version, address=PI_BORN, value="1970-01-01", reason="原文勘误", by=None)
    draft_corrected = client.get(OVERVIEW)  # a draft's correction is not public
    version_publish(version=version)
    after = client.get(OVERVIEW)
    assert (born in before, rendered(draft_corrected), born in draft_corrected.content.decode()) == (
        True,
        False,
        True,
    )
    assert (rendered(after), "1970-01-01" in after.content.decode(), born in after.content.decode()) == (
        True,
        True,
        False,
    )


def test_a_process_reads_the_published_versions_again_once_they_are_old(client, guide2022, monkeypatch):
    monkeypatch.setattr(caching, "VERSIONS_TTL", 0.0)  # old at once
    client.get(OVERVIEW)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(OVERVIEW)
    assert (rendered(response), len(queries)) == (False, 1)


def test_a_version_published_by_another_process_shows_once_the_versions_are_read_again(
    client, guide2022, monkeypatch
):
    import guide.services.versions

    client.get(OVERVIEW)
    monkeypatch.setattr(guide.services.versions, "public_pages_changed", lambda: None)  # not this process
    publish_with_pi_born("1970-01-01")
    within_the_second = client.get(OVERVIEW)
    caching._versions["until"] = float("-inf")  # the second is over
    after = client.get(OVERVIEW)
    assert (rendered(within_the_second), "1970-01-01" in within_the_second.content.decode()) == (False, False)
    assert (rendered(after), "1970-01-01" in after.content.decode()) == (True, True)


def test_publishing_another_year_renders_this_years_page_again(client, guide2022):
    client.get(OVERVIEW)
    version_publish(
        version=version_create_from_file(path=GUIDE_2022.with_name("2023-strategic-cooperation.txt"))
    )
    response = client.get(OVERVIEW)
    assert (rendered(response), 'href="/guide/2023/"' in response.content.decode()) == (True, True)


# --- languages ----------------------------------------------------------------------------------


def test_english_and_chinese_pages_are_stored_apart(client, guide2022):
    chinese = client.get(DETAIL)
    client.cookies["django_language"] = "en"
    english = client.get(DETAIL)
    english_again = client.get(DETAIL)
    client.cookies["django_language"] = "zh-hans"
    chinese_again = client.get(DETAIL)
    assert ("研究内容" in body(chinese), "Research content" in body(chinese)) == (True, False)
    assert ("Research content" in body(english), rendered(english)) == (True, True)
    assert (body(english_again), rendered(english_again)) == (body(english), False)
    assert (body(chinese_again), rendered(chinese_again)) == (body(chinese), False)


# --- ETag ---------------------------------------------------------------------------------------


def test_the_etag_answers_304_and_a_new_version_changes_it(client, guide2022):
    first = client.get(OVERVIEW)
    etag = first["ETag"]
    not_modified = client.get(OVERVIEW, HTTP_IF_NONE_MATCH=etag)
    assert (etag.startswith('W/"'), not_modified.status_code, not_modified.content, not_modified["ETag"]) == (
        True,
        304,
        b"",
        etag,
    )
    assert client.get(OVERVIEW)["ETag"] == etag  # a hit has the miss's ETag
    publish_with_pi_born("1970-01-01")
    response = client.get(OVERVIEW, HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, response["ETag"] != etag) == (200, True)


def test_the_etag_of_another_csrf_cookie_is_not_this_pages(guide2022):
    mine, theirs = Client(), Client()
    etag = mine.get(OVERVIEW)["ETag"]
    theirs.get(OVERVIEW)
    response = theirs.get(OVERVIEW, HTTP_IF_NONE_MATCH=etag)  # their page carries their token
    assert (response.status_code, response["ETag"] != etag) == (200, True)


# --- who is asking ------------------------------------------------------------------------------


def test_a_signed_in_user_gets_a_fresh_page_and_anonymous_visitors_never_see_it(client, guide2022):
    client.get(OVERVIEW)  # stored for anonymous visitors
    officer = Client()
    officer.force_login(make_user("officer-li", role="officer"))
    mine = officer.get(OVERVIEW)
    anonymous = Client().get(OVERVIEW)
    assert (rendered(mine), "officer-li" in mine.content.decode(), mine.has_header("ETag")) == (
        True,
        True,
        False,
    )
    assert mine["Cache-Control"] == "no-store"
    assert (rendered(anonymous), "officer-li" in anonymous.content.decode()) == (False, False)


def test_a_page_a_signed_in_user_saw_first_is_not_served_to_the_public(guide2022):
    applicant = Client()
    applicant.force_login(make_user("applicant-wang", role="applicant"))
    applicant.get(DETAIL)
    anonymous = Client().get(DETAIL)
    assert (rendered(anonymous), "applicant-wang" in anonymous.content.decode()) == (True, False)
    assert 'href="/accounts/login/"' in anonymous.content.decode()


def test_a_visitors_message_is_shown_to_them_only(client, guide2022):
    client.get(OVERVIEW)
    told = Client()
    told.cookies["messages"] = CookieStorage(RequestFactory().get("/"))._encode(
        [Message(constants.INFO, "已退出登录")]
    )
    with_message = told.get(OVERVIEW)
    assert (rendered(with_message), "已退出登录" in with_message.content.decode()) == (True, True)
    assert "已退出登录" not in Client().get(OVERVIEW).content.decode()


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_visitor_gets_a_token_of_their_own_that_works(guide2022):
    Client().get(OVERVIEW)  # stored by somebody else
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(OVERVIEW)
    other = Client().get(OVERVIEW)
    assert (rendered(page), token(page) != token(other), "csrftoken" in page.cookies) == (False, True, True)
    switched = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": OVERVIEW, "csrfmiddlewaretoken": token(page)}
    )
    assert (switched.status_code, switched["Location"]) == (302, OVERVIEW)


def test_a_masked_token_unmasks_to_the_secret_and_is_masked_afresh_each_time():
    secrets = [_get_new_csrf_string() for _ in range(200)]
    masked = [caching._masked(secret) for secret in secrets]
    assert [_unmask_cipher_token(token) for token in masked] == secrets
    assert {len(token) for token in masked} == {CSRF_TOKEN_LENGTH}
    assert len({caching._masked(secrets[0]) for _ in range(50)}) == 50


def test_a_known_visitor_gets_a_token_without_the_cookie_again_and_the_page_varies_on_cookies(guide2022):
    visitor = Client(enforce_csrf_checks=True)
    first = visitor.get(OVERVIEW)
    second = visitor.get(OVERVIEW)
    switched = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": OVERVIEW, "csrfmiddlewaretoken": token(second)}
    )
    assert ("csrftoken" in first.cookies, "csrftoken" in second.cookies) == (True, False)
    assert "Cookie" in second["Vary"]
    assert switched.status_code == 302


def test_the_stored_page_holds_no_token(client, guide2022):
    client.get(OVERVIEW)
    with translation.override("zh-hans"):
        stored = caches["pages"].get(caching.page_key(RequestFactory().get(OVERVIEW)))
    assert TOKEN.search(stored.content.decode()) is None
    assert stored.content.count(caching._PLACEHOLDER) == 1  # the language switch's form


def test_a_page_that_is_not_stored_carries_the_visitors_token(guide2022):
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/guide/compare/?a=0&b=0")  # a form error: 400, not stored
    switched = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": OVERVIEW, "csrfmiddlewaretoken": token(page)}
    )
    assert (page.status_code, switched.status_code, len(caches["pages"]._cache)) == (400, 302, 0)


# --- the cache is down --------------------------------------------------------------------------

UNREACHABLE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/1",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
}


@override_settings(CACHES=UNREACHABLE)
def test_an_unreachable_cache_still_serves_the_page(client, guide2022, caplog):
    first = client.get(OVERVIEW)
    caching.near.clear()  # another process: only the shared cache could answer
    second = client.get(OVERVIEW)
    assert (first.status_code, second.status_code, rendered(first), rendered(second)) == (
        200,
        200,
        True,
        True,
    )
    assert (body(second), first.has_header("ETag")) == (body(first), True)
    warnings = [r.getMessage().split(" (")[0] for r in caplog.records if r.name == "guide.caching"]
    assert warnings == ["page cache unavailable, rendering instead"]  # then not asked for a while


@override_settings(CACHES=UNREACHABLE)
def test_with_the_cache_down_a_process_serves_the_pages_it_holds(client, guide2022):
    first = client.get(OVERVIEW)
    second = client.get(OVERVIEW)
    assert (second.status_code, rendered(second), body(second)) == (200, False, body(first))


@override_settings(CACHES=UNREACHABLE)
def test_an_unreachable_cache_is_asked_again_after_the_pause(client, guide2022, monkeypatch):
    client.get(OVERVIEW)
    cache = caches["pages"]
    asked = []
    monkeypatch.setattr(type(cache), "get", lambda self, key, *a, **k: asked.append(key))
    caching.near.clear()
    client.get(OVERVIEW)
    paused = len(asked)
    cache._guide_pages_down_until -= caching.OUTAGE_PAUSE  # the pause is over
    caching.near.clear()
    client.get(OVERVIEW)
    assert (paused, len(asked)) == (0, 1)


# --- on the real Redis --------------------------------------------------------------------------


@pytest.fixture
def redis_pages():
    """The page cache on the real Redis (REDIS_URL's next database, as settings.base does), under a key
    prefix of this test's own."""
    url = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    db = int(url.path.strip("/") or 0) + 1
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url._replace(path=f"/{db}").geturl(),
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                "TIMEOUT": 120,
            },
        }
    ):
        yield caches["pages"]


@pytest.mark.redis
def test_redis_serves_a_hit_and_publishing_renders_again(client, guide2022, redis_pages):
    first = client.get(OVERVIEW)
    caching.near.clear()  # another process: the page comes from Redis
    second = client.get(OVERVIEW)
    publish_with_pi_born("1970-01-01")
    caching.near.clear()
    third = client.get(OVERVIEW)
    assert (rendered(first), rendered(second), body(second)) == (True, False, body(first))
    assert (rendered(third), "1970-01-01" in third.content.decode()) == (True, True)
    with translation.override("zh-hans"):
        key = caching.page_key(RequestFactory().get(OVERVIEW))
    assert isinstance(redis_pages.get(key), caching.CachedPage)
