"""The phrasings of the family's guides, one line each, and what the readers make of them.

``PHRASINGS``: a sentence of a guide's general part or formal review, the guide's project types (the
tags of its directions), and exactly the conditions :func:`read_conditions` reads from it, as
(parameter, value, project type, gender). Adding a phrasing is adding one line. The whole guides these
come from are in ``fixtures/guides/family/`` (``test_family_guides.py``).
"""

from __future__ import annotations

import pytest

from guide.parsing.conditions import matching_ratio, read_conditions, title_tags
from guide.parsing.general import find_budget_yuan, find_declared_direction_count
from guide.parsing.types import Block

PI, LEAD, REGISTERED = "pi_born_on_or_after", "task_lead_born_on_or_after", "unit_registered_by"
UNITS, DOMESTIC, FOREIGN = "max_units", "max_domestic_units", "min_foreign_units"
YEARS, SUBTASKS, MAX_SUBTASKS = "max_duration_years", "subtasks_allowed", "max_subtasks"
RATIO, PROJECTS = "matching_ratio", "projects_supported"

BASIC, KEY, DEMO, JOINT, YOUNG = (
    "基础研究类",
    "共性关键技术类",
    "应用示范类",
    "部省联动任务",
    "青年科学家项目",
)
TYPES = (BASIC, KEY, DEMO, JOINT, YOUNG)  # the tags of young-scientist-2024.txt, in their order
MALE, FEMALE = "male", "female"
OTHER_FUNDS = "其他经费（包括地方财政经费、单位出资及社会渠道资金等）与中央财政经费比例不低于"

