"""Drafts that once crashed the readers or exhausted the worker, each with its exact outcome.

The files are made by code (tests/proposals/extraction/hostile.py) except four tiny PDFs found by
fuzzing, kept in ``regressions/``: closing pdfplumber used to parse every page and raise.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pdfplumber.page
import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from pdfminer.pdfparser import PDFSyntaxError

from proposals.extraction import ExtractionError, extract
from proposals.extraction import pdf as pdf_module
from proposals.extraction.docx import read_docx
from proposals.extraction.model import Line
from proposals.extraction.pdf import check_streams, read_pdf
from proposals.extraction.sniff import ZipLimits
from proposals.interchange import Issue
from tests.factories.proposal_docs import latin_pdf, make_docx, make_pdf
from tests.proposals.extraction.hostile import (
    deflate_bomb_pdf,
    deflated_filler,
    double_deflate_bomb_pdf,
    large_document_docx,
    nested_docx,
    pdf_with_streams,
    segments_pdf,
    stream,
    text_pdf,
    zero_page_pdf,
)

REGRESSIONS = Path(__file__).parent / "regressions"
TITLE_LINE = Line("Title: Hydrogen materials cooperation", 1)
TITLE_ZH = "面向碳中和的高效电解水制氢关键材料与系统国际合作研究"


def error_of(data: bytes) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract(data)
    return info.value


@pytest.fixture
def plumber_pages(monkeypatch):
    """The page indexes pdfplumber was asked to read."""
    calls: list[int] = []
    original = pdf_module._Reader.read_with_plumber

    def spy(self, index, *args, **kwargs):
        calls.append(index)
        return original(self, index, *args, **kwargs)

    monkeypatch.setattr(pdf_module._Reader, "read_with_plumber", spy)
    return calls


# --------------------------------------------------------------------------- #
# DOCX
# --------------------------------------------------------------------------- #


def test_docx_nested_5000_levels_in_sdt_is_too_complex():
    data = nested_docx(5000)
    assert len(data) < 2000
    error = error_of(data)
    assert (error.code, error.message) == (
        "too_complex",
        "Word 文档结构嵌套过深（超过 160 层）/ the document is nested more than 160 levels deep",
    )


def test_docx_nested_exactly_to_the_depth_limit_is_read():
    # document, body, 155 × customXml, p, r, t: 160 levels
    assert read_docx(nested_docx(155, wrapper="custom")).blocks == [Line("x", 1)]
    assert error_of(nested_docx(156, wrapper="custom")).code == "too_complex"


def test_docx_with_a_17_mb_document_xml_is_refused():
    data = large_document_docx(17 * 1024 * 1024)
    assert len(data) < 12 * 1024 * 1024  # within the upload limit, and 2:1 passes the ratio check
    error = error_of(data)
    assert (error.code, error.message) == (
        "zip_bomb",
        "document.xml 解压后过大 / document.xml expands to too much data",
    )


def test_document_xml_of_exactly_the_limit_is_read():
    data = make_docx(["项目名称：边界"])
    size = len(_document_xml(data))
    assert read_docx(data, ZipLimits(max_document_size=size)).blocks == [Line("项目名称：边界", 1)]
    with pytest.raises(ExtractionError) as info:
        read_docx(data, ZipLimits(max_document_size=size - 1))
    assert info.value.code == "zip_bomb"


def _document_xml(docx: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return zf.read("word/document.xml")


def test_docx_body_after_another_part_of_the_document_is_read():
    xml = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:background><w:p><w:r><w:t>not body</w:t></w:r></w:p></w:background>"
        "<w:body><w:p><w:r><w:t>body</w:t></w:r></w:p></w:body>"
        "<w:after><w:p><w:r><w:t>not body either</w:t></w:r></w:p></w:after></w:document>"
    )
    assert read_docx(make_docx(document_xml=xml)).blocks == [Line("body", 1)]


# --------------------------------------------------------------------------- #
# PDF: deflate bombs
# --------------------------------------------------------------------------- #

BOMB_MESSAGE = (
    "PDF 中的压缩数据解压后异常巨大，已拒绝 / the PDF's compressed content expands to too much data"
)


def test_deflate_bomb_pdf_content_stream_is_refused():
    data = deflate_bomb_pdf(128 * 1024 * 1024)
    assert len(data) < 200_000
    error = error_of(data)
    assert (error.code, error.message) == ("zip_bomb", BOMB_MESSAGE)


def test_double_deflate_bomb_pdf_is_refused():
    data = double_deflate_bomb_pdf(128 * 1024 * 1024)
    assert len(data) < 10_000
    assert error_of(data).code == "zip_bomb"


def test_stream_inflating_to_exactly_the_limit_passes():
    content = deflated_filler(10_000)
    data = pdf_with_streams(
        [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"]
    )
    inflated = 10_000 + len(b"BT /F1 12 Tf 72 760 Td (Title: Hydrogen materials cooperation) Tj ET\n")
    check_streams(data, max_stream=inflated)
    with pytest.raises(ExtractionError) as info:
        check_streams(data, max_stream=inflated - 1)
    assert info.value.code == "zip_bomb"
    with pytest.raises(ExtractionError):
        check_streams(data + data[data.index(b"5 0 obj") :], max_total=2 * inflated - 1)


def test_more_streams_than_the_limit_is_too_complex(monkeypatch):
    data = pdf_with_streams([stream(b"BT ET\n", filters=1) for _ in range(3)])
    monkeypatch.setattr(pdf_module, "MAX_STREAMS", 3)
    check_streams(data)
    monkeypatch.setattr(pdf_module, "MAX_STREAMS", 2)
    with pytest.raises(ExtractionError) as info:
        check_streams(data)
    assert (info.value.code, info.value.message) == (
        "too_complex",
        "PDF 内部结构异常（超过 2 个数据流）/ the PDF holds more than 2 streams",
    )


def test_streams_that_overlap_are_too_complex():
    # 200 stream keywords before one endstream: each would inflate the rest of the file again
    body = zlib.compress(b"BT ET\n" * 1000)
    overlapping = b"".join(b"%d 0 obj << /Filter /FlateDecode >> stream\n" % (100 + i) for i in range(200))
    data = pdf_with_streams(
        [b"<< /Length 1 /Filter /FlateDecode >>\nstream\n" + overlapping + body + b"\nendstream"]
    )
    with pytest.raises(ExtractionError) as info:
        check_streams(data)
    assert (info.value.code, info.value.message) == (
        "too_complex",
        "PDF 内部结构异常（数据流相互重叠）/ the PDF's streams overlap",
    )


def test_image_streams_are_not_counted_as_content():
    content = deflated_filler(100_000, b"\x00")
    image = b"<< /Length %d /Type /XObject /Subtype /Image /Filter /FlateDecode >>\nstream\n" % len(content)
    check_streams(pdf_with_streams([image + content + b"\nendstream"]), max_stream=1000)


# --------------------------------------------------------------------------- #
# PDF: over-complex pages
# --------------------------------------------------------------------------- #


def test_pdf_page_with_60000_line_segments_is_refused_as_too_complex(plumber_pages):
    data = segments_pdf(60_000)
    error = error_of(data)
    assert (error.code, error.message) == (
        "too_complex",
        "PDF 页面内容过于复杂（线条或字符数量异常），无法读取 / the PDF's pages are too complex to read",
    )
    assert plumber_pages == []


def test_pdf_page_with_6000_line_segments_keeps_its_text_and_skips_its_tables(plumber_pages):
    doc = read_pdf(segments_pdf(6000))
    assert doc.blocks == [TITLE_LINE]
    assert doc.warnings == [
        Issue(
            "",
            "page_too_complex",
            "第 1 页线条过多（12000 段），未读取其中的表格 / page 1 draws 12000 line segments: its tables were not read",
            "warning",
            1,
        )
    ]
    assert plumber_pages == []


def test_pdf_page_with_exactly_the_segment_limit_goes_to_the_table_finder(monkeypatch, plumber_pages):
    monkeypatch.setattr(pdf_module, "MAX_PAGE_SEGMENTS", 2000)
    assert read_pdf(segments_pdf(1000)).warnings == []  # 1,000 lines: 2,000 segments (move + line)
    assert plumber_pages == [0]
    assert read_pdf(segments_pdf(1001)).warnings[0].code == "page_too_complex"
    assert plumber_pages == [0]


def test_pdf_page_over_the_character_limit_is_skipped(monkeypatch):
    chars = len("Title: Hydrogen materials cooperation")
    monkeypatch.setattr(pdf_module, "MAX_PAGE_CHARS", chars)
    assert read_pdf(text_pdf()).blocks == [TITLE_LINE]
    monkeypatch.setattr(pdf_module, "MAX_PAGE_CHARS", chars - 1)
    with pytest.raises(ExtractionError) as info:
        read_pdf(text_pdf())
    assert info.value.code == "too_complex"


def test_table_lines_beyond_the_document_budget_are_not_read(monkeypatch, plumber_pages):
    monkeypatch.setattr(pdf_module, "PLUMBER_BUDGET", 10)  # latin_pdf's table: 6 lines, 12 segments
    doc = read_pdf(latin_pdf(with_table=True))
    assert [(w.code, w.page) for w in doc.warnings] == [("page_too_complex", 1)]
    assert doc.blocks[0] == TITLE_LINE
    assert plumber_pages == []


# --------------------------------------------------------------------------- #
# PDF: errors
# --------------------------------------------------------------------------- #


def test_encrypted_then_zero_page_pdfs_in_one_process():
    assert error_of(make_pdf(["项目名称：加密"], encrypt="secret")).code == "encrypted"
    error = error_of(zero_page_pdf())
    assert (error.code, error.message) == ("broken_pdf", "PDF 没有页面 / the PDF has no pages")
    assert error_of(make_pdf(["项目名称：加密"], encrypt="secret")).code == "encrypted"
    assert error_of(b"%PDF-1.4\n" + b"\x00garbage" * 100 + b"\n%%EOF\n").code == "broken_pdf"


@pytest.mark.parametrize(
    ("name", "pages", "warnings", "title", "every_table"),
    [
        (
            "plumber-close-pdfminer-exception.pdf",
            3,
            [("tables_unreadable", 2), ("tables_unreadable", 3)],
            TITLE_ZH,
            [("tables_unreadable", 2), ("tables_unreadable", 3)],
        ),
        # its table names no label: located, not read (reading every table, pdfplumber fails on it)
        ("plumber-close-type-error.pdf", 1, [], None, [("tables_unreadable", 1)]),
        (
            "plumber-close-malformed-pdf.pdf",
            3,
            [("tables_unreadable", 3)],
            TITLE_ZH,
            [("tables_unreadable", 3)],
        ),
        (
            "plumber-close-index-error.pdf",
            3,
            [("tables_unreadable", 3)],
            TITLE_ZH,
            [("tables_unreadable", 3)],
        ),
    ],
)
def test_fuzzed_pdfs_that_crashed_pdfplumber_on_close(name, pages, warnings, title, every_table):
    data = (REGRESSIONS / name).read_bytes()
    result = extract(data)
    assert (result.kind, result.pages, result.proposal.title) == ("pdf", pages, title)
    assert [(w.code, w.page) for w in result.warnings] == warnings
    assert [(w.code, w.page) for w in read_pdf(data).warnings] == every_table


def test_soft_time_limit_in_pdfplumber_goes_through(monkeypatch):
    def soft_limit(self, *args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pdfplumber.page.Page, "find_tables", soft_limit)
    with pytest.raises(SoftTimeLimitExceeded):
        extract(
            make_pdf(["项目名称：测试", ("table", [["姓名", "性别", "证件号码"], ["张三", "男", "X"]], True)])
        )


def test_pdfminer_error_on_a_page_becomes_a_warning(monkeypatch):
    def broken(self, *args, **kwargs):
        raise PDFSyntaxError("damaged content stream")

    monkeypatch.setattr(pdfplumber.page.Page, "find_tables", broken)
    doc = read_pdf(latin_pdf(with_table=True))
    assert doc.blocks == [TITLE_LINE, Line("Name Country", 1), Line("Fraunhofer DE", 1)]  # the table as text
    assert doc.warnings == [
        Issue("", "tables_unreadable", "第 1 页的表格无法读取 / tables on page 1 unreadable", "warning", 1)
    ]
