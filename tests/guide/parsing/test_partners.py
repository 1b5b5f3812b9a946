import pytest

from guide.parsing.partners import extract_partner_requirements, licence_code


def found(text):
    return [(p.kind, p.value, p.strength, p.counts_regions) for p in extract_partner_requirements(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("须有2个以上国家的合作单位参与；", [("foreign_countries", 2, "required", False)]),
        ("应有 3 个或以上国家的合作单位共同参与。", [("foreign_countries", 3, "required", False)]),
        ("同2个以上国家（地区、国际组织）开展合作", [("foreign_countries", 2, "indicator", True)]),
        ("与三个以上国家(地区、国际组织)开展实质性合作", [("foreign_countries", 3, "indicator", True)]),
        ("与多个国家（地区、国际组织）开展合作", [("foreign_countries", 2, "indicator", True)]),
        # not about partners: the countries where a result is demonstrated
        ("在应对气候变化框架下，实现 6 个国家以上蓝碳资源跨界管理示范应用", []),
    ],
)
def test_foreign_countries(text, expected):
    assert found(text) == expected


def test_continents_get_stable_codes_in_reading_order():
    assert found("合作单位须来自非洲、大洋洲和北美洲") == [
        ("continents", ["africa", "oceania", "americas"], "required", False)
    ]
    assert found("应至少包括来自亚洲、欧洲、美洲的合作单位") == [
        ("continents", ["asia", "europe", "americas"], "required", False)
    ]
    # a continent named without partners is no requirement
    assert found("研究亚洲季风对降水的影响") == []


def test_institution_kind_requires_a_participation_rule():
    assert found("参加单位应包括光伏领域第三方公共检测机构不少于 1 家。") == [
        ("institution_kind", "third_party_testing", "required", False)
    ]
    assert found("参与单位须包括三级甲等医院。") == [("institution_kind", "hospital", "required", False)]
    assert found("建立第三方户外测试区") == []


def test_licences_and_preferences():
    assert found(
        "临床样本保藏机构须具备“人类遗传资源保藏行政许可”资质，具备“生物样本库质量和能力认可”资质的平台优先。"
    ) == [("licence", "hgr_preservation", "required", False)]
    assert found("承担单位须具备生物安全三级实验室资质。") == [
        ("licence", "biosafety_level_3", "required", False)
    ]
    assert licence_code("须具备“某某特殊经营许可”") == "other"


def test_the_same_requirement_is_reported_once():
    text = "须有2个以上国家的合作单位参与。考核指标：须有2个以上国家的合作单位参与；"
    assert found(text) == [("foreign_countries", 2, "required", False)]
