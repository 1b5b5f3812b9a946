"""An export whose file cannot be stored (the media storage is full: ENOSPC after 8 KB, as a full
disk answers) fails once with a clear error, leaves no file behind and is not retried forever; the
same export requested again once there is room works."""

import errno
from pathlib import Path

import pytest

import common.files
from screening.workspace import services
from screening.workspace.models import BulkJob, BulkJobPart
from tests.common.test_files import fail_after_8_kb, files_under

pytestmark = pytest.mark.django_db


def post_export(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            "/screening/workspace/bulk/",
            {"action": "export_xlsx", "scope": "filtered", "query": "year=2022"},
        )


def test_a_full_media_storage_fails_the_export_with_a_clear_error_and_no_file(
    client, officer, three, monkeypatch, settings, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "STREAM_LIMIT", 1)
    client.force_login(officer)
    before = files_under(settings.MEDIA_ROOT)
    monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(errno.ENOSPC))

    post_export(client, django_capture_on_commit_callbacks)

    job = BulkJob.objects.get(kind="export")
    assert (job.status, job.error, job.result.name, job.done, job.total) == (
        "failed",
        "storage_unavailable",
        "",
        3,
        3,
    )
    assert BulkJobPart.objects.filter(job=job).count() == 0
    assert files_under(settings.MEDIA_ROOT) == before
    page = client.get(f"/screening/workspace/jobs/{job.pk}/").content.decode()
    assert "导出文件暂时无法保存（服务器的文件存储已满或只读），请稍后重新导出。" in page
    assert 'data-testid="download"' not in page
    # a later delivery of the same step finds the job failed and does nothing
    assert services.bulk_job_step(job_id=job.pk).status == "failed"

    monkeypatch.undo()  # room again: the same export, requested anew, is stored
    monkeypatch.setattr(services, "STREAM_LIMIT", 1)
    post_export(client, django_capture_on_commit_callbacks)
    again = BulkJob.objects.exclude(pk=job.pk).get(kind="export")
    assert (again.status, again.error) == ("done", "")
    assert Path(settings.MEDIA_ROOT, again.result.name).read_bytes()[:2] == b"PK"
    assert files_under(settings.MEDIA_ROOT) == sorted([*before, again.result.name])
