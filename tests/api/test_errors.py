"""Every error the API answers has the one body {"error": {"code", "message", "fields"}},
whatever raised it."""

import logging

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.api.conftest import token_client
from tests.factories.proposals import make_proposal, make_user

pytestmark = pytest.mark.django_db


def error(response) -> tuple:
    return response.status_code, response.json()


def test_400_validation_names_each_field(db):
    response = token_client(make_user("alice")).post(
        "/api/v1/proposals/", {"guide_year": "MMXXII"}, format="json"
    )
    assert error(response) == (
        400,
        {
            "error": {
                "code": "invalid",
                "message": "请求内容有误，请按 fields 中各字段的说明修改。",
                "fields": {"guide_year": ["输入整数。"]},
            }
        },
    )


def test_400_for_a_body_that_is_not_json(db):
    response = token_client(make_user("alice")).post(
        "/api/v1/proposals/", b"{not json", content_type="application/json"
    )
    status, body = error(response)
    assert (status, body["error"]["code"], body["error"]["fields"]) == (400, "parse_error", {})
    assert body["error"]["message"].startswith("JSON parse error")


def test_401_without_credentials_says_how_to_authenticate(db):
    response = APIClient().get("/api/v1/proposals/")
    assert error(response) == (
        401,
        {"error": {"code": "not_authenticated", "message": "身份认证信息未提供。", "fields": {}}},
    )
    assert response["WWW-Authenticate"] == "Token"


def test_401_for_a_wrong_token_even_on_a_public_endpoint(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert error(client.get("/api/v1/guides/")) == (
        401,
        {"error": {"code": "authentication_failed", "message": "认证令牌无效。", "fields": {}}},
    )


def test_403_for_a_role_that_may_not(db):
    response = token_client(make_user("olga", role="officer")).post("/api/v1/proposals/", {}, format="json")
    assert error(response) == (
        403,
        {"error": {"code": "permission_denied", "message": "您没有执行该操作的权限。", "fields": {}}},
    )


def test_403_for_a_session_request_without_the_csrf_token(db):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user("alice"))
    status, body = error(client.post("/api/v1/proposals/", {}, format="json"))
    assert (status, body["error"]["code"], body["error"]["fields"]) == (403, "permission_denied", {})
    assert body["error"]["message"].startswith("CSRF Failed")


def test_session_request_with_the_csrf_token_goes_through(db):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user("alice"))
    client.get("/api/v1/docs/?script=")  # the docs page's script sets the CSRF cookie, as in a browser
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/proposals/", {"title": "会话"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_404_for_someone_elses_proposal_and_for_a_path_that_is_no_endpoint(db):
    proposal = make_proposal()
    client = token_client(make_user("mallory"))
    expected = {"error": {"code": "not_found", "message": "未找到。", "fields": {}}}
    assert error(client.get(f"/api/v1/proposals/{proposal.pk}/")) == (404, expected)
    assert error(client.get("/api/v1/no/such/endpoint/")) == (404, expected)
    assert error(client.post("/api/v1/proposals/1/nothing/")) == (404, expected)


def test_405_for_a_method_an_endpoint_does_not_have(db):
    assert error(APIClient().delete("/api/v1/guides/")) == (
        405,
        {"error": {"code": "method_not_allowed", "message": "方法 “DELETE” 不被允许。", "fields": {}}},
    )
    assert error(APIClient().options("/api/v1/guides/")) == (
        405,
        {"error": {"code": "method_not_allowed", "message": "方法 “OPTIONS” 不被允许。", "fields": {}}},
    )


def test_415_for_a_body_that_is_not_json(db):
    response = token_client(make_user("alice")).post(
        "/api/v1/proposals/", "title=x", content_type="application/x-www-form-urlencoded"
    )
    assert error(response) == (
        415,
        {
            "error": {
                "code": "unsupported_media_type",
                "message": "不支持请求中的媒体类型 “application/x-www-form-urlencoded”。",
                "fields": {},
            }
        },
    )


def test_429_when_over_the_rate_with_retry_after(settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "3/minute"},
    }
    anonymous = APIClient()
    assert [anonymous.get("/api/v1/guides/").status_code for _ in range(3)] == [200, 200, 429]
    response = anonymous.get("/api/v1/guides/")
    status, body = error(response)
    assert (status, body["error"]["code"], body["error"]["fields"]) == (429, "throttled", {})
    assert body["error"]["message"].startswith("请求已被限流。")
    assert 0 < int(response["Retry-After"]) <= 60
    signed_in = token_client(make_user("alice"))
    assert [signed_in.get("/api/v1/guides/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_forged_forwarded_for_does_not_escape_the_rate(settings, db):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    client = APIClient()
    codes = [client.get("/api/v1/guides/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(2)]
    assert codes == [200, 429]


def test_500_is_the_error_body_and_is_logged_with_the_traceback(monkeypatch, caplog, db):
    def broken(**kwargs):
        raise RuntimeError("selector exploded")

    monkeypatch.setattr("guide.api.selectors.guide_list", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = APIClient().get("/api/v1/guides/")
    assert error(response) == (
        500,
        {"error": {"code": "server_error", "message": "服务器内部错误，请稍后再试。", "fields": {}}},
    )
    assert [(r.getMessage(), r.exc_info[1].args) for r in caplog.records if r.exc_info] == [
        ("Internal Server Error: /api/v1/guides/", ("selector exploded",))
    ]


@override_settings(DEBUG=True)
def test_500_stays_the_error_body_with_debug_on(monkeypatch, db):
    monkeypatch.setattr("guide.api.selectors.guide_list", lambda: 1 / 0)
    assert error(APIClient().get("/api/v1/guides/"))[1]["error"]["code"] == "server_error"


def test_errors_speak_english_when_asked(db):
    response = APIClient().get("/api/v1/proposals/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Authentication credentials were not provided."


def test_private_answers_are_never_stored_by_caches(db):
    alice = make_user("alice")
    response = token_client(alice).get("/api/v1/proposals/")
    assert (response["Cache-Control"], response["Pragma"]) == ("no-store", "no-cache")
    assert APIClient().get("/api/v1/proposals/")["Cache-Control"] == "no-store"
