import time

import pytest

from proposals.docgen import build_pdf
from proposals.extraction import ExtractionError, extract
from proposals.extraction import pdf as pdf_module
from proposals.extraction.model import Line, Table, is_page_furniture
from proposals.extraction.pdf import read_pdf
from proposals.interchange import Issue
from tests.factories.proposal_docs import _raw_pdf, garbled_pdf, latin_pdf, many_pages_pdf, sample_proposal


@pytest.fixture
def plumber_calls(monkeypatch):
    calls = []
    original = pdf_module._Reader.read_with_plumber

    def spy(self, index, *args, **kwargs):
        calls.append(index)
        return original(self, index, *args, **kwargs)

    monkeypatch.setattr(pdf_module._Reader, "read_with_plumber", spy)
    return calls


def test_table_finder_runs_only_on_pages_with_rules(plumber_calls):
    doc = read_pdf(latin_pdf(with_table=False))
    assert plumber_calls == []
    assert doc.blocks == [Line("Title: Hydrogen materials cooperation", 1)]

    doc = read_pdf(latin_pdf(with_table=True))
    assert plumber_calls == [0]
    assert doc.blocks == [
        Line("Title: Hydrogen materials cooperation", 1),
        Table([["Name", "Country"], ["Fraunhofer", "DE"]], 1),
    ]


def test_text_pages_are_fast(plumber_calls):
    data = many_pages_pdf(150)
    start = time.perf_counter()
    doc = read_pdf(data)
    elapsed = time.perf_counter() - start
    assert doc.pages == 150
    assert len(doc.blocks) == 150
    assert plumber_calls == []
    assert elapsed < 1.5  # ~1 ms a page; pdfplumber would need several seconds


def test_garbled_page_is_flagged_not_returned():
    doc = read_pdf(garbled_pdf())
    assert doc.blocks == [Line("Title: Hydrogen materials cooperation", 1)]
    assert doc.warnings == [
        Issue(
            "",
            "unreadable_page",
            "第 2 页的文字无法识别（乱码），已跳过 / page 2 is unreadable",
            "warning",
            2,
        )
    ]


def test_all_pages_garbled():
    data = _raw_pdf([(b"BT /F1 12 Tf 72 700 Td (Unreadable body text) Tj ET", True)])
    with pytest.raises(ExtractionError) as info:
        extract(data)
    assert info.value.code == "unreadable"


def test_scanned_page_among_text_pages_is_a_warning():
    image = b"q 200 0 0 100 72 500 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
    data = _raw_pdf([(b"BT /F1 12 Tf 72 700 Td (Title: first page) Tj ET", False), (image, False)])
    doc = read_pdf(data)
    assert doc.blocks == [Line("Title: first page", 1)]
    assert [(w.code, w.page) for w in doc.warnings] == [("page_without_text", 2)]


def test_page_numbers_are_dropped():
    page = b"BT /F1 12 Tf 72 760 Td (Body line) Tj ET BT /F1 9 Tf 290 40 Td (- 1 -) Tj ET"
    doc = read_pdf(_raw_pdf([(page, False)]))
    assert doc.blocks == [Line("Body line", 1)]


def test_is_page_furniture():
    for text in ("第 3 页", "第3页 共10页", "- 3 -", "3 / 10", "Page 3 of 10", "12"):
        assert is_page_furniture(text), text
    for text in ("国拨经费：500", "第三章", "2023-01-01", ""):
        assert not is_page_furniture(text), text


def test_template_lines_and_continuations():
    doc = read_pdf(build_pdf(sample_proposal()))
    lines = [b for b in doc.blocks if isinstance(b, Line) and b.page == 3]
    lines = lines[[b.text for b in lines].index("研究内容") :]  # after the 项目骨干 and 课题 tables
    texts = [(b.text[:12], b.continues) for b in lines]
    # research content: two paragraphs of three and two lines; indicators one of two lines
    assert [c for _, c in texts] == [
        False,
        False,
        True,
        True,
        False,
        True,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
    ]
    assert texts[0] == ("研究内容", False)
    assert all(not is_page_furniture(b.text) for b in doc.blocks if isinstance(b, Line))


def test_garbage_detection():
    from proposals.extraction.pdf import _is_garbage

    assert _is_garbage("(cid:12)(cid:13)(cid:14) ab") is True
    assert _is_garbage("\ue000\ue001\ue002 abc") is True
    assert _is_garbage("\ufffd\ufffd\ufffd\ufffd 项目") is True
    assert _is_garbage("项目名称：正常文字 (cid:1)") is False
    assert _is_garbage("是否全职：\uf052是 \uf0a3否") is False  # a few Wingdings check boxes are fine
