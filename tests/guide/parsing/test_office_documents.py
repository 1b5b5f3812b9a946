"""Guides made by an office suite: the committed DOCX/PDF renderings in ``fixtures/guides/office``.

``fixtures/guides/office/build.py`` writes each text guide (2022, 2023) as a DOCX with python-docx, at
三号 16 pt and 小四 12 pt, and LibreOffice turns each DOCX into a PDF.  The first tests prove the PDFs
contain every character of the text and the layout the readers must cope with (direction titles
wrapped onto a second line, a wrapped line starting with "1.2 亿元", a formal-review heading on two
lines, raised superscripts and lowered subscripts, a running header and a "— N —" footer on every
page); the last ones require every document to parse to the same structure as its text version (up to
the spaces next to CJK characters a rendered page cannot give back, see :func:`comparable`), and
without warnings.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import statistics
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from guide.parsing.normalize import (
    CJK_CHARS,
    CJK_PUNCT,
    RE_DIRECTION_HEADING,
    RE_ITEM,
    ends_sentence,
    split_paragraphs,
)
from guide.parsing.readers import parse_file

ROOT = Path(__file__).resolve().parents[3]
GUIDES = ROOT / "fixtures" / "guides"
OFFICE = GUIDES / "office"
YEARS = (2022, 2023)
SIZES = (16, 12)
HEADER_TEXT = "“战略性科技创新合作”重点专项"
RE_FOOTER = re.compile(r"^—(\d{1,3})—$")


def text_version(year: int) -> Path:
    return GUIDES / f"{year}-strategic-cooperation.txt"


def office_document(year: int, size: int, suffix: str) -> Path:
    return OFFICE / f"{year}-strategic-cooperation.{size}pt{suffix}"


# ---------------------------------------------------------------------------
# Layout features of a PDF (also printed by build.py)
# ---------------------------------------------------------------------------


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def base_characters(text: str) -> str:
    """``cm²`` → ``cm2``, ``10⁻⁶`` → ``10-6``, ``NOₓ`` → ``NOx``: the characters a DOCX/PDF carries."""
    out = []
    for char in text:
        decomposition = unicodedata.decomposition(char)
        if decomposition.startswith(("<super>", "<sub>")):
            codes = decomposition.split()[1:]
            out.append("".join(chr(int(code, 16)) for code in codes).replace("\u2212", "-"))
        else:
            out.append(char)
    return "".join(out)


def script_count(text: str, tag: str) -> int:
    return sum(1 for char in text if unicodedata.decomposition(char).startswith(tag))


@functools.cache
def pdf_pages(path: Path) -> tuple[tuple[dict, ...], ...]:
    """Text lines of each page (``extract_text_lines(return_chars=True)``)."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            try:
                pages.append(tuple(page.extract_text_lines(return_chars=True)))
            finally:
                page.close()
    return tuple(pages)


def _is_header(line: dict) -> bool:
    return _compact(line["text"]) == _compact(HEADER_TEXT)


def _footer_number(line: dict) -> int | None:
    match = RE_FOOTER.match(_compact(line["text"]))
    return int(match.group(1)) if match else None


def body_lines(path: Path) -> list[dict]:
    """All lines in reading order without the running header and the page numbers."""
    return [
        line
        for page in pdf_pages(path)
        for line in page
        if not _is_header(line) and _footer_number(line) is None
    ]


def lines_spanned(paragraph: str, lines: list[dict]) -> int | None:
    """How many consecutive lines together read ``paragraph`` (spaces ignored); None when none do."""
    target = _compact(base_characters(paragraph))
    for start, line in enumerate(lines):
        read = _compact(line["text"])
        if not read or not target.startswith(read):
            continue
        end = start
        while len(read) < len(target) and end + 1 < len(lines):
            end += 1
            read += _compact(lines[end]["text"])
            if not target.startswith(read):
                break
        if read == target:
            return end - start + 1
    return None