# (sentence, the guide's project types, [(parameter, value, project type, gender), …])
# fmt: off
PHRASINGS = [
    # the PI and the task leads
    ("项目（课题）负责人应为 1964 年 1 月 1 日以后出生，具有高级职称或博士学位。", (), [(PI, "1964-01-01", None, None), (LEAD, "1964-01-01", None, None)]),
    ("项目（任务）负责人应为 1964 年 1 月 1 日以后出生。", (), [(PI, "1964-01-01", None, None), (LEAD, "1964-01-01", None, None)]),
    ("项目及课题负责人应为 1964 年 1 月 1 日以后出生。", (), [(PI, "1964-01-01", None, None), (LEAD, "1964-01-01", None, None)]),
    ("项目负责人应为 1962 年 1 月 1 日以后出生，具有高级职称或博士学位。", (), [(PI, "1962-01-01", None, None)]),
    ("项目负责人应为 1962 年 1 月 1 日（含）以后出生。", (), [(PI, "1962-01-01", None, None)]),
    ("项目负责人应为 1964 年 1 月 1 日及以后出生。", (), [(PI, "1964-01-01", None, None)]),
    ("项目负责人应为１９６４年１月１日以后出生。", (), [(PI, "1964-01-01", None, None)]),
    ("项 目 负 责 人 应 为 1964 年 1 月 1 日 以 后 出 生。", (), [(PI, "1964-01-01", None, None)]),
    ("课题负责人应为 1966 年 1 月 1 日以后出生，具有高级职称或博士学位。", (), [(LEAD, "1966-01-01", None, None)]),
    ("项目负责人应为 1962 年 2 月 30 日以后出生。", (), []),
    ("青年科学家项目负责人年龄要求，男性应为 1986 年 1 月 1 日以后出生，女性应为 1984 年 1 月 1 日以后出生。", (YOUNG,), [(PI, "1986-01-01", YOUNG, MALE), (PI, "1984-01-01", YOUNG, FEMALE)]),
    ("青年科学家项目负责人年龄要求，男性应为 1986 年 1 月 1 日以后出生，女性应为 1984 年 1 月 1 日以后出生。", TYPES, [(PI, "1986-01-01", YOUNG, MALE), (PI, "1984-01-01", YOUNG, FEMALE)]),
    ("青年科学家项目负责人男应为 1986 年 1 月 1 日以后出生，女应为 1984 年 1 月 1 日以后出生。", TYPES, [(PI, "1986-01-01", YOUNG, MALE), (PI, "1984-01-01", YOUNG, FEMALE)]),
    # the units' registration
    ("注册时间在 2021 年 6 月 30 日前。", (), [(REGISTERED, "2021-06-30", None, None)]),
    ("申报单位注册时间为 2022 年 12 月 31 日（含）以前。", (), [(REGISTERED, "2022-12-31", None, None)]),
    ("申报单位应在 2024 年 9 月 30 日前注册成立。", (), [(REGISTERED, "2024-09-30", None, None)]),
    ("注册时间在 2021 年 2 月 30 日前。", (), []),
    # units
    ("基础研究类项目下设课题数不超过 4 个，项目参与单位总数不超过 6 家；共性关键技术类和应用示范类项目下设课题数不超过 5 个，项目参与单位总数不超过 10 家。", TYPES, [(MAX_SUBTASKS, 4, BASIC, None), (SUBTASKS, True, BASIC, None), (UNITS, 6, BASIC, None), (MAX_SUBTASKS, 5, KEY, None), (MAX_SUBTASKS, 5, DEMO, None), (SUBTASKS, True, KEY, None), (SUBTASKS, True, DEMO, None), (UNITS, 10, KEY, None), (UNITS, 10, DEMO, None)]),
    ("基础研究类项目参与单位总数不超过 6 家；共性关键技术类和应用示范类项目参与单位总数不超过 10 家；青年科学家项目参与单位总数不超过 3 家。", TYPES, [(UNITS, 6, BASIC, None), (UNITS, 10, KEY, None), (UNITS, 10, DEMO, None), (UNITS, 3, YOUNG, None)]),
    ("共性关键技术类、应用示范类项目参与单位总数不超过 10 家。", TYPES, [(UNITS, 10, KEY, None), (UNITS, 10, DEMO, None)]),
    ("青年科学家项目不再下设课题，项目参与单位总数不超过 3 家。", (YOUNG,), [(SUBTASKS, False, YOUNG, None), (UNITS, 3, YOUNG, None)]),
    ("项目参与单位总数（含牵头单位）不超过 8 家。", (), [(UNITS, 8, None, None)]),
    ("项目参与单位总数不超过 6 家（含牵头单位）。", (), [(UNITS, 6, None, None)]),
    ("中方参与单位总数不超过 10 家。", (), [(DOMESTIC, 10, None, None)]),
    ("中方参与单位总数不超过十家。", (), [(DOMESTIC, 10, None, None)]),
    ("中方参与单位总数（含牵头单位）不超过 10 家。", (), [(DOMESTIC, 10, None, None)]),
    ("申报项目时须有 1 个（或以上）国（境）外单位共同参与申报。", (), [(FOREIGN, 1, None, None)]),
    ("须有 1 个（或以上）国（境）外单位", (), [(FOREIGN, 1, None, None)]),
    ("项目须有 2 家以上国（境）外合作单位参与。", (), [(FOREIGN, 2, None, None)]),
    ("国（境）外合作单位不少于 1 家。", (), [(FOREIGN, 1, None, None)]),
    ("国（境）外参与单位总数不设上限。", (), []),
    ("国（境）外参与单位总数不超过 3 家。", (), []),
    # duration
    ("项目执行期 3~4 年。", (), [(YEARS, 4, None, None)]),
    ("项目执行期 3～4 年。", (), [(YEARS, 4, None, None)]),
    ("项目执行期 3〜4 年。", (), [(YEARS, 4, None, None)]),
    ("执行期一般为 3 年。", (), [(YEARS, 3, None, None)]),
    ("实施周期一般不超过 3 年。", (), [(YEARS, 3, None, None)]),
    ("项 目 实 施 周 期 3 – 4 年。", (), [(YEARS, 4, None, None)]),
    ("项目实施周期不超过３年。", (), [(YEARS, 3, None, None)]),
    ("项目实施周期一般为三年。", (), [(YEARS, 3, None, None)]),
    ("项目实施周期三至四年。", (), [(YEARS, 4, None, None)]),
    ("执行期一般为 3 年，最长不超过 4 年。", (), [(YEARS, 4, None, None)]),
    ("为贯彻落实《国家中长期科学和技术发展规划纲要（2021—2035 年）》。", (), []),
    # subtasks
    ("项目下设课题数不超过 4 个。", (), [(MAX_SUBTASKS, 4, None, None), (SUBTASKS, True, None, None)]),
    ("项目下设课题不超过 5 个。", (), [(MAX_SUBTASKS, 5, None, None), (SUBTASKS, True, None, None)]),
    ("每个项目下设课题数原则上不超过四个。", (), [(MAX_SUBTASKS, 4, None, None), (SUBTASKS, True, None, None)]),
    ("项目不下设任务（或课题）。", (), [(SUBTASKS, False, None, None)]),
    ("项目不下设课题。", (), [(SUBTASKS, False, None, None)]),
    ("项目可下设课题。", (), [(SUBTASKS, True, None, None)]),
    # matching funds : national funds
    (OTHER_FUNDS + " 1:1。", (), [(RATIO, 1.0, None, None)]),
    (OTHER_FUNDS + " 2:1。", (), [(RATIO, 2.0, None, None)]),
    (OTHER_FUNDS + " 3:1。", (), [(RATIO, 3.0, None, None)]),
    ("应用示范类项目" + OTHER_FUNDS + " 2:1。", TYPES, [(RATIO, 2.0, DEMO, None)]),
    ("配套经费与国拨经费的比例不低于 2:1。", (), [(RATIO, 2.0, None, None)]),
    ("配套经费与国拨经费的比例不低于２：１。", (), [(RATIO, 2.0, None, None)]),
    ("配套经费与国拨经费的比例不低于 2∶1。", (), [(RATIO, 2.0, None, None)]),
    ("自筹经费与国拨经费比例不低于 1.5:1。", (), [(RATIO, 1.5, None, None)]),
    # projects per direction: [min, max]
    ("每个指南方向原则上只支持 1 项，当出现申报项目评审结果前两位评价相近、技术路线明显不同的情况时，可同时支持 2 项。", (), [(PROJECTS, [1, 2], None, None)]),
    ("拟支持项目数 1 项。", (), [(PROJECTS, [1, 1], None, None)]),
    ("每个指南方向拟支持项目数为 1~2 项。", (), [(PROJECTS, [1, 2], None, None)]),
    ("每个研究方向拟支持 1~2 个项目。", (), [(PROJECTS, [1, 2], None, None)]),
    ("每个指南方向拟支持项目数原则为 1 项，在同一研究方向下，当出现申报项目评审结果前两位评价相近的情况时，可同时支持 2 个项目。", (), [(PROJECTS, [1, 2], None, None)]),
    # sentences with numbers and none of the conditions
    ("项目负责人限申报 1 个项目。", (), []),
    ("在研项目（含任务或课题）负责人不得牵头申报项目。", (), []),
    ("2 个项目将采取分两个阶段支持的方式。", (), []),
]
# fmt: on


