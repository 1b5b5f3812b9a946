"""The outbox: work for the job queue is a row written in the same transaction as
the state change that calls for it; the relay publishes it, and the row lives on
until the work it asks for has started.

- ``outbox_enqueue`` writes the row and wakes the relays (a PostgreSQL NOTIFY, sent
  with the commit). A request never talks to the broker: with the broker refused
  or hung it answers as fast as with the broker up.
- ``outbox_relay`` publishes due rows (oldest first, at most ``limit``), recording
  the broker's epoch on each. The relay (common.relay) runs it whenever it is woken
  and every ``OUTBOX_RELAY_INTERVAL`` seconds.
- ``outbox_started`` marks a row's work started (a worker began the task: the
  ``task_prerun`` signal, config.celery). Until then the row may be published again:
  ``outbox_recover`` re-publishes the rows a broker lost: those published in an
  earlier epoch (it came back empty: a new epoch) and, as a backstop, rows whose
  queue is empty but whose work has not started ``OUTBOX_RESEND_AFTER`` seconds
  after publishing.

Each row has its own Celery task id, used for every (re)publication of it: a row
sent twice delivers the same task id twice, which the job rows' leases treat as
one delivery (common.leases).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

import kombu.exceptions
import redis
import redis.exceptions
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)

# What publishing raises when the broker is down or unreachable.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, ConnectionError, OSError)
# The PostgreSQL channel the relays listen on (common.relay).
CHANNEL = "prescreen_outbox"
# The key holding the broker's epoch: gone when the broker lost its data.
EPOCH_KEY = "prescreen:broker-epoch"
# The fast lane: an applicant's own check or submission, and recovered work (worker consumes it first).
FAST_QUEUE = "checks"


def outbox_enqueue(*, task: str, args: Iterable = (), delay: float = 0, queue: str = "") -> OutboxMessage:
    """Write one outbox row for ``task(*args)``; call it inside the transaction of the
    state change. The relays are woken when it commits; ``delay`` (seconds) holds it
    back until it falls due. ``queue`` overrides the task's route (FAST_QUEUE)."""
    from config.celery import app

    if app.conf.task_always_eager:
        message = OutboxMessage.objects.create(task=task, args=list(args))
        # the embedded default has no relay: run it in this process after commit
        transaction.on_commit(lambda: outbox_relay(ids=[message.pk]), robust=True)
        return message
    message = OutboxMessage.objects.create(
        task=task, args=list(args), queue=queue, available_at=timezone.now() + timedelta(seconds=delay)
    )
    if not delay:
        outbox_wake()
    return message


def outbox_enqueue_many(*, task: str, args_list: Iterable[Iterable], queue: str = "") -> list[OutboxMessage]:
    """Several rows for the same task in one INSERT, relayed after commit."""
    from config.celery import app

    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=task, args=list(args), queue=queue) for args in args_list], batch_size=1000
    )
    ids = [m.pk for m in messages]
    if ids and app.conf.task_always_eager:
        transaction.on_commit(lambda: outbox_relay(ids=ids), robust=True)
    elif ids:
        outbox_wake()
    return messages


