"""Pictures of a guide PDF's source regions: the page around some boxes, the boxes highlighted.

Plain Python (no Django): :func:`parse_boxes` and :func:`region` check and place the request,
:func:`render_region` draws it with PDFium (pypdfium2) and Pillow, :func:`render_bounded` runs that
in a bounded child process (``python -m guide.rendering``, through :func:`guide.parsing.sandbox.run_bounded`:
a page drawn from an uploaded file may be as hostile as the file), and :func:`cached_region` keeps
each picture on disk, so a second request for the same region draws nothing.

Coordinates are PDF points from the page's top-left (``guide.parsing.types.Box``). A picture is the
full page width (so the context reads) and the height of the boxes plus :data:`MARGIN` above and
below, at :data:`SCALE` pixels per point unless that would make it wider than :data:`MAX_WIDTH` or
taller than :data:`MAX_HEIGHT` pixels.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from common.bounded import BoundedError, serve
from guide.parsing.sandbox import SandboxError, run_bounded

MAX_BOXES = 60  # per picture (a paragraph has a box per line)
MARGIN = 36.0  # points above and below the boxes
PAD = 1.5  # points around each box's highlight
SCALE = 2.0  # pixels per point (144 dpi)
MAX_WIDTH = 1400  # pixels
MAX_HEIGHT = 2400  # pixels
MAX_PAGE_SIDE = 5000.0  # points: a page larger than this (70 inches) is not a guide's
RENDER_VERSION = "1"  # part of the cache key: bump when the drawing changes
MEMORY_BYTES = 512 * 1024 * 1024
TIMEOUT = 20.0  # seconds
FILL = (255, 200, 0, 80)  # semi-transparent yellow
OUTLINE = (214, 120, 0, 255)


class RegionError(ValueError):
    """A request that names no region of this document: ``code`` is ``bad_box`` (unparseable or
    impossible coordinates, too many boxes: a 400) or ``no_page`` (the page does not exist: a 404)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Region:
    """What to draw: the page (1-based), the boxes on it, the band ``top``–``bottom`` (points) and the
    scale, inside a page ``width`` × ``height`` points."""

    page: int
    boxes: tuple[tuple[float, float, float, float], ...]
    top: float
    bottom: float
    width: float
    height: float
    scale: float

    @property
    def pixels(self) -> tuple[int, int]:
        return math.ceil(self.width * self.scale), math.ceil((self.bottom - self.top) * self.scale)


def parse_boxes(values: Iterable[str]) -> list[tuple[float, float, float, float]]:
    """``["x0,top,x1,bottom", …]`` (the ``b`` query parameters) as numbers; RegionError(bad_box)
    for anything else, for none and for more than MAX_BOXES."""
    values = list(values)
    if not values:
        raise RegionError("bad_box", "no box")
    if len(values) > MAX_BOXES:
        raise RegionError("bad_box", f"{len(values)} boxes: at most {MAX_BOXES}")
    boxes = []
    for value in values:
        parts = value.split(",")
        if len(parts) != 4 or any(len(p) > 12 for p in parts):
            raise RegionError("bad_box", f"not x0,top,x1,bottom: {value[:60]!r}")
        try:
            x0, top, x1, bottom = (float(p) for p in parts)
        except ValueError:
            raise RegionError("bad_box", f"not numbers: {value[:60]!r}") from None
        if not all(math.isfinite(v) for v in (x0, top, x1, bottom)) or x1 < x0 or bottom < top:
            raise RegionError("bad_box", f"not a rectangle: {value[:60]!r}")
        boxes.append((x0, top, x1, bottom))
    return boxes


