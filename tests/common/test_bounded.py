"""The bounded reader (common.bounded): real child processes under real limits."""

from __future__ import annotations

import signal
import subprocess

import pytest

from common import bounded
from common.bounded import (
    INTERNAL_MESSAGE,
    MEMORY_MESSAGE,
    TIMEOUT_MESSAGE,
    BoundedError,
    outcome,
    run_bounded,
)

CHILD = "tests.common.bounded_child"
MEMORY = 512 * 1024 * 1024


def run(*args: str, data: bytes = b"", timeout: float = 30, memory: int = MEMORY) -> dict:
    return run_bounded(CHILD, list(args), data, memory_bytes=memory, timeout=timeout)


def error_of(*args: str, **kwargs) -> BoundedError:
    with pytest.raises(BoundedError) as info:
        run(*args, **kwargs)
    return info.value


def test_the_handler_gets_the_data_and_its_arguments_without_django():
    assert run("echo", "a", "b", data=b"x" * 70_000) == {
        "length": 70_000,
        "args": ["a", "b"],
        "django": False,
    }


def test_an_error_with_a_code_is_answered_with_its_code_and_message():
    error = error_of("refuse")
    assert (error.code, error.message) == ("not_pdf", "x.pdf is not a PDF")


def test_a_bug_in_the_child_is_internal_with_its_last_line():
    error = error_of("bug")
    assert (error.code, error.message) == ("internal", f"{INTERNAL_MESSAGE} (KeyError: 'x')")


def test_memory_past_the_limit_is_too_complex():
    error = error_of("memory")
    assert (error.code, error.message) == ("too_complex", MEMORY_MESSAGE)


def test_recursion_without_end_is_too_complex():
    assert error_of("deep").code == "too_complex"


def test_a_child_past_the_wall_clock_timeout_is_killed():
    error = error_of("sleep", "30", timeout=1)
    assert (error.code, error.message) == ("timeout", TIMEOUT_MESSAGE)


def test_a_signal_is_too_complex_and_the_cpu_limit_a_timeout():
    with pytest.raises(BoundedError) as info:
        outcome(-signal.SIGSEGV, b"", b"")
    assert info.value.code == "too_complex"
    with pytest.raises(BoundedError) as info:
        outcome(-signal.SIGXCPU, b"", b"")
    assert info.value.code == "timeout"


def test_an_answer_without_result_or_code_is_internal():
    with pytest.raises(BoundedError) as info:
        outcome(0, b'{"ok": false}', b"")
    assert (info.value.code, info.value.message) == ("internal", f"{INTERNAL_MESSAGE} (unexpected answer)")
    with pytest.raises(BoundedError) as info:
        outcome(0, b"not json", b"")
    assert info.value.code == "internal"


class Interrupted(Exception):
    """Stands for Celery's SoftTimeLimitExceeded, raised in the parent while it waits."""


def test_parent_interrupted_while_waiting_kills_the_child(monkeypatch):
    children: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        children.append(real_popen(*args, **kwargs))
        return children[-1]

    def interrupt(signum, frame):
        raise Interrupted()

    monkeypatch.setattr(bounded.subprocess, "Popen", recording_popen)
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(Interrupted):
            run("spin", timeout=60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert len(children) == 1
    assert children[0].returncode == -signal.SIGKILL  # killed and reaped, not left running
