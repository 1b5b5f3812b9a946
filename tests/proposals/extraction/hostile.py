"""Builders for hostile drafts: deflate bombs, over-complex pages, deep nesting, oversized XML.

Each is made by code, small on disk however large it claims to be once read.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib

from tests.factories.proposal_docs import make_docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TITLE = b"BT /F1 12 Tf 72 760 Td (Title: Hydrogen materials cooperation) Tj ET\n"


def pdf_with_streams(contents: list[bytes]) -> bytes:
    """A one-page PDF (Helvetica) whose page content is ``contents`` (raw stream objects: the
    dictionary entries after /Length and the data), in order."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ["
        + b" ".join(b"%d 0 R" % (5 + i) for i in range(len(contents)))
        + b"] /Resources << /Font << /F1 4 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *contents,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, filters: int = 0, extra: bytes = b"") -> bytes:
    """A stream object holding ``data`` compressed ``filters`` times with Flate."""
    for _ in range(filters):
        data = zlib.compress(data, 9)
    names = b" ".join([b"/FlateDecode"] * filters)
    head = b"<< /Length %d" % len(data)
    if filters:
        head += b" /Filter [" + names + b"]"
    return head + extra + b" >>\nstream\n" + data + b"\nendstream"


def deflated_filler(size: int, filler: bytes = b" ") -> bytes:
    """``size`` bytes of ``filler`` deflated in chunks (never held in memory whole)."""
    encoder = zlib.compressobj(9)
    chunk = filler * (1024 * 1024 // len(filler))
    out = [encoder.compress(TITLE)]
    left = size
    while left > 0:
        piece = chunk[: min(left, len(chunk))]
        out.append(encoder.compress(piece))
        left -= len(piece)
    out.append(encoder.flush())
    return b"".join(out)


def deflate_bomb_pdf(inflated: int, filler: bytes = b" ") -> bytes:
    """A PDF whose content stream inflates to ``inflated`` bytes (1 GB fit in about 1 MB)."""
    data = deflated_filler(inflated, filler)
    return pdf_with_streams(
        [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]
    )


def line_flood_pdf(inflated: int) -> bytes:
    """A content stream of ``inflated`` bytes of "0 0 m 1 1 l S": one path object per 14 bytes."""
    return deflate_bomb_pdf(inflated, b"0 0 m 1 1 l S\n")


def double_deflate_bomb_pdf(inflated: int) -> bytes:
    """A content stream deflated twice ([/FlateDecode /FlateDecode]): the outer layer stays small."""
    data = zlib.compress(deflated_filler(inflated), 9)
    return pdf_with_streams(
        [
            b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(data)
            + data
            + b"\nendstream"
        ]
    )


def segments_pdf(segments: int, *, one_path: bool = False) -> bytes:
    """A page with a title and ``segments`` short line segments, each stroked on its own (as
    drawing programs export a grid) or all in ``one_path``."""
    rules = bytearray(b"0.5 w\n")
    for i in range(segments):
        x = 72 + (i % 450)
        y = 100 + (i // 450) % 600
        rules += b"%d %d m %d %d l\n" % (x, y, x + 1, y)
        if not one_path:
            rules += b"S\n"
    if one_path:
        rules += b"S\n"
    return pdf_with_streams([stream(TITLE + bytes(rules), filters=1)])


def text_pdf(text: bytes = TITLE) -> bytes:
    return pdf_with_streams([stream(text, filters=1)])


def zero_page_pdf() -> bytes:
    """A well-formed PDF without pages (PDFium opens it; pypdfium2 then reports PDFium's last error)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def nested_docx(depth: int, wrapper: str = "sdt") -> bytes:
    """A paragraph "x" inside ``depth`` content controls (``<w:sdt><w:sdtContent>``: two levels each)
    or custom XML elements (``<w:customXml>``: one level each)."""
    if wrapper == "sdt":
        opening, closing = "<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>"
    else:
        opening, closing = "<w:customXml>", "</w:customXml>"
    xml = (
        f'<w:document xmlns:w="{W_NS}"><w:body>'
        + opening * depth
        + "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
        + closing * depth
        + "</w:body></w:document>"
    )
    return make_docx(document_xml=xml)


def large_document_docx(size: int) -> bytes:
    """A DOCX whose document.xml is ``size`` bytes of paragraphs of random hex (about 2:1 compressed:
    it passes the compression-ratio check, only its inflated size gives it away)."""
    paragraph_text = 4000
    count = max(1, size // (paragraph_text + 40))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            fh.write(f'<w:document xmlns:w="{W_NS}"><w:body>'.encode())
            for _ in range(count):
                text = os.urandom(paragraph_text // 2).hex()
                fh.write(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode())
            fh.write(b"</w:body></w:document>")
    return out.getvalue()
