"""Drafts written as prose, and values that do not look like their field (issue
"Defects found by using the app", item 8). Real DOCX files built in the test."""

from datetime import date

from proposals.extraction import extract
from proposals.extraction.fields import looks_like_name
from proposals.identifiers import make_resident_id
from tests.factories.proposal_docs import make_docx

PI_ID = make_resident_id(date(1970, 6, 8), "123", "110101")
SENTENCE = f"陈晓明，男，1970年6月8日出生，身份证号{PI_ID}，现任福州大学研究员。"


def pi_of(result):
    pi = result.proposal.pi
    return (pi.name, pi.birth_date, pi.id_number) if pi else None


def warnings_of(result):
    return [(w.path, w.code) for w in result.warnings]


def test_pi_sentence_after_a_label_gives_name_birth_date_and_id_number():
    result = extract(make_docx(["基本信息", "项目名称：测试项目", f"项目负责人：{SENTENCE}"]))
    assert pi_of(result) == ("陈晓明", date(1970, 6, 8), PI_ID)
    assert (result.found["pi.name"], result.found["pi.birth_date"], result.found["pi.id_number"]) == (1, 1, 1)
    assert warnings_of(result) == []


def test_pi_sentence_without_a_label_in_the_pi_section_is_read():
    result = extract(make_docx(["项目负责人", SENTENCE, "职称：研究员"]))
    assert pi_of(result) == ("陈晓明", date(1970, 6, 8), PI_ID)
    assert result.proposal.pi.title == "研究员"


def test_pi_sentence_split_by_a_later_label_keeps_the_name_and_the_labelled_number():
    result = extract(
        make_docx(["项目负责人", f"姓名：陈晓明，男，出生日期：1970-06-08，身份证号码：{PI_ID}"])
    )
    assert pi_of(result) == ("陈晓明", date(1970, 6, 8), PI_ID)
    assert warnings_of(result) == []


def test_a_sentence_that_is_not_a_name_is_never_marked_found():
    result = extract(make_docx(["基本信息", "项目负责人：由学院推荐的一位资深研究员担任"]))
    assert result.proposal.pi is None
    assert result.found["pi.name"] is None
    assert warnings_of(result) == [("pi.name", "invalid_name")]


def test_an_id_number_that_is_not_one_is_reported_not_found():
    result = extract(make_docx(["项目负责人", "姓名：陈晓明", "身份证号：见附件第三页"]))
    assert pi_of(result) == ("陈晓明", None, None)
    assert result.found["pi.id_number"] is None
    assert warnings_of(result) == [("pi.id_number", "invalid_id")]


def test_member_and_unit_values_that_do_not_look_like_their_field_are_reported():
    result = extract(
        make_docx(
            [
                "申报单位及参与单位",
                [
                    ["单位名称", "统一社会信用代码", "国别/地区", "角色"],
                    ["福州大学", "待单位盖章后补充", "月球", "牵头"],
                ],
                "项目骨干",
                [
                    ["姓名", "证件号码", "出生日期", "国籍/地区", "分工"],
                    ["李四，女，课题组长，负责传感器", "110", "八十年代", "德国", "传感器"],
                ],
            ]
        )
    )
    unit = result.proposal.units[0]
    member = result.proposal.members[0]
    assert (unit.name, unit.credit_code, unit.country, unit.role) == ("福州大学", None, None, "lead")
    assert (member.name, member.id_number, member.birth_date, member.nationality, member.role) == (
        None,
        None,
        None,
        "DE",
        "传感器",
    )
    assert warnings_of(result) == [
        ("units[0].credit_code", "invalid_credit_code"),
        ("units[0].country", "unknown_country"),
        ("members[0].name", "invalid_name"),
        ("members[0].id_number", "invalid_id"),
        ("members[0].birth_date", "invalid_date"),
    ]


def test_names_that_look_like_names():
    names = ["陈晓明", "王五", "欧阳娜娜", "阿依古丽·买买提", "张 三", "Hans Müller", "O'Brien, Mary-Jane"]
    assert [looks_like_name(n) for n in names] == [True] * len(names)


def test_sentences_and_fragments_are_not_names():
    texts = [
        "陈晓明，男，1970年6月8日出生",
        "陈",
        "欧阳娜娜娜娜",
        "张三123",
        "A",
        "one two three four five six seven",
    ]
    assert [looks_like_name(t) for t in texts] == [False] * len(texts)
