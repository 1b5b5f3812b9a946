"""Shared fixtures for the guide parser tests (plain Python: no database, no Django settings)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from guide.parsing.parser import parse_text
from guide.parsing.readers import ExtractedDocument, extract_document
from guide.parsing.types import ParsedGuide
from tests.factories.guide_docs import write_guide_docx, write_guide_pdf

# Hypothesis caches what it learns (character tables, constants) in .hypothesis/ of the working
# directory; the fuzz tests write nothing to the project tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "prescreen-hypothesis")

GUIDE_2022 = Path(__file__).resolve().parents[3] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"


@pytest.fixture(scope="session")
def guide_2022_text() -> str:
    return GUIDE_2022.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def guide_2022(guide_2022_text: str) -> ParsedGuide:
    return parse_text(guide_2022_text)


@pytest.fixture(scope="session")
def guide_2022_pdf(tmp_path_factory: pytest.TempPathFactory, guide_2022_text: str) -> Path:
    return write_guide_pdf(guide_2022_text, tmp_path_factory.mktemp("pdf") / "guide-2022.pdf")


@pytest.fixture(scope="session")
def guide_2022_docx(tmp_path_factory: pytest.TempPathFactory, guide_2022_text: str) -> Path:
    return write_guide_docx(
        guide_2022_text,
        tmp_path_factory.mktemp("docx") / "guide-2022.docx",
        table_rows=[["联系人", "电话"], ["张三", "010-12345678"]],
    )


@pytest.fixture(scope="session")
def guide_2022_pdf_document(guide_2022_pdf: Path) -> ExtractedDocument:
    """The PDF is extracted once per session (the slowest step of the suite)."""
    return extract_document(guide_2022_pdf)
