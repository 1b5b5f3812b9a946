import json
import re
from dataclasses import replace
from datetime import date

import pytest

from guide.parsing.errors import GuideParseError
from guide.parsing.parser import matching_ratio, parse_formal_review, parse_text, research_items
from guide.parsing.types import NO_SOURCE, Eligibility, FormalClause, PartnerRequirement, from_json, to_json

DIRECTION_TITLES = {
    "1.1": "工业领域燃烧中碳捕集共性关键技术与工业示范",
    "1.2": "二氧化碳提高油藏采收率与地质封存一体化关键技术及应用示范",
    "1.3": "区域二氧化碳捕集与封存关键技术研发与示范",
    "2.1": "光伏发电耐候性测试和生态设计评估技术国际合作",
    "2.2": "海上超长柔叶片开发及关键技术联合研发",
    "2.3": "秸秆类生物质生产生物柴油与药物中间体技术研发",
    "3.1": "高密度热泵储电关键技术合作研发",
    "3.2": "耐高温长寿命高安全电化学储能技术合作开发",
    "3.3": "数据中心不间断电源主动电网支撑关键技术联合研发",
    "3.4": "国际锂离子电池储能安全评价关键技术合作研发",
    "4.1": "基于安全储氢的氢储能与分布式多能源系统合作研发",
    "4.2": "氢-电转换电堆大幅面极板高精度制造关键技术合作研发",
    "4.3": "氢-电转换用催化剂载体及其催化剂技术合作研发",
    "5.1": "超级快充/快换技术及 V2G 技术联合研究与应用示范",
    "5.2": "新能源汽车运行故障与事故检测评价关键技术联合研究",
    "5.3": "新能源汽车高比能电池全生命周期安全性联合研究",
    "5.4": "电动汽车空气动力学关键技术联合研发与应用",
    "6.1": "低碳冶金关键技术和装备联合研发",
    "6.2": "新型低碳水泥制备与应用关键技术装备联合研发",
    "6.3": "化工行业低碳零碳关键技术和装备联合研发",
    "6.4": "“双高”工业集聚区低碳零碳技术比较与应用联合研究",
    "7.1": "既有建筑绿色低碳改造与碳中和技术联合研究与示范",
    "7.2": "城区与街区减碳关键技术联合研究与示范",
    "7.3": "市政基础设施节能低碳关键技术联合研究与应用",
    "8.1": "船舶二氧化碳高效捕集与存储关键技术及装备联合研发",
    "8.2": "零碳燃料船舶动力系统关键技术联合研究和应用开发",
    "9.1": "甲烷排放的星-地监测评估方法与标准联合研究",
    "9.2": "农业生产非二氧化碳温室气体减排战略及技术合作研发与应用",
    "9.3": "气候变化和人类活动对海上丝路沿线国家蓝碳生态系统的耦合影响机制合作研究",
    "9.4": "生物多样性保护适应气候变化技术评估及环境管理联合研究",
    "9.5": "城市温室气体与大气污染物协同控制及监测评估联合研究",
    "10.1": "基于人工智能和多组学数据的脑血管病表型及预后的遗传机制与干预研究",
    "10.2": "抗肿瘤药物相关心血管损伤的防控及干预",
    "10.3": "心血管病多模态影像智能诊断国际合作研究",
    "10.4": "基于人工智能和信息学等新兴技术的冠心病及共患慢病综合防治策略研究",
    "10.5": "炎症免疫性疾病新靶点新机制发现及原创药关键核心技术研究",
    "10.6": "基于人工智能新药研发辅助系统整合与应用",
    "10.7": "帕金森病发病机制和早期预警和干预研究",
    "10.8": "基于多组学数据探寻遗传免疫性皮肤病的个体化精准诊疗",
}

AREA_TITLES = [
    (1, "碳捕集利用与封存（CCUS）技术合作"),
    (2, "新能源发电技术合作"),
    (3, "先进储能技术合作"),
    (4, "氢能技术合作"),
    (5, "新能源汽车技术合作"),
    (6, "低碳零碳工业技术合作"),
    (7, "建筑低碳技术合作"),
    (8, "船舶减碳技术合作"),
    (9, "气候变化领域合作"),
    (10, "生命健康领域合作"),
]

RATIO_2 = {"1.1", "1.2", "1.3", "3.3", "8.1", "8.2"}
RATIO_1 = {
    "2.2", "3.1", "3.2", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4",
    "6.1", "6.2", "6.3", "7.1", "7.2", "7.3", "9.1", "10.6",
}  # fmt: skip

