"""The report page says what it found in words: no rule ids, field paths or stored
codes reach the reader, in zh or en; the JSON export keeps them as stored."""

from datetime import date

import pytest

from proposals.models import Unit
from screening import services
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db

ORGAN = "某市发展和改革委员会"


@pytest.fixture
def screened(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """Lead unit (units[0]), a state organ (units[1]), a German partner (units[2])."""
    proposal = make_proposal(owner=make_user("owner-l"), pi_birth=date(1961, 12, 31), domestic_participants=0)
    Unit.objects.create(
        proposal=proposal,
        position=1,
        name=ORGAN,
        credit_code="",
        country="CN",
        type="state_organ",
        registered_on=date(2001, 1, 1),
        role="participant",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=proposal)
    return proposal


def _report(client, proposal, lang: str):
    client.force_login(proposal.owner)
    client.cookies["django_language"] = lang
    response = client.get(f"/screening/proposals/{proposal.pk}/")
    assert response.status_code == 200
    lines = {line.rule: line for group in response.context["groups"] for line in group.lines}
    return response.content.decode(), lines


def test_state_organ_finding_names_the_unit_by_position_and_name_in_chinese(client, screened):
    html, lines = _report(client, screened, "zh")
    organ = lines["unit.state_organ"]
    assert organ.evidence_lines == [f"第 2 家参与单位“{ORGAN}”的单位类型：国家机关"]
    assert organ.field_label == f"第 2 家参与单位“{ORGAN}”"
    assert f"第 2 家参与单位“{ORGAN}”的单位类型：国家机关" in html
    assert lines["unit.mainland_registered"].message == (
        f"缺少数据：第 2 家参与单位“{ORGAN}”的统一社会信用代码，无法判断。"
    )
    assert "units[1]" not in html.replace(f'#field-{organ.field}"', "")


def test_state_organ_finding_in_english(client, screened):
    html, lines = _report(client, screened, "en")
    organ = lines["unit.state_organ"]
    assert organ.evidence_lines == [f"Participant unit 2 “{ORGAN}” type: government agency"]
    assert organ.field_label == f"Participant unit 2 “{ORGAN}”"
    assert lines["unit.mainland_registered"].message == (
        f"Missing data: Participant unit 2 “{ORGAN}” unified social credit code; cannot decide."
    )


def test_boolean_evidence_reads_as_a_statement(client, screened):
    _, zh = _report(client, screened, "zh")
    assert zh["pi.civil_servant"].evidence_lines == [
        "项目负责人是否为公务人员：否",
        "项目负责人工作单位：清华大学",
    ]
    _, en = _report(client, screened, "en")
    assert en["pi.civil_servant"].evidence_lines == ["PI is a civil servant: no", "PI employer: 清华大学"]


def test_not_applicable_messages_name_the_requirement_not_its_code(client, screened):
    html, zh = _report(client, screened, "zh")
    assert zh["direction.hgr_license"].message == "指南方向 1.1 未规定此项要求（单位资质许可），不适用。"
    assert (
        zh["direction.partner_countries"].message == "指南方向 1.1 未规定此项要求（合作国家数量），不适用。"
    )
    assert zh["direction.testing_institution"].message == (
        "指南方向 1.1 未规定此项要求（特定类型的参加单位），不适用。"
    )
    for code in ("（licence）", "（foreign_countries）", "（institution_kind）", "pi.civil_servant = "):
        assert code not in html
    _, en = _report(client, screened, "en")
    assert (
        en["direction.hgr_license"].message
        == "Direction 1.1 sets no such requirement (a unit licence); not applicable."
    )


def test_indicator_gaps_say_plainly_what_has_no_value_and_list_it_once(client, screened):
    html, zh = _report(client, screened, "zh")
    coverage = zh["direction.indicator_coverage"]
    assert coverage.message == (
        "申报考核指标未完全涵盖指南方向 1.1 的 7 项量化考核指标。缺少：完成工业炉窑富氧低氮燃烧关键装备 200kW 以上等级的中试验证、"
        "完成三个及以上不同重点行业 ≥ 10 万吨/年燃烧中碳捕集工业示范技术方案。"
    )
    assert coverage.evidence_lines == ["申报书未给出可比较数值的指南考核指标：2 项"]
    assert coverage.field_label == "考核指标"
    assert "低于指南：—" not in html
    assert "indicators_text" not in html.replace('#field-indicators_text"', "")
    _, en = _report(client, screened, "en")
    assert en["direction.indicator_coverage"].evidence_lines == [
        "Guide indicators the proposal gives no value to compare with: 2"
    ]


def test_rule_ids_are_not_shown_on_the_report(client, screened):
    html, _ = _report(client, screened, "zh")
    assert ">pi.age<" not in html
    assert html.count('data-rule="pi.age"') == 1


def test_json_export_keeps_the_stored_ids_and_wording(client, screened):
    client.force_login(screened.owner)
    data = client.get(f"/screening/proposals/{screened.pk}/report.json").json()
    checks = {c["rule"]: c for c in data["results"][0]["checks"]}
    assert checks["unit.state_organ"]["evidence"] == [{"field": "units[1].type", "value": "state_organ"}]
    assert checks["unit.state_organ"]["field"] == "units[1]"
    assert checks["direction.hgr_license"]["message_zh"] == "指南方向 1.1 未规定此项要求（licence），不适用。"
    assert checks["direction.indicator_coverage"]["message_zh"].endswith("低于指南：—。")
