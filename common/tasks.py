"""Thin Celery tasks of the shared layer."""

from celery import shared_task

from . import outbox


@shared_task(name="common.outbox_purge", acks_late=True)
def outbox_purge() -> None:
    """Daily (CELERY_BEAT_SCHEDULE): forget outbox rows published a week ago."""
    outbox.outbox_purge()
