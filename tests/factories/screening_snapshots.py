"""Builders for the screening rule inputs (plain dataclasses, no Django).

Every builder returns a valid, passing object for the 2022 guide and takes
keyword overrides. ``make_context()`` with no argument passes every rule (except
``direction.indicator_coverage`` when only the parser could read indicators).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from proposals.identifiers import make_credit_code
from screening.rules.types import (
    CrossIndex,
    DirectionParams,
    GuideParams,
    IndicatorSpec,
    OngoingEntry,
    OtherProposal,
    OtherRef,
    PartnerReq,
    PersonSnap,
    ProposalSnapshot,
    Registries,
    RuleContext,
    UnitSnap,
)

GUIDE_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"

TODAY = date(2022, 9, 1)

# --- credit codes --------------------------------------------------------------------


def credit_code(n: int) -> str:
    """A valid unified social credit code (check character and organisation code), distinct for each ``n``."""
    return make_credit_code(f"{n:08d}", authority="1", category="2", region="110000")


# --- guide ---------------------------------------------------------------------------

DIRECTION_5_2_TEXT = (
    "研究内容：为了提升新能源汽车运行保障能力，研究新能源汽车运行故障与事故检测评价技术，研发便捷专用的"
    "检测工具装备；研究车辆运行安全防控技术、应急处置技术，重点突破融合多源信息的异常运行状态预警技术，"
    "实现运行数据存储、提取、恢复等功能；重点突破典型事故形态的应急处置技术，形成运行安全应急处置技术体系；"
    "研究适合国际应用的新能源汽车运行故障与事故检测评价标准规范。\n"
    "考核指标：须有2个以上国家的合作单位参与；用于检测评价专用的工具装备不少于2型；融合多源信息的异常运行"
    "状态预警系统1套，预警准确率达到95%以上；典型事故形态不少于4类；提出不少于3项团体/行业/国家标准的建议稿。"
)


def make_indicator(
    subject: str, comparator: str | None, value: float | None, unit: str | None = None, **kw
) -> IndicatorSpec:
    return IndicatorSpec(subject=subject, comparator=comparator, value=value, unit=unit, **kw)


def direction_5_2_indicators() -> list[IndicatorSpec]:
    return [
        make_indicator("检测评价专用的工具装备", ">=", 2, "型"),
        make_indicator("预警准确率", ">=", 95, "%"),
        make_indicator("典型事故形态", ">=", 4, "类"),
        make_indicator("团体/行业/国家标准的建议稿", ">=", 3, "项"),
    ]


def make_direction(code: str = "5.2", **overrides) -> DirectionParams:
    defaults = {
        "code": code,
        "title": "新能源汽车运行故障与事故检测评价关键技术联合研究",
        "text": DIRECTION_5_2_TEXT,
        "matching_ratio": Decimal("1"),
        "indicators": direction_5_2_indicators(),
        "partner_reqs": [
            PartnerReq(
                kind="foreign_countries",
                value=2,
                strength="required",
                counts_regions=False,
                text="须有2个以上国家的合作单位参与",
            )
        ],
    }
    defaults.update(overrides)
    return DirectionParams(**defaults)


def other_directions() -> dict[str, DirectionParams]:
    """Directions 2.1, 6.4, 10.4 and 10.7 with their partner requirements (texts shortened)."""
    return {
        "2.1": DirectionParams(
            code="2.1",
            title="光伏发电耐候性测试和生态设计评估技术国际合作",
            text="光伏组件 可靠性评估 户外测试 生态设计 应至少包括来自亚洲、欧洲、美洲的合作单位",
            matching_ratio=None,
            partner_reqs=[
                PartnerReq(
                    kind="continents",
                    value=("asia", "europe", "americas"),
                    strength="indicator",
                    text="应至少包括来自亚洲、欧洲、美洲的合作单位",
                ),
                PartnerReq(
                    kind="institution_kind",
                    value="third_party_testing",
                    strength="required",
                    text="参加单位应包括光伏领域第三方公共检测机构不少于1家",
                ),
            ],
        ),
        "6.4": DirectionParams(
            code="6.4",
            title="“双高”工业集聚区低碳零碳技术比较与应用联合研究",
            text="双高 工业集聚区 低碳 零碳 同2个以上国家（地区、国际组织）开展合作",
            matching_ratio=Decimal("1"),
            partner_reqs=[
                PartnerReq(
                    kind="foreign_countries",
                    value=2,
                    strength="indicator",
                    counts_regions=True,
                    text="同2个以上国家（地区、国际组织）开展合作",
                )
            ],
        ),
        "10.4": DirectionParams(
            code="10.4",
            title="基于人工智能和信息学等新兴技术的冠心病及共患慢病综合防治策略研究",
            text="冠心病 临床决策支持系统 人工智能 影像组学",
            matching_ratio=None,
            partner_reqs=[
                PartnerReq(
                    kind="licence",
                    value="hgr_license",
                    strength="required",
                    text="临床样本保藏机构须具备“人类遗传资源保藏行政许可”资质",
                )
            ],
        ),
        "10.7": DirectionParams(
            code="10.7",
            title="帕金森病发病机制和早期预警和干预研究",
            text="帕金森病 前驱期 早期预警 干预靶点",
            matching_ratio=None,
        ),
    }


def make_guide(**overrides) -> GuideParams:
    """The 2022 guide's limits with directions 5.2, 2.1, 6.4, 10.4 and 10.7."""
    directions = {"5.2": make_direction()} | other_directions()
    defaults = {
        "year": 2022,
        "pi_born_on_or_after": date(1962, 1, 1),
        "unit_registered_by": date(2021, 6, 30),
        "max_domestic_units": 10,
        "min_foreign_units": 1,
        "max_duration_years": 3,
        "directions": directions,
        "formal_clauses": {"2(1)": "项目负责人应为1962年1月1日以后出生，具有高级职称或博士学位。"},
    }
    defaults.update(overrides)
    return GuideParams(**defaults)


