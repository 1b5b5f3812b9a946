import re
import zipfile

import pytest

from guide.parsing.errors import GuideParseError, GuideReadError
from guide.parsing.normalize import split_paragraphs
from guide.parsing.parser import parse_text
from guide.parsing.readers import (
    decode_text,
    extract_document,
    looks_garbled,
    parse_file,
    read_document,
    unmapped_text,
)
from guide.parsing.types import to_json
from tests.factories.guide_docs import (
    build_guide_text,
    other_year_spec,
    spec_ratios,
    structure,
    write_blank_pdf,
    write_guide_docx,
    write_guide_pdf,
    write_image_only_pdf,
    write_unmapped_font_pdf,
)


def without_whitespace(value):
    """Layout differences (a line wrapped between '200kW' and '以上') only change whitespace."""
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, list):
        return [without_whitespace(item) for item in value]
    if isinstance(value, dict):
        return {key: without_whitespace(item) for key, item in value.items()}
    return value


# ---------------------------------------------------------------------------
# Text files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_in_any_supported_encoding_parses_the_same(tmp_path, guide_2022_text, guide_2022, encoding):
    path = tmp_path / "guide.txt"
    path.write_bytes(guide_2022_text.encode(encoding))
    assert read_document(path) == "\n\n".join(split_paragraphs(guide_2022_text))
    assert to_json(parse_file(path)) == to_json(guide_2022)


def test_text_reader_reports_the_encoding(tmp_path, guide_2022_text):
    path = tmp_path / "guide.txt"
    path.write_bytes(guide_2022_text.encode("gb18030"))
    document = extract_document(path)
    assert (document.kind, document.encoding, document.warnings) == ("text", "gb18030", [])


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,  # binary garbage
        b"\x00\x01\x02\x03\x04" * 100,
        "中文指南".encode() + b"\xff\xfe\xfa\x80\x81",
        "中文指南".encode("big5") * 50,  # valid GB18030 bytes, nonsense characters
    ],
)
def test_garbage_bytes_are_rejected(tmp_path, data):
    path = tmp_path / "guide.txt"
    path.write_bytes(data)
    with pytest.raises(GuideReadError):
        read_document(path)


def test_garbage_detection_is_not_fooled_by_normal_chinese():
    assert looks_garbled("“战略性科技创新合作”重点专项 2022 年度申报指南：氧浓度 ≥ 25%，μm，±，°C") is False
    assert looks_garbled("\x00\x01\x02abc") is True
    assert decode_text("中文".encode("gb18030")) == ("中文", "gb18030")


@pytest.mark.parametrize("data", [b"", b"   \n\n  \r\n"])
def test_empty_files_are_rejected(tmp_path, data):
    path = tmp_path / "guide.txt"
    path.write_bytes(data)
    with pytest.raises(GuideReadError, match="empty"):
        read_document(path)


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(GuideReadError, match="cannot read"):
        read_document(tmp_path / "missing.txt")


def test_a_text_that_is_not_a_guide_is_a_parse_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要：今天讨论了项目进度。", encoding="utf-8")
    with pytest.raises(GuideParseError, match="not a call guide"):
        parse_file(path)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def test_pdf_reader_extracts_chinese_and_drops_headers_and_page_numbers(guide_2022_pdf_document):
    document = guide_2022_pdf_document
    assert document.kind == "pdf"
    assert document.pages is not None and document.pages > 5
    assert document.warnings == []
    assert "碳捕集利用与封存（CCUS）技术合作" in document.text
    assert "战略性科技创新合作重点专项 申报指南" not in document.text  # the running header
    assert re.search(r"—\s*\d+\s*—", document.text) is None  # the page numbers
    assert re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", document.text) is None


def test_pdf_gives_the_same_structure_as_the_text(guide_2022_pdf_document, guide_2022):
    from_pdf = parse_text(guide_2022_pdf_document.text)
    assert without_whitespace(to_json(from_pdf)) == without_whitespace(to_json(guide_2022))
    # the structured values are identical, not only similar
    assert [(d.code, d.matching_ratio, len(d.indicators)) for d in from_pdf.directions] == [
        (d.code, d.matching_ratio, len(d.indicators)) for d in guide_2022.directions
    ]
    assert from_pdf.eligibility == guide_2022.eligibility
    assert from_pdf.direction("1.3").research_content == guide_2022.direction("1.3").research_content


def test_other_year_pdf_is_parsed_end_to_end_even_with_a_wrong_extension(tmp_path):
    pdf = write_guide_pdf(build_guide_text(other_year_spec()), tmp_path / "guide-2023.pdf")
    disguised = tmp_path / "guide-2023.txt"
    disguised.write_bytes(pdf.read_bytes())
    assert extract_document(disguised).kind == "pdf"
    guide = parse_file(disguised)
    assert (guide.year, len(guide.areas), len(guide.directions), guide.eligibility.max_duration_years) == (
        2023,
        5,
        12,
        4,
    )
    assert [d.matching_ratio for d in guide.directions] == spec_ratios(other_year_spec())
    assert guide.problems == []


