"""Leases on job rows (models with the ``common.models.Leased`` fields).

A worker claims a row for a while: ``claimable`` selects rows it may take (queued,
or running under a lease that is its own task's — a redelivered or retried message
takes over at once — or that has expired), ``held_by_another_delivery`` tells a
duplicate delivery (which must not take over a live execution) from a retry of the
same task (its earlier execution has ended: it raised the retry) or a redelivery
after that process died; ``lease_fields`` are the values to set.

A claim records its task id with the delivery's retry number (``<task id>~<n>``
for the n-th retry): that, not the node, tells a retry from a duplicate.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
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
