"""Screening throughput through the batch path, on a throwaway database (see _setup).

    python bench/bench_screening.py [N ...]     (default 1,000 10,000 50,000 proposals on PostgreSQL,
                                                 1,000 10,000 on SQLite; 8 units and 6 people each)

Meant for PostgreSQL (DATABASE_URL=postgres://…: a database of its own is created
on that server and dropped after); without it, SQLite in a temporary folder, and
the two-process part is skipped.

For each N, prints proposals per second and SQL queries per proposal (the query
count must not grow with N), the ratio of screening time to a baseline measured in
the same run (loading the same proposals with their people and units), and the time
of a chunk of 200 runs, and of its SQL statements, at the start and at the end of
the run (the end's chunks run with nearly N proposals already screened: they must
not be slower). Then 10,000 (or the largest N below) with two worker processes.

The proposals are written with COPY on PostgreSQL, their content fingerprints (what
services.proposals_index_update stores at submission) computed in one process per
core, so that setting up 50,000 takes about a minute.
"""

import gc
import os
import sys
import time
from datetime import date
from decimal import Decimal

import _setup
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from common.runtime import freeze_startup_heap
from guide.models import Guide
from guide.services import guide_ingest
from proposals.identifiers import make_credit_code, make_resident_id
from proposals.models import Person, Proposal, Unit
from screening import selectors, services
from screening.models import ContentFingerprint, ScreeningBatch, ScreeningRun
from screening.rules.text import content_fingerprints, normalise_name
from screening.tasks import CHUNK

PREFIX = "BENCH-"
_ALPHABET = sorted({c for c in _setup.GUIDE_TXT.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})


def text(i: int, length: int) -> str:
    """Distinct text per proposal: realistic for the duplicate lookups (near-identical
    texts in every proposal would make each one a candidate for all the others)."""
    import random

    return "".join(random.Random(i).choices(_ALPHABET, k=length))


def content(i: int) -> str:
    return f"开发高效低成本燃烧中二氧化碳捕集共性关键技术。{text(i, 400)}"


def _prints_of(i: int) -> list[str]:
    """Runs in a pool process: the fingerprints proposals_index_update stores for proposal i."""
    return sorted(set(content_fingerprints(content(i))))


_PRINTS: dict[int, list[str]] = {}  # memo: every size uses the same texts (proposal i has text i)


