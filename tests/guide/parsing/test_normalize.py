import re

import pytest

from guide.parsing.normalize import (
    continues,
    is_page_number,
    normalize_inline,
    normalize_math,
    normalize_text,
    remove_cjk_spaces,
    smart_join,
    split_paragraphs,
    split_top_level,
)

CJK_PAIR_WITH_SPACE = re.compile(
    r"[\u4e00-\u9fff，。；：！？、（）“”][ \t\u3000]+[\u4e00-\u9fff，。；：！？、（）“”]"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"$\geq 10\%$", "≥ 10%"),
        (r"$\leq 10\%$", "≤ 10%"),
        (r"$\geq 2.0\text{wt}\%$", "≥ 2.0wt%"),
        (r"$\leq 65^\circ\text{C}$", "≤ 65°C"),
        (r"$1 \times 10^{-6}$", "1×10⁻⁶"),
        (r"$\leq \pm 10\mu\text{m}$", "≤ ±10μm"),
        (r"$\text{ICR} \leq 2.5\text{m}\Omega\cdot\text{cm}^2$", "ICR ≤ 2.5mΩ·cm²"),
        (r"$5\% \sim 150\%$", "5%~150%"),
        (r"$0.25^{\circ} \times 0.31^{\circ}$", "0.25°×0.31°"),
        (r"$-40^\circ\text{C} \sim 120^\circ\text{C}$", "-40°C~120°C"),
        (r"$\leq 1\text{ppm mbar}\cdot\text{L/s}$", "≤ 1ppm mbar·L/s"),
        (r"$\leq 23^\circ$", "≤ 23°"),
        ("NO_x 排放", "NOx 排放"),
    ],
)
def test_normalize_inline_turns_latex_into_unicode(raw, expected):
    assert normalize_inline(raw) == expected


def test_normalize_math_leaves_plain_text_alone():
    assert normalize_math("氧浓度 ≥25%") == "氧浓度 ≥25%"


def test_math_followed_by_chinese_text_loses_the_space_before_cjk_punctuation():
    assert normalize_inline(r"误差 $\leq 10\%$ ；完成") == "误差 ≤ 10%；完成"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("研究内容: 合作研究新型焦耳", "研究内容：合作研究新型焦耳"),
        ("考核指标 ：合作实现", "考核指标：合作实现"),
        ("系统全工况优化设计, 高温储热", "系统全工况优化设计，高温储热"),
        ("示范项目 申报指南", "示范项目申报指南"),
        ("１０％以上", "10%以上"),
        ("　全角空格　开头", "全角空格开头"),
        ("IEC 61853-4:2018 标准", "IEC 61853-4:2018 标准"),
        ("比例不低于 2:1。", "比例不低于 2:1。"),
        ("涂层制造成本小于 35 元人民币/ m²", "涂层制造成本小于 35 元人民币/m²"),
        ("0.18mm; 连接后", "0.18mm；连接后"),
    ],
)
def test_normalize_inline_unifies_colons_punctuation_and_spaces(raw, expected):
    assert normalize_inline(raw) == expected


def test_remove_cjk_spaces_keeps_spaces_next_to_ascii():
    assert remove_cjk_spaces("开展 区域 CCUS 源汇 匹配") == "开展区域 CCUS 源汇匹配"


@pytest.mark.parametrize("line", ["— 2 —", "- 12 -", "–3–", "第 4 页", "第4页 共20页", "7", "3 / 20"])
def test_page_numbers_are_recognised(line):
    assert is_page_number(line)


@pytest.mark.parametrize(
    "line", ["1. 碳捕集利用与封存（CCUS）技术合作", "2:1", "1.1 工业领域", "共 3 页以上"]
)
def test_text_is_not_a_page_number(line):
    assert not is_page_number(line)


def test_a_paragraph_split_by_a_page_break_is_joined_again():
    text = "研究内容：构建二氧化碳地质封存综合评价技术体系，提\n\n— 3 —\n\n升封存汇与排放源的动态匹配分析能力。\n"
    assert split_paragraphs(text) == [
        "研究内容：构建二氧化碳地质封存综合评价技术体系，提升封存汇与排放源的动态匹配分析能力。"
    ]


