"""The outbox: work for the job queue is a row written in the same transaction as
the state change that calls for it; the relay publishes pending rows.

- ``outbox_enqueue`` writes the row and, once the transaction commits, tries to
  publish it at once (the fast path). When the broker is unreachable the row just
  stays pending: the request that caused it succeeds.
- ``outbox_relay`` publishes pending rows (oldest first, at most ``limit``). The
  workers run it every ``OUTBOX_RELAY_INTERVAL`` seconds (common.worker), so work
  that waited for the broker is sent within seconds of its return.

Each row has its own Celery task id, used for every (re)publication of it: a row
sent twice (the relay died between publishing and marking it sent) delivers the
same task id twice, which the job rows' leases treat as one delivery taking over
from the other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

import kombu.exceptions
import redis.exceptions
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)

# What publishing raises when the broker is down or unreachable.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, ConnectionError, OSError)


def outbox_enqueue(*, task: str, args: Iterable = (), delay: float = 0) -> OutboxMessage:
    """Write one outbox row for ``task(*args)``; call it inside the transaction of
    the state change. After commit the row is published at once, unless ``delay``
    (seconds) holds it back: the relay sends it when it falls due."""
    from config.celery import app

    if app.conf.task_always_eager:
        delay = 0  # no relay runs on the embedded default: do it now
    message = OutboxMessage.objects.create(
        task=task, args=list(args), available_at=timezone.now() + timedelta(seconds=delay)
    )
    if not delay:
        transaction.on_commit(lambda: outbox_relay(ids=[message.pk]), robust=True)
    return message


def outbox_enqueue_many(*, task: str, args_list: Iterable[Iterable]) -> list[OutboxMessage]:
    """Several rows for the same task in one INSERT, published after commit."""
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=task, args=list(args)) for args in args_list], batch_size=1000
    )
    ids = [m.pk for m in messages]
    if ids:
        transaction.on_commit(lambda: outbox_relay(ids=ids), robust=True)
    return messages


def outbox_relay(*, ids: list[int] | None = None, limit: int = 500) -> int:
    """Publish pending rows that are due (only ``ids`` when given). Rows another relay
    is publishing are skipped. Stops at the first broker error, recording it on the
    row (it stays pending). Returns how many were published."""
    from config.celery import app

    if app.conf.task_always_eager:
        return _run_eagerly(ids)
    now = timezone.now()
    published: list[int] = []
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            sent_at__isnull=True, available_at__lte=now
        )
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        for message in pending.order_by("available_at", "id")[:limit]:
            try:
                app.send_task(message.task, args=message.args, task_id=str(message.task_id), retry=False)
            except BROKER_ERRORS as exc:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
                )
                log.warning("outbox: broker unreachable, %s left pending (%s)", message.task, exc)
                break
            published.append(message.pk)
        if published:
            OutboxMessage.objects.filter(pk__in=published).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1
            )
    return len(published)


def _run_eagerly(ids: list[int] | None) -> int:
    """The embedded default (no broker): mark the rows sent, then run their tasks
    in this process, outside any transaction of the relay's."""
    from config.celery import app

    pending = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=timezone.now())
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    messages = list(pending.order_by("available_at", "id"))
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )
    if messages:
        app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery is lazy)
    for message in messages:
        app.tasks[message.task].apply_async(args=message.args, task_id=str(message.task_id))
    return len(messages)


def outbox_pending_count() -> int:
    """Rows due and not yet published (the job service is down, or falling behind)."""
    return OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=timezone.now()).count()


def outbox_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete rows published longer ago than ``older_than``; returns how many."""
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