CJK_PAIR_WITH_SPACE = re.compile(
    r"[\u4e00-\u9fff，。；：！？、（）“”][ \t\u3000]+[\u4e00-\u9fff，。；：！？、（）“”]"
)


def partners(guide, code):
    return [
        (p.kind, p.value, p.strength, p.counts_regions, p.text)
        for p in guide.direction(code).partner_requirements
    ]


def test_title_year_and_general_values(guide_2022):
    assert guide_2022.year == 2022
    assert guide_2022.title == "“战略性科技创新合作”重点专项 2022 年度联合研发与示范项目申报指南"
    assert guide_2022.declared_direction_count == 39
    assert guide_2022.total_budget_yuan == 250_000_000
    assert guide_2022.projects_per_direction == (1, 2)
    assert guide_2022.problems == []


def test_eligibility(guide_2022):
    assert guide_2022.eligibility == Eligibility(
        pi_born_on_or_after=date(1962, 1, 1),
        unit_registered_by=date(2021, 6, 30),
        max_domestic_units=10,
        min_foreign_units=1,
        max_duration_years=3,
        subtasks_allowed=False,
    )


def test_ten_areas_with_titles_and_intros(guide_2022):
    assert [(a.number, a.title) for a in guide_2022.areas] == AREA_TITLES
    intros = {a.number: a.intro for a in guide_2022.areas}
    assert intros[9] == "指南方向主要聚焦气候变化的影响与适应、非二氧化碳温室气体监测与减排、减碳降污协同等。"
    assert intros[10] == "指南方向主要聚焦人工智能、信息学等新兴技术辅助的常见病精准诊疗、新药物研发等。"
    assert all(intros[n] == "" for n in range(1, 9))


def test_all_39_direction_codes_titles_and_areas(guide_2022):
    assert {d.code: d.title for d in guide_2022.directions} == DIRECTION_TITLES
    assert [d.code for d in guide_2022.directions] == list(DIRECTION_TITLES)
    assert [(d.code, d.area) for d in guide_2022.directions] == [
        (code, int(code.split(".")[0])) for code in DIRECTION_TITLES
    ]


@pytest.mark.parametrize("code", list(DIRECTION_TITLES))
def test_matching_ratio_of_every_direction(guide_2022, code):
    expected = 2.0 if code in RATIO_2 else 1.0 if code in RATIO_1 else None
    assert guide_2022.direction(code).matching_ratio == expected


def test_every_direction_has_research_content_and_indicators(guide_2022):
    for direction in guide_2022.directions:
        assert direction.research_content != "", direction.code
        assert direction.indicators_text != "", direction.code
        assert direction.indicators != [], direction.code


def test_ratio_only_other_requirements_are_empty_and_10_4_keeps_its_licence_text(guide_2022):
    other = {d.code: d.other_requirements for d in guide_2022.directions if d.other_requirements}
    assert other == {
        "10.4": "项目中所涉及的临床样本保藏机构须具备“人类遗传资源保藏行政许可”资质，"
        "具备“生物样本库质量和能力认可”资质的平台优先。"
    }
    notes = {d.code: d.notes for d in guide_2022.directions if d.notes}
    assert notes == {"2.1": "参加单位应包括光伏领域第三方公共检测机构不少于 1 家。"}


def test_partner_requirements(guide_2022):
    with_partners = {d.code for d in guide_2022.directions if d.partner_requirements}
    assert with_partners == {"2.1", "5.2", "5.3", "6.1", "6.4", "7.1", "7.2", "7.3", "8.1", "8.2", "10.4"}
    assert partners(guide_2022, "2.1") == [
        (
            "continents",
            ["asia", "europe", "americas"],
            "required",
            False,
            "应至少包括来自亚洲、欧洲、美洲的合作单位",
        ),
        (
            "institution_kind",
            "third_party_testing",
            "required",
            False,
            "参加单位应包括光伏领域第三方公共检测机构不少于 1 家",
        ),
    ]
    for code in ("5.2", "5.3"):
        assert partners(guide_2022, code) == [
            ("foreign_countries", 2, "required", False, "须有2个以上国家的合作单位参与")
        ]
    assert partners(guide_2022, "6.1") == [
        ("foreign_countries", 2, "indicator", True, "与多个国家（地区、国际组织）开展合作")
    ]
    assert partners(guide_2022, "6.4") == [
        ("foreign_countries", 2, "indicator", True, "同2个以上国家（地区、国际组织）开展合作")
    ]
    assert partners(guide_2022, "7.1") == [
        (
            "foreign_countries",
            4,
            "indicator",
            True,
            "同4个以上国家（地区、国际组织）开展既有建筑绿色低碳改造与实现碳中和技术与标准合作",
        )
    ]
    assert partners(guide_2022, "7.2") == [
        (
            "foreign_countries",
            3,
            "indicator",
            True,
            "与3个以上国家(地区、国际组织)开展城区与街区规划减碳关键技术研究与合作",
        )
    ]
    assert partners(guide_2022, "7.3") == [
        (
            "foreign_countries",
            3,
            "indicator",
            True,
            "同3个以上国家（地区、国际组织）开展市政基础设施节能减碳改造关键技术与标准合作",
        )
    ]
    for code in ("8.1", "8.2"):
        assert partners(guide_2022, code) == [
            ("foreign_countries", 2, "indicator", True, "同2个以上国家（地区、国际组织）开展实质性合作")
        ]
    assert partners(guide_2022, "10.4") == [
        (
            "licence",
            "hgr_preservation",
            "required",
            False,
            "项目中所涉及的临床样本保藏机构须具备“人类遗传资源保藏行政许可”资质",
        )
    ]


