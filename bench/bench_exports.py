"""The one export engine at the scale of a real call, on a throwaway database (see _setup).

    python bench/bench_exports.py [N] [--pdf P] [--profile FORMAT]

N screened proposals (default 10,000; 6 people, 8 units and about 29 findings each, made as in
bench_workspace), exported through the engine as the workspace does: XLSX and CSV of all N as bulk
jobs, the PDF of P of them (default 300) as a job, and a small set (STREAM_LIMIT proposals) at once
in each format. Each job runs twice: in one process (every step and part run eagerly, one after
another), and with its parts taken by WORKERS processes as the worker processes of `make worker`
take them from the queue (the first step and the file in this process). Each time is printed with its
ratio to a baseline measured in the same run: reading the same proposals with their people, units
and latest findings (bench_workspace.export_baseline), so that a shared, noisy machine still gives
comparable figures. The aims of issue 17 on this machine: XLSX of 10,000 in 10 s, CSV in 5 s, the
PDF of 300 in 15 s (printed beside each, as information: a benchmark, not a test).

--profile FORMAT runs that format's job once more under cProfile and prints the 25 functions with
the most time of their own (measure before optimising).
"""

import argparse
import cProfile
import io
import multiprocessing
import pstats
import time
from concurrent.futures import ProcessPoolExecutor

import _setup
import bench_workspace
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from guide.models import Guide
from guide.services import guide_ingest
from screening.workspace import services as workspace_services
from screening.workspace.models import BulkJobPart

AIMS = {"xlsx": 10.0, "csv": 5.0, "pdf": 15.0}  # seconds, for N = 10,000 (XLSX, CSV) and P = 300 (PDF)
WORKERS = 2  # `make worker`'s concurrency


def _part_worker(part_id: int | None) -> int:
    """Runs in a spawned process, like a Celery worker process taking one export part's task."""
    import _setup  # noqa: F401  (django.setup in this process)

    from common.runtime import freeze_startup_heap
    from config.celery import app

    global _STARTED
    if not _STARTED:  # what a Celery pool process does when it starts (worker_process_init)
        app.conf.task_always_eager = False  # the file's step is an outbox row, run by the parent
        freeze_startup_heap()
        _STARTED = True
    if part_id is None:
        return 0
    workspace_services.export_part_step(part_id=part_id, task_id=f"bench-part-{part_id}")
    return 1


_STARTED = False


def job_in_workers(ids: list[int], fmt: str, by, pool) -> tuple[float, int]:
    """Seconds of an export job whose parts the processes of ``pool`` render (as worker processes
    take them from the queue, each part as soon as a process is free), and its size."""
    from config.celery import app

    app.conf.task_always_eager = False  # outbox rows stay pending: this function plays the relay
    try:
        started = time.perf_counter()
        requested = workspace_services.bulk_job_request(
            kind="export", proposal_ids=ids, by=by, params={"format": fmt, "lang": "zh", "query": "year=2022"}
        )
        workspace_services.bulk_job_step(job_id=requested.pk, task_id="bench-first")  # opens the parts
        parts = list(
            BulkJobPart.objects.filter(job=requested).order_by("number").values_list("pk", flat=True)
        )
        assert sum(pool.map(_part_worker, parts)) == len(parts)
        done = workspace_services.bulk_job_step(job_id=requested.pk, task_id="bench-file")
        elapsed = time.perf_counter() - started
    finally:
        app.conf.task_always_eager = True
    assert (done.status, done.done) == ("done", len(ids)), (done.status, done.error)
    return elapsed, done.result_size


