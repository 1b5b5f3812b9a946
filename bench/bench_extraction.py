"""Draft extraction, timed against pdfplumber's plain text pass over the same PDF.

    python bench/bench_extraction.py

Builds a ~20-page draft from the project's own template (docgen), then times the
whole structured extraction of the PDF and of the DOCX, beside pdfplumber's plain
`extract_text()` over every page of the same PDF, measured in the same run.
"""

import dataclasses
import io
import time

import _setup  # noqa: F401
import pdfplumber

from proposals.docgen import build_docx, build_pdf
from proposals.extraction import extract
from proposals.extraction.sandbox import extract_bounded
from tests.factories.proposal_docs import sample_proposal


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def draft(pages: int = 20):
    p = sample_proposal()
    paragraph = p.research_content
    content = "\n".join(f"（{n}）{paragraph}" for n in range(1, 8 * pages))
    return dataclasses.replace(p, research_content=content)


def main() -> None:
    p = draft()
    pdf = build_pdf(p)
    docx = build_docx(p)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        n_pages = len(doc.pages)

    def plain():
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            for page in doc.pages:
                page.extract_text()
                page.close()

    base = best(plain, 3)
    t_pdf = best(lambda: extract(pdf))
    t_docx = best(lambda: extract(docx))
    limits = {
        "max_bytes": 20 * 1024 * 1024,
        "max_pages": 200,
        "memory_bytes": 768 * 1024 * 1024,
        "timeout": 60,
    }
    t_pdf_bounded = best(lambda: extract_bounded(pdf, **limits))
    t_docx_bounded = best(lambda: extract_bounded(docx, **limits))
    result = extract(pdf)
    print(
        f"draft: {n_pages} pages PDF ({len(pdf) // 1024} KiB), DOCX {len(docx) // 1024} KiB; "
        f"fields found from the PDF: {sum(1 for v in result.found.values() if v)}"
    )
    print(f"baseline  pdfplumber extract_text, all pages: {base * 1000:8.1f} ms")
    print(
        f"structured extraction from the PDF:          {t_pdf * 1000:8.1f} ms  ({t_pdf / base:.2f}x baseline)"
    )
    print(
        f"structured extraction from the DOCX:         {t_docx * 1000:8.1f} ms  ({t_docx / base:.2f}x baseline)"
    )
    # what uploads use: the same extraction in a memory- and time-capped child process
    print(
        f"the PDF in the bounded child process:        {t_pdf_bounded * 1000:8.1f} ms  "
        f"({t_pdf_bounded / base:.2f}x baseline)"
    )
    print(
        f"the DOCX in the bounded child process:       {t_docx_bounded * 1000:8.1f} ms  "
        f"({t_docx_bounded / base:.2f}x baseline)"
    )


if __name__ == "__main__":
    main()
