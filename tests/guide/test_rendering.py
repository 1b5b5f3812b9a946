"""guide.rendering: placing a region, drawing it with its boxes highlighted, in a bounded child, cached."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from guide.parsing.sandbox import SandboxError
from guide.rendering import (
    MARGIN,
    MAX_BOXES,
    MAX_HEIGHT,
    MAX_WIDTH,
    OUTLINE,
    Region,
    RegionError,
    cache_path,
    cached_region,
    parse_boxes,
    region,
    render_bounded,
    render_region,
)
from tests.guide.hostile import recursive_form_pdf
from tests.proposals.extraction.hostile import line_flood_pdf

A4 = [595.0, 842.0]


def blank_pdf(pages: int = 1, size=(595, 842)) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=size)
    for _ in range(pages):
        pdf.drawString(72, 700, "a line of text")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def error(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(RegionError) as info:
        call(*args, **kwargs)
    return info.value.code, str(info.value)


# --------------------------------------------------------------------------- #
# parse_boxes
# --------------------------------------------------------------------------- #


def test_parse_boxes_reads_the_query_values():
    assert parse_boxes(["81.4,449.3,532,459.3", "60.5,465.6,531.6,475.6"]) == [
        (81.4, 449.3, 532.0, 459.3),
        (60.5, 465.6, 531.6, 475.6),
    ]
    assert parse_boxes(["0,0,0,0"]) == [(0.0, 0.0, 0.0, 0.0)]  # a point is a (degenerate) box


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "no box"),
        (["1,2,3"], "not x0,top,x1,bottom: '1,2,3'"),
        (["a,b,c,d"], "not numbers: 'a,b,c,d'"),
        (["nan,1,2,3"], "not a rectangle: 'nan,1,2,3'"),
        (["1,1,inf,2"], "not a rectangle: '1,1,inf,2'"),
        (["5,1,4,2"], "not a rectangle: '5,1,4,2'"),
        (["1,5,2,4"], "not a rectangle: '1,5,2,4'"),
        (["1" * 13 + ",1,2,3"], f"not x0,top,x1,bottom: '{'1' * 13},1,2,3'"),
    ],
)
def test_parse_boxes_refuses_what_is_no_box(values, message):
    assert error(parse_boxes, values) == ("bad_box", message)


def test_parse_boxes_takes_exactly_max_boxes_and_no_more():
    assert len(parse_boxes(["1,1,2,2"] * MAX_BOXES)) == MAX_BOXES
    assert error(parse_boxes, ["1,1,2,2"] * (MAX_BOXES + 1)) == (
        "bad_box",
        f"{MAX_BOXES + 1} boxes: at most 60",
    )


# --------------------------------------------------------------------------- #
# region
# --------------------------------------------------------------------------- #


def test_region_is_the_page_width_and_the_boxes_plus_the_margin():
    where = region(page=2, boxes=[(80, 400, 500, 410), (60, 416, 300, 426)], page_sizes=[A4, A4])
    assert where == Region(
        2, ((80, 400, 500, 410), (60, 416, 300, 426)), 400 - MARGIN, 426 + MARGIN, 595.0, 842.0, 2.0
    )
    assert where.pixels == (1190, 196)


def test_region_is_clipped_to_the_page():
    where = region(page=1, boxes=[(80, 10, 500, 20), (80, 830, 500, 841)], page_sizes=[A4])
    assert (where.top, where.bottom) == (0.0, 842.0)
    assert (where.scale, where.pixels) == (2.0, (1190, 1684))


def test_region_scale_keeps_a_wide_page_within_max_width():
    where = region(page=1, boxes=[(10, 10, 20, 20)], page_sizes=[[1400.0, 800.0]])
    assert (where.scale, where.pixels[0]) == (MAX_WIDTH / 1400.0, MAX_WIDTH)


def test_region_scale_keeps_a_tall_band_within_max_height():
    where = region(page=1, boxes=[(10, 0, 20, 3000)], page_sizes=[[600.0, 3000.0]])
    assert (where.scale, where.pixels[1]) == (MAX_HEIGHT / 3000.0, MAX_HEIGHT)


@pytest.mark.parametrize("page", [0, 3, -1])
def test_region_of_a_page_that_does_not_exist_is_no_page(page):
    assert error(region, page=page, boxes=[(1, 1, 2, 2)], page_sizes=[A4, A4])[0] == "no_page"


def test_region_of_a_document_without_page_sizes_is_no_page():
    assert error(region, page=1, boxes=[(1, 1, 2, 2)], page_sizes=[]) == ("no_page", "page 1 of 0")


def test_region_refuses_boxes_outside_the_page_beyond_the_slack():
    assert region(page=1, boxes=[(-2, -2, 597, 844)], page_sizes=[A4]).top == 0.0
    assert error(region, page=1, boxes=[(1, 1, 598, 2)], page_sizes=[A4]) == (
        "bad_box",
        "box 1,1,598,2 is outside the page",
    )
    assert error(region, page=1, boxes=[(1, -3, 2, 2)], page_sizes=[A4])[0] == "bad_box"


def test_region_refuses_an_absurd_page():
    assert error(region, page=1, boxes=[(1, 1, 2, 2)], page_sizes=[[99999.0, 842.0]])[0] == "bad_box"
    assert error(region, page=1, boxes=[(1, 1, 2, 2)], page_sizes=[["x", None]])[0] == "no_page"


# --------------------------------------------------------------------------- #
# render_region / render_bounded
# --------------------------------------------------------------------------- #


def test_render_draws_the_band_with_the_box_filled_and_outlined():
    where = region(page=1, boxes=[(100, 300, 200, 320)], page_sizes=[A4])
    image = Image.open(io.BytesIO(render_region(blank_pdf(), where))).convert("RGB")
    assert image.size == where.pixels == (1190, 184)
    s = where.scale
    inside = image.getpixel((int(150 * s), int((310 - where.top) * s)))
    assert inside == (255, 238, 175)  # the fill (255, 200, 0) at alpha 80 over white
    assert image.getpixel((int((100 - 1.5) * s) + 1, int((310 - where.top) * s))) == OUTLINE[:3]
    assert image.getpixel((10, 10)) == (255, 255, 255)


def test_render_in_the_child_gives_the_same_picture():
    where = region(page=2, boxes=[(72, 130, 200, 145)], page_sizes=[A4, A4])
    pdf = blank_pdf(pages=2)
    assert render_bounded(pdf, where) == render_region(pdf, where)


def test_render_of_a_page_the_pdf_lacks_is_an_error_not_a_crash():
    where = region(page=2, boxes=[(72, 130, 200, 145)], page_sizes=[A4, A4])
    with pytest.raises(SandboxError) as info:
        render_bounded(blank_pdf(pages=1), where)
    assert (info.value.code, info.value.message) == ("unreadable", "no_page: page 2 of 1")


def test_render_of_a_broken_pdf_is_broken_pdf():
    where = region(page=1, boxes=[(72, 130, 200, 145)], page_sizes=[A4])
    with pytest.raises(SandboxError) as info:
        render_bounded(b"%PDF-1.4\nnothing here\n%%EOF\n", where)
    assert info.value.code == "broken_pdf"


def test_render_of_a_form_that_draws_itself_ends():
    where = region(page=1, boxes=[(72, 70, 200, 90)], page_sizes=[A4])
    png = render_bounded(recursive_form_pdf(), where)
    assert Image.open(io.BytesIO(png)).size == where.pixels


def test_render_of_a_page_of_millions_of_lines_is_stopped_by_the_child_limits(monkeypatch):
    from guide import rendering

    monkeypatch.setattr(rendering, "MEMORY_BYTES", 300 * 1024 * 1024)
    monkeypatch.setattr(rendering, "TIMEOUT", 10.0)
    where = region(page=1, boxes=[(72, 70, 200, 90)], page_sizes=[A4])
    with pytest.raises(SandboxError) as info:
        render_bounded(line_flood_pdf(60 * 1024 * 1024), where)
    assert info.value.code in {"too_complex", "timeout"}  # which limit comes first depends on the machine


# --------------------------------------------------------------------------- #
# The cache
# --------------------------------------------------------------------------- #


def test_cache_path_is_per_version_document_and_region(tmp_path):
    one = cache_path(tmp_path, version=7, document="abc", page=1, boxes=[(1, 2, 3, 4)])
    assert one.parent == tmp_path / "7"
    assert (one.suffix, len(one.stem)) == (".png", 32)
    assert cache_path(tmp_path, version=7, document="abc", page=1, boxes=[(1.01, 2, 3, 4)]) == one  # 0.1 pt
    assert cache_path(tmp_path, version=7, document="abc", page=2, boxes=[(1, 2, 3, 4)]) != one
    assert cache_path(tmp_path, version=7, document="abd", page=1, boxes=[(1, 2, 3, 4)]) != one
    assert cache_path(tmp_path, version=8, document="abc", page=1, boxes=[(1, 2, 3, 4)]).name == one.name


def test_cached_region_draws_once(tmp_path):
    where = region(page=1, boxes=[(100, 300, 200, 320)], page_sizes=[A4])
    calls = []

    def render(pdf, place):
        calls.append(place)
        return b"png"

    def pdf():
        calls.append("pdf")
        return b"%PDF"

    first = cached_region(tmp_path, version=3, document="d", where=where, pdf=pdf, render=render)
    second = cached_region(tmp_path, version=3, document="d", where=where, pdf=pdf, render=render)
    assert (first, first.read_bytes(), calls) == (second, b"png", ["pdf", where])
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name]  # no temporary file left


def test_cached_region_stores_nothing_when_drawing_fails(tmp_path):
    where = region(page=1, boxes=[(100, 300, 200, 320)], page_sizes=[A4])

    def fail(pdf, place):
        raise SandboxError("timeout", "too long")

    with pytest.raises(SandboxError):
        cached_region(tmp_path, version=3, document="d", where=where, pdf=lambda: b"", render=fail)
    assert list(tmp_path.rglob("*.png")) == []
