"""Guide files uploaded in the browser: guide.services.reading (store, claim, read, sweep) and its task."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.models import AuditEntry, OutboxMessage
from guide.models import GuideVersion
from guide.parsing.sandbox import MEMORY_MESSAGE, TIMEOUT_MESSAGE
from guide.services import reading
from guide.services.reading import (
    GuideUploadRejected,
    guide_upload_create,
    reading_error,
    readings_release_worker,
    readings_requeue_stale,
    version_read,
)
from tests.factories.proposal_docs import make_docx, make_pdf
from tests.factories.proposals import make_user
from tests.guide.hostile import MB, broken_pdf, many_pages_pdf, zip_bomb_docx
from tests.proposals.extraction.hostile import line_flood_pdf

pytestmark = pytest.mark.django_db

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"
TEXT = GUIDE_2022.read_bytes()


def stored_version(content: bytes, *, status: str = "queued", name: str = "guide.txt", kind: str = "text"):
    """A version row holding ``content`` as its file (the upload check bypassed: hostile content)."""
    version = GuideVersion(
        status=status, source_name=name, kind=kind, size=len(content), queued_at=timezone.now()
    )
    version.file.save("f", ContentFile(content), save=False)
    version.save()
    return version


def must_not_read(monkeypatch):
    monkeypatch.setattr(reading, "read_bounded", lambda *a, **k: pytest.fail("must not read"))


# --------------------------------------------------------------------------- #
# guide_upload_create
# --------------------------------------------------------------------------- #


def test_upload_stores_a_queued_version_and_one_outbox_row_in_its_transaction(
    django_capture_on_commit_callbacks,
):
    officer = make_user("officer-u", role="officer")
    with django_capture_on_commit_callbacks(execute=False):
        version = guide_upload_create(file=SimpleUploadedFile("2022 指南.txt", TEXT), by=officer)
    version.refresh_from_db()
    assert (version.status, version.kind, version.size, version.sha256, version.source_name) == (
        "queued",
        "text",
        len(TEXT),
        hashlib.sha256(TEXT).hexdigest(),
        "2022 指南.txt",
    )
    assert (version.created_by, version.year, version.number, version.attempts) == (officer, None, None, 0)
    assert version.queued_at is not None
    assert version.file.name.startswith("private/guides/")
    with version.file.open("rb") as fh:
        assert fh.read() == TEXT
    assert list(OutboxMessage.objects.values_list("task", "args", "sent_at")) == [
        ("guide.read_version", [version.pk], None)
    ]
    assert list(AuditEntry.objects.values_list("action", "actor", "data")) == [
        (
            "guide.uploaded",
            officer.pk,
            {"name": "2022 指南.txt", "kind": "text", "size": len(TEXT), "sha256": version.sha256},
        )
    ]


def test_upload_decides_the_type_by_content_not_by_the_name(django_capture_on_commit_callbacks):
    officer = make_user(role="officer")
    with django_capture_on_commit_callbacks(execute=False):
        pdf = guide_upload_create(file=SimpleUploadedFile("guide.txt", make_pdf(["x"])), by=officer)
        docx = guide_upload_create(file=SimpleUploadedFile("guide", make_docx(["x"])), by=officer)
    assert (pdf.kind, docx.kind) == ("pdf", "docx")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "legacy_doc"),
        ("picture.gif", b"GIF89a\x01\x00\x01\x00\x80\xff\x00\xfe\xfe\xfe\x00\x00\x00" * 20, "unknown_type"),
        ("fake.pdf", "申报指南".encode(), "not_pdf"),
        ("bomb.docx", zip_bomb_docx(200 * MB), "zip_bomb"),
    ],
)
def test_upload_refuses_what_is_no_guide_file_and_stores_nothing(name, content, code):
    with pytest.raises(GuideUploadRejected) as info:
        guide_upload_create(file=SimpleUploadedFile(name, content), by=make_user(role="officer"))
    assert (info.value.code, info.value.message) == (code, str(reading.READING_ERRORS[code]))
    assert (GuideVersion.objects.count(), OutboxMessage.objects.count()) == (0, 0)


def test_upload_refuses_a_file_over_the_limit_before_reading_it(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(GuideUploadRejected) as info:
        guide_upload_create(file=SimpleUploadedFile("g.txt", b"x" * 1025), by=make_user(role="officer"))
    assert (info.value.code, info.value.message) == ("too_large", "文件过大（1.0\xa0KB），上限为 1.0\xa0KB。")
    assert GuideVersion.objects.count() == 0


def test_upload_of_exactly_the_limit_is_accepted(settings, django_capture_on_commit_callbacks):
    content = "指南".encode() * 100
    settings.MAX_UPLOAD_BYTES = len(content)
    with django_capture_on_commit_callbacks(execute=False):
        version = guide_upload_create(file=SimpleUploadedFile("g.txt", content), by=make_user(role="officer"))
    assert (version.status, version.size) == ("queued", len(content))


def test_upload_is_read_by_the_task_after_commit_eagerly(django_capture_on_commit_callbacks):
    officer = make_user(role="officer")
    with django_capture_on_commit_callbacks(execute=True):
        version = guide_upload_create(file=SimpleUploadedFile("2022.txt", TEXT), by=officer)
    version.refresh_from_db()
    assert (version.status, version.year, version.number, version.attempts, version.error) == (
        "draft",
        2022,
        1,
        1,
        "",
    )
    assert (len(version.data["directions"]), version.data["title"]) == (
        39,
        "“战略性科技创新合作”重点专项 2022 年度联合研发与示范项目申报指南",
    )
    assert (version.lease_token, version.lease_owner, version.lease_expires_at) == ("", "", None)
    assert version.started_at <= version.read_at
    assert OutboxMessage.objects.get().sent_at is not None


# --------------------------------------------------------------------------- #
# version_read: claims and leases
# --------------------------------------------------------------------------- #


def test_read_reads_a_queued_version_once():
    version = stored_version(TEXT)
    version_read(version_id=version.pk)
    version.refresh_from_db()
    assert (version.status, version.year, version.attempts) == ("draft", 2022, 1)
    first = version.read_at
    version_read(version_id=version.pk)
    version.refresh_from_db()
    assert (version.read_at, version.attempts) == (first, 1)


def test_read_of_a_missing_version_returns_none():
    assert version_read(version_id=987654) is None


def test_read_skips_a_version_another_worker_is_reading(monkeypatch):
    must_not_read(monkeypatch)
    version = stored_version(TEXT, status="reading")
    GuideVersion.objects.filter(pk=version.pk).update(
        lease_task="task-1", lease_token="live", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    version_read(version_id=version.pk, task_id="task-2")
    version.refresh_from_db()
    assert (version.status, version.lease_token) == ("reading", "live")


def test_read_takes_over_a_version_whose_lease_expired():
    version = stored_version(TEXT, status="reading")
    GuideVersion.objects.filter(pk=version.pk).update(
        lease_task="dead",
        lease_token="old",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        attempts=1,
    )
    version_read(version_id=version.pk, task_id="new")
    version.refresh_from_db()
    assert (version.status, version.attempts, version.lease_token) == ("draft", 2, "")


def test_read_redelivered_with_the_same_task_id_takes_over_at_once():
    version = stored_version(TEXT, status="reading")
    GuideVersion.objects.filter(pk=version.pk).update(
        lease_task="task-1", lease_token="old", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    version_read(version_id=version.pk, task_id="task-1")
    version.refresh_from_db()
    assert version.status == "draft"


def test_read_taken_over_meanwhile_writes_nothing(monkeypatch):
    version = stored_version(TEXT)
    real = reading.read_bounded

    def taken_over(*args, **kwargs):
        GuideVersion.objects.filter(pk=version.pk).update(lease_token="someone-else")
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "read_bounded", taken_over)
    version_read(version_id=version.pk, task_id="task-1")
    version.refresh_from_db()
    assert (version.status, version.data, version.year, version.lease_token) == (
        "reading",
        {},
        None,
        "someone-else",
    )


def test_read_taken_over_meanwhile_does_not_record_its_failure(monkeypatch):
    version = stored_version(b"not a guide at all")

    def taken_over(*args, **kwargs):
        GuideVersion.objects.filter(pk=version.pk).update(lease_token="someone-else")
        raise reading.SandboxError("timeout", TIMEOUT_MESSAGE)

    monkeypatch.setattr(reading, "read_bounded", taken_over)
    version_read(version_id=version.pk, task_id="task-1")
    version.refresh_from_db()
    assert (version.status, version.error) == ("reading", "")


def test_read_records_when_it_started_and_counts_the_attempt():
    version = stored_version(TEXT)
    before = timezone.now()
    version_read(version_id=version.pk)
    version.refresh_from_db()
    assert (version.status, version.attempts) == ("draft", 1)
    assert before <= version.started_at <= version.read_at


def test_read_of_a_version_that_killed_three_workers_fails_without_reading(monkeypatch):
    must_not_read(monkeypatch)
    version = stored_version(TEXT, status="reading")
    GuideVersion.objects.filter(pk=version.pk).update(
        lease_task="t", lease_token="x", lease_expires_at=timezone.now() - timedelta(seconds=1), attempts=3
    )
    version_read(version_id=version.pk, task_id="t2")
    version.refresh_from_db()
    assert (version.status, version.error, version.lease_token) == (
        "failed",
        "worker_lost: the reading stopped 3 times",
        "",
    )


def test_read_keeps_the_english_data_of_the_years_published_version(guide2022):
    published = GuideVersion.objects.get(year=2022, status="published")
    version = stored_version(TEXT)
    version_read(version_id=version.pk)
    version.refresh_from_db()
    assert (version.number, version.english, version.english_source) == (
        2,
        published.english,
        "2022-strategic-cooperation.en.json",
    )
    assert version.english["directions"]["1.1"]["title"] != ""


# --------------------------------------------------------------------------- #
# version_read: failures end failed, with one clear line
# --------------------------------------------------------------------------- #


def read_and_fail(content: bytes, name: str) -> str:
    version = stored_version(content, name=name)
    version_read(version_id=version.pk)
    version.refresh_from_db()
    assert (version.status, version.lease_token, version.year) == ("failed", "", None)
    return version.error


def test_text_that_is_no_guide_fails_as_not_a_guide():
    assert read_and_fail("会议通知\n\n请按时参加。".encode(), "通知.txt").startswith("not_a_guide: ")


def test_hostile_files_fail_with_their_code():
    # the reader's own words follow in brackets
    assert (
        read_and_fail(broken_pdf(), "broken.pdf").partition(" (")[0]
        == "broken_pdf: broken.pdf is a broken PDF"
    )
    assert read_and_fail(many_pages_pdf(600), "long.pdf") == (
        "too_many_pages: long.pdf has 600 pages: more than 500, not a call guide"
    )
    assert read_and_fail(make_pdf(["x"], encrypt="pw"), "locked.pdf") == (
        "encrypted: locked.pdf is an encrypted PDF that needs a password"
    )
    assert read_and_fail(zip_bomb_docx(200 * MB), "bomb.docx") == (
        "zip_bomb: bomb.docx: word/document.xml unpacks to 209715200 bytes"
    )
    assert AuditEntry.objects.filter(action="guide.reading_failed").count() == 4


def test_memory_bomb_fails_as_too_complex_and_the_worker_survives(settings):
    settings.GUIDE_READING_MEMORY_BYTES = 300 * MB
    assert read_and_fail(line_flood_pdf(60 * MB), "flood.pdf") in {
        f"too_complex: {MEMORY_MESSAGE}",
        f"timeout: {TIMEOUT_MESSAGE}",
    }


def test_soft_time_limit_fails_as_timeout(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(reading, "read_bounded", slow)
    assert read_and_fail(TEXT, "g.txt") == f"timeout: {TIMEOUT_MESSAGE}"


def test_child_timeout_fails_as_timeout(settings):
    settings.GUIDE_READING_TIME_LIMIT = 0.001
    assert read_and_fail(TEXT, "g.txt") == f"timeout: {TIMEOUT_MESSAGE}"


def test_missing_file_fails_as_file_missing():
    version = stored_version(TEXT)
    version.file.storage.delete(version.file.name)
    version_read(version_id=version.pk)
    version.refresh_from_db()
    assert (version.status, version.error) == ("failed", "file_missing: the stored file cannot be opened")


def test_reading_error_gives_headline_and_detail():
    assert reading_error("") is None
    assert reading_error(
        "encrypted: g.pdf is an encrypted PDF that needs a password"
    ) == reading.ReadingError(
        "encrypted",
        "文件已加密（有密码保护），请去除密码后重新上传。",
        "g.pdf is an encrypted PDF that needs a password",
    )
    assert reading_error("something else") == reading.ReadingError(
        "unreadable", "无法读取这个文件。", "something else"
    )


# --------------------------------------------------------------------------- #
# The task
# --------------------------------------------------------------------------- #


def test_read_task_takes_the_pk_and_runs_the_service():
    from guide.tasks import read_version_task

    version = stored_version(TEXT)
    read_version_task.apply(args=[version.pk])
    version.refresh_from_db()
    assert (version.status, version.year) == ("draft", 2022)


def test_read_task_is_named_routed_to_extraction_with_time_limits(settings):
    from guide.tasks import read_version_task

    assert (read_version_task.name, read_version_task.acks_late, read_version_task.reject_on_worker_lost) == (
        "guide.read_version",
        True,
        True,
    )
    assert read_version_task.soft_time_limit == settings.GUIDE_READING_TIME_LIMIT + 15
    assert read_version_task.time_limit == settings.GUIDE_READING_TIME_LIMIT + 30
    assert settings.CELERY_TASK_ROUTES["guide.read_version"] == {"queue": "extraction"}


def test_requeue_task_is_named_scheduled_and_swept_by_the_relay(settings):
    from guide.tasks import requeue_stale_readings_task

    assert requeue_stale_readings_task.name == "guide.requeue_stale_readings"
    assert settings.CELERY_BEAT_SCHEDULE["requeue-stale-guide-readings"] == {
        "task": "guide.requeue_stale_readings",
        "schedule": 60.0,
    }
    assert "guide.services.reading.readings_requeue_stale" in settings.RELAY_SWEEPS
    assert "guide.services.reading.readings_release_worker" in settings.RELAY_RELEASES


def test_a_relay_pass_resends_a_lost_reading_and_it_is_read():
    from common.relay import relay_once

    stale = leased(expired_seconds_ago=1)
    relay_once(sweep=True)  # the sweep re-queues it through the outbox; the relay publishes (eagerly here)
    stale.refresh_from_db()
    assert (stale.status, stale.attempts, stale.year) == ("draft", 2, 2022)
    assert list(OutboxMessage.objects.values_list("task", "args")) == [("guide.read_version", [stale.pk])]


# --------------------------------------------------------------------------- #
# Sweeps
# --------------------------------------------------------------------------- #


def leased(*, expired_seconds_ago: float, attempts: int = 1) -> GuideVersion:
    version = stored_version(TEXT, status="reading")
    GuideVersion.objects.filter(pk=version.pk).update(
        started_at=timezone.now() - timedelta(seconds=90),
        lease_task="t",
        lease_token="x",
        lease_owner="celery@a/1",
        lease_expires_at=timezone.now() - timedelta(seconds=expired_seconds_ago),
        attempts=attempts,
    )
    return version


def test_requeue_stale_requeues_a_reading_whose_lease_expired_through_the_outbox(
    django_capture_on_commit_callbacks,
):
    stale = leased(expired_seconds_ago=1)
    live = leased(expired_seconds_ago=-30)
    with django_capture_on_commit_callbacks(execute=False):
        assert readings_requeue_stale() == [stale.pk]
    assert list(OutboxMessage.objects.values_list("task", "args")) == [("guide.read_version", [stale.pk])]
    assert dict(GuideVersion.objects.values_list("pk", "status")) == {stale.pk: "queued", live.pk: "reading"}
    stale.refresh_from_db()
    assert (stale.lease_token, stale.lease_expires_at) == ("", None)


def test_requeue_stale_requeues_a_reading_without_lease_past_the_hard_limit(settings):
    hard_limit = settings.GUIDE_READING_TIME_LIMIT + 30
    stale = stored_version(TEXT, status="reading")
    live = stored_version(TEXT, status="reading")
    GuideVersion.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - timedelta(seconds=hard_limit + 61)
    )
    GuideVersion.objects.filter(pk=live.pk).update(
        started_at=timezone.now() - timedelta(seconds=hard_limit + 55)
    )
    assert readings_requeue_stale() == [stale.pk]
    assert GuideVersion.objects.get(pk=live.pk).status == "reading"


def test_requeue_stale_resends_a_version_queued_longer_than_the_resend_delay(
    settings, django_capture_on_commit_callbacks
):
    old = stored_version(TEXT)
    fresh = stored_version(TEXT)
    GuideVersion.objects.filter(pk=old.pk).update(
        queued_at=timezone.now() - timedelta(seconds=settings.UPLOAD_QUEUED_RESEND + 1)
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert readings_requeue_stale() == [old.pk]
    assert GuideVersion.objects.get(pk=fresh.pk).status == "queued"


def test_requeue_stale_fails_a_reading_that_killed_three_workers(django_capture_on_commit_callbacks):
    version = leased(expired_seconds_ago=1, attempts=3)
    with django_capture_on_commit_callbacks(execute=False):
        assert readings_requeue_stale() == []
    version.refresh_from_db()
    assert (version.status, version.error, OutboxMessage.objects.count()) == (
        "failed",
        "worker_lost: the reading stopped 3 times",
        0,
    )


def test_requeue_stale_leaves_drafts_and_failed_versions_alone(settings):
    for status in ("draft", "failed", "published"):
        version = stored_version(TEXT, status=status)
        GuideVersion.objects.filter(pk=version.pk).update(
            queued_at=timezone.now() - timedelta(days=1), started_at=timezone.now() - timedelta(days=1)
        )
    assert readings_requeue_stale() == []


def test_restarted_worker_releases_the_readings_its_dead_processes_held(django_capture_on_commit_callbacks):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = leased(expired_seconds_ago=-60)
    alive = leased(expired_seconds_ago=-60)
    other_node = leased(expired_seconds_ago=-60)
    GuideVersion.objects.filter(pk=dead.pk).update(lease_owner=f"extraction@a/{child.pid}")
    GuideVersion.objects.filter(pk=alive.pk).update(lease_owner=f"extraction@a/{os.getpid()}")
    GuideVersion.objects.filter(pk=other_node.pk).update(lease_owner=f"extraction@b/{child.pid}")
    with django_capture_on_commit_callbacks(execute=False):
        assert readings_release_worker(node="extraction@a") == [dead.pk]
    assert dict(GuideVersion.objects.values_list("pk", "status")) == {
        dead.pk: "queued",
        alive.pk: "reading",
        other_node.pk: "reading",
    }
    assert list(OutboxMessage.objects.values_list("args", flat=True)) == [[dead.pk]]


def test_requeued_reading_is_read_again():
    version = stored_version(TEXT, status="reading")
    GuideVersion.objects.filter(pk=version.pk).update(
        started_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    readings_requeue_stale()
    version_read(version_id=version.pk)
    version.refresh_from_db()
    assert (version.status, version.attempts) == ("draft", 2)
