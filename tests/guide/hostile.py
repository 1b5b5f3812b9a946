"""Builders of hostile guide files (plain Python): PDFs with huge or looping page trees, recursive
forms, DOCX zip bombs (honest and lying headers). Each is small on disk whatever it claims."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.proposals.extraction.hostile import stream

MB = 1024 * 1024
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; object 1 is the catalogue) with a correct xref."""
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


def many_pages_pdf(count: int) -> bytes:
    """``count`` distinct empty pages."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    return pdf_of(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)]
        + [page] * count
    )


def shared_page_pdf(count: int) -> bytes:
    """One page object listed ``count`` times in the page tree (a million pages in 6 MB)."""
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b"3 0 R " * count + b"] /Count %d >>" % count,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def looping_page_tree_pdf() -> bytes:
    """A page tree whose root lists itself among its kids (an endless walk for a naive reader)."""
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(b"BT /F1 12 Tf 72 760 Td (hello) Tj ET"),
            FONT,
        ]
    )


def recursive_form_pdf() -> bytes:
    """A page that draws a form XObject which draws itself (endless recursion for a naive renderer)."""
    resources = b"/Resources << /XObject << /X1 5 0 R >> /Font << /F1 6 0 R >> >>"
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R " + resources + b" >>",
            stream(b"BT /F1 12 Tf 72 760 Td (hello) Tj ET /X1 Do"),
            stream(
                b"BT /F1 12 Tf 72 700 Td (again) Tj ET /X1 Do",
                extra=b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] " + resources,
            ),
            FONT,
        ]
    )


def broken_pdf() -> bytes:
    """A PDF header, a catalogue pointing nowhere, no xref, an end marker."""
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> garbage\n%%EOF\n"


def zip_bomb_docx(inflated: int) -> bytes:
    """A DOCX whose document.xml inflates to ``inflated`` bytes of spaces (honest headers)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as fh:
            chunk = b" " * MB
            for _ in range(inflated // MB):
                fh.write(chunk)
    return out.getvalue()


def lying_zip_bomb_docx(inflated: int) -> bytes:
    """A real DOCX whose document.xml is replaced by ``inflated`` bytes of spaces, its headers
    (local and central) patched to declare 1 KB: only inflating it gives it away."""
    from tests.factories.proposal_docs import make_docx

    source = zipfile.ZipFile(io.BytesIO(make_docx(["项目名称：无"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open("word/document.xml", "w") as fh:
            chunk = b" " * MB
            for _ in range(inflated // MB):
                fh.write(chunk)
    data = bytearray(out.getvalue())
    name = b"word/document.xml"
    crc = struct.pack("<I", zlib.crc32(b" " * 1024))
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            data[local + 14 : local + 18] = crc
            data[local + 22 : local + 26] = struct.pack("<I", 1024)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            data[central + 16 : central + 20] = crc
            data[central + 24 : central + 28] = struct.pack("<I", 1024)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)