@pytest.mark.parametrize(
    ("sentence", "types", "expected"), PHRASINGS, ids=[f"{i:02d}" for i in range(len(PHRASINGS))]
)
def test_phrasing_reads_exactly_these_conditions(sentence, types, expected):
    read = read_conditions([Block(1, sentence)], types=types)
    assert [
        (c.parameter, c.value, c.scope.project_type, c.scope.gender, c.scope.direction) for c, _block in read
    ] == [(*condition, None) for condition in expected]


def test_a_directions_own_text_is_scoped_to_it_and_not_to_the_types_it_names():
    read = read_conditions(
        [Block(1, "有关说明：拟支持项目数 1 项，青年科学家项目参与单位总数不超过 2 家。")],
        types=TYPES,
        direction="2.2",
    )
    assert [(c.parameter, c.value, c.scope.project_type, c.scope.direction) for c, _block in read] == [
        (PROJECTS, [1, 1], None, "2.2"),
        (UNITS, 2, None, "2.2"),
    ]


def test_a_condition_keeps_the_clause_it_was_read_from():
    read = read_conditions(
        [Block(1, "项目不下设课题，中方参与单位总数不超过 10 家；实施周期一般不超过 3 年。")]
    )
    assert [(c.parameter, c.text) for c, _block in read] == [
        (SUBTASKS, "项目不下设课题,中方参与单位总数不超过10家"),
        (DOMESTIC, "项目不下设课题,中方参与单位总数不超过10家"),
        (YEARS, "实施周期一般不超过3年"),
    ]


def test_gender_cutoffs_split_by_a_semicolon_keep_the_young_scientist_type():
    sentence = "青年科学家项目负责人年龄要求：男性应为 1986 年 1 月 1 日以后出生；女性应为 1984 年 1 月 1 日以后出生。"
    read = read_conditions([Block(1, sentence)], types=TYPES)
    assert [(c.parameter, c.value, c.scope.project_type, c.scope.gender) for c, _block in read] == [
        (PI, "1986-01-01", YOUNG, MALE),
        (PI, "1984-01-01", YOUNG, FEMALE),
    ]


def test_a_type_does_not_reach_past_the_end_of_its_sentence():
    sentence = "青年科学家项目负责人男性应为 1986 年 1 月 1 日以后出生。女性应为 1964 年 1 月 1 日以后出生。"
    read = read_conditions([Block(1, sentence)], types=TYPES)
    assert [(c.parameter, c.value, c.scope.project_type, c.scope.gender) for c, _block in read] == [
        (PI, "1986-01-01", YOUNG, MALE),
        (PI, "1964-01-01", None, FEMALE),
    ]


# (title as the guide prints it, title without the tag, the tag's types)
# fmt: off
TITLES = [
    ("高比例可再生能源电力系统宽频振荡机理与抑制方法（基础研究类）", "高比例可再生能源电力系统宽频振荡机理与抑制方法", [BASIC]),
    ("海上风电柔性直流送出工程集成应用示范（应用示范类，部省联动任务）", "海上风电柔性直流送出工程集成应用示范", [DEMO, JOINT]),
    ("基于类器官的罕见病药物筛选新方法（青年科学家项目）", "基于类器官的罕见病药物筛选新方法", [YOUNG]),
    ("碳捕集利用与封存（CCUS）技术合作", "碳捕集利用与封存（CCUS）技术合作", []),
    ("二氧化碳捕集利用与封存技术（CCUS）", "二氧化碳捕集利用与封存技术（CCUS）", []),
    ("海洋碳汇监测评估（一期）", "海洋碳汇监测评估（一期）", []),
]
# fmt: on


