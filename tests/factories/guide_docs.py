"""Builders of call-guide documents for the guide parser tests (plain Python, no Django).

* :func:`build_guide_text` writes a synthetic guide of any year from a :class:`GuideSpec`, in the style of
  the official text (blank-line paragraphs, half/full-width colons, a paragraph split by a page break,
  page numbers and a running header).
* :func:`write_guide_pdf` lays any guide text out on A4 pages with reportlab's built-in CID font
  ``STSong-Light`` (no font file needed): wrapped lines, indented first lines, a running header and
  ``— N —`` page numbers that a reader has to drop.
* :func:`write_guide_docx` writes the paragraphs (and optional table rows) with python-docx.
* :func:`write_image_only_pdf` writes a PDF whose only content is a picture (a "scan").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

FONT = "STSong-Light"


# ---------------------------------------------------------------------------
# Synthetic guide text
# ---------------------------------------------------------------------------


@dataclass
class DirectionSpec:
    title: str
    research: str = "开展关键技术联合研究，形成成套技术并开展示范应用。"
    research_items: list[str] = field(default_factory=list)
    indicators: str = "形成技术规范 1 项；系统效率不低于 90%。"
    ratio: tuple[int, int] | None = None  # 配套经费与国拨经费的比例不低于 a:b
    other: str = ""  # 其他要求 besides the ratio
    notes: str = ""  # 有关说明


@dataclass
class AreaSpec:
    title: str
    directions: list[DirectionSpec]
    intro: str = ""


@dataclass
class GuideSpec:
    year: int
    areas: list[AreaSpec]
    programme: str = "“战略性科技创新合作”重点专项"
    budget: str = "2.5 亿元"
    declared_count: int | None = None  # defaults to the real number of directions
    projects: tuple[int, int] = (1, 2)
    max_domestic_units: int = 10
    min_foreign_units: int = 1
    max_years: int = 3
    subtasks_allowed: bool = False
    pi_born: date = date(1962, 1, 1)
    registered_by: date = date(2021, 6, 30)
    half_width_colons: bool = False
    page_furniture: bool = True  # page numbers and a running header between paragraphs

    @property
    def title(self) -> str:
        return f"{self.programme} {self.year} 年度联合研发与示范项目申报指南"

    @property
    def direction_count(self) -> int:
        return sum(len(area.directions) for area in self.areas)


def _date(value: date) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日"


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _cjk_cut(text: str) -> int | None:
    """A position near the middle of ``text`` between two CJK characters (where a page may break)."""
    middle = len(text) // 2
    for offset in range(len(text) // 2):
        for cut in (middle + offset, middle - offset):
            if 0 < cut < len(text) and _is_cjk(text[cut - 1]) and _is_cjk(text[cut]):
                return cut
    return None


def build_guide_text(spec: GuideSpec) -> str:
    """A guide text whose every number, date, count and code comes from ``spec``."""
    colon = ":" if spec.half_width_colons else "："
    declared = spec.declared_count if spec.declared_count is not None else spec.direction_count
    low, high = spec.projects
    subtasks = "项目可下设课题" if spec.subtasks_allowed else "项目不下设任务（或课题）"
    running_header = f"{spec.programme}申报指南"
    paragraphs: list[str] = [
        "附件",
        spec.title,
        "一、总体目标和安排",
        f"本专项 {spec.year} 年度拟围绕全球共同挑战部署一批国际合作项目。",
        "二、领域和方向",
        f"本批次指南共计 {declared} 个二级指南方向。国拨经费概算 {spec.budget}人民币。"
        f"除特殊说明外，每个指南方向拟支持项目数为 {low}~{high} 项。",
        f"{subtasks}，中方参与单位总数不超过 {spec.max_domestic_units} 家，实施周期一般不超过 {spec.max_years} 年。"
        f"申报项目时须有 {spec.min_foreign_units} 个（或以上）国（境）外单位共同参与申报。具体指南方向如下。",
    ]
    page = 2
    for area_number, area in enumerate(spec.areas, start=1):
        paragraphs.append(f"{area_number}. {area.title}")
        if area.intro:
            paragraphs.append(area.intro)
        for index, direction in enumerate(area.directions, start=1):
            paragraphs.append(f"{area_number}.{index} {direction.title}")
            research = f"研究内容{colon}{direction.research}"
            cut = _cjk_cut(research)
            if spec.page_furniture and cut:
                # a page break in mid-sentence: the text continues after the page number
                paragraphs.extend([research[:cut], f"— {page} —", running_header, research[cut:]])
                page += 1
            else:
                paragraphs.append(research)
            for number, item in enumerate(direction.research_items, start=1):
                paragraphs.append(f"（{number}）{item}")
            paragraphs.append(f"考核指标{colon}{direction.indicators}")
            other = []
            if direction.ratio is not None:
                other.append(f"配套经费与国拨经费的比例不低于 {direction.ratio[0]}:{direction.ratio[1]}。")
            if direction.other:
                other.append(direction.other)
            if other:
                paragraphs.append(f"其他要求{colon}{''.join(other)}")
            if direction.notes:
                paragraphs.append(f"有关说明{colon}{direction.notes}")
    paragraphs += [
        f"{spec.programme} {spec.year}年度联合研发与示范项目 申报指南形式审查条件要求",
        "申报项目须符合以下形式审查条件要求。",
        "1. 推荐程序和填写要求",
        "(1) 由指南规定的推荐单位在规定时间内出具推荐函。",
        "(2) 项目申报书及附件按格式要求填写完整。",
        "2. 申报人应具备的资格条件",
        f"(1) 项目负责人应为 {_date(spec.pi_born)}以后出生，具有高级职称或博士学位。",
        "(2) 项目负责人限申报 1 个项目。",
        "3. 申报单位应具备的资格条件",
        "（1）在中国大陆境内登记注册的科研院所、高等学校和企业等法人单位。",
        f"（2）注册时间在 {_date(spec.registered_by)}前。",
        "4. 本重点专项指南规定的其他形式审查条件要求请参见具体指南说明。",
    ]
    if spec.page_furniture:
        paragraphs += [f"- {page} -", running_header]
    return "\n\n".join(paragraphs) + "\n"


def spec_ratios(spec: GuideSpec) -> list[float | None]:
    """The matching ratio each direction of ``spec`` was written with (a:b → a/b)."""
    return [
        None if d.ratio is None else d.ratio[0] / d.ratio[1] for area in spec.areas for d in area.directions
    ]


def other_year_spec() -> GuideSpec:
    """A 2023-style guide: 5 areas, 12 directions, other dates and limits, ratio 3:1 somewhere."""
    areas = []
    ratios = [(3, 1), (1, 1), None, (2, 1)]
    counter = 0
    for area_number, (title, count) in enumerate(
        [
            ("绿色低碳技术合作", 3),
            ("数字技术合作", 2),
            ("农业与食品安全合作", 2),
            ("公共卫生合作", 3),
            ("海洋与极地合作", 2),
        ],
        start=1,
    ):
        directions = []
        for index in range(1, count + 1):
            ratio = ratios[counter % len(ratios)]
            counter += 1
            directions.append(
                DirectionSpec(
                    title=f"{title.removesuffix('合作')}方向{index}联合研究",
                    research=f"围绕{title}开展第 {index} 项联合研究，形成可推广的技术方案。",
                    research_items=["建立联合实验平台；", "开展示范应用。"] if index == 1 else [],
                    indicators=f"形成技术规范 {index} 项；系统效率不低于 {80 + index}%；同 {index + 1} 个以上国家（地区、国际组织）开展合作。",
                    ratio=ratio,
                )
            )
        areas.append(
            AreaSpec(title, directions, intro="指南方向主要聚焦共性技术。" if area_number == 5 else "")
        )
    return GuideSpec(
        year=2023,
        areas=areas,
        budget="1.8 亿元",
        projects=(1, 3),
        max_domestic_units=8,
        min_foreign_units=2,
        max_years=4,
        pi_born=date(1965, 1, 1),
        registered_by=date(2022, 12, 31),
        half_width_colons=True,
    )


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _tokens(text: str) -> list[str]:
    """Wrapping units: ASCII words/numbers/LaTeX stay whole, every other character is its own unit."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if char.isascii() and not char.isspace():
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(char)
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, width: float, first_indent: float, font_size: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    limit = width - first_indent
    for token in _tokens(text):
        candidate = current + token
        if current and stringWidth(candidate, FONT, font_size) > limit:
            lines.append(current.rstrip())
            current = token.lstrip()
            limit = width
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines


