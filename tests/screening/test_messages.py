import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from screening import (
    labels,  # noqa: F401  (installs Django's gettext as the messages' translator)
    messages,
)
from screening.messages import (
    LANGUAGES,
    MESSAGE_TEXTS,
    MESSAGES,
    RULE_CONTEXT,
    RULE_TITLE_TEXTS,
    RULE_TITLES,
    SHORTER_TEXTS,
    placeholders,
    render,
    rule_title,
)
from screening.rules.registry import RULES, RUNNER_MESSAGES, all_message_ids, rule_messages, run_rules
from screening.rules.types import PartnerReq
from tests.factories.screening_snapshots import (
    ctx_with,
    make_context,
    make_cross,
    make_direction,
    make_family_guide,
    make_foreign_unit,
    make_guide,
    make_lead_unit,
    make_member,
    make_ongoing,
    make_other_proposal,
    make_other_ref,
    make_other_year_guide,
    make_pi,
    make_registries,
    make_unit,
    reindex,
)

PI_ID = "110101197505051234"


def scenarios():
    """Contexts that between them reach most branches of every rule."""
    loaded_everyone = make_registries(
        ongoing_projects=[make_ongoing(PI_ID), make_ongoing(make_member(0).id_number)],
        misconduct_people={PI_ID},
        misconduct_units={"某市人民政府"},
        guide_experts={PI_ID},
        recommenders=set(),
    )
    bad_units = reindex(
        [
            make_foreign_unit(0, "DE", role="lead"),
            make_unit(1, credit_code="123", registered_on=date(2022, 1, 1), type="state_organ"),
            make_unit(2, credit_code=None, type="other", name="某市人民政府"),
            make_unit(3, country=None, type=None, registered_on=None),
        ]
    )
    unreadable = make_guide(
        directions={
            "5.2": make_direction(
                partner_reqs=[
                    PartnerReq(kind="foreign_countries", value="若干"),
                    PartnerReq(kind="continents", value=("亚特兰蒂斯",)),
                    PartnerReq(kind="institution_kind", value="hospital"),
                    PartnerReq(kind="licence", value="radiation"),
                ]
            )
        }
    )
    return [
        make_context(),
        make_context(guide=None, cross=None),
        ctx_with({"pi": None, "units": [], "members": [], "attachments": None, "direction": None}),
        ctx_with(
            {
                "title": "",
                "research_content": "",
                "recommender": "某市科技局",
                "attachments": set(),
                "pi": make_pi(
                    birth_date=date(1950, 1, 1),
                    id_number=PI_ID,
                    title="工程师",
                    degree="硕士",
                    nationality="US",
                    employment="part_time",
                    employment_proofs=1,
                    civil_servant=True,
                ),
                "units": bad_units,
                "start_date": date(2023, 1, 1),
                "end_date": date(2027, 1, 1),
                "matching_funding": Decimal("1"),
                "indicators": [],
            },
            registries=loaded_everyone,
            cross=make_cross(
                other_pi_proposals=["P2022-0009"],
                person_proposals={PI_ID: [make_other_ref(9, role="pi")]},
            ),
        ),
        ctx_with(
            {"direction": "2.1", "units": reindex([make_lead_unit(0), make_foreign_unit(1, "FR")])},
            cross=make_cross(
                duplicate_candidates=[
                    make_other_proposal(
                        4, title="新能源汽车运行故障与事故检测评价关键技术联合研究", pi_id_number=PI_ID
                    )
                ]
            ),
        ),
        ctx_with({"direction": "10.4", "national_funding": Decimal("0"), "start_date": date(2026, 1, 1)}),
        ctx_with(
            {
                "direction": "6.4",
                "pi": make_pi(
                    title="讲师", degree=None, birth_date=date(1970, 1, 1), id_number="110101196001011234"
                ),
            }
        ),
        ctx_with({"direction": "99.9"}),
        ctx_with(
            {"units": reindex([make_lead_unit(0), make_foreign_unit(1, "DE"), make_foreign_unit(2, None)])}
        ),
        ctx_with(
            {
                "units": reindex(
                    [make_lead_unit(0)]
                    + [make_unit(i) for i in range(1, 10)]
                    + [make_unit(0, country=None, credit_code=None)]
                )
            }
        ),
        ctx_with(registries=make_registries(recommenders=None, ongoing_projects=None, guide_experts=None)),
        ctx_with({"national_funding": Decimal("0")}),
        ctx_with({"research_content": "本项目整理唐代诗歌文献。", "title": "唐诗", "indicators_text": ""}),
        ctx_with({"units": reindex([make_lead_unit(0)] + [make_unit(i) for i in range(1, 11)])}),
        ctx_with(
            {
                "direction": "2.1",
                "units": reindex(
                    [
                        make_lead_unit(0, third_party_testing=True),
                        make_foreign_unit(1, "JP"),
                        make_foreign_unit(2, "FR"),
                        make_foreign_unit(3, "US"),
                    ]
                ),
            }
        ),
        ctx_with({"direction": "10.4", "units": reindex([make_lead_unit(0, hgr_license=True)])}),
        ctx_with({"pi": make_pi(nationality="CA", employment="full_time", employment_proofs=1)}),
        ctx_with({"units": reindex([make_foreign_unit(0, "JP")])}, guide=make_other_year_guide()),
        ctx_with({"pi": make_pi(nationality="CA", employer="University of Michigan")}),
        ctx_with(guide=unreadable),
        ctx_with(
            guide=make_guide(pi_born_on_or_after=None, max_duration_years=None, unit_registered_by=None)
        ),
        *family_scenarios(),
    ]


