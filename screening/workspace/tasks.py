"""Thin Celery tasks of the workspace: one step of a bulk job, one part of an export (ids in, one
service call each). Published through the outbox; imported by screening.tasks so that the worker
registers them."""

from celery import shared_task

from ..tasks import RETRYING
from . import services

# retried on transient errors; the hard limit inside a claim's lease
LEASED = {
    **RETRYING,
    "soft_time_limit": services.job_lease_seconds() - 40,
    "time_limit": services.job_lease_seconds() - 20,
}


@shared_task(name=services.STEP_TASK, **LEASED)
def workspace_job_step(self, job_id: int) -> None:
    services.bulk_job_step(job_id=job_id, task_id=self.request.id, retries=self.request.retries)


@shared_task(name=services.PART_TASK, **LEASED)
def workspace_export_part(self, part_id: int) -> None:
    services.export_part_step(part_id=part_id, task_id=self.request.id, retries=self.request.retries)


@shared_task(name="screening.workspace_sweep", acks_late=True)
def workspace_sweep() -> None:
    """Beat's backstop of the relay's sweep: lost job steps re-sent, expired export files deleted."""
    services.bulk_jobs_sweep()
