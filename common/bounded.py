"""The bounded reader: run a pure module on an uploaded file in a child process that cannot take
the caller down. One implementation for every file the app reads (guide files, applicants'
drafts, pictures drawn from a guide's pages). No Django: the child imports only the module it runs.

Parent side, :func:`run_bounded`: starts ``python -m <module> <memory> <cpu seconds> <parent pid>
*args`` with the file on stdin and returns the ``result`` of the JSON answer on its stdout, or
raises :class:`BoundedError` with a stable ``code``:

* the child's own error answer (its code and one-line message);
* ``too_complex``: the child ran out of memory under its limit (a ``MemoryError``, or a signal,
  which under a memory limit is what a failed allocation in C code ends in);
* ``timeout``: no answer within the wall-clock timeout, or the CPU limit reached (``SIGXCPU``);
* ``internal``: anything else (a bug in the child): its last stderr line is in the message.

Child side, :func:`serve`: limits its own address space (``RLIMIT_AS``) and CPU time before it
reads anything, dies with its parent (``PR_SET_PDEATHSIG``), reads the file and answers with what
its handler returns or raises (any exception with ``code`` and ``message`` attributes).

``subprocess`` rather than ``multiprocessing``: it works from inside a Celery prefork child (a
daemonic process may not have children of its own), needs no fork of the caller's memory and no
``preexec_fn`` (unsafe in a threaded parent), and starts from a clean interpreter. The child runs
in its own process group, so the timeout kills whatever it started (a reader's worker processes,
which inherit its limits) with it.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "INTERNAL_MESSAGE",
    "MEMORY_MESSAGE",
    "TIMEOUT_MESSAGE",
    "BoundedError",
    "answer",
    "die_with_parent",
    "limit_self",
    "outcome",
    "run_bounded",
    "serve",
]

MEMORY_MESSAGE = "reading the file needs more memory than allowed (too complex or damaged)"
TIMEOUT_MESSAGE = "reading the file took too long"
INTERNAL_MESSAGE = "the reader failed"

_ROOT = Path(__file__).resolve().parents[1]  # the directory that holds the project's packages
_STDERR_TAIL = 2000
_CPU_GRACE = 5  # seconds of CPU beyond the wall-clock timeout before the kernel stops the child
_PR_SET_PDEATHSIG = 1


class BoundedError(Exception):
    """A file the bounded reader could not read: ``code`` is stable, ``message`` one line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- #
# Parent side
# --------------------------------------------------------------------------- #


def run_bounded(module: str, args: list[str], data: bytes, *, memory_bytes: int, timeout: float) -> dict:
    """Run ``module``'s :func:`serve` in a child process with ``data`` on stdin, limited to
    ``memory_bytes`` of address space (each of its processes) and ``timeout`` seconds of wall-clock
    time; return the ``result`` of its answer or raise :class:`BoundedError`.

    Side effects: starts (and always reaps) one child process, killed with its process group when
    the timeout passes or the caller is interrupted (a Celery soft time limit). Safe from a Celery
    prefork child and from several threads at once."""
    command = [
        sys.executable,
        "-m",
        module,
        str(memory_bytes),
        str(max(1, int(timeout) + _CPU_GRACE)),
        str(os.getpid()),
        *args,
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(_ROOT), env.get("PYTHONPATH"))))
    env.pop("DJANGO_SETTINGS_MODULE", None)  # nothing in the child reads settings
    child = subprocess.Popen(  # a fixed command line: this interpreter and one of our modules
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_ROOT,
        env=env,
        close_fds=True,
        start_new_session=True,  # its own process group: a kill reaches anything it started
    )
    try:
        out, err = child.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BoundedError("timeout", TIMEOUT_MESSAGE) from None
    finally:
        if child.returncode is None:  # timed out, or interrupted while waiting
            _kill(child)
    return outcome(child.returncode, out, err)


def _kill(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.communicate()  # reap it and close the pipes


def outcome(returncode: int, out: bytes, err: bytes) -> dict:
    """The result of a child that ended with ``returncode``, ``out`` and ``err`` (or BoundedError)."""
    if returncode < 0:
        if -returncode == signal.SIGXCPU:
            raise BoundedError("timeout", TIMEOUT_MESSAGE)
        raise BoundedError("too_complex", MEMORY_MESSAGE)
    payload = None
    if returncode == 0:
        try:
            payload = json.loads(out)
        except ValueError:
            payload = None
    if not isinstance(payload, dict):
        tail = err.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
        last = tail.splitlines()[-1] if tail else f"exit status {returncode}"
        if "MemoryError" in last:
            raise BoundedError("too_complex", MEMORY_MESSAGE)
        raise BoundedError("internal", f"{INTERNAL_MESSAGE} ({last})")
    if payload.get("ok") is True and isinstance(payload.get("result"), dict):
        return payload["result"]
    code, message = payload.get("code"), payload.get("message")
    if isinstance(code, str) and code and isinstance(message, str):
        raise BoundedError(code, message)
    raise BoundedError("internal", f"{INTERNAL_MESSAGE} (unexpected answer)")


# --------------------------------------------------------------------------- #
# Child side
# --------------------------------------------------------------------------- #


def die_with_parent() -> None:
    """Have the kernel kill this process (SIGKILL) when the thread that started it ends, as when
    its parent is killed (Linux; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass


def limit_self(memory_bytes: int, cpu_seconds: int, parent: int) -> None:
    """Limits the child sets on itself before it reads the file; exits at once if the parent is
    gone. Silences the libraries' logging and warnings (they would only fill the stderr pipe)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    die_with_parent()  # a worker killed at its hard time limit
    if os.getppid() != parent:
        os._exit(3)
    logging.disable(logging.ERROR)
    warnings.simplefilter("ignore")


def answer(payload: dict) -> None:
    """Write the child's JSON answer to stdout (ASCII: no encoding surprises in the pipe)."""
    sys.stdout.buffer.write(json.dumps(payload, ensure_ascii=True).encode("ascii"))
    sys.stdout.buffer.flush()


def serve(argv: list[str], handler: Callable[[bytes, list[str]], dict]) -> int:
    """The child's main: ``argv`` is ``<memory> <cpu seconds> <parent pid> *args`` as
    :func:`run_bounded` passes it. Sets the limits, reads stdin and answers with
    ``handler(data, args)``; an exception with ``code`` and ``message`` attributes is the error
    answer, running out of memory or stack is ``too_complex``. Anything else escapes (a bug): the
    parent reports it as ``internal`` with the traceback's last line."""
    memory_bytes, cpu_seconds, parent = (int(a) for a in argv[:3])
    limit_self(memory_bytes, cpu_seconds, parent)
    data = sys.stdin.buffer.read()
    try:
        payload = {"ok": True, "result": handler(data, list(argv[3:]))}
    except (MemoryError, RecursionError):
        payload = {"ok": False, "code": "too_complex", "message": MEMORY_MESSAGE}
    except Exception as exc:
        code, message = getattr(exc, "code", None), getattr(exc, "message", None)
        if not (isinstance(code, str) and isinstance(message, str)):
            raise
        payload = {"ok": False, "code": code, "message": message}
    answer(payload)
    return 0
