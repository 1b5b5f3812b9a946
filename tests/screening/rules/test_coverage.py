import pytest

from screening.rules.coverage import covers, indicator_coverage, subject_matches
from screening.rules.types import IndicatorSpec
from tests.factories.screening_snapshots import (
    ctx_with,
    direction_5_2_indicators,
    make_direction,
    make_guide,
    make_indicator,
)


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def spec(comparator, value, value_max=None):
    return IndicatorSpec(subject="x", comparator=comparator, value=value, value_max=value_max)


@pytest.mark.parametrize(
    ("guide", "proposal", "expected"),
    [
        (spec(">=", 90), spec(">=", 90), True),
        (spec(">=", 90), spec(">=", 95), True),
        (spec(">=", 90), spec(">=", 89), False),
        (spec(">=", 90), spec("=", 92), True),
        (spec(">=", 90), spec(">", 90), True),
        (spec(">", 90), spec(">=", 90), False),
        (spec(">", 90), spec(">", 90), True),
        (spec(">=", 90), spec("<=", 95), False),
        (spec("<=", 10), spec("<=", 10), True),
        (spec("<=", 10), spec("<=", 8), True),
        (spec("<=", 10), spec("<=", 12), False),
        (spec("<=", 10), spec("=", 5), True),
        (spec("<", 10), spec("<=", 10), False),
        (spec("<", 10), spec("<", 10), True),
        (spec("range", 2, 3), spec("=", 2), True),
        (spec("range", 2, 3), spec("range", 2, 3), True),
        (spec("range", 2, 3), spec("=", 5), True),
        (spec("range", 2, 3), spec("=", 1), False),
        (spec("=", 1), spec("=", 2), True),
        (spec("=", 2), spec("=", 1), False),
    ],
)
def test_covers_is_direction_aware(guide, proposal, expected):
    assert covers(guide, proposal) is expected


def test_subject_matches_tolerates_wording():
    assert subject_matches("团体/行业/国家标准的建议稿", "标准建议稿") is True


def test_subject_matches_rejects_other_subject():
    assert subject_matches("预警准确率", "识别准确率") is False


def test_indicator_coverage_passes_when_every_indicator_is_met():
    ctx = ctx_with(
        {
            "indicators": [
                make_indicator("检测评价专用工具装备", "=", 2, "型"),
                make_indicator("预警准确率", ">=", 95, "%"),
                make_indicator("典型事故形态", "=", 4, "类"),
                make_indicator("标准建议稿", "=", 3, "项"),
            ]
        }
    )
    f = only(indicator_coverage(ctx))
    assert (f.status, f.params) == ("pass", {"direction": "5.2", "total": 4, "missing": [], "weaker": []})


def test_indicator_coverage_warns_listing_missing_and_weaker():
    ctx = ctx_with(
        {
            "indicators": [
                make_indicator("检测评价专用工具装备", "=", 2, "型"),
                make_indicator("预警准确率", ">=", 90, "%"),
                make_indicator("典型事故形态", "=", 4, "个"),
            ]
        }
    )
    f = only(indicator_coverage(ctx))
    assert (f.status, f.field, f.fix_id) == ("warn", "indicators_text", "fix.cover_indicators")
    assert f.params["weaker"] == ["预警准确率 >= 95%"]
    assert f.params["missing"] == ["典型事故形态 >= 4类", "团体/行业/国家标准的建议稿 >= 3项"]


def test_indicator_coverage_ignores_qualitative_guide_indicators():
    direction = make_direction(
        indicators=[make_indicator("运行安全应急处置能力评价技术指标体系", None, None)]
    )
    f = only(indicator_coverage(ctx_with(guide=make_guide(directions={"5.2": direction}))))
    assert (f.status, f.message_id) == ("not_applicable", "common.direction_no_requirement")


def test_indicator_coverage_unknown_without_indicators():
    f = only(indicator_coverage(ctx_with({"indicators": None, "indicators_text": ""})))
    assert (f.status, f.field) == ("unknown", "indicators_text")


def test_indicator_coverage_with_empty_proposal_list_lists_all_missing():
    f = only(indicator_coverage(ctx_with({"indicators": []})))
    assert (f.status, len(f.params["missing"])) == ("warn", 4)


def test_indicator_coverage_parses_proposal_text_with_guide_parser():
    text = "检测评价专用的工具装备不少于3型；预警准确率达到96%以上；典型事故形态不少于5类；提出不少于3项团体/行业/国家标准的建议稿。"
    f = only(indicator_coverage(ctx_with({"indicators": None, "indicators_text": text})))
    assert f.status == "pass"


def test_direction_5_2_indicators_are_quantitative():
    assert [i.comparator for i in direction_5_2_indicators()] == [">=", ">=", ">=", ">="]


GUIDE_5_2_INDICATORS_TEXT = (
    "须有2个以上国家的合作单位参与；用于检测评价专用的工具装备不少于2型；融合多源信息的异常运行状态预警系统1套，"
    "预警准确率达到95%以上，具备对运行数据存储、提取、恢复等功能；典型事故形态不少于4类，对应每一类事故的应急处置"
    "技术方案不少于2种技术路径；提出不少于3项团体/行业/国家标准的建议稿，形成运行安全应急处置能力评价技术指标体系1套。"
)


def parsed_guide_5_2():
    from guide.parsing.indicators import parse_indicators

    indicators = [IndicatorSpec.from_indicator(i) for i in parse_indicators(GUIDE_5_2_INDICATORS_TEXT)]
    return make_guide(directions={"5.2": make_direction(indicators=indicators)})


def test_indicator_coverage_with_parsed_guide_and_proposal_passes_when_all_met():
    text = (
        "研制检测评价专用的工具装备3型；建成融合多源信息的异常运行状态预警系统1套，预警准确率达到96%以上；"
        "典型事故形态不少于5类，每一类事故的应急处置技术方案不少于2种技术路径；提出不少于3项团体/行业/国家标准的建议稿，"
        "形成运行安全应急处置能力评价技术指标体系1套。"
    )
    f = only(
        indicator_coverage(ctx_with({"indicators": None, "indicators_text": text}, guide=parsed_guide_5_2()))
    )
    assert (f.status, f.params["total"]) == ("pass", 7)


def test_indicator_coverage_with_parsed_guide_and_proposal_lists_weaker_accuracy():
    text = (
        "研制检测评价专用的工具装备3型；建成融合多源信息的异常运行状态预警系统1套，预警准确率达到90%以上；"
        "典型事故形态不少于5类，每一类事故的应急处置技术方案不少于2种技术路径；提出不少于3项团体/行业/国家标准的建议稿，"
        "形成运行安全应急处置能力评价技术指标体系1套。"
    )
    f = only(
        indicator_coverage(ctx_with({"indicators": None, "indicators_text": text}, guide=parsed_guide_5_2()))
    )
    assert (f.status, f.params["weaker"], f.params["missing"]) == ("warn", ["预警准确率达到95%以上"], [])


def test_indicator_coverage_leaves_partner_indicator_to_partner_rules():
    partner = make_indicator("国家的合作单位参与", ">=", 2, "个", text="须有2个以上国家的合作单位参与")
    direction = make_direction(indicators=[partner, *direction_5_2_indicators()])
    f = only(indicator_coverage(ctx_with(guide=make_guide(directions={"5.2": direction}))))
    assert f.params["total"] == 4