def test_research_items_keep_numbered_sub_items(guide_2022):
    counts = {d.code: len(d.research_items) for d in guide_2022.directions if d.research_items}
    assert counts == {"2.1": 3, "2.2": 5, "7.1": 6, "7.2": 5, "7.3": 6}
    assert guide_2022.direction("2.2").research_items[1] == (
        "针对长柔叶片特点，开发 1 套气动、结构和载荷的多尺度多准则的一体化设计方法，并进行关键技术点的测试验证"
    )
    # (3) of 7.1 continues after a page break
    assert guide_2022.direction("7.1").research_items[2] == (
        "开发既有建筑绿色低碳改造的高性能一体化围护结构改造技术、长寿命结构加固和改造技术、"
        "模块化可再生能源利用技术、既有建筑绿色低碳改造的碳排放计量装置、系统和软件"
    )
    assert guide_2022.direction("2.1").research_content.startswith(
        "面向在全球不同气候环境区域的光伏高质量发展需求，"
    )
    assert guide_2022.direction("2.1").research_content.count("\n") == 3


def test_research_content_of_1_3_is_rejoined_across_the_page_break(guide_2022):
    content = guide_2022.direction("1.3").research_content
    assert "构建二氧化碳地质封存综合评价技术体系，提升封存汇与排放源的动态匹配分析能力；" in content
    assert "提\n" not in content
    assert "\n" not in content


def test_indicators_of_4_1_come_out_of_the_latex(guide_2022):
    indicators = guide_2022.direction("4.1").indicators
    assert [(i.subject, i.comparator, i.value, i.unit) for i in indicators[:5]] == [
        ("储氢容量", ">=", 2.0, "wt%"),
        ("有效可逆放氢容量", ">=", 1.85, "wt%"),
        ("吸放氢工作温度", "<=", 65.0, "°C"),
        ("放氢至有效可逆放氢容量 90% 所需时间", "<=", 3.0, "min"),
        ("放氢纯度", ">=", 99.999, "%"),
    ]
    assert indicators[0].text == "固体储氢材料：储氢容量 ≥ 2.0wt%"
    assert [i.position for i in indicators] == list(range(len(indicators)))
    assert len(indicators) == 19


def test_indicator_counts_per_direction(guide_2022):
    assert {d.code: len(d.indicators) for d in guide_2022.directions} == {
        "1.1": 7, "1.2": 8, "1.3": 5, "2.1": 11, "2.2": 8, "2.3": 3, "3.1": 7, "3.2": 7, "3.3": 4,
        "3.4": 7, "4.1": 19, "4.2": 17, "4.3": 31, "5.1": 7, "5.2": 9, "5.3": 9, "5.4": 6, "6.1": 12,
        "6.2": 12, "6.3": 13, "6.4": 8, "7.1": 11, "7.2": 17, "7.3": 11, "8.1": 10, "8.2": 9, "9.1": 12,
        "9.2": 5, "9.3": 10, "9.4": 4, "9.5": 8, "10.1": 5, "10.2": 5, "10.3": 9, "10.4": 6, "10.5": 3,
        "10.6": 7, "10.7": 3, "10.8": 8,
    }  # fmt: skip


