"""Property-based tests: the draft extractor cannot be crashed or made slow by a damaged PDF or DOCX.

Inputs start from real drafts the tests make (the project's template as PDF and DOCX, a free-form
draft with a table) and are mutated: bytes flipped, cut, duplicated or inserted, PDF tokens inserted;
for DOCX also the XML of document.xml (tags cut, nested, duplicated, entities, control characters)
and the zip (members dropped, renamed, stored). Each property: an ExtractionResult or an
ExtractionError, never another exception, within a time bounded as a ratio to extracting the
unmutated file (or of parsing the real guide text, when that is longer), measured in the same run.

Budget: derandomized, no example database, 800 examples in all; about 10 s on a 2-core machine.
"""

from __future__ import annotations

import io
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.parsing.parser import parse_text
from proposals.docgen import build_docx, build_pdf
from proposals.extraction import ExtractionError, ExtractionResult, extract
from tests.factories.proposal_docs import latin_pdf, make_docx, make_pdf, sample_proposal

RATIO = 20  # a mutated file is read within 20 times the time of reading the file it came from
GUIDE = Path(__file__).resolve().parents[3] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"

FUZZ = settings(
    deadline=None,  # bounded by RATIO, measured here
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PDF_TOKENS = [
    b"0",
    b"-1",
    b"999999999999",
    b"1e99",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b" R ",
    b"[",
    b"]",
    b"<<",
    b">>",
    b"(",
    b")",
    b"\\",
    b"/Type /Page",
    b"/Kids [3 0 R 3 0 R]",
    b"/Count 99999",
    b"/MediaBox [0 0 0 0]",
    b"/Rotate 45",
    b"/Filter /FlateDecode",
    b"/Encrypt",
    b"%%EOF",
    b"xref",
    b"trailer",
]
XML_TOKENS = [
    "<w:p>",
    "</w:p>",
    "<w:r><w:t>",
    "</w:t></w:r>",
    "<w:tbl><w:tr><w:tc>",
    "</w:tc></w:tr></w:tbl>",
    "<w:sdt><w:sdtContent>" * 20,
    '<w:br w:type="page"/>' * 50,
    '<w:tc><w:tcPr><w:vMerge w:val="continue"/></w:tcPr>',
    "<w:pPr><w:pageBreakBefore/></w:pPr>",
    '<w:pPr><w:sectPr><w:type w:val="nextPage"/></w:sectPr></w:pPr>',
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x1F600;",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>",
    "<![CDATA[项目名称：]]>",
    "项目名称：",
    "国拨经费（万元）：",
    "9" * 400,
    "\x00",
    "\ufffd",
]


def seconds_of(data: bytes) -> tuple[float, object]:
    """(seconds, result or ExtractionError). Warnings are not errors here, as in production."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            outcome: object = extract(data)
        except ExtractionError as exc:
            outcome = exc
    return time.perf_counter() - start, outcome


def best_of_three(data: bytes) -> float:
    return min(seconds_of(data)[0] for _ in range(3))


@pytest.fixture(scope="module")
def guide_seconds() -> float:
    """Parsing the real guide once (the best of three): the floor of every baseline, so that a
    file read in a few milliseconds is not held to a bound that a garbage collection exceeds."""
    text = GUIDE.read_text(encoding="utf-8")
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        parse_text(text)
        timings.append(time.perf_counter() - start)
    return min(timings)


@pytest.fixture(scope="module")
def pdf_sources(guide_seconds) -> list[tuple[bytes, float]]:
    files = [
        build_pdf(sample_proposal()),
        make_pdf(["项目名称：测试", ("table", [["单位名称", "国别"], ["福州大学", "中国"]], True)]),
        latin_pdf(with_table=True),  # hand-written, uncompressed: mutations reach its objects
    ]
    return [(data, max(guide_seconds, best_of_three(data))) for data in files]


@pytest.fixture(scope="module")
def docx_source(guide_seconds) -> tuple[bytes, float]:
    data = build_docx(sample_proposal())
    return data, max(guide_seconds, best_of_three(data))


def assert_bounded(data: bytes, baseline: float) -> None:
    elapsed, outcome = seconds_of(data)
    assert isinstance(outcome, ExtractionResult | ExtractionError), repr(outcome)
    if isinstance(outcome, ExtractionError):
        assert outcome.code and outcome.message
    assert elapsed <= RATIO * baseline, (
        f"{elapsed:.3f}s, {RATIO}x the unmutated file is {RATIO * baseline:.3f}s"
    )


byte_operations = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.floats(0, 1), st.integers(0, 255)),
        st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 64)),
        st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=16)),
        st.tuples(st.just("token"), st.floats(0, 1), st.sampled_from(PDF_TOKENS)),
        st.tuples(st.just("copy"), st.floats(0, 1), st.floats(0, 1), st.integers(1, 256)),
        st.tuples(st.just("truncate"), st.floats(0.5, 1)),
    ),
    min_size=1,
    max_size=6,
)


def mutate_bytes(data: bytes, ops) -> bytes:
    out = bytearray(data)
    for op in ops:
        at = int(op[1] * max(len(out) - 1, 0))
        if op[0] == "set" and out:
            out[at] = op[2]
        elif op[0] == "delete":
            del out[at : at + op[2]]
        elif op[0] in ("insert", "token"):
            out[at:at] = op[2]
        elif op[0] == "copy":
            start = int(op[2] * len(out))
            out[at:at] = out[start : start + op[3]]
        elif op[0] == "truncate":
            del out[at:]
    return bytes(out)


@settings(FUZZ, max_examples=400)
@given(source=st.integers(0, 2), ops=byte_operations)
def test_mutated_pdf_is_read_or_refused_in_bounded_time(pdf_sources, source, ops):
    data, baseline = pdf_sources[source]
    assert_bounded(mutate_bytes(data, ops), baseline)


xml_operations = st.lists(
    st.one_of(
        st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 200)),
        st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(XML_TOKENS)),
        st.tuples(st.just("text"), st.floats(0, 1), st.text(max_size=20)),
        st.tuples(st.just("copy"), st.floats(0, 1), st.floats(0, 1), st.integers(1, 2000)),
    ),
    min_size=1,
    max_size=6,
)


def document_parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rebuild(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def mutate_xml(xml: str, ops) -> str:
    for op in ops:
        at = int(op[1] * len(xml))
        if op[0] == "delete":
            xml = xml[:at] + xml[at + op[2] :]
        elif op[0] in ("insert", "text"):
            xml = xml[:at] + op[2] + xml[at:]
        else:
            start = int(op[2] * len(xml))
            xml = xml[:at] + xml[start : start + op[3]] + xml[at:]
    return xml


@settings(FUZZ, max_examples=300)
@given(ops=xml_operations)
def test_docx_with_mutated_document_xml_is_read_or_refused_in_bounded_time(docx_source, ops):
    data, baseline = docx_source
    parts = document_parts(data)
    xml = mutate_xml(parts["word/document.xml"].decode("utf-8"), ops)
    parts["word/document.xml"] = xml.encode("utf-8", "surrogatepass")
    assert_bounded(rebuild(parts), baseline)


zip_operations = st.lists(
    st.one_of(
        st.tuples(st.just("drop"), st.floats(0, 1)),
        st.tuples(
            st.just("rename"),
            st.floats(0, 1),
            st.sampled_from(["word/document.xml", "x", "../x", "/abs", "word/document.xml/"]),
        ),
        st.tuples(st.just("empty"), st.floats(0, 1)),
        st.tuples(st.just("stored")),
    ),
    min_size=1,
    max_size=3,
)


@settings(FUZZ, max_examples=100)
@given(ops=zip_operations, byte_ops=st.one_of(st.none(), byte_operations))
def test_docx_with_mutated_zip_is_read_or_refused_in_bounded_time(docx_source, ops, byte_ops):
    data, baseline = docx_source
    parts = document_parts(data)
    compression = zipfile.ZIP_DEFLATED
    for op in ops:
        names = list(parts)
        if op[0] == "stored":
            compression = zipfile.ZIP_STORED
            continue
        if not names:
            break
        name = names[min(int(op[1] * len(names)), len(names) - 1)]
        if op[0] == "drop":
            del parts[name]
        elif op[0] == "rename":
            parts[op[2]] = parts.pop(name)
        else:
            parts[name] = b""
    mutated = rebuild(parts, compression) if parts else make_docx([])
    if byte_ops is not None:
        mutated = mutate_bytes(mutated, byte_ops)
    assert_bounded(mutated, baseline)
