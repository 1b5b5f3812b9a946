"""common.runtime: the start-up heap kept out of the collector's scans, in every long-lived process."""

import gc
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import worker_process_init

from common.runtime import freeze_startup_heap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


def test_freeze_moves_what_is_alive_to_the_permanent_generation(unfrozen):
    survivor = [[] for _ in range(1000)]
    assert freeze_startup_heap() >= len(survivor)
    scanned = gc.get_objects()  # the collector's generations (the permanent one is not among them)
    assert not any(o is survivor for o in scanned)  # frozen: no longer scanned
    later = [[] for _ in range(10)]
    assert any(o is later for o in gc.get_objects())  # what is made afterwards is collected as usual


@pytest.mark.parametrize(
    ("queues", "niceness"),
    [(["extraction"], 7), (["screening", "celery"], 7), (["checks", "celery", "screening"], 2)],
)
def test_a_celery_pool_process_freezes_its_start_up_heap_when_it_starts(
    unfrozen, monkeypatch, settings, queues, niceness
):
    import config.celery

    asked = []
    monkeypatch.setattr(config.celery, "yield_to_requests", asked.append)  # not this test process
    selected = config.celery.app.amqp.queues
    monkeypatch.setattr(selected, "_consume_from", {name: selected[name] for name in queues})  # as by -Q
    settings.WORKER_NICE, settings.WORKER_NICE_CHECKS = 7, 2
    assert gc.get_freeze_count() == 0
    worker_process_init.send(sender=None)
    assert gc.get_freeze_count() > 0
    # and it yields the CPU to the web: by less in a worker that takes the applicant's checks
    assert asked == [niceness]


def test_the_relay_yields_the_cpu_as_batch_work_does(monkeypatch, settings):
    from django.core.management import call_command

    import common.management.commands.relay as relay

    asked, ran = [], []
    monkeypatch.setattr(relay, "yield_to_requests", asked.append)
    monkeypatch.setattr(relay, "relay_forever", lambda **kwargs: ran.append(kwargs["node"]))
    settings.WORKER_NICE = 9
    call_command("relay", "--node", "n@h")
    assert (asked, ran) == ([9], ["n@h"])


@pytest.mark.parametrize(("niceness", "added"), [(3, 3), (0, 0), (-5, 0)])
def test_yielding_to_requests_lowers_the_process_priority_only(niceness, added):
    """In a child process (a lowered priority cannot be raised again without privileges)."""
    code = f"import os; from common.runtime import yield_to_requests; print(os.nice(0), yield_to_requests({niceness}))"
    before, after = map(
        int, subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True).split()
    )
    assert after == min(before + added, 19)  # 19: the lowest priority there is (CI may run there already)


def test_a_gunicorn_worker_freezes_its_start_up_heap_once_the_app_is_loaded(unfrozen):
    settings = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    settings["post_worker_init"](worker=None)
    assert gc.get_freeze_count() > 0
