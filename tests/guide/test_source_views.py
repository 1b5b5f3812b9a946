"""guide:source_image (guide.views.sources), the guide_source tag and the public pages' provenance."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.urls import reverse
from PIL import Image

from guide import rendering
from guide.models import Guide, GuideVersion
from guide.parsing.sandbox import SandboxError
from guide.templatetags.guide_sources import source_context
from guide.views.sources import cache_root
from tests.factories.guide_docs import write_guide_pdf
from tests.factories.proposals import make_user

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"
A4 = [595.0, 842.0]
BOX = "100.0,300.0,200.0,320.0"
SOURCE = {"blocks": [3], "pages": [1], "boxes": [[1, 100.0, 300.0, 200.0, 320.0]]}  # a value read in BOX


def one_page_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    pdf.drawString(100, 530, "a line of text")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture(autouse=True)
def own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # each test its own picture cache


def pdf_version(
    status: str = "published", *, kind: str = "pdf", content: bytes | None = None
) -> GuideVersion:
    content = one_page_pdf() if content is None else content
    version = GuideVersion(
        status=status,
        kind=kind,
        source_name="g.pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        data={"page_sizes": [A4], "directions": [{"code": "1.1", "sources": {"title": SOURCE}}]},
    )
    version.file.save("f", ContentFile(content), save=False)
    version.save()
    return version


def image_url(version, page: int = 1, *boxes: str) -> str:
    query = "&".join(f"b={b}" for b in boxes)
    return f"{reverse('guide:source_image', args=[version.pk, page])}?{query}"


# --------------------------------------------------------------------------- #
# The picture view
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_a_published_versions_picture_is_public_and_cacheable(client):
    version = pdf_version()
    response = client.get(image_url(version, 1, BOX))
    assert (response.status_code, response["Content-Type"], response["Cache-Control"]) == (
        200,
        "image/png",
        "public, max-age=86400",
    )
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == rendering.region(page=1, boxes=[(100, 300, 200, 320)], page_sizes=[A4]).pixels
    assert [p.parent.name for p in cache_root().rglob("*.png")] == [str(version.pk)]


@pytest.mark.django_db
def test_a_second_request_does_not_draw_again(client, monkeypatch):
    version = pdf_version()
    assert client.get(image_url(version, 1, BOX)).status_code == 200
    monkeypatch.setattr(rendering, "render_bounded", lambda *a: pytest.fail("drawn again"))
    monkeypatch.setattr(GuideVersion.file.field, "storage", None)  # not even the file is opened
    response = client.get(image_url(version, 1, "100,300,200,320"))  # the same boxes, written otherwise
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "superseded"])
def test_other_versions_pictures_are_for_officers_only(client, status):
    version = pdf_version(status)
    url = image_url(version, 1, BOX)
    assert client.get(url).status_code == 404
    client.force_login(make_user(role="applicant"))
    assert client.get(url).status_code == 404
    client.force_login(make_user(role="officer"))
    response = client.get(url)
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("b=1,2,3", 400),
        ("b=a,b,c,d", 400),
        ("b=5,1,4,2", 400),
        ("b=1,1,700,2", 400),  # outside the page
        ("&".join(["b=1,1,2,2"] * 61), 400),
    ],
)
def test_bad_boxes_are_400(client, query, status):
    client.force_login(make_user(role="officer"))
    version = pdf_version()
    url = f"{reverse('guide:source_image', args=[version.pk, 1])}?{query}"
    assert client.get(url).status_code == status


@pytest.mark.django_db
def test_the_public_gets_only_the_regions_the_sources_call_for(client):
    version = pdf_version()
    other = image_url(version, 1, "100.0,300.0,200.0,330.0")
    assert client.get(image_url(version, 1, BOX)).status_code == 200
    assert client.get(other).status_code == 404
    assert client.get(image_url(version, 1, "1,1,700,2")).status_code == 404  # not even parsed further
    client.force_login(make_user(role="officer"))
    assert client.get(other).status_code == 200  # officers review any region


@pytest.mark.django_db
def test_a_region_the_tag_links_for_a_long_source_is_known():
    from guide.rendering import known_regions, parse_boxes, region_key

    boxes = [[1, 60, 100 + 10 * i, 500, 108 + 10 * i] for i in range(rendering.MAX_BOXES + 1)]
    data = {"directions": [{"sources": {"research_content": {"blocks": [1], "pages": [1], "boxes": boxes}}}]}
    url = source_context({"blocks": [1], "pages": [1], "boxes": boxes}, 2)["pictures"][0]["url"]
    linked = parse_boxes(v.split("=")[1].replace("%2C", ",") for v in url.split("?")[1].split("&"))
    assert known_regions(data) == {region_key(1, linked)} == {(1, ((60.0, 100.0, 500.0, 708.0),))}


@pytest.mark.django_db
def test_missing_pages_versions_and_files_are_404(client):
    version = pdf_version()
    assert client.get(image_url(version, 2, BOX)).status_code == 404
    assert client.get(image_url(version, 0, BOX)).status_code == 404
    assert client.get(f"/guide/versions/{version.pk}/source/-1.png?b={BOX}").status_code == 404
    assert client.get(image_url(SimpleNamespace(pk=987654), 1, BOX)).status_code == 404
    assert client.get(image_url(pdf_version(kind="docx"), 1, BOX)).status_code == 404
    gone = pdf_version()
    gone.file.storage.delete(gone.file.name)
    assert client.get(image_url(gone, 1, BOX)).status_code == 404


@pytest.mark.django_db
def test_a_page_the_file_lacks_or_a_broken_file_is_404_not_500(client):
    client.force_login(make_user(role="officer"))  # any region: the drawing itself fails
    two_pages = pdf_version()
    GuideVersion.objects.filter(pk=two_pages.pk).update(data={"page_sizes": [A4, A4]})
    assert client.get(image_url(two_pages, 2, BOX)).status_code == 404
    broken = pdf_version(content=b"%PDF-1.4\nnot really\n%%EOF\n")
    assert client.get(image_url(broken, 1, BOX)).status_code == 404


@pytest.mark.django_db
def test_a_renderer_that_fails_is_404_and_caches_nothing(client, monkeypatch):
    def fail(pdf, where):
        raise SandboxError("timeout", "too long")

    monkeypatch.setattr(rendering, "render_bounded", fail)
    version = pdf_version()
    assert client.get(image_url(version, 1, BOX)).status_code == 404
    assert list(cache_root().glob(f"{version.pk}/*.png")) == []


@pytest.mark.django_db
def test_only_get_is_allowed(client):
    assert client.post(image_url(pdf_version(), 1, BOX)).status_code == 405


# --------------------------------------------------------------------------- #
# The tag
# --------------------------------------------------------------------------- #

PDF_SOURCE = {
    "blocks": [12],
    "pages": [3],
    "boxes": [[3, 81.4, 449.3, 532.0, 459.3], [3, 60.5, 465.6, 531.6, 475.6]],
}


def test_tag_names_the_page_and_links_the_picture():
    context = source_context(PDF_SOURCE, SimpleNamespace(pk=5, kind="pdf"))
    assert context == {
        "label": "原文第 3 页",
        "pictures": [
            {
                "url": "/guide/versions/5/source/3.png?b=81.4%2C449.3%2C532.0%2C459.3&b=60.5%2C465.6%2C531.6%2C475.6",
                "page": 3,
                "alt": "原文第 3 页的相应位置",
            }
        ],
    }


def test_tag_across_pages_gives_a_range_and_a_picture_per_page():
    source = {"blocks": [40, 41], "pages": [3, 4], "boxes": [[3, 60, 790, 530, 800], [4, 60, 80, 300, 90]]}
    context = source_context(source, 9)
    assert (context["label"], [p["page"] for p in context["pictures"]]) == ("原文第 3–4 页", [3, 4])


def test_tag_for_a_docx_or_text_document_names_the_paragraphs():
    assert source_context({"blocks": [12], "pages": [], "boxes": []}, SimpleNamespace(pk=5, kind="docx")) == {
        "label": "原文第 12 段",
        "pictures": [],
    }
    assert source_context({"blocks": [14, 12, 13]}, None)["label"] == "原文第 12–14 段"


def test_tag_of_a_guide_uses_its_published_version_without_a_query():
    guide = SimpleNamespace(published_version_id=11, document_kind="pdf")
    assert source_context(PDF_SOURCE, guide)["pictures"][0]["url"].startswith(
        "/guide/versions/11/source/3.png?"
    )
    text_guide = SimpleNamespace(published_version_id=11, document_kind="docx")
    assert source_context(PDF_SOURCE, text_guide) == {"label": "原文第 3 页", "pictures": []}
    unpublished = SimpleNamespace(published_version_id=None, document_kind="")
    assert source_context(PDF_SOURCE, unpublished) == {"label": "原文第 3 页", "pictures": []}


def test_tag_draws_more_than_max_boxes_as_one_box_around_them():
    boxes = [[1, 60, 100 + 10 * i, 500, 108 + 10 * i] for i in range(rendering.MAX_BOXES + 1)]
    context = source_context({"blocks": [1], "pages": [1], "boxes": boxes}, 2)
    assert context["pictures"][0]["url"] == "/guide/versions/2/source/1.png?b=60.0%2C100.0%2C500.0%2C708.0"


@pytest.mark.parametrize(
    "source",
    [None, {}, "page 3", {"pages": ["x"]}, {"boxes": [[1, 2]]}, {"boxes": "nope"}, {"blocks": [None]}],
)
def test_tag_renders_nothing_without_a_usable_source(source):
    assert source_context(source, 5) == {"label": "", "pictures": []}


def test_tag_template_renders_details_with_a_lazy_picture():
    html = Template("{% load guide_sources %}{% guide_source source version %}").render(
        Context({"source": PDF_SOURCE, "version": SimpleNamespace(pk=5, kind="pdf")})
    )
    assert html.startswith(
        '<details class="guide-source" data-testid="guide-source"><summary title="显示原文中的位置">原文第 3 页</summary>'
    )
    assert (
        '<img src="/guide/versions/5/source/3.png?b=81.4%2C449.3%2C532.0%2C459.3&amp;b=60.5%2C465.6%2C531.6%2C475.6" loading="lazy" alt="原文第 3 页的相应位置">'
        in html
    )
    plain = Template("{% load guide_sources %}{% guide_source source None %}").render(
        Context({"source": {"blocks": [7]}})
    )
    assert plain.strip() == '<span class="guide-source" data-testid="guide-source">原文第 7 段</span>'
    assert Template("{% load guide_sources %}{% guide_source None None %}").render(Context()).strip() == ""


def test_tag_in_english():
    from django.utils import translation

    with translation.override("en"):
        assert source_context(PDF_SOURCE, None)["label"] == "Source: page 3"
        assert source_context({"blocks": [3, 4]}, None)["label"] == "Source: paragraphs 3–4"


# --------------------------------------------------------------------------- #
# The public pages
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def guide_pdf(tmp_path_factory) -> Path:
    return write_guide_pdf(
        GUIDE_2022.read_text(encoding="utf-8"), tmp_path_factory.mktemp("pdf") / "2022.pdf"
    )


@pytest.mark.django_db
def test_direction_page_of_a_pdf_guide_shows_where_each_value_was_read(client, guide_pdf):
    from guide.services import guide_ingest

    guide = guide_ingest(path=guide_pdf)
    assert guide.document_kind == "pdf"
    page = client.get(reverse("guide:direction_detail", args=[2022, "1.1"]))
    html = page.content.decode()
    prefix = f"/guide/versions/{guide.published_version_id}/source/"
    # title, ratio, research content, indicators text, 7 indicators
    assert html.count('<details class="guide-source"') == 4 + 7
    assert html.count(f'<img src="{prefix}') == 11
    first = html.index(f'<img src="{prefix}')
    url = html[first + 10 : html.index('"', first + 10)].replace("&amp;", "&")
    assert client.get(url).status_code == 200  # the linked picture exists, publicly


@pytest.mark.django_db
def test_overview_of_a_text_guide_names_the_paragraphs(client, guide2022):
    html = client.get(reverse("guide:overview", args=[2022])).content.decode()
    clause = Guide.objects.get(year=2022).formal_clauses.get(clause="1(1)")
    label = source_context(clause.source, None)["label"]
    assert label.startswith("原文第 ")
    assert f'{clause.text} <span class="guide-source" data-testid="guide-source">{label}</span>' in html
    assert "<details" not in html  # a text guide has no pictures


@pytest.mark.django_db
def test_pages_of_a_guide_without_sources_show_none(client):
    from tests.factories.guide import make_guide

    make_guide(year=2031)
    assert (
        'data-testid="guide-source"'
        not in client.get(reverse("guide:overview", args=[2031])).content.decode()
    )
    detail = client.get(reverse("guide:direction_detail", args=[2031, "1.1"])).content.decode()
    assert 'data-testid="guide-source"' not in detail