def family_scenarios():
    """A guide of the family: scoped conditions, a missing value, gender cutoffs, subtasks."""
    from screening.rules.types import PersonSnap, SubtaskSnap

    guide = make_family_guide()
    lead = PersonSnap(name="李四", birth_date=date(1960, 1, 1))
    young = make_family_guide(
        directions=guide.directions
        | {"4.1": make_direction("4.1", project_types=("基础研究类", "青年科学家项目"))}
    )
    return [
        ctx_with({"direction": "3.1", "pi": make_pi(id_number="E12345678", gender=None)}, guide=guide),
        ctx_with({"direction": "3.1", "subtasks": [SubtaskSnap(name="课题1", lead=lead)]}, guide=guide),
        ctx_with(
            {"direction": "1.1", "subtasks": [SubtaskSnap(name=f"课题{i}", lead=lead) for i in range(5)]},
            guide=guide,
        ),
        ctx_with({"direction": "1.1", "subtasks": [SubtaskSnap(name="课题1", lead=lead)]}, guide=guide),
        ctx_with(
            {
                "direction": "1.2",
                "subtasks": [
                    SubtaskSnap(name="课题1", lead=PersonSnap(name="王五", birth_date=date(1980, 1, 1)))
                ],
            },
            guide=guide,
        ),
        ctx_with({"direction": "1.1", "units": reindex([make_lead_unit(i) for i in range(8)])}, guide=guide),
        ctx_with({"direction": "4.1"}, guide=young),
    ]


def emitted():
    found = []
    for ctx in scenarios():
        found.extend(run_rules(ctx))
    return found


EMITTED = emitted()


def test_scenarios_reach_most_declared_messages():
    reached = {f.message_id for f in EMITTED} | {f.fix_id for f in EMITTED if f.fix_id}
    not_reached = all_message_ids() - set(RUNNER_MESSAGES) - reached
    assert not_reached == set(), sorted(not_reached)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_emitted_message_renders_with_its_params(lang):
    for finding in EMITTED:
        render(finding.message_id, finding.params, lang, strict=True)
        if finding.fix_id:
            render(finding.fix_id, finding.params, lang, strict=True)


def test_every_emitted_message_is_declared_by_its_rule():
    for finding in EMITTED:
        if finding.message_id.startswith("rule."):
            continue
        declared = rule_messages(finding.rule)
        assert finding.message_id in declared, (finding.rule, finding.message_id)
        assert finding.fix_id is None or finding.fix_id in declared, (finding.rule, finding.fix_id)


def test_every_declared_message_has_a_catalogue_entry():
    assert sorted(all_message_ids() - set(MESSAGE_TEXTS)) == []
    untranslated = [
        mid for mid in sorted(all_message_ids()) if render_neutral(mid, "en") == render_neutral(mid, "zh")
    ]
    assert untranslated == []


def test_catalogue_has_no_unused_messages():
    from screening.report import CROSS_RULES

    assert set(MESSAGE_TEXTS) - all_message_ids() - set(CROSS_RULES.values()) == set()


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # ideographs and full-width punctuation
ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}")


def neutral_params(text: str) -> dict:
    """A value for every placeholder that is neither Chinese nor English: what is left is the catalogue's."""
    return {name: "7" for name in placeholders(text)}


def render_neutral(message_id: str, lang: str) -> str:
    return render(message_id, neutral_params(MESSAGE_TEXTS[message_id]), lang, strict=True)


@pytest.mark.parametrize("message_id", sorted(MESSAGE_TEXTS))
def test_every_message_renders_in_both_languages_without_the_other_language(message_id):
    zh, en = render_neutral(message_id, "zh"), render_neutral(message_id, "en")
    assert "{" not in zh and "}" not in zh and "{" not in en and "}" not in en
    assert CJK.findall(en) == []
    assert ENGLISH_WORDS.findall(zh) == []
    assert CJK.search(zh) is not None


@pytest.mark.parametrize("message_id", sorted(SHORTER_TEXTS))
def test_every_shorter_wording_renders_in_both_languages(message_id):
    for empty in SHORTER_TEXTS[message_id]:
        zh, en = (messages.shorter(message_id, empty, lang) for lang in LANGUAGES)
        params = neutral_params(zh)
        assert CJK.findall(messages.fill(en, params, "en")) == []
        assert ENGLISH_WORDS.findall(messages.fill(zh, params, "zh")) == []
        assert en != zh


