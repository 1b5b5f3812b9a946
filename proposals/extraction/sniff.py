"""Decide what an upload is by its content, and reject what must not be opened.

Only PDF and DOCX are accepted. A DOCX is a zip, so before anything reads it
the archive is checked against zip bombs: member count, each member's
declared size, total declared size, and compression ratio.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from common.ooxml import word_main_part
from proposals.extraction.model import ExtractionError

__all__ = ["ZipLimits", "check_zip", "docx_main", "sniff"]


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 1000
    max_member_size: int = 50 * 1024 * 1024  # declared uncompressed size of one member
    max_total_size: int = 200 * 1024 * 1024  # sum of declared uncompressed sizes
    max_ratio: float = 100.0  # uncompressed / compressed, per member
    ratio_min_size: int = 256 * 1024  # members smaller than this are not ratio-checked
    max_document_size: int = 16 * 1024 * 1024  # word/document.xml, inflated (a 300-page draft: ~5 MB)
    max_xml_depth: int = 160  # element nesting in document.xml (real documents: under 50)


DEFAULT_LIMITS = ZipLimits()


def check_zip(data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """Open ``data`` as a zip and enforce ``limits``; returns the open ZipFile.

    Raises ExtractionError: ``broken_zip``, ``too_many_members``, ``zip_bomb``, ``encrypted``.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ExtractionError("broken_zip", f"文件已损坏，无法解压（{exc}）/ the archive is damaged") from exc
    if len(infos) > limits.max_members:
        zf.close()
        raise ExtractionError(
            "too_many_members",
            f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_members}）/ too many files in the archive",
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            zf.close()
            raise ExtractionError("encrypted", "文档已加密，请去除密码后重新上传 / the document is encrypted")
        if info.file_size > limits.max_member_size:
            zf.close()
            raise ExtractionError(
                "zip_bomb", f"压缩包内文件 {info.filename} 过大 / a member of the archive is too large"
            )
        total += info.file_size
        if info.file_size >= limits.ratio_min_size:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                zf.close()
                raise ExtractionError(
                    "zip_bomb",
                    f"压缩包内文件 {info.filename} 压缩比异常（{ratio:.0f}:1）/ suspicious compression ratio",
                )
    if total > limits.max_total_size:
        zf.close()
        raise ExtractionError("zip_bomb", "压缩包解压后过大 / the archive expands to too much data")
    return zf


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
