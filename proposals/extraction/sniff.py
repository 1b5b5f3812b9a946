"""Decide what an upload is by its content, and reject what must not be opened.

Only PDF and DOCX are accepted. A DOCX is a zip, so before anything reads it
the archive is checked against zip bombs: member count, each member's
declared size, total declared size, and compression ratio.
"""

from __future__ import annotations

import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from common.ooxml import PackageError, ZipLimits, word_main_part
from common.ooxml import check_zip as ooxml_check_zip
from proposals.extraction.model import ExtractionError

__all__ = ["ZipLimits", "check_zip", "docx_main", "sniff"]


DEFAULT_LIMITS = ZipLimits()

# What each refusal of common.ooxml.check_zip is called here, and says to the applicant.
_REFUSALS = {
    "broken": ("broken_zip", "文件已损坏，无法解压 / the archive is damaged"),
    "too_many_members": ("too_many_members", "压缩包内文件过多 / too many files in the archive"),
    "encrypted": ("encrypted", "文档已加密，请去除密码后重新上传 / the document is encrypted"),
    "zip_bomb": ("zip_bomb", "压缩包解压后过大或压缩比异常 / the archive expands to too much data"),
}


def check_zip(data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """Open ``data`` as a zip and enforce ``limits`` (common.ooxml.check_zip); returns the open
    ZipFile. Raises ExtractionError: ``broken_zip``, ``too_many_members``, ``zip_bomb``, ``encrypted``."""
    try:
        return ooxml_check_zip(data, limits)
    except PackageError as exc:
        code, message = _REFUSALS[exc.code]
        raise ExtractionError(code, f"{message}（{exc.detail}）") from exc


def docx_main(zf: zipfile.ZipFile) -> str:
    """The Word package's main document part, found through its relationships and content types as
    Office finds it (common.ooxml), not by a fixed name. Raises ExtractionError ``not_docx`` (a zip
    that is not a Word document) or ``broken_docx`` (unreadable package parts)."""
    try:
        main = word_main_part(zf)
    except (ParseError, DefusedXmlException, ValueError, zipfile.BadZipFile, zlib.error, OSError) as exc:
        raise ExtractionError("broken_docx", f"Word 文档已损坏（{exc}）/ the document is damaged") from exc
    if main is None:
        raise ExtractionError(
            "not_docx", "压缩包不是 Word 文档（没有 Word 正文部件）/ not a Word (.docx) document"
        )
    return main


def sniff(data: bytes, max_bytes: int, limits: ZipLimits = DEFAULT_LIMITS) -> str:
    """Return ``"pdf"`` or ``"docx"`` for ``data``, judged by content (not by file name).

    Raises ExtractionError with code ``empty``, ``too_large``, ``unknown_type``,
    ``not_docx`` (a zip that is not a Word package), or one of :func:`check_zip`'s.
    """
    if not data or not data.strip():
        raise ExtractionError("empty", "文件为空 / the file is empty")
    if len(data) > max_bytes:
        raise ExtractionError(
            "too_large",
            f"文件过大（{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）/ the file is too large",
        )
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        zf = check_zip(data, limits)
        try:
            docx_main(zf)
        finally:
            zf.close()
        return "docx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExtractionError(
            "unknown_type",
            "不支持旧版 Word（.doc）格式，请另存为 .docx 或 PDF / old .doc files are not supported",
        )
    raise ExtractionError(
        "unknown_type", "仅支持 PDF 或 Word（.docx）文件 / only PDF and DOCX files are accepted"
    )