@pytest.mark.parametrize(("title", "stripped", "types"), TITLES, ids=[f"{i:02d}" for i in range(len(TITLES))])
def test_a_title_tag_of_project_types_leaves_the_title(title, stripped, types):
    assert title_tags(title) == (stripped, types)


BUDGETS = [
    ("拟安排国拨经费 2.6 亿元", 260_000_000),
    ("国拨经费总概算约 5 亿元", 500_000_000),
    ("国拨经费概算 2.5 亿元人民币", 250_000_000),
    ("国拨经费概算 1.2 亿元", 120_000_000),
    ("拟安排国拨经费２.６亿元", 260_000_000),
    ("本批次拟安排中央财政经费 3 亿元", 300_000_000),
    ("国拨经费总概算 8000 万元", 80_000_000),
    ("配套经费与国拨经费的比例不低于 2:1", None),
]


@pytest.mark.parametrize(("text", "yuan"), BUDGETS, ids=[f"{i:02d}" for i in range(len(BUDGETS))])
def test_budget_phrasing(text, yuan):
    assert find_budget_yuan(text) == yuan


DECLARED_COUNTS = [
    ("拟支持 21 个研究方向", 21),
    ("2019 年拟安排 22 个研究方向", 22),
    ("2025 年拟安排 6 个研究方向", 6),
    ("本批次指南共计 39 个二级指南方向", 39),
    ("本批次指南共部署 5 个研究方向", 5),
    ("围绕 3 个技术领域，拟支持 7 个研究方向", 7),
    ("拟启动十个研究方向", 10),
    ("申报项目须有 1 个（或以上）国（境）外单位", None),
]


@pytest.mark.parametrize(
    ("text", "count"), DECLARED_COUNTS, ids=[f"{i:02d}" for i in range(len(DECLARED_COUNTS))]
)
def test_declared_direction_count_phrasing(text, count):
    assert find_declared_direction_count(text) == count


def test_two_ratios_in_one_clause_keep_their_types():
    sentence = (
        "共性关键技术类项目其他经费与中央财政经费比例不低于 1:1，"
        "应用示范类项目其他经费与中央财政经费比例不低于 2∶1。"
    )
    read = read_conditions([Block(1, sentence)], types=TYPES)
    assert [(c.parameter, c.value, c.scope.project_type) for c, _block in read] == [
        ("matching_ratio", 1.0, "共性关键技术类"),
        ("matching_ratio", 2.0, "应用示范类"),
    ]


def test_a_direction_ratio_with_the_ratio_sign_is_read():
    assert matching_ratio("配套经费与国拨经费的比例不低于 2∶1。") == 2.0


def test_a_title_running_into_the_body_is_split_and_each_part_points_at_its_own_lines():
    from guide.parsing.parser import parse_blocks
    from guide.parsing.types import Box

    title = "“某合作”重点专项 2031 年度项目申报指南"
    body = "为贯彻落实国家科技创新规划，现发布本指南。国拨经费概算 1 亿元。"
    lines = (title + body[:4], body[4:])
    first = Block(
        1,
        title + body,
        boxes=(Box(1, 70, 80, 520, 100), Box(1, 70, 102, 520, 122)),
        line_chars=(len(lines[0]), len(lines[1])),
    )
    rest = [
        Block(2, "1. 领域一"),
        Block(3, "1.1 方向一"),
        Block(4, "研究内容：开展研究。"),
        Block(5, "考核指标：效率不低于 90%。"),
    ]
    guide = parse_blocks([first, *rest], document_kind="pdf")
    assert guide.title == title
    assert guide.total_budget_yuan == 100_000_000
    assert [b.top for b in guide.sources["title"].boxes] == [80]
    assert [b.top for b in guide.sources["total_budget_yuan"].boxes] == [80, 102]


def test_a_sentence_citing_a_guide_is_not_taken_for_a_run_on_title():
    from guide.parsing.parser import parse_text

    text = (
        "根据《国家重点研发计划 2021 年度项目申报指南》要求，现发布本专项指南。\n\n"
        "“某合作”重点专项 2031 年度项目申报指南\n\n1. 领域一\n\n1.1 方向一\n\n研究内容：开展研究。\n\n考核指标：效率不低于 90%。"
    )
    guide = parse_text(text)
    assert (guide.title, guide.year) == ("“某合作”重点专项 2031 年度项目申报指南", 2031)
