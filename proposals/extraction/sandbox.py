"""Read an uploaded draft in the bounded reader (:mod:`common.bounded`), a child process that cannot
take the worker down.

:func:`extract_bounded` runs :func:`proposals.extraction.extract` in a fresh Python process
(``python -m proposals.extraction.sandbox``) under :func:`common.bounded.run_bounded`'s memory, CPU
and wall-clock limits: the file goes in on stdin, a JSON result comes back on stdout. Nothing the
libraries leave behind (PDFium's process-wide state, leaked memory) survives the file that caused
it. A long PDF is read by up to ``workers`` processes: the child and workers it forks, which
inherit its limits, belong to its process group (the timeout kills them with it) and die with it.
The child imports only ``proposals.extraction``, ``proposals.interchange`` and ``common.bounded``
(plain Python, no Django).

Errors (all :class:`~proposals.extraction.model.ExtractionError`): any ``ExtractionError`` raised
in the child, with its code and message, or the bounded reader's ``too_complex``, ``timeout`` and
``internal`` (see :mod:`common.bounded`).
"""

from __future__ import annotations

import os
import sys

from common import bounded
from common.bounded import INTERNAL_MESSAGE, MEMORY_MESSAGE, TIMEOUT_MESSAGE, BoundedError
from proposals.extraction import ExtractionError, ExtractionResult, extract
from proposals.interchange import Issue, parse_proposal, proposal_to_dict

__all__ = [
    "INTERNAL_MESSAGE",
    "MEMORY_MESSAGE",
    "TIMEOUT_MESSAGE",
    "extract_bounded",
    "result_from_dict",
    "result_to_dict",
]


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
    args = [
        str(max_bytes),
        str(max_pages),
        str(workers if workers is not None else min(2, os.cpu_count() or 1)),
    ]
    try:
        result = bounded.run_bounded(
            "proposals.extraction.sandbox", args, data, memory_bytes=memory_bytes, timeout=timeout
        )
    except BoundedError as exc:
        raise ExtractionError(exc.code, exc.message) from None
    return result_from_dict(result)


def _outcome(returncode: int, out: bytes, err: bytes) -> ExtractionResult:
    """The result of a child that ended with ``returncode``, ``out`` and ``err`` (or ExtractionError)."""
    try:
        return result_from_dict(bounded.outcome(returncode, out, err))
    except BoundedError as exc:
        raise ExtractionError(exc.code, exc.message) from None


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


def _handle(data: bytes, args: list[str]) -> dict:
    max_bytes, max_pages, workers = (int(a) for a in args)
    return result_to_dict(extract(data, max_bytes=max_bytes, max_pages=max_pages, workers=workers))


def main(argv: list[str]) -> int:
    """The child (``python -m proposals.extraction.sandbox``): argv as :func:`common.bounded.serve`
    takes it."""
    return bounded.serve(argv, _handle)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
