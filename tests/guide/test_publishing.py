"""Publishing a draft as a job: guide.services.publishing (request, claim, publish, fail, sweep) and its task."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.utils import timezone

from common.leases import LeasedJob
from common.models import AuditEntry, OutboxMessage
from guide.models import Guide, GuideVersion
from guide.services import VersionError, correction_add, publishing, version_create_from_file, version_publish
from guide.services.publishing import (
    publish_error,
    publish_stalled,
    publishes_release_worker,
    publishes_requeue_stale,
    version_publish_request,
    version_publish_run,
)
from tests.factories.proposals import make_user
from tests.guide.test_review_views import draft_of, small_guide
from tests.guide.test_scoped_conditions import GUIDE as CONFLICTING_GUIDE

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_user("publishing-officer", role="officer")


def published_count() -> int:
    return AuditEntry.objects.filter(action="guide.version_published").count()


def requested(officer, **fields) -> GuideVersion:
    """A draft whose publishing was requested (the outbox row left unsent), with ``fields`` set."""
    version = version_publish_request(version=draft_of(small_guide()), by=officer)
    OutboxMessage.objects.all().delete()
    if fields:
        GuideVersion.objects.filter(pk=version.pk).update(**fields)
        version.refresh_from_db()
    return version


def leased(officer, *, expired_seconds_ago: float, attempts: int = 1) -> GuideVersion:
    """A publishing claimed by task "t" of process celery@a/1, its lease expired that long ago."""
    return requested(
        officer,
        publish_state="publishing",
        publish_started_at=timezone.now() - timedelta(seconds=90),
        publish_attempts=attempts,
        lease_task="t",
        lease_token="x",
        lease_owner="celery@a/1",
        lease_expires_at=timezone.now() - timedelta(seconds=expired_seconds_ago),
    )


# --------------------------------------------------------------------------- #
# The request
# --------------------------------------------------------------------------- #


def test_request_records_it_and_one_outbox_row_and_publishes_nothing(
    officer, django_capture_on_commit_callbacks
):
    draft = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=False):
        version = version_publish_request(version=draft, by=officer)
    version.refresh_from_db()
    assert (
        version.status,
        version.publish_state,
        version.publish_requested_by,
        version.publish_attempts,
    ) == (
        "draft",
        "queued",
        officer,
        0,
    )
    assert version.publish_requested_at == version.publish_queued_at
    assert list(OutboxMessage.objects.values_list("task", "args")) == [("guide.publish_version", [draft.pk])]
    assert (Guide.objects.count(), published_count()) == (0, 0)


def test_request_is_published_right_after_commit_eagerly(officer, django_capture_on_commit_callbacks):
    draft = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=True):
        version_publish_request(version=draft, by=officer)
    draft.refresh_from_db()
    assert (
        draft.status,
        draft.publish_state,
        draft.published_by,
        draft.publish_attempts,
        draft.lease_token,
    ) == (
        "published",
        "done",
        officer,
        1,
        "",
    )
    assert Guide.objects.get().published_version == draft
    assert AuditEntry.objects.get(action="guide.version_published").actor == officer


def test_request_refuses_conflicting_conditions_at_once_and_writes_nothing(officer, tmp_path):
    path = tmp_path / "guide-2031.txt"
    path.write_text(CONFLICTING_GUIDE, encoding="utf-8")
    draft = version_create_from_file(path=path)
    with pytest.raises(VersionError) as caught:
        version_publish_request(version=draft, by=officer)
    assert caught.value.code == "conflicting_conditions"
    draft.refresh_from_db()
    assert (draft.publish_state, draft.publish_requested_at, OutboxMessage.objects.count()) == ("", None, 0)


def test_request_refuses_a_superseded_version(officer):
    first = version_publish(version=draft_of(small_guide(), sha256="a"))
    version_publish(version=draft_of(small_guide(), sha256="b"))
    first.refresh_from_db()
    with pytest.raises(VersionError) as caught:
        version_publish_request(version=first, by=officer)
    assert (caught.value.code, OutboxMessage.objects.count()) == ("not_draft", 0)


@pytest.mark.parametrize("state", ["queued", "publishing"])
def test_a_second_request_while_one_is_pending_makes_no_second_job(officer, state):
    version = requested(officer, publish_state=state)
    again = version_publish_request(version=version, by=make_user("another-officer", role="officer"))
    assert (again.publish_state, again.publish_requested_by, OutboxMessage.objects.count()) == (
        state,
        officer,
        0,
    )


def test_a_request_for_a_published_version_changes_nothing(officer):
    version = version_publish(version=draft_of(small_guide()), by=officer)
    again = version_publish_request(version=version, by=officer)
    assert (again.status, again.publish_state, OutboxMessage.objects.count()) == ("published", "", 0)


def test_a_failed_publishing_may_be_requested_again(officer, django_capture_on_commit_callbacks):
    version = requested(officer, publish_state="failed", publish_error="timeout: x", publish_attempts=2)
    with django_capture_on_commit_callbacks(execute=False):
        again = version_publish_request(version=version, by=officer)
    assert (again.publish_state, again.publish_error, again.publish_attempts) == ("queued", "", 0)
    assert OutboxMessage.objects.filter(task="guide.publish_version").count() == 1


def test_corrections_wait_while_publishing_is_pending(officer):
    version = requested(officer)
    with pytest.raises(VersionError) as caught:
        correction_add(version=version, address="title", value="新标题", reason="r", by=officer)
    assert caught.value.code == "publishing"


# --------------------------------------------------------------------------- #
# The job
# --------------------------------------------------------------------------- #


def test_run_publishes_a_requested_version_once(officer):
    version = requested(officer)
    version_publish_run(version_id=version.pk, task_id="t1")
    version_publish_run(version_id=version.pk, task_id="t2")  # a second delivery finds it done
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_attempts, version.published_by) == (
        "published",
        "done",
        1,
        officer,
    )
    assert (published_count(), version.lease_token, version.lease_expires_at) == (1, "", None)


def test_run_of_a_missing_version_returns_none():
    assert version_publish_run(version_id=987654) is None


def test_run_of_a_version_published_meanwhile_leaves_it_as_it_is(officer):
    version = requested(officer)
    version_publish(version=version, by=officer)
    version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.status, version.publish_state, published_count()) == ("published", "done", 1)


def test_run_skips_a_publishing_another_worker_holds(officer, monkeypatch):
    monkeypatch.setattr(publishing, "version_publish", lambda **k: pytest.fail("must not publish"))
    version = requested(
        officer,
        publish_state="publishing",
        lease_task="task-1",
        lease_token="live",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )
    version_publish_run(version_id=version.pk, task_id="task-2")
    version.refresh_from_db()
    assert (version.publish_state, version.lease_token) == ("publishing", "live")


def test_run_takes_over_a_publishing_whose_lease_expired(officer):
    version = leased(officer, expired_seconds_ago=1)
    version_publish_run(version_id=version.pk, task_id="new")
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_attempts) == ("published", "done", 2)


def test_run_redelivered_with_the_same_task_id_takes_over_at_once(officer):
    version = leased(officer, expired_seconds_ago=-300)
    version_publish_run(version_id=version.pk, task_id="t")
    version.refresh_from_db()
    assert (version.status, version.publish_state) == ("published", "done")


def test_run_taken_over_meanwhile_writes_nothing(officer, monkeypatch):
    version = requested(officer)
    real = LeasedJob.claim

    def claimed_then_taken_over(*args, **kwargs):
        claimed = real(*args, **kwargs)
        GuideVersion.objects.filter(pk=claimed.pk).update(lease_token="someone-else")
        return claimed

    monkeypatch.setattr(LeasedJob, "claim", claimed_then_taken_over)
    version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.lease_token, Guide.objects.count()) == (
        "draft",
        "publishing",
        "someone-else",
        0,
    )


def test_run_taken_over_meanwhile_does_not_record_its_failure(officer, monkeypatch):
    version = requested(officer)
    real = LeasedJob.claim

    def claimed_then_taken_over(*args, **kwargs):
        claimed = real(*args, **kwargs)
        GuideVersion.objects.filter(pk=claimed.pk).update(lease_token="someone-else")
        return claimed

    def boom(version):
        raise RuntimeError("boom")

    monkeypatch.setattr(LeasedJob, "claim", claimed_then_taken_over)
    monkeypatch.setattr(publishing, "_publish", boom)
    version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.publish_state, version.publish_error) == ("publishing", "")


def test_a_bug_while_publishing_is_recorded_and_leaves_a_draft(officer, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the disk said no")

    monkeypatch.setattr(publishing, "version_publish", broken)
    version = requested(officer)
    version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_error, version.lease_token) == (
        "draft",
        "failed",
        "internal: RuntimeError: the disk said no",
        "",
    )
    assert (Guide.objects.count(), published_count()) == (0, 0)
    assert publish_error(version.publish_error) == publishing.PublishError(
        "internal", "发布时程序出错。", "RuntimeError: the disk said no"
    )


def test_a_write_that_fails_half_way_leaves_nothing_published(officer, monkeypatch):
    real = publishing.version_publish

    def fails_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("after the rows")

    monkeypatch.setattr(publishing, "version_publish", fails_after_writing)
    version = requested(officer)
    version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.status, version.publish_state, Guide.objects.count(), published_count()) == (
        "draft",
        "failed",
        0,
        0,
    )


def test_a_conflict_found_by_the_job_fails_with_its_code(officer, tmp_path):
    path = tmp_path / "guide-2031.txt"
    path.write_text(CONFLICTING_GUIDE, encoding="utf-8")
    version = version_create_from_file(path=path)
    GuideVersion.objects.filter(pk=version.pk).update(
        publish_state="queued", publish_queued_at=timezone.now()
    )
    version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_error) == (
        "draft",
        "failed",
        "conflicting_conditions: ",
    )
    error = publish_error(version.publish_error)
    assert (error.code, error.detail) == ("conflicting_conditions", "")


def test_soft_time_limit_fails_as_timeout(officer, monkeypatch):
    def slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(publishing, "version_publish", slow)
    version = requested(officer)
    version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.publish_state, version.publish_error) == (
        "failed",
        "timeout: publishing took more than 120 s",
    )


@pytest.mark.django_db(transaction=True)  # the connection is dropped: no test transaction around it
def test_a_transient_database_error_is_left_to_the_retry_which_takes_over(officer, monkeypatch):
    real = publishing.version_publish
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(publishing, "version_publish", flaky)
    version = draft_of(small_guide())  # queued by hand: the request would run the job at its commit here
    GuideVersion.objects.filter(pk=version.pk).update(
        publish_state="queued", publish_queued_at=timezone.now()
    )
    with pytest.raises(OperationalError):
        version_publish_run(version_id=version.pk, task_id="t1")
    version.refresh_from_db()
    assert (version.publish_state, version.lease_task) == ("publishing", "t1")
    version_publish_run(version_id=version.pk, task_id="t1", retries=1)
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_attempts) == ("published", "done", 1)


def test_run_of_a_publishing_that_killed_three_workers_fails_without_publishing(officer, monkeypatch):
    monkeypatch.setattr(publishing, "version_publish", lambda **k: pytest.fail("must not publish"))
    version = leased(officer, expired_seconds_ago=1, attempts=3)
    version_publish_run(version_id=version.pk, task_id="t2")
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_error, version.lease_token) == (
        "draft",
        "failed",
        "worker_lost: publishing stopped 3 times",
        "",
    )


def test_publish_error_of_an_unknown_code_is_internal():
    assert publish_error("") is None
    assert publish_error("something odd") == publishing.PublishError(
        "internal", "发布时程序出错。", "something odd"
    )


def test_a_publishing_is_stalled_only_well_past_the_hard_limit(officer):
    long_ago = timezone.now() - timedelta(seconds=publishing.PUBLISH_TIME_LIMIT + 61)
    just_now = timezone.now() - timedelta(seconds=publishing.PUBLISH_TIME_LIMIT + 55)
    assert publish_stalled(requested(officer, publish_queued_at=long_ago)) is True
    assert publish_stalled(requested(officer, publish_queued_at=just_now)) is False
    assert publish_stalled(requested(officer, publish_state="failed", publish_queued_at=long_ago)) is False


# --------------------------------------------------------------------------- #
# The task
# --------------------------------------------------------------------------- #


def test_publish_task_takes_the_pk_and_runs_the_service(officer):
    from guide.tasks import publish_version_task

    version = requested(officer)
    publish_version_task.apply(args=[version.pk])
    version.refresh_from_db()
    assert (version.status, version.publish_state) == ("published", "done")


def test_publish_task_is_named_with_time_limits_and_swept_by_the_relay(settings):
    from guide.tasks import publish_version_task

    assert (
        publish_version_task.name,
        publish_version_task.acks_late,
        publish_version_task.reject_on_worker_lost,
        publish_version_task.soft_time_limit,
        publish_version_task.time_limit,
    ) == ("guide.publish_version", True, True, 120, 150)
    # under the visibility timeout, so an unacknowledged message is not delivered again while it runs
    assert publish_version_task.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert "guide.services.publishing.publishes_requeue_stale" in settings.RELAY_SWEEPS
    assert "guide.services.publishing.publishes_release_worker" in settings.RELAY_RELEASES


# --------------------------------------------------------------------------- #
# Sweeps
# --------------------------------------------------------------------------- #


def test_requeue_stale_requeues_a_publishing_whose_lease_expired_through_the_outbox(
    officer, django_capture_on_commit_callbacks
):
    stale = leased(officer, expired_seconds_ago=1)
    live = leased(officer, expired_seconds_ago=-30)
    with django_capture_on_commit_callbacks(execute=False):
        assert publishes_requeue_stale() == [stale.pk]
    assert list(OutboxMessage.objects.values_list("task", "args")) == [("guide.publish_version", [stale.pk])]
    assert dict(GuideVersion.objects.values_list("pk", "publish_state")) == {
        stale.pk: "queued",
        live.pk: "publishing",
    }
    stale.refresh_from_db()
    assert (stale.lease_token, stale.lease_expires_at) == ("", None)


def test_requeue_stale_requeues_a_publishing_without_lease_past_the_hard_limit(
    officer, django_capture_on_commit_callbacks
):
    hard_limit = publishing.PUBLISH_TIME_LIMIT
    stale = requested(
        officer,
        publish_state="publishing",
        publish_started_at=timezone.now() - timedelta(seconds=hard_limit + 61),
    )
    requested(
        officer,
        publish_state="publishing",
        publish_started_at=timezone.now() - timedelta(seconds=hard_limit + 55),
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert publishes_requeue_stale() == [stale.pk]


def test_requeue_stale_resends_a_lost_queued_publishing_but_not_one_whose_message_waits(
    officer, settings, django_capture_on_commit_callbacks
):
    old = timezone.now() - timedelta(seconds=settings.UPLOAD_QUEUED_RESEND + 1)
    lost = requested(officer, publish_queued_at=old)
    waiting = requested(officer, publish_queued_at=old)
    fresh = requested(officer)
    OutboxMessage.objects.create(task="guide.publish_version", args=[waiting.pk])  # not started yet
    with django_capture_on_commit_callbacks(execute=False):
        assert publishes_requeue_stale() == [lost.pk]
    assert sorted(OutboxMessage.objects.values_list("args", flat=True)) == sorted([[waiting.pk], [lost.pk]])
    assert GuideVersion.objects.get(pk=fresh.pk).publish_state == "queued"


def test_requeue_stale_fails_a_publishing_that_killed_three_workers(
    officer, django_capture_on_commit_callbacks
):
    version = leased(officer, expired_seconds_ago=1, attempts=3)
    with django_capture_on_commit_callbacks(execute=False):
        assert publishes_requeue_stale() == []
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_error, OutboxMessage.objects.count()) == (
        "draft",
        "failed",
        "worker_lost: publishing stopped 3 times",
        0,
    )


def test_requeue_stale_leaves_done_failed_and_unrequested_versions_alone(officer):
    long_ago = timezone.now() - timedelta(days=1)
    for state in ("", "done", "failed"):
        requested(officer, publish_state=state, publish_queued_at=long_ago, publish_started_at=long_ago)
    assert publishes_requeue_stale() == []


def test_a_relay_pass_resends_a_lost_publishing_and_it_is_published(officer):
    from common.relay import relay_once

    stale = leased(officer, expired_seconds_ago=1)
    relay_once(sweep=True)  # the sweep re-queues it through the outbox; the relay publishes (eagerly here)
    stale.refresh_from_db()
    assert (stale.status, stale.publish_state, stale.publish_attempts) == ("published", "done", 2)
    assert list(OutboxMessage.objects.values_list("task", "args")) == [("guide.publish_version", [stale.pk])]


def test_restarted_worker_releases_the_publishing_its_dead_processes_held(
    officer, django_capture_on_commit_callbacks
):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = leased(officer, expired_seconds_ago=-60)
    alive = leased(officer, expired_seconds_ago=-60)
    other_node = leased(officer, expired_seconds_ago=-60)
    GuideVersion.objects.filter(pk=dead.pk).update(lease_owner=f"screening@a/{child.pid}")
    GuideVersion.objects.filter(pk=alive.pk).update(lease_owner=f"screening@a/{os.getpid()}")
    GuideVersion.objects.filter(pk=other_node.pk).update(lease_owner=f"screening@b/{child.pid}")
    with django_capture_on_commit_callbacks(execute=False):
        assert publishes_release_worker(node="screening@a") == [dead.pk]
    assert dict(GuideVersion.objects.values_list("pk", "publish_state")) == {
        dead.pk: "queued",
        alive.pk: "publishing",
        other_node.pk: "publishing",
    }
    assert list(OutboxMessage.objects.values_list("args", flat=True)) == [[dead.pk]]