def test_some_indicators_across_the_guide(guide_2022):
    def first(code, subject):
        return next(
            (i.comparator, i.value, i.value_max, i.unit)
            for i in guide_2022.direction(code).indicators
            if i.subject == subject
        )

    assert first("1.2", "埋存率") == (">", 40.0, None, "%")
    assert first("3.1", "储能密度") == (">=", 30.0, None, "千瓦时/立方米")
    assert first("3.2", "环境适应温度") == ("range", 20.0, 80.0, "摄氏度")
    assert first("5.1", "重卡共享换电站快换技术实现单次换电时间") == ("<", 3.0, None, "分钟")
    assert first("6.1", "硕博研究生") == ("range", 5.0, 8.0, "人")
    assert first("9.5", "无组织源反演系统排放量测量不确定度") == ("<", 30.0, None, "%")
    assert first("10.6", "经济效益") == (">", 2000.0, None, "万元人民币")


def test_formal_review_clauses(guide_2022):
    clauses = guide_2022.formal_review
    assert [c.clause for c in clauses] == [
        "1(1)", "1(2)", "1(3)", "1(4)",
        "2(1)", "2(2)", "2(3)", "2(4)", "2(5)", "2(6)",
        "3(1)", "3(2)", "3(3)",
        "4",
    ]  # fmt: skip
    assert [c.text for c in clauses] == [
        "由指南规定的推荐单位在规定时间内出具推荐函。",
        "申报单位同一项目须通过单个推荐单位申报，不得多头申报和重复申报。",
        "项目申报书内容与申报的指南方向基本相符。",
        "项目申报书及附件按格式要求填写完整。",
        "项目负责人应为 1962 年 1 月 1 日以后出生，具有高级职称或博士学位。",
        "受聘于内地单位的外籍科学家及港澳台地区科学家可作为重点专项的项目负责人，全职受聘人员须由内地聘用单位"
        "提供全职聘用的有效材料，非全职受聘人员须由双方单位同时提供聘用的有效材料，并作为项目预申报材料一并报送。",
        "项目负责人限申报 1 个项目；国家科技重大专项、国家重点研发计划重点专项、科技创新 2030—重大项目的在研项目"
        "（含任务或课题）负责人不得牵头申报项目。国家科技重大专项、国家重点研发计划重点专项、科技创新 2030—重大项目的"
        "在研项目负责人（不含任务或课题负责人）也不得参与申报项目。项目负责人和项目骨干只能主持或参与 1 项本专项项目。",
        "参与重点专项实施方案或本年度项目指南编制的专家，原则上不能申报该重点专项项目。",
        "诚信状况良好，无在惩戒执行期内的科研严重失信行为记录和相关社会领域信用“黑名单”记录。",
        "中央和地方各级国家机关的公务人员（包括行使科技计划管理职能的其他人员）不得申报项目。",
        "在中国大陆境内登记注册的科研院所、高等学校和企业等法人单位。国家机关不得牵头或参与申报。",
        "注册时间在 2021 年 6 月 30 日前。",
        "诚信状况良好，无在惩戒执行期内的科研严重失信行为记录和相关社会领域信用“黑名单”记录。",
        "本重点专项指南规定的其他形式审查条件要求请参见具体指南说明。",
    ]
    assert [(c.section, c.section_title) for c in clauses if c.clause.endswith("(1)")] == [
        (1, "推荐程序和填写要求"),
        (2, "申报人应具备的资格条件"),
        (3, "申报单位应具备的资格条件"),
    ]
    by_id = {c.clause: replace(c, source=NO_SOURCE) for c in clauses}
    assert by_id["1(1)"] == FormalClause(
        "1(1)", 1, "推荐程序和填写要求", "由指南规定的推荐单位在规定时间内出具推荐函。"
    )
    assert by_id["2(1)"] == FormalClause(
        "2(1)",
        2,
        "申报人应具备的资格条件",
        "项目负责人应为 1962 年 1 月 1 日以后出生，具有高级职称或博士学位。",
    )
    assert by_id["3(2)"] == FormalClause(
        "3(2)", 3, "申报单位应具备的资格条件", "注册时间在 2021 年 6 月 30 日前。"
    )
    assert by_id["4"] == FormalClause(
        "4",
        4,
        "本重点专项指南规定的其他形式审查条件要求请参见具体指南说明。",
        "本重点专项指南规定的其他形式审查条件要求请参见具体指南说明。",
    )
    # 2(3) is split by a page break in the source
    assert (
        "科技创新 2030—重大项目的在研项目负责人（不含任务或课题负责人）也不得参与申报项目。"
        in by_id["2(3)"].text
    )
    assert by_id["2(3)"].text.endswith("项目负责人和项目骨干只能主持或参与 1 项本专项项目。")


