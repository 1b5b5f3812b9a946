"""The officers' workspace at the scale of a real call, on a throwaway database (see _setup).

    python bench/bench_workspace.py [N]     (default 10,000 screened proposals, 6 people and 8 units each)

Meant for PostgreSQL (DATABASE_URL=postgres://…: a database of its own is created on that server and
dropped after); without it, SQLite in a temporary folder (the keyword search is then a plain scan).

Prints the server-side time (median of repeated requests through Django's test client, so every
middleware, the session and the template are in it) of the dashboard and of the proposal list (a
two-character and a one-character search, a deep keyset page, a filter) against a bare view on the
same server (login required, returns "ok"). The exports are measured by bench_exports.py, which
makes its data with make() and screen() and uses export_baseline() as its baseline.
"""

import random
import statistics
import sys
import time
import types
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

import _setup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import clear_url_caches, include, path
from django.utils import timezone

from guide.models import Direction, Guide
from guide.services import guide_ingest
from proposals.identifiers import make_credit_code, make_resident_id
from proposals.models import Person, Proposal, ProposalSearch, Unit
from proposals.search import search_document
from screening import selectors, services
from screening.models import Finding, ScreeningBatch, ScreeningRun
from screening.tasks import CHUNK
from screening.workspace import selectors as workspace_selectors

PREFIX = "WSB-"
TOPICS = [
    "碳捕集",
    "氢能源",
    "储能电池",
    "气候模式",
    "疫苗研发",
    "海洋观测",
    "智能电网",
    "生物育种",
    "量子通信",
    "深地探测",
]
_ALPHABET = sorted({c for c in _setup.GUIDE_TXT.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})


def bare(request):
    return HttpResponse("ok")


def _urls() -> None:
    """The project's URLs plus the bare baseline view, on the same server and middleware."""
    module = types.ModuleType("bench_workspace_urls")
    module.urlpatterns = [path("bench-bare/", login_required(bare)), path("", include("config.urls"))]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


