"""guide.diff: matching directions and indicators, readable text diffs, the conditions by parameter and
scope, the summary in both languages.

Plain Python: synthetic to_json dicts, guides written by the builder (tests/factories/guide_docs.py), the
bundled 2022 and 2023 guides, whose differences fixtures/guides/2023-strategic-cooperation.changes.md
lists, and the family's young-scientist guide against a copy changed here."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import guide.comparison
from guide.diff import (
    Place,
    TextDiff,
    diff_conditions,
    diff_guides,
    diff_text,
    diff_to_json,
    format_ratio,
    render_text,
)
from guide.parsing.parser import parse_text
from guide.parsing.readers import parse_file
from guide.parsing.types import to_json
from tests.factories.guide_docs import AreaSpec, DirectionSpec, GuideSpec, build_guide_text

GUIDES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
YOUNG = GUIDES / "family" / "young-scientist-2024.txt"

# What young_scientist_changed does to the young-scientist guide: (old, new, how often old occurs).
YOUNG_CHANGES = (
    # 基础研究类 units 6 → 8, in the general part and in the formal review alike
    ("项目参与单位总数不超过 6 家", "项目参与单位总数不超过 8 家", 2),
    # the 男性 cutoff of 青年科学家项目 dropped, the 女性 one kept
    ("年龄要求，男性应为 1986 年 1 月 1 日以后出生，女性应为", "年龄要求，女性应为", 1),
    # no registration date any more: the call-wide value becomes a MISSING placeholder
    ("(2) 注册时间在 2023 年 6 月 30 日前。", "(2) 注册时间另行通知。", 1),
    # direction 3.2 changes type
    (
        "盐碱地综合治理技术集成与应用示范（应用示范类）",
        "盐碱地综合治理技术集成与应用示范（共性关键技术类）",
        1,
    ),
    # direction 2.2's own projects supported 1 → 2
    ("有关说明：拟支持项目数 1 项。", "有关说明：拟支持项目数 2 项。", 1),
)


def young_scientist_changed() -> str:
    """The text of the young-scientist guide with YOUNG_CHANGES made (each must apply as counted)."""
    text = YOUNG.read_text(encoding="utf-8")
    for old, new, count in YOUNG_CHANGES:
        assert text.count(old) == count, old
        text = text.replace(old, new)
    return text


def indicator(text, subject=None, comparator=None, value=None, unit=None, value_max=None, position=0) -> dict:
    return {
        "position": position,
        "text": text,
        "subject": subject,
        "comparator": comparator,
        "value": value,
        "value_max": value_max,
        "unit": unit,
        "source": None,
    }


def direction(
    code, title, *, content="开展联合研究。", ratio=None, indicators=(), partners=(), **more
) -> dict:
    return {
        "code": code,
        "area": int(code.split(".")[0]),
        "title": title,
        "research_content": content,
        "research_items": [],
        "indicators_text": "",
        "indicators": list(indicators),
        "matching_ratio": ratio,
        "notes": more.get("notes", ""),
        "other_requirements": more.get("other", ""),
        "partner_requirements": list(partners),
        "sources": {},
    }


def guide(*directions, year=2022, clauses=(), **general) -> dict:
    return {
        "year": year,
        "title": "指南",
        "declared_direction_count": general.get("declared", len(directions)),
        "total_budget_yuan": general.get("budget", 250_000_000),
        "projects_per_direction": general.get("projects", {"min": 1, "max": 2}),
        "eligibility": {
            "pi_born_on_or_after": "1962-01-01",
            "unit_registered_by": "2021-06-30",
            "max_domestic_units": 10,
            "min_foreign_units": 1,
            "max_duration_years": 3,
            "subtasks_allowed": False,
            **general.get("eligibility", {}),
        },
        "areas": [],
        "directions": list(directions),
        "formal_review": [
            {"clause": c, "section": int(c[0]), "section_title": "", "text": t, "source": None}
            for c, t in clauses
        ],
        "warnings": [],
        "sources": {},
        "document_kind": "text",
        "page_sizes": [],
    }


def partner(kind, value, strength="required", counts_regions=False) -> dict:
    return {
        "kind": kind,
        "value": value,
        "strength": strength,
        "counts_regions": counts_regions,
        "text": "",
        "source": None,
    }


def lines(diff, lang="zh") -> list[str]:
    return render_text(diff, lang).splitlines()


# --------------------------------------------------------------------------- #
# Text diffs
# --------------------------------------------------------------------------- #


def test_text_diff_keeps_numbers_and_latin_words_whole():
    diff = diff_text("建造海上 20MW 以上机组", "建造海上 25MW 以上机组")
    assert diff.ops == (
        ("equal", "建造海上 "),
        ("delete", "20MW"),
        ("insert", "25MW"),
        ("equal", " 以上机组"),
    )
    assert diff.places == [Place("建造海上 ", "20MW", "25MW", " 以上机组")]


def test_text_diff_of_chinese_is_by_character_grouped_into_runs():
    diff = diff_text("研究生物质炭制备技术", "研究氢基竖炉直接还原技术、生物质炭制备技术")
    assert diff.ops == (
        ("equal", "研究"),
        ("insert", "氢基竖炉直接还原技术、"),
        ("equal", "生物质炭制备技术"),
    )


def test_text_diff_folds_a_single_equal_character_between_two_changes():
    diff = diff_text("叶片长度达到 150 米以上", "叶片长度达到 180 米及以上")
    assert diff.ops == (
        ("equal", "叶片长度达到 "),
        ("delete", "150 米"),
        ("insert", "180 米及"),
        ("equal", "以上"),
    )


def test_text_diff_of_equal_texts_is_none_and_of_empty_ones_all_inserted():
    assert diff_text("同样", "同样") is None
    assert diff_text("", "") is None
    assert diff_text("", "新增条款。") == TextDiff("", "新增条款。", (("insert", "新增条款。"),))


def test_context_of_a_place_stops_at_a_clause_boundary():
    diff = diff_text("完成示范，匹配研发150米叶片", "完成示范，匹配研发180米叶片")
    assert diff.places == [Place("匹配研发", "150", "180", "米叶片")]


# --------------------------------------------------------------------------- #
# Matching directions
# --------------------------------------------------------------------------- #


def test_the_same_guide_has_no_changes():
    a = to_json(parse_file(GUIDES / "2022-strategic-cooperation.txt"))
    diff = diff_guides(a, copy.deepcopy(a))
    assert (diff.empty, lines(diff)) == (True, ["2022 → 2022 指南的变化", "两份指南的内容相同。"])
    assert lines(diff, "en") == [
        "Changes from the 2022 guide to the 2022 guide",
        "The two guides say the same.",
    ]


def test_a_removed_direction_is_not_paired_with_the_one_renumbered_into_its_place():
    a = guide(
        direction("6.3", "化工行业低碳零碳关键技术和装备联合研发"),
        direction("6.4", "“双高”工业集聚区低碳零碳技术比较与应用联合研究"),
    )
    b = guide(direction("6.3", "“双高”工业集聚区低碳零碳技术比较与应用联合研究"), year=2023)
    diff = diff_guides(a, b)
    assert ([d["code"] for d in diff.removed], diff.added) == (["6.3"], [])
    assert [(c.code_a, c.code_b, c.renamed, c.renumbered) for c in diff.directions] == [
        ("6.4", "6.3", False, True)
    ]
    assert lines(diff)[-8:] == [
        "方向",
        "方向 2 个 → 1 个：新增 0 个，删除 1 个，改名 0 个，改编号 1 个，内容有变化 0 个。",
        "",
        "删除的方向",
        "- 6.3 化工行业低碳零碳关键技术和装备联合研发",
        "",
        "改编号的方向",
        "- 6.4 → 6.3 “双高”工业集聚区低碳零碳技术比较与应用联合研究",
    ]


def test_a_direction_renamed_under_its_code_with_its_content_is_renamed():
    content = "研究不间断电源参与电网调节的控制策略，开展示范应用。"
    a = guide(direction("3.3", "数据中心不间断电源主动电网支撑关键技术联合研发", content=content))
    b = guide(direction("3.3", "数据中心不间断电源与储能协同参与电网调节关键技术联合研发", content=content))
    diff = diff_guides(a, b)
    assert (diff.added, diff.removed) == ([], [])
    assert lines(diff)[-2:] == [
        "改名的方向",
        "- 3.3 数据中心不间断电源主动电网支撑关键技术联合研发 → 数据中心不间断电源与储能协同参与电网调节关键技术联合研发",
    ]


def test_an_unrelated_direction_under_the_same_code_is_removed_and_added():
    a = guide(direction("1.3", "区域二氧化碳捕集与封存关键技术研发与示范", content="开展区域封存场地评价。"))
    b = guide(
        direction(
            "1.3",
            "二氧化碳矿化利用与工业固废协同处置关键技术联合研发",
            content="研发矿化利用工艺。",
            ratio=2.0,
        )
    )
    diff = diff_guides(a, b)
    assert ([d["code"] for d in diff.removed], [d["code"] for d in diff.added], diff.directions) == (
        ["1.3"],
        ["1.3"],
        [],
    )
    assert lines(diff)[-5:] == [
        "新增方向",
        "- 1.3 二氧化碳矿化利用与工业固废协同处置关键技术联合研发（配套比例 2:1）",
        "",
        "删除的方向",
        "- 1.3 区域二氧化碳捕集与封存关键技术研发与示范",
    ]


def test_a_direction_renumbered_and_retitled_slightly_is_both():
    content = "围绕城市温室气体与大气污染物开展协同控制研究，建立监测评估体系。"
    a = guide(direction("9.5", "城市温室气体与大气污染物协同控制及监测评估联合研究", content=content))
    b = guide(direction("9.4", "城市温室气体与大气污染物协同控制与监测评估联合研究", content=content))
    diff = diff_guides(a, b)
    assert lines(diff)[-2:] == [
        "改编号的方向",
        "- 9.5 → 9.4 城市温室气体与大气污染物协同控制及监测评估联合研究 → 城市温室气体与大气污染物协同控制与监测评估联合研究",
    ]
    assert "改名的方向" not in lines(diff)  # listed once, with its new number


# --------------------------------------------------------------------------- #
# Inside a direction
# --------------------------------------------------------------------------- #


def test_indicator_thresholds_read_as_before_and_after():
    a = guide(
        direction(
            "1.1",
            "方向",
            indicators=[
                indicator("系统效率不低于 90%", "系统效率", ">=", 90.0, "%"),
                indicator("成本 ≤ 250 元/吨", "成本", "<=", 250.0, "元/吨", position=1),
                indicator("温度 600~800 ℃", "温度", "range", 600.0, "℃", 800.0, position=2),
                indicator("热耗降低 25%", "热耗降低", "=", 25.0, "%", position=3),
                indicator("形成技术规范 1 项", "技术规范", ">=", 1.0, "项", position=4),
            ],
        )
    )
    b = guide(
        direction(
            "1.1",
            "方向",
            indicators=[
                indicator("系统效率不低于 95%", "系统效率", ">=", 95.0, "%"),
                indicator("成本 ≤ 220 元/吨", "成本", "<=", 220.0, "元/吨", position=1),
                indicator("温度 650~800 ℃", "温度", "range", 650.0, "℃", 800.0, position=2),
                indicator("热耗降低 30%", "热耗降低", "=", 30.0, "%", position=3),
                indicator("申请发明专利 5 项以上", "发明专利", ">=", 5.0, "项", position=4),
            ],
        )
    )
    assert lines(diff_guides(a, b))[-7:] == [
        "1.1 方向",
        "  - 系统效率 ≥ 90% → ≥ 95%",
        "  - 成本 ≤ 250 元/吨 → ≤ 220 元/吨",
        "  - 温度 600~800℃ → 650~800℃",
        "  - 热耗降低 25% → 30%",
        "  - 删去指标：形成技术规范 1 项",
        "  - 新增指标：申请发明专利 5 项以上",
    ]


def test_an_indicator_whose_subject_changed_says_so():
    a = guide(direction("1.1", "方向", indicators=[indicator("系统效率 ≥ 90%", "系统效率", ">=", 90.0, "%")]))
    b = guide(
        direction(
            "1.1", "方向", indicators=[indicator("系统综合效率 ≥ 90%", "系统综合效率", ">=", 90.0, "%")]
        )
    )
    assert lines(diff_guides(a, b))[-1] == "  - 系统效率 → 系统综合效率"


def test_an_indicator_reworded_with_the_same_threshold_quotes_the_wording():
    a = guide(direction("8.2", "方向", indicators=[indicator("NOx排放满足 Tier III", "NOx排放")]))
    b = guide(direction("8.2", "方向", indicators=[indicator("NOₓ排放满足 Tier III", "NOₓ排放")]))
    assert lines(diff_guides(a, b))[-1] == "  - 指标原文：“NOx排放满足 Tier”改为“NOₓ排放满足 Tier”"


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        (2.0, 3.0, "配套经费比例：2:1 → 3:1"),
        (None, 1.0, "配套经费比例：无配套要求 → 1:1"),
        (1.0, None, "配套经费比例：1:1 → 无配套要求"),
        (0.5, 1.5, "配套经费比例：1:2 → 3:2"),
    ],
)
def test_matching_ratio_changes(before, after, line):
    diff = diff_guides(
        guide(direction("2.2", "方向", ratio=before)), guide(direction("2.2", "方向", ratio=after))
    )
    assert lines(diff)[-2:] == ["2.2 方向", f"  - {line}"]


def test_the_ratio_sentence_of_other_requirements_is_not_reported_twice():
    a = guide(direction("3.4", "方向", ratio=None, other=""))
    b = guide(direction("3.4", "方向", ratio=1.0, other="配套经费与国拨经费的比例不低于 1:1。"))
    assert lines(diff_guides(a, b))[-2:] == ["3.4 方向", "  - 配套经费比例：无配套要求 → 1:1"]


def test_partner_rules_changed_added_and_removed():
    a = guide(
        direction("5.2", "方向", partners=[partner("foreign_countries", 2)]),
        direction("6.3", "方向二", partners=[partner("continents", ["asia", "europe"])]),
    )
    b = guide(
        direction(
            "5.2",
            "方向",
            partners=[partner("foreign_countries", 3), partner("institution_kind", "third_party_testing")],
        ),
        direction(
            "6.3", "方向二", partners=[partner("foreign_countries", 2, "indicator", counts_regions=True)]
        ),
    )
    assert lines(diff_guides(a, b))[-6:] == [
        "5.2 方向",
        "  - 合作要求：须有 2 个以上国家的合作单位参与（申报时须满足） → 须有 3 个以上国家的合作单位参与（申报时须满足）",
        "  - 新增合作要求：须有第三方公共检测机构参加（申报时须满足）",
        "6.3 方向二",
        "  - 删去合作要求：合作单位来自亚洲、欧洲（申报时须满足）",
        "  - 新增合作要求：同 2 个以上国家（地区、国际组织）开展合作（执行期内须达到）",
    ]
    assert lines(diff_guides(a, b), "en")[-6:] == [
        "5.2 方向",
        "  - partner rule: partners from at least 2 countries (required when applying) → partners from at least 3 countries (required when applying)",
        "  - new partner rule: A third-party public testing institution must take part (required when applying)",
        "6.3 方向二",
        "  - partner rule dropped: partners from Asia, Europe (required when applying)",
        "  - new partner rule: cooperation with at least 2 countries (regions, international organisations) (to reach during the project)",
    ]


def test_research_content_changes_are_quoted_in_place():
    a = guide(
        direction("2.2", "方向", content="为了满足海上 20MW 以上大容量机组的需求，研发 150 米以上超长叶片。")
    )
    b = guide(
        direction("2.2", "方向", content="为了满足海上 25MW 以上大容量机组的需求，研发 180 米以上超长叶片。")
    )
    assert lines(diff_guides(a, b))[-1] == (
        "  - 研究内容：“了满足海上 20MW 以上大容量”改为“了满足海上 25MW 以上大容量”；"
        "“研发 150 米以上超长”改为“研发 180 米以上超长”"
    )


# --------------------------------------------------------------------------- #
# General values, eligibility, clauses
# --------------------------------------------------------------------------- #


def general_pair():
    a = guide(
        direction("1.1", "方向"),
        clauses=[("1(1)", "出具推荐函。"), ("2(1)", "1962 年 1 月 1 日以后出生。"), ("4", "其他。")],
    )
    b = guide(
        direction("1.1", "方向"),
        year=2023,
        declared=37,
        budget=120_000_000,
        projects={"min": 1, "max": 3},
        eligibility={
            "pi_born_on_or_after": "1963-01-01",
            "max_domestic_units": 8,
            "min_foreign_units": 2,
            "max_duration_years": 4,
            "subtasks_allowed": True,
        },
        clauses=[
            ("1(1)", "出具推荐函。"),
            ("2(1)", "1963 年 1 月 1 日以后出生。"),
            ("2(7)", "工作时间不少于 6 个月。"),
        ],
    )
    return diff_guides(a, b)


def test_general_values_eligibility_and_clauses_in_chinese():
    assert lines(general_pair()) == [
        "2022 → 2023 指南的变化",
        "",
        "总体",
        "- 声明的方向数：1 → 37",
        "- 国拨经费概算：2.5 亿元 → 1.2 亿元",
        "- 每个方向拟支持项目数：1~2 → 1~3",
        "",
        "申报条件",
        "- 全指南 · 项目负责人出生日期不早于：1962-01-01 → 1963-01-01",
        "- 全指南 · 中方参与单位总数上限：10 → 8",
        "- 全指南 · 国（境）外参与单位下限：1 → 2",
        "- 全指南 · 实施周期上限（年）：3 → 4",
        "- 全指南 · 项目下设任务（课题）：不下设 → 允许",
        "",
        "形式审查条件",
        "- 2(1)：“1962 年 1 月 1 日”改为“1963 年 1 月 1 日”",
        "- 2(7) 新增：工作时间不少于 6 个月。",
        "- 4 删去：其他。",
    ]


def test_general_values_eligibility_and_clauses_in_english():
    assert lines(general_pair(), "en") == [
        "Changes from the 2022 guide to the 2023 guide",
        "",
        "General",
        "- Declared directions: 1 → 37",
        "- National budget: CNY 250,000,000 → CNY 120,000,000",
        "- Projects per direction: 1~2 → 1~3",
        "",
        "Eligibility",
        "- Whole call · Principal investigator born on or after: 1962-01-01 → 1963-01-01",
        "- Whole call · Chinese participating units, at most: 10 → 8",
        "- Whole call · Foreign participating units, at least: 1 → 2",
        "- Whole call · Duration, at most (years): 3 → 4",
        "- Whole call · Tasks (subprojects) under a project: not allowed → allowed",
        "",
        "Formal-review conditions",
        "- 2(1): “1962 年 1 月 1 日” became “1963 年 1 月 1 日”",
        "- 2(7) added: 工作时间不少于 6 个月。",
        "- 4 removed: 其他。",
    ]


def test_a_value_that_appears_or_disappears_reads_not_stated():
    a = guide(direction("1.1", "方向"), budget=None)
    b = guide(direction("1.1", "方向"), budget=100_000_000)
    assert lines(diff_guides(a, b))[3] == "- 国拨经费概算：未规定 → 1 亿元"


def test_format_ratio():
    assert [format_ratio(v) for v in (1.0, 2.0, 3.0, 0.5, 1.5, 1.25)] == [
        "1:1",
        "2:1",
        "3:1",
        "1:2",
        "3:2",
        "5:4",
    ]


def test_diff_as_json_is_serialisable_with_counts():
    data = json.loads(json.dumps(diff_to_json(general_pair()), ensure_ascii=False))
    assert data["summary"] == {
        "added": 0,
        "removed": 0,
        "renamed": 0,
        "renumbered": 0,
        "changed": 0,
        "conditions": 5,
        "clauses": 3,
    }
    assert data["general"][0] == {"field": "declared_direction_count", "a": 1, "b": 37}
    assert data["conditions"][0] == {
        "change": "changed",
        "parameter": "pi_born_on_or_after",
        "scope": {"project_type": None, "direction": None, "gender": None},
        "a": [{"key": "pi_born_on_or_after", "value": "1962-01-01", "state": "stated"}],
        "b": [{"key": "pi_born_on_or_after", "value": "1963-01-01", "state": "stated"}],
    }


# --------------------------------------------------------------------------- #
# Guides written by the builder
# --------------------------------------------------------------------------- #


def spec(year: int, **changes) -> GuideSpec:
    directions = [
        DirectionSpec("碳捕集关键技术联合研发", indicators="系统效率不低于 90%。", ratio=(2, 1)),
        DirectionSpec("储能电站安全评价技术联合研究", research="开展储能电站安全评价方法研究。"),
        DirectionSpec("氢能装备制造技术合作研发", research="开展电堆制造技术研究。", ratio=(1, 1)),
    ]
    for index, values in changes.pop("directions", {}).items():
        for name, value in values.items():
            setattr(directions[index], name, value)
    return GuideSpec(year=year, areas=[AreaSpec("绿色低碳", directions)], **changes)


def test_builder_guides_with_known_changes():
    a = to_json(parse_text(build_guide_text(spec(2022))))
    b = to_json(
        parse_text(
            build_guide_text(
                spec(
                    2023,
                    budget="1.2 亿元",
                    max_domestic_units=8,
                    directions={
                        0: {"indicators": "系统效率不低于 95%。", "ratio": (3, 1)},
                        2: {"title": "氢能装备高精度制造技术合作研发"},
                    },
                )
            )
        )
    )
    assert lines(diff_guides(a, b))[3:] == [
        "- 标题：“战略性科技创新合作”重点专项 2022 年度联合研发与示范项目申报指南 → "
        "“战略性科技创新合作”重点专项 2023 年度联合研发与示范项目申报指南",
        "- 国拨经费概算：2.5 亿元 → 1.2 亿元",
        "",
        "申报条件",
        "- 全指南 · 中方参与单位总数上限：10 → 8",
        "",
        "方向",
        "方向 3 个 → 3 个：新增 0 个，删除 0 个，改名 1 个，改编号 0 个，内容有变化 1 个。",
        "",
        "改名的方向",
        "- 1.3 氢能装备制造技术合作研发 → 氢能装备高精度制造技术合作研发",
        "",
        "内容有变化的方向",
        "1.1 碳捕集关键技术联合研发",
        "  - 配套经费比例：2:1 → 3:1",
        "  - 系统效率 ≥ 90% → ≥ 95%",
    ]


# --------------------------------------------------------------------------- #
# The bundled 2022 and 2023 guides against their list of changes
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def guides_2022_2023():
    a = to_json(parse_file(GUIDES / "2022-strategic-cooperation.txt"))
    b = to_json(parse_file(GUIDES / "2023-strategic-cooperation.txt"))
    return diff_guides(a, b)


def section(text_lines: list[str], heading: str) -> list[str]:
    start = text_lines.index(heading) + 1
    end = text_lines.index("", start) if "" in text_lines[start:] else len(text_lines)
    return text_lines[start:end]


def test_2023_general_and_eligibility_changes(guides_2022_2023):
    text = lines(guides_2022_2023)
    assert section(text, "总体") == [
        "- 标题：“战略性科技创新合作”重点专项 2022 年度联合研发与示范项目申报指南 → "
        "“战略性科技创新合作”重点专项 2023 年度联合研发与示范项目申报指南",
        "- 声明的方向数：39 → 37",
        "- 国拨经费概算：2.5 亿元 → 1.2 亿元",
    ]
    assert section(text, "申报条件") == [
        "- 全指南 · 项目负责人出生日期不早于：1962-01-01 → 1963-01-01",
        "- 全指南 · 申报单位注册日期不晚于：2021-06-30 → 2022-06-30",
        "- 全指南 · 中方参与单位总数上限：10 → 8",
        "- 全指南 · 国（境）外参与单位下限：1 → 2",
        "- 全指南 · 实施周期上限（年）：3 → 4",
    ]


def test_2023_conditions_are_the_call_wide_ones_only(guides_2022_2023):
    """Both guides state every condition call-wide; the directions' own matching ratios (changed for
    1.1, 2.2, 3.4, 5.3, compared under renumbered codes) stay in the direction rows, not listed twice."""
    assert [
        (c.change, c.parameter, c.scope.key(), [r.value for r in c.a], [r.value for r in c.b])
        for c in guides_2022_2023.conditions
    ] == [
        ("changed", "pi_born_on_or_after", "", ["1962-01-01"], ["1963-01-01"]),
        ("changed", "unit_registered_by", "", ["2021-06-30"], ["2022-06-30"]),
        ("changed", "max_domestic_units", "", [10], [8]),
        ("changed", "min_foreign_units", "", [1], [2]),
        ("changed", "max_duration_years", "", [3], [4]),
    ]
    assert [c.code_b for c in guides_2022_2023.directions if c.project_types] == []


def test_2023_directions_removed_added_renamed_renumbered(guides_2022_2023):
    text = lines(guides_2022_2023)
    assert section(text, "方向") == [
        "方向 39 个 → 37 个：新增 3 个，删除 5 个，改名 1 个，改编号 3 个，内容有变化 13 个。"
    ]
    assert section(text, "新增方向") == [
        "- 1.3 二氧化碳矿化利用与工业固废协同处置关键技术联合研发及工业示范（配套比例 2:1）",
        "- 6.4 工业窑炉烟气氮氧化物超低排放与低碳燃烧协同控制关键技术联合研发与示范（配套比例 2:1）",
        "- 9.5 高寒山区冰川退缩与多年冻土退化对跨境流域水资源安全影响的监测评估与适应对策联合研究",
    ]
    assert section(text, "删除的方向") == [
        "- 1.3 区域二氧化碳捕集与封存关键技术研发与示范（配套比例 2:1）",
        "- 2.3 秸秆类生物质生产生物柴油与药物中间体技术研发",
        "- 6.3 化工行业低碳零碳关键技术和装备联合研发（配套比例 1:1）",
        "- 9.4 生物多样性保护适应气候变化技术评估及环境管理联合研究",
        "- 10.7 帕金森病发病机制和早期预警和干预研究",
    ]
    assert section(text, "改名的方向") == [
        "- 3.3 数据中心不间断电源主动电网支撑关键技术联合研发 → 数据中心不间断电源与储能协同参与电网调节关键技术联合研发"
    ]
    assert section(text, "改编号的方向") == [
        "- 6.4 → 6.3 “双高”工业集聚区低碳零碳技术比较与应用联合研究",
        "- 9.5 → 9.4 城市温室气体与大气污染物协同控制及监测评估联合研究",
        "- 10.8 → 10.7 基于多组学数据探寻遗传免疫性皮肤病的个体化精准诊疗",
    ]
    added = guides_2022_2023.added
    assert [
        (d["code"], [(p["kind"], p["value"], p["strength"]) for p in d["partner_requirements"]])
        for d in added
    ] == [
        ("1.3", []),
        ("6.4", [("foreign_countries", 2, "indicator")]),
        ("9.5", [("foreign_countries", 2, "required")]),
    ]


# What the list of changes says about each direction's content, as the summary writes it (each direction
# may also carry lines the indicator parser adds, e.g. a partner sentence read as an indicator).
CHANGED_2023 = {
    "1.1": [
        "配套经费比例：2:1 → 3:1",
        "燃尽度 ≥ 90% → ≥ 95%",
        "空分等的二氧化碳捕集成本 ≤ 250 元人民币/吨 → ≤ 220 元人民币/吨",
    ],
    "2.2": [
        "配套经费比例：1:1 → 2:1",
        "研究内容：“了满足海上 20MW 以上大容量”改为“了满足海上 25MW 以上大容量”；“匹配研发 150 米以上超长”改为“匹配研发 180 米以上超长”",
        "叶片长度 ≥ 150 米 → ≥ 180 米",
    ],
    "3.1": ["热泵储电系统设计电-电效率 ≥ 60% → ≥ 65%"],
    "3.4": ["配套经费比例：无配套要求 → 1:1"],
    "4.2": ["极板活性区面积 ≥ 1200 cm² → ≥ 1500 cm²", "整板面积 ≥ 2000 cm² → ≥ 2500 cm²"],
    "5.2": [
        "合作要求：须有 2 个以上国家的合作单位参与（申报时须满足） → 须有 3 个以上国家的合作单位参与（申报时须满足）"
    ],
    "5.3": ["配套经费比例：1:1 → 无配套要求"],
    "6.1": ["研究内容：“研究生物质炭制”改为“研究氢基竖炉直接还原技术、生物质炭制”"],
    "6.2": ["非波特兰体系新型低碳水泥熟料烧成热耗降低 25% → 30%"],
    "6.3": [
        "合作要求：同 2 个以上国家（地区、国际组织）开展合作（执行期内须达到） → "
        "同 3 个以上国家（地区、国际组织）开展合作（执行期内须达到）"
    ],
    "7.3": ["示范技术应用及服务的市政基础设施碳排放较技术应用前降低 ≥ 30% → ≥ 35%"],
    "8.2": [
        "研究内容：“以及发动机 NOx 排放后处理”改为“以及发动机 NOₓ 排放后处理”",
        "发动机最高指示热效率 ≥ 50% → ≥ 52%",
        "指标原文：“NOx 排放满足 IMO”改为“NOₓ 排放满足 IMO”",
    ],
    "9.1": [
        "指标原文：“前 20 经济体 2018—2022 年甲烷月平”改为“前 20 经济体 2019—2023 年甲烷月平”",
        "指标原文：“重点行业 2018—2022 年甲烷排放”改为“重点行业 2019—2023 年甲烷排放”",
        "相对标准不确定度 ≤ 1% → ≤ 0.8%",
    ],
}


def test_2023_content_changes_are_those_of_the_list(guides_2022_2023):
    from guide.diff import _Words, direction_lines

    words = _Words("zh")
    found = {c.code_b: direction_lines(c, words) for c in guides_2022_2023.content_changed}
    assert sorted(found, key=lambda code: tuple(map(int, code.split(".")))) == list(CHANGED_2023)
    for code, expected in CHANGED_2023.items():
        assert [line for line in found[code] if line in expected] == expected, code


def test_2023_formal_review_changes(guides_2022_2023):
    assert section(lines(guides_2022_2023), "形式审查条件") == [
        "- 2(1)：“负责人应为 1962 年 1 月 1 日”改为“负责人应为 1963 年 1 月 1 日”",
        "- 2(7) 新增：项目负责人每年用于本项目的工作时间不少于 6 个月。",
        "- 3(2)：“注册时间在 2021 年 6 月 30 日”改为“注册时间在 2022 年 6 月 30 日”",
    ]


def test_2023_summary_in_english_names_the_same_changes(guides_2022_2023):
    text = lines(guides_2022_2023, "en")
    assert section(text, "Directions") == [
        "39 → 37 directions: 3 added, 5 removed, 1 renamed, 3 renumbered, 13 with changed content."
    ]
    assert section(text, "Renumbered directions") == [
        "- 6.4 → 6.3 “双高”工业集聚区低碳零碳技术比较与应用联合研究",
        "- 9.5 → 9.4 城市温室气体与大气污染物协同控制及监测评估联合研究",
        "- 10.8 → 10.7 基于多组学数据探寻遗传免疫性皮肤病的个体化精准诊疗",
    ]


# --------------------------------------------------------------------------- #
# Conditions by parameter and scope: the young-scientist guide and a changed copy
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def young_pair():
    return to_json(parse_file(YOUNG)), to_json(parse_text(young_scientist_changed()))


def test_young_scientist_changes_in_chinese(young_pair):
    a, b = young_pair
    assert lines(diff_guides(a, b)) == [
        "2024 → 2024 指南的变化",
        "",
        "申报条件",
        "- 全指南 · 申报单位注册日期不晚于：2023-06-30 → 待确认（未读出）",
        "- 基础研究类 · 参与单位总数上限：6 → 8",
        "- 青年科学家项目（男性） · 项目负责人出生日期不早于 删去：1986-01-01",
        "- 方向 2.2 · 拟支持项目数：1 → 2",
        "",
        "方向",
        "方向 7 个 → 7 个：新增 0 个，删除 0 个，改名 0 个，改编号 0 个，内容有变化 2 个。",
        "",
        "内容有变化的方向",
        "2.2 基于类器官的罕见病药物筛选新方法",
        "  - 有关说明：“支持项目数 1 项”改为“支持项目数 2 项”",
        "3.2 干旱区盐碱地综合治理技术集成与应用示范",
        "  - 项目类型：应用示范类 → 共性关键技术类",
        "",
        "形式审查条件",
        "- 2(2)：“人年龄要求，男性应为 1986 年 1 月 1 日以后出生”改为“人年龄要求”",
        "- 3(2)：“注册时间在 2023 年 6 月 30 日前”改为“注册时间另行通知”",
        "- 4(1)：“总数不超过 6 家”改为“总数不超过 8 家”",
    ]


def test_young_scientist_changes_in_english(young_pair):
    a, b = young_pair
    text = lines(diff_guides(a, b), "en")
    assert section(text, "Eligibility") == [
        "- Whole call · Applicant registered by: 2023-06-30 → to confirm (not read)",
        "- 基础研究类 · Participating units, at most: 6 → 8",
        "- 青年科学家项目 (male) · Principal investigator born on or after removed: 1986-01-01",
        "- Direction 2.2 · Projects supported: 1 → 2",
    ]
    assert section(text, "Directions whose content changed")[2:] == [
        "3.2 干旱区盐碱地综合治理技术集成与应用示范",
        "  - project types: 应用示范类 → 共性关键技术类",
    ]


def test_a_scope_only_in_b_is_added(young_pair):
    a, b = young_pair
    text = lines(diff_guides(b, a))
    assert section(text, "申报条件") == [
        "- 全指南 · 申报单位注册日期不晚于：待确认（未读出） → 2023-06-30",
        "- 基础研究类 · 参与单位总数上限：8 → 6",
        "- 青年科学家项目（男性） · 项目负责人出生日期不早于 新增：1986-01-01",
        "- 方向 2.2 · 拟支持项目数：2 → 1",
    ]
    assert section(lines(diff_guides(b, a), "en"), "Eligibility")[2] == (
        "- 青年科学家项目 (male) · Principal investigator born on or after added: 1986-01-01"
    )


def test_young_scientist_changes_as_json(young_pair):
    a, b = young_pair
    data = json.loads(json.dumps(diff_to_json(diff_guides(a, b)), ensure_ascii=False))
    assert data["conditions"] == [
        {
            "change": "state",
            "parameter": "unit_registered_by",
            "scope": {"project_type": None, "direction": None, "gender": None},
            "a": [{"key": "unit_registered_by", "value": "2023-06-30", "state": "stated"}],
            "b": [{"key": "unit_registered_by", "value": None, "state": "missing"}],
        },
        {
            "change": "changed",
            "parameter": "max_units",
            "scope": {"project_type": "基础研究类", "direction": None, "gender": None},
            "a": [{"key": "max_units@type=基础研究类", "value": 6, "state": "stated"}],
            "b": [{"key": "max_units@type=基础研究类", "value": 8, "state": "stated"}],
        },
        {
            "change": "removed",
            "parameter": "pi_born_on_or_after",
            "scope": {"project_type": "青年科学家项目", "direction": None, "gender": "male"},
            "a": [
                {
                    "key": "pi_born_on_or_after@type=青年科学家项目,gender=male",
                    "value": "1986-01-01",
                    "state": "stated",
                }
            ],
            "b": [],
        },
        {
            "change": "changed",
            "parameter": "projects_supported",
            "scope": {"project_type": None, "direction": "2.2", "gender": None},
            "a": [{"key": "projects_supported@direction=2.2", "value": [1, 1], "state": "stated"}],
            "b": [{"key": "projects_supported@direction=2.2", "value": [2, 2], "state": "stated"}],
        },
    ]
    assert (data["summary"]["conditions"], data["summary"]["changed"]) == (4, 2)
    assert [(d["code_b"], d["project_types"]) for d in data["directions"] if d["project_types"]] == [
        ("3.2", [["应用示范类"], ["共性关键技术类"]])
    ]


def test_the_same_young_scientist_guide_has_no_condition_changes(young_pair):
    a, _b = young_pair
    assert (diff_conditions(a, copy.deepcopy(a)), diff_guides(a, copy.deepcopy(a)).empty) == ([], True)


def test_states_set_by_an_officer_read_as_state_changes():
    """The conflict guide states the duration twice (3 and 5 years) and no registration date: setting the
    second duration aside, entering a date for the missing one, confirming there is no Chinese-unit limit."""
    a = to_json(parse_file(GUIDES / "family" / "conflict-2026.txt"))
    b = copy.deepcopy(a)
    for condition in b["conditions"]:
        if condition["key"] == "max_duration_years#2":
            condition["state"] = "ignored"
        if condition["key"] == "unit_registered_by":
            condition["value"] = "2025-06-30"  # a MISSING condition with a value is stated
    b["eligibility"]["max_domestic_units"] = None
    b["conditions"].append(
        {"key": "max_domestic_units", "parameter": "max_domestic_units", "value": None, "state": "absent"}
    )
    changes = diff_guides(a, b).conditions
    assert [c.change for c in changes] == ["state", "state", "state"]
    assert section(lines(diff_guides(a, b)), "申报条件") == [
        "- 全指南 · 申报单位注册日期不晚于：待确认（未读出） → 2025-06-30",
        "- 全指南 · 中方参与单位总数上限：8 → 指南未规定（已确认）",
        "- 全指南 · 实施周期上限（年）：3、5 → 3、5（不采用）",
    ]
    assert section(lines(diff_guides(a, b), "en"), "Eligibility") == [
        "- Whole call · Applicant registered by: to confirm (not read) → 2025-06-30",
        "- Whole call · Chinese participating units, at most: 8 → not set by the guide (confirmed)",
        "- Whole call · Duration, at most (years): 3, 5 → 3, 5 (set aside)",
    ]


def test_a_second_reading_dropped_is_a_changed_value():
    a = to_json(parse_file(GUIDES / "family" / "conflict-2026.txt"))
    b = copy.deepcopy(a)
    b["conditions"] = [c for c in b["conditions"] if c["key"] != "max_duration_years#2"]
    assert section(lines(diff_guides(a, b)), "申报条件") == ["- 全指南 · 实施周期上限（年）：3、5 → 3"]


def scoped(key, parameter, value, direction=None, project_type=None, gender=None, state="stated") -> dict:
    scope = {"project_type": project_type, "direction": direction, "gender": gender}
    return {"key": key, "parameter": parameter, "value": value, "scope": scope, "state": state}


def test_a_direction_scope_follows_the_renumbered_direction():
    """2022's 6.4 is 2023's 6.3: its own limit is unchanged; the removed 6.3's limit is removed, not
    compared with the new 6.3's."""
    removed = "化工行业低碳零碳关键技术和装备联合研发"
    kept = "“双高”工业集聚区低碳零碳技术比较与应用联合研究"
    a = guide(direction("6.3", removed), direction("6.4", kept))
    a["conditions"] = [
        scoped("max_units@direction=6.3", "max_units", 5, "6.3"),
        scoped("max_units@direction=6.4", "max_units", 7, "6.4"),
    ]
    b = guide(direction("6.3", kept), year=2023)
    b["conditions"] = [scoped("max_units@direction=6.3", "max_units", 7.0, "6.3")]  # 7.0 is 7
    diff = diff_guides(a, b)
    assert [(c.change, c.scope.direction, [r.value for r in c.a], c.b) for c in diff.conditions] == [
        ("removed", "6.3", [5], ())
    ]
    assert section(lines(diff), "申报条件") == ["- 方向 6.3 · 参与单位总数上限 删去：5"]
    # without the directions' pairing, by code: the two 6.3s would be compared
    assert [(c.change, c.scope.direction) for c in diff_conditions(a, b)] == [
        ("changed", "6.3"),
        ("removed", "6.4"),
    ]


