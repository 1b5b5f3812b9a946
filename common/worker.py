"""A Celery worker bootstep: start `manage.py relay` beside the worker and keep it
running.

Each worker thus publishes the outbox and sweeps lost work (several workers share
that safely: rows are taken with SKIP LOCKED), and a restarted worker gives back
at once what its previous process held. The relay is a separate process, not a
thread, so that no database connection is ever inherited by forked pool children.
A supervising thread restarts it when it exits or is killed (after 1 s, doubling
up to 30 s while it keeps dying); it stops with the worker, and by itself when
the worker is killed outright.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from celery import bootsteps

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
log = logging.getLogger(__name__)


class RelayStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    def start(self, worker):
        if os.environ.get("PRESCREEN_NO_RELAY"):
            return
        self._stopping.clear()
        self._spawn(worker.hostname)
        self._supervisor = threading.Thread(
            target=self._supervise, args=(worker.hostname,), name="relay-supervisor", daemon=True
        )
        self._supervisor.start()

    def _spawn(self, hostname: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE), "relay", "--node", hostname, "--parent-pid", str(os.getpid())]
        )

    def _supervise(self, hostname: str) -> None:
        backoff = 1.0
        while not self._stopping.wait(1.0):
            process = self.process
            if process is None or process.poll() is None:
                continue
            log.error("relay exited with %s; restarting it in %.0f s", process.returncode, backoff)
            if self._stopping.wait(backoff):
                return
            self._spawn(hostname)
            # a relay that keeps dying at once is restarted less and less often
            backoff = min(backoff * 2, 30.0) if self._died_soon() else 1.0

    def _died_soon(self) -> bool:
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self, worker):
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        self._supervisor = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