def make(n: int, owner) -> list[int]:
    rng = random.Random(11)
    codes = list(
        Direction.objects.filter(guide__year=2022).order_by("position").values_list("code", flat=True)
    )
    start = datetime.combine(date(2022, 4, 1), dtime(9), tzinfo=timezone.get_current_timezone())
    proposals = Proposal.objects.bulk_create(
        (
            Proposal(
                owner=owner,
                reference=f"{PREFIX}{i:06d}",
                guide_year=2022,
                direction_code=codes[i % len(codes)],
                title=f"{TOPICS[i % len(TOPICS)]}{''.join(rng.choices(_ALPHABET, k=14))}",
                recommender="科学技术部国际合作司",
                start_date=date(2023, 1, 1),
                end_date=date(2025, 12, 31),
                national_funding=Decimal(500),
                matching_funding=Decimal(1000),
                research_content=f"开发高效低成本燃烧中二氧化碳捕集共性关键技术。{''.join(rng.choices(_ALPHABET, k=400))}",
                indicators="氧浓度≥25%；燃尽度≥90%",
                state="submitted",
                submitted_at=start + timedelta(minutes=7 * i),
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    people, units, documents = [], [], []
    for p in proposals:
        i = int(p.reference[len(PREFIX) :])
        mine = [
            Person(
                proposal=p,
                role="pi" if m == 0 else "member",
                position=m,
                name=f"{'王李张刘陈杨黄赵'[i % 8]}{''.join(rng.choices(_ALPHABET, k=2))}",
                id_number=make_resident_id(date(1970 + m, 1 + i % 12, 1 + i % 28), seq=f"{i % 1000:03d}"),
                birth_date=date(1970 + m, 1 + i % 12, 1 + i % 28),
                nationality="CN",
                title="教授",
                degree="博士",
            )
            for m in range(6)
        ]
        theirs = [
            Unit(
                proposal=p,
                position=u,
                name=f"单位{i}-{u}",
                country="DE" if u >= 6 else "CN",
                credit_code="" if u >= 6 else make_credit_code(f"MB{(i * 8 + u) % 1_000_000:06d}"),
                type="university",
                registered_on=date(2000, 1, 1),
                role="lead" if u == 0 else "participant",
                name_key=f"单位{i}-{u}",
            )
            for u in range(8)
        ]
        people += mine
        units += theirs
        documents.append(ProposalSearch(proposal=p, document=search_document(p, theirs, mine)))
    Person.objects.bulk_create(people, batch_size=5000)
    Unit.objects.bulk_create(units, batch_size=5000)
    ProposalSearch.objects.bulk_create(documents, batch_size=2000)
    services.proposals_index_update(proposals=proposals)
    return [p.pk for p in proposals]


def screen(ids: list[int]) -> None:
    batch = ScreeningBatch.objects.create(label="bench")
    ScreeningRun.objects.bulk_create(
        [ScreeningRun(proposal_id=i, batch=batch, reason="batch") for i in ids], batch_size=5000
    )
    run_ids = list(batch.runs.order_by("pk").values_list("pk", flat=True))
    for k in range(0, len(run_ids), CHUNK):
        services.screening_execute(run_ids=run_ids[k : k + CHUNK])


def timed_page(client: Client, url: str, repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` requests (after one warm-up), and the queries of one."""
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times), queries


def deep_cursor(position: int) -> str:
    """The cursor of the page starting at ``position`` of the list by reference."""
    qs = workspace_selectors.proposals_for_workspace(year=2022)
    return workspace_selectors.keyset_page(qs, sort="reference", cursor=None, size=position - 1).next_cursor


def export_baseline(ids: list[int]) -> float:
    """Reading what the export reads: the proposals with their people, units and latest findings."""
    started = time.perf_counter()
    for k in range(0, len(ids), 1000):
        part = ids[k : k + 1000]
        rows = list(
            selectors.latest_runs_for_proposals(Proposal.objects.filter(pk__in=part)).prefetch_related(
                "people", "units"
            )
        )
        for p in rows:
            list(p.people.all()), list(p.units.all())
        list(Finding.objects.filter(run_id__in=[p.latest_run_id for p in rows]).values_list())
    return time.perf_counter() - started


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    vendor = _setup.database()
    if not Guide.objects.filter(year=2022).exists():
        guide_ingest(path=_setup.GUIDE_TXT)
    _urls()
    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="bench-owner")
    officer, _ = User.objects.get_or_create(username="bench-officer")
    officer.groups.add(Group.objects.get_or_create(name="officer")[0])
    print(f"database: {vendor} (throwaway), N={n}")
    started = time.perf_counter()
    with transaction.atomic():
        ids = make(n, owner)
    screen(ids)
    if vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("VACUUM ANALYZE")
    print(f"generated and screened {n} proposals in {time.perf_counter() - started:.1f} s")

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(officer)
    pages = {
        "bare view (baseline)": "/bench-bare/",
        "dashboard": "/screening/workspace/",
        "list, first page": "/screening/workspace/proposals/",
        "list, 2-char search 氢能": "/screening/workspace/proposals/?q=氢能",
        "list, 2-char search 碳捕 (all)": "/screening/workspace/proposals/?q=碳捕",
        "list, 1-char search 能": "/screening/workspace/proposals/?q=能",
        "list, 2-char search, by date": "/screening/workspace/proposals/?q=氢能&sort=-submitted",
        f"list, page at {n - 100}": f"/screening/workspace/proposals/?cursor={deep_cursor(n - 100)}",
        "list, failing direction.partner_countries": "/screening/workspace/proposals/?rule=direction.partner_countries",
    }
    results = {label: timed_page(client, url, repeat=15) for label, url in pages.items()}
    base = results["bare view (baseline)"][0]
    for label, (t, queries) in results.items():
        print(f"page {label:44s} median {t * 1000:7.1f} ms  ({t / base:5.1f}x bare)  {queries:3d} queries")


if __name__ == "__main__":
    main()