def test_pages_without_unicode_map_are_detected():
    assert unmapped_text("(cid:12)(cid:345)(cid:6)(cid:78) 1") is True
    assert unmapped_text("正常的中文文本 (cid:12)") is False
    assert unmapped_text("正常的中文文本") is False


def test_encrypted_pdf_is_rejected(tmp_path):
    path = write_guide_pdf(build_guide_text(other_year_spec()), tmp_path / "secret.pdf", encrypt="secret")
    with pytest.raises(GuideReadError, match="encrypted"):
        read_document(path)


def test_truncated_pdf_is_rejected(tmp_path, guide_2022_pdf):
    path = tmp_path / "truncated.pdf"
    data = guide_2022_pdf.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(GuideReadError, match="truncated"):
        read_document(path)


def test_broken_pdf_is_rejected(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not a pdf body at all\n%%EOF\n")
    with pytest.raises(GuideReadError, match="broken PDF"):
        read_document(path)


def test_pdf_without_any_text_is_rejected(tmp_path):
    with pytest.raises(GuideReadError, match="contains no text"):
        read_document(write_blank_pdf(tmp_path / "blank.pdf"))


def test_image_only_pdf_is_rejected(tmp_path):
    with pytest.raises(GuideReadError, match="no text layer"):
        read_document(write_image_only_pdf(tmp_path / "scan.pdf"))


def test_pdf_whose_font_has_no_unicode_map_is_rejected(tmp_path):
    with pytest.raises(GuideReadError, match="no Unicode map"):
        read_document(write_unmapped_font_pdf(tmp_path / "cid.pdf"))


def test_pdf_with_some_unmapped_pages_reads_the_rest_with_a_warning(tmp_path):
    document = extract_document(write_unmapped_font_pdf(tmp_path / "mixed.pdf", pages=("text", "cid")))
    assert document.text == "readable page"
    assert [(w.code, w.params, w.message) for w in document.warnings] == [
        (
            "pdf_unmapped_font",
            {"pages": 1},
            "1 PDF page(s) use a font without Unicode map: their text is incomplete",
        )
    ]


def test_pdf_extension_without_pdf_content_is_rejected(tmp_path):
    path = tmp_path / "guide.pdf"
    path.write_text("just text", encoding="utf-8")
    with pytest.raises(GuideReadError, match="not a PDF"):
        read_document(path)


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def test_docx_gives_the_same_structure_as_the_text(guide_2022_docx, guide_2022):
    document = extract_document(guide_2022_docx)
    assert document.kind == "docx"
    assert "联系人 | 电话" in document.text  # table rows are read, after the paragraphs
    assert document.text.rstrip().endswith("张三 | 010-12345678")
    assert "战略性科技创新合作重点专项 申报指南" not in document.text  # the page header is not body text
    assert structure(parse_file(guide_2022_docx)) == structure(guide_2022)


def test_docx_whose_text_is_in_text_boxes_reads_as_the_text_once(tmp_path, guide_2022_text, guide_2022):
    boxed = write_guide_docx(guide_2022_text, tmp_path / "boxed.docx", in_text_boxes=7)
    document = extract_document(boxed)
    assert document.text.count("战略性科技创新合作") == guide_2022_text.count(
        "战略性科技创新合作"
    )  # not twice
    assert structure(parse_file(boxed)) == structure(guide_2022)


def test_docx_type_is_decided_by_content(tmp_path, guide_2022_docx):
    disguised = tmp_path / "guide.bin"
    disguised.write_bytes(guide_2022_docx.read_bytes())
    assert extract_document(disguised).kind == "docx"


def test_broken_docx_is_rejected(tmp_path, guide_2022_docx):
    path = tmp_path / "broken.docx"
    data = guide_2022_docx.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(GuideReadError, match="broken DOCX"):
        read_document(path)


def test_zip_without_document_is_not_a_docx(tmp_path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(GuideReadError, match="not a DOCX"):
        read_document(path)


def test_docx_extension_without_zip_content_is_rejected(tmp_path):
    path = tmp_path / "guide.docx"
    path.write_text("plain text", encoding="utf-8")
    with pytest.raises(GuideReadError, match="not a DOCX"):
        read_document(path)


def test_docx_without_text_is_rejected(tmp_path):
    with pytest.raises(GuideReadError, match="without text"):
        read_document(write_guide_docx("", tmp_path / "empty.docx", header=None))


def test_legacy_doc_is_rejected(tmp_path):
    path = tmp_path / "guide.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(GuideReadError, match="legacy"):
        read_document(path)
