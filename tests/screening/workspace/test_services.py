"""Bulk jobs end to end (eager on the embedded default): requested through the list's form, done in
chunks through the outbox under a lease, idempotent; the export's file for its requester only,
until it expires."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from common.models import AuditEntry, OutboxMessage
from proposals.models import Proposal
from screening import selectors
from screening.models import Finding, ScreeningRun
from screening.workspace import services
from screening.workspace.models import BulkJob, BulkJobPart, JobKind, JobStatus, ProposalReview
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


def post_bulk(client, **data):
    data.setdefault("scope", "selected")
    data.setdefault("query", "")
    return client.post("/screening/workspace/bulk/", data)


def test_mark_reviewed_end_to_end(client, officer, three, django_capture_on_commit_callbacks):
    a, b, c = three
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_bulk(client, action="review", ids=[a.pk, b.pk], note="材料齐全")
    job = BulkJob.objects.get()
    assert response["Location"] == f"/screening/workspace/jobs/{job.pk}/"
    assert (job.kind, job.status, job.done, job.total, job.requested_by) == ("review", "done", 2, 2, officer)
    reviews = {r.proposal_id: (r.note, r.reviewed_by_id, r.job_id) for r in ProposalReview.objects.all()}
    assert reviews == {a.pk: ("材料齐全", officer.pk, job.pk), b.pk: ("材料齐全", officer.pk, job.pk)}
    assert sorted(
        AuditEntry.objects.filter(action="proposal.reviewed").values_list("target_id", flat=True)
    ) == sorted([str(a.pk), str(b.pk)])
    assert AuditEntry.objects.filter(action="workspace.job_requested", target_id=str(job.pk)).count() == 1


def test_a_later_mark_replaces_the_earlier_one(officer, three, django_capture_on_commit_callbacks):
    a = three[0]
    for note in ("first", "second"):
        with django_capture_on_commit_callbacks(execute=True):
            services.bulk_job_request(kind="review", proposal_ids=[a.pk], by=officer, params={"note": note})
    assert list(ProposalReview.objects.values_list("proposal_id", "note")) == [(a.pk, "second")]
    assert AuditEntry.objects.filter(action="proposal.reviewed").count() == 2


def test_the_whole_filtered_set_is_frozen_in_list_order(
    client, officer, three, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        post_bulk(client, action="review", scope="filtered", query="year=2022&overall=fail&sort=-reference")
    assert BulkJob.objects.get().proposal_ids == [three[2].pk, three[1].pk]


def test_nothing_ticked_is_refused(client, officer, three):
    client.force_login(officer)
    response = post_bulk(client, action="review")
    assert (response.status_code, BulkJob.objects.count()) == (302, 0)


def test_a_job_moves_on_chunk_by_chunk_and_its_page_shows_the_progress(
    client, officer, three, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(services.CHUNKS, JobKind.REVIEW, 2)
    extra = [make_proposal() for _ in range(2)]
    ids = [p.pk for p in (*three, *extra)]
    with django_capture_on_commit_callbacks(execute=False):
        job = services.bulk_job_request(kind="review", proposal_ids=ids, by=officer, params={"note": ""})
    client.force_login(officer)
    page = client.get(f"/screening/workspace/jobs/{job.pk}/").content.decode()
    assert ('data-testid="job-done">0 / 5<' in page, '<meta http-equiv="refresh" content="3">' in page) == (
        True,
        True,
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.bulk_job_step(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, ProposalReview.objects.count()) == ("queued", 2, 2)
    assert (
        'data-testid="job-done">2 / 5<' in client.get(f"/screening/workspace/jobs/{job.pk}/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.bulk_job_step(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, ProposalReview.objects.count()) == ("done", 5, 5)
    assert OutboxMessage.objects.filter(task=services.STEP_TASK).count() == 3  # one per chunk
    page = client.get(f"/screening/workspace/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh"' not in page


def test_a_second_delivery_of_a_finished_job_does_nothing(officer, three, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.bulk_job_request(kind="review", proposal_ids=[three[0].pk], by=officer, params={})
    services.bulk_job_step(job_id=job.pk, task_id="again")
    assert (
        ProposalReview.objects.count(),
        AuditEntry.objects.filter(action="proposal.reviewed").count(),
    ) == (1, 1)


def test_a_step_taken_over_after_its_lease_expired_writes_nothing(
    officer, three, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.bulk_job_request(
            kind="review", proposal_ids=[p.pk for p in three], by=officer, params={}
        )
    stale = services._claim(job.pk, task_id="first")
    BulkJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False):
        services.bulk_job_step(job_id=job.pk, task_id="second")
        services._chunk(stale)  # the first claim's execution comes back late
    job.refresh_from_db()
    assert (
        job.done,
        ProposalReview.objects.count(),
        AuditEntry.objects.filter(action="proposal.reviewed").count(),
    ) == (
        3,
        3,
        3,
    )


def test_a_duplicate_request_while_the_first_is_unfinished_is_the_same_job(officer, three):
    ids = [three[0].pk]
    first = services.bulk_job_request(kind="review", proposal_ids=ids, by=officer, params={"note": "x"})
    second = services.bulk_job_request(kind="review", proposal_ids=ids, by=officer, params={"note": "x"})
    assert (first.pk, BulkJob.objects.count()) == (second.pk, 1)


def test_a_job_over_the_limit_is_refused(officer, monkeypatch):
    monkeypatch.setattr(services, "MAX_PROPOSALS", 2)
    with pytest.raises(services.JobTooLarge):
        services.bulk_job_request(kind="review", proposal_ids=[1, 2, 3], by=officer, params={})
    assert BulkJob.objects.count() == 0


def test_an_error_in_a_step_fails_the_job_with_it(
    officer, three, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(services, "_review", boom)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.bulk_job_request(kind="review", proposal_ids=[three[0].pk], by=officer, params={})
    job.refresh_from_db()
    assert (job.status, job.error, job.done, ProposalReview.objects.count()) == (
        "failed",
        "ValueError: boom",
        0,
        0,
    )


def test_a_step_started_three_times_fails_the_job(officer, three):
    job = services.bulk_job_request(kind="review", proposal_ids=[three[0].pk], by=officer, params={})
    BulkJob.objects.filter(pk=job.pk).update(attempts=services.MAX_ATTEMPTS)
    services.bulk_job_step(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "worker lost too many times")


def test_the_sweep_resends_lost_steps(officer, three):
    job = services.bulk_job_request(kind="review", proposal_ids=[three[0].pk], by=officer, params={})
    BulkJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1),
        lease_token="gone",
    )
    before = OutboxMessage.objects.count()
    assert services.bulk_jobs_sweep()["resent"] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.lease_token, OutboxMessage.objects.count()) == ("queued", "", before + 1)
    assert services.bulk_jobs_sweep()["resent"] == []  # queued just now: not lost
    # its message still waits (its outbox row's work has not started): not lost either
    assert services.bulk_jobs_sweep(queued_for=dt.timedelta(seconds=-1))["resent"] == []
    OutboxMessage.objects.update(started_at=timezone.now())  # a worker took it, then it was lost
    assert services.bulk_jobs_sweep(queued_for=dt.timedelta(seconds=-1))["resent"] == [job.pk]


def test_rescreen_the_filtered_set_as_one_batch(client, officer, three, django_capture_on_commit_callbacks):
    draft = make_proposal(reference="P-DRAFT", state="draft")
    client.force_login(officer)
    before = ScreeningRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        post_bulk(client, action="rescreen", ids=[three[1].pk, three[2].pk, draft.pk])
    job = BulkJob.objects.get()
    assert (job.kind, job.status, job.total, job.done) == ("rescreen", "done", 2, 2)
    runs = ScreeningRun.objects.filter(batch=job.batch)
    assert (ScreeningRun.objects.count() - before, sorted(runs.values_list("proposal_id", flat=True))) == (
        2,
        sorted([three[1].pk, three[2].pk]),
    )
    assert set(runs.values_list("status", flat=True)) == {"done"}
    page = client.get(f"/screening/workspace/jobs/{job.pk}/").content.decode()
    assert 'data-testid="batch-progress"' in page


# --- exports as jobs --------------------------------------------------------------------


@pytest.fixture
def export_job(client, officer, three, monkeypatch, django_capture_on_commit_callbacks):
    """An export of the three proposals made as a job (the limit for exporting at once set to 1)."""
    monkeypatch.setattr(services, "STREAM_LIMIT", 1)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_bulk(client, action="export_xlsx", scope="filtered", query="year=2022")
    job = BulkJob.objects.get(kind="export")
    assert response["Location"] == f"/screening/workspace/jobs/{job.pk}/"
    return job


def test_a_large_export_runs_as_a_job_and_its_requester_downloads_it(client, export_job):
    export_job.refresh_from_db()
    assert (export_job.status, export_job.done, export_job.total, BulkJobPart.objects.count()) == (
        "done",
        3,
        3,
        0,
    )
    assert export_job.expires_at - export_job.finished_at == dt.timedelta(days=1)
    page = client.get(f"/screening/workspace/jobs/{export_job.pk}/").content.decode()
    assert 'data-testid="download"' in page
    response = client.get(f"/screening/workspace/jobs/{export_job.pk}/download/")
    assert (response.status_code, response["Content-Disposition"]) == (
        200,
        f'attachment; filename="workspace-export-{export_job.pk}.xlsx"',
    )
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert wb.sheetnames == ["申报项目", "检查结果", "按检查项统计"]
    actions = list(
        AuditEntry.objects.filter(target_type="screening.bulkjob", target_id=str(export_job.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["workspace.export_downloaded", "workspace.exported", "workspace.job_requested"]


def test_nobody_but_the_requester_reaches_the_job_or_its_file(client, export_job):
    client.force_login(make_user("ws-other-officer", role="officer"))
    assert (
        client.get(f"/screening/workspace/jobs/{export_job.pk}/").status_code,
        client.get(f"/screening/workspace/jobs/{export_job.pk}/download/").status_code,
    ) == (404, 404)
    client.force_login(make_user("ws-admin3", role="admin"))
    assert client.get(f"/screening/workspace/jobs/{export_job.pk}/download/").status_code == 404
    client.force_login(make_user("ws-applicant2"))
    assert client.get(f"/screening/workspace/jobs/{export_job.pk}/download/").status_code == 403


def test_an_expired_export_is_deleted_by_the_sweep_and_its_link_says_so(
    client, export_job, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    export_job.refresh_from_db()
    name = export_job.result.name
    assert default_storage.exists(name)
    BulkJob.objects.filter(pk=export_job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bulk_jobs_sweep()["expired"] == [export_job.pk]
    assert (default_storage.exists(name), services.bulk_jobs_sweep()["expired"]) == (False, [])
    response = client.get(f"/screening/workspace/jobs/{export_job.pk}/download/")
    assert (response.status_code, 'data-testid="expired"' in response.content.decode()) == (410, True)
    assert (
        'data-testid="expired"' in client.get(f"/screening/workspace/jobs/{export_job.pk}/").content.decode()
    )


def test_my_jobs_lists_only_mine(client, officer, export_job):
    services.bulk_job_request(
        kind="review", proposal_ids=[1], by=make_user("ws-someone", role="officer"), params={}
    )
    response = client.get("/screening/workspace/jobs/")
    assert [j.pk for j in response.context["jobs"]] == [export_job.pk]


def test_a_small_export_is_made_at_once_and_audited(client, officer, three):
    client.force_login(officer)
    response = post_bulk(client, action="export_xlsx", ids=[three[0].pk, three[1].pk])
    assert (response.status_code, response["Content-Disposition"]) == (
        200,
        'attachment; filename="workspace-export.xlsx"',
    )
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == ["申报项目", "检查结果", "按检查项统计"]
    assert BulkJob.objects.count() == 0
    entry = AuditEntry.objects.get(action="workspace.exported")
    assert (entry.actor, entry.data["format"], entry.data["proposals"]) == (officer, "xlsx", 2)


def test_the_job_page_says_the_filter_in_peoples_words(client, officer, three):
    client.force_login(officer)
    response = post_bulk(
        client,
        action="review",
        scope="filtered",
        query="year=2022&direction=1.1&overall=fail&sort=-submitted",
    )
    page = client.get(response["Location"])
    assert page.context["filters"] == [
        ("指南年度", "2022"),
        ("指南方向", page.context["filters"][1][1]),
        ("预审结论", "不通过"),
        ("排序", "提交时间（降序）"),
    ]
    assert page.context["filters"][1][1].startswith("1.1 ")
    html = page.content.decode()
    assert "direction=" not in html
    assert "<li>预审结论：不通过</li>" in html
    assert page.context["scope"] == "筛选结果中的全部申报书"
    client.cookies["django_language"] = "en"
    html = client.get(response["Location"]).content.decode()
    assert (
        "<li>Pre-screening result: Fail</li>" in html,
        "<li>Sort: Submitted at (descending)</li>" in html,
    ) == (
        True,
        True,
    )


def test_the_export_stamp_says_the_filter_in_the_files_language(officer, three):
    from screening.workspace import filters

    assert (
        filters.filter_text("year=2022&overall=fail&cursor=abc&stray=1", lang="zh")
        == "指南年度：2022；预审结论：不通过"
    )
    assert (
        filters.filter_text("year=2022&overall=fail", lang="en")
        == "Guide year: 2022; Pre-screening result: Fail"
    )
    assert filters.filter_text("", lang="zh") == ""


def test_a_pdf_of_more_proposals_than_it_takes_is_refused_with_the_reason(
    client, officer, three, monkeypatch
):
    monkeypatch.setattr(services, "PDF_LIMIT", 2)
    client.force_login(officer)
    response = post_bulk(client, action="export_pdf", scope="filtered", query="year=2022")
    assert (response.status_code, response["Location"]) == (302, "/screening/workspace/proposals/?year=2022")
    assert [str(m) for m in response.wsgi_request._messages] == [
        "PDF 一次最多导出 2 份申报书，请缩小筛选范围或导出 Excel。"
    ]
    assert BulkJob.objects.count() == 0


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_file_joined_from_parts_is_the_file_made_in_one_piece(
    officer, three, monkeypatch, django_capture_on_commit_callbacks, fmt
):
    """A job renders each chunk as a part of its own, its sheet rows unnumbered (exports.render_part),
    and joins the parts at the end: in chunks of two, the file holds the same rows in the same
    places as the one made in one piece, with no gap or overlap."""
    ids = [p.pk for p in three]
    _name, _type, content = services.export_now(
        proposal_ids=ids, fmt=fmt, lang="zh", full_ids=False, by=officer, query="year=2022"
    )
    whole = content if isinstance(content, bytes) else "".join(content).encode()
    monkeypatch.setitem(services.CHUNKS, JobKind.EXPORT, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.bulk_job_request(
            kind="export",
            proposal_ids=ids,
            by=officer,
            params={"format": fmt, "lang": "zh", "query": "year=2022"},
        )
    job.refresh_from_db()
    assert (job.status, job.done, BulkJobPart.objects.filter(job=job).count()) == ("done", 3, 0)
    with job.result.open("rb") as fh:
        joined = fh.read()

    def contents(data: bytes) -> list:
        exported = "导出时间"  # the only line that may differ: the minute each was made
        if fmt == "csv":
            return [line for line in data.decode("utf-8-sig").splitlines() if exported not in line]
        wb = load_workbook(io.BytesIO(data))
        return [
            [(cell.coordinate, cell.value) for cell in row if cell.value is not None]
            for ws in wb.worksheets
            for row in ws.iter_rows()
            if row[0].value != exported
        ]

    assert contents(joined) == contents(whole)
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(joined))
        findings = list(wb["检查结果"].iter_rows(values_only=True))
        latest = selectors.latest_runs_for_proposals(Proposal.objects.filter(pk__in=ids))
        n = Finding.objects.filter(run_id__in=[p.latest_run_id for p in latest]).count()
        assert len(findings) == n + 1 and all(any(v is not None for v in row) for row in findings)
        references = [row[0] for row in wb["申报项目"].iter_rows(min_row=14, values_only=True)]
        assert references == ["P-A", "P-B", "P-C"]
