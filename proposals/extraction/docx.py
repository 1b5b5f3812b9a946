"""Read a DOCX draft into the neutral document model.

The main document part (``word/document.xml`` as Word writes it; found through the package's
relationships, common.ooxml) is read from the zip (after the zip-bomb checks) and
parsed with defusedxml (python-docx uses a parser that is not hardened), as a
stream with a cap on its inflated size and on its nesting depth.
Paragraphs and tables come out in document order; the page number counts
explicit page breaks (``<w:br w:type="page"/>``, "page break before",
section breaks), since a DOCX has no rendered pages.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from common.ooxml import MC_FALLBACK, W, text_boxes
from proposals.extraction.model import Document, ExtractionError, Line, Table
from proposals.extraction.sniff import DEFAULT_LIMITS, ZipLimits, check_zip, docx_main
from proposals.extraction.text import clean_text

__all__ = ["read_docx"]

_PAGE_BREAK = "\f"
# Containers whose children are walked as if they were in place.
_TRANSPARENT = {W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins", W + "hyperlink"}
# Not part of the running text of a paragraph.
_SKIP = {W + "del", W + "txbxContent", W + "pPr", W + "rPr", MC_FALLBACK, W + "instrText", W + "fldData"}


def read_docx(data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> Document:
    """Parse a DOCX file. Raises ExtractionError (``broken_docx``, ``not_docx``, ``too_complex``, zip checks).

    ``word/document.xml`` is parsed as a stream: it is inflated piece by piece (never more than
    ``limits.max_document_size`` bytes, whatever its header declares), elements nested deeper than
    ``limits.max_xml_depth`` are refused as they open, and each top-level block of the body is read
    and dropped as soon as it closes, so memory follows the largest block, not the document.
    """
    zf = check_zip(data, limits)
    reader = _Reader()
    try:
        info = zf.getinfo(docx_main(zf))  # the main part, wherever the package's relationships put it
        if info.file_size > limits.max_document_size:
            raise _too_large()
        try:
            with zf.open(info) as fh:
                found_body = _stream_body(_Capped(fh, limits.max_document_size), reader, limits.max_xml_depth)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
            raise ExtractionError(
                "broken_docx", f"Word 文档已损坏（{exc}）/ the document is damaged"
            ) from exc
        except (ParseError, DefusedXmlException, ValueError) as exc:
            raise ExtractionError(
                "broken_docx", f"Word 文档内容无法解析（{exc}）/ document.xml is not valid"
            ) from exc
    finally:
        zf.close()
    if not found_body:
        raise ExtractionError("broken_docx", "Word 文档缺少正文 / document.xml has no body")
    return Document(blocks=reader.blocks, pages=reader.page)


def _too_large() -> ExtractionError:
    return ExtractionError("zip_bomb", "document.xml 解压后过大 / document.xml expands to too much data")


class _Capped(io.RawIOBase):
    """A read-only view of a zip member that refuses to give more than ``limit`` bytes."""

    def __init__(self, fh, limit: int) -> None:
        self.fh = fh
        self.left = limit

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.fh.read(_READ_CHUNK if size is None or size < 0 else min(size, _READ_CHUNK))
        self.left -= len(chunk)
        if self.left < 0:
            raise _too_large()
        return chunk


_READ_CHUNK = 64 * 1024


def _stream_body(source, reader: _Reader, max_depth: int) -> bool:
    """Feed ``<w:body>``'s blocks to ``reader`` one by one; False when there is no body.

    Depth 1 is ``<w:document>``, 2 its children (``<w:body>``), 3 the blocks of the body.
    """
    depth = 0
    body: Element | None = None
    in_body = False
    for event, elem in iterparse(source, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            depth += 1
            if depth > max_depth:
                raise ExtractionError(
                    "too_complex",
                    f"Word 文档结构嵌套过深（超过 {max_depth} 层）/ the document is nested more than {max_depth} levels deep",
                )
            if depth == 2 and body is None and elem.tag == W + "body":
                body, in_body = elem, True
            continue
        depth -= 1
        if depth == 2 and in_body:
            reader.block(elem)
            body.remove(elem)  # read: drop it (the body never holds more than the open block)
        elif depth == 1 and elem is body:
            in_body = False
    return body is not None


class _Reader:
    def __init__(self) -> None:
        self.blocks: list[Line | Table] = []
        self.page = 1

    def block(self, child: Element) -> None:
        if child.tag == W + "p":
            self.paragraph(child)
        elif child.tag == W + "tbl":
            self.table(child)
        elif child.tag in _TRANSPARENT:
            self.walk(child)

    def walk(self, parent: Element) -> None:
        for child in parent:
            self.block(child)

    # -- paragraphs ---------------------------------------------------------

    def paragraph(self, p: Element) -> None:
        ppr = p.find(W + "pPr")
        if ppr is not None and _on(ppr.find(W + "pageBreakBefore")) and self.blocks:
            self.page += 1
        parts = self.runs_text(p).split(_PAGE_BREAK)
        for i, part in enumerate(parts):
            if i:
                self.page += 1
            for line in part.split("\n"):
                text = clean_text(line)
                if text:
                    self.blocks.append(Line(text, self.page))
        for box in text_boxes(p):  # text boxes anchored in the paragraph, read after it
            self.walk(box)
        if ppr is not None:
            sect = ppr.find(W + "sectPr")
            if sect is not None:
                kind = sect.find(W + "type")
                if kind is None or kind.get(W + "val") not in ("continuous",):
                    self.page += 1

    def runs_text(self, elem: Element) -> str:
        """Text of a paragraph; soft line breaks become "\\n", page breaks "\\f"."""
        out: list[str] = []

        def visit(node: Element) -> None:
            for child in node:
                tag = child.tag
                if tag in _SKIP:
                    continue
                if tag == W + "t":
                    out.append(child.text or "")
                elif tag == W + "tab" or tag == W + "ptab":
                    out.append(" ")
                elif tag == W + "br":
                    out.append(_PAGE_BREAK if child.get(W + "type") == "page" else "\n")
                elif tag == W + "cr":
                    out.append("\n")
                elif tag == W + "noBreakHyphen":
                    out.append("-")
                elif tag == W + "p":  # nested paragraph (e.g. inside a content control)
                    out.append("\n")
                    visit(child)
                else:
                    visit(child)

        visit(elem)
        return "".join(out)

    # -- tables -------------------------------------------------------------

    def table(self, tbl: Element) -> None:
        start = self.page
        rows: list[list[str]] = []
        for tr in _children(tbl, W + "tr"):
            row = []
            for tc in _children(tr, W + "tc"):
                tcpr = tc.find(W + "tcPr")
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                if vmerge is not None and vmerge.get(W + "val") in (None, "continue"):
                    row.append("")  # continuation of a vertically merged cell
                    continue
                row.append(self.cell_text(tc))
            rows.append(row)
        if rows:
            self.blocks.append(Table(rows, start))

    def cell_text(self, tc: Element) -> str:
        lines: list[str] = []

        def visit(node: Element) -> None:
            for child in node:
                if child.tag == W + "p":
                    text = self.runs_text(child)
                    if _PAGE_BREAK in text:
                        self.page += text.count(_PAGE_BREAK)
                        text = text.replace(_PAGE_BREAK, "\n")
                    lines.extend(clean_text(part) for part in text.split("\n"))
                elif child.tag == W + "tbl":  # nested table: its cells as lines
                    for tr in _children(child, W + "tr"):
                        for inner in _children(tr, W + "tc"):
                            lines.append(self.cell_text(inner))
                elif child.tag in _TRANSPARENT:
                    visit(child)

        visit(tc)
        return "\n".join(line for line in lines if line)


def _children(parent: Element, tag: str) -> list[Element]:
    """Direct children with ``tag``, looking through content controls and custom XML."""
    out = []
    for child in parent:
        if child.tag == tag:
            out.append(child)
        elif child.tag in _TRANSPARENT:
            out.extend(_children(child, tag))
    return out


def _on(elem: Element | None) -> bool:
    return elem is not None and elem.get(W + "val") not in ("0", "false", "off")
