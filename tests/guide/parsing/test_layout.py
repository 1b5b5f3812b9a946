"""Lines and blocks from positioned characters (guide.parsing.layout), with hand-made characters."""

from guide.parsing.layout import (
    Char,
    blocks_from_lines,
    drop_furniture,
    join_broken_blocks,
    lines_from_chars,
)
from guide.parsing.types import Block

LEFT, RIGHT, SIZE = 90.0, 506.0, 16.0


def line_chars(
    text: str, top: float, *, x0: float = LEFT, size: float = SIZE, bold: bool = False
) -> list[Char]:
    """Characters of one line, each ``size`` wide; ``^x``/``_x`` draws ``x`` small and raised/lowered."""
    chars = []
    x = x0
    baseline = top + size * 0.88
    index = 0
    while index < len(text):
        char = text[index]
        if char in "^_" and index + 1 < len(text):
            small = text[index + 1]
            shift = -size * 0.33 if char == "^" else size * 0.1
            chars.append(
                Char(
                    small,
                    x,
                    x + size * 0.58,
                    top + shift,
                    top + shift + size * 0.58,
                    baseline + shift,
                    size * 0.58,
                    bold,
                )
            )
            x += size * 0.58
            index += 2
            continue
        width = size if ord(char) > 0x2E80 else size * 0.55
        chars.append(Char(char, x, x + width, top, top + size, baseline, size, bold))
        x += width
        index += 1
    return chars


def page_lines(rows: list[tuple], page: int = 1):
    chars = []
    for row in rows:
        text, top, *rest = row
        options = rest[0] if rest else {}
        chars.extend(line_chars(text, top, **options))
    return lines_from_chars(chars, page)


FULL = "中" * 26  # 26 × 16 pt = 416 pt: from the left margin to the right one


def test_superscripts_and_subscripts_become_unicode_in_place():
    lines = page_lines([("面积 ≥ 1200cm^2，浓度 1×10^-^6 mol/mol，NO_x 排放 ≤ 50mg/m^3。", 100)])
    assert [line.text for line in lines] == ["面积 ≥ 1200cm²，浓度 1×10⁻⁶ mol/mol，NOₓ 排放 ≤ 50mg/m³。"]


def test_a_superscript_without_unicode_form_is_written_with_a_caret():
    lines = page_lines([("注^a见附件", 100)])
    assert [line.text for line in lines] == ["注^a见附件"]


def test_lines_break_where_the_text_goes_back_to_the_left():
    lines = page_lines([(FULL, 100), ("第二行", 128)])
    assert [line.text for line in lines] == [FULL, "第二行"]


def test_a_bold_heading_that_wraps_stays_one_heading():
    title = "1.1 " + "工业领域燃烧中碳捕集共性关键技术" * 2
    lines = page_lines(
        [
            (title[:27], 100, {"bold": True}),
            (title[27:], 128, {"bold": True}),
            ("研究内容：面向工业领域的需求。", 156, {"x0": LEFT + 2 * SIZE}),
        ]
    )
    blocks = blocks_from_lines(lines)
    assert [(b.text, b.bold) for b in blocks] == [
        (title.replace(" ", " ", 1), True),
        ("研究内容：面向工业领域的需求。", False),
    ]


def test_a_number_at_the_start_of_a_wrapped_line_stays_in_its_sentence():
    lines = page_lines(
        [
            ("本批次指南共计 39 个方向，国拨经费概算" + "中" * 6, 100, {"x0": LEFT + 2 * SIZE}),
            ("1.2 亿元人民币。", 128),
        ]
    )
    blocks = blocks_from_lines(lines)
    assert [b.text for b in blocks] == ["本批次指南共计 39 个方向，国拨经费概算中中中中中中1.2 亿元人民币。"]


def test_an_indented_line_or_a_short_previous_line_starts_a_paragraph():
    lines = page_lines(
        [
            ("第一段开始" + "中" * 19, 100, {"x0": LEFT + 2 * SIZE}),
            ("第一段结束。", 128),
            ("第二段紧接短行之后。", 156),
            ("第三段缩进" + "中" * 19, 184, {"x0": LEFT + 2 * SIZE}),
        ]
    )
    blocks = blocks_from_lines(lines)
    assert [(b.text[:5], b.indented) for b in blocks] == [
        ("第一段开始", True),
        ("第二段紧接", False),
        ("第三段缩进", True),
    ]


def test_a_wrapped_centred_heading_is_one_block():
    first = "“战略性科技创新合作”重点专项2022年度项目申报指南形式"
    lines = page_lines(
        [
            (FULL, 60),  # a full body line: the column is the whole width
            (first, 100, {"x0": LEFT, "bold": True}),
            ("审查条件要求", 128, {"x0": LEFT + 10 * SIZE, "bold": True}),
            ("1. 推荐程序和填写要求", 156, {"x0": LEFT + 2 * SIZE}),
        ]
    )
    blocks = blocks_from_lines(lines)
    assert [b.text for b in blocks][1:] == [first + "审查条件要求", "1. 推荐程序和填写要求"]


def test_a_paragraph_goes_on_across_a_page_break():
    lines = page_lines([("跨页的段落" + "中" * 21, 700, {"x0": LEFT})]) + page_lines(
        [("在下一页结束。", 80)], page=2
    )
    lines[0].page = 1
    blocks = blocks_from_lines(lines)
    assert [(b.text, [box.page for box in b.boxes]) for b in blocks] == [
        ("跨页的段落" + "中" * 21 + "在下一页结束。", [1, 2])
    ]


def test_running_headers_and_page_numbers_are_dropped():
    lines = []
    for page in (1, 2, 3):
        lines += page_lines(
            [("战略性科技创新合作重点专项", 30), (f"正文第 {page} 页。", 300), (f"— {page} —", 800)], page
        )
    body = drop_furniture(lines, {1: 842.0, 2: 842.0, 3: 842.0}, 3)
    assert [line.text for line in body] == ["正文第 1 页。", "正文第 2 页。", "正文第 3 页。"]


def test_blocks_keep_one_box_per_line_and_the_lines_lengths():
    lines = page_lines([("段落开头" + "中" * 22, 100, {"x0": LEFT + 2 * SIZE}), ("结尾。", 128)])
    (block,) = blocks_from_lines(lines)
    assert [round(box.top) for box in block.boxes] == [100, 128]
    assert block.line_chars == (26, 3)
    assert block.span_source(27, 29).boxes == (block.boxes[1],)


def test_a_paragraph_broken_mid_sentence_is_joined_unless_a_heading_is_involved():
    blocks = [
        Block(1, "研究内容：面向规模化二氧化碳地质封存需求，构建综合评价技术体系，提"),
        Block(2, "升封存汇与排放源的动态匹配分析能力。"),
        Block(3, "1.2 二氧化碳驱油技术", bold=True),
        Block(4, "考核指标：形成规范 1 项。"),
    ]
    joined = join_broken_blocks(blocks)
    assert [(b.index, b.text) for b in joined] == [
        (
            1,
            "研究内容：面向规模化二氧化碳地质封存需求，构建综合评价技术体系，提升封存汇与排放源的动态匹配分析能力。",
        ),
        (2, "1.2 二氧化碳驱油技术"),
        (3, "考核指标：形成规范 1 项。"),
    ]
