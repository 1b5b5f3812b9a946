"""The guide API gives the conditions with their scopes: the guide's every condition as published, and
for each direction its project types and what applies in it (guide.parsing.conditions.applicable), in
the documented shape; the direction list filters by project type."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guide.models import Direction
from guide.services import version_create_from_file, version_publish
from tests.api.conftest import token_client
from tests.api.test_schema import check_answer, served_schema
from tests.factories.guide import make_guide
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

YOUNG_2024 = (
    Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "family" / "young-scientist-2024.txt"
)
CALL = {"project_type": None, "direction": None, "gender": None}


@pytest.fixture
def young2024(db):
    version = version_create_from_file(path=YOUNG_2024)
    version_publish(version=version, by=make_user("officer"))
    return version


def scope(project_type=None, direction=None, gender=None) -> dict:
    return {"project_type": project_type, "direction": direction, "gender": gender}


def test_the_guide_lists_every_condition_with_its_scope_state_and_text(young2024):
    body = token_client().get("/api/v1/guides/2024/").json()
    by_key = {c["key"]: c for c in body["conditions"]}
    assert len(body["conditions"]) == 24
    assert by_key["pi_born_on_or_after@type=青年科学家项目,gender=male"] == {
        "key": "pi_born_on_or_after@type=青年科学家项目,gender=male",
        "parameter": "pi_born_on_or_after",
        "value": "1986-01-01",
        "scope": scope("青年科学家项目", gender="male"),
        "state": "stated",
        "text": (
            "(2)青年科学家项目负责人年龄要求,男性应为1986年1月1日以后出生,女性应为1984年1月1日以后出生,"
            "原则上团队其他参与人员年龄要求同上"
        ),
    }
    assert [
        (c["value"], c["scope"])
        for c in body["conditions"]
        if c["parameter"] in ("max_units", "projects_supported", "matching_ratio")
    ] == [
        ([1, 2], CALL),
        (1.0, scope(direction="1.2")),
        (3.0, scope(direction="1.3")),
        (1.0, scope(direction="2.1")),
        (6, scope("基础研究类")),
        (10, scope("共性关键技术类")),
        (10, scope("应用示范类")),
        (3, scope("青年科学家项目")),
        (2.0, scope("应用示范类")),
        ([1, 1], scope(direction="2.2")),
    ]


def test_a_young_scientist_direction_gives_its_types_and_the_conditions_that_apply(young2024):
    body = token_client().get("/api/v1/guides/2024/directions/2.2/").json()
    assert body["project_types"] == ["青年科学家项目"]
    assert body["conditions"] == [
        {
            "parameter": "pi_born_on_or_after",
            "state": "needs_gender",
            "values": [
                {"value": "1986-01-01", "scope": scope("青年科学家项目", gender="male")},
                {"value": "1984-01-01", "scope": scope("青年科学家项目", gender="female")},
            ],
        },
        {
            "parameter": "task_lead_born_on_or_after",
            "state": "stated",
            "values": [{"value": "1964-01-01", "scope": CALL}],
        },
        {
            "parameter": "unit_registered_by",
            "state": "stated",
            "values": [{"value": "2023-06-30", "scope": CALL}],
        },
        {
            "parameter": "max_units",
            "state": "stated",
            "values": [{"value": 3, "scope": scope("青年科学家项目")}],
        },
        {"parameter": "min_foreign_units", "state": "stated", "values": [{"value": 1, "scope": CALL}]},
        {"parameter": "max_duration_years", "state": "stated", "values": [{"value": 4, "scope": CALL}]},
        {
            "parameter": "subtasks_allowed",
            "state": "stated",
            "values": [{"value": False, "scope": scope("青年科学家项目")}],
        },
        {
            "parameter": "projects_supported",
            "state": "stated",
            "values": [{"value": [1, 1], "scope": scope(direction="2.2")}],
        },
    ]


def test_the_direction_list_filters_by_type_and_resolves_each_direction(young2024):
    body = token_client().get("/api/v1/guides/2024/directions/", {"type": "应用示范类"}).json()
    assert [(d["code"], d["project_types"]) for d in body["results"]] == [
        ("1.3", ["应用示范类", "部省联动任务"]),
        ("3.2", ["应用示范类"]),
    ]
    ratios = [
        [c["values"] for c in d["conditions"] if c["parameter"] == "matching_ratio"] for d in body["results"]
    ]
    assert ratios == [
        [[{"value": 3.0, "scope": scope(direction="1.3")}]],
        [[{"value": 2.0, "scope": scope("应用示范类")}]],
    ]


def test_an_unknown_project_type_is_400_naming_the_filter(young2024):
    response = token_client().get("/api/v1/guides/2024/directions/", {"type": "示范类"})
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["type"])


def test_missing_and_ambiguous_conditions_come_with_their_candidates(db):
    guide = make_guide(year=2031, areas=1, directions_per_area=1)
    guide.conditions = [
        {"key": "unit_registered_by", "parameter": "unit_registered_by", "value": None, "state": "missing"},
        {"key": "max_units@type=甲类", "parameter": "max_units", "value": 5, "scope": scope("甲类")},
        {"key": "max_units@type=乙类", "parameter": "max_units", "value": 8, "scope": scope("乙类")},
    ]
    guide.save(update_fields=["conditions"])
    Direction.objects.filter(guide=guide).update(project_types=["甲类", "乙类"])
    body = token_client().get("/api/v1/guides/2031/directions/1.1/").json()
    assert body["conditions"] == [
        {"parameter": "unit_registered_by", "state": "missing", "values": [{"value": None, "scope": CALL}]},
        {
            "parameter": "max_units",
            "state": "ambiguous",
            "values": [{"value": 5, "scope": scope("甲类")}, {"value": 8, "scope": scope("乙类")}],
        },
    ]
    assert [c["state"] for c in token_client().get("/api/v1/guides/2031/").json()["conditions"]] == [
        "missing",
        "stated",
        "stated",
    ]


def test_the_answers_with_scoped_conditions_match_the_documented_schema(young2024):
    client = token_client()
    schema = served_schema(client)
    problems = [
        check_answer(schema, path, "get", client.get(url))
        for path, url in [
            ("/api/v1/guides/{year}/", "/api/v1/guides/2024/"),
            ("/api/v1/guides/{year}/directions/", "/api/v1/guides/2024/directions/?page_size=100"),
            ("/api/v1/guides/{year}/directions/", "/api/v1/guides/2024/directions/?type=青年科学家项目"),
            ("/api/v1/guides/{year}/directions/{code}/", "/api/v1/guides/2024/directions/2.2/"),
        ]
    ]
    assert problems == [None, None, None, None]


def test_the_direction_list_reads_the_guides_conditions_once(db):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert token_client().get(url).status_code == 200
        return len(ctx.captured_queries)

    for year, areas in ((2030, 1), (2031, 4)):
        guide = make_guide(year=year, areas=areas, directions_per_area=5)
        guide.conditions = [
            {"key": "max_units@type=甲类", "parameter": "max_units", "value": 5, "scope": scope("甲类")}
        ]
        guide.save(update_fields=["conditions"])
        Direction.objects.filter(guide=guide).update(project_types=["甲类"])
    assert queries("/api/v1/guides/2031/directions/?type=甲类") == queries(
        "/api/v1/guides/2030/directions/?type=甲类"
    )
    assert queries("/api/v1/guides/2031/directions/") == queries("/api/v1/guides/2030/directions/")