def make_other_year_guide(**overrides) -> GuideParams:
    """A guide of another year with different limits: born on or after 1965-01-01,
    registered by 2022-12-31, at most 8 Chinese units, at least 2 foreign units,
    at most 4 years, direction 5.2 with a 3:1 matching ratio."""
    defaults = {
        "year": 2024,
        "pi_born_on_or_after": date(1965, 1, 1),
        "unit_registered_by": date(2022, 12, 31),
        "max_domestic_units": 8,
        "min_foreign_units": 2,
        "max_duration_years": 4,
        "directions": {"5.2": make_direction(matching_ratio=Decimal("3"))},
    }
    defaults.update(overrides)
    return GuideParams(**defaults)


def fixture_directions() -> dict[str, DirectionParams]:
    """All second-level directions of the 2022 guide fixture (code, title, text only),
    split with a plain regex on the "1.1 标题" headings."""
    text = GUIDE_FIXTURE.read_text(encoding="utf-8")
    body = text.split("二、领域和方向", 1)[1].split("形式审查条件要求", 1)[0]
    heading = re.compile(r"^(\d{1,2}\.\d{1,2}) (\S.*)$")
    chapter = re.compile(r"^\d{1,2}\. \S")
    directions: dict[str, DirectionParams] = {}
    current: tuple[str, str] | None = None
    lines: list[str] = []

    def flush() -> None:
        if current:
            code, title = current
            directions[code] = DirectionParams(code=code, title=title, text="\n".join(lines).strip())

    for line in body.splitlines():
        match = heading.match(line.strip())
        if match:
            flush()
            current, lines = (match.group(1), match.group(2).strip()), []
        elif chapter.match(line.strip()):
            flush()
            current, lines = None, []
        elif current:
            lines.append(line)
    flush()
    return directions


def make_fixture_guide(**overrides) -> GuideParams:
    return make_guide(directions=fixture_directions(), **overrides)


# --- people and units ------------------------------------------------------------------


def make_pi(**overrides) -> PersonSnap:
    defaults = {
        "name": "张伟",
        "id_number": "110101197505051234",
        "birth_date": date(1975, 5, 5),
        "nationality": "CN",
        "title": "研究员",
        "degree": "博士",
        "employer": "清华大学",
        "employment": "full_time",
        "employment_proofs": None,
        "civil_servant": False,
        "role": "pi",
        "index": None,
    }
    defaults.update(overrides)
    return PersonSnap(**defaults)


