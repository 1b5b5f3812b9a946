"""The project's own template, filled from a ProposalData, reads back to the same fields."""

import dataclasses
from datetime import date
from decimal import Decimal

from proposals.docgen import build_docx, build_pdf
from proposals.extraction import FIELD_PATHS, extract
from proposals.interchange import Budget, PersonData, ProposalData, SubtaskData, UnitData, proposal_to_dict
from tests.factories.proposal_docs import sample_proposal
from tests.factories.proposals import with_genders_and_subtasks


def full_sample() -> ProposalData:
    """The sample with every person's gender (as their ID numbers say, where they have one)
    and two subtasks (课题)."""
    p = sample_proposal()
    p.pi.gender = "male"
    for member, gender in zip(p.members, ("female", "male", "male", "male", "female"), strict=True):
        member.gender = gender
    p.subtasks = with_genders_and_subtasks(ProposalData()).subtasks
    return p


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


def test_full_sample_docx_round_trip():
    result = extract(build_docx(full_sample()))
    assert (result.pages, result.warnings) == (2, [])
    assert proposal_to_dict(result.proposal) == proposal_to_dict(full_sample())
    assert result.proposal == full_sample()


def test_full_sample_pdf_round_trip():
    result = extract(build_pdf(full_sample()))
    assert (result.pages, result.warnings) == (3, [])
    assert proposal_to_dict(result.proposal) == proposal_to_dict(full_sample())
    assert result.proposal == full_sample()


def test_found_pages_docx():
    found = extract(build_docx(full_sample())).found
    assert set(found) == set(FIELD_PATHS)
    expected = {path: 2 for path in FIELD_PATHS}
    expected.update({"reference": 1, "guide_year": 1, "pi.region": None})
    assert found == expected


def test_sample_without_genders_or_subtasks_finds_neither():
    for data in (build_docx(sample_proposal()), build_pdf(sample_proposal())):
        found = extract(data).found
        assert (found["pi.gender"], found["subtasks"]) == (None, None)


def test_found_pages_pdf():
    found = extract(build_pdf(full_sample())).found
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
        "pi.gender": 2,
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
        "members": 3,
        "subtasks": 3,
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


def test_every_field_of_the_full_sample_is_filled():
    # guards the round-trip tests against a sample that silently lost fields
    p = full_sample()
    for f in dataclasses.fields(p):
        assert getattr(p, f.name) is not None, f.name
    for f in dataclasses.fields(SubtaskData):
        assert [getattr(t, f.name) is not None for t in p.subtasks] == [True, True], f.name
    assert [m.gender for m in p.members] == ["female", "male", "male", "male", "female"]


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


def test_twenty_subtasks_read_back_across_a_page_break():
    # the table runs over a page: its header repeats in the PDF and is not read as a subtask
    import io

    import pdfplumber

    p = ProposalData(
        title="课题很多的项目",
        subtasks=[
            SubtaskData(
                name=f"第 {n} 课题：面向碳中和目标的高效低成本电解水制氢关键材料设计、制备与规模化验证研究",
                lead_unit="中国科学院福建物质结构研究所",
                lead_name="陈静",
                lead_title="研究员",
                lead_degree="博士",
                national_funding=Decimal(n * 10) + Decimal("0.5"),
            )
            for n in range(1, 21)
        ],
    )
    pdf = build_pdf(p)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        headers = [[t[0][0] for t in page.extract_tables()] for page in doc.pages]
    assert headers == [[], ["单位名称", "姓名"], ["课题名称"], ["课题名称"]]
    for data, pages in ((build_docx(p), 2), (pdf, 4)):
        result = extract(data)
        assert (result.pages, result.warnings) == (pages, [])
        assert result.proposal == p


def test_subtask_table_with_money_in_yuan_and_a_hand_drawn_header():
    from tests.factories.proposal_docs import make_docx

    draft = make_docx(
        [
            "四、课题设置",
            [
                ["序号", "课题名称", "课题承担单位", "负责人", "职称", "国拨经费（元）"],
                ["1", "样机研制", "福州大学", "王立新", "教授", "1,200,000"],
                ["2", "海上试验", "厦门大学", "张敏", "副研究员", "300000.5"],
            ],
        ]
    )
    result = extract(draft)
    assert result.warnings == []
    assert result.proposal.subtasks == [
        SubtaskData(
            name="样机研制",
            lead_unit="福州大学",
            lead_name="王立新",
            lead_title="教授",
            national_funding=Decimal(120),
        ),
        SubtaskData(
            name="海上试验",
            lead_unit="厦门大学",
            lead_name="张敏",
            lead_title="副研究员",
            national_funding=Decimal("30.00005"),
        ),
    ]
    assert result.found["subtasks"] == 1


def test_subtasks_written_as_label_value_blocks():
    from tests.factories.proposal_docs import make_docx

    draft = make_docx(
        [
            "课题",
            "课题名称：样机研制",
            "承担单位：福州大学",
            "课题负责人：王立新    出生日期：1979-11-02",
            "国拨经费（万元）：120",
            "课题名称：海上试验",
            "课题负责人：张敏",
            "国拨经费：三百",
        ]
    )
    result = extract(draft)
    assert result.proposal.subtasks == [
        SubtaskData(
            name="样机研制",
            lead_unit="福州大学",
            lead_name="王立新",
            lead_birth_date=date(1979, 11, 2),
            national_funding=Decimal(120),
        ),
        SubtaskData(name="海上试验", lead_name="张敏"),
    ]
    assert [(w.path, w.code, w.message) for w in result.warnings] == [
        ("subtasks[1].national_funding", "invalid_number", "课题国拨经费无法识别：三百")
    ]


def test_gender_written_in_the_ways_applicants_write_it():
    from tests.factories.proposal_docs import make_docx

    for written, read in (("男", "male"), ("女性", "female"), ("Female", "female"), ("☑男 □女", "male")):
        result = extract(make_docx(["项目负责人", "姓名：赵六", f"性别：{written}"]))
        assert (result.proposal.pi.gender, result.found["pi.gender"], result.warnings) == (read, 1, [])
    result = extract(make_docx(["项目负责人", "姓名：赵六", "性别：男/女"]))
    assert result.proposal.pi.gender is None
    assert [(w.path, w.message) for w in result.warnings] == [
        ("pi.gender", "性别无法识别（应为男/女）：男/女")
    ]


def test_gender_in_a_sentence_about_the_pi():
    from tests.factories.proposal_docs import make_docx

    result = extract(make_docx(["项目负责人", "陈晓明，男，1970年6月8日出生，现任福州大学教授。"]))
    assert (result.proposal.pi.name, result.proposal.pi.gender) == ("陈晓明", "male")
    assert result.found["pi.gender"] == 1


def test_a_members_table_with_a_subtask_column_stays_a_members_table():
    from tests.factories.proposal_docs import make_docx

    draft = make_docx(
        [
            "项目骨干",
            [
                ["姓名", "性别", "出生日期", "职称", "所在单位", "课题"],
                ["陈静", "女", "1982-07-19", "研究员", "福州大学", "课题一"],
            ],
        ]
    )
    result = extract(draft)
    assert result.proposal.subtasks is None
    assert result.proposal.members == [
        PersonData(name="陈静", gender="female", birth_date=date(1982, 7, 19), unit="福州大学")
    ]
