"""Guide ingestion and guide pages, timed.

    python bench/bench_guide.py

Prints, for each guide PDF (the office-suite renderings committed in fixtures/guides/office/ and one
laid out by reportlab), the time to read it with its layout (PDFium characters → lines → blocks) and
to read and parse it, as a ratio to pdfplumber's plain ``extract_text`` over the same file measured in
the same run; the time to parse the text version and to store it; and the server-side time of the
guide pages — rendered, from the page cache (guide.caching) and answered 304 — against a bare view (an
``HttpResponse("ok")`` through the same middleware) measured in the same run, interleaved. The cached
pages (from a process's near pages, as nearly every hit is) should take at most 1.5× the bare view;
the figure from the shared cache alone (Redis with REDIS_URL) is printed beside them.
"""

import functools
import gc
import statistics
import tempfile
import time
from pathlib import Path

import _setup
import pdfplumber
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.utils import translation

from guide import caching
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

    time_pages()


def bare(request):
    return HttpResponse("ok")


# The site's URLs plus the bare view (ROOT_URLCONF while the pages are timed).
urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]

PAGES = {
    "overview": "/guide/2022/",
    "direction list": "/guide/2022/directions/",
    "direction list, filtered": "/guide/2022/directions/?ratio=any&partner=any&q=碳",
    "direction detail 4.3": "/guide/2022/directions/4.3/",
}
CACHED_LIMIT = 1.5  # × the bare view


def nothing() -> None:
    pass


def median_times(client: Client, requests: dict, rounds: int) -> dict[str, float]:
    """Median time of each request (label → (url, headers, status, what to do before it, untimed)),
    interleaved round by round so that the machine's noise falls on all of them alike."""
    samples = {label: [] for label in requests}
    for _ in range(rounds):
        for label, (url, headers, status, before) in requests.items():
            before()
            start = time.perf_counter()
            response = client.get(url, **headers)
            samples[label].append(time.perf_counter() - start)
            assert response.status_code == status, (url, response.status_code)
    return {label: statistics.median(times) for label, times in samples.items()}


def time_pages(rounds: int = 500) -> None:
    """Server-side time per request of each page from the page cache and as a 304, against the bare
    view, interleaved; then, apart (a render leaves garbage and cold caches behind it, which would
    fall on the next request timed), each page rendered (a query parameter the page does not take:
    rendered and not stored) and /healthz."""
    client = Client(SERVER_NAME="127.0.0.1")  # anonymous: the visitors the cache serves
    bare_url = "/bench/bare/"
    fast = {"bare view (baseline)": (bare_url, {}, 200, nothing)}
    slow = {"bare view": (bare_url, {}, 200, nothing), "/healthz": ("/healthz", {}, 200, nothing)}
    for label, url in PAGES.items():
        etag = client.get(url)["ETag"]  # stored here; the ETag goes with this client's CSRF cookie
        fast[f"{label}, cached"] = (url, {}, 200, nothing)
        fast[f"{label}, 304"] = (url, {"HTTP_IF_NONE_MATCH": etag}, 304, nothing)
        # as another process finds it: in the shared cache, not among its near pages
        with translation.override(settings.LANGUAGE_CODE):
            key = caching.page_key(RequestFactory().get(url))
        fast[f"{label}, shared cache only"] = (url, {}, 200, functools.partial(caching.near.discard, key))
        sep = "&" if "?" in url else "?"
        slow[f"{label}, rendered"] = (f"{url}{sep}bench=1", {}, 200, nothing)
    gc.collect()
    cached = median_times(client, fast, rounds)
    rendered = median_times(client, slow, max(rounds // 20, 5))
    backend = settings.CACHES["pages"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"guide pages (anonymous), page cache {backend}: {rounds} interleaved rounds")
    base = cached["bare view (baseline)"]
    for label, t in cached.items():
        print(f"page {label:48s} median {t * 1000:7.2f} ms  ({t / base:.2f}x the bare view)")
    print("rendered, apart:")
    base_apart = rendered["bare view"]
    for label, t in rendered.items():
        print(f"page {label:48s} median {t * 1000:7.2f} ms  ({t / base_apart:.1f}x the bare view)")
    worst = max(cached[f"{label}, cached"] / base for label in PAGES)
    verdict = "ok" if worst <= CACHED_LIMIT else "over"
    print(f"cached pages: at most {worst:.2f}x the bare view (limit {CACHED_LIMIT}x: {verdict})")


if __name__ == "__main__":
    with override_settings(ROOT_URLCONF=__name__):
        main()
