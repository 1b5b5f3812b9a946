"""Every list endpoint answers in the same number of queries at two sizes: no N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guide.models import Guide
from screening.models import Finding, ScreeningRun
from screening.registries import registry_import_csv
from tests.api.conftest import token_client
from tests.factories.guide import make_guide
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_guide_list_queries_do_not_grow_with_the_years(db):
    client = token_client()
    make_guide(year=2030)
    small = queries(client, "/api/v1/guides/")
    for year in range(2031, 2040):
        make_guide(year=year)
    assert (Guide.objects.count(), queries(client, "/api/v1/guides/")) == (10, small)


def test_direction_list_queries_do_not_grow_with_the_directions(db):
    client = token_client()
    make_guide(year=2030, areas=1, directions_per_area=2)
    make_guide(year=2031, areas=4, directions_per_area=5)
    small = queries(client, "/api/v1/guides/2030/directions/")
    assert queries(client, "/api/v1/guides/2031/directions/?partner=any") == queries(
        client, "/api/v1/guides/2030/directions/?partner=any"
    )
    assert queries(client, "/api/v1/guides/2031/directions/") == small


@pytest.mark.parametrize("role", ["applicant", "officer"])
def test_proposal_list_queries_do_not_grow_with_the_proposals(role, db):
    owner = make_user("alice")
    client = token_client(owner if role == "applicant" else make_user("olga", role="officer"))
    for _ in range(2):
        make_proposal(owner=owner)
    small = queries(client, "/api/v1/proposals/")
    for _ in range(12):
        make_proposal(owner=owner)
    assert queries(client, "/api/v1/proposals/") == small
    assert queries(client, "/api/v1/proposals/?q=负责人&state=submitted") == queries(
        client, "/api/v1/proposals/?q=负责人&state=submitted&page_size=5"
    )


def add_run(proposal, findings: int) -> None:
    run = ScreeningRun.objects.create(proposal=proposal, status="done", overall="fail")
    Finding.objects.bulk_create(
        Finding(run=run, position=n, rule="pi.age", status="fail", message_id="pi.age.too_old")
        for n in range(findings)
    )


def test_run_list_queries_do_not_grow_with_the_runs_or_their_findings(db):
    proposal = make_proposal()
    client = token_client(proposal.owner)
    add_run(proposal, 1)
    small = queries(client, f"/api/v1/proposals/{proposal.pk}/runs/")
    for _ in range(8):
        add_run(proposal, 5)
    assert queries(client, f"/api/v1/proposals/{proposal.pk}/runs/") == small


def test_registry_list_is_one_query_whatever_is_loaded(db):
    client = token_client(make_user("olga", role="officer"))
    small = queries(client, "/api/v1/registries/")
    registry_import_csv(name="recommenders", text="name\n甲\n乙\n丙\n", source="x")
    registry_import_csv(name="guide_experts", text="id_number,name\n11010519491231002X,张三\n", source="y")
    assert queries(client, "/api/v1/registries/") == small
