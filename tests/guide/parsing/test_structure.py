"""The structure checks itself: headings only where the numbering allows them, every inconsistency a
warning attached to its item, and every value with the block (and page) it was read from."""

from guide.parsing.parser import parse_blocks, parse_text
from guide.parsing.readers import parse_file
from guide.parsing.types import CHECK, WARNING, Block, Box
from tests.factories.guide_docs import (
    AreaSpec,
    DirectionSpec,
    GuideSpec,
    build_guide_text,
    write_guide_pdf,
)


def small_spec(**changes) -> GuideSpec:
    areas = [
        AreaSpec("碳中和技术合作", [DirectionSpec("碳捕集技术联合研究"), DirectionSpec("氢能技术联合研究")]),
        AreaSpec("气候变化合作", [DirectionSpec("甲烷排放核算联合研究")]),
    ]
    return GuideSpec(year=2024, areas=areas, page_furniture=False, **changes)


def problems(guide) -> list[tuple[str | None, str]]:
    return [(w.item, w.message) for w in guide.warnings if w.severity == WARNING]


def with_paragraph_after(text: str, anchor: str, paragraph: str) -> str:
    return text.replace(anchor, anchor + "\n\n" + paragraph, 1)


def test_a_number_at_the_start_of_a_paragraph_is_not_a_direction_out_of_sequence():
    text = build_guide_text(small_spec())
    text = with_paragraph_after(text, "二、领域和方向", "1.2 亿元人民币用于支持联合研发")
    guide = parse_text(text)
    assert [d.code for d in guide.directions] == ["1.1", "1.2", "2.1"]
    assert guide.direction("1.2").title == "氢能技术联合研究"
    assert problems(guide) == [
        (
            None,
            "“1.2 亿元人民币用于支持联合研发” looks like a direction heading but the numbering expects 1.1: read as text",
        )
    ]


def test_a_number_followed_by_a_bracket_in_prose_is_never_a_heading():
    text = build_guide_text(small_spec())
    text = with_paragraph_after(
        text, "考核指标：形成技术规范 1 项；系统效率不低于 90%。", "1.1）所列指标均须在执行期内完成"
    )
    guide = parse_text(text)
    assert [d.code for d in guide.directions] == ["1.1", "1.2", "2.1"]
    assert guide.direction("1.1").indicators_text.endswith("1.1）所列指标均须在执行期内完成")


def test_a_direction_repeated_later_is_read_as_text_with_a_warning():
    text = build_guide_text(small_spec())
    text = with_paragraph_after(text, "2.1 甲烷排放核算联合研究", "1.1 碳捕集技术联合研究")
    guide = parse_text(text)
    assert [d.code for d in guide.directions] == ["1.1", "1.2", "2.1"]
    assert problems(guide) == [
        (
            "directions[2.1]",
            "“1.1 碳捕集技术联合研究” looks like a direction heading but the numbering expects 2.2: read as text",
        ),
        ("directions[2.1]", "direction 2.1: text before any label read as 研究内容"),
    ]


def test_a_numbering_gap_is_a_warning_on_the_direction():
    text = build_guide_text(small_spec()).replace("1.2 氢能技术联合研究", "1.3 氢能技术联合研究")
    guide = parse_text(text)
    assert [d.code for d in guide.directions] == ["1.1", "1.3", "2.1"]
    assert problems(guide) == [("directions[1.3]", "direction 1.3 follows 1.1: numbering gap")]


def test_missing_indicators_and_a_wrong_declared_count_are_warnings_on_their_items():
    text = build_guide_text(small_spec(declared_count=4)).replace(
        "考核指标：形成技术规范 1 项；系统效率不低于 90%。", "", 1
    )
    guide = parse_text(text)
    assert problems(guide) == [
        ("directions[1.1]", "direction 1.1: no 考核指标"),
        ("declared_direction_count", "the guide declares 4 directions but 3 were found"),
    ]


def test_a_formal_review_clause_cut_short_is_a_warning():
    text = build_guide_text(small_spec()).replace(
        "(2) 项目负责人限申报 1 个项目。", "(2) 项目负责人限申报 1 个"
    )
    guide = parse_text(text)
    assert problems(guide) == [
        ("formal_review[2(2)]", "formal-review clause 2(2) ends without punctuation: it may be cut short")
    ]


