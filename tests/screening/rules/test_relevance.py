from screening.rules.relevance import direction_relevance
from screening.rules.types import DirectionParams
from tests.factories.screening_snapshots import ctx_with, make_fixture_guide, make_guide


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


VEHICLE_SAFETY = (
    "本项目面向新能源汽车安全运行需求，联合德国、美国合作伙伴，开发车辆故障诊断与事故检测装备，"
    "建立多源数据融合的异常运行状态预警系统，研究事故应急处置技术并形成国际标准建议。"
)


def relevance(direction, content, title="联合研究"):
    ctx = ctx_with(
        {"direction": direction, "title": title, "research_content": content, "indicators_text": ""},
        guide=make_fixture_guide(),
    )
    return only(direction_relevance(ctx))


def test_direction_relevance_passes_when_own_direction_fits_best():
    f = relevance("5.2", VEHICLE_SAFETY)
    assert (f.status, f.params["direction"], f.params["rank"]) == ("pass", "5.2", 1)


def test_direction_relevance_warns_and_names_the_better_direction():
    f = relevance("10.7", VEHICLE_SAFETY)
    assert (f.status, f.message_id, f.params["best"], f.field) == (
        "warn",
        "direction.relevance.better_direction",
        "5.2",
        "direction",
    )


def test_direction_relevance_warns_on_weak_fit():
    f = relevance("5.2", "本项目整理唐代诗歌文献，研究其修辞传统与文学批评。", title="唐诗研究")
    assert (f.status, f.message_id) in {
        ("warn", "direction.relevance.weak"),
        ("warn", "direction.relevance.better_direction"),
    }
    assert f.params["score"] < 0.1


def test_direction_relevance_names_ship_capture_direction_for_ship_content_under_industrial_capture():
    f = relevance("1.1", "研究船舶尾气二氧化碳捕集和船上储存装备。")
    assert (f.status, f.params["best"], f.params["rank"]) == ("warn", "8.1", 2)


def test_direction_relevance_passes_near_best_direction():
    guide = make_guide(
        directions={
            "1.1": DirectionParams(code="1.1", title="氢能储运", text="高压储氢材料与储氢容器研发 氢气运输"),
            "1.2": DirectionParams(code="1.2", title="氢能储运", text="高压储氢材料与储氢容器研发 加氢站"),
            "2.1": DirectionParams(code="2.1", title="帕金森病", text="帕金森病早期预警与干预"),
        }
    )
    ctx = ctx_with(
        {
            "direction": "1.2",
            "title": "储氢",
            "research_content": "研发高压储氢材料和储氢容器，用于氢气运输和加氢站。",
        },
        guide=guide,
    )
    f = only(direction_relevance(ctx))
    assert (f.status, f.params["rank"]) == ("pass", 2)


def test_direction_relevance_unknown_without_research_content():
    f = relevance("5.2", "")
    assert (f.status, f.field) == ("unknown", "research_content")


def test_direction_relevance_unknown_without_guide():
    assert only(direction_relevance(ctx_with(guide=None))).status == "unknown"
