"""The versions page, a version's review page with its correction forms, and publishing (a job with
its progress page)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.models import AuditEntry, OutboxMessage
from guide.models import Guide, GuideCorrection, GuideVersion
from guide.parsing.readers import parse_file
from guide.parsing.types import (
    Area,
    Direction,
    Eligibility,
    Notice,
    ParsedGuide,
    Source,
)
from guide.parsing.types import (
    Indicator as ParsedIndicator,
)
from guide.services import correction_add, version_create_from_file, version_publish, version_record_reading
from tests.conftest import GUIDE_2022
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

VALUE_ITEM = "directions[1.1].indicators[0]"  # 误差 ≤ 10%, read with comparator and value


def small_guide(*, year: int = 2031, directions: int = 2) -> ParsedGuide:
    return ParsedGuide(
        year=year,
        title=f"{year} 年度测试指南",
        declared_direction_count=directions,
        eligibility=Eligibility(pi_born_on_or_after=date(1970, 1, 1), max_domestic_units=8),
        areas=[Area(1, "能源", source=Source(blocks=(2,)))],
        directions=[
            Direction(
                code=f"1.{n}",
                area=1,
                title=f"方向{n}",
                indicators=[
                    ParsedIndicator(0, "效率≥90%", "效率", ">=", 90.0, None, "%", Source(blocks=(3 + n,))),
                    ParsedIndicator(1, "形成规范"),
                ],
            )
            for n in range(1, directions + 1)
        ],
        warnings=[Notice("指标 2 没有比较符", "directions[1.1].indicators[1]", severity="check")],
    )


def draft_of(parsed: ParsedGuide, *, sha256: str = "") -> GuideVersion:
    version = GuideVersion(status="reading", source_name="test.txt", kind="text", sha256=sha256)
    version.file.save("f", ContentFile(b"x"), save=False)
    version.save()
    return version_record_reading(version=version, parsed=parsed)


@pytest.fixture
def officer(client):
    user = make_user("review-officer", role="officer")
    client.force_login(user)
    return user


@pytest.fixture
def draft():
    """The 2022 guide as a draft, with a warning the reader attached to indicator 1 of 4.1."""
    parsed = parse_file(GUIDE_2022)
    warning = Notice(
        "放氢纯度的数值可能不完整",
        "directions[4.1].indicators[1]",
        Source(blocks=(120,)),
        severity="warning",
    )
    return draft_of(replace(parsed, warnings=[*parsed.warnings, warning]))


def review_url(version) -> str:
    return f"/guide/versions/{version.pk}/"


# --- who may see them ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/guide/versions/", "{review}", "{review}publish/", "{review}publishing/"])
def test_anonymous_users_are_sent_to_login(client, path):
    version = draft_of(small_guide())
    response = client.get(path.format(review=review_url(version)))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/guide/versions/"),
        ("get", "{review}"),
        ("get", "{review}publish/"),
        ("post", "{review}publish/"),
        ("get", "{review}publishing/"),
        ("post", "{review}corrections/"),
    ],
)
def test_applicants_get_403(client, method, path):
    version = draft_of(small_guide())
    client.force_login(make_user("review-applicant"))
    response = getattr(client, method)(path.format(review=review_url(version)))
    assert response.status_code == 403
    assert GuideVersion.objects.get().status == "draft"


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_see_the_pages(client, role):
    version = draft_of(small_guide())
    client.force_login(make_user(f"review-{role}", role=role))
    assert [client.get(p).status_code for p in ("/guide/versions/", review_url(version))] == [200, 200]


def test_a_version_not_read_yet_has_no_review_page(client, officer):
    version = GuideVersion.objects.create(status="queued", source_name="x.pdf")
    assert client.get(review_url(version)).status_code == 404


# --- the versions page ---------------------------------------------------------------


def test_the_versions_page_lists_every_version_with_its_counts(client, officer):
    first = version_publish(version=draft_of(small_guide(), sha256="a"))
    second = draft_of(small_guide(), sha256="b")
    correction_add(version=second, address="title", value="新标题", reason="r", by=officer)
    failed = GuideVersion.objects.create(status="failed", source_name="scan.pdf", error="scanned: 没有文字层")
    response = client.get("/guide/versions/")
    rows = list(response.context["versions"])
    assert [(v.pk, v.status, v.correction_count, v.warning_count) for v in rows] == [
        (failed.pk, "failed", 0, 0),
        (second.pk, "draft", 1, 1),
        (first.pk, "published", 0, 1),
    ]
    html = response.content.decode()
    assert html.count(f'href="/guide/versions/{second.pk}/publish/"') == 1
    assert html.count('data-testid="review"') == 2
    assert (html.count("没有文字层：这是扫描件或纯图片 PDF"), html.count("scanned:")) == (
        1,
        0,
    )  # its headline, no code


def test_the_versions_page_query_count_is_constant(client, officer):
    def queries(n: int) -> int:
        for k in range(n):
            version = draft_of(small_guide(year=2040 + len(GuideVersion.objects.all()) + k))
            correction_add(version=version, address="title", value="改", reason="r", by=officer)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/guide/versions/").status_code == 200
        return len(ctx.captured_queries)

    assert queries(2) == queries(5)


# --- the review page -----------------------------------------------------------------


def test_the_review_page_shows_the_warning_first_then_the_items_to_check(client, officer, draft):
    response = client.get(review_url(draft))
    review = response.context["review"]
    attention = [item.item for item in review.attention]
    assert attention[0] == "directions[4.1].indicators[1]"
    assert [n.message for n in review.attention[0].notices] == ["放氢纯度的数值可能不完整"]
    checks = [item.item for item in review.items.values() if item.severity == "check"]
    assert checks != []
    assert attention[1 : 1 + len(checks)] == checks
    html = response.content.decode()
    assert html.index("放氢纯度的数值可能不完整") < html.index('id="direction-1.1"')
    assert html.count('data-testid="notice-warning"') == 1  # in the attention list
    direction = client.get(f"{review_url(draft)}directions/4.1/").content.decode()
    assert direction.count('data-testid="notice-warning"') == 1  # and on its direction's page


def test_uncertain_indicators_without_a_notice_are_listed_too(client, officer):
    parsed = replace(small_guide(), warnings=[])
    response = client.get(review_url(draft_of(parsed)))
    assert [i.item for i in response.context["review"].attention] == [
        "directions[1.1].indicators[1]",
        "directions[1.2].indicators[1]",
    ]


def test_each_value_shows_its_source(client, officer):
    version = draft_of(small_guide())
    html = client.get(review_url(version)).content.decode()
    assert html.count("原文第 2 段") == 1  # area 1
    direction = client.get(f"{review_url(version)}directions/1.1/").content.decode()
    assert direction.count("原文第 4 段") == 1  # indicator 1 of 1.1


def test_the_review_page_shows_every_part_of_the_guide(client, officer, draft):
    review = client.get(review_url(draft)).context["review"]
    assert (len(review.general), len(review.eligibility), len(review.areas), len(review.directions)) == (
        4,
        10,
        10,
        39,
    )
    assert review.conditions == []  # the 2022 guide states every condition call-wide, once
    assert len(review.clauses) == 14
    assert sum(len(d.indicators) for d in review.directions) == sum(
        len(d["indicators"]) for d in draft.data["directions"]
    )


def test_a_draft_has_a_correction_form_for_every_item(client, officer):
    version = draft_of(small_guide())
    html = client.get(review_url(version)).content.decode()
    general = 4 + 10 + 1  # general values, eligibility (call-wide conditions), the area
    attention = 2  # indicator 2 of 1.1 (a notice) and of 1.2 (no comparator)
    assert html.count('data-testid="save-correction"') == general + attention
    for code in ("1.1", "1.2"):  # each direction's page: the direction and its 2 indicators
        page = client.get(f"{review_url(version)}directions/{code}/").content.decode()
        assert page.count('data-testid="save-correction"') == 1 + 2


def test_the_review_page_lists_the_directions_with_their_counts(client, officer):
    version = draft_of(small_guide())
    review = client.get(review_url(version)).context["review"]
    assert [
        (d.item.row["code"], d.warning_count, d.check_count, d.correction_count) for d in review.directions
    ] == [
        ("1.1", 0, 1, 0),  # the notice on indicator 2 of 1.1 is one to check
        ("1.2", 0, 0, 0),
    ]
    assert client.get(f"{review_url(version)}directions/9.9/").status_code == 404


def test_the_review_page_query_count_is_constant(client, officer, draft):
    small = draft_of(small_guide())
    for version in (small, draft):
        correction_add(version=version, address="title", value="改过的标题", reason="r", by=officer)
        correction_add(
            version=version, address="directions[1.1].indicators[0].value", value="1", reason="r", by=officer
        )

    def queries(version) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(review_url(version)).status_code == 200
        return len(ctx.captured_queries)

    assert queries(small) == queries(draft)


# --- corrections through the page ------------------------------------------------------


def post_correction(client, version, **data):
    return client.post(f"{review_url(version)}corrections/", data)


def test_a_correction_through_the_form_is_saved_and_shown_with_who_when_and_why(client, officer, draft):
    response = post_correction(
        client,
        draft,
        item=VALUE_ITEM,
        subject="误差",
        comparator="<=",
        value="12",
        value_max="",
        unit="%",
        reason="原文为 12%",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{review_url(draft)}directions/1.1/#item-directions-1-1-indicators-0"
    correction = GuideCorrection.objects.get()
    assert (correction.address, correction.value, correction.reason, correction.created_by) == (
        "directions[1.1].indicators[0].value",
        12.0,
        "原文为 12%",
        officer,
    )
    html = client.get(f"{review_url(draft)}directions/1.1/").content.decode()
    assert html.count("原文为 12%") == 1
    assert html.count('data-testid="revert"') == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "十二", "reason": "r"}, '<ul class="errorlist"><li>应为数字</li></ul>'),
        ({"comparator": "about", "reason": "r"}, "比较符应为 ≥、&gt;、≤、&lt;、= 或 range"),
        ({"value": "12", "reason": ""}, "请填写更正理由。"),
        ({"value": "10", "reason": "r"}, "没有修改任何值：与当前值相同。"),
    ],
)
def test_a_bad_correction_is_shown_back_inline_with_its_error(client, officer, draft, data, message):
    response = post_correction(client, draft, item=VALUE_ITEM, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(message) == 1
    item = response.context["review"].items[VALUE_ITEM]
    assert item.open is True
    assert GuideCorrection.objects.count() == 0


def test_the_form_sent_back_keeps_what_was_typed(client, officer, draft):
    response = post_correction(client, draft, item=VALUE_ITEM, value="十二", reason="我的理由")
    html = response.content.decode()
    assert html.count('name="value" id="item-directions-1-1-indicators-0-value" value="十二"') == 1
    assert html.count('value="我的理由"') == 1


def test_a_correction_of_an_unknown_item_is_refused(client, officer, draft):
    response = post_correction(client, draft, item="directions[9.9]", title="x", reason="r")
    assert response.status_code == 400
    assert GuideCorrection.objects.count() == 0


def test_an_eligibility_date_is_corrected_in_its_own_form(client, officer, draft):
    response = post_correction(
        client, draft, item="eligibility.pi_born_on_or_after", pi_born_on_or_after="1963-1-1", reason="公告"
    )
    assert response.status_code == 302
    assert GuideCorrection.objects.get().value == "1963-01-01"


def test_reverting_through_the_page(client, officer, draft):
    correction = correction_add(version=draft, address="title", value="改", reason="r", by=officer)
    response = client.post(f"{review_url(draft)}corrections/{correction.pk}/revert/")
    assert response["Location"] == f"{review_url(draft)}#item-title"
    correction.refresh_from_db()
    assert correction.reverted_by == officer


# --- publishing ----------------------------------------------------------------------


def test_publish_asks_to_confirm_then_publishes(client, officer, draft, django_capture_on_commit_callbacks):
    correction_add(
        version=draft, address="directions[1.1].indicators[0].value", value="12", reason="r", by=officer
    )
    confirm = client.get(f"{review_url(draft)}publish/")
    assert confirm.status_code == 200
    assert confirm.content.decode().count("已更正的值：1 个。") == 1
    draft.refresh_from_db()
    assert draft.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):  # the embedded default: the job runs after commit
        response = client.post(f"{review_url(draft)}publish/")
    assert response["Location"] == f"{review_url(draft)}publishing/"
    draft.refresh_from_db()
    assert (draft.status, draft.published_by, draft.publish_state) == ("published", officer, "done")
    direction = client.get("/guide/2022/directions/1.1/")
    cells = [i.value for i in direction.context["direction"].indicators.all()]
    assert cells[0] == 12.0


def publishing_url(version) -> str:
    return f"{review_url(version)}publishing/"


def test_the_publish_request_only_writes_its_rows_and_sends_to_the_progress_page(
    client, officer, django_capture_on_commit_callbacks
):
    version = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{review_url(version)}publish/")
    assert (response.status_code, response["Location"]) == (302, publishing_url(version))
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_requested_by) == (
        "draft",
        "queued",
        officer,
    )
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("guide.publish_version", [version.pk])
    ]
    assert (Guide.objects.count(), AuditEntry.objects.filter(action="guide.version_published").count()) == (
        0,
        0,
    )
    assert len(callbacks) == 1  # the outbox row handed to the job service after the commit


def test_a_double_click_makes_one_job(client, officer, django_capture_on_commit_callbacks):
    version = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(f"{review_url(version)}publish/")
        second = client.post(f"{review_url(version)}publish/")
    assert [first["Location"], second["Location"]] == [publishing_url(version)] * 2
    assert OutboxMessage.objects.filter(task="guide.publish_version").count() == 1


def test_a_double_click_after_the_job_ran_goes_to_the_published_progress_page(
    client, officer, django_capture_on_commit_callbacks
):
    version = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{review_url(version)}publish/")
        second = client.post(f"{review_url(version)}publish/")
    assert second["Location"] == publishing_url(version)
    assert OutboxMessage.objects.filter(task="guide.publish_version").count() == 1
    assert AuditEntry.objects.filter(action="guide.version_published").count() == 1


def test_the_progress_page_of_a_queued_publishing_refreshes_itself(
    client, officer, django_capture_on_commit_callbacks
):
    version = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=False):
        client.post(f"{review_url(version)}publish/")
    page = client.get(publishing_url(version))
    html = page.content.decode()
    assert (page.status_code, page.context["waiting"]) == (200, True)
    assert html.count('<meta http-equiv="refresh" content="3">') == 1
    assert html.count('<p data-testid="publish-state">排队等待发布……</p>') == 1
    assert html.count('data-testid="rescreen"') == 0


def test_the_progress_page_of_a_published_version_offers_the_rescreen(
    client, officer, django_capture_on_commit_callbacks
):
    version = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=True):  # the job runs when the request commits
        response = client.post(f"{review_url(version)}publish/")
    assert response["Location"] == publishing_url(version)
    html = client.get(response["Location"]).content.decode()
    assert "http-equiv" not in html
    assert html.count('<span class="state" data-testid="version-status">已发布</span>') == 1
    assert html.count('href="/screening/guide/2031/rescreen/" data-testid="rescreen"') == 1
    assert html.count('href="/guide/2031/"') == 1


def test_the_progress_page_shows_a_failure_with_its_reason_and_offers_to_publish_again(client, officer):
    version = draft_of(small_guide())
    GuideVersion.objects.filter(pk=version.pk).update(
        publish_state="failed", publish_error="internal: RuntimeError: the disk said no"
    )
    page = client.get(publishing_url(version))
    html = page.content.decode()
    assert "http-equiv" not in html
    assert html.count('<strong data-testid="publish-error-headline">发布失败：发布时程序出错。</strong>') == 1
    assert (
        html.count('<p class="small" data-testid="publish-error-detail">RuntimeError: the disk said no</p>')
        == 1
    )
    assert html.count(f'href="{review_url(version)}publish/" data-testid="publish-again"') == 1
    review = client.get(review_url(version)).content.decode()
    assert review.count('data-testid="publish-failed"') == 1
    assert review.count('data-testid="publish"') == 1  # it may be published again


def test_the_progress_page_speaks_english(client, officer):
    version = draft_of(small_guide())
    GuideVersion.objects.filter(pk=version.pk).update(
        publish_state="failed", publish_error="timeout: too long"
    )
    client.cookies["django_language"] = "en"
    html = client.get(publishing_url(version)).content.decode()
    assert html.count("Publishing failed: Publishing timed out.") == 1
    assert html.count("<h1>Publishing 2031 v1</h1>") == 1


def test_a_version_never_asked_to_be_published_has_its_review_page_instead(client, officer):
    version = draft_of(small_guide())
    response = client.get(publishing_url(version))
    assert response["Location"] == review_url(version)


def test_while_publishing_is_pending_the_review_page_links_to_its_progress_and_corrections_wait(
    client, officer, django_capture_on_commit_callbacks
):
    version = draft_of(small_guide())
    with django_capture_on_commit_callbacks(execute=False):
        client.post(f"{review_url(version)}publish/")
    html = client.get(review_url(version)).content.decode()
    assert html.count('data-testid="publishing"') == 1
    assert html.count('data-testid="publish"') == 0
    assert html.count(f'href="{publishing_url(version)}"') == 1
    assert client.get(f"{review_url(version)}publish/")["Location"] == publishing_url(version)
    response = post_correction(client, version, item="title", title="新标题", reason="r")
    assert response["Location"] == publishing_url(version)
    assert GuideCorrection.objects.count() == 0
    assert client.get(publishing_url(version)).content.decode().count("此版本正在发布，暂不能更正。") == 1


def test_a_published_version_is_read_only_and_offers_the_rescreen(client, officer, draft):
    version_publish(version=draft, by=officer)
    html = client.get(review_url(draft)).content.decode()
    assert html.count('data-testid="save-correction"') == 0
    assert html.count('data-testid="publish"') == 0
    assert html.count('href="/screening/guide/2022/rescreen/"') == 1
    assert html.count("此版本已发布，只读。") == 1


def test_correcting_a_published_version_is_refused(client, officer, draft):
    version_publish(version=draft, by=officer)
    response = post_correction(client, draft, item=VALUE_ITEM, value="12", reason="r")
    assert response["Location"] == review_url(draft)
    assert client.get(review_url(draft)).content.decode().count("只有草稿可以更正或发布。") == 1
    assert GuideCorrection.objects.count() == 0


def test_publishing_a_superseded_version_is_refused(client, officer, draft):
    version_publish(version=draft, by=officer)
    version_publish(version=version_create_from_file(path=GUIDE_2022), by=officer)
    response = client.post(f"{review_url(draft)}publish/")
    assert response["Location"] == review_url(draft)
    draft.refresh_from_db()
    assert draft.status == "superseded"


def test_the_review_page_speaks_english(client, officer, draft):
    client.cookies["django_language"] = "en"
    html = client.get(review_url(draft)).content.decode()
    assert html.count("<h2>Needs attention</h2>") == 1
    assert html.count("Publish this version") == 1


def test_a_correction_is_shown_in_peoples_words(client, officer, draft):
    """The history says "≥ → ≤" and "10 → 12", not ">=" or "12.0"."""
    post_correction(
        client,
        draft,
        item=VALUE_ITEM,
        subject="误差",
        comparator=">=",
        value="12",
        value_max="",
        unit="%",
        reason="原文为 不低于 12%",
    )
    assert sorted(GuideCorrection.objects.values_list("parsed_value", "value"), key=str) == [
        ("<=", ">="),
        (10.0, 12.0),
    ]
    html = client.get(f"{review_url(draft)}directions/1.1/").content.decode()
    history = "".join(re.findall(r'data-testid="history">(.*?)</ul>', html, flags=re.S))
    assert re.findall(r"解析值 (\S+) → 更正值 <strong>(\S+)</strong>", history) == [("≤", "≥"), ("10", "12")]
    assert ("&gt;=" in history, "12.0" in history, "10.0" in history) == (False, False, False)


@pytest.mark.parametrize(
    ("language", "continents", "licence"),
    [
        ("zh-hans", "亚洲、欧洲、美洲", "须具备人类遗传资源保藏行政许可"),
        (
            "en",
            "Asia, Europe and the Americas",
            "A unit must hold the administrative licence for preserving human genetic resources",
        ),
    ],
)
def test_partner_values_are_shown_in_words_not_as_their_codes(
    client, officer, draft, language, continents, licence
):
    from tests.test_page_language import visible_text

    client.cookies["django_language"] = language
    pages = {
        code: visible_text(client.get(f"{review_url(draft)}directions/{code}/").content.decode()).splitlines()
        for code in ("2.1", "10.4")
    }
    assert (continents in pages["2.1"], licence in pages["10.4"]) == (True, True)
    shown = "\n".join(pages["2.1"] + pages["10.4"])
    assert [
        code for code in ("asia", "europe", "third_party_testing", "hgr_preservation") if code in shown
    ] == []


def _partner_items(html: str) -> dict[str, str]:
    """Each partner requirement's correction form on a direction's page, by its item."""
    return dict(
        re.findall(
            r'<input type="hidden" name="item" value="(directions\[[\d.]+\]\.partner_requirements\[\d+\])">(.*?)</form>',
            html,
            flags=re.S,
        )
    )


def test_partner_codes_are_chosen_by_their_words_and_continents_ticked(client, officer, draft):
    """The correction form offers a requirement's institution kind or licence as a choice in words and
    its continents as boxes: no code to type, none shown."""
    from tests.test_page_language import visible_text

    forms = {}
    for code in ("2.1", "10.4"):
        forms.update(_partner_items(client.get(f"{review_url(draft)}directions/{code}/").content.decode()))
    by_kind = {}
    for item, form in forms.items():
        if 'type="checkbox"' in form:
            by_kind["continents"] = (item, form)
        elif 'value="third_party_testing"' in form:
            by_kind["institution_kind"] = (item, form)
        elif 'value="hgr_preservation"' in form:
            by_kind["licence"] = (item, form)
    assert set(by_kind) == {"continents", "institution_kind", "licence"}

    item, form = by_kind["institution_kind"]
    assert re.search(
        r'<option value="third_party_testing" selected>须有第三方公共检测机构参加</option>', form
    )
    assert '<option value="hospital">须有医院或医疗机构参加</option>' in form
    assert 'value="hgr_preservation" selected>须具备人类遗传资源保藏行政许可' in by_kind["licence"][1]
    item_c, form_c = by_kind["continents"]
    assert sorted(re.findall(r'value="(\w+)" checked', form_c)) == ["americas", "asia", "europe"]
    shown = "\n".join(visible_text(f) for f in forms.values())
    assert [c for c in ("third_party_testing", "hgr_preservation", "asia", "oceania") if c in shown] == []

    # a choice and ticked boxes are saved as the codes they stand for, and shown in words
    assert post_correction(client, draft, item=item, value="hospital", reason="原文为医院").status_code == 302
    response = post_correction(client, draft, item=item_c, value=["", "europe", "oceania"], reason="原文有误")
    assert response.status_code == 302
    saved = dict(GuideCorrection.objects.values_list("address", "value"))
    assert (saved[f"{item}.value"], saved[f"{item_c}.value"]) == ("hospital", ["europe", "oceania"])
    page = visible_text(client.get(f"{review_url(draft)}directions/2.1/").content.decode())
    assert ("须有医院或医疗机构参加" in page, "欧洲、大洋洲" in page) == (True, True)

    # no box ticked is an error on the boxes, and the form keeps what was sent
    html = post_correction(client, draft, item=item_c, value=[""], reason="r").content.decode()
    assert "此项不能为空" in html
    assert re.findall(r'value="(\w+)" checked', _partner_items(html)[item_c]) == []
