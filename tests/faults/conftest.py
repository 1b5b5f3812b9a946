"""Fault tests: real Redis (their own, on another port), real prefork Celery worker
processes with their relay, the real PostgreSQL test database. Everything started
here is stopped here, by pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
RECOVERY: list[tuple[str, float]] = []  # (case, seconds): printed at the end of the run


def pytest_terminal_summary(terminalreporter):
    if RECOVERY:
        terminalreporter.section("fault recovery times")
        for case, seconds in RECOVERY:
            terminalreporter.write_line(f"{case:<70} {seconds:6.1f} s")


def record(case: str, seconds: float) -> None:
    RECOVERY.append((case, seconds))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, step: float = 0.1) -> float:
    """Seconds until ``predicate()`` held; fails the test after ``timeout``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not reached within {timeout} s")
        time.sleep(step)
    return time.monotonic() - start


class OwnRedis:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10)

    def _answers(self) -> bool:
        try:
            with redis.Redis(port=self.port, socket_connect_timeout=0.2) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Gone at once, its queues with it (it keeps nothing on disk)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


class Worker:
    """`celery worker` with two prefork children and its relay, in its own session."""

    def __init__(
        self,
        *,
        redis_url: str,
        log: Path,
        name: str = "fault1",
        slow: float = 0,
        env=None,
        queues: str = "checks,celery,screening,extraction",
    ):
        self.queues = queues
        self.name = name
        self.node = f"{name}@{socket.gethostname()}"
        self.log = log
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "OUTBOX_RELAY_INTERVAL": "0.3",
            "SWEEP_INTERVAL": "2",
            "FAULT_SLOW_SECONDS": str(slow),
            "PYTHONPATH": str(ROOT),
        }
        self.env.update(env or {})
        self.env.pop("PRESCREEN_NO_RELAY", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        out = self.log.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-n",
                self.node,
                "-Q",
                self.queues,
                "-c",
                "2",
                "-P",
                "prefork",
                "-l",
                "info",
                "--include",
                "tests.faults.slow",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: " ready." in self.log.read_text()[offset:], timeout=60, step=0.2)

    def kill_everything(self) -> None:
        """SIGKILL to the worker, its pool children and its relay at once."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(10)
            wait_until(lambda: not _group_alive(self.process.pid), timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                pass
        self.kill_everything()


class Relay:
    """`manage.py relay` on its own (no worker): it publishes the outbox to the test's
    Redis, where the messages wait until a worker starts."""

    def __init__(self, *, redis_url: str, log: Path):
        self.log = log
        self.env = Worker(redis_url=redis_url, log=log).env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "relay"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _reset_producers(app) -> None:
    """Forget the app's cached pools, so the next publish connects to the broker URL now
    configured (kombu keeps one pool per URL: closing one would break it for later tests)."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str):
    """This test process publishes to ``url`` (not eagerly) for the duration."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, settings.CELERY_TASK_ALWAYS_EAGER)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _reset_producers(app)
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.task_always_eager, settings.CELERY_TASK_ALWAYS_EAGER = saved
        _reset_producers(app)


@pytest.fixture
def own_redis():
    server = OwnRedis(_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_relay(own_redis, tmp_path):
    started: list[Relay] = []

    def start() -> Relay:
        relay = Relay(redis_url=own_redis.url, log=tmp_path / "relay.log")
        relay.start()
        started.append(relay)
        return relay

    try:
        yield start
    finally:
        for relay in started:
            relay.stop()


@pytest.fixture
def start_worker(own_redis, tmp_path):
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        name = kwargs.setdefault("name", "fault1")
        worker = Worker(redis_url=own_redis.url, log=tmp_path / f"{name}.log", **kwargs)
        worker.start()
        started.append(worker)
        return worker

    with publishing_to(own_redis.url):
        try:
            yield start
        finally:
            for worker in started:
                worker.stop()
            connection.close()
