"""Every error the API answers has the one body {"error": {"code", "message", "fields"}},
whatever raised it."""

import json
import logging

import pytest
from django.test import Client, override_settings
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
    assert error(response) == (
        400,
        {
            "error": {
                "code": "parse_error",
                "message": "请求体不是合法的 JSON：第 1 行第 2 列有误。",
                "fields": {},
            }
        },
    )


def test_a_body_that_is_not_json_is_explained_in_english_too(db):
    response = token_client(make_user("alice")).post(
        "/api/v1/proposals/", b'{"title": }', content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (
        response.json()["error"]["message"]
        == "The request body is not valid JSON: error at line 1, column 11."
    )
    latin = token_client(make_user("bob")).post(
        "/api/v1/proposals/", b'{"title": "\xff"}', content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert latin.json()["error"]["message"] == (
        "The request body is not valid JSON: it is not in the declared character encoding."
    )


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
    assert error(client.delete("/api/v1/proposals/%0A/")) == (404, expected)  # a line break in the path


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


# --- what a client sends is never a 500 (tests/api/test_schemathesis.py finds such cases) ---------


def proposal_writes(client, owner, *, submit: bool = False) -> list:
    """(client method, path) of every operation that takes a proposal body (and submit's, which
    takes its own), on a draft of ``owner``."""
    draft = make_proposal(owner=owner)
    writes = [
        (client.post, "/api/v1/proposals/"),
        (client.put, f"/api/v1/proposals/{draft.pk}/"),
        (client.patch, f"/api/v1/proposals/{draft.pk}/"),
    ]
    return [*writes, (client.post, f"/api/v1/proposals/{draft.pk}/submit/")] if submit else writes


def send(call, path: str, body: bytes):
    return call(path, body, content_type="application/json")


def fields_of(response) -> tuple:
    return response.status_code, response.json()["error"]["code"], response.json()["error"]["fields"]


@pytest.mark.parametrize("key", ["²", "¹", "①", "٣", "0", "007", "1" * 5000])
def test_a_key_of_digits_or_digit_like_characters_is_an_unknown_field_by_its_name(key, db):
    alice = make_user("alice")
    client = token_client(alice)
    body = json.dumps({key: 1, "pi": {key: 1}}).encode()
    for call, path in proposal_writes(client, alice):
        assert fields_of(send(call, path, body)) == (
            400,
            "invalid",
            {key: ["没有这个字段。"], f"pi.{key}": ["没有这个字段。"]},
        )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b'{"\\ud800": 1}', {"\\ud800": ["没有这个字段。"]}),
        (
            b'{"pi": {"gender": "\\udfff"}}',
            {"pi.gender": ["选择一个有效的选项。 \\udfff 不在可用的选项中。"]},
        ),
    ],
    ids=["in a key", "in an echoed value"],
)
def test_a_lone_surrogate_answers_400_json_with_it_written_out(body, fields, db):
    alice = make_user("alice")
    client = token_client(alice)
    for call, path in proposal_writes(client, alice):
        response = send(call, path, body)
        assert (response["Content-Type"], *fields_of(response)) == (
            "application/json",
            400,
            "invalid",
            fields,
        )


def test_a_null_row_is_400_at_its_index_on_create_put_and_patch(db):
    alice = make_user("alice")
    client = token_client(alice)
    for call, path in proposal_writes(client, alice):
        for kind in ("units", "members", "subtasks"):
            response = send(call, path, json.dumps({kind: [{}, None]}).encode())
            assert fields_of(response) == (400, "invalid", {f"{kind}[1]": ["该字段不能为 null。"]})


def nested(depth: int) -> bytes:
    """``{"attachments": [[…]]}``, ``depth`` containers deep (the object is the first)."""
    return b'{"attachments": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize(
    "body",
    [b"[" * 200_000 + b"]" * 200_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000, nested(900), nested(33)],
    ids=["arrays 200,000 deep", "objects 100,000 deep", "900 deep", "33 deep"],
)
def test_a_body_nested_too_deep_is_a_parse_error(body, db):
    alice = make_user("alice")
    client = token_client(alice)
    for call, path in proposal_writes(client, alice, submit=True):
        response = send(call, path, body)
        assert (response.status_code, response.json()) == (
            400,
            {"error": {"code": "parse_error", "message": "JSON 嵌套层数过多：最多 32 层。", "fields": {}}},
        )


def test_a_body_exactly_as_deep_as_the_limit_is_parsed_and_refused_by_its_field(db):
    response = send(token_client(make_user("alice")).post, "/api/v1/proposals/", nested(32))
    thirty_deep = "[" * 30 + "]" * 30  # the object and the attachments list are the first two
    assert fields_of(response) == (400, "invalid", {"attachments[0]": [f"“{thirty_deep}” 不是合法选项。"]})


def test_a_json_body_over_the_size_limit_is_413_json_on_every_operation_that_reads_one(settings, db):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # the default's code path, with less to send
    alice = make_user("alice")
    client = token_client(alice)
    body = json.dumps({"title": "题" * 400_000}).encode()  # 1.2 MB
    expected = {"code": "request_too_large", "message": "请求内容过大：不能超过 1 MB。", "fields": {}}
    for call, path in proposal_writes(client, alice, submit=True):
        response = send(call, path, body)
        assert (response.status_code, response.json()) == (413, {"error": expected})