def write_guide_pdf(
    text: str,
    path: str | Path,
    *,
    header: str | None = "战略性科技创新合作重点专项 申报指南",
    page_numbers: bool = True,
    encrypt: str | None = None,
    font_size: float = 10.5,
) -> Path:
    """Lay ``text`` (blank-line separated paragraphs) out as a PDF and return its path.

    STSong-Light has no glyph for the middle dot, so ``·`` is written the way PDF converters render it,
    ``\\cdot`` (the parser turns it back into ``·``).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register_font()
    path = Path(path)
    page_width, page_height = A4
    margin_x, margin_top, margin_bottom = 60.0, 100.0, 100.0
    leading = font_size * 1.55
    usable = page_width - 2 * margin_x
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    page = 1

    def furniture() -> None:
        pdf.setFont(FONT, 9)
        if header:
            pdf.drawCentredString(page_width / 2, page_height - 50, header)
        if page_numbers:
            pdf.drawCentredString(page_width / 2, 40, f"— {page} —")
        pdf.setFont(FONT, font_size)

    furniture()
    y = page_height - margin_top
    paragraphs = [p.strip() for p in text.replace("·", "\\cdot ").split("\n") if p.strip()]
    for paragraph in paragraphs:
        indent = font_size * 2
        for number, line in enumerate(wrap(paragraph, usable, indent, font_size)):
            if y < margin_bottom:
                pdf.showPage()
                page += 1
                furniture()
                y = page_height - margin_top
            pdf.drawString(margin_x + (indent if number == 0 else 0), y, line)
            y -= leading
    pdf.showPage()
    pdf.save()
    return path


def write_blank_pdf(path: str | Path, pages: int = 2) -> Path:
    """A PDF whose pages hold neither text nor pictures."""
    from reportlab.pdfgen import canvas

    path = Path(path)
    pdf = canvas.Canvas(str(path))
    for _ in range(pages):
        pdf.line(100, 100, 200, 200)
        pdf.showPage()
    pdf.save()
    return path


def write_image_only_pdf(path: str | Path) -> Path:
    """A one-page PDF holding only a picture, like a scanned guide."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = Path(path)
    image = Image.new("L", (400, 200), 255)
    draw = ImageDraw.Draw(image)
    for y in range(20, 180, 20):
        draw.line((20, y, 380, y), fill=0, width=3)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(image), 100, 400, width=400, height=200)
    pdf.showPage()
    pdf.save()
    return path


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def write_guide_docx(
    text: str,
    path: str | Path,
    *,
    header: str | None = "战略性科技创新合作重点专项 申报指南",
    table_rows: list[list[str]] | None = None,
    in_text_boxes: int = 0,
) -> Path:
    """Write each non-empty line of ``text`` as a paragraph, then ``table_rows`` as a table.

    ``in_text_boxes=n``: the lines go into text boxes of ``n`` paragraphs each, anchored in empty
    paragraphs, as Word writes them (a DrawingML shape under ``mc:Choice`` and its VML copy, with the
    same text, under ``mc:Fallback``)."""
    import docx

    path = Path(path)
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    lines = [line for line in (p.strip() for p in text.split("\n")) if line]
    if in_text_boxes:
        for start in range(0, len(lines), in_text_boxes):
            _add_text_box(document, lines[start : start + in_text_boxes])
    else:
        for line in lines:
            document.add_paragraph(line)
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for row, values in zip(table.rows, table_rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    document.save(str(path))
    return path


_BOX_NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _add_text_box(document, lines: list[str]) -> None:
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    inner = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines)
    run = parse_xml(
        f"<w:r {_BOX_NAMESPACES}><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:inline><wp:extent cx="5400000" cy="900000"/>'
        '<wp:docPr id="1" name="box"/><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
        "</a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox>"
        "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    document.add_paragraph()._p.append(run)


def write_unmapped_font_pdf(path: str | Path, pages: tuple[str, ...] = ("cid",)) -> Path:
    """A hand-made PDF whose ``"cid"`` pages use an Identity-H font without ToUnicode map.

    Such pages extract as ``(cid:18)(cid:52)…``; ``"text"`` pages carry readable Helvetica text.
    """
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        100: b"<< /Type /Font /Subtype /Type0 /BaseFont /Unmapped /Encoding /Identity-H /DescendantFonts [101 0 R] >>",
        101: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unmapped "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        102: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    page_ids = []
    number = 3
    for kind in pages:
        if kind == "cid":
            stream = b"BT /F1 12 Tf 72 720 Td <0012003400560078009a00bc> Tj ET"
        else:
            stream = b"BT /F2 12 Tf 72 720 Td (readable page) Tj ET"
        objects[number] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objects[number + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 100 0 R /F2 102 0 R >> >> /Contents %d 0 R >>" % number
        )
        page_ids.append(number + 1)
        number += 2
    kids = b" ".join(b"%d 0 R" % page for page in page_ids)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for key in sorted(objects):
        offsets[key] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (key, objects[key])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for key in range(1, size):
        out += b"%010d 00000 n \n" % offsets[key] if key in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path = Path(path)
    path.write_bytes(bytes(out))
    return path


# ---------------------------------------------------------------------------
# Comparing parses of different documents
# ---------------------------------------------------------------------------

_PROVENANCE_KEYS = {"source", "sources", "document_kind", "page_sizes"}


def structure(value):
    """A ``to_json`` dict (or a ParsedGuide) without provenance (sources, page sizes, document kind)
    and with warnings as their messages: what two documents of the same guide must share."""
    from guide.parsing.types import ParsedGuide, to_json

    if isinstance(value, ParsedGuide):
        value = to_json(value)
    if isinstance(value, dict):
        return {
            key: ([w["message"] for w in item] if key == "warnings" else structure(item))
            for key, item in value.items()
            if key not in _PROVENANCE_KEYS
        }
    if isinstance(value, list):
        return [structure(item) for item in value]
    return value
