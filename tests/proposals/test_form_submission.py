"""The proposal form keeps and never duplicates work: posting the new form again never makes a
second draft, every problem is reported on the first try with a summary linking to each field,
what was typed stays, dates are typed as text in the ways people write them, a digits-only ID
number of the wrong length needs a nationality, 指南方向 is a choice of the published directions,
and a GET on a change URL goes to its page."""

import re
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from proposals.forms import MemberForm, PIForm, ProposalForms
from proposals.models import Attachment, DraftUpload, Proposal
from tests.factories.proposals import complete_data, make_proposal, make_user
from tests.proposals.test_views import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    user = make_user("keeper")
    client.force_login(user)
    return user


def new_form(client) -> tuple[ProposalForms, str]:
    response = client.get(reverse("proposals:create"))
    key = re.search(r'name="submission_key" value="([^"]+)"', response.content.decode()).group(1)
    return response.context["forms"], key


# --- never a second draft ----------------------------------------------------------


def test_posting_the_new_form_twice_makes_one_draft(client, applicant):
    """保存并提交 with problems, then the browser posts the same form again (back, resend)."""
    forms, key = new_form(client)
    data = post_data(forms, title="同一个项目", submission_key=key, action="submit")
    first = client.post(reverse("proposals:create"), data)
    proposal = Proposal.objects.get(owner=applicant)
    assert first["Location"] == f"/proposals/{proposal.pk}/edit/?check=submit#error-summary"
    second = client.post(reverse("proposals:create"), {**data, "title": "同一个项目（改）"})
    assert second["Location"] == f"/proposals/{proposal.pk}/edit/?check=submit#error-summary"
    assert list(Proposal.objects.filter(owner=applicant).values_list("pk", "title")) == [
        (proposal.pk, "同一个项目（改）")
    ]


def test_a_new_form_opened_again_makes_a_new_draft(client, applicant):
    for title in ("第一份", "第二份"):
        forms, key = new_form(client)
        client.post(
            reverse("proposals:create"), post_data(forms, title=title, submission_key=key, action="save")
        )
    assert sorted(Proposal.objects.filter(owner=applicant).values_list("title", flat=True)) == [
        "第一份",
        "第二份",
    ]


def test_posting_the_new_form_again_after_submitting_changes_nothing(client, applicant, settings):
    settings.SUBMIT_WARNINGS = ""
    forms, key = new_form(client)
    proposal = make_proposal(owner=applicant)  # complete: it can be submitted
    session = client.session
    session["proposal_submissions"] = {key: proposal.pk}
    session.save()
    client.post(reverse("proposals:submit", args=[proposal.pk]))
    response = client.post(
        reverse("proposals:create"), post_data(forms, title="再来一次", submission_key=key)
    )
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert list(Proposal.objects.filter(owner=applicant).values_list("title", "state")) == [
        (complete_data().title, "submitted")
    ]


def test_a_key_of_another_account_is_never_theirs_to_change(client, applicant):
    other = make_proposal(owner=make_user("other-owner"))
    forms, key = new_form(client)
    session = client.session
    session["proposal_submissions"] = {key: other.pk}
    session.save()
    client.post(
        reverse("proposals:create"), post_data(forms, title="我的", submission_key=key, action="save")
    )
    assert Proposal.objects.get(pk=other.pk).title == complete_data().title
    assert list(Proposal.objects.filter(owner=applicant).values_list("title", flat=True)) == ["我的"]


# --- every problem at once -------------------------------------------------------------


def test_every_problem_is_reported_on_the_first_try_with_a_summary(client, applicant):
    forms, key = new_form(client)
    data = post_data(
        forms,
        title="一个项目",
        start_date="明年",
        **{"pi-id_number": "11010519491231002", "pi-name": "张三", "pi-nationality": "中国"},
        submission_key=key,
        action="submit",
    )
    response = client.post(reverse("proposals:create"), data)
    assert response.status_code == 200
    assert Proposal.objects.count() == 0  # nothing is saved while a value cannot be stored
    summary = [(e.anchor, e.message) for e in response.context["forms"].error_summary()]
    assert ("field-units", "至少填写一个单位（申报单位）。") in summary
    assert ("field-start_date", "输入一个有效的日期。") in summary
    assert ("field-pi.id_number", "身份证号码应为 18 位。") in summary
    # a refused value is not also "required"
    assert [m for a, m in summary if a == "field-start_date"] == ["输入一个有效的日期。"]
    html = response.content.decode()
    assert html.count('data-testid="error-summary"') == 1
    assert html.count('<a href="#field-pi.id_number">项目负责人 · 证件号码：身份证号码应为 18 位。</a>') == 1
    assert html.count('<a href="#field-units">单位：至少填写一个单位（申报单位）。</a>') == 1
    assert html.count('value="明年"') == 1
    assert html.count('value="一个项目"') == 1


def test_save_without_submitting_reports_only_what_cannot_be_stored(client, applicant):
    forms, key = new_form(client)
    data = post_data(forms, title="一个项目", start_date="明年", submission_key=key, action="save")
    response = client.post(reverse("proposals:create"), data)
    assert [(e.anchor, e.message) for e in response.context["forms"].error_summary()] == [
        ("field-start_date", "输入一个有效的日期。")
    ]


@pytest.mark.parametrize(
    "typed", ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", "20240301", "２０２４－０３－０１"]
)
def test_dates_are_read_as_people_write_them(client, applicant, typed):
    forms, key = new_form(client)
    data = post_data(forms, title="日期", start_date=typed, submission_key=key, action="save")
    assert client.post(reverse("proposals:create"), data).status_code == 302
    assert Proposal.objects.get(owner=applicant).start_date == date(2024, 3, 1)


