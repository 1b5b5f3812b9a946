"""Pagination of every API list (common.api.pagination): ``page`` and ``page_size`` are whole
numbers from 1 up, as the schema says; anything else is refused, never silently replaced."""

import pytest

from tests.api.conftest import token_client
from tests.factories.guide import make_guide

pytestmark = pytest.mark.django_db


@pytest.fixture
def directions(db):
    """A guide of 45 directions: three pages of 20."""
    make_guide(year=2030, areas=3, directions_per_area=15)
    return "/api/v1/guides/2030/directions/"


def results(response) -> tuple[int, int]:
    return response.status_code, len(response.json()["results"])


@pytest.mark.parametrize(
    ("page_size", "count"), [("1", 1), ("0005", 5), ("100", 45), ("101", 45), ("9" * 5000, 45)]
)
def test_a_page_size_from_1_up_is_taken_and_capped_at_100(directions, page_size, count):
    assert results(token_client().get(directions, {"page_size": page_size})) == (200, count)


@pytest.mark.parametrize("page_size", ["", "null", "0", "000", "-1", "+5", " 5", "5.0", "1e2", "٥", "abc"])
def test_a_page_size_that_is_not_a_whole_number_from_1_up_is_400(directions, page_size):
    response = token_client().get(directions, {"page_size": page_size})
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "invalid",
                "message": "请求内容有误，请按 fields 中各字段的说明修改。",
                "fields": {"page_size": ["每页条数应为不小于 1 的整数。"]},
            }
        },
    )


@pytest.mark.parametrize("page", ["1", "3", "003"])
def test_a_page_from_1_to_the_last_is_answered(directions, page):
    assert results(token_client().get(directions, {"page": page}))[0] == 200


@pytest.mark.parametrize("page", ["4", "0", "", "last", "-1", "٣", "9" * 5000])
def test_a_page_past_the_end_or_not_a_whole_number_from_1_up_is_404(directions, page):
    response = token_client().get(directions, {"page": page})
    assert (response.status_code, response.json()) == (
        404,
        {"error": {"code": "not_found", "message": "无效页面。", "fields": {}}},
    )


def test_the_schema_documents_both_from_1_and_the_400(db):
    schema = token_client().get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/guides/{year}/directions/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert (parameters["page"]["schema"], parameters["page_size"]["schema"]) == (
        {"type": "integer", "minimum": 1},
        {"type": "integer", "minimum": 1},
    )
    assert parameters["page_size"]["description"] == "每页条数，默认 20，大于 100 时按 100"
    assert "400" in schema["paths"]["/api/v1/guides/"]["get"]["responses"]
