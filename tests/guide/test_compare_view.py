"""The compare page (guide.views.compare): who may compare what, and the readable diff it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from guide.services.versions import version_create_from_file, version_publish
from tests.factories.proposals import make_user
from tests.guide.test_diff import YOUNG, young_scientist_changed

pytestmark = pytest.mark.django_db

GUIDES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
URL = reverse("guide:compare")


@pytest.fixture
def versions(guide2022):
    """2022 v1 and 2023 v1 published, 2023 v2 a draft."""
    v2022 = guide2022.published_version
    v2023 = version_publish(version=version_create_from_file(path=GUIDES / "2023-strategic-cooperation.txt"))
    draft = version_create_from_file(path=GUIDES / "2023-strategic-cooperation.txt")
    return v2022, v2023, draft


def choices(response) -> list[str]:
    return [label for _pk, label in response.context["form"].fields["a"].choices]


def test_the_public_compares_published_versions_only(client, versions):
    v2022, v2023, draft = versions
    response = client.get(URL)
    assert (response.status_code, choices(response)) == (200, ["2023 v1", "2022 v1"])
    assert (response.context["form"]["a"].value(), response.context["form"]["b"].value()) == (
        v2022.pk,
        v2023.pk,
    )
    assert "diff" not in response.context
    assert client.get(URL, {"a": v2022.pk, "b": draft.pk}).status_code == 400


def test_applicants_see_what_the_public_sees(client, versions):
    client.force_login(make_user(role="applicant"))
    assert choices(client.get(URL)) == ["2023 v1", "2022 v1"]


def test_officers_compare_drafts_too(client, versions):
    v2022, _v2023, draft = versions
    client.force_login(make_user(role="officer"))
    response = client.get(URL, {"a": v2022.pk, "b": draft.pk})
    assert choices(response) == ["2023 v2（待审核草稿）", "2023 v1", "2022 v1"]
    assert (response.status_code, response.context["heading"]) == (200, "2022 v1 → 2023 v2 指南的变化")


def test_a_drafts_state_is_set_off_the_english_way_in_english(client, versions):
    client.force_login(make_user(role="officer"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert choices(client.get(URL)) == ["2023 v2 — Draft to review", "2023 v1", "2022 v1"]


def test_the_diff_shows_sections_with_marked_text(client, versions):
    v2022, v2023, _draft = versions
    response = client.get(URL, {"a": v2022.pk, "b": v2023.pk})
    html = response.content.decode()
    assert [s.key for s in response.context["sections"]] == [
        "general",
        "conditions",
        "directions",
        "added",
        "removed",
        "renamed",
        "renumbered",
        "changed",
        "clauses",
    ]
    assert '<h2 data-testid="compare-heading">2022 v1 → 2023 v1 指南的变化</h2>' in html
    assert "<li>全指南 · 国（境）外参与单位下限：1 → 2</li>" in html
    assert "<del>20MW</del><ins>25MW</ins>" in html
    assert (
        '<span class="compare-label">2(1)</span> <span class="diff-text">项目负责人应为 <del>1962</del><ins>1963</ins>'
        in html
    )


def test_the_diff_shows_conditions_by_scope_and_changed_project_types(client, db, tmp_path):
    changed = tmp_path / "young-scientist-2024-changed.txt"
    changed.write_text(young_scientist_changed(), encoding="utf-8")
    a, b = version_create_from_file(path=YOUNG), version_create_from_file(path=changed)
    client.force_login(make_user(role="officer"))
    response = client.get(URL, {"a": a.pk, "b": b.pk})
    html = response.content.decode()
    assert [r.text for r in response.context["sections"][0].rows] == [
        "全指南 · 申报单位注册日期不晚于：2023-06-30 → 待确认（未读出）",
        "基础研究类 · 参与单位总数上限：6 → 8",
        "青年科学家项目（男性） · 项目负责人出生日期不早于 删去：1986-01-01",
        "方向 2.2 · 拟支持项目数：1 → 2",
    ]
    assert '<section class="compare-section" data-testid="compare-conditions">' in html
    assert "<li>青年科学家项目（男性） · 项目负责人出生日期不早于 删去：1986-01-01</li>" in html
    assert "<li>项目类型：应用示范类 → 共性关键技术类</li>" in html


def test_the_same_version_twice_says_so(client, versions):
    v2022, _v2023, _draft = versions
    html = client.get(URL, {"a": v2022.pk, "b": v2022.pk}).content.decode()
    assert '<p data-testid="compare-same">两份指南的内容相同。</p>' in html


@pytest.mark.parametrize("query", [{"a": "x", "b": "1"}, {"a": "1"}, {"a": "999999", "b": "999998"}])
def test_bad_choices_are_400_with_the_form(client, versions, query):
    response = client.get(URL, query)
    assert (response.status_code, "diff" in response.context) == (400, False)
    assert 'data-testid="compare-errors"' in response.content.decode()


def test_with_fewer_than_two_versions_there_is_nothing_to_compare(client, guide2022):
    html = client.get(URL).content.decode()
    assert 'data-testid="compare-nothing"' in html


def test_the_diff_in_english(client, versions):
    v2022, v2023, _draft = versions
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"a": v2022.pk, "b": v2023.pk})
    assert response.context["heading"] == "Changes from the 2022 v1 guide to the 2023 v1 guide"
    assert "<h1>Compare guides</h1>" in response.content.decode()
    assert "<li>Whole call · Foreign participating units, at least: 1 → 2</li>" in response.content.decode()


def test_only_get(client, versions):
    assert client.post(URL).status_code == 405


def test_the_docx_and_the_pdf_of_one_guide_compare_as_the_same(client, db):
    """Spacing the PDF puts next to Chinese characters is no change ("内容有变化 24 个" before)."""
    office = GUIDES / "office"
    docx = version_create_from_file(path=office / "2022-strategic-cooperation.12pt.docx")
    pdf = version_create_from_file(path=office / "2022-strategic-cooperation.16pt.pdf")
    client.force_login(make_user(role="officer"))
    html = client.get(URL, {"a": docx.pk, "b": pdf.pk}).content.decode()
    assert '<p data-testid="compare-same">两份指南的内容相同。</p>' in html
    assert "内容有变化" not in html