def make_member(index: int = 0, **overrides) -> PersonSnap:
    defaults = {
        "name": f"成员{index}",
        "id_number": f"1101011980010{index:04d}X"[:18],
        "birth_date": date(1980, 1, 1),
        "nationality": "CN",
        "title": "副教授",
        "degree": "博士",
        "employer": "清华大学",
        "employment": "full_time",
        "civil_servant": False,
        "role": "member",
        "index": index,
    }
    defaults.update(overrides)
    return PersonSnap(**defaults)


def make_unit(index: int = 0, **overrides) -> UnitSnap:
    """A mainland participating research institute (valid credit code, registered 2001)."""
    defaults = {
        "name": f"中方单位{index}",
        "credit_code": credit_code(index),
        "country": "CN",
        "type": "research_institute",
        "registered_on": date(2001, 3, 1),
        "role": "participant",
        "index": index,
    }
    defaults.update(overrides)
    return UnitSnap(**defaults)


def make_lead_unit(index: int = 0, **overrides) -> UnitSnap:
    defaults = {"name": "清华大学", "type": "university", "role": "lead"}
    defaults.update(overrides)
    return make_unit(index, **defaults)


def make_foreign_unit(index: int, country: str = "DE", **overrides) -> UnitSnap:
    defaults = {
        "name": f"Foreign Partner {index} ({country})",
        "credit_code": None,
        "country": country,
        "type": "university",
        "registered_on": None,
        "role": "participant",
        "index": index,
    }
    defaults.update(overrides)
    return UnitSnap(**defaults)


def default_units() -> list[UnitSnap]:
    return [
        make_lead_unit(0),
        make_unit(1, name="中国汽车技术研究中心"),
        make_foreign_unit(2, "DE", name="Technische Universität Berlin"),
        make_foreign_unit(3, "US", name="University of Michigan"),
    ]


def reindex(units: list[UnitSnap]) -> list[UnitSnap]:
    """The same units with ``index`` set to their position."""
    return [dataclasses.replace(u, index=i) for i, u in enumerate(units)]


# --- proposal -------------------------------------------------------------------------


def make_proposal(**overrides) -> ProposalSnapshot:
    defaults = {
        "id": 1,
        "reference": "P2022-0001",
        "guide_year": 2022,
        "direction": "5.2",
        "title": "新能源汽车运行故障与事故检测评价关键技术联合研究",
        "recommender": "教育部",
        "start_date": date(2023, 1, 1),
        "end_date": date(2025, 12, 31),
        "national_funding": Decimal("500"),
        "matching_funding": Decimal("600"),
        "research_content": DIRECTION_5_2_TEXT,
        "indicators_text": "研制检测评价专用工具装备3型；预警准确率≥96%；典型事故形态5类；提出标准建议稿3项。",
        "indicators": [
            make_indicator("检测评价专用工具装备", "=", 3, "型"),
            make_indicator("预警准确率", ">=", 96, "%"),
            make_indicator("典型事故形态", "=", 5, "类"),
            make_indicator("标准建议稿", "=", 3, "项"),
        ],
        "attachments": frozenset({"recommendation_letter", "cooperation_agreement"}),
        "pi": make_pi(),
        "members": [make_member(0), make_member(1, name="李娜", title="高级工程师")],
        "units": default_units(),
    }
    defaults.update(overrides)
    return ProposalSnapshot(**defaults)


def make_registries(**overrides) -> Registries:
    """All registries loaded and empty."""
    defaults = {
        "ongoing_projects": [],
        "misconduct_people": set(),
        "misconduct_units": set(),
        "guide_experts": set(),
        "recommenders": {"教育部", "中国科学院", "工业和信息化部"},
    }
    defaults.update(overrides)
    return Registries(**defaults)


def make_ongoing(id_number: str, role: str = "project_lead", **overrides) -> OngoingEntry:
    defaults = {"id_number": id_number, "name": "某人", "role": role, "program": "国家重点研发计划"}
    defaults.update(overrides)
    return OngoingEntry(**defaults)