def test_a_body_declared_over_the_request_limit_is_413_json_under_the_api_and_a_page_elsewhere(settings, db):
    settings.MAX_REQUEST_BYTES = 1024 * 1024  # the middleware's cap (25 MiB by default), before any reading
    client = token_client(make_user("alice"))
    body = b'{"title": "' + b"x" * (1024 * 1024) + b'"}'
    api = client.post("/api/v1/proposals/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert (api.status_code, api["Content-Type"], api.json()) == (
        413,
        "application/json",
        {"error": {"code": "request_too_large", "message": "Request too large: at most 1 MB.", "fields": {}}},
    )
    page = Client().post("/accounts/login/", body, content_type="application/json")
    assert (page.status_code, page["Content-Type"]) == (413, "text/html; charset=utf-8")


def test_the_default_limit_of_5_mib_answers_413_saying_so_in_english_too(db):
    response = token_client(make_user("alice")).post(
        "/api/v1/proposals/",
        b'{"title": "' + b"x" * (5 * 1024 * 1024) + b'"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (response.status_code, response.json()["error"]["message"]) == (
        413,
        "Request too large: at most 5 MB.",
    )


def test_a_multipart_upload_over_the_field_limit_is_413_and_one_with_too_many_fields_400(settings, db):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    admin = token_client(make_user("root", role="admin"))
    fields = {"registry": "recommenders", "x": "y" * (1024 * 1024 + 1)}
    big = admin.post("/api/v1/registries/", fields, format="multipart")
    assert (big.status_code, big.json()["error"]) == (
        413,
        {
            "code": "request_too_large",
            "message": "请求内容过大：上传的文件不能超过 20 MB，其余内容不能超过 1 MB。",
            "fields": {},
        },
    )
    fields = {
        "registry": "recommenders",
        **{f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)},
    }
    many = admin.post("/api/v1/registries/", fields, format="multipart")
    assert (many.status_code, many.json()) == (
        400,
        {"error": {"code": "bad_request", "message": "请求中的字段或文件过多。", "fields": {}}},
    )


def test_an_error_raised_while_the_body_is_parsed_is_a_parse_error_but_the_same_in_a_view_a_500(
    monkeypatch, db
):
    def overflowing(self, stream, media_type=None, parser_context=None):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr("common.api.parsers.JSONParser.parse", overflowing)
    response = token_client(make_user("alice")).post("/api/v1/proposals/", {"title": "x"}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"error": {"code": "parse_error", "message": "请求体无法解析。", "fields": {}}},
    )
    monkeypatch.setattr("guide.api.selectors.guide_list", lambda: int("²"))  # a bug, not the client's
    assert error(APIClient().get("/api/v1/guides/"))[0] == 500


@pytest.mark.parametrize("value", [0, 1.5, True, ["研究内容"], {"text": "x"}])
def test_a_text_field_refuses_anything_but_a_string(value, db):
    response = token_client(make_user("alice")).post(
        "/api/v1/proposals/", {"indicators": value}, format="json"
    )
    assert fields_of(response) == (400, "invalid", {"indicators": ["不是有效的字符串。"]})


@pytest.mark.parametrize("value", [0, 1, "true", "yes", "on", ""])
def test_a_flag_takes_json_true_false_or_null_only(value, db):
    client = token_client(make_user("alice"))
    response = client.post("/api/v1/proposals/", {"units": [{"hgr_license": value}]}, format="json")
    assert fields_of(response) == (400, "invalid", {"units[0].hgr_license": ["必须是有效的布尔值。"]})
    assert (
        client.post("/api/v1/proposals/", {"units": [{"hgr_license": None}]}, format="json").status_code
        == 201
    )


@pytest.mark.parametrize("body", [b"null", b"[]", b"0", b'"{}"'])
def test_a_body_that_is_not_a_json_object_is_400_on_every_write(body, db):
    alice = make_user("alice")
    client = token_client(alice)
    for call, path in proposal_writes(client, alice, submit=True):
        assert fields_of(send(call, path, body)) == (
            400,
            "invalid",
            {"non_field_errors": ["请求体应为 JSON 对象。"]},
        )


def test_submit_takes_no_body_or_an_object_and_refuses_a_confirm_that_is_not_a_boolean(db):
    alice = make_user("alice")
    client = token_client(alice)
    path = f"/api/v1/proposals/{make_proposal(owner=alice).pk}/submit/"
    assert fields_of(client.post(path, {"confirm": 1}, format="json")) == (
        400,
        "invalid",
        {"confirm": ["必须是有效的布尔值。"]},
    )
    # no body at all: confirm is false, and the draft's current content fails conditions
    assert (client.post(path).status_code, client.post(path).json()["error"]["code"]) == (
        409,
        "confirmation_required",
    )
    assert client.post(path, {"confirm": True}, format="json").status_code == 200
