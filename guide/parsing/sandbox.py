"""Read an uploaded guide in the bounded reader (:mod:`common.bounded`), a child process that cannot
take the worker down.

:func:`read_bounded` runs :func:`guide.parsing.readers.parse_file` in a fresh Python process
(``python -m guide.parsing.sandbox``) under :func:`common.bounded.run_bounded`'s memory, CPU and
wall-clock limits: the file goes in on stdin, the parse comes back as JSON
(:func:`guide.parsing.types.to_json`). The child imports only ``guide.parsing``, ``common.bounded``
and the readers' libraries (no Django), so whatever a hostile file does to them ends with the child.
:func:`run_bounded` is the same machinery for any module of this package's kind (``guide.rendering``
draws source pictures with it).

Before the reader sees a file the child checks what :func:`sniff` checks (type by content, zip
bombs) and, for a PDF, counts its pages with PDFium (cheap) so that a PDF of a million pages is
refused before pdfplumber walks its page tree.

Errors are :class:`SandboxError` with a stable ``code`` (see :data:`CODES`) and a one-line
``message`` (the reader's own words where it gave some).
"""

from __future__ import annotations

import re
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from common import bounded
from common.bounded import INTERNAL_MESSAGE, MEMORY_MESSAGE, TIMEOUT_MESSAGE, BoundedError
from common.ooxml import PackageError, ZipLimits, word_main_part
from common.ooxml import check_zip as ooxml_check_zip

__all__ = [
    "CODES",
    "INTERNAL_MESSAGE",
    "MEMORY_MESSAGE",
    "TIMEOUT_MESSAGE",
    "SandboxError",
    "outcome",
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
ZIP_LIMITS = ZipLimits(
    max_members=2000,
    max_member_size=64 * 1024 * 1024,
    max_total_size=100 * 1024 * 1024,  # the reader's own limit (readers.MAX_DOCX_UNCOMPRESSED)
)


class SandboxError(BoundedError):
    """A guide that could not be read: ``code`` is one of :data:`CODES`, ``message`` one line."""


def _as_sandbox_error(exc: BoundedError) -> SandboxError:
    if exc.code in CODES:
        return SandboxError(exc.code, exc.message)
    return SandboxError("internal", f"{INTERNAL_MESSAGE} ({exc.code}: {exc.message})")


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
        archive = ooxml_check_zip(data, ZIP_LIMITS)
    except PackageError as exc:
        if exc.code == "broken":
            raise SandboxError("broken_docx", f"{name} is a broken DOCX/ZIP file ({exc.detail})") from None
        code = "encrypted" if exc.code == "encrypted" else "zip_bomb"
        raise SandboxError(code, f"{name}: {exc.detail}") from None
    # the main part as Office finds it: through the package's relationships (common.ooxml)
    try:
        with archive:
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
    """:func:`common.bounded.run_bounded` with its errors as SandboxError (codes of :data:`CODES`)."""
    try:
        return bounded.run_bounded(module, args, data, memory_bytes=memory_bytes, timeout=timeout)
    except BoundedError as exc:
        raise _as_sandbox_error(exc) from None


def outcome(returncode: int, out: bytes, err: bytes) -> dict:
    """The result of a child that ended with ``returncode``, ``out`` and ``err`` (or SandboxError)."""
    try:
        return bounded.outcome(returncode, out, err)
    except BoundedError as exc:
        raise _as_sandbox_error(exc) from None


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


def _handle(data: bytes, args: list[str]) -> dict:
    max_bytes, name = int(args[0]), safe_name(args[1] if len(args) > 1 else "")
    return _read(data, name, max_bytes)


def main(argv: list[str]) -> int:
    """The child (``python -m guide.parsing.sandbox``): argv as :func:`common.bounded.serve` takes it."""
    return bounded.serve(argv, _handle)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
