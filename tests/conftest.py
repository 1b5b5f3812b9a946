"""Suite-wide fixtures. In CI (CI=true) the suite must run against real PostgreSQL
and Redis: tests marked `postgres`/`redis` fail, not skip, when they are unreachable."""

import os
import threading
from pathlib import Path

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() == "true"


def _using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def pytest_sessionstart(session):
    if IN_CI and not _using_postgres():
        raise pytest.UsageError("CI=true but DATABASE_URL does not point at PostgreSQL")


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: a request in English (a page's language
    switch, a live-server browser test) leaves English active in the thread otherwise, and a later test
    that renders without a request would read English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Every test starts with an empty page cache (guide.caching), shared and near, and reads the published
    versions afresh: a page stored by one test must not answer another's request (the test databases
    reuse primary keys, hence the cache keys)."""
    from django.core.cache import caches

    from guide import caching

    caches["pages"].clear()
    caching.forget()


@pytest.fixture(autouse=True)
def _require_services(request):
    if request.node.get_closest_marker("postgres") and not _using_postgres():
        if IN_CI:
            pytest.fail("this test needs PostgreSQL (DATABASE_URL) and it is not configured")
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
    if request.node.get_closest_marker("redis") and not _redis_reachable():
        if IN_CI:
            pytest.fail("this test needs Redis (REDIS_URL) and it is unreachable")
        pytest.skip("needs Redis: set REDIS_URL")


def _close_db(**kwargs):
    from django.db import connection

    connection.close()  # the worker thread's own connection; lets the test database be dropped


@pytest.fixture
def redis_worker():
    """A real Celery worker (solo pool, in a thread) consuming from the real Redis
    broker; use with django_db(transaction=True) so it sees committed rows."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from config.celery import app

    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    task_postrun.connect(_close_db, weak=False)
    # this in-thread worker's relay process would read the settings' database, not the test one:
    # a thread of this process relays the outbox instead (fault tests start real worker processes with it)
    os.environ["PRESCREEN_NO_RELAY"] = "1"
    stop = threading.Event()
    relay = threading.Thread(target=_relay_until, args=(stop,), daemon=True)
    relay.start()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=WORKER_QUEUES
        ):
            yield
    finally:
        stop.set()
        relay.join(10)
        os.environ.pop("PRESCREEN_NO_RELAY", None)
        task_postrun.disconnect(_close_db)
        app.conf.update(saved)


WORKER_QUEUES = ["checks", "celery", "screening", "extraction"]


def _relay_until(stop) -> None:
    """Publish the test database's outbox every 0.1 s, as a worker's relay would."""
    from django.db import connection

    from common.outbox import outbox_relay

    try:
        while not stop.wait(0.1):
            outbox_relay()
    finally:
        connection.close()


def wait_for(predicate, timeout: float = 60) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


GUIDE_2022 = Path(__file__).resolve().parents[1] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"


@pytest.fixture
def guide2022(db):
    """The bundled 2022 guide, ingested."""
    from guide.services import guide_ingest

    return guide_ingest(path=GUIDE_2022)


@pytest.fixture
def all_registries_empty(db):
    """Every registry loaded (so no rule is undecidable for want of one), all empty but the
    recommenders, which accept the factories' recommender."""
    from screening.registries import registries_import

    registries_import(
        data={
            "ongoing_projects": [],
            "misconduct": [],
            "guide_experts": [],
            "recommenders": ["科学技术部国际合作司"],
        }
    )
