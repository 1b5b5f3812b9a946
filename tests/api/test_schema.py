"""The schema and the code cannot drift apart.

The schema the API serves (/api/v1/schema/) is walked operation by operation: every
operation in it must have requests below (a new endpoint without them fails the walk),
and every answer, for an anonymous client, the owner (an applicant), another applicant,
an officer and an admin, must have a status the operation documents and a body that
matches the documented schema. Objects in the schema are closed (no key beyond the
documented ones), so an undocumented field in an answer fails too. `manage.py
spectacular --validate --fail-on-warn` must pass."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest
from django.core.management import call_command

from screening import services
from screening.models import ScreeningRun
from tests.api.conftest import token_client
from tests.factories.proposals import complete_data, make_user
from tests.factories.proposals import make_proposal as make_draft
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def to_json_schema(node):
    """An OpenAPI 3.0 schema object as JSON Schema (2020-12): ``nullable`` → a null
    alternative, boolean ``exclusiveMaximum`` → the bound; objects with properties closed
    to other keys."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items() if key not in ("nullable", "example")}
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        if out.get(exclusive) is True:  # 3.0's boolean form → 2020-12's number
            out[exclusive] = out.pop(bound)
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def served_schema(client) -> dict:
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in schema["paths"].items() for method in item if method in METHODS}


def csv_upload():
    upload = io.BytesIO("name\n科学技术部国际合作司\n".encode())
    upload.name = "recommenders.csv"
    return upload


# (path, method) → the requests that exercise it: (path params, query or body, format).
# Valid requests first, then ones that must fail; the mutating operations come last.
CASES = {
    ("/api/v1/guides/", "get"): lambda o: [({}, None), ({}, {"page": 99})],
    ("/api/v1/guides/{year}/", "get"): lambda o: [({"year": 2022}, None), ({"year": 1999}, None)],
    ("/api/v1/guides/{year}/directions/", "get"): lambda o: [
        ({"year": 2022}, {"partner": "any", "page_size": 5}),
        ({"year": 2022}, {"area": 99}),
        ({"year": 1999}, None),
    ],
    ("/api/v1/guides/{year}/directions/{code}/", "get"): lambda o: [
        ({"year": 2022, "code": "5.2"}, None),
        ({"year": 2022, "code": "9.9"}, None),
    ],
    ("/api/v1/proposals/", "get"): lambda o: [({}, None), ({}, {"state": "lost"})],
    ("/api/v1/proposals/", "post"): lambda o: [
        ({}, {"title": "新的草稿", "units": [{"name": "甲大学", "country": "中国"}]}),
        ({}, {"title": "题" * 301, "pi": {"nationality": "Narnia"}}),
    ],
    ("/api/v1/proposals/{id}/", "get"): lambda o: [({"id": o["draft"].pk}, None), ({"id": 999999}, None)],
    ("/api/v1/proposals/{id}/", "put"): lambda o: [
        ({"id": o["draft"].pk}, {"title": "改名", "members": [{"name": "王五"}]}),
        ({"id": o["submitted"].pk}, {"title": "改名"}),
        ({"id": o["draft"].pk}, {"start_date": "明天"}),
    ],
    ("/api/v1/proposals/{id}/", "patch"): lambda o: [
        ({"id": o["draft"].pk}, {"recommender": "科学技术部国际合作司"}),
        ({"id": o["draft"].pk}, {"unknown": 1}),
    ],
    ("/api/v1/proposals/{id}/runs/", "get"): lambda o: [({"id": o["screened"].pk}, None)],
    ("/api/v1/proposals/{id}/runs/{run_pk}/", "get"): lambda o: [
        ({"id": o["screened"].pk, "run_pk": o["run"].pk}, None),
        ({"id": o["draft"].pk, "run_pk": o["run"].pk}, None),
    ],
    ("/api/v1/proposals/{id}/report/", "get"): lambda o: [
        ({"id": o["screened"].pk}, None),
        ({"id": o["draft"].pk}, None),
    ],
    ("/api/v1/proposals/{id}/check/", "post"): lambda o: [({"id": o["draft"].pk}, None)],
    ("/api/v1/registries/", "get"): lambda o: [({}, None)],
    ("/api/v1/registries/", "post"): lambda o: [
        ({}, {"registry": "recommenders", "file": csv_upload()}, "multipart"),
        ({}, {"registry": "nothing"}, "multipart"),
    ],
    ("/api/v1/proposals/{id}/submit/", "post"): lambda o: [
        ({"id": o["incomplete"].pk}, {}),
        ({"id": o["draft"].pk}, {"confirm": True}),
        ({"id": o["submitted"].pk}, {}),
    ],
    ("/api/v1/proposals/{id}/reopen/", "post"): lambda o: [
        ({"id": o["screened"].pk}, None),
        ({"id": o["incomplete"].pk}, None),
    ],
    ("/api/v1/proposals/{id}/", "delete"): lambda o: [
        ({"id": o["incomplete"].pk}, None),
        ({"id": o["submitted"].pk}, None),
    ],
}


