"""The relay loop: publishes the outbox, runs the sweeps, waits out outages."""

import pytest
from django.db import OperationalError

from common import relay

pytestmark = pytest.mark.django_db


def test_relay_once_runs_the_sweeps_only_when_asked(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(relay, "outbox_relay", lambda: calls.append("outbox") or 0)
    settings.RELAY_SWEEPS = ["tests.common.test_relay.fake_sweep"]
    fake_sweep.calls = calls
    relay.relay_once(sweep=False)
    relay.relay_once(sweep=True)
    assert calls == ["outbox", "sweep", "outbox"]


def fake_sweep():
    fake_sweep.calls.append("sweep")


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
