"""Loaded into the fault tests' worker processes (``celery worker --include``): each
screening chunk waits FAULT_SLOW_SECONDS before it reads its data, so that a test can
kill a process, the database connection or the broker while runs are running; each
draft reading waits FAULT_SLOW_EXTRACT_SECONDS, each export part FAULT_SLOW_PART_SECONDS; an
export's parts hold FAULT_EXPORT_CHUNK proposals when set."""

import importlib
import os
import time

from celery.signals import worker_process_init

DELAYS = [
    ("FAULT_SLOW_SECONDS", "screening.services", "_execute"),
    ("FAULT_SLOW_EXTRACT_SECONDS", "proposals.services.uploads", "extract_bounded"),
    ("FAULT_SLOW_PART_SECONDS", "screening.workspace.exports", "render_part"),
]


@worker_process_init.connect
def _slow_down(**kwargs):
    for variable, module_name, name in DELAYS:
        seconds = float(os.environ.get(variable) or 0)
        if seconds:
            module = importlib.import_module(module_name)
            setattr(module, name, _delayed(getattr(module, name), seconds))
    if os.environ.get("FAULT_EXPORT_CHUNK"):
        from screening.workspace import services
        from screening.workspace.models import JobKind

        services.CHUNKS[JobKind.EXPORT] = int(os.environ["FAULT_EXPORT_CHUNK"])


def _delayed(function, seconds: float):
    def delayed(*args, **kwargs):
        time.sleep(seconds)
        return function(*args, **kwargs)

    return delayed
