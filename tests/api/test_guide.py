"""The published guide through the API: public, read-only, the same data and filters as
the guide pages."""

import pytest

from tests.api.conftest import token_client
from tests.factories.guide import make_guide

pytestmark = pytest.mark.django_db


def test_guide_list_is_public_and_names_each_year_with_its_version(guide2022):
    response = token_client().get("/api/v1/guides/")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "year": 2022,
                "title": "“战略性科技创新合作”重点专项 2022 年度联合研发与示范项目申报指南",
                "declared_direction_count": 39,
                "direction_count": 39,
                "published_version_id": guide2022.published_version_id,
            }
        ],
    }


def test_guide_detail_gives_the_general_limits_the_checks_apply(guide2022):
    body = token_client().get("/api/v1/guides/2022/").json()
    assert body["eligibility"] == {
        "pi_born_on_or_after": "1962-01-01",
        "unit_registered_by": "2021-06-30",
        "max_domestic_units": 10,
        "min_foreign_units": 1,
        "max_duration_years": 3,
        "subtasks_allowed": False,
    }
    assert (body["total_budget_yuan"], body["projects_per_direction"]) == (250000000, {"min": 1, "max": 2})
    assert [a["number"] for a in body["areas"]] == list(range(1, len(body["areas"]) + 1))
    assert sum(a["direction_count"] for a in body["areas"]) == 39
    assert sum(row["directions"] for row in body["matching_ratios"]) == 39
    assert body["formal_clauses"][0]["clause"] == guide2022.formal_clauses.order_by("position")[0].clause


def test_public_guide_responses_may_be_cached_but_vary_on_language_and_credentials(guide2022):
    response = token_client().get("/api/v1/guides/2022/")
    assert response.headers.get("Cache-Control") is None
    assert response.headers["Vary"] == "Accept-Language, Cookie, Authorization"


def test_an_unknown_year_is_404_in_the_error_body(guide2022):
    response = token_client().get("/api/v1/guides/1999/")
    assert (response.status_code, response.json()) == (
        404,
        {"error": {"code": "not_found", "message": "未找到。", "fields": {}}},
    )


def test_directions_come_with_indicators_and_partner_requirements(guide2022):
    body = token_client().get("/api/v1/guides/2022/directions/5.2/").json()
    direction = guide2022.directions.get(code="5.2")
    assert body["code"] == "5.2"
    assert [i["text"] for i in body["indicators"]] == list(
        direction.indicators.order_by("position").values_list("text", flat=True)
    )
    assert [(r["kind"], r["value"], r["strength"]) for r in body["partner_requirements"]] == list(
        direction.partner_requirements.order_by("id").values_list("kind", "value", "strength")
    )


def test_direction_list_takes_the_direction_pages_filters(guide2022):
    client = token_client()
    codes = [
        d["code"] for d in client.get("/api/v1/guides/2022/directions/?q=carbon%20capture").json()["results"]
    ]
    assert codes == list(
        guide2022.directions.filter(keywords_en__icontains="carbon capture")
        .order_by("position")
        .values_list("code", flat=True)
    )
    by_ratio = client.get("/api/v1/guides/2022/directions/?ratio=none&page_size=100").json()
    assert by_ratio["count"] == guide2022.directions.filter(matching_ratio__isnull=True).count()


def test_direction_list_with_an_invalid_filter_is_400_naming_the_filter(guide2022):
    response = token_client().get("/api/v1/guides/2022/directions/?area=99")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == ["area"]


def test_direction_list_is_paginated_with_a_capped_page_size(db):
    make_guide(year=2030, areas=3, directions_per_area=40)
    client = token_client()
    assert len(client.get("/api/v1/guides/2030/directions/").json()["results"]) == 20
    assert len(client.get("/api/v1/guides/2030/directions/?page_size=500").json()["results"]) == 100
    assert client.get("/api/v1/guides/2030/directions/?page=99").status_code == 404


def test_english_is_answered_when_asked_for(guide2022):
    response = token_client().get("/api/v1/guides/1999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Not found."
    assert response.headers["Content-Language"] == "en"
