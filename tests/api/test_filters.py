"""The API's list filters (common.api.filters): an enum or integer filter given with an empty
value is refused, as the schema (which has no empty value for them) says; a text filter may be
empty."""

import pytest

from tests.api.conftest import token_client
from tests.factories.guide import make_guide
from tests.factories.proposals import make_proposal, make_user

pytestmark = pytest.mark.django_db

BLANK = ["不能为空；不按这一项筛选时请省去这个参数。"]


def answer(response) -> tuple:
    return response.status_code, response.json()["error"]["fields"] if response.status_code == 400 else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": ""}, (400, {"state": BLANK})),
        ({"guide_year": ""}, (400, {"guide_year": BLANK})),
        ({"state": ["draft", ""]}, (400, {"state": BLANK})),
        ({"state": "draft", "guide_year": "2030", "q": "", "direction": ""}, (200, None)),
    ],
)
def test_proposal_list_refuses_an_empty_state_or_year(query, expected, db):
    alice = make_user("alice")
    make_proposal(owner=alice)
    assert answer(token_client(alice).get("/api/v1/proposals/", query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"area": ""}, (400, {"area": BLANK})),
        ({"partner": ""}, (400, {"partner": BLANK})),
        ({"area": "1", "partner": "any", "q": "", "ratio": "", "type": ""}, (200, None)),
    ],
)
def test_direction_list_refuses_an_empty_area_or_partner(query, expected, db):
    make_guide(year=2030)
    assert answer(token_client().get("/api/v1/guides/2030/directions/", query)) == expected
