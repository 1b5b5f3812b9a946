"""The outbox: rows written with the state change and published by the relay (never by
the request), kept pending while the broker is unreachable, and kept until their work
starts, so that what a broker lost is published again."""

from datetime import timedelta

import kombu.exceptions
import pytest
from django.db import transaction
from django.utils import timezone

from common import outbox
from common.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """Publishing through a recording stand-in for the broker (tests/faults/ use a real one)."""
    from config.celery import app

    sent = []
    state = {"down": False, "epoch": "epoch-1", "lengths": {}}

    def send_task(name, *, args, task_id, retry, **options):
        if state["down"]:
            raise kombu.exceptions.OperationalError(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )
        sent.append((name, args, task_id, options.get("queue", "")))

    def epoch():
        if state["down"]:
            raise kombu.exceptions.OperationalError("Connection refused.")
        return state["epoch"]

    monkeypatch.setattr(app, "send_task", send_task)
    monkeypatch.setattr(outbox, "broker_epoch", epoch)
    monkeypatch.setattr(outbox, "_queue_length", lambda queue: state["lengths"].get(queue, 0))
    app.conf.task_always_eager = False
    yield sent, state
    app.conf.task_always_eager = True


def test_a_request_only_writes_the_row_the_relay_publishes_it_with_its_task_id_and_queue(
    broker, django_capture_on_commit_callbacks
):
    sent, _ = broker
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.outbox_enqueue(task="screening.screen_run", args=[7], queue=outbox.FAST_QUEUE)
    assert sent == []  # the request never talks to the broker
    assert outbox.outbox_relay() == 1
    message.refresh_from_db()
    assert sent == [("screening.screen_run", [7], str(message.task_id), "checks")]
    assert (message.sent_at is not None, message.attempts, message.epoch) == (True, 1, "epoch-1")
    assert message.started_at is None  # published, not started: it may be published again


def test_nothing_is_written_when_the_transaction_rolls_back(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.outbox_enqueue(task="screening.screen_run", args=[7])
        raise RuntimeError("the state change failed")
    assert (outbox.outbox_relay(), OutboxMessage.objects.count()) == (0, 0)


def test_broker_down_leaves_rows_pending_and_the_relay_sends_them_when_it_is_back(broker):
    sent, state = broker
    first = OutboxMessage.objects.create(task="screening.screen_run", args=[1])
    second = OutboxMessage.objects.create(task="proposals.draft_extract", args=[2])
    state["down"] = True
    assert outbox.outbox_relay() == 0
    assert outbox.outbox_pending_count() == 2
    state["down"] = False
    assert outbox.outbox_relay() == 2
    assert [name for name, *_ in sent] == ["screening.screen_run", "proposals.draft_extract"]
    assert [task_id for _, _, task_id, _ in sent] == [str(first.task_id), str(second.task_id)]


def test_a_failed_publish_is_recorded_on_the_row(broker, monkeypatch):
    from config.celery import app

    OutboxMessage.objects.create(task="screening.screen_run", args=[1])

    def refused(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Connection refused.")

    monkeypatch.setattr(app, "send_task", refused)
    assert outbox.outbox_relay() == 0
    row = OutboxMessage.objects.get()
    assert (row.sent_at, row.attempts, "Connection refused" in row.last_error) == (None, 1, True)


def test_delayed_row_waits_until_it_falls_due(broker):
    sent, _ = broker
    later = outbox.outbox_enqueue(task="screening.screen_run", args=[1], delay=30)
    assert outbox.outbox_relay() == 0
    OutboxMessage.objects.filter(pk=later.pk).update(available_at=timezone.now())
    assert outbox.outbox_relay() == 1
    assert sent == [("screening.screen_run", [1], str(later.task_id), "")]


def test_started_marks_the_row_by_task_id_and_ignores_foreign_task_ids(broker):
    message = OutboxMessage.objects.create(task="screening.screen_run", args=[1], sent_at=timezone.now())
    assert outbox.outbox_started("not-an-outbox-task-id") == 0
    assert outbox.outbox_started(str(message.task_id)) == 1
    assert outbox.outbox_started(str(message.task_id)) == 0  # once
    message.refresh_from_db()
    assert message.started_at is not None


def test_a_broker_that_came_back_empty_gets_what_it_lost_again_and_nothing_else(broker):
    sent, state = broker
    lost = [outbox.outbox_enqueue(task="screening.screen_chunk", args=[[n]]) for n in (1, 2)]
    started = outbox.outbox_enqueue(task="screening.screen_chunk", args=[[3]])
    assert outbox.outbox_relay() == 3
    outbox.outbox_started(str(started.task_id))
    state["epoch"] = "epoch-2"  # restarted empty: its epoch key is gone
    assert outbox.outbox_recover() == 2
    sent.clear()
    assert outbox.outbox_relay() == 2
    assert sorted(task_id for _, _, task_id, _ in sent) == sorted(str(m.task_id) for m in lost)
    assert outbox.outbox_recover() == 0  # published in the new epoch: not lost


def test_a_row_not_started_long_after_publishing_is_published_again_only_when_its_queue_is_empty(
    broker, settings
):
    sent, state = broker
    settings.OUTBOX_RESEND_AFTER = 30
    message = outbox.outbox_enqueue(task="screening.screen_chunk", args=[[1]])
    assert outbox.outbox_relay() == 1
    assert outbox.outbox_recover() == 0  # just published
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(seconds=60))
    state["lengths"] = {"screening": 5}  # still waiting behind others in the broker
    assert outbox.outbox_recover() == 0
    state["lengths"] = {}
    assert outbox.outbox_recover() == 1
    assert outbox.outbox_relay() == 1
    assert [task_id for _, _, task_id, _ in sent] == [str(message.task_id)] * 2


def test_the_rows_awaiting_their_work_name_the_jobs_a_sweep_must_leave_alone(broker):
    waiting = outbox.outbox_enqueue(task="proposals.draft_extract", args=[4])
    done = outbox.outbox_enqueue(task="proposals.draft_extract", args=[5])
    outbox.outbox_enqueue(task="screening.screen_run", args=[6])
    outbox.outbox_relay()
    outbox.outbox_started(str(done.task_id))
    assert outbox.outbox_awaiting_ids("proposals.draft_extract") == {4}
    assert waiting.args == [4]


def test_rows_are_purged_a_week_after_their_work_started_unstarted_ones_never():
    old = OutboxMessage.objects.create(task="a", started_at=timezone.now() - timedelta(days=8))
    recent = OutboxMessage.objects.create(task="b", started_at=timezone.now() - timedelta(days=1))
    unstarted = OutboxMessage.objects.create(task="c", sent_at=timezone.now() - timedelta(days=9))
    assert outbox.outbox_purge() == 1
    assert sorted(OutboxMessage.objects.values_list("pk", flat=True)) == sorted([recent.pk, unstarted.pk])
    assert old.pk not in OutboxMessage.objects.values_list("pk", flat=True)


def test_the_daily_purge_forgets_rate_counts_of_past_windows():
    from datetime import timedelta

    from django.utils import timezone

    from common import tasks
    from common.models import RateCount
    from common.services import rate_allow

    assert rate_allow(scope="signup:address", value="10.0.0.1", limit=5, window=3600)
    RateCount.objects.create(key="0" * 64, window_start=timezone.now() - timedelta(days=3), count=9)
    tasks.outbox_purge()
    assert RateCount.objects.count() == 1