def test_to_json_has_exactly_the_documented_keys(guide_2022):
    data = to_json(guide_2022)
    assert set(data) == {
        "year", "title", "declared_direction_count", "total_budget_yuan", "projects_per_direction",
        "eligibility", "areas", "directions", "formal_review", "warnings", "conditions", "sources",
        "document_kind", "page_sizes",
    }  # fmt: skip
    assert data["projects_per_direction"] == {"min": 1, "max": 2}
    assert data["eligibility"] == {
        "pi_born_on_or_after": "1962-01-01",
        "unit_registered_by": "2021-06-30",
        "max_domestic_units": 10,
        "min_foreign_units": 1,
        "max_duration_years": 3,
        "subtasks_allowed": False,
        "max_units": None,
        "max_subtasks": None,
        "task_lead_born_on_or_after": None,
        "matching_ratio": None,
    }
    assert data["conditions"] == []  # every condition of the 2022 guide is call-wide, each stated once
    assert set(data["areas"][0]) == {"number", "title", "intro", "source"}
    direction = data["directions"][0]
    assert set(direction) == {
        "code", "area", "title", "research_content", "research_items", "indicators_text", "indicators",
        "matching_ratio", "notes", "other_requirements", "partner_requirements", "project_types", "sources",
    }  # fmt: skip
    assert set(direction["indicators"][0]) == {
        "position",
        "text",
        "subject",
        "comparator",
        "value",
        "value_max",
        "unit",
        "source",
    }
    requirement = dict(data["directions"][3]["partner_requirements"][0])
    requirement.pop("source")
    assert requirement == {
        "kind": "continents",
        "value": ["asia", "europe", "americas"],
        "strength": "required",
        "counts_regions": False,
        "text": "应至少包括来自亚洲、欧洲、美洲的合作单位",
    }
    clause = dict(data["formal_review"][0])
    clause.pop("source")
    assert clause == {
        "clause": "1(1)",
        "section": 1,
        "section_title": "推荐程序和填写要求",
        "text": "由指南规定的推荐单位在规定时间内出具推荐函。",
    }
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert to_json(from_json(data)) == data


def test_no_latex_and_no_space_between_cjk_characters_anywhere_in_the_output(guide_2022):
    dumped = json.dumps(to_json(guide_2022), ensure_ascii=False)
    assert "$" not in dumped
    assert "\\text" not in dumped
    assert "\\geq" not in dumped and "\\leq" not in dumped
    assert "\\\\" not in dumped  # no backslash at all (JSON escapes it as \\)

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    offending = [s for s in strings(to_json(guide_2022)) if CJK_PAIR_WITH_SPACE.search(s)]
    assert offending == []


def test_matching_ratio_reads_any_ratio():
    assert matching_ratio("配套经费与国拨经费的比例不低于 2:1。") == 2.0
    assert matching_ratio("配套经费与国拨经费比例原则上不低于3：1") == 3.0
    assert matching_ratio("配套资金与国拨经费的比例不低于 1.5:1") == 1.5
    assert matching_ratio("项目中所涉及的临床样本保藏机构须具备资质。") is None


def test_research_items_accept_both_bracket_styles_and_inline_items():
    assert research_items(["具体包括：", "(1) 甲；", "（2）乙。"]) == ["甲", "乙"]
    assert research_items(["主要研究：（1）甲；（2）乙。"]) == ["甲", "乙"]
    assert research_items(["没有编号的研究内容。"]) == []


def test_formal_review_joins_a_clause_split_by_a_page():
    clauses = parse_formal_review(
        ["1. 标题", "(1) 项目负责人应为 1965 年 1 月 1", "日以后出生。", "(2) 第二条。"]
    )
    assert [(c.clause, c.section, c.section_title, c.text) for c in clauses] == [
        ("1(1)", 1, "标题", "项目负责人应为 1965 年 1 月 1日以后出生。"),
        ("1(2)", 1, "标题", "第二条。"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n  ", "empty"),
        ("这是一份项目申报书，不是指南。\n\n研究内容：某项研究。", "no title with a year"),
        ("Lorem ipsum dolor sit amet", "no title with a year"),
        (
            "“某某”重点专项 2024 年度项目申报指南\n\n一、总体目标\n\n本专项支持若干研究。",
            "no directions",
        ),
    ],
)
def test_text_that_is_not_a_guide_is_rejected(text, message):
    with pytest.raises(GuideParseError, match=message):
        parse_text(text)


def test_partner_requirement_dataclass_default():
    requirement = PartnerRequirement(kind="licence", value="hgr_preservation", strength="required", text="x")
    assert requirement.counts_regions is False
