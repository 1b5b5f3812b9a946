"""Read an uploaded guide in a child process that cannot take the worker down.

:func:`read_bounded` runs :func:`guide.parsing.readers.parse_file` in a fresh Python
process (``python -m guide.parsing.sandbox``): the file goes in on stdin, the parse
comes back on stdout as JSON (:func:`guide.parsing.types.to_json`). The child limits
its own address space (``RLIMIT_AS``) and CPU time before it reads anything and dies
with its parent (``PR_SET_PDEATHSIG``); the parent kills it when the wall-clock timeout
passes. The child imports only ``guide.parsing`` and the readers' libraries (no Django),
so whatever a hostile file does to them (memory, PDFium's process-wide state, a crash
in C code) ends with the child. :func:`run_bounded` is the same machinery for any
module of this package's kind (``guide.rendering`` draws source pictures with it).

Before the reader sees a file the child checks what :func:`sniff` checks (type by
content, zip bombs) and, for a PDF, counts its pages with PDFium (cheap) so that a
PDF of a million pages is refused before pdfplumber walks its page tree.

Errors are :class:`SandboxError` with a stable ``code`` (see :data:`CODES`) and a
one-line ``message`` (the reader's own words where it gave some).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from common.ooxml import word_main_part

__all__ = [
    "CODES",
    "SandboxError",
    "read_bounded",
    "run_bounded",
    "safe_name",
    "sniff",
]

# The codes an error may carry (guide.services.reading gives each its translated headline).
CODES = (
    "empty",
    "too_large",
    "unknown_type",
    "legacy_doc",
    "not_pdf",
    "not_docx",
    "not_text",
    "zip_bomb",
    "encrypted",
    "broken_pdf",
    "broken_docx",
    "scanned",
    "no_unicode",
    "no_text",
    "too_many_pages",
    "not_a_guide",
    "too_complex",
    "timeout",
    "unreadable",
    "internal",
)

PDF_MAGIC = b"%PDF-"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Zip-bomb limits for a DOCX, checked on the archive's directory before anything inflates.
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_MEMBER_SIZE = 64 * 1024 * 1024
ZIP_MAX_TOTAL_SIZE = 100 * 1024 * 1024  # the reader's own limit (readers.MAX_DOCX_UNCOMPRESSED)
ZIP_MAX_RATIO = 100.0
ZIP_RATIO_MIN_SIZE = 256 * 1024

MEMORY_MESSAGE = "reading the file needs more memory than allowed (too complex or damaged)"
TIMEOUT_MESSAGE = "reading the file took too long"
INTERNAL_MESSAGE = "the reader failed"
_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds the ``guide`` package
_STDERR_TAIL = 2000
_CPU_GRACE = 5  # seconds of CPU beyond the wall-clock timeout before the kernel stops the child
_PR_SET_PDEATHSIG = 1


class SandboxError(Exception):
    """A guide that could not be read: ``code`` is one of :data:`CODES`, ``message`` one line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- #
# What a file is (by content), shared by the upload check and the child
# --------------------------------------------------------------------------- #


