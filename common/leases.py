"""Leases on job rows (models with the ``common.models.Leased`` fields).

A worker claims a row for a while: ``claimable`` selects rows it may take (queued,
or running under a lease that is its own task's — a redelivered or retried message
takes over at once — or that has expired), ``held_by_another_delivery`` tells a
duplicate delivery (which must not take over a live execution) from a retry of the
same task (its earlier execution has ended: it raised the retry) or a redelivery
after that process died; ``lease_fields`` are the values to set.

A claim records its task id with the delivery's retry number (``<task id>~<n>``
for the n-th retry): that, not the node, tells a retry from a duplicate.

:class:`LeasedJob` puts these together for a job worked one row at a time (draft uploads, guide
readings, guide publishing): its claim, its writes under the claim, its sweep and its release.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone


def worker_name() -> str:
    """This process as a lease owner: "<Celery node name>/<pid>" inside a task (the
    host name outside one)."""
    from celery import current_task

    node = getattr(getattr(current_task, "request", None), "hostname", None) or socket.gethostname()
    return f"{node}/{os.getpid()}"


def claimable(*, field: str, queued: str, running: str, task_id: str | None) -> Q:
    """Rows whose ``field`` is ``queued``, or ``running`` under an expired lease or one
    held by the same task id (its earlier delivery is gone: redelivered, retried)."""
    taken_over = Q(lease_expires_at__lt=timezone.now())  # rows without a lease: left to the sweeps
    if task_id:
        taken_over |= Q(lease_task=task_id) | Q(lease_task__startswith=f"{task_id}~")
    return Q(**{field: queued}) | (Q(**{field: running}) & taken_over)


def lease_task_of(task_id: str | None, retries: int = 0) -> str:
    """What a claim records as its task: the task id, and the retry number of a retry."""
    if not task_id:
        return ""
    return f"{task_id}~{retries}" if retries else task_id


def is_retry_of(lease_task: str, *, task_id: str | None, retries: int) -> bool:
    """True when this delivery (``task_id``, ``retries``) is a later retry of the task
    that holds the lease: the execution that raised the retry has ended, so the retry
    takes over at once and it is not a new attempt."""
    held_id, _, held_retries = lease_task.partition("~")
    return bool(task_id) and held_id == task_id and int(held_retries or 0) < retries


def held_by_another_delivery(*, lease_task: str, lease_owner: str, task_id: str | None, retries: int) -> bool:
    """True when a live execution holds the row and this delivery must leave it alone:
    not a later retry of the same task, and the holder is a live process of this node
    (a duplicate delivery of a task still running)."""
    if is_retry_of(lease_task, task_id=task_id, retries=retries):
        return False
    return held_by_a_live_sibling(lease_owner)


def holder_is_gone(lease_owner: str) -> bool:
    """True when the process named by ``lease_owner`` ("<node>/<pid>", on this machine:
    ask only about this machine's nodes) no longer exists."""
    _, _, pid = lease_owner.rpartition("/")
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def held_by_a_live_sibling(lease_owner: str) -> bool:
    """True when ``lease_owner`` is another process of this same worker node that is
    still alive: a duplicate delivery of a task that is still running, which must
    not take it over (a redelivery after that process died may)."""
    node, _, pid = lease_owner.rpartition("/")
    mine, _, own_pid = worker_name().rpartition("/")
    if node != mine or not pid.isdigit() or pid == own_pid:
        return False
    return not holder_is_gone(lease_owner)


def lease_fields(*, task_id: str | None, seconds: float, retries: int = 0) -> dict:
    """Field values of a new claim (a fresh token each time)."""
    return {
        "lease_owner": worker_name(),
        "lease_task": lease_task_of(task_id, retries),
        "lease_token": secrets.token_hex(16),
        "lease_expires_at": timezone.now() + timedelta(seconds=seconds),
    }


RELEASED = {"lease_owner": "", "lease_task": "", "lease_token": "", "lease_expires_at": None}


def release_dead_holders(
    model, *, node: str, status_field: str, running: str, queued: str, queued_at_field: str, task: str
) -> list[int]:
    """Worker node ``node`` (re)starting on this machine (settings.RELAY_RELEASES): the rows of
    ``model`` that its earlier, now dead processes held (``status_field`` = ``running``) are
    queued again at once, with their lease released and a new outbox row for ``task`` each,
    instead of waiting for their lease to expire. Rows another sweep has locked are left to it.
    Returns their ids."""
    from django.db import transaction

    from .outbox import outbox_enqueue

    with transaction.atomic():
        held = model.objects.select_for_update(skip_locked=True).filter(
            **{status_field: running, "lease_owner__startswith": f"{node}/"}
        )
        ids = sorted(pk for pk, owner in held.values_list("pk", "lease_owner") if holder_is_gone(owner))
        model.objects.filter(pk__in=ids).update(
            **{status_field: queued, queued_at_field: timezone.now()}, **RELEASED
        )
        for pk in ids:
            outbox_enqueue(task=task, args=[pk])
    return ids


def requeue_stale(
    stale,
    *,
    status_field: str,
    queued: str,
    queued_at_field: str,
    attempts_field: str,
    max_attempts: int,
    task: str,
    give_up: Callable[[Any], None],
) -> list[int]:
    """The sweep of one kind of leased job (settings.RELAY_SWEEPS): each row of ``stale`` (a
    queryset: running under an expired lease, or queued too long) goes back to queued with its
    lease released and a new outbox row for ``task``, except a queued one whose message still
    waits to start (it is not lost); one already started ``max_attempts`` times is handed to
    ``give_up`` (which records it failed) instead, so work that kills every worker does not loop.
    Returns the ids re-sent. Safe to run concurrently: rows another sweep has locked are skipped."""
    from django.db import transaction

    from .outbox import outbox_awaiting_ids, outbox_enqueue

    requeued = []
    awaiting = outbox_awaiting_ids(task)
    with transaction.atomic():
        for row in stale.select_for_update(skip_locked=True):
            if getattr(row, status_field) == queued and row.pk in awaiting:
                continue
            if getattr(row, attempts_field) >= max_attempts:
                give_up(row)
                continue
            type(row).objects.filter(pk=row.pk).update(
                **{status_field: queued, queued_at_field: timezone.now()}, **RELEASED
            )
            requeued.append(row.pk)
            outbox_enqueue(task=task, args=[row.pk])
    return requeued


@dataclass(frozen=True)
class LeasedJob:
    """One kind of leased job: rows of ``model`` that one task works through, each
    queued → running → finished. The one pattern every single-row job uses (draft uploads, guide
    readings, guide publishing …): the claim, the write under the claim, the sweep and the release
    when a worker node restarts. The job's own service says what the work is and what "finished"
    and "given up" store.

    ``status_field`` holds ``queued`` / ``running`` (and the finished states); ``queued_at_field``,
    ``started_at_field`` and ``attempts_field`` name the row's timestamps and its count of started
    attempts; ``lease_seconds`` gives the length of a claim (the task's hard time limit and a margin);
    ``task`` is the outbox task that works a row (its only argument the row's primary key)."""

    model: Any
    task: str
    status_field: str
    queued: str
    running: str
    lease_seconds: Callable[[], float]
    max_attempts: int = 3
    queued_at_field: str = "queued_at"
    started_at_field: str = "started_at"
    attempts_field: str = "attempts"

    def claim(self, pk: int, *, task_id: str | None, retries: int, give_up: Callable[[Any], None]):
        """Claim row ``pk`` under a new lease: queued, or running under an expired lease or this
        same task's (a redelivery, or a retry, which continues its attempt). None when there is
        nothing to do: the row is gone, finished, or held by a live execution of this node (a
        duplicate delivery); or it has been started ``max_attempts`` times already, when
        ``give_up(row)`` records it failed (inside the claim's transaction, the row locked)."""
        from django.db import transaction

        lease = lease_fields(task_id=task_id, seconds=self.lease_seconds(), retries=retries)
        with transaction.atomic():
            row = (
                self.model.objects.select_for_update()
                .filter(
                    claimable(
                        field=self.status_field, queued=self.queued, running=self.running, task_id=task_id
                    )
                )
                .filter(pk=pk)
                .first()
            )
            if row is None:
                return None
            running = getattr(row, self.status_field) == self.running
            retry = running and is_retry_of(row.lease_task, task_id=task_id, retries=retries)
            if running and held_by_another_delivery(
                lease_task=row.lease_task, lease_owner=row.lease_owner, task_id=task_id, retries=retries
            ):
                return None
            if not retry and getattr(row, self.attempts_field) >= self.max_attempts:
                give_up(row)
                return None
            for name, value in lease.items():
                setattr(row, name, value)
            setattr(row, self.status_field, self.running)
            setattr(row, self.started_at_field, timezone.now())
            setattr(row, self.attempts_field, getattr(row, self.attempts_field) + (0 if retry else 1))
            row.save(update_fields=[self.status_field, self.started_at_field, self.attempts_field, *lease])
        return row

    def store(self, row, *, only_while=None, **values) -> bool:
        """Write ``values`` to ``row`` and release its lease, only while ``row``'s claim is the
        current one (an execution that was taken over writes nothing) and, when ``only_while`` is
        given, while the status is one of those. Sets the values on ``row`` too. Returns whether
        they were stored."""
        values = {**values, **RELEASED}
        current = self.model.objects.filter(pk=row.pk, lease_token=row.lease_token)
        if only_while is not None:
            current = current.filter(**{f"{self.status_field}__in": list(only_while)})
        stored = current.update(**values)
        for name, value in values.items():
            setattr(row, name, value)
        return bool(stored)

    def locked_current(self, row):
        """Inside a transaction: ``row`` locked again, if its claim is still the current one and it
        is still running (else None: the work was taken over and must write nothing)."""
        return (
            self.model.objects.select_for_update()
            .filter(pk=row.pk, lease_token=row.lease_token, **{self.status_field: self.running})
            .first()
        )

    def requeue_stale(self, stale, *, give_up: Callable[[Any], None]) -> list[int]:
        """The relay's sweep for this job (see :func:`requeue_stale`): ``stale`` rows go back to
        queued with a new outbox row, or to ``give_up`` after ``max_attempts``."""
        return requeue_stale(
            stale,
            status_field=self.status_field,
            queued=self.queued,
            queued_at_field=self.queued_at_field,
            attempts_field=self.attempts_field,
            max_attempts=self.max_attempts,
            task=self.task,
            give_up=give_up,
        )

    def release_worker(self, *, node: str) -> list[int]:
        """Worker node ``node`` (re)starting: rows its dead processes held are queued again at
        once (see :func:`release_dead_holders`)."""
        return release_dead_holders(
            self.model,
            node=node,
            status_field=self.status_field,
            running=self.running,
            queued=self.queued,
            queued_at_field=self.queued_at_field,
            task=self.task,
        )
