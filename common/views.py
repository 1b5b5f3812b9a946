"""Health and readiness probes for load balancers and orchestrators."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse

from .selectors import outbox_status


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    return "ok"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return "eager"  # the embedded default: tasks run in-process
    try:
        with redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1) as client:
            client.ping()
    except (redis.RedisError, OSError):
        return "down"
    return "ok"


def healthz(request):
    """Liveness with each dependency reported separately: always 200 while the process
    answers (a broker outage is survivable: work waits in the outbox)."""
    database = _database()
    body = {"status": "ok", "database": database, "broker": _broker()}
    if database == "ok":
        body["outbox"] = outbox_status()
    return JsonResponse(body)


def readyz(request):
    """Readiness: 503 without the database (nothing can be served), 200 otherwise."""
    database = _database()
    return JsonResponse({"database": database}, status=200 if database == "ok" else 503)
