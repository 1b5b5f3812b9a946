"""common.runtime: the start-up heap kept out of the collector's scans, in every long-lived process."""

import gc
import runpy
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


def test_a_celery_pool_process_freezes_its_start_up_heap_when_it_starts(unfrozen):
    import config.celery  # noqa: F401  (connects the receiver)

    assert gc.get_freeze_count() == 0
    worker_process_init.send(sender=None)
    assert gc.get_freeze_count() > 0


def test_a_gunicorn_worker_freezes_its_start_up_heap_once_the_app_is_loaded(unfrozen):
    settings = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    settings["post_worker_init"](worker=None)
    assert gc.get_freeze_count() > 0