@dataclasses.dataclass(frozen=True)
class GuideLayout:
    direction_headings: dict[str, str]  # code → heading paragraph
    formal_heading: str
    formal_clauses: list[str]
    superscripts: int  # characters in the text version
    subscripts: int
    characters: str  # the text's characters as a document carries them, without whitespace


@functools.cache
def guide_layout(year: int) -> GuideLayout:
    text = text_version(year).read_text(encoding="utf-8")
    paragraphs = split_paragraphs(text)
    formal = next(
        index
        for index, paragraph in enumerate(paragraphs)
        if index > 2 and "形式审查条件要求" in paragraph and not ends_sentence(paragraph)
    )
    headings = {}
    for paragraph in paragraphs[:formal]:
        match = RE_DIRECTION_HEADING.match(paragraph)
        if match and len(paragraph) <= 80:
            headings[f"{match.group(1)}.{match.group(2)}"] = paragraph
    clauses = [p for p in paragraphs[formal + 1 :] if RE_ITEM.match(p)]
    return GuideLayout(
        headings,
        paragraphs[formal],
        clauses,
        script_count("".join(paragraphs), "<super>"),  # the 2022 file writes them in LaTeX (cm^2)
        script_count("".join(paragraphs), "<sub>"),
        _compact(base_characters("".join(paragraphs))),
    )


def _baseline(char: dict) -> float:
    return float(char["matrix"][5])  # the glyph origin: y of the baseline, upwards


def script_chars(lines: list[dict]) -> tuple[int, int]:
    """(superscripts, subscripts): small characters raised / lowered against the character before them."""
    chars = [char for line in lines for char in line["chars"] if char["text"].strip()]
    by_page: dict[int, list[dict]] = {}
    for char in chars:
        by_page.setdefault(char["page_number"], []).append(char)
    raised = lowered = 0
    for page_chars in by_page.values():
        body_size = statistics.median(float(c["size"]) for c in page_chars)
        for char in page_chars:
            size = float(char["size"])
            if size > 0.75 * body_size:
                continue
            before = [
                other
                for other in page_chars
                if float(other["size"]) > 1.3 * size
                and -1.0 <= char["x0"] - other["x1"] <= size
                and abs(_baseline(other) - _baseline(char)) < float(other["size"])
            ]
            if not before:
                continue
            base = max(before, key=lambda other: other["x1"])
            shift = (_baseline(char) - _baseline(base)) / float(base["size"])
            if shift > 0.15:
                raised += 1
            elif shift < -0.03:
                lowered += 1
    return raised, lowered


def layout_features(path: Path) -> dict:
    """What the rendering of a guide contains that a reader must cope with."""
    year = int(path.name[:4])
    layout = guide_layout(year)
    pages = pdf_pages(path)
    lines = body_lines(path)
    headings = {code: lines_spanned(heading, lines) for code, heading in layout.direction_headings.items()}
    clauses = [lines_spanned(clause, lines) for clause in layout.formal_clauses]
    superscripts, subscripts = script_chars(lines)
    read = Counter(_compact("".join(line["text"] for line in lines)))
    written = Counter(layout.characters)
    return {
        "pages": len(pages),
        "characters_missing": "".join(sorted((written - read).elements())),
        "characters_extra": "".join(sorted((read - written).elements())),
        "pages_with_header": sum(1 for page in pages if any(_is_header(line) for line in page[:2])),
        "footer_numbers_match": [
            [_footer_number(line) for line in page if _footer_number(line) is not None] for page in pages
        ]
        == [[number] for number in range(1, len(pages) + 1)],
        "direction_titles_found": sum(1 for spanned in headings.values() if spanned),
        "direction_titles_wrapped": [code for code, spanned in headings.items() if spanned and spanned > 1],
        "lines_starting_with_budget": sum(
            1 for line in lines if _compact(line["text"]).startswith("1.2亿元")
        ),
        "budget_number_ends_line": sum(1 for line in lines if _compact(line["text"]).endswith("概算1.2")),
        "formal_heading_lines": lines_spanned(layout.formal_heading, lines),
        "formal_clauses_found": sum(1 for spanned in clauses if spanned),
        "formal_clauses_wrapped": sum(1 for spanned in clauses if spanned and spanned > 1),
        "superscript_chars": superscripts,
        "subscript_chars": subscripts,
    }


