"""Thin Celery tasks: IDs in, one service call. Job state lives in the database."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services
from .models import ScreeningRun

CHUNK = 200
TRANSIENT = (OperationalError, InterfaceError)
# Late ack + reject on worker loss: a task whose worker process dies is redelivered,
# not lost. Only transient database errors are retried, with bounded backoff.
RETRYING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(name="screening.screen_run", **RETRYING)
def screen_run(run_id: int) -> None:
    services.screening_execute(run_ids=[run_id])


@shared_task(name="screening.screen_batch", **RETRYING)
def screen_batch(batch_id: int) -> None:
    """Fan a batch out into chunk tasks, so several workers share it."""
    ids = list(
        ScreeningRun.objects.filter(batch_id=batch_id, status="queued")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        screen_chunk.delay(ids[start : start + CHUNK])


@shared_task(name="screening.screen_chunk", **RETRYING)
def screen_chunk(run_ids: list[int]) -> None:
    services.screening_execute(run_ids=run_ids)


@shared_task(name="screening.requeue_stale", acks_late=True)
def requeue_stale() -> None:
    services.runs_requeue_stale()