def test_dates_are_text_fields_with_their_format_shown(client, applicant):
    html = client.get(reverse("proposals:create")).content.decode()
    field = re.search(r'<input[^>]*name="start_date"[^>]*>', html).group(0)
    assert 'type="text"' in field
    assert 'placeholder="YYYY-MM-DD"' in field
    assert html.count('type="date"') == 0


# --- ID numbers without a nationality --------------------------------------------------


def test_a_13_digit_member_id_without_nationality_is_refused_with_a_clear_message():
    form = MemberForm({"name": "李四", "id_number": "1234567890123"})
    assert form.is_valid() is False
    assert form.errors["id_number"] == [
        "证件号码为 13 位数字：居民身份证号码应为 18 位；如是外国证件（护照等），请同时填写国籍/地区。"
    ]


def test_a_13_digit_id_with_a_foreign_nationality_is_a_passport():
    assert MemberForm({"name": "Lee", "id_number": "1234567890123", "nationality": "德国"}).is_valid() is True


def test_an_18_character_id_or_a_letter_passport_without_nationality_is_accepted_by_the_form():
    assert MemberForm({"id_number": "11010519491231002X"}).is_valid() is True
    assert MemberForm({"id_number": "E12345678"}).is_valid() is True
    assert PIForm({"id_number": "123456789012"}).errors["id_number"] == [
        "证件号码为 12 位数字：居民身份证号码应为 18 位；如是外国证件（护照等），请同时填写国籍/地区。"
    ]


def test_the_id_message_in_english(client, applicant):
    client.cookies["django_language"] = "en"
    forms, key = new_form(client)
    data = post_data(
        forms, **{"members-0-id_number": "1234567890123", "members-0-name": "Li"}, submission_key=key
    )
    response = client.post(reverse("proposals:create"), data)
    assert response.context["forms"].members.forms[0].errors["id_number"] == [
        "The ID number has 13 digits: a resident ID number has 18; for a foreign document (a passport …), "
        "also fill in the nationality."
    ]


# --- 指南方向 -----------------------------------------------------------------------------


def test_the_direction_is_a_choice_of_the_published_directions_with_titles(client, applicant, guide2022):
    from guide.models import Direction

    response = client.get(reverse("proposals:create"))
    html = response.content.decode()
    select = re.search(r'<select name="direction"[^>]*>(.*?)</select>', html, re.S).group(1)
    codes = re.findall(r'<option value="([^"]*)"', select)
    expected = list(
        Direction.objects.filter(guide__year=2022).order_by("position").values_list("code", flat=True)
    )
    assert codes == ["", *expected]
    first = Direction.objects.filter(guide__year=2022).order_by("position").first()
    assert f'<option value="{first.code}">{first.code} {first.title}</option>' in select


def test_the_directions_offered_follow_the_guide_as_soon_as_it_is_saved_again(client, applicant, guide2022):
    """A process keeps the directions it read while the guide row is unchanged (one query a form
    page); publishing saves that row, and the next page offers the directions as published."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guide.models import Direction
    from proposals.selectors import direction_choices, direction_codes

    def select() -> str:
        html = client.get(reverse("proposals:create")).content.decode()
        return re.search(r'<select name="direction"[^>]*>(.*?)</select>', html, re.S).group(1)

    first = Direction.objects.filter(guide__year=2022).order_by("position").first()
    assert f"{first.code} {first.title}</option>" in select()
    with CaptureQueriesContext(connection) as ctx:
        assert (first.code, first.title) in direction_choices(year=2022)
        assert first.code in direction_codes(year=2022)
    assert len(ctx.captured_queries) == 2  # the guide row's state, once each; the directions kept

    Direction.objects.filter(pk=first.pk).update(title="改名后的方向")
    guide2022.save()  # as publishing a version does
    assert f"{first.code} 改名后的方向</option>" in select()
    assert direction_codes(year=2099) is None and direction_choices(year=2099) == []


def test_a_stored_direction_not_in_the_guide_stays_an_option(client, applicant, guide2022):
    proposal = make_proposal(owner=applicant, data=complete_data(guide_year=2022, direction="99.9"))
    html = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    select = re.search(r'<select name="direction"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert '<option value="99.9" selected>99.9（2022 年度指南中没有这个方向）</option>' in select


def test_without_a_published_guide_the_direction_is_typed(client, applicant):
    html = client.get(reverse("proposals:create")).content.decode()
    assert re.search(r'<input type="text" name="direction"', html) is not None


# --- GET on change URLs ------------------------------------------------------------------


def test_a_get_on_a_change_url_goes_to_the_page_it_belongs_to(client, applicant):
    proposal = make_proposal(owner=applicant)
    attachment = Attachment.objects.create(proposal=proposal, kind="cooperation_agreement")
    upload = DraftUpload.objects.create(
        owner=applicant, original_name="d.pdf", file=ContentFile(b"%PDF", "d.pdf")
    )
    detail = f"/proposals/{proposal.pk}/"
    for url, page in [
        (f"/proposals/{proposal.pk}/submit/", detail),
        (f"/proposals/{proposal.pk}/reopen/", detail),
        (f"/proposals/{proposal.pk}/attachments/", detail),
        (f"/proposals/{proposal.pk}/attachments/{attachment.pk}/delete/", detail),
        (f"/proposals/uploads/{upload.pk}/discard/", f"/proposals/uploads/{upload.pk}/"),
    ]:
        response = client.get(url)
        assert (url, response.status_code, response["Location"]) == (url, 302, page)
    assert client.put(f"/proposals/{proposal.pk}/submit/").status_code == 405
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"
    assert Attachment.objects.filter(pk=attachment.pk).count() == 1
    assert DraftUpload.objects.filter(pk=upload.pk).count() == 1