# ---------------------------------------------------------------------------
# The fixtures contain what they claim
# ---------------------------------------------------------------------------

# Measured on the committed PDFs (build.py prints the same features).  Between the two sizes only the
# line breaks differ: at 16 pt most long direction titles wrap, at 12 pt only the longest.
WRAPPED_2022_16 = "1.2 3.3 4.1 4.2 5.1 5.2 6.4 7.1 8.1 8.2 9.2 9.3 9.4 9.5 10.1 10.4 10.5 10.8"
WRAPPED_2023_16 = "1.2 1.3 3.3 4.1 4.2 5.1 5.2 6.3 6.4 7.1 8.1 8.2 9.2 9.3 9.4 9.5 10.1 10.4 10.5 10.7"
EXPECTED_LAYOUT = {
    (2022, 16): {
        "pages": 43,
        "direction_titles_wrapped": WRAPPED_2022_16.split(),
        "formal_clauses_wrapped": 9,
        "budget_number_ends_line": 0,
        "lines_starting_with_budget": 0,
    },
    (2022, 12): {
        "pages": 25,
        "direction_titles_wrapped": ["9.3", "10.1", "10.4"],
        "formal_clauses_wrapped": 9,
        "budget_number_ends_line": 0,
        "lines_starting_with_budget": 0,
    },
    (2023, 16): {
        "pages": 41,
        "direction_titles_wrapped": WRAPPED_2023_16.split(),
        "formal_clauses_wrapped": 10,
        "budget_number_ends_line": 0,
        "lines_starting_with_budget": 1,  # "国拨经费概算" / "1.2 亿元人民币。项目统一……": not direction 1.2
    },
    (2023, 12): {
        "pages": 24,
        "direction_titles_wrapped": ["6.4", "9.3", "9.5", "10.1", "10.4"],
        "formal_clauses_wrapped": 9,
        "budget_number_ends_line": 1,  # "……国拨经费概算 1.2" / "亿元人民币。……"
        "lines_starting_with_budget": 0,
    },
}


@pytest.mark.parametrize(
    ("year", "size"), list(EXPECTED_LAYOUT), ids=[f"{y}-{s}pt" for y, s in EXPECTED_LAYOUT]
)
def test_office_pdf_contains_the_layout_features_it_is_meant_to_test(year, size):
    layout = guide_layout(year)
    table = EXPECTED_LAYOUT[(year, size)]
    assert layout_features(office_document(year, size, ".pdf")) == {
        "pages": table["pages"],
        "characters_missing": "",
        "characters_extra": "",
        "pages_with_header": table["pages"],
        "footer_numbers_match": True,
        "direction_titles_found": len(layout.direction_headings),
        "direction_titles_wrapped": table["direction_titles_wrapped"],
        "lines_starting_with_budget": table["lines_starting_with_budget"],
        "budget_number_ends_line": table["budget_number_ends_line"],
        "formal_heading_lines": 2,
        "formal_clauses_found": len(layout.formal_clauses),
        "formal_clauses_wrapped": table["formal_clauses_wrapped"],
        "superscript_chars": layout.superscripts,
        "subscript_chars": layout.subscripts,
    }


