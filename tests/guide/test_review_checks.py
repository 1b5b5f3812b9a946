"""The review page grouped by where the items are, each group collapsible, and "mark checked" on each
item to check: persisted per version with an audit entry, counts that move."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from common.models import AuditEntry
from guide.models import GuideCheckMark, GuideVersion
from guide.parsing.notices import notice
from guide.parsing.readers import parse_file
from guide.parsing.types import CHECK, Notice
from guide.services import VersionError, version_publish
from guide.services.checks import item_mark_checked, item_unmark_checked, items_to_check
from tests.conftest import GUIDE_2022
from tests.factories.proposals import make_user
from tests.guide.test_review_views import draft_of, review_url, small_guide

pytestmark = pytest.mark.django_db

ITEM = "directions[1.1].indicators[1]"  # a notice to check
UNCERTAIN = "directions[1.2].indicators[1]"  # read without a comparator, no notice


@pytest.fixture
def officer(client):
    user = make_user("check-officer", role="officer")
    client.force_login(user)
    return user


@pytest.fixture
def small():
    return draft_of(small_guide())


def mark(client, version, item, action="check", **extra):
    return client.post(review_url(version), {"item": item, "action": action, **extra})


def counts(client, version) -> tuple[int, int, int]:
    review = client.get(review_url(version)).context["review"]
    return review.check_count, review.checked_count, review.to_check_count


# --- the service -------------------------------------------------------------------------------------


def test_the_items_to_check_are_those_with_a_notice_to_check_and_the_uncertain_indicators(small):
    assert items_to_check(small.data) == {ITEM, UNCERTAIN}


def test_marking_records_who_and_an_audit_entry_once(officer, small):
    first = item_mark_checked(version=small, item=ITEM, by=officer)
    again = item_mark_checked(version=small, item=ITEM, by=officer)
    assert (again.pk, first.checked_by, first.item) == (first.pk, officer, ITEM)
    assert list(AuditEntry.objects.filter(action="guide.item_checked").values_list("data", flat=True)) == [
        {"label": small.label, "item": ITEM}
    ]


def test_taking_a_mark_back_deletes_it_with_an_audit_entry(officer, small):
    item_mark_checked(version=small, item=ITEM, by=officer)
    assert item_unmark_checked(version=small, item=ITEM, by=officer) is True
    assert item_unmark_checked(version=small, item=ITEM, by=officer) is False
    assert GuideCheckMark.objects.count() == 0
    assert AuditEntry.objects.filter(action="guide.item_unchecked").count() == 1


def test_an_item_not_to_check_cannot_be_marked(officer, small):
    with pytest.raises(VersionError) as caught:
        item_mark_checked(version=small, item="directions[1.1].indicators[0]", by=officer)
    assert caught.value.code == "not_to_check"
    assert GuideCheckMark.objects.count() == 0


def test_a_published_version_cannot_be_marked(officer, small):
    version_publish(version=small, by=officer)
    with pytest.raises(VersionError) as caught:
        item_mark_checked(version=GuideVersion.objects.get(pk=small.pk), item=ITEM, by=officer)
    assert caught.value.code == "not_draft"


def test_marks_belong_to_their_version(officer, small):
    other = draft_of(small_guide(year=2032))
    item_mark_checked(version=small, item=ITEM, by=officer)
    assert list(GuideCheckMark.objects.filter(version=other)) == []


# --- the page ----------------------------------------------------------------------------------------


def test_marking_through_the_page_moves_the_counts_and_goes_back_to_the_item(client, officer, small):
    assert counts(client, small) == (1, 0, 2)
    response = mark(client, small, ITEM)
    assert response.status_code == 302
    assert response["Location"] == f"{review_url(small)}#attn-item-directions-1-1-indicators-1"
    assert counts(client, small) == (0, 1, 2)
    mark(client, small, UNCERTAIN)
    assert counts(client, small) == (0, 2, 2)
    mark(client, small, ITEM, action="uncheck")
    assert counts(client, small) == (1, 1, 2)


def test_the_page_shows_the_progress_the_mark_and_who_made_it(client, officer, small):
    mark(client, small, ITEM)
    html = client.get(review_url(small)).content.decode()
    assert re.findall(r'data-testid="check-progress">(.*?)</p>', html) == ["已核对 1 / 2 项"]
    item = html[html.index('id="attn-item-directions-1-1-indicators-1"') :]
    item = item[: item.index('id="attn-item-directions-1-2-indicators-1"')]
    assert item.count('data-testid="checked"') == 1
    assert item.count("check-officer") == 1
    assert item.count('data-testid="uncheck"') == 1
    assert html.count('data-testid="mark-checked"') == 1  # the other item to check


def test_the_direction_page_marks_and_comes_back_to_the_indicator(client, officer, small):
    page = client.get(f"{review_url(small)}directions/1.1/").content.decode()
    assert page.count('data-testid="mark-checked"') == 1
    response = mark(client, small, ITEM, back="direction")
    assert response["Location"] == f"{review_url(small)}directions/1.1/#item-directions-1-1-indicators-1"


def test_an_item_not_to_check_is_refused_on_the_page_with_a_message(client, officer, small):
    response = mark(client, small, "directions[1.1].indicators[0]")
    assert response["Location"] == review_url(small)
    html = client.get(review_url(small)).content.decode()
    assert html.count("此项无需核对。") == 1
    assert GuideCheckMark.objects.count() == 0


def test_a_get_shows_the_page_and_marks_nothing(client, officer, small):
    assert client.get(review_url(small), {"item": ITEM, "action": "check"}).status_code == 200
    assert GuideCheckMark.objects.count() == 0


def test_applicants_cannot_mark(client, small):
    client.force_login(make_user("check-applicant"))
    assert mark(client, small, ITEM).status_code == 403
    assert GuideCheckMark.objects.count() == 0


def test_a_published_version_shows_its_marks_without_forms(client, officer, small):
    item_mark_checked(version=small, item=ITEM, by=officer)
    version_publish(version=small, by=officer)
    html = client.get(review_url(small)).content.decode()
    assert (html.count('data-testid="checked"'), html.count('data-testid="mark-checked"')) == (1, 0)
    assert html.count('data-testid="uncheck"') == 0


def test_the_attention_list_is_grouped_by_direction_and_only_groups_with_a_warning_are_open(client, officer):
    parsed = small_guide()
    parsed = replace(
        parsed,
        warnings=[
            *parsed.warnings,
            Notice("标题可能不完整", "title"),
        ],
    )
    version = draft_of(parsed)
    review = client.get(review_url(version)).context["review"]
    assert [(g.key, [i.item for i in g.items]) for g in review.attention_groups] == [
        ("", ["title"]),
        ("1.1", [ITEM]),
        ("1.2", [UNCERTAIN]),
    ]
    mark(client, version, UNCERTAIN)
    html = client.get(review_url(version)).content.decode()
    groups = re.findall(
        r'<details class="review-group" data-testid="attention-group" data-group="([^"]*)"( open)?>', html
    )
    assert groups == [("", " open"), ("1.1", ""), ("1.2", "")]
    summaries = re.findall(r'data-testid="group-counts">(.*?)</span>', html)
    assert summaries == ["警告 1 条", "已核对 0 / 1 项", "已核对 1 / 1 项"]


def test_the_2022_guide_groups_its_qualitative_indicators_in_chinese(client, officer):
    version = draft_of(parse_file(GUIDE_2022))
    review = client.get(review_url(version)).context["review"]
    qualitative = [w for w in version.data["warnings"] if w.get("code") == "indicator_qualitative"]
    assert review.check_count == len(qualitative) + sum(
        1
        for w in version.data["warnings"]
        if w.get("severity") == CHECK and w.get("code") != "indicator_qualitative"
    )
    html = client.get(review_url(version)).content.decode()
    assert html.count("has no comparator") == 0
    assert html.count("没有比较符（定性指标），请对照原文核对。") == len(qualitative)
    assert len(review.attention_groups) == len({g.key for g in review.attention_groups})


def test_an_older_reading_stored_with_english_sentences_reads_in_chinese(client, officer):
    parsed = small_guide()
    made = notice("indicator_qualitative", ITEM, severity=CHECK, direction="1.1", n=2)
    version = draft_of(replace(parsed, warnings=[made]))
    version.data["warnings"] = [{k: v for k, v in made.to_json().items() if k not in ("code", "params")}]
    version.save(update_fields=["data"])
    html = client.get(review_url(version)).content.decode()
    zh = "指南方向 1.1 的指标 2 没有比较符（定性指标），请对照原文核对。"
    direction = client.get(f"{review_url(version)}directions/1.1/").content.decode()
    assert (html.count(zh), direction.count(zh)) == (1, 1)  # the attention list; the indicator's row
    client.cookies["django_language"] = "en"
    html = client.get(review_url(version)).content.decode()
    en = "Direction 1.1, indicator 2: no comparator (a qualitative indicator); check it against the text."
    assert (html.count(en), html.count("has no comparator")) == (1, 0)


def test_a_correction_that_cannot_be_applied_is_said_in_the_pages_language():
    from django.utils import translation

    from guide.parsing.addresses import apply_corrections
    from guide.templatetags.humanize_guide import problem_text

    _data, problems = apply_corrections(
        {"directions": [{"code": "1.1", "title": "储能", "indicators": []}]},
        [("directions[9.9].title", "x"), ("directions[1.1].title", "")],
    )
    with translation.override("zh-hans"):
        assert [problem_text(p) for p in problems] == [
            "此版本没有这一项：directions[9.9].title",
            "此项不能为空",
        ]
    with translation.override("en"):
        assert [CJK.findall(problem_text(p)) for p in problems] == [[], []]


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_a_group_with_a_warning_comes_before_the_guide_order(client, officer):
    parsed = small_guide()
    warned = Notice("数值可能不完整", "directions[1.2].indicators[0]")
    version = draft_of(replace(parsed, warnings=[*parsed.warnings, warned]))
    review = client.get(review_url(version)).context["review"]
    assert [(g.key, g.warning_count, g.to_check_count) for g in review.attention_groups] == [
        ("1.2", 1, 1),
        ("1.1", 0, 1),
    ]


def test_the_marks_speak_english(client, officer, small):
    mark(client, small, ITEM)
    client.cookies["django_language"] = "en"
    html = client.get(review_url(small)).content.decode()
    assert re.findall(r'data-testid="check-progress">(.*?)</p>', html) == ["1 of 2 checked"]
    assert re.findall(r'data-testid="group-counts">(.*?)</span>', html) == [
        "1 of 1 checked",
        "0 of 1 checked",
    ]
    assert (html.count(">Checked</span>"), html.count(">Take back the mark</button>")) == (1, 1)
    assert html.count(">Mark as checked</button>") == 1


def test_carried_corrections_name_their_value_not_its_address(client, officer):
    from guide.services import correction_add, version_create_from_file
    from tests.guide.test_versions import VALUE, misread_first_version

    first = misread_first_version(value=1.0, extra_indicator=True)
    correction_add(
        version=first, address="directions[1.1].indicators[99].value", value="5", reason="幻读", by=None
    )
    correction_add(version=first, address=VALUE, value="10", reason="原文为 10%", by=None)
    second = version_create_from_file(path=GUIDE_2022)
    html = client.get(review_url(second)).content.decode()
    assert re.findall(r'<li data-testid="resolved">(.*?)：', html) == ["方向 1.1 · 指标 1 · 数值 = 10"]
    assert (
        html.count(
            "沿用自 2022 v1 的更正无法应用：方向 1.1 · 指标 100 不在本次解析结果中（更正值 5，理由：幻读）"
        )
        == 1
    )
    assert "indicators[99]" not in html


def test_the_versions_page_counts_the_items_checked(client, officer, small):
    item_mark_checked(version=small, item=ITEM, by=officer)
    item_mark_checked(version=small, item=UNCERTAIN, by=officer)
    html = client.get("/guide/versions/").content.decode()
    assert re.findall(r'data-testid="checked-count">(.*?)</div>', html) == ["已核对 2 项"]
