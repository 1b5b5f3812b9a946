"""read_bounded: the guide parsed in a child process that limits memory and time; hostile files end
as one coded error, never a crash of the caller or a hang.

Tests that exercise the memory limit use a low one (300 MB) so that they never take the machine down.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from common import bounded
from guide.parsing.readers import parse_file
from guide.parsing.sandbox import (
    INTERNAL_MESSAGE,
    MEMORY_MESSAGE,
    TIMEOUT_MESSAGE,
    SandboxError,
    outcome,
    read_bounded,
    safe_name,
    sniff,
)
from guide.parsing.types import to_json
from tests.factories.guide_docs import write_guide_docx, write_image_only_pdf
from tests.factories.proposal_docs import make_docx, make_pdf
from tests.guide.hostile import (
    MB,
    broken_pdf,
    looping_page_tree_pdf,
    lying_zip_bomb_docx,
    many_pages_pdf,
    recursive_form_pdf,
    shared_page_pdf,
    zip_bomb_docx,
)
from tests.proposals.extraction.hostile import deflate_bomb_pdf, line_flood_pdf, nested_docx

LIMITS = {"max_bytes": 20 * MB, "memory_bytes": 768 * MB, "timeout": 60.0}
GUIDE_2022 = Path(__file__).resolve().parents[3] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"


def bounded_error(data: bytes, name: str = "guide.pdf", **overrides) -> SandboxError:
    with pytest.raises(SandboxError) as info:
        read_bounded(data, name=name, **{**LIMITS, **overrides})
    return info.value


# --------------------------------------------------------------------------- #
# The same parse as in process
# --------------------------------------------------------------------------- #


def test_text_guide_in_the_child_is_the_in_process_parse():
    result = read_bounded(GUIDE_2022.read_bytes(), name=GUIDE_2022.name, **LIMITS)
    assert result == {"kind": "text", "guide": to_json(parse_file(GUIDE_2022))}


def test_docx_guide_in_the_child_is_the_in_process_parse(tmp_path):
    path = write_guide_docx(GUIDE_2022.read_text(encoding="utf-8"), tmp_path / "指南.docx")
    result = read_bounded(path.read_bytes(), name="指南.docx", **LIMITS)
    assert (result["kind"], result["guide"]) == ("docx", to_json(parse_file(path)))
    assert len(result["guide"]["directions"]) == 39


def test_guide_pdf_in_the_child_is_the_in_process_parse(guide_2022_pdf):
    result = read_bounded(guide_2022_pdf.read_bytes(), name="guide-2022.pdf", **LIMITS)
    assert (result["kind"], result["guide"]) == ("pdf", to_json(parse_file(guide_2022_pdf)))


def test_text_that_is_not_a_guide_is_not_a_guide():
    error = bounded_error("一份会议通知。\n\n请各单位按时参加。".encode(), name="通知.txt")
    assert error.code == "not_a_guide"


# --------------------------------------------------------------------------- #
# Type by content (the upload check and the child's first step)
# --------------------------------------------------------------------------- #


def sniff_error(data: bytes, name: str = "x") -> tuple[str, str]:
    with pytest.raises(SandboxError) as info:
        sniff(data, name, max_bytes=1000)
    return info.value.code, info.value.message


def test_sniff_decides_by_content_not_by_name():
    assert sniff(b"%PDF-1.7\n...", "guide.txt", max_bytes=1000) == "pdf"
    assert sniff(make_docx(["x"]), "guide.pdf", max_bytes=10**6) == "docx"
    assert sniff("申报指南".encode("gb18030"), "guide", max_bytes=1000) == "text"


def test_sniff_refusals_each_have_their_code():
    assert sniff_error(b"  \n") == ("empty", "x is empty")
    assert sniff_error(b"a" * 1001) == ("too_large", "x has 1001 bytes: more than 1000")
    assert sniff_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50, "a.doc") == (
        "legacy_doc",
        "a.doc is a legacy Office (.doc) file: save it as DOCX or PDF",
    )
    assert sniff_error(b"just text", "a.pdf") == ("not_pdf", "a.pdf is not a PDF (no %PDF- header)")
    assert sniff_error(b"just text", "a.DOCX") == ("not_docx", "a.DOCX is not a DOCX (not a ZIP archive)")
    assert sniff_error(b"GIF89a\x01\x00\x01\x00\x80\xff\x00\xfe\xfe\xfe\x00\x00\x00" * 10)[0] == "not_text"


def test_sniff_refuses_a_zip_that_is_no_docx():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(SandboxError) as info:
        sniff(out.getvalue(), "a.odt", max_bytes=10**6)
    assert (info.value.code, info.value.message) == (
        "not_docx",
        "a.odt is a ZIP archive but not a DOCX (no Word main document)",
    )


def test_sniff_refuses_a_zip_bomb_before_inflating_it():
    with pytest.raises(SandboxError) as info:
        sniff(zip_bomb_docx(200 * MB), "bomb.docx", max_bytes=20 * MB)
    assert (info.value.code, info.value.message) == (
        "zip_bomb",
        "bomb.docx: word/document.xml unpacks to 209715200 bytes",
    )


def test_sniff_refuses_a_highly_compressed_member_under_the_size_limit():
    with pytest.raises(SandboxError) as info:
        sniff(zip_bomb_docx(32 * MB), "bomb.docx", max_bytes=20 * MB)
    assert info.value.code == "zip_bomb"
    assert info.value.message.startswith("bomb.docx: word/document.xml is compressed ")


def test_safe_name_keeps_the_last_part_without_control_characters():
    assert safe_name("C:\\Users\\x\\指南.pdf") == "指南.pdf"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("a\x00b\nc.txt") == "abc.txt"
    assert safe_name("") == "guide"
    assert safe_name(".hidden") == "hidden"
    long = "长" * 200 + ".docx"
    assert (len(safe_name(long)), safe_name(long)[-5:]) == (110, ".docx")


# --------------------------------------------------------------------------- #
# Hostile files in the child
# --------------------------------------------------------------------------- #


def test_pdf_with_more_pages_than_a_guide_is_refused_before_reading():
    assert (bounded_error(many_pages_pdf(600)).code, bounded_error(many_pages_pdf(600)).message) == (
        "too_many_pages",
        "guide.pdf has 600 pages: more than 500, not a call guide",
    )


def test_pdf_listing_one_page_a_million_times_is_refused_at_once():
    error = bounded_error(shared_page_pdf(1_000_000), timeout=20)
    assert (error.code, error.message) == (
        "too_many_pages",
        "guide.pdf has 1000000 pages: more than 500, not a call guide",
    )


def test_pdf_whose_page_tree_contains_itself_is_broken():
    assert bounded_error(looping_page_tree_pdf(), timeout=20).code == "broken_pdf"


def test_pdf_whose_form_draws_itself_ends_with_an_error():
    # the text layer reads ("hello", "again") but it is no guide; what matters: an answer, in time
    assert bounded_error(recursive_form_pdf(), timeout=20).code == "not_a_guide"


def test_broken_pdf_is_broken():
    assert bounded_error(broken_pdf()).code == "broken_pdf"


def test_encrypted_pdf_is_encrypted():
    error = bounded_error(make_pdf(["项目名称：加密"], encrypt="secret"))
    assert (error.code, error.message) == ("encrypted", "guide.pdf is an encrypted PDF that needs a password")


def test_image_only_pdf_is_scanned(tmp_path):
    assert bounded_error(write_image_only_pdf(tmp_path / "scan.pdf").read_bytes()).code == "scanned"


def test_deflate_bomb_pdf_is_too_complex_under_the_memory_limit():
    error = bounded_error(deflate_bomb_pdf(512 * MB), memory_bytes=300 * MB)
    assert (error.code, error.message) == ("too_complex", MEMORY_MESSAGE)


def test_pdf_of_millions_of_lines_is_too_complex_or_timed_out_never_a_crash():
    error = bounded_error(line_flood_pdf(60 * MB), memory_bytes=300 * MB, timeout=30)
    assert error.code in {"too_complex", "timeout"}  # which limit it meets first depends on the machine


def test_zip_bomb_docx_is_refused_in_the_child():
    assert bounded_error(zip_bomb_docx(200 * MB), name="bomb.docx").code == "zip_bomb"


def test_docx_whose_headers_lie_about_its_size_is_broken():
    assert bounded_error(lying_zip_bomb_docx(300 * MB), name="bomb.docx").code == "broken_docx"


def test_docx_nested_5000_deep_is_broken():
    assert bounded_error(nested_docx(5000), name="deep.docx").code == "broken_docx"


def test_child_past_the_timeout_is_killed():
    error = bounded_error(GUIDE_2022.read_bytes(), name="g.txt", timeout=0.001)
    assert (error.code, error.message) == ("timeout", TIMEOUT_MESSAGE)


def test_too_large_is_refused_without_a_child(monkeypatch):
    monkeypatch.setattr(bounded.subprocess, "Popen", lambda *a, **k: pytest.fail("no child for this"))
    error = bounded_error(b"x" * 11, name="big.txt", max_bytes=10)
    assert (error.code, error.message) == ("too_large", "big.txt has 11 bytes: more than 10")


def test_child_path_imports_no_django():
    code = (
        "import sys; import guide.parsing.sandbox, guide.parsing.readers, guide.rendering; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    ).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- #
# How the child's end is read
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT])
def test_child_killed_by_a_signal_is_too_complex(sig):
    with pytest.raises(SandboxError) as info:
        outcome(-sig, b"", b"")
    assert (info.value.code, info.value.message) == ("too_complex", MEMORY_MESSAGE)


def test_child_over_its_cpu_limit_is_a_timeout():
    with pytest.raises(SandboxError) as info:
        outcome(-signal.SIGXCPU, b"", b"")
    assert info.value.code == "timeout"


def test_memory_error_traceback_is_too_complex():
    with pytest.raises(SandboxError) as info:
        outcome(1, b"", b"Traceback (most recent call last):\n  ...\nMemoryError\n")
    assert info.value.code == "too_complex"


def test_any_other_failure_is_internal_with_the_last_stderr_line():
    with pytest.raises(SandboxError) as info:
        outcome(1, b"", b"Traceback (most recent call last):\n  ...\nKeyError: 'x'\n")
    assert (info.value.code, info.value.message) == ("internal", f"{INTERNAL_MESSAGE} (KeyError: 'x')")
    for out in (b"not json", b'{"ok": false}', b'{"ok": false, "code": "rm -rf", "message": "x"}'):
        with pytest.raises(SandboxError) as info:
            outcome(0, out, b"")
        assert info.value.code == "internal"


def test_an_error_answer_keeps_its_code_and_message():
    with pytest.raises(SandboxError) as info:
        outcome(0, b'{"ok": false, "code": "encrypted", "message": "x.pdf needs a password"}', b"")
    assert (info.value.code, info.value.message) == ("encrypted", "x.pdf needs a password")


@pytest.mark.parametrize(
    "name",
    ["scan.pdf", "my-password-notes.pdf", "encrypted-and-broken-docx-not-a-pdf.pdf", "empty"],
)
def test_the_code_of_a_reading_error_comes_from_the_reader_not_from_the_file_name(tmp_path, name):
    """The same scanned PDF is 'scanned' whatever its name says (the old classifier matched the
    reader's English message, which carries the name: my-password-notes.pdf was 'encrypted')."""
    scanned = write_image_only_pdf(tmp_path / "scan.pdf").read_bytes()
    assert bounded_error(scanned, name=name).code == "scanned"


def test_reader_errors_carry_their_code():
    from guide.parsing.errors import GuideReadError

    assert (GuideReadError("x").code, GuideReadError("x", code="encrypted").code) == (
        "unreadable",
        "encrypted",
    )
