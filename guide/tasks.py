"""Thin Celery tasks: primary keys in (if any), one service call."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .services import publishing, reading


@shared_task(
    bind=True,
    name="guide.read_version",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.GUIDE_READING_TIME_LIMIT + 15,
    time_limit=reading.reading_hard_time_limit(),
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=30,
    retry_jitter=False,
    max_retries=5,
)
def read_version_task(self, version_id: int) -> None:
    # A redelivery or retry carries the same task id and takes the version over at once.
    reading.version_read(version_id=version_id, task_id=self.request.id, retries=self.request.retries)


@shared_task(name="guide.requeue_stale_readings", acks_late=True)
def requeue_stale_readings_task() -> None:
    """Periodic (the relay's sweep and CELERY_BEAT_SCHEDULE): readings whose worker died are sent again."""
    reading.readings_requeue_stale()


@shared_task(
    bind=True,
    name="guide.publish_version",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=publishing.PUBLISH_SOFT_TIME_LIMIT,
    time_limit=publishing.PUBLISH_TIME_LIMIT,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=30,
    retry_jitter=False,
    max_retries=5,
)
def publish_version_task(self, version_id: int) -> None:
    # A redelivery or retry carries the same task id and takes the publishing over at once.
    publishing.version_publish_run(
        version_id=version_id, task_id=self.request.id, retries=self.request.retries
    )