@pytest.fixture
def objects(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """The owner's proposals in every state the operations need, one of them screened."""
    owner = make_user("owner")
    screened = make_proposal(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=screened)
    return {
        "owner": owner,
        "screened": screened,
        "run": ScreeningRun.objects.get(proposal=screened),
        "draft": make_proposal(owner=owner, state="draft"),
        "incomplete": make_draft(owner=owner, data=complete_data(title=None, guide_year=2022)),
        "submitted": make_proposal(owner=owner, state="submitted"),
    }


def test_every_operation_of_the_schema_has_requests_in_this_walk(db):
    assert operations(served_schema(token_client())) == set(CASES)


def check_answer(schema: dict, path: str, method: str, response) -> str | None:
    """None when the answer is documented and matches; else what is wrong."""
    documented = schema["paths"][path][method]["responses"]
    status = str(response.status_code)
    if status not in documented:
        return f"{method.upper()} {path}: {status} is not documented ({sorted(documented)})"
    content = documented[status].get("content")
    if content is None:
        return None if not response.content else f"{method.upper()} {path}: {status} has a body"
    body_schema = content["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**to_json_schema(body_schema), "components": to_json_schema(schema["components"])},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(response.json())
    ]
    return f"{method.upper()} {path}: {status} body: {errors[:3]}" if errors else None


@pytest.mark.parametrize("role", ["anonymous", "owner", "other applicant", "officer", "admin"])
def test_every_answer_has_a_documented_status_and_matches_its_schema(
    role, objects, django_capture_on_commit_callbacks
):
    user = {
        "anonymous": None,
        "owner": objects["owner"],
        "other applicant": make_user("mallory"),
        "officer": make_user("olga", role="officer"),
        "admin": make_user("root", role="admin"),
    }[role]
    client = token_client(user)
    schema = served_schema(client)
    problems, statuses = [], set()
    for (path, method), build in CASES.items():
        for params, data, *fmt in build(objects):
            url = path.format(**params)
            if method == "get":
                response = client.get(url, data)
            else:
                with django_capture_on_commit_callbacks(execute=True):
                    response = getattr(client, method)(url, data, format=fmt[0] if fmt else "json")
            statuses.add(response.status_code)
            problem = check_answer(schema, path, method, response)
            if problem is not None:
                problems.append(problem)
    assert problems == [], "\n".join(problems)
    assert statuses >= ({401} if role == "anonymous" else {200, 404})


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text(encoding="utf-8").startswith("openapi: 3.0.3")


def test_every_operation_documents_the_error_body_for_401_429_and_500(db):
    schema = served_schema(token_client())
    missing = [
        (path, method, status)
        for path, method in operations(schema)
        for status in ("401", "429", "500")
        if schema["paths"][path][method]["responses"]
        .get(status, {})
        .get("content", {})
        .get("application/json")
        != {"schema": {"$ref": "#/components/schemas/Error"}}
    ]
    assert missing == []


def test_filters_and_fields_document_the_ranges_and_lengths_they_take(db):
    schema = served_schema(token_client())
    parameters = {
        (path, p["name"]): p["schema"]
        for path, item in schema["paths"].items()
        for p in item.get("get", {}).get("parameters", [])
    }
    assert parameters["/api/v1/guides/{year}/directions/", "area"] == {"type": "integer", "minimum": 1}
    assert parameters["/api/v1/proposals/", "guide_year"] == {
        "type": "integer",
        "minimum": 2000,
        "maximum": 2100,
    }
    request = schema["components"]["schemas"]["ProposalRequest"]["properties"]
    answer = schema["components"]["schemas"]["Proposal"]["properties"]
    assert (request["guide_year"]["minimum"], request["guide_year"]["maximum"]) == (2000, 2100)
    assert "minimum" not in answer["guide_year"]  # an answer is what is stored, maybe older than the rules
    assert schema["components"]["schemas"]["BudgetRequest"]["properties"]["national"]["minimum"] == 0
    assert (request["research_content"]["maxLength"], request["indicators"]["maxLength"]) == (3000, 3000)


def test_every_operation_with_a_body_documents_413(db):
    schema = served_schema(token_client())
    missing = [
        (path, method)
        for path, method in operations(schema)
        if method in ("post", "put", "patch") and "413" not in schema["paths"][path][method]["responses"]
    ]
    assert missing == []
