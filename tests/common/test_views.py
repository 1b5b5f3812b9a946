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