def in_workers(ids: list[int], pdf_ids: list[int], base: float, pdf_base: float, by) -> None:
    """Each export as a job whose parts WORKERS spawned processes render, as `make worker`'s pool does."""
    connection.close()  # not inherited by the spawned processes (they open their own)
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_part_worker, [None] * WORKERS * 2))  # start-up (imports, connections) not timed
        for fmt, subset, reference in (("xlsx", ids, base), ("csv", ids, base), ("pdf", pdf_ids, pdf_base)):
            elapsed, size = job_in_workers(subset, fmt, by, pool)
            print(
                f"export {fmt.upper():4s} of {len(subset):6d} proposals as a job, {WORKERS} worker processes: "
                f"{elapsed:6.2f} s ({elapsed / reference:4.1f}x baseline), {size / 1e6:5.1f} MB; "
                f"aim {AIMS[fmt]:.0f} s"
            )


def job(ids: list[int], fmt: str, by) -> tuple[float, int]:
    """Seconds of an export job over ``ids`` (requested and run eagerly to its file), its size."""
    started = time.perf_counter()
    done = workspace_services.bulk_job_request(
        kind="export", proposal_ids=ids, by=by, params={"format": fmt, "lang": "zh", "query": "year=2022"}
    )
    elapsed = time.perf_counter() - started
    done.refresh_from_db()
    assert (done.status, done.done) == ("done", len(ids)), (done.status, done.error)
    return elapsed, done.result_size


def at_once(ids: list[int], fmt: str, by) -> float:
    started = time.perf_counter()
    _name, _type, content = workspace_services.export_now(
        proposal_ids=ids, fmt=fmt, lang="zh", full_ids=False, by=by, query="year=2022"
    )
    if not isinstance(content, bytes):
        for _line in content:  # a CSV streams: the time is that of every line
            pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--pdf", type=int, default=300)
    parser.add_argument("--profile", choices=["xlsx", "csv", "pdf"])
    args = parser.parse_args()
    vendor = _setup.database()
    if not Guide.objects.filter(year=2022).exists():
        guide_ingest(path=_setup.GUIDE_TXT)
    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="bench-owner")
    officer, _ = User.objects.get_or_create(username="bench-officer")
    officer.groups.add(Group.objects.get_or_create(name="officer")[0])
    print(f"database: {vendor} (throwaway), N={args.n}, PDF of {args.pdf}")
    started = time.perf_counter()
    with transaction.atomic():
        ids = bench_workspace.make(args.n, owner)
    bench_workspace.screen(ids)
    if vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("VACUUM ANALYZE")
    print(f"generated and screened {args.n} proposals in {time.perf_counter() - started:.1f} s")

    base = bench_workspace.export_baseline(ids)
    pdf_ids = ids[: args.pdf]
    pdf_base = bench_workspace.export_baseline(pdf_ids)
    print(f"baseline  read {args.n} proposals with people, units, findings: {base:6.2f} s")
    print(f"baseline  read {len(pdf_ids)} of them: {pdf_base:6.2f} s")
    for fmt, subset, reference in (("xlsx", ids, base), ("csv", ids, base), ("pdf", pdf_ids, pdf_base)):
        elapsed, size = job(subset, fmt, officer)
        print(
            f"export {fmt.upper():4s} of {len(subset):6d} proposals as a job, one process: {elapsed:6.2f} s "
            f"({elapsed / reference:4.1f}x baseline), {size / 1e6:5.1f} MB"
        )
    if vendor == "postgresql":
        in_workers(ids, pdf_ids, base, pdf_base, officer)
    else:  # the embedded default runs its tasks in-process, one at a time: there are no parts in parallel
        print(f"exports with {WORKERS} worker processes: PostgreSQL only (SQLite takes one writer at a time)")
    small = ids[: workspace_services.STREAM_LIMIT]
    small_base = bench_workspace.export_baseline(small)
    for fmt in ("xlsx", "csv", "pdf"):
        elapsed = at_once(small, fmt, officer)
        print(
            f"export {fmt.upper():4s} of {len(small):6d} proposals at once:  {elapsed:6.2f} s "
            f"({elapsed / small_base:4.1f}x baseline of {small_base:.2f} s)"
        )
    if args.profile:
        subset = pdf_ids if args.profile == "pdf" else ids
        profile = cProfile.Profile()
        profile.runcall(job, subset, args.profile, officer)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())


if __name__ == "__main__":
    main()
