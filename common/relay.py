"""The relay loop: publish the outbox, sweep lost work. Run by `manage.py relay`,
which every Celery worker starts beside itself (common.worker), or on its own.

Every ``OUTBOX_RELAY_INTERVAL`` seconds it publishes pending outbox rows; every
``SWEEP_INTERVAL`` seconds it runs the sweeps named in settings.RELAY_SWEEPS. A
database or broker outage is logged and waited out: the loop never dies of it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils.module_loading import import_string

from .outbox import outbox_relay

log = logging.getLogger(__name__)


def release_worker(*, node: str) -> dict[str, int]:
    """A worker node (re)starting: work that dead processes of the same node held is
    given back at once (settings.RELAY_RELEASES). Returns counts per releaser."""
    return {path: len(import_string(path)(node=node)) for path in settings.RELAY_RELEASES}


def relay_once(*, sweep: bool) -> int:
    """One pass: the outbox, and the sweeps when ``sweep``. Returns rows published."""
    if sweep:
        for path in settings.RELAY_SWEEPS:
            import_string(path)()
    return outbox_relay()


def relay_forever(
    *, node: str = "", parent_pid: int | None = None, should_stop: Callable[[], bool] = lambda: False
) -> None:
    """Loop until ``should_stop()`` or, when ``parent_pid`` is given, until that process
    is gone (a worker killed outright takes its relay with it)."""
    released = False
    last_sweep: float | None = None  # the first pass sweeps
    while not should_stop() and (parent_pid is None or os.getppid() == parent_pid):
        try:
            close_old_connections()
            if node and not released:
                log.info("relay: released work of dead %s processes: %s", node, release_worker(node=node))
                released = True
            now = time.monotonic()
            sweep = last_sweep is None or now - last_sweep >= settings.SWEEP_INTERVAL
            if sweep:
                last_sweep = now
            relay_once(sweep=sweep)
        except DatabaseError as exc:
            log.warning("relay: database unavailable (%s); retrying", exc)
            connection.close()
        except Exception:  # the relay must outlive any one bad pass; the error is logged
            log.exception("relay: pass failed")
        time.sleep(settings.OUTBOX_RELAY_INTERVAL)
