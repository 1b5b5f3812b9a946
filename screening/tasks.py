"""Thin Celery tasks: IDs in, one service call. Job state lives in the database;
tasks are published through the outbox (common.outbox)."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from common.outbox import FAST_QUEUE

from . import registries, services

TRANSIENT = (OperationalError, InterfaceError)
CHUNK = services.CHUNK
# Late ack + reject on worker loss: a task whose worker process dies is redelivered,
# not lost, and its redelivery (same task id) takes its runs over at once. Transient
# database errors are retried with bounded backoff (1, 2, 4 … 30 s, for about four
# minutes), in the fast lane, and a retry continues its runs' attempt (it takes them
# over at once and does not count against MAX_ATTEMPTS); the time limits bound a
# chunk (the lease, screening_lease_seconds, outlasts the hard one).
RETRYING = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": False,
    "max_retries": 12,
    "retry_kwargs": {"queue": FAST_QUEUE},
    "soft_time_limit": settings.SCREENING_TIME_LIMIT,
    "time_limit": settings.SCREENING_TIME_LIMIT + 10,
}


@shared_task(name="screening.screen_run", **RETRYING)
def screen_run(self, run_id: int) -> None:
    services.screening_execute(run_ids=[run_id], task_id=self.request.id, retries=self.request.retries)


@shared_task(name="screening.screen_chunk", **RETRYING)
def screen_chunk(self, run_ids: list[int]) -> None:
    services.screening_execute(run_ids=run_ids, task_id=self.request.id, retries=self.request.retries)


@shared_task(name="screening.proposal_submitted", **RETRYING)
def proposal_submitted(self, proposal_id: int, user_id: int | None = None) -> None:
    """A proposal was submitted (an outbox row written by proposals.services)."""
    services.screening_on_submitted(
        proposal_id=proposal_id, user_id=user_id, task_id=self.request.id, retries=self.request.retries
    )


@shared_task(
    name=registries.REGISTRY_IMPORT_TASK,
    **{
        **RETRYING,
        "soft_time_limit": registries.REGISTRY_IMPORT_SOFT_TIME_LIMIT,
        "time_limit": registries.REGISTRY_IMPORT_TIME_LIMIT,
    },
)
def registry_import(self, job_id: int) -> None:
    """A registry CSV uploaded (or a previous version restored) on the registries page, a
    RegistryImport job: compare it with the registry, or load it once confirmed."""
    registries.registry_import_run(job_id=job_id, task_id=self.request.id, retries=self.request.retries)


@shared_task(name="screening.requeue_stale", acks_late=True)
def requeue_stale() -> None:
    services.runs_requeue_stale()


# The officers' workspace's bulk-job step (screening.workspace_job_step) lives with the workspace.
from .workspace import tasks as _workspace_tasks  # noqa: E402, F401
