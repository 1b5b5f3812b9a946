"""Screening throughput through the batch path, on a throwaway database (see _setup).

    python bench/bench_screening.py [N]     (default 10,000 proposals, 8 units and 5 members each)

Meant for PostgreSQL (DATABASE_URL=postgres://…: a database of its own is created
on that server and dropped after); without it, SQLite in a temporary folder, and
the two-process part is skipped.

Prints proposals per second and SQL queries per proposal at N/10 and N (the query
count must not grow with N), and the ratio of screening time to a baseline measured
in the same run: loading the same proposals with their people and units.
"""

import sys
import time
from datetime import date
from decimal import Decimal

import _setup
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from guide.models import Guide
from guide.services import guide_ingest
from proposals.identifiers import make_credit_code, make_resident_id
from proposals.models import Person, Proposal, Unit
from screening import selectors, services
from screening.models import ScreeningBatch, ScreeningRun
from screening.tasks import CHUNK

PREFIX = "BENCH-"
_ALPHABET = sorted({c for c in _setup.GUIDE_TXT.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})


def text(i: int, length: int) -> str:
    """Distinct text per proposal: realistic for the duplicate lookups (near-identical
    texts in every proposal would make each one a candidate for all the others)."""
    import random

    return "".join(random.Random(i).choices(_ALPHABET, k=length))


def make(n: int, owner) -> list[int]:
    proposals = Proposal.objects.bulk_create(
        Proposal(
            owner=owner,
            reference=f"{PREFIX}{i:06d}",
            guide_year=2022,
            direction_code="1.1",
            title=f"碳捕集{text(-i - 1, 16)}",
            recommender="科学技术部国际合作司",
            start_date=date(2023, 1, 1),
            end_date=date(2025, 12, 31),
            national_funding=Decimal(500),
            matching_funding=Decimal(1000),
            research_content=f"开发高效低成本燃烧中二氧化碳捕集共性关键技术。{text(i, 400)}",
            indicators="氧浓度≥25%；燃尽度≥90%",
            state="submitted",
        )
        for i in range(n)
    )
    people, units = [], []
    for p in proposals:
        i = int(p.reference[len(PREFIX) :])
        for m in range(6):
            people.append(
                Person(
                    proposal=p,
                    role="pi" if m == 0 else "member",
                    position=m,
                    name=f"人{i}-{m}",
                    id_number=make_resident_id(date(1970 + m, 1 + i % 12, 1 + i % 28), seq=f"{i % 1000:03d}"),
                    birth_date=date(1970 + m, 1 + i % 12, 1 + i % 28),
                    nationality="CN",
                    title="教授",
                    degree="博士",
                )
            )
        for u in range(8):
            foreign = u >= 6
            units.append(
                Unit(
                    proposal=p,
                    position=u,
                    name=f"单位{i}-{u}",
                    country="DE" if foreign else "CN",
                    credit_code="" if foreign else make_credit_code(f"MB{(i * 8 + u) % 1_000_000:06d}"),
                    type="university",
                    registered_on=date(2000, 1, 1),
                    role="lead" if u == 0 else "participant",
                    name_key=f"单位{i}-{u}",
                )
            )
    Person.objects.bulk_create(people, batch_size=5000)
    Unit.objects.bulk_create(units, batch_size=5000)
    services.proposals_index_update(proposals=proposals)  # content fingerprints, as at submission
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE")
    return [p.pk for p in proposals]


def _chunk_worker(run_ids: list[int]) -> int:
    """Runs in a spawned process, like a Celery worker process taking one chunk task."""
    import _setup  # noqa: F401  (django.setup in this process)

    from screening import services as s

    return len(s.screening_execute(run_ids=run_ids))


def screen_parallel(ids: list[int], workers: int) -> float:
    """The same chunks spread over `workers` processes, as `workers` Celery worker
    processes would take them from the queue."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    batch = ScreeningBatch.objects.create(label="bench")
    ScreeningRun.objects.bulk_create(
        [ScreeningRun(proposal_id=i, batch=batch, reason="batch") for i in ids], batch_size=5000
    )
    run_ids = list(batch.runs.order_by("pk").values_list("pk", flat=True))
    chunks = [run_ids[k : k + CHUNK] for k in range(0, len(run_ids), CHUNK)]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        list(pool.map(_chunk_worker, [[]] * workers * 2))  # start-up (imports, connections) not timed
        start = time.perf_counter()
        done = sum(pool.map(_chunk_worker, chunks))
        elapsed = time.perf_counter() - start
    assert done == len(ids), (done, len(ids))
    return elapsed


def screen(ids: list[int]) -> tuple[float, int]:
    batch = ScreeningBatch.objects.create(label="bench")
    ScreeningRun.objects.bulk_create(
        [ScreeningRun(proposal_id=i, batch=batch, reason="batch") for i in ids], batch_size=5000
    )
    run_ids = list(batch.runs.order_by("pk").values_list("pk", flat=True))
    queries = 0

    def count(execute, sql, params, many, context):  # lighter than CaptureQueriesContext
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        for k in range(0, len(run_ids), CHUNK):
            services.screening_execute(run_ids=run_ids[k : k + CHUNK])
    return time.perf_counter() - start, queries


def baseline(ids: list[int]) -> float:
    start = time.perf_counter()
    for k in range(0, len(ids), CHUNK):
        for p in selectors.proposals_for_screening(ids[k : k + CHUNK]):
            list(p.people.all()), list(p.units.all())
    return time.perf_counter() - start


def cleanup() -> None:
    Proposal.objects.filter(reference__startswith=PREFIX).delete()
    ScreeningBatch.objects.filter(label="bench").delete()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    vendor = _setup.database()
    if not Guide.objects.filter(year=2022).exists():
        guide_ingest(path=_setup.GUIDE_TXT)
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    cleanup()
    print(f"database: {vendor} (throwaway)")
    try:
        for size in (max(n // 10, CHUNK), n):
            with transaction.atomic():
                ids = make(size, owner)
            base = baseline(ids)
            elapsed, queries = screen(ids)
            print(
                f"N={size:>6}: {size / elapsed:8.0f} proposals/s, {queries / size:.3f} queries/proposal, "
                f"{elapsed:.1f} s; baseline load {base:.1f} s; screening/baseline = {elapsed / base:.1f}x"
            )
            cleanup()
        if vendor != "postgresql":
            print(
                "2 worker processes: skipped (SQLite takes one writer at a time; set DATABASE_URL to PostgreSQL)"
            )
            return
        with transaction.atomic():
            ids = make(n, owner)
        elapsed = screen_parallel(ids, workers=2)
        print(
            f"N={n:>6}: {n / elapsed:8.0f} proposals/s with 2 worker processes (chunks of {CHUNK}), {elapsed:.1f} s"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
