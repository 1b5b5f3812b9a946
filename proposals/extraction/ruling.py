"""Where a PDF page's ruled tables are, from PDFium's path segments, without pdfminer.

pdfplumber finds tables from the edges of the lines, rectangles and curves pdfminer makes of a
page's paths, which costs a full pdfminer pass over the page (a quarter of a second for a page
holding a table). :func:`page_edges` makes the same edges from PDFium's path objects (a few
milliseconds), following pdfminer's rules, and :func:`table_shapes` takes them through the steps
of pdfplumber's table finder (snapping, joining, intersections, cells, tables), so the tables
come out where pdfplumber would find them. Their cells' text is not read: the reader asks
pdfplumber for that on the pages where it is wanted.

pdfminer's rules, mirrored here:

* each subpath (from one move to the next) is one object; a subpath of one segment
  (``m l``, also closed) is a line, whose edge is horizontal when its ends share a y and
  vertical otherwise (even when slanted);
* any other subpath gives an edge between each two consecutive points (the end point of a
  Bézier curve, not its control points; closing goes back to the start), horizontal or vertical
  when its ends share a y or an x, and nothing when slanted (a rectangle is its four sides);
* coordinates are pdfplumber's: x as in PDF space, ``top`` measured down from the top of the
  MediaBox; paths inside form XObjects count, through the forms' matrices.

A rotated page, forms nested deeper than :data:`FORM_DEPTH` and pages whose edges would cross in
more than :data:`MAX_CROSSINGS` points (pdfplumber's cell search is quadratic in them) are not
worked out here (``None``): the reader then asks pdfplumber. No Django.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber import utils
from pdfplumber.table import TableSettings, cells_to_tables, edges_to_intersections, merge_edges

__all__ = ["FORM_DEPTH", "MAX_CROSSINGS", "page_edges", "table_shapes"]

FORM_DEPTH = 4  # form XObjects nested deeper are not looked into (as when counting a page's objects)
MAX_CROSSINGS = 4_000  # vertical × horizontal edges after merging (a 40-row, 10-column table: 451)

_SETTINGS = TableSettings()
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_Matrix = tuple[float, float, float, float, float, float]
_Edge = dict


class _Unsupported(Exception):
    pass


def page_edges(page: pdfium.PdfPage) -> list[_Edge] | None:
    """The edges pdfplumber would find on ``page`` (``page.edges``), or None when they cannot be
    worked out here (a rotated page, forms nested too deep)."""
    if page.get_rotation() % 360:
        return None
    _, bottom, _, top = page.get_mediabox()
    edges: list[_Edge] = []
    walker = _Walker(abs(top - bottom), edges)
    raw = page.raw
    try:
        for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
            walker.walk(pdfium_c.FPDFPage_GetObject(raw, k), _IDENTITY, 0)
    except _Unsupported:
        return None
    return edges


class _Walker:
    def __init__(self, height: float, edges: list[_Edge]) -> None:
        self.height = height
        self.edges = edges
        self.x = ctypes.c_float()
        self.y = ctypes.c_float()
        self.matrix = pdfium_c.FS_MATRIX()

    def own_matrix(self, obj, outer: _Matrix) -> _Matrix:
        m = self.matrix
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
            return outer
        a, b, c, d, e, f = outer
        return (
            m.a * a + m.b * c,
            m.a * b + m.b * d,
            m.c * a + m.d * c,
            m.c * b + m.d * d,
            m.e * a + m.f * c + e,
            m.e * b + m.f * d + f,
        )

    def walk(self, obj, outer: _Matrix, depth: int) -> None:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            self.path(obj, self.own_matrix(obj, outer))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            count = max(0, pdfium_c.FPDFFormObj_CountObjects(obj))
            if not count:
                return
            if depth >= FORM_DEPTH:
                raise _Unsupported()
            matrix = self.own_matrix(obj, outer)
            for k in range(count):
                self.walk(pdfium_c.FPDFFormObj_GetObject(obj, k), matrix, depth + 1)

    def path(self, obj, matrix: _Matrix) -> None:
        a, b, c, d, e, f = matrix
        x, y, height = self.x, self.y, self.height
        get_segment = pdfium_c.FPDFPath_GetPathSegment
        get_point = pdfium_c.FPDFPathSegment_GetPoint
        get_type = pdfium_c.FPDFPathSegment_GetType
        get_close = pdfium_c.FPDFPathSegment_GetClose
        move, bezier = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
        points: list[tuple[float, float]] = []  # the subpath's points, as pdfminer lists them
        closed = False  # the subpath was closed (back to its start)
        beziers = 0
        for k in range(max(0, pdfium_c.FPDFPath_CountSegments(obj))):
            segment = get_segment(obj, k)
            kind = get_type(segment)
            get_point(segment, x, y)
            point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
            if kind == move:
                self.subpath(points, closed)
                points, closed, beziers = [point], False, 0
                continue
            if kind == bezier:
                beziers += 1
                if beziers % 3:
                    continue  # a control point
            if not points:
                continue  # pdfminer ignores a path that does not start with a move
            points.append(point)
            if get_close(segment):
                # PDFium closes with a line back to the start (pdfminer's "h" point)
                if point != points[0]:
                    points.append(points[0])
                closed = True
        self.subpath(points, closed)

    def subpath(self, points: list[tuple[float, float]], closed: bool) -> None:
        if len(points) < 2:
            return
        if len(points) == 2 or (closed and len(points) == 3 and points[2] == points[0]):
            # one segment ("m l", also closed: "m l h"): pdfminer's line, vertical unless level
            (x0, y0), (x1, y1) = points[0], points[1]
            self.edge(x0, y0, x1, y1, "h" if y0 == y1 else "v")
            return
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if x0 == x1:
                self.edge(x0, y0, x1, y1, "v")
            elif y0 == y1:
                self.edge(x0, y0, x1, y1, "h")

    def edge(self, x0: float, y0: float, x1: float, y1: float, orientation: str) -> None:
        left, right = min(x0, x1), max(x0, x1)
        top, bottom = min(y0, y1), max(y0, y1)
        self.edges.append(
            {
                "object_type": "path_edge",
                "x0": left,
                "x1": right,
                "top": top,
                "bottom": bottom,
                "width": right - left,
                "height": bottom - top,
                "orientation": orientation,
            }
        )


def table_shapes(edges: list[_Edge]) -> list[tuple[tuple[float, float, float, float], int]] | None:
    """The tables pdfplumber's finder (default settings, "lines" strategies) makes of ``edges``:
    (bbox as x0, top, x1, bottom; number of cells) each, in pdfplumber's order; None when the
    merged edges cross in more than :data:`MAX_CROSSINGS` points.

    The steps are pdfplumber's own (``TableFinder``), the cell search aside: :func:`_cells` finds
    the same cells as ``intersections_to_cells``, in the same order, looking each point's edges
    up once instead of at every comparison (ten times faster on a page-long table).
    """
    s = _SETTINGS
    prefiltered = utils.filter_edges(edges, min_length=s.edge_min_length_prefilter)
    merged = utils.filter_edges(
        merge_edges(
            prefiltered,
            snap_x_tolerance=s.snap_x_tolerance,
            snap_y_tolerance=s.snap_y_tolerance,
            join_x_tolerance=s.join_x_tolerance,
            join_y_tolerance=s.join_y_tolerance,
        ),
        min_length=s.edge_min_length,
    )
    vertical = sum(1 for e in merged if e["orientation"] == "v")
    if vertical * (len(merged) - vertical) > MAX_CROSSINGS:
        return None
    intersections = edges_to_intersections(merged, s.intersection_x_tolerance, s.intersection_y_tolerance)
    tables = cells_to_tables(_cells(intersections))
    return [
        (
            (
                min(c[0] for c in cells),
                min(c[1] for c in cells),
                max(c[2] for c in cells),
                max(c[3] for c in cells),
            ),
            len(cells),
        )
        for cells in tables
    ]


def _cells(intersections: dict) -> list[tuple[float, float, float, float]]:
    """``pdfplumber.table.intersections_to_cells``: for each intersection (in sorted order), the
    smallest cell it is the top left corner of — the nearest point below it and the nearest to
    its right that an edge joins it to, whose bottom right corner is an intersection joined to
    both by edges."""
    vertical = {p: frozenset(map(utils.obj_to_bbox, e["v"])) for p, e in intersections.items()}
    horizontal = {p: frozenset(map(utils.obj_to_bbox, e["h"])) for p, e in intersections.items()}
    points = sorted(intersections)
    column: dict[float, list] = {}  # x → its points, top to bottom
    row: dict[float, list] = {}  # top → its points, left to right
    place = {}  # point → where it is in its column and in its row
    for point in points:
        in_column = column.setdefault(point[0], [])
        in_row = row.setdefault(point[1], [])
        place[point] = (len(in_column), len(in_row))
        in_column.append(point)
        in_row.append(point)
    cells = []
    for point in points:
        x, top = point
        in_column, in_row = place[point]
        below = column[x][in_column + 1 :]
        right = row[top][in_row + 1 :]
        cell = None
        for below_point in below:
            if vertical[point].isdisjoint(vertical[below_point]):
                continue
            for right_point in right:
                if horizontal[point].isdisjoint(horizontal[right_point]):
                    continue
                corner = (right_point[0], below_point[1])
                if (
                    corner in intersections
                    and not vertical[corner].isdisjoint(vertical[right_point])
                    and not horizontal[corner].isdisjoint(horizontal[below_point])
                ):
                    cell = (x, top, corner[0], corner[1])
                    break
            if cell is not None:
                break
        if cell is not None:
            cells.append(cell)
    return cells
