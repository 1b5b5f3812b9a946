"""The project's own template, filled from a ProposalData, reads back to the same fields."""

import dataclasses
from datetime import date
from decimal import Decimal

from proposals.docgen import build_docx, build_pdf
from proposals.extraction import FIELD_PATHS, extract
from proposals.interchange import Budget, PersonData, ProposalData, UnitData, proposal_to_dict
from tests.factories.proposal_docs import sample_proposal


def test_sample_has_eight_units_and_five_members():
    p = sample_proposal()
    assert len(p.units) == 8
    assert len(p.members) == 5
    assert {u.country for u in p.units} == {"CN", "DE", "JP", "HK"}


def test_docx_round_trip():
    result = extract(build_docx(sample_proposal()))
    assert result.kind == "docx"
    assert result.pages == 2
    assert result.warnings == []
    assert proposal_to_dict(result.proposal) == proposal_to_dict(sample_proposal())
    assert result.proposal == sample_proposal()


def test_pdf_round_trip():
    result = extract(build_pdf(sample_proposal()))
    assert result.kind == "pdf"
    assert result.pages == 3
    assert result.warnings == []
    assert proposal_to_dict(result.proposal) == proposal_to_dict(sample_proposal())


def test_found_pages_docx():
    found = extract(build_docx(sample_proposal())).found
    assert set(found) == set(FIELD_PATHS)
    expected = {path: 2 for path in FIELD_PATHS}
    expected.update({"reference": 1, "guide_year": 1, "pi.region": None})
    assert found == expected


def test_found_pages_pdf():
    found = extract(build_pdf(sample_proposal())).found
    assert found == {
        "reference": 1,
        "guide_year": 1,
        "title": 2,
        "direction": 2,
        "recommender": 2,
        "start_date": 2,
        "end_date": 2,
        "budget.national": 2,
        "budget.matching": 2,
        "pi.name": 2,
        "pi.id_number": 2,
        "pi.birth_date": 2,
        "pi.nationality": 2,
        "pi.region": None,
        "pi.title": 2,
        "pi.degree": 2,
        "pi.employer": 2,
        "pi.employment": 2,
        "pi.employment_proofs": 3,
        "pi.civil_servant": 2,
        "units": 2,
        "members": 2,
        "research_content": 3,
        "indicators": 3,
        "attachments": 3,
    }


def test_blank_templates_read_as_all_missing():
    for data in (build_docx(None), build_pdf(None)):
        result = extract(data)
        assert result.proposal == ProposalData()
        assert result.found == dict.fromkeys(FIELD_PATHS)
        assert result.warnings == []


def other_proposal() -> ProposalData:
    """Different shapes: part-time PI from Macao with a region, a civil servant flag,
    long wrapped title, amounts with decimals, no attachments, a state organ."""
    return ProposalData(
        reference=None,
        guide_year=2024,
        direction="3.2",
        title=(
            "基于人工智能与 Digital Twin 技术的跨境智慧港口协同调度关键技术研究及其在粤港澳大湾区"
            "多式联运枢纽中的示范应用（AI-driven Smart Port Collaboration）"
        ),
        recommender="广东省科学技术厅",
        start_date=date(2024, 1, 1),
        end_date=date(2026, 12, 31),
        budget=Budget(national=Decimal("1234.56"), matching=Decimal("0")),
        pi=PersonData(
            name="何嘉欣",
            id_number="M12345678",
            birth_date=date(1980, 10, 1),
            nationality="MO",
            region="氹仔",
            title="副教授",
            degree="硕士",
            employer="澳门大学",
            employment="part_time",
            employment_proofs=0,
            civil_servant=True,
        ),
        members=[],
        units=[
            UnitData(
                name="澳门大学",
                country="MO",
                type="university",
                registered_on=date(1981, 3, 28),
                role="lead",
            ),
            UnitData(
                name="广州市港务局",
                country="CN",
                type="state_organ",
                registered_on=date(2000, 1, 1),
                role="participant",
            ),
            UnitData(
                name="Port of Rotterdam Authority",
                country="NL",
                type="enterprise",
                registered_on=date(2004, 1, 1),
                role="participant",
                hgr_license=True,
            ),
        ],
        research_content="第一段：研究港口调度。\nSecond paragraph in English, describing the digital twin platform and its evaluation.",
        indicators=None,
        attachments=[],
    )


def test_other_shapes_round_trip():
    expected = proposal_to_dict(other_proposal())
    for data in (build_docx(other_proposal()), build_pdf(other_proposal())):
        result = extract(data)
        got = proposal_to_dict(result.proposal)
        # an empty members list prints an empty table: it reads back as "not given"
        assert got == {**expected, "members": None}


def test_only_part_of_a_proposal():
    partial = ProposalData(title="只有名称的草稿", pi=PersonData(name="赵六"))
    for data in (build_docx(partial), build_pdf(partial)):
        result = extract(data)
        assert result.proposal == partial
        assert [k for k, v in result.found.items() if v is not None] == ["title", "pi.name"]


def test_every_field_of_the_sample_is_filled():
    # guards the round-trip tests against a sample that silently lost fields
    p = sample_proposal()
    for f in dataclasses.fields(p):
        assert getattr(p, f.name) is not None, f.name


def test_member_nationality_and_declared_recommendation_letter_read_back():
    # The member table has a 国籍/地区 column and 附件清单 says "推荐函（有/无）：有".
    p = sample_proposal()
    p.members[2].nationality = "DE"
    p.members[3].nationality = "JP"
    p.attachments = ["recommendation_letter"]
    p.pi.employment_proofs = 0
    for data in (build_docx(p), build_pdf(p)):
        result = extract(data)
        assert [m.nationality for m in result.proposal.members] == [None, None, "DE", "JP", None]
        assert result.proposal.attachments == ["recommendation_letter"]
        assert result.warnings == []
        assert proposal_to_dict(result.proposal) == proposal_to_dict(p)


def test_recommendation_letter_declared_in_a_hand_filled_attachment_list_reads_back():
    from tests.factories.proposal_docs import make_docx

    draft = make_docx(["附件清单", "推荐函：有", "合作协议：无"])
    result = extract(draft)
    assert result.proposal.attachments == ["recommendation_letter"]
    assert result.found["attachments"] == 1


def test_recommendation_letter_declared_outside_the_attachment_list_reads_back():
    from tests.factories.proposal_docs import make_docx

    result = extract(make_docx(["基本信息", "项目名称：测试项目", "推荐函：有", "合作协议：无"]))
    assert result.proposal.attachments == ["recommendation_letter"]
    assert result.found["attachments"] == 1
