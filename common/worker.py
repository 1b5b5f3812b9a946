"""A Celery worker bootstep: start `manage.py relay` beside the worker.

Each worker thus publishes the outbox and sweeps lost work (several workers share
that safely: rows are taken with SKIP LOCKED), and a restarted worker gives back
at once what its previous process held. The relay is a separate process, not a
thread, so that no database connection is ever inherited by forked pool children.
It stops with the worker, and by itself when the worker is killed outright.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from celery import bootsteps

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"


class RelayStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.process: subprocess.Popen | None = None

    def start(self, worker):
        if os.environ.get("PRESCREEN_NO_RELAY"):
            return
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(MANAGE),
                "relay",
                "--node",
                worker.hostname,
                "--parent-pid",
                str(os.getpid()),
            ]
        )

    def stop(self, worker):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
