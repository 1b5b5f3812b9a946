"""Publishing a draft from the pages as a job: the request writes the request and its outbox row, a
task publishes it (``guide.services.versions.version_publish``) under a lease.

``GuideVersion.publish_state``: "" → queued → publishing → done (the version is then published) or
failed (it stays a draft, with ``publish_error`` "<code>: <one line>", shown on its progress and review
pages; the officer may ask again). The request checks at once what publishing would refuse
(``version_publish_check``: not a draft, conflicting conditions), so the officer is told as before;
a second request while one is queued or running makes no second job. The claim follows the guide
readings' (:mod:`guide.services.reading`; common.leases): taken over at once by a redelivery or retry
of the same task, by anyone once the lease expires (:func:`publishes_requeue_stale`, run by the
relay's sweep), and given back at once when a worker node restarts (:func:`publishes_release_worker`).
The lease fields are the reading's: a draft's reading is over. The commands (``ingest_guide
--publish``, ``load_demo``) publish synchronously with ``version_publish``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.joberrors import JobError, job_error
from common.leases import RELEASED, LeasedJob
from common.outbox import outbox_enqueue
from common.services import audit_record

from ..models import GuideVersion
from .versions import PUBLISH_PENDING, VersionError, version_publish, version_publish_check

log = logging.getLogger(__name__)

PUBLISH_TASK = "guide.publish_version"
# Writing the 2022 guide into the rows and telling the owners of stale results takes about 10 s.
PUBLISH_SOFT_TIME_LIMIT = 120
PUBLISH_TIME_LIMIT = 150  # the hard limit (under the broker's visibility timeout)
MAX_PUBLISH_ATTEMPTS = 3  # publishing that has killed this many workers is not tried again
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
Status = GuideVersion.Status
State = GuideVersion.PublishState

# Headlines of the failures, by code (the detail after the code is the job's own line).
PUBLISH_ERRORS = {
    "not_draft": _("只有草稿可以更正或发布。"),
    "conflicting_conditions": _(
        "同一条件在同一适用范围内有不同取值：请先为其指定适用范围，或将其中一个标为“不采用”，再发布。"
    ),
    "timeout": _("发布超时。"),
    "worker_lost": _("发布这个版本使后台进程多次中断，已停止重试。"),
    "internal": _("发布时程序出错。"),
}


PublishError = JobError  # a failed publishing's code, headline and detail


def publish_error(error: str) -> JobError | None:
    """A stored ``GuideVersion.publish_error`` as its code, translated headline and detail (None if empty)."""
    return job_error(error, PUBLISH_ERRORS)


def _lease_seconds() -> int:
    return PUBLISH_TIME_LIMIT + 30


# --------------------------------------------------------------------------- #
# The request
# --------------------------------------------------------------------------- #


def version_publish_request(*, version: GuideVersion, by) -> GuideVersion:
    """Ask for a draft to be published: checks at once what publishing would refuse
    (``VersionError("not_draft")``, ``("conflicting_conditions")``: nothing is written), then
    records the request (queued, by whom, when) and its outbox row in one transaction; the task
    publishes after the commit. Idempotent: a version whose publishing is queued or running, or
    that is already published, is returned unchanged (a double click makes one job); a failed
    one is queued again."""
    with transaction.atomic():
        locked = GuideVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status == Status.PUBLISHED or locked.publish_state in PUBLISH_PENDING:
            return locked
        version_publish_check(locked)
        now = timezone.now()
        locked.publish_state = State.QUEUED
        locked.publish_requested_by = by if getattr(by, "is_authenticated", False) else None
        locked.publish_requested_at = now
        locked.publish_queued_at = now
        locked.publish_started_at = None
        locked.publish_attempts = 0
        locked.publish_error = ""
        locked.save(
            update_fields=[
                "publish_state",
                "publish_requested_by",
                "publish_requested_at",
                "publish_queued_at",
                "publish_started_at",
                "publish_attempts",
                "publish_error",
            ]
        )
        outbox_enqueue(task=PUBLISH_TASK, args=[locked.pk])
        audit_record(actor=by, action="guide.publish_requested", target=locked, data={"label": locked.label})
    return locked


# --------------------------------------------------------------------------- #
# The job
# --------------------------------------------------------------------------- #


JOB = LeasedJob(
    model=GuideVersion,
    task=PUBLISH_TASK,
    status_field="publish_state",
    queued=State.QUEUED,
    running=State.PUBLISHING,
    lease_seconds=_lease_seconds,
    max_attempts=MAX_PUBLISH_ATTEMPTS,
    queued_at_field="publish_queued_at",
    started_at_field="publish_started_at",
    attempts_field="publish_attempts",
)


def _give_up(version: GuideVersion) -> None:
    """Publishing has killed MAX_PUBLISH_ATTEMPTS workers: it fails ("worker_lost")."""
    log.warning("guide version %s: publishing lost %s times, given up", version.pk, version.publish_attempts)
    _fail(version, "worker_lost", f"publishing stopped {version.publish_attempts} times")


def _fail(version: GuideVersion, code: str, message: str) -> bool:
    """Record a failed publishing (the version stays a draft), only while ``version``'s claim is
    the current one (an execution that was taken over writes nothing). Returns whether it was stored."""
    return JOB.store(
        version,
        only_while=PUBLISH_PENDING,
        publish_state=State.FAILED,
        publish_error=f"{code}: {' '.join(message.split())}"[:2000],
    )


def _publish(version: GuideVersion) -> bool:
    """Publish under the current claim, and mark the job done in the same transaction. False when
    the claim was taken over (nothing written)."""
    with transaction.atomic():
        current = JOB.locked_current(version)
        if current is None:
            return False
        version_publish(version=current, by=current.publish_requested_by)
        GuideVersion.objects.filter(pk=current.pk).update(publish_state=State.DONE, **RELEASED)
    return True


def version_publish_run(
    *, version_id: int, task_id: str | None = None, retries: int = 0
) -> GuideVersion | None:
    """Publish a version whose publishing was requested (the task's service).

    Idempotent and status-guarded: only a queued request (or one publishing under an expired lease,
    or held by this same task id: a redelivery or retry) is run; a second delivery finds it
    publishing under a live lease, done or failed, and returns. A version already published is
    left as it is (``version_publish`` is idempotent). A refusal (``VersionError``), a time-out or
    a bug ends ``failed`` with its error; a transient database error drops the connection and
    re-raises (the task's retry takes over). Results are written only under the current lease."""
    version = JOB.claim(version_id, task_id=task_id, retries=retries, give_up=_give_up)
    if version is None:
        return GuideVersion.objects.filter(pk=version_id).first()
    try:
        _publish(version)
    except TRANSIENT_DB_ERRORS:
        connection.close()
        raise
    except SoftTimeLimitExceeded:
        log.warning("guide version %s: publishing timed out", version.pk)
        _fail(version, "timeout", f"publishing took more than {PUBLISH_SOFT_TIME_LIMIT} s")
    except VersionError as exc:  # its headline says it all (the service's own text is not translated)
        _fail(version, exc.code, "")
    except Exception as exc:  # a bug ends in a recorded failure, never a stuck "publishing"
        log.exception("guide version %s: publishing failed", version.pk)
        _fail(version, "internal", f"{type(exc).__name__}: {exc}")
    version.refresh_from_db()
    return version


def publish_stalled(version: GuideVersion) -> bool:
    """True for a publishing queued or running well past the task's hard limit (its worker died or
    the job service is away: the sweep sends it again, the progress page says it is taking long)."""
    if version.publish_state not in PUBLISH_PENDING:
        return False
    since = version.publish_started_at if version.publish_state == State.PUBLISHING else None
    since = since or version.publish_queued_at or version.publish_requested_at
    return since is not None and since < timezone.now() - timedelta(seconds=PUBLISH_TIME_LIMIT + 60)


# --------------------------------------------------------------------------- #
# Sweeps
# --------------------------------------------------------------------------- #


def publishes_stale() -> QuerySet[GuideVersion]:
    """Publishing jobs that were lost: publishing under an expired lease (or, without a lease,
    claimed longer ago than the hard limit plus a minute), or queued for longer than
    UPLOAD_QUEUED_RESEND seconds (the message was lost)."""
    now = timezone.now()
    return GuideVersion.objects.filter(
        Q(publish_state=State.PUBLISHING, lease_expires_at__lt=now)
        | Q(
            publish_state=State.PUBLISHING,
            lease_expires_at__isnull=True,
            publish_started_at__lt=now - timedelta(seconds=PUBLISH_TIME_LIMIT + 60),
        )
        | Q(
            publish_state=State.QUEUED,
            publish_queued_at__lt=now - timedelta(seconds=settings.UPLOAD_QUEUED_RESEND),
        )
    )


def publishes_requeue_stale() -> list[int]:
    """Sweep (settings.RELAY_SWEEPS): publishing left under an expired lease goes back to queued,
    and publishing queued longer than UPLOAD_QUEUED_RESEND is sent again, through the outbox — except
    a queued one whose message still waits to start (it is not lost). One started
    MAX_PUBLISH_ATTEMPTS times fails ("worker_lost"). Returns the ids re-sent. Safe to run
    concurrently: rows another sweep has locked are skipped."""

    return JOB.requeue_stale(publishes_stale(), give_up=_give_up)


def publishes_release_worker(*, node: str) -> list[int]:
    """Worker node ``node`` (re)starting on this machine (settings.RELAY_RELEASES): versions its
    earlier, now dead processes were publishing are queued again at once."""
    return JOB.release_worker(node=node)