def outbox_wake() -> None:
    """Wake the relays now (PostgreSQL delivers a NOTIFY with the commit of the
    transaction that sent it). Elsewhere they find the rows at their next pass."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


def outbox_started(task_id: str) -> int:
    """The work of the row with Celery task id ``task_id`` has started: it is not
    published again. Returns 1 when such a row was waiting, else 0."""
    try:
        uuid.UUID(str(task_id))
    except ValueError:
        return 0  # not one of the outbox's task ids
    return OutboxMessage.objects.filter(task_id=task_id, started_at__isnull=True).update(
        started_at=timezone.now()
    )


def outbox_relay(*, ids: list[int] | None = None, limit: int = 500) -> int:
    """Publish pending rows that are due (only ``ids`` when given). Rows another relay
    is publishing are skipped. Stops at the first broker error, recording it on the
    row (it stays pending). Returns how many were published."""
    from config.celery import app

    if app.conf.task_always_eager:
        return _run_eagerly(ids)
    try:
        epoch = broker_epoch()
    except BROKER_ERRORS as exc:
        log.warning("outbox: broker unreachable, nothing published (%s)", exc)
        return 0
    now = timezone.now()
    published: list[int] = []
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            sent_at__isnull=True, available_at__lte=now
        )
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        for message in pending.order_by("available_at", "id")[:limit]:
            options = {"queue": message.queue} if message.queue else {}
            try:
                app.send_task(
                    message.task, args=message.args, task_id=str(message.task_id), retry=False, **options
                )
            except BROKER_ERRORS as exc:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
                )
                log.warning("outbox: broker unreachable, %s left pending (%s)", message.task, exc)
                break
            published.append(message.pk)
        if published:
            OutboxMessage.objects.filter(pk__in=published).update(
                sent_at=timezone.now(), epoch=epoch, attempts=F("attempts") + 1
            )
    return len(published)


def outbox_recover(*, resend_after: float | None = None) -> int:
    """Make rows whose message the broker lost pending again (the next relay pass
    publishes them, with their task id): rows published in an earlier epoch of the
    broker, and rows published more than ``resend_after`` seconds ago (default
    OUTBOX_RESEND_AFTER) whose queue is empty although their work has not started.
    Returns how many."""
    from config.celery import app

    if app.conf.task_always_eager:
        return 0
    try:
        epoch = broker_epoch()
    except BROKER_ERRORS:
        return 0
    unstarted = OutboxMessage.objects.filter(sent_at__isnull=False, started_at__isnull=True)
    lost = set(unstarted.exclude(epoch=epoch).values_list("pk", flat=True))
    cutoff = timezone.now() - timedelta(seconds=resend_after or settings.OUTBOX_RESEND_AFTER)
    old = list(unstarted.filter(epoch=epoch, sent_at__lt=cutoff).values_list("pk", "task", "queue")[:1000])
    if old:
        try:
            empty = {q for q in {_queue_of(task, queue) for _, task, queue in old} if _queue_length(q) == 0}
        except BROKER_ERRORS:
            empty = set()
        lost |= {pk for pk, task, queue in old if _queue_of(task, queue) in empty}
    if not lost:
        return 0
    count = OutboxMessage.objects.filter(pk__in=lost, started_at__isnull=True).update(
        sent_at=None, available_at=timezone.now(), last_error="the broker lost it: published again"
    )
    log.warning("outbox: %d published rows lost by the broker, publishing them again", count)
    return count


def _queue_of(task: str, queue: str) -> str:
    from config.celery import app

    return queue or app.amqp.router.route({}, task)["queue"].name


def broker_client() -> redis.Redis:
    """A short-timeout client of the broker (Redis), for the epoch and queue lengths: one per process
    and broker URL, whose connection is kept between the relay's rounds (redis-py connects again
    after a failure, and after a fork)."""
    return _broker_client(settings.CELERY_BROKER_URL)


@functools.lru_cache(maxsize=4)
def _broker_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def broker_epoch() -> str:
    """The broker's epoch: a random value kept under EPOCH_KEY, set when missing. A
    broker that restarted empty (or was flushed) has lost it, so it gets a new one.
    "" for a broker that is not Redis (nothing to compare)."""
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
        return ""
    client = broker_client()
    client.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
    return client.get(EPOCH_KEY).decode()


def _queue_length(queue: str) -> int:
    return int(broker_client().llen(queue))


def _run_eagerly(ids: list[int] | None) -> int:
    """The embedded default (no broker): mark the rows sent, then run their tasks
    in this process, outside any transaction of the relay's."""
    from config.celery import app

    pending = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=timezone.now())
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    messages = list(pending.order_by("available_at", "id"))
    now = timezone.now()
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        sent_at=now, started_at=now, attempts=F("attempts") + 1
    )
    if messages:
        app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery is lazy)
    for message in messages:
        app.tasks[message.task].apply_async(args=message.args, task_id=str(message.task_id))
    return len(messages)


def outbox_unstarted_args(tasks: Iterable[str]) -> list[list]:
    """The arguments of rows of ``tasks`` whose work has not started (pending or
    published): the sweeps leave the work they cover alone."""
    return list(
        OutboxMessage.objects.filter(task__in=list(tasks), started_at__isnull=True).values_list(
            "args", flat=True
        )
    )


def outbox_awaiting_ids(task: str) -> set:
    """The first argument (a job row's id) of each row of ``task`` whose work has not
    started: a sweep leaves those jobs alone (their message is not lost)."""
    return {args[0] for args in outbox_unstarted_args([task]) if args}


def outbox_pending_count() -> int:
    """Rows due and not yet published (the job service is down, or falling behind)."""
    return OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=timezone.now()).count()


def outbox_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete rows whose work started longer ago than ``older_than``; returns how many."""
    deleted, _ = OutboxMessage.objects.filter(started_at__lt=timezone.now() - older_than).delete()
    return deleted
