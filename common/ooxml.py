"""Finding a Word document's main part the way Office does: through the package's relationships,
not by a fixed name. Pure (no Django); used by the draft reader and the guide reader alike.

A DOCX is an OPC package: ``_rels/.rels`` names the main document part (relationship type
*officeDocument*) and ``[Content_Types].xml`` gives its type. Word writes ``word/document.xml``,
but other producers may not (``word/document2.xml``, ``/word/main.xml`` …)."""

from __future__ import annotations

import posixpath
import zipfile

from defusedxml.ElementTree import fromstring

__all__ = ["WORD_MAIN_TYPES", "word_main_part"]

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