def test_qualitative_indicators_are_listed_as_items_to_check():
    text = build_guide_text(small_spec()).replace(
        "2.1 甲烷排放核算联合研究",
        "2.1 甲烷排放核算联合研究\n\n研究内容：开展联合核算。\n\n考核指标：建立联合核算机制；误差小于 5%。",
        1,
    )
    guide = parse_text(text)
    checks = [(w.item, w.severity, w.message) for w in guide.warnings if w.severity == CHECK]
    assert checks == [
        (
            "directions[2.1].indicators[0]",
            CHECK,
            "direction 2.1: indicator 1 has no comparator (qualitative): check it against the text",
        )
    ]
    assert [(i.text, i.comparator) for i in guide.direction("2.1").indicators] == [
        ("建立联合核算机制", None),
        ("误差小于 5%", "<"),
        ("形成技术规范 1 项", "="),
        ("系统效率不低于 90%", ">="),
    ]


def test_every_value_of_a_text_guide_points_at_its_paragraph():
    text = build_guide_text(small_spec())
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    guide = parse_text(text)

    def number(starts: str) -> int:
        return next(i for i, p in enumerate(paragraphs, start=1) if p.startswith(starts))

    direction = guide.direction("1.2")
    assert direction.sources["title"].blocks == (number("1.2 氢能"),)
    indicator_paragraphs = [i for i, p in enumerate(paragraphs, start=1) if p.startswith("考核指标")]
    assert direction.indicators[1].source.blocks == (indicator_paragraphs[1],)
    assert guide.sources["total_budget_yuan"].blocks == (number("本批次指南"),)
    assert guide.sources["eligibility.max_domestic_units"].blocks == (number("项目不下设"),)
    assert guide.sources["eligibility.pi_born_on_or_after"].blocks == (number("(1) 项目负责人应为"),)
    assert [c.source.blocks for c in guide.formal_review][:2] == [
        (number("(1) 由指南"),),
        (number("(2) 项目申报书"),),
    ]
    assert guide.areas[1].source.blocks == (number("2. 气候变化"),)


def test_a_pdf_value_points_at_its_page_and_lines(tmp_path):
    pdf = write_guide_pdf(build_guide_text(small_spec()), tmp_path / "guide.pdf")
    guide = parse_file(pdf)
    assert guide.document_kind == "pdf"
    assert len(guide.page_sizes) >= 1 and guide.page_sizes[0] == (595.3, 841.9)
    source = guide.sources["eligibility.pi_born_on_or_after"]
    assert source.pages == (guide.page_sizes.index(guide.page_sizes[-1]) + 1,) or source.pages
    for box in source.boxes:
        width, height = guide.page_sizes[box.page - 1]
        assert 0 <= box.x0 < box.x1 <= width and 0 <= box.top < box.bottom <= height
    title_source = guide.direction("2.1").sources["title"]
    assert len(title_source.boxes) == 1  # one line


def test_the_source_of_a_part_of_a_paragraph_is_only_its_lines():
    boxes = tuple(Box(3, 90, 100 + 28 * i, 506, 116 + 28 * i) for i in range(3))
    block = Block(7, "甲" * 20 + "乙" * 20 + "丙" * 20, boxes, line_chars=(20, 20, 20))
    assert block.span_source(22, 30).boxes == (boxes[1],)
    assert block.span_source(15, 45).boxes == boxes
    assert block.span_source(15, 45).pages == (3,)


def test_layout_blocks_are_parsed_with_their_sources():
    spec_text = build_guide_text(small_spec())
    blocks = [
        Block(i, p, (Box(1 + i // 10, 90, 100, 506, 116),))
        for i, p in enumerate(spec_text.split("\n\n"), 1)
        if p.strip()
    ]
    guide = parse_blocks(blocks, document_kind="pdf", page_sizes=[(595.3, 841.9)] * 5)
    assert guide.direction("2.1").sources["title"].pages == (2,)
    assert guide.document_kind == "pdf"
