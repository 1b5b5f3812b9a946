"""Long drafts (60+ pages, a ruled table on most of them), made with reportlab like the template.

Plain Python. The research section holds a table on every page: an experiment schedule, or a
list of the people who run each experiment (names and ID numbers, no column names) — tables whose
cells no field is read from.
"""

from __future__ import annotations

from datetime import date

from proposals.identifiers import make_resident_id
from tests.factories.proposal_docs import PAGE_BREAK, make_pdf

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
MEMBER_HEADER = ["序号", "姓名", "性别", "证件号码", "出生日期", "工作单位", "项目分工"]
UNIT_HEADER = ["单位名称", "统一社会信用代码", "国别/地区", "单位类型", "注册日期", "角色", "备注"]
UNITS = [
    ["中国科学院福建物质结构研究所", "12100000488000123N", "中国", "科研院所", "1960-06-01", "牵头", ""],
    ["福州大学", "12350000488000234T", "中国", "高等院校", "1958-09-01", "参与", "第三方公共检测机构"],
    ["Fraunhofer Institute for Solar Energy Systems", "", "德国", "科研院所", "1981-01-01", "参与", ""],
]
SCHEDULE_HEADER = ["阶段", "实验内容", "起止时间", "材料", "设备", "预期结果"]


def member(n: int) -> tuple[str, str, date]:
    """The n-th member: name, resident ID number, birth date."""
    birth = date(1970 + n % 25, 1 + n % 12, 1 + n % 28)
    name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[(n // 7) % len(GIVEN)]
    return name, make_resident_id(birth, f"{(2 * n + 1) % 1000:03d}"), birth


def member_rows(count: int) -> list[list[str]]:
    rows = []
    for n in range(count):
        name, number, birth = member(n)
        rows.append([str(n + 1), name, "男", number, birth.isoformat(), "福州大学", f"子任务 {n + 1}"])
    return rows


def long_draft_blocks(
    *,
    members: int = 60,
    research_pages: int = 60,
    repeat_header: bool = True,
    people_tables: bool = False,
) -> list:
    """The blocks of a long draft (see :func:`tests.factories.proposal_docs.make_pdf`): basic
    information and the PI as "label：value" lines, the units and members as tables (the
    members' over several pages, its header row repeated on each or not), then a research
    section of ``research_pages`` pages each holding a caption and a ruled table — a schedule, or
    with ``people_tables`` a list of people in the members table's shape (seven columns of
    names and ID numbers, no column names) — then the indicators and the attachments."""
    blocks: list = [
        "国家重点研发计划 战略性科技创新合作重点专项 2025年度项目申报书",
        "一、项目基本信息",
        "项目名称：面向碳中和的高效电解水制氢关键材料与系统国际合作研究",
        "指南方向：1.1 氢能",
        "推荐单位：福建省科学技术厅",
        "执行期限：2025-12-01 至 2028-11-30",
        "中央财政经费（万元）：500",
        "自筹经费（万元）：250.5",
        "二、项目负责人",
        "姓名：林海峰",
        "证件号码：350102197503082315",
        "出生日期：1975-03-08",
        "三、申报单位及参与单位",
        ("table", [UNIT_HEADER, *UNITS], True),
        "四、项目骨干",
        ("table", [MEMBER_HEADER, *member_rows(members)], repeat_header),
        PAGE_BREAK,
        "五、主要研究内容",
        "本项目开展高效低成本电解水制氢催化剂的设计、制备与规模化验证研究。",
    ]
    for i in range(1, research_pages + 1):
        if people_tables:
            rows = [
                [str(k), *member(1000 + 30 * i + k)[:2], "参与", "2026", "实验", "—"] for k in range(1, 9)
            ]
        else:
            rows = [SCHEDULE_HEADER] + [
                [f"{i}.{k}", f"样品 {i}-{k} 的制备与表征", "2026-01 至 2026-06", "镍铁合金", "工作站", "达标"]
                for k in range(1, 9)
            ]
        blocks += [
            PAGE_BREAK,
            f"（{i}）第 {i} 组实验按下表安排，结果汇总后进入下一阶段。",
            ("table", rows, False),
        ]
    blocks += [
        PAGE_BREAK,
        "六、考核指标",
        "研制样机 2 套。",
        "七、附件",
        "1. 推荐函",
        "2. 合作协议：无",
    ]
    return blocks


def long_draft_pdf(**options) -> bytes:
    return make_pdf(long_draft_blocks(**options))
