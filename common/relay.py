"""The relay loop: publish the outbox, re-publish what the broker lost, sweep lost
work. Run by `manage.py relay`, which every Celery worker starts and supervises
beside itself (common.worker), or on its own under a process manager.

It wakes at once when a transaction that wrote outbox rows commits (PostgreSQL
LISTEN/NOTIFY, common.outbox.outbox_wake) and every ``OUTBOX_RELAY_INTERVAL``
seconds otherwise; every ``SWEEP_INTERVAL`` seconds it runs the sweeps named in
settings.RELAY_SWEEPS. Each pass writes its heartbeat (common.Heartbeat), which
/healthz reads. A database or broker outage is logged and waited out: the loop
never dies of it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Heartbeat
from .outbox import CHANNEL, outbox_recover, outbox_relay

log = logging.getLogger(__name__)
PUBLISH_LIMIT = 500  # rows per publishing round; a pass repeats rounds while they come back full


def release_worker(*, node: str) -> dict[str, int]:
    """A worker node (re)starting: work that dead processes of the same node held is
    given back at once (settings.RELAY_RELEASES). Returns counts per releaser."""
    return {path: len(import_string(path)(node=node)) for path in settings.RELAY_RELEASES}


def relay_once(*, sweep: bool) -> int:
    """One pass: what the broker lost, the sweeps when ``sweep``, the outbox. Returns
    rows published."""
    outbox_recover()
    if sweep:
        for path in settings.RELAY_SWEEPS:
            import_string(path)()
    published = 0
    while True:
        sent = outbox_relay(limit=PUBLISH_LIMIT)
        published += sent
        if sent < PUBLISH_LIMIT:
            return published


def heartbeat(*, name: str) -> None:
    """Record that the relay ``name`` is alive now."""
    now = timezone.now()
    if not Heartbeat.objects.filter(name=name).update(beat_at=now, pid=os.getpid()):
        Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": now, "pid": os.getpid()})


class Wakeup:
    """Waits for the outbox's NOTIFY on PostgreSQL (LISTEN again whenever the
    connection is new); elsewhere, and after an error, just sleeps. A notification
    that arrives while the relay's own queries run is consumed by them (psycopg hands
    ``notifies()`` only what arrives while it waits): the relay then finds the row at
    its next pass, within ``OUTBOX_RELAY_INTERVAL``, and a pass that published
    something is followed by another at once."""

    def __init__(self) -> None:
        self._listening_on = None

    def wait(self, seconds: float) -> None:
        if connection.vendor != "postgresql" or seconds <= 0:
            time.sleep(max(seconds, 0))
            return
        try:
            connection.ensure_connection()
            raw = connection.connection
            if raw is not self._listening_on:
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                self._listening_on = raw
            for _ in raw.notifies(timeout=seconds, stop_after=1):
                pass
        except Exception as exc:  # a lost connection: the next pass reconnects
            log.warning("relay: cannot listen (%s)", exc)
            self._listening_on = None
            connection.close()
            time.sleep(seconds)


def relay_forever(
    *, node: str = "", parent_pid: int | None = None, should_stop: Callable[[], bool] = lambda: False
) -> None:
    """Loop until ``should_stop()`` or, when ``parent_pid`` is given, until that process
    is gone (a worker killed outright takes its relay with it)."""
    name = f"relay:{node or socket.gethostname()}"
    released = False
    last_sweep: float | None = None  # the first pass sweeps
    wakeup = Wakeup()
    while not should_stop() and (parent_pid is None or os.getppid() == parent_pid):
        try:
            if connection.connection is not None and not connection.is_usable():
                connection.close()
            heartbeat(name=name)
            if node and not released:
                log.info("relay: released work of dead %s processes: %s", node, release_worker(node=node))
                released = True
            now = time.monotonic()
            sweep = last_sweep is None or now - last_sweep >= settings.SWEEP_INTERVAL
            if sweep:
                last_sweep = now
            if relay_once(sweep=sweep):
                continue  # more may have been written meanwhile: look again before waiting
        except DatabaseError as exc:
            log.warning("relay: database unavailable (%s); retrying", exc)
            connection.close()
        except Exception:  # the relay must outlive any one bad pass; the error is logged
            log.exception("relay: pass failed")
        wakeup.wait(settings.OUTBOX_RELAY_INTERVAL)
