import logging
import os

from celery import Celery
from celery.signals import task_prerun, worker_process_init

from common.runtime import freeze_startup_heap, yield_to_requests
from common.worker import RelayStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("prescreen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["worker"].add(RelayStep)


@task_prerun.connect(weak=False)
def _outbox_started(task_id=None, task=None, **kwargs):
    """A task begins: its outbox row's work has started (it is not published again).
    A database error here is left to the task itself, which retries on it."""
    from django.db import DatabaseError, connection

    from common.outbox import outbox_started

    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # the embedded default marks its rows started when it runs them
    try:
        outbox_started(task_id)
    except DatabaseError as exc:
        logging.getLogger(__name__).warning("outbox: could not mark %s started (%s)", task_id, exc)
        connection.close()


@worker_process_init.connect(weak=False)
def _freeze_startup_heap(**kwargs):
    """A pool process starts: what it inherited is start-up state, kept out of the collector's scans;
    it yields the CPU to the web's requests (settings.WORKER_NICE, or WORKER_NICE_CHECKS in a worker
    that takes the applicant's queue)."""
    from django.conf import settings

    freeze_startup_heap()
    queues = set(app.amqp.queues.consume_from or ())  # the worker's -Q, selected before the pool forks
    yield_to_requests(settings.WORKER_NICE_CHECKS if "checks" in queues else settings.WORKER_NICE)
