"""/healthz reports each dependency; /readyz fails without the database."""

import json
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from common.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_outbox_separately(client):
    OutboxMessage.objects.create(
        task="screening.screen_run", args=[1], available_at=timezone.now() - timedelta(seconds=30)
    )
    body = json.loads(client.get("/healthz").content)
    assert (body["status"], body["database"], body["broker"], body["outbox"]["pending"]) == (
        "ok",
        "ok",
        "eager",
        1,
    )
    assert body["outbox"]["oldest_seconds"] >= 30


def test_healthz_reports_an_unreachable_broker_and_still_answers_200(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    response = client.get("/healthz")
    assert (response.status_code, json.loads(response.content)["broker"]) == (200, "down")


def _job_service(settings, monkeypatch):
    """A configured broker that answers (the job service, not the embedded default)."""
    from common import views

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    monkeypatch.setattr(views, "_broker", lambda: "ok")


def test_healthz_is_degraded_while_no_relay_beats(client, settings, monkeypatch):
    from common.models import Heartbeat

    _job_service(settings, monkeypatch)
    body = json.loads(client.get("/healthz").content)
    assert (body["status"], body["problems"], body["relay_heartbeat_seconds"]) == (
        "degraded",
        ["no relay alive"],
        None,
    )
    Heartbeat.objects.create(name="relay:w1", beat_at=timezone.now() - timedelta(seconds=120))
    assert json.loads(client.get("/healthz").content)["problems"] == ["no relay alive"]
    Heartbeat.objects.filter(name="relay:w1").update(beat_at=timezone.now())
    body = json.loads(client.get("/healthz").content)
    assert (body["status"], "problems" in body) == ("ok", False)


def test_healthz_is_degraded_by_a_backlog_past_its_thresholds_and_shows_its_age(
    client, settings, monkeypatch
):
    from common.models import Heartbeat
    from screening.models import ScreeningRun
    from tests.factories.screening_db import make_proposal

    _job_service(settings, monkeypatch)
    Heartbeat.objects.create(name="relay:w1", beat_at=timezone.now())
    long_ago = timezone.now() - timedelta(seconds=600)
    OutboxMessage.objects.create(task="screening.screen_run", args=[1], available_at=long_ago)
    OutboxMessage.objects.create(task="screening.screen_run", args=[2], sent_at=long_ago)
    run = ScreeningRun.objects.create(proposal=make_proposal())
    ScreeningRun.objects.filter(pk=run.pk).update(queued_at=long_ago)
    body = json.loads(client.get("/healthz").content)
    assert body["status"] == "degraded"
    assert body["problems"] == [
        "outbox rows wait to be published",
        "published work waits to start",
        "screening runs wait to start",
    ]
    assert body["outbox"]["oldest_seconds"] >= 600
    assert body["outbox"]["oldest_published_seconds"] >= 600
    assert body["backlogs"]["screening runs"]["queued"] == 1


def test_readyz_is_503_without_the_database(client, monkeypatch):
    from common import views

    def down():
        raise DatabaseError("connection refused")

    class Cursor:
        def __enter__(self):
            down()

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: Cursor())
    response = client.get("/readyz")
    assert (response.status_code, json.loads(response.content)) == (503, {"database": "down"})


def test_readyz_is_200_with_the_database(client):
    response = client.get("/readyz")
    assert (response.status_code, json.loads(response.content)) == (200, {"database": "ok"})
