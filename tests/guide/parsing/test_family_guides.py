"""Other guides of the family (``fixtures/guides/family/``, invented, described in its README.md): each parses
to exactly the values a careful officer reads from it; the young-scientist guide's DOCX and LibreOffice PDF
(written by ``fixtures/guides/office/build.py``) read as its text does; a guide that states a value twice
differently, or not at all, says so instead of picking one."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date
from pathlib import Path

import pytest

from guide.parsing.conditions import (
    ABSENT,
    AMBIGUOUS,
    MISSING,
    NEEDS_GENDER,
    STATED,
    Scope,
    all_conditions,
    resolve,
)
from guide.parsing.parser import parse_text
from guide.parsing.readers import parse_file
from guide.parsing.types import CHECK, ERROR, WARNING, ParsedGuide

FAMILY = Path(__file__).resolve().parents[3] / "fixtures" / "guides" / "family"
HEADER = "“战略性科技创新合作”重点专项"
BASIC, KEY, DEMO, JOINT, YOUNG = (
    "基础研究类",
    "共性关键技术类",
    "应用示范类",
    "部省联动任务",
    "青年科学家项目",
)
CALL = Scope()


def _type(name: str, gender: str | None = None) -> Scope:
    return Scope(project_type=name, gender=gender)


def _direction(code: str) -> Scope:
    return Scope(direction=code)


@dataclasses.dataclass(frozen=True)
class Expected:
    year: int
    title: str
    budget: int
    declared: int
    projects: tuple[int, int]
    eligibility: dict
    conditions: list  # (key, parameter, value, scope, state)
    directions: list  # (code, title without its tag, project types, matching ratio)
    notices: list  # (severity, item) of every notice that is not a mere check


def _eligibility(**values) -> dict:
    fields = (
        "pi_born_on_or_after",
        "unit_registered_by",
        "max_domestic_units",
        "min_foreign_units",
        "max_duration_years",
        "subtasks_allowed",
        "max_units",
        "max_subtasks",
        "task_lead_born_on_or_after",
        "matching_ratio",
    )
    return {name: values.get(name) for name in fields}


# fmt: off
EXPECTED = {
    "young-scientist-2024": Expected(
        year=2024,
        title=f"{HEADER} 2024 年度项目申报指南",
        budget=260_000_000,
        declared=7,
        projects=(1, 2),
        eligibility=_eligibility(
            pi_born_on_or_after=date(1964, 1, 1), task_lead_born_on_or_after=date(1964, 1, 1),
            unit_registered_by=date(2023, 6, 30), min_foreign_units=1, max_duration_years=4,
        ),
        conditions=[
            ("max_subtasks@type=基础研究类", "max_subtasks", 4, _type(BASIC), STATED),
            ("subtasks_allowed@type=基础研究类", "subtasks_allowed", True, _type(BASIC), STATED),
            ("max_units@type=基础研究类", "max_units", 6, _type(BASIC), STATED),
            ("max_subtasks@type=共性关键技术类", "max_subtasks", 5, _type(KEY), STATED),
            ("max_subtasks@type=应用示范类", "max_subtasks", 5, _type(DEMO), STATED),
            ("subtasks_allowed@type=共性关键技术类", "subtasks_allowed", True, _type(KEY), STATED),
            ("subtasks_allowed@type=应用示范类", "subtasks_allowed", True, _type(DEMO), STATED),
            ("max_units@type=共性关键技术类", "max_units", 10, _type(KEY), STATED),
            ("max_units@type=应用示范类", "max_units", 10, _type(DEMO), STATED),
            ("subtasks_allowed@type=青年科学家项目", "subtasks_allowed", False, _type(YOUNG), STATED),
            ("max_units@type=青年科学家项目", "max_units", 3, _type(YOUNG), STATED),
            ("matching_ratio@type=应用示范类", "matching_ratio", 2.0, _type(DEMO), STATED),
            ("pi_born_on_or_after@type=青年科学家项目,gender=male", "pi_born_on_or_after", "1986-01-01", _type(YOUNG, "male"), STATED),
            ("pi_born_on_or_after@type=青年科学家项目,gender=female", "pi_born_on_or_after", "1984-01-01", _type(YOUNG, "female"), STATED),
            ("projects_supported@direction=2.2", "projects_supported", [1, 1], _direction("2.2"), STATED),
        ],
        directions=[
            ("1.1", "高比例可再生能源电力系统宽频振荡机理与抑制方法", [BASIC], None),
            ("1.2", "兆瓦级质子交换膜电解水制氢装备关键技术", [KEY], 1.0),
            ("1.3", "海上风电柔性直流送出工程集成应用示范", [DEMO, JOINT], 3.0),
            ("2.1", "重大传染病病原体跨境传播监测预警关键技术", [KEY], 1.0),
            ("2.2", "基于类器官的罕见病药物筛选新方法", [YOUNG], None),
            ("3.1", "典型流域新污染物迁移转化机制与生态风险", [BASIC], None),
            ("3.2", "干旱区盐碱地综合治理技术集成与应用示范", [DEMO], None),
        ],
        notices=[],
    ),
    "subtasks-2025": Expected(
        year=2025,
        title=f"{HEADER} 2025 年度联合研发项目申报指南",
        budget=500_000_000,
        declared=6,
        projects=(1, 2),
        eligibility=_eligibility(
            pi_born_on_or_after=date(1963, 1, 1), task_lead_born_on_or_after=date(1966, 1, 1),
            unit_registered_by=date(2024, 9, 30), max_units=8, min_foreign_units=1, max_duration_years=3,
            subtasks_allowed=True, max_subtasks=4,
        ),
        conditions=[
            ("max_subtasks@direction=1.3", "max_subtasks", 3, _direction("1.3"), STATED),
            ("subtasks_allowed@direction=1.3", "subtasks_allowed", True, _direction("1.3"), STATED),
        ],
        directions=[
            ("1.1", "稻田甲烷减排与固碳增汇协同技术", [], 1.0),
            ("1.2", "农业面源污染智能监测与精准防控技术", [], None),
            ("1.3", "丘陵山区智能农机装备联合研发", [], None),
            ("2.1", "城市地下管网泄漏智能感知与风险预警", [], 2.0),
            ("2.2", "大跨度桥梁结构健康监测与智能评估", [], None),
            ("2.3", "城市建筑群能源系统协同优化与柔性调控", [], None),
        ],
        notices=[],
    ),
    "run-on-title-2026": Expected(
        year=2026,
        title=f"{HEADER} 2026 年度项目申报指南",
        budget=180_000_000,
        declared=5,
        projects=(1, 2),
        eligibility=_eligibility(
            pi_born_on_or_after=date(1965, 1, 1), unit_registered_by=date(2025, 6, 30), max_domestic_units=10,
            min_foreign_units=1, max_duration_years=4, subtasks_allowed=False, matching_ratio=1.0,
        ),
        conditions=[],
        directions=[
            ("1.1", "长时液流电池储能系统关键材料与集成技术", [], 2.0),
            ("1.2", "钠离子电池关键材料与电芯制造技术", [], None),
            ("1.3", "压缩空气储能高效压缩与膨胀机组", [], None),
            ("2.1", "高性能稀土永磁材料绿色制备技术", [], None),
            ("2.2", "光伏组件退役材料高值化回收利用技术", [], 1.0),
        ],
        notices=[],
    ),
    "conflict-2026": Expected(
        year=2026,
        title=f"{HEADER} 2026 年度联合研究项目申报指南",
        budget=150_000_000,
        declared=5,
        projects=(1, 2),
        eligibility=_eligibility(
            pi_born_on_or_after=date(1964, 1, 1), max_domestic_units=8, min_foreign_units=1,
            max_duration_years=3, subtasks_allowed=False,
        ),
        conditions=[
            ("max_duration_years#2", "max_duration_years", 5, CALL, STATED),
            ("unit_registered_by", "unit_registered_by", None, CALL, MISSING),
        ],
        directions=[
            ("1.1", "北极海冰快速变化对中纬度极端天气的影响机制", [], None),
            ("1.2", "近海海洋酸化与低氧协同监测预警技术", [], 1.0),
            ("1.3", "深海沉积物微生物资源挖掘与利用", [], None),
            ("2.1", "糖尿病视网膜病变人工智能筛查与分级诊断", [], None),
            ("2.2", "慢性阻塞性肺疾病早期诊断标志物与干预策略", [], 1.0),
        ],
        notices=[
            (WARNING, "conditions[unit_registered_by]"),
            (ERROR, "conditions[max_duration_years#2]"),
        ],
    ),
}
# fmt: on
NAMES = list(EXPECTED)
DOCUMENTS = ["young-scientist-2024.16pt.docx", "young-scientist-2024.16pt.pdf"]


@functools.cache
def parsed(name: str) -> ParsedGuide:
    return parse_text((FAMILY / f"{name}.txt").read_text(encoding="utf-8"))


@functools.cache
def parsed_document(file_name: str) -> ParsedGuide:
    return parse_file(FAMILY / file_name)


def general_values(guide: ParsedGuide) -> dict:
    return {
        "year": guide.year,
        "title": guide.title,
        "budget": guide.total_budget_yuan,
        "declared": guide.declared_direction_count,
        "projects": guide.projects_per_direction,
        "directions found": len(guide.directions),
    }


def conditions(guide: ParsedGuide, *, text: bool = False) -> list[tuple]:
    return [
        (c.key, c.parameter, c.value, c.scope, c.state, *((c.text,) if text else ()))
        for c in guide.conditions
    ]


def directions(guide: ParsedGuide) -> list[tuple]:
    return [(d.code, d.title, d.project_types, d.matching_ratio) for d in guide.directions]


def notices(guide: ParsedGuide) -> list[tuple]:
    return [(w.severity, w.item) for w in guide.warnings if w.severity != CHECK]


# ---------------------------------------------------------------------------
# Each text guide reads as the README says
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_family_guide_general_values(name):
    expected = EXPECTED[name]
    assert general_values(parsed(name)) == {
        "year": expected.year,
        "title": expected.title,
        "budget": expected.budget,
        "declared": expected.declared,
        "projects": expected.projects,
        "directions found": expected.declared,
    }


@pytest.mark.parametrize("name", NAMES)
def test_family_guide_call_wide_values(name):
    assert dataclasses.asdict(parsed(name).eligibility) == EXPECTED[name].eligibility


@pytest.mark.parametrize("name", NAMES)
def test_family_guide_scoped_conditions(name):
    assert conditions(parsed(name)) == EXPECTED[name].conditions


@pytest.mark.parametrize("name", NAMES)
def test_family_guide_directions_with_their_types_and_titles_without_tags(name):
    assert directions(parsed(name)) == EXPECTED[name].directions


@pytest.mark.parametrize("name", NAMES)
def test_family_guide_notices_other_than_checks(name):
    assert notices(parsed(name)) == EXPECTED[name].notices


def test_a_title_that_runs_into_the_body_gives_the_rest_of_its_paragraph_to_the_general_part():
    guide = parsed("run-on-title-2026")
    # "……申报指南为贯彻落实……现予以发布。本批次指南共部署 5 个研究方向，国拨经费概算 1.8 亿元。" is paragraph 1
    assert {
        key: guide.sources[key].blocks for key in ("title", "declared_direction_count", "total_budget_yuan")
    } == {
        "title": (1,),
        "declared_direction_count": (1,),
        "total_budget_yuan": (1,),
    }


# ---------------------------------------------------------------------------
# Never silently wrong: a conflict is an error, a value not stated is a warning
# ---------------------------------------------------------------------------


def test_a_duration_stated_twice_differently_is_an_error_on_the_second_reading():
    guide = parsed("conflict-2026")
    errors = [(w.item, w.message) for w in guide.warnings if w.severity == ERROR]
    assert errors == [
        (
            "conditions[max_duration_years#2]",
            "project duration (实施周期/执行期……年) is stated with different values (3, 5) for the same scope "
            "(call): assign scopes or set one aside before publishing",
        )
    ]
    assert resolve(all_conditions(guide), "max_duration_years").state == AMBIGUOUS


def test_a_registration_date_not_stated_is_a_missing_placeholder_and_a_warning():
    guide = parsed("conflict-2026")
    missing = [c for c in guide.conditions if c.state == MISSING]
    assert [(c.key, c.parameter, c.value, c.scope) for c in missing] == [
        ("unit_registered_by", "unit_registered_by", None, CALL)
    ]
    assert [w.message for w in guide.warnings if w.item == "conditions[unit_registered_by]"] == [
        "no unit registration date (注册时间在……前) found: screening will not check it until you enter one "
        "or confirm there is none"
    ]
    assert resolve(all_conditions(guide), "unit_registered_by").state == MISSING


# (direction, its types, the PI's gender, parameter) → (state, value) for the young-scientist guide
# fmt: off
RESOLVED = [
    ("2.2", [YOUNG], "female", "pi_born_on_or_after", (STATED, "1984-01-01")),
    ("2.2", [YOUNG], "male", "pi_born_on_or_after", (STATED, "1986-01-01")),
    ("2.2", [YOUNG], None, "pi_born_on_or_after", (NEEDS_GENDER, None)),
    ("1.1", [BASIC], "female", "pi_born_on_or_after", (STATED, "1964-01-01")),
    ("1.3", [DEMO, JOINT], None, "max_units", (STATED, 10)),
    ("2.2", [YOUNG], None, "max_units", (STATED, 3)),
    ("2.2", [YOUNG], None, "subtasks_allowed", (STATED, False)),
    ("3.1", [BASIC], None, "max_subtasks", (STATED, 4)),
    ("3.2", [DEMO], None, "matching_ratio", (STATED, 2.0)),
    ("1.3", [DEMO, JOINT], None, "matching_ratio", (STATED, 3.0)),
    ("3.1", [BASIC], None, "matching_ratio", (ABSENT, None)),
    ("2.2", [YOUNG], None, "projects_supported", (STATED, [1, 1])),
    ("1.1", [BASIC], None, "projects_supported", (STATED, [1, 2])),
]
# fmt: on


@pytest.mark.parametrize(("direction", "types", "gender", "parameter", "expected"), RESOLVED)
def test_young_scientist_guide_resolves_the_most_specific_condition(
    direction, types, gender, parameter, expected
):
    resolved = resolve(
        all_conditions(parsed("young-scientist-2024")),
        parameter,
        direction=direction,
        types=types,
        gender=gender,
    )
    assert (resolved.state, resolved.value) == expected


# ---------------------------------------------------------------------------
# The DOCX and the PDF read as the text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", DOCUMENTS)
def test_rendered_young_scientist_guide_reads_the_same_values_as_its_text(file_name):
    document, text = parsed_document(file_name), parsed("young-scientist-2024")
    assert (
        general_values(document),
        dataclasses.asdict(document.eligibility),
        conditions(document, text=True),
        directions(document),
        notices(document),
    ) == (
        general_values(text),
        dataclasses.asdict(text.eligibility),
        conditions(text, text=True),
        directions(text),
        [],
    )


@pytest.mark.parametrize("file_name", DOCUMENTS)
def test_rendered_young_scientist_guide_reads_the_expected_conditions(file_name):
    assert (conditions(parsed_document(file_name)), directions(parsed_document(file_name))) == (
        EXPECTED["young-scientist-2024"].conditions,
        EXPECTED["young-scientist-2024"].directions,
    )


def test_the_rendered_documents_exist_as_build_py_writes_them():
    assert sorted(p.name for p in FAMILY.glob("young-scientist-2024.*")) == [
        "young-scientist-2024.16pt.docx",
        "young-scientist-2024.16pt.pdf",
        "young-scientist-2024.txt",
    ]
