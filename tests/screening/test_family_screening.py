"""A guide of the family, published from its text (fixtures/guides/family/young-scientist-2024.txt), and a
batch of proposals screened through the service, each with the findings a careful officer derives by
hand from the guide (see fixtures/guides/family/README.md for the conditions):

- 2.2 青年科学家项目: PI cutoff 1986-01-01 for men, 1984-01-01 for women; at most 3 units; no subtasks;
- 3.1 基础研究类: at most 6 units, at most 4 subtasks, task leads born on or after 1964-01-01;
- 3.2 应用示范类: at most 10 units; ratio 2:1 (the type's, from the general part);
- 1.3 应用示范类 with its own ratio 3:1 (the direction's wins over the type's);
- everywhere: PI born on or after 1964-01-01, at most 4 years, 1 foreign unit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from guide.services import guide_ingest
from proposals.identifiers import make_credit_code, make_resident_id
from proposals.interchange import Budget, PersonData, SubtaskData, UnitData
from screening import services
from tests.factories.proposals import complete_data, make_proposal

pytestmark = pytest.mark.django_db

GUIDE = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "family" / "young-scientist-2024.txt"
RULES = ("pi.age", "units.total_limit", "project.subtasks", "budget.matching_ratio", "project.duration")


@pytest.fixture
def guide(db):
    return guide_ingest(path=GUIDE)


def pi(born: date, *, gender: str | None = None, mainland: bool = True) -> PersonData:
    return PersonData(
        name="林海峰",
        id_number=make_resident_id(born, "231" if gender != "female" else "242", "350102")
        if mainland
        else "E1234567",
        birth_date=born,
        nationality="CN",
        title="研究员",
        degree="博士",
        employer="福州大学",
        employment="full_time",
        gender=None if mainland else gender,
    )


def units(count: int) -> list[UnitData]:
    lead = UnitData(
        name="福州大学",
        credit_code=make_credit_code("MA000100"),
        country="CN",
        type="university",
        role="lead",
    )
    chinese = [
        UnitData(
            name=f"中方单位{i}",
            credit_code=make_credit_code(f"MA00{i:04d}"),
            country="CN",
            type="university",
            role="participant",
        )
        for i in range(1, count - 1)
    ]
    foreign = UnitData(name="Fraunhofer ISE", country="DE", type="research_institute", role="participant")
    return [lead, *chinese, foreign]


def subtasks(*born: date) -> list[SubtaskData]:
    return [
        SubtaskData(
            name=f"课题{i + 1}",
            lead_unit="福州大学",
            lead_name="陈静",
            lead_birth_date=b,
            national_funding=Decimal("100"),
        )
        for i, b in enumerate(born)
    ]


def screened(direction: str, *, matching: str = "1500", **overrides) -> dict[str, str]:
    fields = {
        "guide_year": 2024,
        "direction": direction,
        "start_date": date(2025, 1, 1),
        "end_date": date(2028, 12, 31),
        "budget": Budget(national=Decimal("500"), matching=Decimal(matching)),
        "units": units(3),
    }
    data = complete_data(**(fields | overrides))
    proposal = make_proposal(data=data, state="submitted")
    run = services.screening_request(proposal=proposal)
    services.screening_execute(run_ids=[run.pk])
    run.refresh_from_db()
    found: dict[str, str] = {}
    for f in run.findings.order_by("position"):
        if f.rule in RULES and (f.rule not in found or f.status == "fail"):
            found[f.rule] = f.status
    return found


def test_the_batch_gets_the_findings_of_a_careful_officer(guide):
    old_man = pi(date(1985, 12, 31))
    cases = {
        "young man born 1985-12-31": (screened("2.2", pi=old_man), {"pi.age": "fail"}),
        "young woman born 1984-01-01": (
            screened("2.2", pi=pi(date(1984, 1, 1), gender="female")),
            {"pi.age": "pass"},
        ),
        "young, passport, no gender": (
            screened("2.2", pi=pi(date(1985, 6, 1), mainland=False)),
            {"pi.age": "unknown"},
        ),
        "young, passport, woman": (
            screened("2.2", pi=pi(date(1985, 6, 1), gender="female", mainland=False)),
            {"pi.age": "pass"},
        ),
        "basic research, PI born 1964-01-01": (screened("3.1", pi=pi(date(1964, 1, 1))), {"pi.age": "pass"}),
        "young, 4 units": (
            screened("2.2", units=units(4), pi=pi(date(1990, 1, 1))),
            {"units.total_limit": "fail"},
        ),
        "young, 3 units": (screened("2.2", pi=pi(date(1990, 1, 1))), {"units.total_limit": "pass"}),
        "basic research, 7 units": (screened("3.1", units=units(7)), {"units.total_limit": "fail"}),
        "demonstration, 9 units": (screened("3.2", units=units(9)), {"units.total_limit": "pass"}),
        "young, a subtask": (
            screened("2.2", pi=pi(date(1990, 1, 1)), subtasks=subtasks(date(1990, 1, 1))),
            {"project.subtasks": "fail"},
        ),
        "basic research, 4 subtasks": (
            screened("3.1", subtasks=subtasks(*[date(1970, 1, 1)] * 4)),
            {"project.subtasks": "pass"},
        ),
        "basic research, 5 subtasks": (
            screened("3.1", subtasks=subtasks(*[date(1970, 1, 1)] * 5)),
            {"project.subtasks": "fail"},
        ),
        "basic research, task lead born 1963": (
            screened("3.1", subtasks=subtasks(date(1963, 12, 31))),
            {"project.subtasks": "fail"},
        ),
        "demonstration 3.2 at 1.8:1": (screened("3.2", matching="900"), {"budget.matching_ratio": "fail"}),
        "demonstration 3.2 at 2:1": (screened("3.2", matching="1000"), {"budget.matching_ratio": "pass"}),
        "1.3 (its own 3:1) at 2.5:1": (screened("1.3", matching="1250"), {"budget.matching_ratio": "fail"}),
        "1.3 at 3:1": (screened("1.3", matching="1500"), {"budget.matching_ratio": "pass"}),
        "four years": (screened("3.1"), {"project.duration": "pass"}),
    }
    got = {name: {rule: found.get(rule) for rule in expected} for name, (found, expected) in cases.items()}
    assert got == {name: expected for name, (_found, expected) in cases.items()}
