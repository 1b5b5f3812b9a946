"""Draft extraction, timed against pdfplumber's plain text pass over the same PDF.

    python bench/bench_extraction.py [--quick]

1. A ~20-page draft from the project's own template (docgen): the whole structured extraction of
   the PDF and of the DOCX, in-process and in the bounded child process that uploads use.
2. Long drafts of 200 pages with a ruled table on every page, made here: the template's pages and
   190-odd pages that each hold a caption and a ruled table of other content (an experiment
   schedule) — what real 申报书 of 100–200 pages look like. Two variants: the sample's five members
   with the schedules after the draft's last page, and 60 members (their table runs over three
   pages) with the schedules interrupting the research section (研究内容).

Every extraction is timed beside pdfplumber's plain ``extract_text()`` over every page of the same
PDF, measured in the same run, and printed as a ratio to it. ``--quick`` times each long draft once.
The bounded child reads with two processes (the default of ``extract_bounded`` on two cores).
"""

import dataclasses
import io
import sys
import time
from datetime import date

import _setup  # noqa: F401
import pdfplumber
import pypdfium2 as pdfium

from proposals.docgen import FONT_NAME, _register_font, build_docx, build_pdf
from proposals.extraction import Table, extract, read_document
from proposals.extraction.sandbox import extract_bounded
from proposals.identifiers import make_resident_id
from proposals.interchange import PersonData
from tests.factories.proposal_docs import sample_proposal

LIMITS = {
    "max_bytes": 20 * 1024 * 1024,
    "max_pages": 200,
    "memory_bytes": 768 * 1024 * 1024,
    "timeout": 600,  # the upload's limit is 60 s: a longer one here so that the old reader could be timed
}


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


def plain_text_pass(pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            page.extract_text()
            page.close()


# --------------------------------------------------------------------------- #
# Long drafts
# --------------------------------------------------------------------------- #


def schedule_pages(count: int) -> bytes:
    """``count`` pages, each a caption and a ruled table of an experiment schedule (STSong-Light,
    like the template): no heading, label or column name the extraction reads."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    _register_font()
    body = ParagraphStyle("body", fontName=FONT_NAME, fontSize=10.5, leading=16)
    cell = ParagraphStyle("cell", fontName=FONT_NAME, fontSize=9, leading=11)
    header = ["阶段", "实验内容", "起止时间", "材料", "设备", "预期结果"]
    story: list = []
    for i in range(1, count + 1):
        story.append(Paragraph(f"（{i}）第 {i} 组实验按下表安排，结果汇总后进入下一阶段。", body))
        rows = [header] + [
            [
                f"{i}.{k}",
                f"样品 {i}-{k} 的制备与电化学表征",
                "2026-01 至 2026-06",
                "镍铁合金",
                "电化学工作站",
                "过电位低于 250 mV",
            ]
            for k in range(1, 9)
        ]
        table = Table([[Paragraph(text, cell) for text in row] for row in rows], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story += [table, PageBreak()]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def long_draft(pages: int = 200, members: int = 5, *, appended: bool = False) -> bytes:
    """The template filled from the sample proposal (with ``members`` members) and schedule pages,
    ``pages`` pages in all: the schedules follow the draft's last page (``appended``, so they lie
    in its attachment list), or interrupt its research section after the section's first page."""
    p = sample_proposal()
    extra = [
        PersonData(
            name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[(n // 3) % len(GIVEN)],
            id_number=make_resident_id(date(1980 + n % 20, 1 + n % 12, 1 + n % 28), f"{n % 500 + 1:03d}"),
            birth_date=date(1980 + n % 20, 1 + n % 12, 1 + n % 28),
            role=f"子任务 {n} 的实验与数据分析",
            unit="福州大学",
        )
        for n in range(max(0, members - len(p.members)))
    ]
    research = "\n".join(f"（{n}）{p.research_content}" for n in range(1, 9))
    p = dataclasses.replace(p, members=p.members + extra, research_content=research)
    template = pdfium.PdfDocument(build_pdf(p))
    if appended:
        split = len(template) - 1
    else:  # the page where 研究内容 begins
        with pdfplumber.open(io.BytesIO(build_pdf(p))) as doc:
            split = next(
                i for i, page in enumerate(doc.pages) if "研究内容" in page.extract_text().split("\n")
            )
    filler = pdfium.PdfDocument(schedule_pages(pages - len(template)))
    out = pdfium.PdfDocument.new()
    out.import_pages(template, list(range(split + 1)))
    out.import_pages(filler, list(range(len(filler))))
    if split + 1 < len(template):
        out.import_pages(template, list(range(split + 1, len(template))))
    buffer = io.BytesIO()
    out.save(buffer)
    for document in (out, filler, template):
        document.close()
    return buffer.getvalue()


def line(label: str, seconds: float, base: float) -> str:
    return f"{label:<46}{seconds * 1000:9.1f} ms  ({seconds / base:.2f}x baseline)"


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    p = draft()
    pdf = build_pdf(p)
    docx = build_docx(p)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        n_pages = len(doc.pages)

    base = best(lambda: plain_text_pass(pdf), 3)
    t_pdf = best(lambda: extract(pdf))
    t_docx = best(lambda: extract(docx))
    t_pdf_bounded = best(lambda: extract_bounded(pdf, **LIMITS))
    t_docx_bounded = best(lambda: extract_bounded(docx, **LIMITS))
    result = extract(pdf)
    print(
        f"draft: {n_pages} pages PDF ({len(pdf) // 1024} KiB), DOCX {len(docx) // 1024} KiB; "
        f"fields found from the PDF: {sum(1 for v in result.found.values() if v)}"
    )
    print(f"{'baseline  pdfplumber extract_text, all pages:':<46}{base * 1000:9.1f} ms")
    print(line("structured extraction from the PDF:", t_pdf, base))
    print(line("structured extraction from the DOCX:", t_docx, base))
    # what uploads use: the same extraction in a memory- and time-capped child process
    print(line("the PDF in the bounded child process:", t_pdf_bounded, base))
    print(line("the DOCX in the bounded child process:", t_docx_bounded, base))

    for members, appended in ((5, True), (60, False)):
        pdf = long_draft(200, members, appended=appended)
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            n_pages = len(doc.pages)
        base = best(lambda pdf=pdf: plain_text_pass(pdf), 1 if quick else 2)
        t_pdf = best(lambda pdf=pdf: extract(pdf), 1 if quick else 3)
        t_bounded = best(lambda pdf=pdf: extract_bounded(pdf, **LIMITS), 1 if quick else 3)
        found = extract(pdf).proposal
        tables = [b for b in read_document(pdf)[1].blocks if isinstance(b, Table)]
        read = sorted({t.page for t in tables if t.rows})
        budget = found.budget
        print(
            f"\nlong draft: {n_pages} pages ({len(pdf) // 1024} KiB), a ruled table on every page "
            f"({'after the draft' if appended else 'in its research section'}), {members} members; "
            f"read: {len(found.members or [])} members, {len(found.units or [])} units, "
            f"budget {budget.national if budget else None}/{budget.matching if budget else None}; "
            f"{len(tables)} tables, cells read on pages {', '.join(map(str, read))}"
        )
        print(f"{'baseline  pdfplumber extract_text, all pages:':<46}{base * 1000:9.1f} ms")
        print(line("structured extraction from the PDF:", t_pdf, base))
        print(line("the PDF in the bounded child process:", t_bounded, base))


if __name__ == "__main__":
    main()
