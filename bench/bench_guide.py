"""Guide ingestion and guide pages, timed.

    python bench/bench_guide.py

Prints, for each guide PDF (the office-suite renderings committed in fixtures/guides/office/ and one
laid out by reportlab), the time to read it with its layout (PDFium characters → lines → blocks) and
to read and parse it, as a ratio to pdfplumber's plain ``extract_text`` over the same file measured in
the same run; the time to parse the text version and to store it; and the server-side time of the
guide pages against a trivial page (/healthz) measured in the same run.
"""

import statistics
import tempfile
import time
from pathlib import Path

import _setup
import pdfplumber
from django.test import Client

from guide.parsing.parser import parse_text
from guide.parsing.readers import extract_document, parse_file
from guide.services import guide_ingest
from tests.factories.guide_docs import write_guide_pdf

OFFICE = _setup.ROOT / "fixtures" / "guides" / "office"


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_pdfplumber(pdf: Path) -> None:
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            page.extract_text()
            page.close()


def time_pdf(label: str, pdf: Path) -> None:
    with pdfplumber.open(pdf) as doc:
        pages = len(doc.pages)
    base = best(lambda: plain_pdfplumber(pdf), 3)
    t_read = best(lambda: extract_document(pdf), 3)
    t_parse = best(lambda: parse_file(pdf), 3)
    print(f"{label} ({pages} pages): pdfplumber extract_text {base * 1000:7.1f} ms (baseline)")
    print(f"    read with layout          {t_read * 1000:7.1f} ms  ({t_read / base:.2f}x baseline)")
    print(f"    read with layout + parse  {t_parse * 1000:7.1f} ms  ({t_parse / base:.2f}x baseline)")


def main() -> None:
    print(f"database: {_setup.database()} (throwaway)")
    text = _setup.GUIDE_TXT.read_text(encoding="utf-8")
    for pdf in sorted(OFFICE.glob("*.pdf")):
        time_pdf(f"office PDF {pdf.name}", pdf)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = write_guide_pdf(text, Path(tmp) / "guide.pdf")
        time_pdf("reportlab PDF of the 2022 text", pdf)
        base = best(lambda: plain_pdfplumber(pdf), 3)
        t_txt = best(lambda: parse_text(text))
        t_store = best(lambda: guide_ingest(path=_setup.GUIDE_TXT), 3)
    print(f"guide text: {len(text)} chars")
    print(
        f"parse from .txt:                         {t_txt * 1000:8.1f} ms  ({t_txt / base:.2f}x the reportlab baseline)"
    )
    print(
        f"ingest from .txt (parse + store, re-ingest): {t_store * 1000:8.1f} ms  ({t_store / base:.2f}x the reportlab baseline)"
    )

    client = Client(SERVER_NAME="127.0.0.1")
    pages_to_time = {
        "/healthz (baseline)": "/healthz",
        "overview": "/guide/2022/",
        "direction list": "/guide/2022/directions/",
        "direction list, filtered": "/guide/2022/directions/?ratio=any&partner=any&q=碳",
        "direction detail 4.3": "/guide/2022/directions/4.3/",
    }
    results = {}
    for label, url in pages_to_time.items():
        client.get(url)  # warm
        samples = []
        for _ in range(30):
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        results[label] = statistics.median(samples)
    base_page = results["/healthz (baseline)"]
    for label, t in results.items():
        print(f"page {label:28s} median {t * 1000:7.2f} ms  ({t / base_page:.1f}x /healthz)")


if __name__ == "__main__":
    main()
