"""extract_bounded: the same result as extract(), in a child process that limits memory and time.

Tests that exercise the memory limit use a low one (300 MB) so that they never take the machine down.
"""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import warnings

import pytest

from proposals.docgen import build_docx, build_pdf
from proposals.extraction import ExtractionError, extract
from proposals.extraction.sandbox import (
    INTERNAL_MESSAGE,
    MEMORY_MESSAGE,
    TIMEOUT_MESSAGE,
    _outcome,
    extract_bounded,
    result_from_dict,
    result_to_dict,
)
from tests.factories.proposal_docs import PAGE_BREAK, make_docx, make_pdf, sample_proposal
from tests.proposals.extraction.hostile import deflate_bomb_pdf, line_flood_pdf, nested_docx

MB = 1024 * 1024
LIMITS = {"max_bytes": 20 * MB, "max_pages": 200, "memory_bytes": 300 * MB, "timeout": 60.0}


def bounded_error(data: bytes, **overrides) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract_bounded(data, **{**LIMITS, **overrides})
    return info.value


@pytest.mark.parametrize("build", [build_pdf, build_docx], ids=["pdf", "docx"])
def test_bounded_result_equals_the_in_process_result(build):
    data = build(sample_proposal())
    assert extract_bounded(data, **LIMITS) == extract(data)


def test_result_survives_the_json_round_trip():
    for data in (build_pdf(sample_proposal()), make_docx(["项目名称：往返", "未知内容"])):
        result = extract(data)
        assert result_from_dict(result_to_dict(result)) == result


def test_extraction_error_in_the_child_keeps_its_code_and_message():
    error = bounded_error(make_pdf(["项目名称：加密"], encrypt="secret"))
    assert (error.code, error.message) == (
        "encrypted",
        "PDF 已加密，请去除打开密码后重新上传 / the PDF is password-protected",
    )
    assert bounded_error(nested_docx(5000)).code == "too_complex"
    assert bounded_error(b"").code == "empty"


def test_too_large_is_refused_without_a_child():
    data = build_pdf(None)
    assert bounded_error(data, max_bytes=len(data) - 1).code == "too_large"
    assert extract_bounded(data, **{**LIMITS, "max_bytes": len(data)}).kind == "pdf"


def test_max_pages_reaches_the_child():
    data = make_docx(["a", PAGE_BREAK, "b"])
    assert bounded_error(data, max_pages=1).code == "too_many_pages"
    assert extract_bounded(data, **{**LIMITS, "max_pages": 2}).pages == 2


def test_child_over_the_memory_limit_is_too_complex():
    # 60 MB of line drawing: within the stream limits, but PDFium's objects for it do not fit in 300 MB
    error = bounded_error(line_flood_pdf(60 * MB))
    assert (error.code, error.message) == ("too_complex", MEMORY_MESSAGE)


def test_deflate_bomb_in_the_child_is_refused_before_it_inflates():
    error = bounded_error(deflate_bomb_pdf(128 * MB))
    assert error.code == "zip_bomb"


def test_child_past_the_timeout_is_killed():
    error = bounded_error(build_pdf(sample_proposal()), timeout=0.001)
    assert (error.code, error.message) == ("timeout", TIMEOUT_MESSAGE)


def test_child_path_imports_no_django():
    code = (
        "import sys; import proposals.extraction.sandbox, proposals.extraction.pdf, proposals.extraction.docx; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _in_daemon(queue) -> None:
    try:
        queue.put(extract_bounded(build_pdf(sample_proposal()), **LIMITS).kind)
    except ExtractionError as exc:  # reported to the test, which fails on it
        queue.put(exc.code)


def test_works_from_a_daemonic_process_like_a_celery_prefork_child():
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_in_daemon, args=(queue,), daemon=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+: fork() in a threaded test run
        worker.start()
    try:
        assert queue.get(timeout=60) == "pdf"
    finally:
        worker.join(10)
    assert worker.exitcode == 0


# --------------------------------------------------------------------------- #
# How the child's end is read
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT])
def test_child_killed_by_a_signal_is_too_complex(sig):
    with pytest.raises(ExtractionError) as info:
        _outcome(-sig, b"", b"")
    assert (info.value.code, info.value.message) == ("too_complex", MEMORY_MESSAGE)


def test_child_over_its_cpu_limit_is_a_timeout():
    with pytest.raises(ExtractionError) as info:
        _outcome(-signal.SIGXCPU, b"", b"")
    assert info.value.code == "timeout"


def test_memory_error_traceback_is_too_complex():
    with pytest.raises(ExtractionError) as info:
        _outcome(1, b"", b"Traceback (most recent call last):\n  ...\nMemoryError\n")
    assert info.value.code == "too_complex"


def test_any_other_failure_is_internal_with_the_last_stderr_line():
    with pytest.raises(ExtractionError) as info:
        _outcome(1, b"", b"Traceback (most recent call last):\n  ...\nKeyError: 'x'\n")
    assert (info.value.code, info.value.message) == ("internal", f"{INTERNAL_MESSAGE} (KeyError: 'x')")
    with pytest.raises(ExtractionError) as info:
        _outcome(0, b"not json", b"")
    assert info.value.code == "internal"
    with pytest.raises(ExtractionError) as info:
        _outcome(0, b'{"ok": false}', b"")
    assert info.value.code == "internal"