def test_new_parameters_have_their_labels_and_values():
    a = guide(direction("1.1", "方向"))
    b = guide(direction("1.1", "方向"))
    b["eligibility"].update(max_units=8, max_subtasks=4, task_lead_born_on_or_after="1966-01-01")
    b["eligibility"]["matching_ratio"] = 1.5
    b["conditions"] = [
        scoped("projects_supported@type=基础研究类", "projects_supported", [1, 2], None, "基础研究类")
    ]
    assert section(lines(diff_guides(a, b)), "申报条件") == [
        "- 全指南 · 课题负责人出生不早于 新增：1966-01-01",
        "- 全指南 · 参与单位总数上限 新增：8",
        "- 全指南 · 下设课题数上限 新增：4",
        "- 全指南 · 配套经费比例 新增：3:2",
        "- 基础研究类 · 拟支持项目数 新增：1~2",
    ]
    assert section(lines(diff_guides(a, b), "en"), "Eligibility") == [
        "- Whole call · Task leads born on or after added: 1966-01-01",
        "- Whole call · Participating units, at most added: 8",
        "- Whole call · Tasks (subprojects), at most added: 4",
        "- Whole call · Matching funds ratio added: 3:2",
        "- 基础研究类 · Projects supported added: 1~2",
    ]


def test_an_added_direction_names_its_project_types():
    a = guide(direction("1.1", "方向"))
    b = guide(direction("1.1", "方向"), direction("1.2", "示范工程", ratio=2.0))
    b["directions"][1]["project_types"] = ["应用示范类", "部省联动任务"]
    assert section(lines(diff_guides(a, b)), "新增方向") == [
        "- 1.2 示范工程（应用示范类、部省联动任务；配套比例 2:1）"
    ]
    assert section(lines(diff_guides(a, b), "en"), "Added directions") == [
        "- 1.2 示范工程 (应用示范类, 部省联动任务; matching ratio 2:1)"
    ]


