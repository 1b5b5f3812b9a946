"""The outbox: rows written with the state change, published after commit or by the
relay, kept pending while the broker is unreachable."""

from datetime import timedelta

import kombu.exceptions
import pytest
from django.utils import timezone

from common import outbox
from common.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """Publishing through a recording stand-in for the broker (tests/faults/ use a real one)."""
    from config.celery import app

    sent = []
    state = {"down": False}

    def send_task(name, *, args, task_id, retry):
        if state["down"]:
            raise kombu.exceptions.OperationalError(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )
        sent.append((name, args, task_id))

    monkeypatch.setattr(app, "send_task", send_task)
    app.conf.task_always_eager = False
    yield sent, state
    app.conf.task_always_eager = True


def test_enqueued_row_is_published_after_commit_with_its_own_task_id(
    broker, django_capture_on_commit_callbacks
):
    sent, _ = broker
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.outbox_enqueue(task="screening.screen_run", args=[7])
    message.refresh_from_db()
    assert sent == [("screening.screen_run", [7], str(message.task_id))]
    assert (message.sent_at is not None, message.attempts) == (True, 1)


def test_nothing_is_published_when_the_transaction_rolls_back(broker, django_capture_on_commit_callbacks):
    from django.db import transaction

    sent, _ = broker
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.outbox_enqueue(task="screening.screen_run", args=[7])
            raise RuntimeError("the state change failed")
    assert (sent, OutboxMessage.objects.count()) == ([], 0)


def test_broker_down_leaves_rows_pending_and_the_relay_sends_them_when_it_is_back(broker):
    sent, state = broker
    first = OutboxMessage.objects.create(task="screening.screen_run", args=[1])
    second = OutboxMessage.objects.create(task="proposals.draft_extract", args=[2])
    state["down"] = True
    assert outbox.outbox_relay() == 0
    assert list(OutboxMessage.objects.order_by("id").values_list("sent_at", "attempts")) == [
        (None, 1),
        (None, 0),
    ]
    state["down"] = False
    assert outbox.outbox_relay() == 2
    assert [name for name, _, _ in sent] == ["screening.screen_run", "proposals.draft_extract"]
    assert [task_id for _, _, task_id in sent] == [str(first.task_id), str(second.task_id)]


def test_delayed_row_waits_until_it_falls_due(broker):
    sent, _ = broker
    later = OutboxMessage.objects.create(
        task="screening.screen_run", args=[1], available_at=timezone.now() + timedelta(seconds=30)
    )
    assert outbox.outbox_relay() == 0
    OutboxMessage.objects.filter(pk=later.pk).update(available_at=timezone.now())
    assert outbox.outbox_relay() == 1
    assert sent == [("screening.screen_run", [1], str(later.task_id))]


def test_published_rows_are_purged_after_a_week_pending_ones_never():
    old = OutboxMessage.objects.create(task="a", sent_at=timezone.now() - timedelta(days=8))
    recent = OutboxMessage.objects.create(task="b", sent_at=timezone.now() - timedelta(days=1))
    pending = OutboxMessage.objects.create(task="c")
    assert outbox.outbox_purge() == 1
    assert sorted(OutboxMessage.objects.values_list("pk", flat=True)) == sorted([recent.pk, pending.pk])
    assert old.pk not in OutboxMessage.objects.values_list("pk", flat=True)
