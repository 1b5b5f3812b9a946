"""Read an uploaded draft in a child process that cannot take the worker down.

:func:`extract_bounded` runs :func:`proposals.extraction.extract` in a fresh
Python process (``python -m proposals.extraction.sandbox``): the file goes in
on stdin, a JSON result comes back on stdout. The child limits its own address
space (``RLIMIT_AS``) and CPU time before it reads anything, and dies with its
parent; the parent kills it when the wall-clock timeout passes. Nothing the
libraries leave behind (PDFium's process-wide state, leaked memory) survives
the file that caused it. A long PDF is read by up to ``workers`` processes: the
child and workers it forks, which inherit its limits (each process is held to
``memory_bytes`` and the CPU limit), belong to its process group (the timeout
kills them with it) and die with it.

``subprocess`` rather than ``multiprocessing``: it works from inside a Celery
prefork child (a daemonic process may not have children of its own), needs no
fork of the worker's memory and starts from a clean interpreter. The child
imports only ``proposals.extraction`` (plain Python, no Django).

Errors (all :class:`~proposals.extraction.model.ExtractionError`):

* any ``ExtractionError`` raised in the child, with its code and message;
* ``too_complex``: the child ran out of memory under the limit (or was killed
  by a signal, which under a memory limit is what a failed allocation in C
  code ends in);
* ``timeout``: the child did not answer within ``timeout`` seconds;
* ``internal``: the child failed in any other way (a bug): its last stderr
  line is in the message.
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
from pathlib import Path

from proposals.extraction import ExtractionError, ExtractionResult, extract
from proposals.extraction.processes import die_with_parent
from proposals.interchange import Issue, parse_proposal, proposal_to_dict

__all__ = [
    "MEMORY_MESSAGE",
    "TIMEOUT_MESSAGE",
    "extract_bounded",
    "result_from_dict",
    "result_to_dict",
]

MEMORY_MESSAGE = (
    "文件解析所需内存超出上限，文件可能过于复杂或已损坏 / reading the file needs more memory than allowed"
)
TIMEOUT_MESSAGE = "读取超时：文件过于复杂 / reading the file took too long"
INTERNAL_MESSAGE = "读取文件时出错 / the file could not be read"
_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds the ``proposals`` package
_STDERR_TAIL = 2000
_CPU_GRACE = 5  # seconds of CPU beyond the wall-clock timeout before the kernel stops the child


# --------------------------------------------------------------------------- #
# Parent side
# --------------------------------------------------------------------------- #


def extract_bounded(
    data: bytes,
    *,
    max_bytes: int,
    max_pages: int,
    memory_bytes: int,
    timeout: float,
    workers: int | None = None,
) -> ExtractionResult:
    """:func:`~proposals.extraction.extract` ``data`` in a child process limited to ``memory_bytes``
    of address space and ``timeout`` seconds of wall-clock time; the same result or ExtractionError.
    ``workers``: processes a long PDF may be read by (default: two, or one on a single core).

    Side effects: starts (and always reaps) one child process, which may fork ``workers - 1``
    more. Safe to call from a Celery prefork worker and from several threads at once.
    """
    if len(data) > max_bytes:  # do not pipe an oversized file to a child only to hear it refused
        extract(data, max_bytes=max_bytes, max_pages=max_pages)  # raises too_large (or empty)
    command = [
        sys.executable,
        "-m",
        "proposals.extraction.sandbox",
        str(max_bytes),
        str(max_pages),
        str(memory_bytes),
        str(max(1, int(timeout) + _CPU_GRACE)),
        str(os.getpid()),
        str(workers if workers is not None else min(2, os.cpu_count() or 1)),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(_ROOT), env.get("PYTHONPATH"))))
    child = subprocess.Popen(  # a fixed command line: this interpreter and this module
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
        raise ExtractionError("timeout", TIMEOUT_MESSAGE) from None
    finally:
        if child.returncode is None:  # timed out, or interrupted (a soft time limit in the worker)
            _kill(child)
    return _outcome(child.returncode, out, err)


def _kill(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.communicate()  # reap it and close the pipes


def _outcome(returncode: int, out: bytes, err: bytes) -> ExtractionResult:
    if returncode < 0:
        if -returncode == signal.SIGXCPU:
            raise ExtractionError("timeout", TIMEOUT_MESSAGE)
        raise ExtractionError("too_complex", MEMORY_MESSAGE)
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
            raise ExtractionError("too_complex", MEMORY_MESSAGE)
        raise ExtractionError("internal", f"{INTERNAL_MESSAGE}（{last}）")
    if payload.get("ok") is True and isinstance(payload.get("result"), dict):
        return result_from_dict(payload["result"])
    code, message = payload.get("code"), payload.get("message")
    if isinstance(code, str) and isinstance(message, str):
        raise ExtractionError(code, message)
    raise ExtractionError("internal", f"{INTERNAL_MESSAGE}（unexpected answer）")


# --------------------------------------------------------------------------- #
# The result as JSON
# --------------------------------------------------------------------------- #


def result_to_dict(result: ExtractionResult) -> dict:
    """An ExtractionResult as JSON-ready data (the proposal in the interchange shape)."""
    return {
        "proposal": proposal_to_dict(result.proposal),
        "found": result.found,
        "warnings": [
            {"path": w.path, "code": w.code, "message": w.message, "severity": w.severity, "page": w.page}
            for w in result.warnings
        ],
        "pages": result.pages,
        "kind": result.kind,
    }


def result_from_dict(obj: dict) -> ExtractionResult:
    """The inverse of :func:`result_to_dict`."""
    proposal, issues = parse_proposal(obj.get("proposal"))
    warnings_ = [
        Issue(w["path"], w["code"], w["message"], w["severity"], w["page"]) for w in obj.get("warnings", [])
    ]
    return ExtractionResult(
        proposal=proposal,
        found=dict(obj.get("found", {})),
        warnings=warnings_ + issues,  # issues: only if the interchange refused a value (never expected)
        pages=int(obj.get("pages", 0)),
        kind=str(obj.get("kind", "")),
    )


# --------------------------------------------------------------------------- #
# Child side
# --------------------------------------------------------------------------- #


def _limit_self(memory_bytes: int, cpu_seconds: int, parent: int) -> None:
    """Limits that the child sets on itself before reading the file (no preexec_fn: forking with a
    Python callback is unsafe in a threaded parent)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    die_with_parent()  # a worker killed at its hard time limit
    if os.getppid() != parent:  # the parent is already gone
        os._exit(3)


def main(argv: list[str]) -> int:
    max_bytes, max_pages, memory_bytes, cpu_seconds, parent, workers = (int(a) for a in argv)
    _limit_self(memory_bytes, cpu_seconds, parent)
    logging.disable(logging.ERROR)  # pdfminer's chatter would only fill the stderr pipe
    warnings.simplefilter("ignore")
    data = sys.stdin.buffer.read(max_bytes + 1)
    try:
        payload = {
            "ok": True,
            "result": result_to_dict(
                extract(data, max_bytes=max_bytes, max_pages=max_pages, workers=workers)
            ),
        }
    except ExtractionError as exc:
        payload = {"ok": False, "code": exc.code, "message": exc.message}
    except MemoryError:
        payload = {"ok": False, "code": "too_complex", "message": MEMORY_MESSAGE}
    sys.stdout.buffer.write(json.dumps(payload).encode("ascii"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