# --- spacing is layout, not content ---------------------------------------------------------------


def test_spacing_next_to_chinese_is_no_change():
    assert diff_text("效率提升 5 倍，误差 ≤ 10%", "效率提升 5倍，误差≤ 10%") is None
    assert diff_text("开展区域 CCUS 源汇匹配", "开展区域CCUS源汇匹配") is None
    assert diff_text("研究\n内容", "研究内容") is None


def test_spacing_between_latin_words_and_numbers_is_a_change():
    assert diff_text("200 kW", "200kW").ops == (("delete", "200 kW"), ("insert", "200kW"))


def test_a_real_change_keeps_the_spacing_of_the_new_text_and_marks_no_spacing_change():
    diff = diff_text("叶片长度达到 150 米以上", "叶片长度达到150 米 以上")
    assert diff is None
    diff = diff_text("叶片长度达到 150 米以上", "叶片长度达到180 米 以上")
    assert [op for op in diff.ops if op[0] != "equal"] == [("delete", "150"), ("insert", "180")]


def test_the_same_guide_from_a_docx_and_a_pdf_has_no_changes():
    """The office files of 2022 (12 pt DOCX, 16 pt PDF): the PDF's line joins put spaces next to Chinese
    characters ("效率提升 5倍" / "效率提升 5 倍"); the compare page said "内容有变化 24 个"."""
    office = GUIDES / "office"
    docx = to_json(parse_file(office / "2022-strategic-cooperation.12pt.docx"))
    pdf = to_json(parse_file(office / "2022-strategic-cooperation.16pt.pdf"))
    diff = diff_guides(docx, pdf)
    assert (diff.directions, diff.clauses, diff.general, diff.added, diff.removed) == ([], [], [], [], [])
    assert diff_guides(pdf, docx).directions == []


def test_every_word_of_the_summary_is_in_the_english_catalogue():
    import re

    from guide.diff import WORDS, WORDS_CONTEXT, _Words
    from guide.parsing.partners import CONTINENT_WORDS, PARTNER_CODE_WORDS

    english, chinese = _Words("en"), _Words("zh")
    assert {context for context, _text in WORDS.values()} == {WORDS_CONTEXT}
    words = {
        **WORDS,
        **{f"continent {k}": v for k, v in CONTINENT_WORDS.items()},
        **{f"partner {k}": v for k, v in PARTNER_CODE_WORDS.items()},
    }
    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    assert [key for key, msg in words.items() if cjk.search(english.word(msg))] == []
    assert [key for key, msg in words.items() if chinese.word(msg) != msg[1]] == []
    assert english("with_note", text="2.2 储能", note="matching ratio 1:1") == "2.2 储能 (matching ratio 1:1)"
