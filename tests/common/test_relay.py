"""The relay loop: publishes the outbox, runs the sweeps, waits out outages."""

import pytest
from django.db import OperationalError

from common import relay

pytestmark = pytest.mark.django_db


def test_relay_once_runs_the_sweeps_only_when_asked(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(relay, "outbox_relay", lambda limit: calls.append("outbox") or 0)
    monkeypatch.setattr(relay, "outbox_recover", lambda: 0)
    settings.RELAY_SWEEPS = ["tests.common.test_relay.fake_sweep"]
    fake_sweep.calls = calls
    relay.relay_once(sweep=False)
    relay.relay_once(sweep=True)
    assert calls == ["outbox", "sweep", "outbox"]


def fake_sweep():
    fake_sweep.calls.append("sweep")


@pytest.mark.django_db(transaction=True)  # the outage closes the connection: no test transaction around it
def test_relay_forever_outlives_a_database_outage_and_releases_the_node_once(settings, monkeypatch):
    settings.OUTBOX_RELAY_INTERVAL = 0
    settings.SWEEP_INTERVAL = 3600
    passes, released = [], []

    def flaky(*, sweep):
        passes.append(sweep)
        if len(passes) == 1:
            raise OperationalError("the database system is shutting down")
        return 0

    monkeypatch.setattr(relay, "relay_once", flaky)
    monkeypatch.setattr(relay, "release_worker", lambda *, node: released.append(node) or {})
    relay.relay_forever(node="celery@w1", should_stop=lambda: len(passes) >= 3)
    assert (passes, released) == ([True, False, False], ["celery@w1"])


def test_a_pass_publishes_round_after_round_until_the_outbox_is_empty(monkeypatch):
    rounds = [relay.PUBLISH_LIMIT, relay.PUBLISH_LIMIT, 7]
    monkeypatch.setattr(relay, "outbox_relay", lambda limit: rounds.pop(0))
    monkeypatch.setattr(relay, "outbox_recover", lambda: 0)
    assert relay.relay_once(sweep=False) == 2 * relay.PUBLISH_LIMIT + 7
    assert rounds == []


def test_each_pass_writes_the_relays_heartbeat_which_healthz_reads(settings, monkeypatch):
    from common.models import Heartbeat
    from common.selectors import relay_heartbeat_age

    settings.OUTBOX_RELAY_INTERVAL = 0
    settings.SWEEP_INTERVAL = 3600
    monkeypatch.setattr(relay, "relay_once", lambda *, sweep: 0)
    assert relay_heartbeat_age() is None
    passes = []
    relay.relay_forever(node="celery@w1", should_stop=lambda: passes.append(1) or len(passes) > 2)
    beat = Heartbeat.objects.get()
    assert beat.name == "relay:celery@w1"
    assert 0 <= relay_heartbeat_age() < 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_relay_wakes_on_a_commit_that_wrote_outbox_rows():
    import threading
    import time

    from django.db import connection, transaction

    from common.models import OutboxMessage
    from common.outbox import outbox_wake

    def a_request_commits_a_row():  # as outbox_enqueue does with a broker: the row, and NOTIFY at commit
        with transaction.atomic():  # this thread's own connection: another session
            OutboxMessage.objects.create(task="screening.screen_run", args=[1])
            outbox_wake()
        connection.close()

    wakeup = relay.Wakeup()
    wakeup.wait(0.01)  # LISTEN on this (the relay's) connection
    request = threading.Thread(target=a_request_commits_a_row)
    request.start()
    request.join()
    started = time.monotonic()
    wakeup.wait(120)  # it arrived while the relay was not waiting: still seen
    assert time.monotonic() - started < 60  # woken, not timed out
    threading.Timer(0.5, a_request_commits_a_row).start()  # and one that arrives while it waits
    started = time.monotonic()
    wakeup.wait(120)
    assert time.monotonic() - started < 60