def safe_name(name: str) -> str:
    """A file name fit for messages and a temporary file: the last path part, without control
    characters; a name over 120 characters is cut to 110 (the suffix kept); "guide" when nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    if len(base) > 120:
        stem, dot, suffix = base.rpartition(".")
        base = f"{stem[: 109 - len(suffix)]}.{suffix}" if dot and len(suffix) <= 8 else base[:120]
    return base or "guide"


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise SandboxError("broken_docx", f"{name} is a broken DOCX/ZIP file ({exc})") from None
    if len(infos) > ZIP_MAX_MEMBERS:
        raise SandboxError("zip_bomb", f"{name} holds {len(infos)} files: more than {ZIP_MAX_MEMBERS}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SandboxError("encrypted", f"{name} is an encrypted DOCX")
        if info.file_size > ZIP_MAX_MEMBER_SIZE:
            raise SandboxError("zip_bomb", f"{name}: {info.filename} unpacks to {info.file_size} bytes")
        total += info.file_size
        if info.file_size >= ZIP_RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > ZIP_MAX_RATIO:
                raise SandboxError(
                    "zip_bomb", f"{name}: {info.filename} is compressed {ratio:.0f}:1 (a zip bomb?)"
                )
    if total > ZIP_MAX_TOTAL_SIZE:
        raise SandboxError("zip_bomb", f"{name} unpacks to more than {ZIP_MAX_TOTAL_SIZE // 2**20} MB")
    # the main part as Office finds it: through the package's relationships (common.ooxml)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = word_main_part(archive)
    except (ParseError, DefusedXmlException, ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SandboxError("broken_docx", f"{name} is a broken DOCX ({exc})") from None
    if main is None:
        raise SandboxError("not_docx", f"{name} is a ZIP archive but not a DOCX (no Word main document)")


def sniff(data: bytes, name: str = "", *, max_bytes: int) -> str:
    """``"pdf"``, ``"docx"`` or ``"text"`` for ``data``, judged by content (the name's suffix only
    decides that a ``.pdf``/``.docx`` without its format's header is refused). Raises SandboxError:
    empty, too_large, legacy_doc, not_pdf, not_docx, not_text, broken_docx, encrypted, zip_bomb."""
    name = safe_name(name)
    if not data or not data.strip():
        raise SandboxError("empty", f"{name} is empty")
    if len(data) > max_bytes:
        raise SandboxError("too_large", f"{name} has {len(data)} bytes: more than {max_bytes}")
    if PDF_MAGIC in data[:1024]:
        return "pdf"
    if data[:4] in ZIP_MAGICS:
        _check_zip(data, name)
        return "docx"
    if data.startswith(OLE_MAGIC):
        raise SandboxError("legacy_doc", f"{name} is a legacy Office (.doc) file: save it as DOCX or PDF")
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        raise SandboxError("not_pdf", f"{name} is not a PDF (no %PDF- header)")
    if suffix == ".docx":
        raise SandboxError("not_docx", f"{name} is not a DOCX (not a ZIP archive)")
    from .errors import GuideReadError
    from .readers import decode_text

    try:
        decode_text(data, name)
    except GuideReadError as exc:
        raise SandboxError("not_text", str(exc)) from None
    return "text"


# --------------------------------------------------------------------------- #
# Parent side
# --------------------------------------------------------------------------- #


def run_bounded(module: str, args: list[str], data: bytes, *, memory_bytes: int, timeout: float) -> dict:
    """Run ``python -m <module> <memory> <cpu seconds> <parent pid> *args`` with ``data`` on stdin and
    return the ``result`` of its JSON answer; raise SandboxError for its error answer, a memory
    failure (too_complex), the timeout (timeout) or anything else (internal).

    Side effects: starts (and always reaps) one child process, killed with its process group when the
    timeout passes or the caller is interrupted (a Celery soft time limit). Safe from a Celery prefork
    child and from several threads at once (no fork of this process's memory, no preexec_fn)."""
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
        raise SandboxError("timeout", TIMEOUT_MESSAGE) from None
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
    """The result of a child that ended with ``returncode``, ``out`` and ``err`` (or SandboxError)."""
    if returncode < 0:
        if -returncode == signal.SIGXCPU:
            raise SandboxError("timeout", TIMEOUT_MESSAGE)
        # under a memory limit, a failed allocation in C code ends in a signal (abort, segfault)
        raise SandboxError("too_complex", MEMORY_MESSAGE)
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
            raise SandboxError("too_complex", MEMORY_MESSAGE)
        raise SandboxError("internal", f"{INTERNAL_MESSAGE} ({last})")
    if payload.get("ok") is True and isinstance(payload.get("result"), dict):
        return payload["result"]
    code, message = payload.get("code"), payload.get("message")
    if code in CODES and isinstance(message, str):
        raise SandboxError(code, message)
    raise SandboxError("internal", f"{INTERNAL_MESSAGE} (unexpected answer)")


def read_bounded(data: bytes, *, name: str, max_bytes: int, memory_bytes: int, timeout: float) -> dict:
    """Parse the guide file ``data`` (named ``name``, for messages) in a bounded child process.

    Returns ``{"kind": "pdf"|"docx"|"text", "guide": to_json(parsed)}``; raises SandboxError.
    A file over ``max_bytes`` is refused without starting a child."""
    if len(data) > max_bytes:
        raise SandboxError("too_large", f"{safe_name(name)} has {len(data)} bytes: more than {max_bytes}")
    return run_bounded(
        "guide.parsing.sandbox",
        [str(max_bytes), safe_name(name)],
        data,
        memory_bytes=memory_bytes,
        timeout=timeout,
    )


# --------------------------------------------------------------------------- #
# Child side
# --------------------------------------------------------------------------- #


def limit_self(memory_bytes: int, cpu_seconds: int, parent: int) -> None:
    """Limits the child sets on itself before it reads the file (no preexec_fn: forking with a
    Python callback is unsafe in a threaded parent); exits at once if the parent is gone."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        import ctypes

        try:  # die with the parent (a worker killed at its hard time limit)
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(3)
    logging.disable(logging.ERROR)  # the libraries' chatter would only fill the stderr pipe
    warnings.simplefilter("ignore")


def _pdf_page_count(data: bytes, name: str) -> None:
    """Refuse a PDF with more pages than the reader takes, or one that needs a password, using
    PDFium (it counts pages without walking them). A PDF PDFium cannot open is left to the reader."""
    import pypdfium2 as pdfium

    from .readers import MAX_PDF_PAGES

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise SandboxError("encrypted", f"{name} is an encrypted PDF that needs a password") from None
        return
    try:
        pages = len(document)
    finally:
        document.close()
    if pages > MAX_PDF_PAGES:
        raise SandboxError(
            "too_many_pages", f"{name} has {pages} pages: more than {MAX_PDF_PAGES}, not a call guide"
        )


def _read(data: bytes, name: str, max_bytes: int) -> dict:
    from .errors import GuideParseError, GuideReadError
    from .readers import parse_file
    from .types import to_json

    kind = sniff(data, name, max_bytes=max_bytes)
    if kind == "pdf":
        _pdf_page_count(data, name)
    with tempfile.TemporaryDirectory(prefix="guide-read-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            parsed = parse_file(path)
        except GuideParseError as exc:
            raise SandboxError("not_a_guide", _one_line(exc)) from None
        except GuideReadError as exc:
            raise SandboxError(exc.code, _one_line(exc)) from None
    return {"kind": kind, "guide": to_json(parsed)}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:500] or type(exc).__name__


def answer(payload: dict) -> None:
    sys.stdout.buffer.write(json.dumps(payload, ensure_ascii=True).encode("ascii"))
    sys.stdout.buffer.flush()


def main(argv: list[str]) -> int:
    memory_bytes, cpu_seconds, parent, max_bytes = (int(a) for a in argv[:4])
    name = safe_name(argv[4] if len(argv) > 4 else "")
    limit_self(memory_bytes, cpu_seconds, parent)
    data = sys.stdin.buffer.read(max_bytes + 1)
    try:
        payload = {"ok": True, "result": _read(data, name, max_bytes)}
    except SandboxError as exc:
        payload = {"ok": False, "code": exc.code, "message": exc.message}
    except (MemoryError, RecursionError):
        payload = {"ok": False, "code": "too_complex", "message": MEMORY_MESSAGE}
    answer(payload)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