def picture_boxes(boxes: list) -> list[tuple[float, float, float, float]]:
    """The boxes one picture of a page highlights: ``boxes`` ([x0, top, x1, bottom] each), or, when
    there are more than MAX_BOXES, the one box around them all (the ``guide_source`` tag links these)."""
    boxes = [tuple(float(v) for v in box) for box in boxes]
    if len(boxes) <= MAX_BOXES:
        return boxes
    return [
        (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    ]


def region_key(page: int, boxes) -> tuple:
    """A picture's identity: the page and its boxes to 0.1 point."""
    return (int(page), tuple(tuple(round(float(v), 1) for v in box) for box in boxes))


def known_regions(data) -> set[tuple]:
    """Every picture the document's sources call for (per source and page, :func:`picture_boxes` of its
    boxes on that page), as region keys: what may be drawn for anyone, so that a public
    picture URL cannot be used to have arbitrary regions drawn and stored."""
    found: set[tuple] = set()
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            boxes = item.get("boxes")
            if isinstance(boxes, list) and boxes and isinstance(item.get("blocks", []), list):
                pages: dict[int, list] = {}
                try:
                    for box in boxes:
                        pages.setdefault(int(box[0]), []).append([float(v) for v in box[1:5]])
                except (TypeError, ValueError, IndexError):
                    pages = {}
                for page, on_page in pages.items():
                    found.add(region_key(page, picture_boxes(on_page)))
            todo.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return found


def region(
    *, page: int, boxes: list[tuple[float, float, float, float]], page_sizes: list, margin: float = MARGIN
) -> Region:
    """Place ``boxes`` on ``page`` of a document whose pages measure ``page_sizes`` ([w, h] points
    each): the band they cover plus ``margin``, clipped to the page, and the scale. RegionError:
    no_page for a page that is not there, bad_box for boxes outside the page or an absurd page."""
    if not 1 <= page <= len(page_sizes):
        raise RegionError("no_page", f"page {page} of {len(page_sizes)}")
    try:
        width, height = (float(v) for v in page_sizes[page - 1])
    except (TypeError, ValueError):
        raise RegionError("no_page", f"page {page} has no size") from None
    if not (0 < width <= MAX_PAGE_SIDE and 0 < height <= MAX_PAGE_SIDE):
        raise RegionError("bad_box", f"page {page} measures {width} × {height} points")
    slack = 2.0  # points: boxes are rounded to 0.1 and glyphs may overhang the page by a hair
    for x0, top, x1, bottom in boxes:
        if x0 < -slack or top < -slack or x1 > width + slack or bottom > height + slack:
            raise RegionError("bad_box", f"box {x0},{top},{x1},{bottom} is outside the page")
    band_top = max(0.0, min(b[1] for b in boxes) - margin)
    band_bottom = min(height, max(b[3] for b in boxes) + margin)
    band_bottom = max(band_bottom, min(height, band_top + 1.0))
    scale = min(SCALE, MAX_WIDTH / width, MAX_HEIGHT / (band_bottom - band_top))
    return Region(page, tuple(boxes), band_top, band_bottom, width, height, scale)


def render_region(pdf: bytes, where: Region) -> bytes:
    """The PNG of ``where`` in the PDF ``pdf``: the band of the page, the boxes filled and outlined.
    Raises RegionError(no_page) when the PDF has no such page. Runs PDFium in this process: call it
    through :func:`render_bounded` for a file from outside."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    document = pdfium.PdfDocument(pdf)
    try:
        if where.page > len(document):
            raise RegionError("no_page", f"page {where.page} of {len(document)}")
        page = document[where.page - 1]
        try:
            width, height = page.get_size()
            bitmap = page.render(
                scale=where.scale,
                crop=(0, max(0.0, height - where.bottom), 0, max(0.0, where.top)),
                fill_color=(255, 255, 255, 255),
            )
            image = bitmap.to_pil().convert("RGBA")
            bitmap.close()
        finally:
            page.close()
    finally:
        document.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    s = where.scale
    for x0, top, x1, bottom in where.boxes:
        draw.rectangle(
            (
                (x0 - PAD) * s,
                (top - where.top - PAD) * s,
                (x1 + PAD) * s,
                (bottom - where.top + PAD) * s,
            ),
            fill=FILL,
            outline=OUTLINE,
            width=max(1, round(s)),
        )
    out = io.BytesIO()
    Image.alpha_composite(image, overlay).convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_bounded(pdf: bytes, where: Region) -> bytes:
    """:func:`render_region` in a child process limited to MEMORY_BYTES and TIMEOUT seconds; the PNG,
    or SandboxError (too_complex, timeout, internal, no_page, broken_pdf)."""
    spec = ";".join(
        [
            str(where.page),
            repr(where.scale),
            repr(where.top),
            repr(where.bottom),
            repr(where.width),
            repr(where.height),
            *(",".join(repr(v) for v in box) for box in where.boxes),
        ]
    )
    result = run_bounded(
        "guide.rendering", [str(len(pdf)), spec], pdf, memory_bytes=MEMORY_BYTES, timeout=TIMEOUT
    )
    try:
        return base64.b64decode(result["png"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise SandboxError("internal", "the renderer gave no picture") from None


def cache_path(
    root: Path, *, version: int, document: str, page: int, boxes: Iterable[tuple[float, ...]]
) -> Path:
    """``<root>/<version>/<hash>.png``, the hash of the document (its sha256), the page, the boxes (to
    0.1 point) and RENDER_VERSION: the same region asked for again finds its picture without placing
    it anew, and a picture is never served for another file under a reused primary key."""
    key = "|".join(
        [RENDER_VERSION, document, str(int(page)), *(",".join(f"{v:.1f}" for v in box) for box in boxes)]
    )
    return Path(root) / str(int(version)) / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.png"


def cached_region(
    root: Path,
    *,
    version: int,
    document: str,
    where: Region,
    pdf: Callable[[], bytes],
    render: Callable[[bytes, Region], bytes] | None = None,
) -> Path:
    """The cached picture of ``where`` for version ``version`` (its file's sha256 ``document``), drawn first when it is not on disk yet
    (``render(pdf(), where)``, :func:`render_bounded` by default; ``pdf`` is only called then).
    Writes the file atomically (a temporary file renamed into place), so concurrent requests never
    serve half a picture. Returns its path."""
    path = cache_path(root, version=version, document=document, page=where.page, boxes=where.boxes)
    if path.is_file():
        return path
    png = (render or render_bounded)(pdf(), where)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(png)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- #
# Child side
# --------------------------------------------------------------------------- #


def _region_from_spec(spec: str) -> Region:
    page, scale, top, bottom, width, height, *boxes = spec.split(";")
    return Region(
        int(page),
        tuple(tuple(float(v) for v in box.split(",")) for box in boxes),
        float(top),
        float(bottom),
        float(width),
        float(height),
        float(scale),
    )


def _handle(data: bytes, args: list[str]) -> dict:
    import pypdfium2 as pdfium

    size, where = int(args[0]), _region_from_spec(args[1])
    try:
        png = render_region(data[:size], where)
    except RegionError as exc:
        raise BoundedError("unreadable", f"no_page: {exc}") from None
    except pdfium.PdfiumError as exc:
        raise BoundedError("broken_pdf", str(exc)[:300]) from None
    return {"png": base64.b64encode(png).decode("ascii")}


def main(argv: list[str]) -> int:
    """The child (``python -m guide.rendering``): argv as :func:`common.bounded.serve` takes it."""
    return serve(argv, _handle)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
