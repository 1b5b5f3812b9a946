"""Loaded into the fault tests' worker processes (``celery worker --include``): each
screening chunk waits FAULT_SLOW_SECONDS before it reads its data, so that a test can
kill a process, the database connection or the broker while runs are running; each
draft reading waits FAULT_SLOW_EXTRACT_SECONDS."""

import os
import time

from celery.signals import worker_process_init


@worker_process_init.connect
def _slow_down_extraction(**kwargs):
    seconds = float(os.environ.get("FAULT_SLOW_EXTRACT_SECONDS") or 0)
    if not seconds:
        return
    from proposals.services import uploads

    extract = uploads.extract_bounded

    def slow(*args, **kw):
        time.sleep(seconds)
        return extract(*args, **kw)

    uploads.extract_bounded = slow


@worker_process_init.connect
def _slow_down_screening(**kwargs):
    seconds = float(os.environ.get("FAULT_SLOW_SECONDS") or 0)
    if not seconds:
        return
    from screening import services

    execute = services._execute

    def slow(runs, **kw):
        time.sleep(seconds)
        return execute(runs, **kw)

    services._execute = slow
