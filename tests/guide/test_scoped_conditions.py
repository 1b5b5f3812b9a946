"""A guide of the family with project types, young-scientist gender cutoffs, per-type limits, the
其他经费 ratio phrasing and a conflicting value, read into a draft, reviewed (the conflict blocks
publishing until an officer sets one reading aside), published, and resolved by screening from the rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from guide.services import VersionError, correction_add, version_create_from_file, version_publish
from screening.rules.budget import matching_ratio
from screening.rules.pi import pi_age
from screening.rules.project import project_duration
from screening.rules.types import RuleContext
from screening.rules.units import unit_registration_date, units_total_limit
from screening.selectors import guide_params, registries_current
from tests.factories.proposals import make_user
from tests.factories.screening_snapshots import (
    make_foreign_unit,
    make_lead_unit,
    make_pi,
    make_proposal,
    reindex,
)

pytestmark = pytest.mark.django_db

GUIDE = """“某合作”重点专项 2031 年度项目申报指南为贯彻落实国家科技创新规划，现发布本指南。

一、总体安排

本专项 2031 年度拟支持 3 个研究方向，拟安排国拨经费 2.6 亿元。每个方向原则上只支持 1 项项目，可同时支持 2 项。

项目执行期 3~4 年。基础研究类项目下设课题数不超过 4 个，项目参与单位总数不超过 6 家；应用示范类项目下设课题数不超过 5 个，项目参与单位总数不超过 10 家，其他经费（包括地方财政经费、单位出资及社会渠道资金等）与中央财政经费比例不低于 2:1。青年科学家项目不再下设课题，项目参与单位总数不超过 3 家。申报项目须有 1 个（或以上）国（境）外单位共同参与申报。

青年科学家项目负责人年龄要求，男性应为 1986 年 1 月 1 日以后出生，女性应为 1984 年 1 月 1 日以后出生。

二、领域和方向

1. 低碳技术合作

1.1 碳捕集材料基础研究（基础研究类）

研究内容：开展碳捕集材料的基础研究。

考核指标：捕集效率不低于 90%。

1.2 工业碳捕集示范（应用示范类，部省联动任务）

研究内容：开展工业碳捕集示范。

考核指标：示范规模不低于 10 万吨/年。

1.3 新型吸附剂探索（青年科学家项目）

研究内容：探索新型吸附剂。

考核指标：吸附容量不低于 3 mmol/g。

“某合作”重点专项 2031 年度项目申报指南形式审查条件要求

1. 申报人应具备的资格条件

(1) 项目（课题）负责人应为 1964 年 1 月 1 日以后出生，具有高级职称或博士学位。

(2) 项目实施周期不超过 5 年。

2. 申报单位应具备的资格条件

