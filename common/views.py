"""Health and readiness probes for load balancers and orchestrators, and the page of a refused
form (CSRF failure) in the site's look."""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.module_loading import import_string

from .selectors import outbox_status, relay_heartbeat_age

log = logging.getLogger(__name__)


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


def _problems(body: dict) -> list[str]:
    """Why the job service is degraded (empty when it is not): the broker down, no
    relay alive, work waiting past the thresholds of settings.HEALTH_THRESHOLDS."""
    limits = settings.HEALTH_THRESHOLDS
    problems = []
    if body["broker"] == "down":
        problems.append("broker down")
    if body["broker"] == "eager":
        return problems
    age = body["relay_heartbeat_seconds"]
    if age is None or age > limits["relay_heartbeat"]:
        problems.append("no relay alive")
    outbox = body["outbox"]
    if (outbox["oldest_seconds"] or 0) > limits["outbox_pending"]:
        problems.append("outbox rows wait to be published")
    if (outbox["oldest_published_seconds"] or 0) > limits["outbox_not_started"]:
        problems.append("published work waits to start")
    for name, backlog in body["backlogs"].items():
        if (backlog.get("oldest_seconds") or 0) > limits["work_waiting"]:
            problems.append(f"{name} wait to start")
    return problems


def healthz(request):
    """Liveness with each dependency and the job backlog reported separately: always
    200 while the process answers (a broker outage is survivable: work waits in the
    outbox), with "status" "degraded" and the reasons when the job service is."""
    database = _database()
    body = {"status": "ok", "database": database, "broker": _broker()}
    if database != "ok":
        body["status"] = "degraded"
        return JsonResponse(body)
    body["outbox"] = outbox_status()
    body["relay_heartbeat_seconds"] = relay_heartbeat_age()
    body["backlogs"] = {name: import_string(path)() for name, path in settings.HEALTH_BACKLOGS.items()}
    problems = _problems(body)
    if problems:
        body["status"], body["problems"] = "degraded", problems
    return JsonResponse(body)


def readyz(request):
    """Readiness: 503 without the database (nothing can be served), 200 otherwise."""
    database = _database()
    return JsonResponse({"database": database}, status=200 if database == "ok" else 503)


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: a form refused because its security token was missing, stale or
    came from another site. 403 with the site's own page in the reader's language, saying what to
    do (Django's reason, in English, goes to the log only). The page sets a fresh token, so going
    back and sending the form again works."""
    if reason == REASON_NO_CSRF_COOKIE:
        cause = "cookie"  # the browser sent no cookie of this site (cookies blocked)
    elif reason.startswith(("Origin checking failed", "Referer checking failed")):
        cause = "origin"  # the form was sent from another address than this site's
    else:
        cause = "expired"  # the token missing or stale: signed in or out in another tab, an old page
    log.warning("CSRF failure on %s: %s", request.path, reason)
    return render(request, "403_csrf.html", {"cause": cause}, status=403)