def fingerprints(n: int) -> None:
    """Compute the content fingerprints of proposals 0 … n-1 not computed yet, one
    process per core (min-hashing is the costly part of setting up 50,000 proposals)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    todo = [i for i in range(n) if i not in _PRINTS]
    if not todo:
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=ctx) as pool:
        _PRINTS.update(zip(todo, pool.map(_prints_of, todo, chunksize=500), strict=True))


def insert(model, rows: list[dict]) -> None:
    """Insert rows given as {attname: value}, the model's defaults for the other fields: COPY on
    PostgreSQL without making model instances (the ~750,000 rows of N=50,000 take seconds, not
    minutes), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create((model(**row) for row in rows), batch_size=5000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = [
        (
            f.attname,
            now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default(),
        )
        for f in fields
    ]
    defaults = [
        (name, fields[n].get_db_prep_save(value, connection)) for n, (name, value) in enumerate(defaults)
    ]
    sql = f"COPY {model._meta.db_table} ({', '.join(f.column for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in defaults])


def make(n: int, owner) -> list[int]:
    """n submitted proposals with 6 people and 8 units each, their unit name keys and
    content fingerprints written as proposals_index_update writes them at submission
    (checked on the first chunk). ID numbers and credit codes are distinct up to
    125,000 proposals, so nobody collides with anybody."""
    fingerprints(n)
    insert(
        Proposal,
        [
            {
                "owner_id": owner.pk,
                "reference": f"{PREFIX}{i:06d}",
                "guide_year": 2022,
                "direction_code": "1.1",
                "title": f"碳捕集{text(-i - 1, 16)}",
                "recommender": "科学技术部国际合作司",
                "start_date": date(2023, 1, 1),
                "end_date": date(2025, 12, 31),
                "national_funding": Decimal(500),
                "matching_funding": Decimal(1000),
                "research_content": content(i),
                "indicators": "氧浓度≥25%；燃尽度≥90%",
                "state": "submitted",
            }
            for i in range(n)
        ],
    )
    pk_of = {
        int(ref[len(PREFIX) :]): pk
        for ref, pk in Proposal.objects.filter(reference__startswith=PREFIX).values_list("reference", "pk")
    }
    people, units, prints = [], [], []
    for i, pk in pk_of.items():
        for m in range(6):
            born = date(1970 + m, 1 + i % 12, 1 + i % 28)
            people.append(
                {
                    "proposal_id": pk,
                    "role": "pi" if m == 0 else "member",
                    "position": m,
                    "name": f"人{i}-{m}",
                    # (born, seq) repeat every 21,000 proposals: the region code tells those apart
                    "id_number": make_resident_id(
                        born, seq=f"{i % 1000:03d}", region=f"{110105 + i // 21000}"
                    ),
                    "birth_date": born,
                    "nationality": "CN",
                    "title": "教授",
                    "degree": "博士",
                }
            )
        for u in range(8):
            foreign = u >= 6
            name = f"单位{i}-{u}"
            units.append(
                {
                    "proposal_id": pk,
                    "position": u,
                    "name": name,
                    "country": "DE" if foreign else "CN",
                    "credit_code": "" if foreign else make_credit_code(f"MB{(i * 8 + u) % 1_000_000:06d}"),
                    "type": "university",
                    "registered_on": date(2000, 1, 1),
                    "role": "lead" if u == 0 else "participant",
                    "name_key": normalise_name(name),
                }
            )
        prints.extend({"proposal_id": pk, "value": fp} for fp in _PRINTS[i])
    insert(Person, people)
    insert(Unit, units)
    insert(ContentFingerprint, prints)
    ids = sorted(pk_of.values())
    first = list(Proposal.objects.filter(pk__in=ids[:CHUNK]))

    def index() -> tuple[set, set]:
        return (
            set(ContentFingerprint.objects.filter(proposal__in=first).values_list("proposal_id", "value")),
            set(Unit.objects.filter(proposal__in=first).values_list("pk", "name_key")),
        )

    written = index()
    services.proposals_index_update(proposals=first)  # what submission writes: the same rows
    assert index() == written, "the benchmark's index rows differ from proposals_index_update's"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE")
    return ids


def _chunk_worker(run_ids: list[int]) -> int:
    """Runs in a spawned process, like a Celery worker process taking one chunk task."""
    import _setup  # noqa: F401  (django.setup in this process)

    from common.runtime import freeze_startup_heap
    from screening import services as s

    global _STARTED
    if not _STARTED:  # what a Celery pool process does when it starts (worker_process_init)
        freeze_startup_heap()
        _STARTED = True
    return len(s.screening_execute(run_ids=run_ids))


_STARTED = False


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


def screen(ids: list[int]) -> tuple[float, int, list[tuple[float, float]]]:
    """Screen the proposals chunk by chunk in this process: (seconds, queries, and for each
    chunk its seconds and the seconds spent in its SQL statements)."""
    batch = ScreeningBatch.objects.create(label="bench")
    ScreeningRun.objects.bulk_create(
        [ScreeningRun(proposal_id=i, batch=batch, reason="batch") for i in ids], batch_size=5000
    )
    run_ids = list(batch.runs.order_by("pk").values_list("pk", flat=True))
    queries, sql = 0, 0.0

    def count(execute, sql_text, params, many, context):  # lighter than CaptureQueriesContext
        nonlocal queries, sql
        queries += 1
        start = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            sql += time.perf_counter() - start

    chunks = []
    with connection.execute_wrapper(count):
        for k in range(0, len(run_ids), CHUNK):
            start, sql = time.perf_counter(), 0.0
            services.screening_execute(run_ids=run_ids[k : k + CHUNK])
            chunks.append((time.perf_counter() - start, sql))
    return sum(c for c, _ in chunks), queries, chunks


def ends(chunks: list[tuple[float, float]]) -> str:
    """Mean ms per chunk (and in its SQL statements) of the first and of the last few chunks
    (5, or a fifth of the run): the last run with nearly N proposals already screened."""
    k = max(1, min(5, len(chunks) // 5))

    def mean(part):
        return f"{sum(c for c, _ in part) * 1000 / k:.0f} (SQL {sum(s for _, s in part) * 1000 / k:.0f})"

    return f"first {mean(chunks[:k])}, last {mean(chunks[-k:])}"


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
    vendor = _setup.database()
    # 50,000 on PostgreSQL only: SQLite (one writer, no planner statistics to go stale) would add
    # ten minutes to `make bench` without telling anything the 10,000 run does not
    sizes = [int(a) for a in sys.argv[1:]] or (
        [1_000, 10_000, 50_000] if vendor == "postgresql" else [1_000, 10_000]
    )
    if not Guide.objects.filter(year=2022).exists():
        guide_ingest(path=_setup.GUIDE_TXT)
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    cleanup()
    print(f"database: {vendor} (throwaway)", flush=True)
    try:
        for size in sizes:
            setup = time.perf_counter()
            with transaction.atomic():
                ids = make(size, owner)
            setup = time.perf_counter() - setup
            gc.collect()  # the set-up's garbage; then what a Celery pool process does when it starts
            freeze_startup_heap()
            base = baseline(ids)
            elapsed, queries, chunks = screen(ids)
            print(
                f"N={size:>6}: {size / elapsed:8.0f} proposals/s, {queries / size:.3f} queries/proposal, "
                f"{elapsed:.1f} s; baseline load {base:.1f} s; screening/baseline = {elapsed / base:.1f}x; "
                f"ms per chunk of {CHUNK}: {ends(chunks)}; setup {setup:.0f} s",
                flush=True,
            )
            cleanup()
        if vendor != "postgresql":
            print(
                "2 worker processes: skipped (SQLite takes one writer at a time; set DATABASE_URL to PostgreSQL)"
            )
            return
        n = max([s for s in sizes if s <= 10_000] or [min(sizes)])
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