def make_cross(**overrides) -> CrossIndex:
    return CrossIndex(**overrides)


def make_other_proposal(id: int = 2, **overrides) -> OtherProposal:
    defaults = {
        "id": id,
        "reference": f"P2022-{id:04d}",
        "title": "城市轨道交通能耗优化技术研究",
        "research_content": "研究城市轨道交通列车运行能耗优化方法。",
        "pi_id_number": "310101198001011111",
        "lead_unit_key": "",
        "recommender": "上海市科学技术委员会",
    }
    defaults.update(overrides)
    return OtherProposal(**defaults)


def make_other_ref(id: int = 2, role: str = "member", **overrides) -> OtherRef:
    defaults = {"id": id, "reference": f"P2022-{id:04d}", "role": role}
    defaults.update(overrides)
    return OtherRef(**defaults)


def make_context(proposal: ProposalSnapshot | None = None, **overrides) -> RuleContext:
    defaults = {
        "proposal": proposal if proposal is not None else make_proposal(),
        "guide": make_guide(),
        "registries": make_registries(),
        "cross": make_cross(),
        "today": TODAY,
    }
    defaults.update(overrides)
    return RuleContext(**defaults)


def ctx_with(proposal_overrides: dict | None = None, **context_overrides) -> RuleContext:
    """``make_context(make_proposal(**proposal_overrides), **context_overrides)``."""
    return make_context(make_proposal(**(proposal_overrides or {})), **context_overrides)


# --- a guide of the family with project types and scoped conditions ------------------------------

FAMILY_TYPES = {
    "1.1": ("基础研究类",),
    "1.2": ("共性关键技术类",),
    "2.1": ("应用示范类", "部省联动任务"),
    "3.1": ("青年科学家项目",),
}


def family_conditions() -> tuple:
    """The conditions of a young-scientist guide (as fixtures/guides/family/ states them): PI cutoff
    1964-01-01, young scientists 男 1986-01-01 / 女 1984-01-01; units 基础 6, 共性/应用 10, 青年 3;
    subtasks 基础 ≤ 4, 共性/应用 ≤ 5, 青年 none; task leads 1964-01-01; 应用示范类 ratio 2:1, direction 1.2
    its own 1:1; duration 4 years; 1 foreign unit; the registration date not stated (MISSING)."""
    from guide.parsing.conditions import MISSING, Condition, Scope, assign_keys

    def c(parameter, value, project_type=None, gender=None, direction=None, state="stated"):
        return Condition("", parameter, value, Scope(project_type, direction, gender), state)

    rows = [
        c("pi_born_on_or_after", "1964-01-01"),
        c("pi_born_on_or_after", "1986-01-01", "青年科学家项目", "male"),
        c("pi_born_on_or_after", "1984-01-01", "青年科学家项目", "female"),
        c("task_lead_born_on_or_after", "1964-01-01"),
        c("max_units", 6, "基础研究类"),
        c("max_units", 10, "共性关键技术类"),
        c("max_units", 10, "应用示范类"),
        c("max_units", 3, "青年科学家项目"),
        c("subtasks_allowed", True, "基础研究类"),
        c("max_subtasks", 4, "基础研究类"),
        c("max_subtasks", 5, "共性关键技术类"),
        c("max_subtasks", 5, "应用示范类"),
        c("subtasks_allowed", False, "青年科学家项目"),
        c("matching_ratio", 2.0, "应用示范类"),
        c("matching_ratio", 1.0, direction="1.2"),
        c("max_duration_years", 4),
        c("min_foreign_units", 1),
        c("unit_registered_by", None, state=MISSING),
    ]
    return tuple(assign_keys(rows))


def make_family_guide(**overrides) -> GuideParams:
    directions = {
        code: make_direction(code, matching_ratio=None, partner_reqs=[], project_types=types)
        for code, types in FAMILY_TYPES.items()
    }
    defaults = {"year": 2024, "directions": directions, "conditions": family_conditions()}
    defaults.update(overrides)
    return GuideParams(**defaults)