@pytest.mark.parametrize(
    ("year", "size"), list(EXPECTED_LAYOUT), ids=[f"{y}-{s}pt" for y, s in EXPECTED_LAYOUT]
)
def test_office_docx_carries_scripts_bold_labels_fonts_header_and_page_field(year, size):
    import docx
    from docx.oxml.ns import qn

    layout = guide_layout(year)
    document = docx.Document(office_document(year, size, ".docx"))
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    bold_labels = [
        p.runs[0].text
        for p in document.paragraphs
        if p.runs and p.runs[0].bold and p.runs[0].text.endswith("：")
    ]
    section = document.sections[0]
    footer_xml = section.footer._element.xml
    east_asia = {run._r.rPr.rFonts.get(qn("w:eastAsia")) for run in runs}
    assert {
        "superscript_chars": sum(len(run.text) for run in runs if run.font.superscript),
        "subscript_chars": sum(len(run.text) for run in runs if run.font.subscript),
        "bold_labels": sorted(set(bold_labels)),
        "east_asia_fonts": east_asia,
        "header": section.header.paragraphs[0].text,
        "page_field": " PAGE " in footer_xml and "— " in footer_xml,
        "page_width_mm": round(section.page_width.mm),
        "page_height_mm": round(section.page_height.mm),
    } == {
        "superscript_chars": layout.superscripts,
        "subscript_chars": layout.subscripts,
        "bold_labels": ["其他要求：", "有关说明：", "研究内容：", "考核指标："],
        "east_asia_fonts": {"WenQuanYi Micro Hei"},
        "header": HEADER_TEXT,
        "page_field": True,
        "page_width_mm": 210,
        "page_height_mm": 297,
    }


def test_the_2023_text_has_the_superscripts_and_subscripts_the_renderings_carry():
    layout = guide_layout(2023)
    text = text_version(2023).read_text(encoding="utf-8")
    assert [
        token in text for token in ("cm²", "m³", "1×10⁻⁶ mol/mol ~ 0.1 mol/mol", "NOₓ 排放浓度 ≤ 50 mg/m³")
    ] == [True] * 4
    assert (layout.superscripts > 0, layout.subscripts > 0) == (True, True)


# ---------------------------------------------------------------------------
# Every document parses like its text version
# ---------------------------------------------------------------------------


class Keyed(dict):
    """A collection addressed by key in difference paths: ``directions[1.3]``."""


def _keyed(items) -> Keyed:
    keyed = Keyed()
    for key, value in items:
        unique, count = key, 1
        while unique in keyed:
            count += 1
            unique = f"{key}#{count}"
        keyed[unique] = value
    return keyed


def _value(value):
    return tuple(value) if isinstance(value, list) else value


def structure(parsed) -> dict:
    """The parsed guide as plain data, without sources, warnings or page data."""
    return {
        "year": parsed.year,
        "title": parsed.title,
        "declared_direction_count": parsed.declared_direction_count,
        "total_budget_yuan": parsed.total_budget_yuan,
        "projects_per_direction": _value(parsed.projects_per_direction),
        "eligibility": dataclasses.asdict(parsed.eligibility),
        "areas": _keyed((str(a.number), {"title": a.title, "intro": a.intro}) for a in parsed.areas),
        "directions": _keyed(
            (
                d.code,
                {
                    "area": d.area,
                    "title": d.title,
                    "research_content": d.research_content,
                    "research_items": list(d.research_items),
                    "indicators_text": d.indicators_text,
                    "indicators": [
                        {
                            "text": i.text,
                            "subject": i.subject,
                            "comparator": i.comparator,
                            "value": i.value,
                            "value_max": i.value_max,
                            "unit": i.unit,
                        }
                        for i in d.indicators
                    ],
                    "matching_ratio": d.matching_ratio,
                    "notes": d.notes,
                    "other_requirements": d.other_requirements,
                    "partner_requirements": [
                        {
                            "kind": p.kind,
                            "value": _value(p.value),
                            "strength": p.strength,
                            "counts_regions": p.counts_regions,
                            "text": p.text,
                        }
                        for p in d.partner_requirements
                    ],
                },
            )
            for d in parsed.directions
        ),
        "formal_review": _keyed(
            (c.clause, {"section": c.section, "section_title": c.section_title, "text": c.text})
            for c in parsed.formal_review
        ),
    }


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 90 else text[:87] + "..."


def _show_pair(actual: str, expected: str) -> str:
    """Two long strings shown around their first difference."""
    at = next((i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b), None)
    if at is None:
        at = min(len(actual), len(expected))
    start = max(0, at - 25)

    def window(text: str) -> str:
        return ("…" if start else "") + repr(text[start : at + 35]) + ("…" if len(text) > at + 35 else "")

    return f"{window(actual)} != {window(expected)} (from character {at})"