def test_zh_and_en_use_the_same_placeholders():
    for message_id, entry in MESSAGES.items():
        assert placeholders(entry["zh"]) == placeholders(entry["en"]), message_id


def test_every_rule_has_a_title_in_both_languages():
    assert set(RULE_TITLES) == set(RULES)
    assert {msg.context for msg in RULE_TITLE_TEXTS.values()} == {RULE_CONTEXT}
    for rule_id in RULES:
        zh, en = rule_title(rule_id, "zh"), rule_title(rule_id, "en")
        assert (CJK.findall(en), ENGLISH_WORDS.findall(zh), zh != en) == ([], [], True), rule_id


def test_rule_titles_have_their_own_context_in_the_catalogue():
    """'推荐单位' is also a form label ('Recommender'); as the rule's title it reads otherwise."""
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("推荐单位") != "Designated recommender"
    assert rule_title("recommendation.recommender", "en") == "Designated recommender"
    assert RULE_TITLES["recommendation.recommender"]["en"] == "Designated recommender"
    assert RULE_TITLES["budget.matching_ratio"].get("zh") == "配套经费比例"


def test_catalogue_texts_are_in_the_po_file_of_english():
    po = (Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(
        "utf-8"
    )
    quoted = [f'msgid "{text}"' for text in MESSAGE_TEXTS.values()]
    quoted += [f'msgctxt "{RULE_CONTEXT}"\nmsgid "{msg.text}"' for msg in RULE_TITLE_TEXTS.values()]
    assert [q for q in quoted if q not in po] == []


def test_render_without_a_translator_reads_the_chinese_msgid(monkeypatch):
    monkeypatch.setattr(messages, "_translator", messages._untranslated)
    assert render("fix.replace_pi", {}, "en") == "请更换项目负责人。"
    assert rule_title("pi.age", "en") == "项目负责人年龄"


def test_render_takes_a_gettext_for_one_call():
    catalogue = {"请将课题减至 {limit} 个以内。": "Höchstens {limit} Teilprojekte."}
    text = render("fix.reduce_subtasks", {"limit": 3}, "en", gettext=catalogue.get)
    assert text == "Höchstens 3 Teilprojekte."


def test_render_shows_numbers_as_people_write_them():
    params = {"national": Decimal("100.0"), "matching": 50.0, "actual_ratio": Decimal("0.50"), "ratio": 1.0}
    assert render("budget.matching_ratio.pass", params, "zh") == (
        "配套经费 50 万元与国拨经费 100 万元之比为 0.5:1，不低于 1:1。"
    )


def test_render_english_follows_the_catalogue_not_the_active_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert render("fix.replace_pi", {}, "en") == "Change the PI."
    with translation.override("en"):
        assert render("fix.replace_pi", {}, "zh") == "请更换项目负责人。"


def test_render_fills_params_and_joins_lists():
    text = render("submission.complete.missing", {"missing": ["title", "pi.birth_date"]}, "zh")
    assert text == "申报书未按要求填写完整，缺少：title、pi.birth_date。"


def test_render_english():
    assert render("pi.age.pass", {"birth_date": "1975-05-05", "cutoff": "1962-01-01"}, "en") == (
        "The PI was born on 1975-05-05, on or after 1962-01-01."
    )


def test_render_missing_param_falls_back_to_raw_id_and_params():
    assert render("pi.age.pass", {"cutoff": "1962-01-01"}, "en") == 'pi.age.pass {"cutoff": "1962-01-01"}'


def test_render_unknown_id_falls_back_to_raw_id():
    assert render("no.such.message", None, "zh") == "no.such.message {}"


def test_render_unknown_language_falls_back_to_chinese():
    assert render("submission.complete.pass", {}, "fr") == "申报书必填内容齐全。"


def test_render_strict_raises_on_missing_param():
    with pytest.raises(KeyError):
        render("pi.age.pass", {}, "zh", strict=True)


def test_rule_title_of_unknown_rule_is_its_id():
    assert (rule_title("pi.age", "en"), rule_title("nope")) == ("PI age", "nope")


def test_member_paths_in_scenarios_point_at_members():
    fields = {f.field for f in EMITTED if f.rule == "member.ongoing_project" and f.status == "fail"}
    assert fields == {"members[0]"}


def test_shorter_wordings_use_the_placeholders_of_their_message_less_the_empty_one():
    from screening.messages import SHORTER

    for message_id, variants in SHORTER.items():
        for empty, entry in variants.items():
            for lang in LANGUAGES:
                assert placeholders(entry[lang]) == placeholders(MESSAGES[message_id][lang]) - {empty}, (
                    message_id,
                    empty,
                    lang,
                )