def test_running_headers_repeated_on_pages_are_dropped_but_repeated_labels_stay():
    header = "“战略性科技创新合作”重点专项申报指南"
    text = "\n\n".join(
        [
            "1.1 方向一",
            "其他要求：配套经费与国拨经费的比例不低于 1:1。",
            header,
            "- 2 -",
            "1.2 方向二",
            "其他要求：配套经费与国拨经费的比例不低于 1:1。",
            header,
            "- 3 -",
            "1.3 方向三",
            "其他要求：配套经费与国拨经费的比例不低于 1:1。",
            header,
            "- 4 -",
        ]
    )
    paragraphs = split_paragraphs("附件\n\n标题\n\n说明文字。\n\n正文。\n\n再一段。\n\n" + text)
    assert header not in paragraphs
    assert paragraphs.count("其他要求：配套经费与国拨经费的比例不低于 1:1。") == 3
    assert paragraphs[-1] == "其他要求：配套经费与国拨经费的比例不低于 1:1。"


def test_headings_titles_and_labels_are_not_joined_to_the_next_line():
    text = "\n".join(
        [
            "附件",
            "“战略性科技创新合作”重点专项 2022 年度联合研发与示范项目申报指南",
            "（仅国家科技管理信息系统注册用户登陆可见）",
            "9. 气候变化领域合作",
            "指南方向主要聚焦气候变化的影响与适应。",
            "9.1 甲烷排放的星-地监测评估方法与标准联合研究",
            "研究内容：充分利用国际合作优势",
            "考核指标：",
            "(1) 催化剂载体",
            "性状要求：最可几孔径 3~15nm 可调、可控。",
        ]
    )
    assert split_paragraphs(text) == [
        "附件",
        "“战略性科技创新合作”重点专项 2022 年度联合研发与示范项目申报指南",
        "（仅国家科技管理信息系统注册用户登陆可见）",
        "9. 气候变化领域合作",
        "指南方向主要聚焦气候变化的影响与适应。",
        "9.1 甲烷排放的星-地监测评估方法与标准联合研究",
        "研究内容：充分利用国际合作优势",
        "考核指标：",
        "(1) 催化剂载体",
        "性状要求：最可几孔径 3~15nm 可调、可控。",
    ]


def test_a_generic_label_inside_a_broken_sentence_is_joined():
    assert continues(
        "全球甲烷排放总量与国际先进研究结果的集合平均差异小于 5%，其中", "中国地区甲烷排放：自然湿地小于 20%"
    )
    assert not continues("……技术体系。", "考核指标：形成规范 1 项")
    assert not continues("(1) 催化剂载体", "性状要求：最可几孔径 3~15nm")


def test_numbers_split_across_lines_are_rejoined():
    text = "成形单极板流道间节长 $\\leq 1.30 \\pm$\n\n0.01mm, 接触扩散层 GDL 的极板脊部平面度 $\\leq 30\\mu\\text{m}$；"
    assert split_paragraphs(text) == [
        "成形单极板流道间节长 ≤ 1.30±0.01mm，接触扩散层 GDL 的极板脊部平面度 ≤ 30μm；"
    ]


def test_smart_join_puts_a_space_only_between_ascii_words():
    assert smart_join("符合 IEC", "61853 标准") == "符合 IEC 61853 标准"
    assert smart_join("开展区域", "CCUS 源汇") == "开展区域CCUS 源汇"
    assert smart_join("提", "升") == "提升"


def test_split_top_level_ignores_separators_inside_brackets():
    assert split_top_level("电压衰减 ≤ 30mV (0.6V~0.95V, 3万圈，方波)，额定功率衰减 < 2%", "，,") == [
        "电压衰减 ≤ 30mV (0.6V~0.95V, 3万圈，方波)",
        "额定功率衰减 < 2%",
    ]
    assert split_top_level("1,000 人，2 项", "，,") == ["1,000 人", "2 项"]
    assert split_top_level("未闭合（括号，a，b", "，") == ["未闭合（括号", "a", "b"]


def test_the_whole_2022_text_normalises_without_latex_or_cjk_spaces(guide_2022_text):
    text = normalize_text(guide_2022_text)
    assert "$" not in text
    assert "\\" not in text
    assert "\\text" not in text and "\\geq" not in text
    assert CJK_PAIR_WITH_SPACE.search(text) is None
    assert "提升封存汇与排放源的动态匹配分析能力" in text
    assert "提\n" not in text