_SPACE_BY_CJK = re.compile(rf"(?<=[{CJK_CHARS}{CJK_PUNCT}])[ \t]+|[ \t]+(?=[{CJK_CHARS}{CJK_PUNCT}])")


def comparable(text: str) -> str:
    """``text`` without spaces next to a CJK character or CJK punctuation.

    Those spaces cannot be read back from a rendered page: a word processor drops the space where it
    breaks the line (……误差 / ≤ 10%), and between CJK and Latin text it adds a gap of its own (Word's and
    LibreOffice's autospace, about as wide as a space), so "10万圈" and "10 万圈" look the same.  The
    guide's text is not consistent about them either ("提高 20%", "提高20%").  Every other space counts:
    "(vs SHE) 3h" broken after ")" still had a space there, as Latin text only breaks at one.
    """
    return _SPACE_BY_CJK.sub("", text)


def differences(actual, expected, path: str = "") -> list[str]:
    """``path: document value != text value`` for every field that differs; strings are compared and
    shown as :func:`comparable` makes them."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        keyed = isinstance(expected, Keyed)
        found = []
        for key in [*expected, *(k for k in actual if k not in expected)]:
            where = f"{path}[{key}]" if keyed else (f"{path}.{key}" if path else key)
            if key not in actual:
                found.append(f"{where}: missing")
            elif key not in expected:
                found.append(f"{where}: unexpected {_show(actual[key])}")
            else:
                found.extend(differences(actual[key], expected[key], where))
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        found = []
        for index, (left, right) in enumerate(zip(actual, expected, strict=False)):
            found.extend(differences(left, right, f"{path}[{index}]"))
        if len(actual) != len(expected):
            found.append(f"{path}: {len(actual)} items != {len(expected)}")
        return found
    if actual == expected:
        return []
    if isinstance(actual, str) and isinstance(expected, str):
        if comparable(actual) == comparable(expected):
            return []
        left, right = comparable(actual), comparable(expected)
        shown = _show_pair(left, right) if max(len(left), len(right)) > 40 else None
        shown = shown or f"{_show(left)} != {_show(right)}"
        only_spaces = _compact(actual) == _compact(expected)
        return [f"{path}: {shown}{' [whitespace only]' if only_spaces else ''}"]
    return [f"{path}: {_show(actual)} != {_show(expected)}"]


@functools.cache
def parsed_document(path: Path):
    return parse_file(path)


DOCUMENTS = [(year, size, suffix) for year in YEARS for size in SIZES for suffix in (".docx", ".pdf")]
DOCUMENT_IDS = [f"{year}-{size}pt{suffix}" for year, size, suffix in DOCUMENTS]
MAX_SHOWN = 30


@pytest.mark.parametrize(("year", "size", "suffix"), DOCUMENTS, ids=DOCUMENT_IDS)
def test_office_document_parses_to_the_structure_of_its_text_version(year, size, suffix):
    expected = structure(parsed_document(text_version(year)))
    actual = structure(parsed_document(office_document(year, size, suffix)))
    found = differences(actual, expected)
    shown = "\n".join(found[:MAX_SHOWN])
    more = f"\n… and {len(found) - MAX_SHOWN} more" if len(found) > MAX_SHOWN else ""
    assert found == [], f"{len(found)} differences (document != text):\n{shown}{more}"


@pytest.mark.parametrize(("year", "size", "suffix"), DOCUMENTS, ids=DOCUMENT_IDS)
def test_office_document_parses_without_warnings(year, size, suffix):
    parsed = parsed_document(office_document(year, size, suffix))
    warnings = [str(w) for w in parsed.warnings if getattr(w, "severity", "warning") == "warning"]
    assert warnings == []


def test_the_text_versions_parse_without_warnings():
    """The reference the documents are compared with is itself complete."""
    for year in YEARS:
        parsed = parsed_document(text_version(year))
        warnings = [str(w) for w in parsed.warnings if getattr(w, "severity", "warning") == "warning"]
        assert (year, warnings) == (year, [])
