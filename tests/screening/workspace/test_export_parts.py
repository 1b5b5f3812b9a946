"""An export job's parts (services.export_part_step): each chunk a leased row with a task of its own,
so that worker processes render them at the same time, in any order; the last one to finish queues
the file; duplicates, late executions, crashes and errors behave as for any leased job."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from common.models import OutboxMessage
from screening.workspace import services
from screening.workspace.models import BulkJob, BulkJobPart, JobKind, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(officer, three, monkeypatch, django_capture_on_commit_callbacks):
    """An XLSX export of the three proposals in parts of one, its first step done (nothing more)."""
    monkeypatch.setitem(services.CHUNKS, JobKind.EXPORT, 1)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.bulk_job_request(
            kind="export",
            proposal_ids=[p.pk for p in three],
            by=officer,
            params={"format": "xlsx", "lang": "zh", "query": "year=2022"},
        )
        services.bulk_job_step(job_id=job.pk)
    return job


def parts_of(job) -> list[tuple[int, str]]:
    return list(BulkJobPart.objects.filter(job=job).values_list("number", "status"))


def cells(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [
        [(cell.coordinate, cell.value) for cell in row if cell.value is not None]
        for ws in wb.worksheets
        for row in ws.iter_rows()
        if row[0].value != "导出时间"  # the minute each file was made
    ]


def test_the_first_step_opens_a_part_per_chunk_each_with_its_own_task(opened):
    opened.refresh_from_db()
    assert (opened.status, opened.done, opened.lease_token) == ("running", 0, "")
    assert parts_of(opened) == [(0, "queued"), (1, "queued"), (2, "queued")]
    sent = OutboxMessage.objects.filter(task=services.PART_TASK).values_list("args", flat=True)
    assert sorted(args[0] for args in sent) == sorted(BulkJobPart.objects.values_list("pk", flat=True))
    # a job whose parts run holds no lease: its own sweep leaves it alone
    assert services.bulk_jobs_sweep(queued_for=dt.timedelta(seconds=-1))["resent"] == []


def test_parts_done_in_any_order_make_the_file_made_at_once(
    officer, three, opened, django_capture_on_commit_callbacks
):
    ids = [p.pk for p in three]
    part = {n: pk for pk, n in BulkJobPart.objects.values_list("pk", "number")}
    with django_capture_on_commit_callbacks(execute=False):
        services.export_part_step(part_id=part[2], task_id="c")
        services.export_part_step(part_id=part[0], task_id="a")
    opened.refresh_from_db()
    assert (opened.status, opened.done, parts_of(opened)) == (
        "running",
        2,
        [(0, "done"), (1, "queued"), (2, "done")],
    )
    # no step queued for the file before the last part: only the request's first step was
    assert OutboxMessage.objects.filter(task=services.STEP_TASK).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.export_part_step(part_id=part[1], task_id="b")  # the last: queues the file
    opened.refresh_from_db()
    assert (opened.status, opened.done, BulkJobPart.objects.count()) == ("done", 3, 0)
    _name, _type, whole = services.export_now(
        proposal_ids=ids, fmt="xlsx", lang="zh", full_ids=False, by=officer, query="year=2022"
    )
    with opened.result.open("rb") as fh:
        joined = fh.read()
    assert cells(joined) == cells(whole)
    references = [
        row[0]
        for row in load_workbook(io.BytesIO(joined))["申报项目"].iter_rows(min_row=14, values_only=True)
    ]
    assert references == ["P-A", "P-B", "P-C"]


def test_a_duplicate_delivery_claims_nothing_and_a_late_execution_writes_nothing(
    opened, django_capture_on_commit_callbacks
):
    pk = BulkJobPart.objects.get(number=0).pk
    stale = services.PARTS.claim(pk, task_id="first", retries=0, give_up=services._part_given_up)
    BulkJobPart.objects.filter(pk=pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False):
        services.export_part_step(part_id=pk, task_id="second")  # takes the expired claim over
        services.export_part_step(part_id=pk, task_id="second")  # a second delivery: already done
    second = BulkJobPart.objects.get(pk=pk)
    assert (second.status, second.attempts) == ("done", 2)
    # the first claim's execution comes back late: its token is gone, so it stores nothing
    assert services.PARTS.locked_current(stale) is None
    opened.refresh_from_db()
    assert opened.done == 1  # counted once


def test_a_part_started_three_times_fails_the_job(opened):
    pk = BulkJobPart.objects.get(number=1).pk
    BulkJobPart.objects.filter(pk=pk).update(attempts=services.MAX_ATTEMPTS)
    services.export_part_step(part_id=pk, task_id="again")
    opened.refresh_from_db()
    assert (opened.status, opened.error, BulkJobPart.objects.count()) == ("failed", services.LOST, 0)


def test_the_sweep_resends_a_lost_part_and_fails_the_job_of_one_that_keeps_dying(opened):
    part = BulkJobPart.objects.get(number=0)
    BulkJobPart.objects.filter(pk=part.pk).update(
        status=JobStatus.RUNNING,
        lease_token="gone",
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    before = OutboxMessage.objects.filter(task=services.PART_TASK).count()
    assert services.bulk_jobs_sweep()["parts"] == [part.pk]
    part.refresh_from_db()
    assert (part.status, part.lease_token) == ("queued", "")
    assert OutboxMessage.objects.filter(task=services.PART_TASK).count() == before + 1
    BulkJobPart.objects.filter(pk=part.pk).update(
        status=JobStatus.RUNNING,
        attempts=services.MAX_ATTEMPTS,
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    services.bulk_jobs_sweep()
    opened.refresh_from_db()
    assert (opened.status, opened.error) == ("failed", services.LOST)


def test_an_error_in_a_part_fails_the_job_with_it_and_a_transient_one_is_retried(
    opened, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    real = services.exports.render_part
    pk = BulkJobPart.objects.get(number=0).pk

    def blip(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services.exports, "render_part", blip)
    closed = []  # the step drops the broken connection (here: the test's, inside its transaction)
    monkeypatch.setattr(services.connection, "close", lambda: closed.append(True))
    with pytest.raises(OperationalError):
        services.export_part_step(part_id=pk, task_id="t")
    assert closed == [True]
    monkeypatch.setattr(services.exports, "render_part", real)
    with django_capture_on_commit_callbacks(execute=False):
        services.export_part_step(part_id=pk, task_id="t", retries=1)  # the task's retry
    part = BulkJobPart.objects.get(pk=pk)
    assert (part.status, part.attempts) == ("done", 1)  # the retry continued its attempt

    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(services.exports, "render_part", boom)
    services.export_part_step(part_id=BulkJobPart.objects.get(number=1).pk, task_id="u")
    opened.refresh_from_db()
    assert (opened.status, opened.error, BulkJobPart.objects.count()) == ("failed", "ValueError: boom", 0)
    assert BulkJob.objects.get(pk=opened.pk).finished
