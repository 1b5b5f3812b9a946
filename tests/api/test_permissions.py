"""Who may do what through the API: the pages' table (tests/proposals/test_permissions.py,
tests/screening/test_views.py) over the API. Another applicant's proposal is a 404 on
every URL (indistinguishable from one that does not exist); officers read everything, may
start a check (as on the report page) and change nothing (403: they know it exists);
admins change everything; the registries are uploaded by admins only; without
credentials everything private is a 401."""

import io

import pytest

from proposals.models import Proposal
from screening.models import RegistryLoad, ScreeningRun
from tests.api.conftest import token_client
from tests.factories.proposals import complete_data, make_proposal, make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other applicant", "owner", "officer", "admin")

# action → the status for each role in ROLES. Rows run in this order on fresh data per role.
MATRIX = {
    "list": (401, 200, 200, 200, 200),
    "create": (401, 201, 201, 403, 201),
    "read": (401, 404, 200, 200, 200),
    "update": (401, 404, 200, 403, 200),
    "patch": (401, 404, 200, 403, 200),
    "runs": (401, 404, 200, 200, 200),
    "run": (401, 404, 200, 200, 200),
    "report": (401, 404, 200, 200, 200),
    "check": (401, 404, 202, 202, 202),
    "submit": (401, 404, 200, 403, 200),
    "reopen": (401, 404, 200, 403, 200),
    "delete": (401, 404, 204, 403, 204),
    "registries": (401, 200, 200, 200, 200),
    "registry upload": (401, 403, 403, 403, 201),
}


@pytest.fixture
def owned():
    """Alice's draft (with a run), her submitted proposal and a spare draft to delete."""
    alice = make_user("alice")
    draft = make_proposal(owner=alice, data=complete_data(reference="SQ-DRAFT"))
    return {
        "alice": alice,
        "draft": draft,
        "run": ScreeningRun.objects.create(proposal=draft, reason="draft"),
        "submitted": make_proposal(owner=alice, data=complete_data(reference="SQ-SUB"), state="submitted"),
        "spare": make_proposal(owner=alice, data=complete_data(reference="SQ-SPARE")),
    }


def requests(o) -> dict[str, tuple]:
    d, s, x, r = o["draft"].pk, o["submitted"].pk, o["spare"].pk, o["run"].pk
    csv = io.BytesIO(b"name\n\xe7\xa7\x91\xe6\x8a\x80\xe9\x83\xa8\n")
    csv.name = "recommenders.csv"
    return {
        "list": ("get", "/api/v1/proposals/", None),
        "create": ("post", "/api/v1/proposals/", {"title": "新的"}),
        "read": ("get", f"/api/v1/proposals/{d}/", None),
        "update": ("put", f"/api/v1/proposals/{d}/", {**complete_data_body(), "title": "hijacked"}),
        "patch": ("patch", f"/api/v1/proposals/{d}/", {"title": "hijacked"}),
        "runs": ("get", f"/api/v1/proposals/{d}/runs/", None),
        "run": ("get", f"/api/v1/proposals/{d}/runs/{r}/", None),
        "report": ("get", f"/api/v1/proposals/{d}/report/", None),
        "check": ("post", f"/api/v1/proposals/{d}/check/", None),
        "submit": ("post", f"/api/v1/proposals/{d}/submit/", {"confirm": True}),
        "reopen": ("post", f"/api/v1/proposals/{s}/reopen/", None),
        "delete": ("delete", f"/api/v1/proposals/{x}/", None),
        "registries": ("get", "/api/v1/registries/", None),
        "registry upload": ("post", "/api/v1/registries/", {"registry": "recommenders", "file": csv}),
    }


def complete_data_body() -> dict:
    from proposals.api.payload import data_to_body

    return data_to_body(complete_data(reference="SQ-DRAFT"))


def user_for(role: str, o):
    return {
        "anonymous": None,
        "other applicant": make_user("mallory"),
        "owner": o["alice"],
        "officer": make_user("olga", role="officer"),
        "admin": make_user("root", role="admin"),
    }[role]


def statuses(role: str, o, django_capture_on_commit_callbacks) -> dict[str, int]:
    client = token_client(user_for(role, o))
    result = {}
    for action, (method, url, data) in requests(o).items():
        fmt = "multipart" if action == "registry upload" else "json"
        with django_capture_on_commit_callbacks(execute=False):  # checks stay queued: nothing runs
            result[action] = getattr(client, method)(url, data, format=fmt).status_code
    return result


def unchanged(o) -> tuple:
    draft = Proposal.objects.get(pk=o["draft"].pk)
    return (
        draft.title,
        draft.state,
        Proposal.objects.get(pk=o["submitted"].pk).state,
        Proposal.objects.filter(pk=o["spare"].pk).exists(),
        RegistryLoad.objects.count(),
    )


BEFORE = ("面向碳中和的电解水制氢国际合作研究", "draft", "submitted", True, 0)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_pages_answer_for_every_action(role, owned, django_capture_on_commit_callbacks):
    column = ROLES.index(role)
    expected = {action: row[column] for action, row in MATRIX.items()}
    assert statuses(role, owned, django_capture_on_commit_callbacks) == expected


@pytest.mark.parametrize("role", ["anonymous", "other applicant", "officer"])
def test_refused_roles_change_nothing(role, owned, django_capture_on_commit_callbacks):
    statuses(role, owned, django_capture_on_commit_callbacks)
    assert unchanged(owned) == BEFORE
    assert Proposal.objects.filter(reference__in=["SQ-DRAFT", "SQ-SUB", "SQ-SPARE"]).count() == 3


def test_another_applicant_does_not_see_the_proposals_in_their_list(owned):
    client = token_client(make_user("mallory"))
    assert client.get("/api/v1/proposals/").json()["results"] == []


def test_officer_lists_every_proposal(owned):
    client = token_client(make_user("olga", role="officer"))
    references = {p["reference"] for p in client.get("/api/v1/proposals/").json()["results"]}
    assert references == {"SQ-DRAFT", "SQ-SUB", "SQ-SPARE"}


def test_admin_edits_an_applicants_draft_keeping_its_owner(owned):
    client = token_client(make_user("root", role="admin"))
    response = client.patch(f"/api/v1/proposals/{owned['draft'].pk}/", {"title": "管理员修改"}, format="json")
    assert (response.status_code, response.json()["owner"], response.json()["title"]) == (
        200,
        "alice",
        "管理员修改",
    )