(1) 注册时间在 2030 年 6 月 30 日前。
"""


@pytest.fixture
def draft(tmp_path):
    path = tmp_path / "guide-2031.txt"
    path.write_text(GUIDE, encoding="utf-8")
    return version_create_from_file(path=path)


def conditions(data):
    return {(c["key"], str(c["value"]), c["state"]) for c in data["conditions"]}


def test_the_draft_reads_types_scopes_and_the_other_phrasings(draft):
    data = draft.data
    assert data["title"] == "“某合作”重点专项 2031 年度项目申报指南"
    assert (data["total_budget_yuan"], data["declared_direction_count"], data["projects_per_direction"]) == (
        260_000_000,
        3,
        {"min": 1, "max": 2},
    )
    assert [(d["code"], d["title"], d["project_types"]) for d in data["directions"]] == [
        ("1.1", "碳捕集材料基础研究", ["基础研究类"]),
        ("1.2", "工业碳捕集示范", ["应用示范类", "部省联动任务"]),
        ("1.3", "新型吸附剂探索", ["青年科学家项目"]),
    ]
    assert data["eligibility"]["pi_born_on_or_after"] == "1964-01-01"
    assert data["eligibility"]["task_lead_born_on_or_after"] == "1964-01-01"
    assert data["eligibility"]["max_duration_years"] == 4
    assert data["eligibility"]["min_foreign_units"] == 1
    assert conditions(data) == {
        ("max_subtasks@type=基础研究类", "4", "stated"),
        ("subtasks_allowed@type=基础研究类", "True", "stated"),
        ("max_units@type=基础研究类", "6", "stated"),
        ("max_subtasks@type=应用示范类", "5", "stated"),
        ("subtasks_allowed@type=应用示范类", "True", "stated"),
        ("max_units@type=应用示范类", "10", "stated"),
        ("matching_ratio@type=应用示范类", "2.0", "stated"),
        ("subtasks_allowed@type=青年科学家项目", "False", "stated"),
        ("max_units@type=青年科学家项目", "3", "stated"),
        ("pi_born_on_or_after@type=青年科学家项目,gender=male", "1986-01-01", "stated"),
        ("pi_born_on_or_after@type=青年科学家项目,gender=female", "1984-01-01", "stated"),
        ("max_duration_years#2", "5", "stated"),
    }
    errors = [w for w in data["warnings"] if w["severity"] == "error"]
    assert [w["item"] for w in errors] == ["conditions[max_duration_years#2]"]


def test_a_conflict_blocks_publishing_until_an_officer_sets_a_reading_aside(draft):
    officer = make_user()
    with pytest.raises(VersionError) as caught:
        version_publish(version=draft, by=officer)
    assert caught.value.code == "conflicting_conditions"
    correction_add(
        version=draft,
        address="conditions[max_duration_years#2].state",
        value="ignored",
        reason="形式审查条件中的 5 年为笔误，以总体安排的 3~4 年为准",
        by=officer,
    )
    assert version_publish(version=draft, by=officer).status == "published"


def context(proposal, guide) -> RuleContext:
    return RuleContext(
        proposal=proposal, guide=guide, registries=registries_current(), cross=None, today=date(2031, 6, 1)
    )


def units(count: int):
    return reindex(
        [
            make_lead_unit(0),
            *(make_lead_unit(i, role="participant") for i in range(1, count - 1)),
            make_foreign_unit(count - 1, "DE"),
        ]
    )


def test_published_conditions_screen_each_proposal_by_its_scope(draft):
    officer = make_user()
    correction_add(
        version=draft,
        address="conditions[max_duration_years#2].state",
        value="ignored",
        reason="笔误",
        by=officer,
    )
    version_publish(version=draft, by=officer)
    _row, guide = guide_params(year=2031)

    def findings(rule, **proposal):
        [finding] = rule(context(make_proposal(guide_year=2031, **proposal), guide))
        return finding.status, finding.message_id, finding.params.get("scope")

    young_male_1985 = make_pi(birth_date=date(1985, 12, 31), id_number="110101198512310015")
    assert findings(pi_age, direction="1.3", pi=young_male_1985) == (
        "fail",
        "pi.age.too_old",
        {"project_type": "青年科学家项目", "gender": "male"},
    )
    young_female_1984 = make_pi(birth_date=date(1984, 1, 1), id_number="110101198401010028")
    assert findings(pi_age, direction="1.3", pi=young_female_1984)[0] == "pass"
    assert findings(pi_age, direction="1.1", pi=young_male_1985)[0] == "pass"  # 1964 for 基础研究类
    assert findings(units_total_limit, direction="1.2", units=units(9))[:2] == (
        "pass",
        "units.total_limit.pass",
    )
    assert findings(units_total_limit, direction="1.3", units=units(4)) == (
        "fail",
        "units.total_limit.exceeded",
        {"project_type": "青年科学家项目"},
    )
    low = {"national_funding": Decimal("100"), "matching_funding": Decimal("150")}
    assert findings(matching_ratio, direction="1.2", **low)[:2] == ("fail", "budget.matching_ratio.too_low")
    assert (
        findings(project_duration, direction="1.1", start_date=date(2032, 1, 1), end_date=date(2035, 12, 31))[
            0
        ]
        == "pass"
    )
    assert findings(unit_registration_date, direction="1.1")[0] == "pass"


def test_the_review_page_shows_the_scoped_conditions_and_refuses_to_publish_a_conflict(client, draft):
    client.force_login(make_user("scoped-officer", role="officer"))
    page = client.get(f"/guide/versions/{draft.pk}/").content.decode()
    assert page.count('data-item="conditions[') == 12 + 1  # each condition, and the conflict again on top
    assert "青年科学家项目（男性） · 项目负责人出生不早于" in page
    assert page.count('data-testid="notice-error"') == 2  # in the attention list and in its section
    assert 'data-testid="error-count"' in page
    response = client.post(f"/guide/versions/{draft.pk}/publish/", follow=True)
    assert "同一条件在同一适用范围内有不同取值" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
