"""Guide ingestion and guide pages, timed.

    python bench/bench_guide.py

Prints the time to parse the 2022 guide from its text and from a PDF made from it
(with pdfplumber's plain extract_text over the same PDF as the baseline), the time
to store it, and the server-side time of the guide pages against a trivial page
(/healthz) measured in the same run.
"""

import statistics
import tempfile
import time
from pathlib import Path

import _setup
import pdfplumber
from django.test import Client

from guide.parsing.parser import parse_text
from guide.parsing.readers import read_document
from guide.services import guide_ingest
from tests.factories.guide_docs import write_guide_pdf


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print(f"database: {_setup.database()} (throwaway)")
    text = _setup.GUIDE_TXT.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = write_guide_pdf(text, Path(tmp) / "guide.pdf")
        with pdfplumber.open(pdf) as doc:
            pages = len(doc.pages)

        def plain_pdfplumber():
            with pdfplumber.open(pdf) as doc:
                for page in doc.pages:
                    page.extract_text()
                    page.close()

        base = best(plain_pdfplumber, 3)
        t_txt = best(lambda: parse_text(read_document(_setup.GUIDE_TXT)))
        t_pdf = best(lambda: parse_text(read_document(pdf)), 3)
        t_store = best(lambda: guide_ingest(path=_setup.GUIDE_TXT), 3)
    print(f"guide text: {len(text)} chars; PDF made from it: {pages} pages")
    print(f"baseline  pdfplumber extract_text over the PDF: {base * 1000:8.1f} ms")
    print(
        f"parse from .txt:                                {t_txt * 1000:8.1f} ms  ({t_txt / base:.2f}x baseline)"
    )
    print(
        f"parse from .pdf (read + parse):                 {t_pdf * 1000:8.1f} ms  ({t_pdf / base:.2f}x baseline)"
    )
    print(
        f"ingest from .txt (parse + store, re-ingest):    {t_store * 1000:8.1f} ms  ({t_store / base:.2f}x baseline)"
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
