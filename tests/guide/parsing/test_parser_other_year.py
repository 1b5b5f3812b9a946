"""A guide of another year, written by the test builder, yields its own values (nothing is 2022-specific)."""

from datetime import date

from guide.parsing.parser import parse_text
from guide.parsing.types import Eligibility
from tests.factories.guide_docs import AreaSpec, DirectionSpec, GuideSpec, build_guide_text, other_year_spec


def test_a_2023_guide_gives_its_own_general_values():
    guide = parse_text(build_guide_text(other_year_spec()))
    assert guide.year == 2023
    assert guide.title == "“战略性科技创新合作”重点专项 2023 年度联合研发与示范项目申报指南"
    assert guide.declared_direction_count == 12
    assert guide.total_budget_yuan == 180_000_000
    assert guide.projects_per_direction == (1, 3)
    assert guide.eligibility == Eligibility(
        pi_born_on_or_after=date(1965, 1, 1),
        unit_registered_by=date(2022, 12, 31),
        max_domestic_units=8,
        min_foreign_units=2,
        max_duration_years=4,
        subtasks_allowed=False,
    )
    assert guide.problems == []


def test_a_2023_guide_gives_its_own_areas_and_directions():
    guide = parse_text(build_guide_text(other_year_spec()))
    assert [(a.number, a.title, a.intro) for a in guide.areas] == [
        (1, "绿色低碳技术合作", ""),
        (2, "数字技术合作", ""),
        (3, "农业与食品安全合作", ""),
        (4, "公共卫生合作", ""),
        (5, "海洋与极地合作", "指南方向主要聚焦共性技术。"),
    ]
    assert [d.code for d in guide.directions] == [
        "1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "4.3", "5.1", "5.2",
    ]  # fmt: skip
    assert guide.direction("4.2").title == "公共卫生方向2联合研究"
    assert [d.matching_ratio for d in guide.directions] == [
        3.0,
        1.0,
        None,
        2.0,
        3.0,
        1.0,
        None,
        2.0,
        3.0,
        1.0,
        None,
        2.0,
    ]


def test_a_2023_direction_is_read_through_half_width_colons_and_a_page_break():
    direction = parse_text(build_guide_text(other_year_spec())).direction("1.1")
    # the research paragraph is split by "— 2 —" and a running header in the builder's text
    assert direction.research_content == (
        "围绕绿色低碳技术合作开展第 1 项联合研究，形成可推广的技术方案。\n（1）建立联合实验平台；\n（2）开展示范应用。"
    )
    assert direction.research_items == ["建立联合实验平台", "开展示范应用"]
    assert [(i.subject, i.comparator, i.value, i.unit) for i in direction.indicators] == [
        ("技术规范", "=", 1.0, "项"),
        ("系统效率", ">=", 81.0, "%"),
        ("国家", ">=", 2.0, "个"),
    ]
    assert [(p.kind, p.value, p.strength, p.counts_regions) for p in direction.partner_requirements] == [
        ("foreign_countries", 2, "indicator", True)
    ]
    assert [
        (p.value)
        for p in parse_text(build_guide_text(other_year_spec())).direction("1.3").partner_requirements
    ] == [4]


def test_a_2023_formal_review_has_its_own_dates():
    guide = parse_text(build_guide_text(other_year_spec()))
    assert [c.clause for c in guide.formal_review] == ["1(1)", "1(2)", "2(1)", "2(2)", "3(1)", "3(2)", "4"]
    assert guide.formal_review[2].text == "项目负责人应为 1965 年 1 月 1 日以后出生，具有高级职称或博士学位。"
    assert guide.formal_review[5].text == "注册时间在 2022 年 12 月 31 日前。"


def test_other_limits_budget_in_wan_yuan_subtasks_and_count_mismatch():
    spec = GuideSpec(
        year=2031,
        areas=[
            AreaSpec(
                "海洋合作",
                [
                    DirectionSpec("海洋观测联合研究", ratio=(3, 1), other="须有 1 家企业参与。"),
                    DirectionSpec("极地科考联合研究", notes="参与单位须包括三级甲等医院。"),
                ],
            )
        ],
        budget="3000 万元",
        declared_count=3,
        projects=(2, 2),
        max_domestic_units=6,
        min_foreign_units=3,
        max_years=5,
        subtasks_allowed=True,
        pi_born=date(1971, 7, 1),
        registered_by=date(2030, 3, 31),
        page_furniture=False,
    )
    guide = parse_text(build_guide_text(spec))
    assert guide.year == 2031
    assert guide.total_budget_yuan == 30_000_000
    assert guide.projects_per_direction == (2, 2)
    assert guide.eligibility == Eligibility(
        pi_born_on_or_after=date(1971, 7, 1),
        unit_registered_by=date(2030, 3, 31),
        max_domestic_units=6,
        min_foreign_units=3,
        max_duration_years=5,
        subtasks_allowed=True,
    )
    assert [str(w) for w in guide.problems] == ["the guide declares 3 directions but 2 were found"]
    first, second = guide.directions
    assert (first.matching_ratio, first.other_requirements) == (3.0, "须有 1 家企业参与。")
    assert (second.matching_ratio, second.notes) == (None, "参与单位须包括三级甲等医院。")
    assert [(p.kind, p.value) for p in second.partner_requirements] == [("institution_kind", "hospital")]


def test_a_direction_without_labels_is_reported():
    text = (
        "“某专项” 2030 年度项目申报指南\n\n二、领域和方向\n\n1. 领域一\n\n1.1 方向一\n\n"
        "开展联合研究。\n\n1.3 方向三\n\n研究内容：开展研究。\n\n考核指标：效率不低于 90%。"
    )
    guide = parse_text(text)
    assert [d.code for d in guide.directions] == ["1.1", "1.3"]
    assert guide.direction("1.1").research_content == "开展联合研究。"
    assert [str(w) for w in guide.problems] == [
        "no formal review section (形式审查条件要求) found",
        "direction 1.1: text before any label read as 研究内容",
        "direction 1.3 follows 1.1: numbering gap",
        "direction 1.1: no 考核指标",
        "no national budget (国拨经费概算) found",
        "no number of projects per direction (拟支持项目数) found: enter it or confirm there is none",
        *(
            f"no {what} found: screening will not check it until you enter one or confirm there is none"
            for what in (
                "PI birth cutoff (项目负责人……以后出生)",
                "unit registration date (注册时间在……前)",
                "limit on participating units (参与单位总数不超过……家)",
                "foreign partner requirement (须有……个国（境）外单位)",
                "project duration (实施周期/执行期……年)",
                "rule on subtasks (下设课题 / 不下设课题)",
            )
        ),
    ]
