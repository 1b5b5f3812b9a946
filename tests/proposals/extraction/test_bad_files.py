"""Every kind of upload that must be refused, with a stable error code."""

import io
import zipfile

import pytest

from proposals.docgen import build_pdf
from proposals.extraction import ExtractionError, extract
from proposals.extraction.sniff import ZipLimits, check_zip, sniff
from tests.factories.proposal_docs import (
    PAGE_BREAK,
    PNG_BYTES,
    image_only_pdf,
    make_docx,
    make_pdf,
    many_pages_pdf,
    sample_proposal,
    zip_bomb_docx,
    zip_with_many_members,
    zip_without_document,
)


def error_code(data: bytes, **kwargs) -> str:
    with pytest.raises(ExtractionError) as info:
        extract(data, **kwargs)
    assert info.value.message  # always a message for people
    return info.value.code


def test_empty():
    assert error_code(b"") == "empty"
    assert error_code(b"  \n") == "empty"


def test_too_large():
    data = build_pdf(None)
    assert error_code(data, max_bytes=len(data) - 1) == "too_large"
    assert extract(data, max_bytes=len(data)).kind == "pdf"


def test_unknown_types():
    assert error_code(PNG_BYTES) == "unknown_type"
    assert error_code("项目名称：纯文本文件\n".encode()) == "unknown_type"
    assert error_code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512) == "unknown_type"  # old .doc


def test_type_comes_from_content():
    assert sniff(build_pdf(None), 10**8) == "pdf"
    assert sniff(make_docx(["x"]), 10**8) == "docx"
    assert sniff(b"\n\n%PDF-1.7 junk before the header is allowed", 10**8) == "pdf"


def test_encrypted_pdf():
    assert error_code(make_pdf(["项目名称：加密"], encrypt="secret")) == "encrypted"


def test_truncated_pdf():
    data = build_pdf(sample_proposal())
    assert error_code(data[: len(data) // 2]) == "broken_pdf"
    assert error_code(data[:200]) == "broken_pdf"


def test_garbage_after_pdf_header():
    assert error_code(b"%PDF-1.4\n" + b"\x00garbage" * 100 + b"\n%%EOF\n") == "broken_pdf"


def test_image_only_pdf():
    assert error_code(image_only_pdf()) == "no_text"
    assert error_code(image_only_pdf(pages=3)) == "no_text"


def test_too_many_pages():
    assert error_code(many_pages_pdf(4), max_pages=3) == "too_many_pages"
    assert extract(many_pages_pdf(3), max_pages=3).pages == 3
    docx = make_docx(["a", PAGE_BREAK, "b", PAGE_BREAK, "c", PAGE_BREAK, "d"])
    assert error_code(docx, max_pages=3) == "too_many_pages"


def test_zip_bomb():
    data = zip_bomb_docx()
    assert len(data) < 50_000  # 5 MB of spaces in a few kilobytes
    assert error_code(data) == "zip_bomb"


def test_zip_bomb_limits_on_sizes():
    data = make_docx(["x" * 2000])
    with pytest.raises(ExtractionError) as info:
        check_zip(data, ZipLimits(max_member_size=1000))
    assert info.value.code == "zip_bomb"
    with pytest.raises(ExtractionError) as info:
        check_zip(data, ZipLimits(max_total_size=1000))
    assert info.value.code == "zip_bomb"


def test_zip_without_document_xml():
    assert error_code(zip_without_document()) == "not_docx"


def test_too_many_members():
    assert error_code(zip_with_many_members(1000)) == "too_many_members"
    assert extract(zip_with_many_members(990)).kind == "docx"


def test_broken_zip():
    assert error_code(b"PK\x03\x04" + b"\x00" * 100) == "broken_zip"
    docx = make_docx(["项目名称：截断"])
    assert error_code(docx[: len(docx) - 30]) == "broken_zip"


def test_corrupt_member_data():
    docx = bytearray(make_docx(["项目名称：" + "损坏的数据" * 200]))
    start = docx.find(b"word/document.xml") + len("word/document.xml")
    for i in range(start + 10, start + 60):
        docx[i] ^= 0xFF
    assert error_code(bytes(docx)) in ("broken_docx", "broken_zip")


def test_encrypted_zip_member():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/document.xml", "<x/>")
    data = bytearray(out.getvalue())
    # set the "encrypted" flag in the local and central headers
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        pos = data.find(sig)
        flag_at = pos + (6 if sig == b"PK\x03\x04" else 8)
        data[flag_at] |= 0x01
    assert error_code(bytes(data)) == "encrypted"


def test_xml_entity_attacks_are_refused():
    billion_laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    assert error_code(make_docx(document_xml=billion_laughs)) == "broken_docx"
    external = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    assert error_code(make_docx(document_xml=external)) == "broken_docx"


def test_malformed_document_xml():
    assert error_code(make_docx(document_xml="<w:document><unclosed>")) == "broken_docx"
    assert error_code(make_docx(document_xml="<root/>")) == "broken_docx"


def test_docx_without_text():
    assert error_code(make_docx([])) == "no_text"


def test_pdf_with_only_an_owner_password_is_readable():
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = make_pdf(["项目名称：只限制打印"], encrypt=StandardEncryption("", ownerPassword="owner"))
    assert extract(data).proposal.title == "只限制打印"
