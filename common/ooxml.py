"""Office packages (DOCX) as every reader of the app opens them. Pure (no Django); used by the draft
reader, the guide reader and the attachment check alike.

:func:`check_zip` opens a ZIP archive and refuses, from its directory and before anything
inflates, what would be a zip bomb (too many members, a member or the whole too large when
unpacked, a suspicious compression ratio) or an encrypted package. :func:`word_main_part` finds a
Word document's main part the way Office does: through the package's relationships, not by a
fixed name.

A DOCX is an OPC package: ``_rels/.rels`` names the main document part (relationship type
*officeDocument*) and ``[Content_Types].xml`` gives its type. Word writes ``word/document.xml``,
but other producers may not (``word/document2.xml``, ``/word/main.xml`` …)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from defusedxml.ElementTree import fromstring

__all__ = [
    "MC_FALLBACK",
    "W",
    "WORD_MAIN_TYPES",
    "PackageError",
    "ZipLimits",
    "check_zip",
    "text_boxes",
    "word_main_part",
]


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 1000
    max_member_size: int = 50 * 1024 * 1024  # declared uncompressed size of one member
    max_total_size: int = 200 * 1024 * 1024  # sum of declared uncompressed sizes
    max_ratio: float = 100.0  # uncompressed / compressed, per member
    ratio_min_size: int = 256 * 1024  # members smaller than this are not ratio-checked
    max_document_size: int = 16 * 1024 * 1024  # the main document part, inflated (a 300-page draft: ~5 MB)
    max_xml_depth: int = 160  # element nesting in the main part (real documents: under 50)


class PackageError(Exception):
    """An archive refused by :func:`check_zip`. ``code``: ``broken`` (not a readable ZIP),
    ``too_many_members``, ``zip_bomb`` or ``encrypted``; ``detail``: one line in English, for logs
    (each reader says it in its own words); ``member`` and ``size`` where they apply."""

    def __init__(self, code: str, detail: str, *, member: str = "", size: float = 0) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.member = member
        self.size = size


def check_zip(data: bytes, limits: ZipLimits) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP archive and enforce ``limits`` on its directory (nothing is inflated);
    returns the open ZipFile (the caller closes it). Raises PackageError."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise PackageError("broken", str(exc)) from exc
    try:
        if len(infos) > limits.max_members:
            raise PackageError(
                "too_many_members", f"{len(infos)} members, at most {limits.max_members}", size=len(infos)
            )
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise PackageError("encrypted", f"{info.filename} is encrypted", member=info.filename)
            if info.file_size > limits.max_member_size:
                raise PackageError(
                    "zip_bomb", f"{info.filename} unpacks to {info.file_size} bytes", member=info.filename
                )
            total += info.file_size
            if info.file_size >= limits.ratio_min_size:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise PackageError(
                        "zip_bomb",
                        f"{info.filename} is compressed {ratio:.0f}:1",
                        member=info.filename,
                        size=ratio,
                    )
        if total > limits.max_total_size:
            raise PackageError("zip_bomb", f"the archive unpacks to {total} bytes", size=total)
    except PackageError:
        zf.close()
        raise
    return zf


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"  # WordprocessingML's namespace
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",  # ISO strict
)
WORD_MAIN_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    }
)
_MAX_PART = 1024 * 1024  # the two small parts read here: a real one is a few KiB
_DEFAULT_MAIN = "word/document.xml"


def _small_xml(zf: zipfile.ZipFile, name: str):
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        return None
    with zf.open(info) as fh:
        data = fh.read(_MAX_PART + 1)
    if len(data) > _MAX_PART:
        return None
    return fromstring(data, forbid_dtd=True)


def word_main_part(zf: zipfile.ZipFile) -> str | None:
    """The name (in the zip) of the package's Word main document part, or None when the package is
    not a Word document. A package without ``_rels/.rels`` (not valid OPC, yet made by some tools)
    falls back to ``word/document.xml`` when it holds one. Raises the XML parser's errors
    (defusedxml: no DTDs, no entities) for a broken relationships or content-types part."""
    names = set(zf.namelist())
    rels = _small_xml(zf, "_rels/.rels")
    if rels is None:
        return _DEFAULT_MAIN if _DEFAULT_MAIN in names else None
    target = next(
        (
            r.get("Target", "")
            for r in rels.iter(_RELS + "Relationship")
            if r.get("Type") in _OFFICE_DOCUMENT and r.get("TargetMode", "Internal") == "Internal"
        ),
        None,
    )
    if not target:
        return None
    part = posixpath.normpath(target.lstrip("/"))
    if part.startswith("..") or part not in names:
        return None
    types = _small_xml(zf, "[Content_Types].xml")
    if types is None:
        return None
    override = {
        o.get("PartName", "").lstrip("/"): o.get("ContentType", "") for o in types.iter(_TYPES + "Override")
    }
    default = {
        d.get("Extension", "").lower(): d.get("ContentType", "") for d in types.iter(_TYPES + "Default")
    }
    kind = override.get(part) or default.get(posixpath.splitext(part)[1].lstrip(".").lower())
    return part if kind in WORD_MAIN_TYPES else None


def text_boxes(element) -> list:
    """The text boxes (``w:txbxContent``) anchored in ``element`` (a paragraph), outermost only (a
    box inside a box is read with its box), skipping the VML copy Word keeps under ``mc:Fallback``
    for old readers, which repeats the ``mc:Choice`` drawing's text. Works on ElementTree and lxml
    elements alike (the draft reader and the guide reader)."""
    found = []

    def visit(node) -> None:
        for child in node:
            if child.tag == MC_FALLBACK:
                continue
            if child.tag == W + "txbxContent":
                found.append(child)
            else:
                visit(child)

    visit(element)
    return found
