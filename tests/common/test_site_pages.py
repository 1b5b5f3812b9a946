"""Small inconsistencies: one rule for 403 and 404 with the site's own error pages,
the styled sign-up page, the latest result beside 已预审 on the list, and discarding
a pending upload."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.views import defaults

from common.models import AuditEntry
from proposals.models import DraftUpload, Proposal
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db


CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def registries(guide2022, all_registries_empty):
    """The 2022 guide and every registry loaded."""


def screened_proposals(owner, n: int, django_capture_on_commit_callbacks) -> list[Proposal]:
    from screening import services
    from tests.factories.screening_db import make_proposal

    made = []
    for i in range(n):
        # every other proposal has a PI born too early (fail); the others pass or warn
        birth = date(1961, 12, 31) if i % 2 == 0 else date(1975, 5, 4)
        proposal = make_proposal(owner=owner, pi_birth=birth, pi_id=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.screening_request(proposal=proposal)
        made.append(proposal)
    return made


# --- 403 and 404 -----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/proposals/new/", "/screening/registries/"])
def test_officer_gets_the_sites_403_page_on_pages_of_another_role(client, url):
    client.force_login(make_user("olga", role="officer"))
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-403"' in html
    assert '<header class="topbar">' in html
    assert "<h1>没有权限 <span" in html


def test_applicant_gets_403_on_the_registries_page_in_english(client):
    en(client).force_login(make_user("alice"))
    response = client.get("/screening/registries/")
    assert response.status_code == 403
    assert "<h1>Permission denied <span" in response.content.decode()


def test_another_applicants_proposal_is_the_sites_404_page(client, registries):
    from tests.factories.screening_db import make_proposal

    proposal = make_proposal(owner=make_user("alice"))
    client.force_login(make_user("bob"))
    response = client.get(f"/proposals/{proposal.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert ('data-testid="error-404"' in html, '<header class="topbar">' in html) == (True, True)
    assert "<h1>页面不存在 <span" in html


def test_404_page_in_english(client):
    response = en(client).get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found <span" in response.content.decode()


@pytest.mark.parametrize(("lang", "heading"), [("zh-hans", "服务器出错"), ("en", "Server error")])
def test_500_page_renders_without_a_request_context_in_both_languages(lang, heading):
    with translation.override(lang):
        html = render_to_string("500.html")
        response = defaults.server_error(RequestFactory().get("/"))
    assert f"<h1>{heading} <span" in html
    assert response.status_code == 500
    assert f"<h1>{heading} <span" in response.content.decode()
    assert "/static/css/app.css" in html


def test_400_page_has_the_sites_look(rf):
    request = rf.get("/")
    request.user = make_user("alice")
    response = defaults.bad_request(request, Exception())
    assert response.status_code == 400
    assert 'data-testid="error-400"' in response.content.decode()


# --- sign-up and CSS -------------------------------------------------------------


def test_signup_page_renders_each_field_with_its_label_in_a_styled_form(client):
    html = client.get("/proposals/signup/").content.decode()
    assert 'class="form narrow stacked" data-testid="signup-form"' in html
    assert html.count('<div class="field">') == 4
    assert '<label for="id_username">' in html and '<label for="id_email">' in html


def test_css_keeps_badges_on_one_line_and_gives_identifier_inputs_room_for_18_characters():
    css = CSS.read_text()
    assert ".badge, .state, .tag, .nowrap, .mainnav a" in css
    assert 'input[name$="credit_code"], input[name$="id_number"] { min-width:calc(19ch + 18px);' in css


# --- the list shows the result beside 已预审 ---------------------------------------


def test_applicant_list_shows_the_latest_runs_overall_beside_the_state(
    client, registries, django_capture_on_commit_callbacks
):
    owner = make_user("alice")
    failing, passing = screened_proposals(owner, 2, django_capture_on_commit_callbacks)
    client.force_login(owner)
    html = client.get("/proposals/").content.decode()
    assert (
        f'data-testid="overall-{failing.reference}"><span class="badge badge-fail" data-status="fail">'
        in html
    )
    overall = passing.screening_runs.get().overall
    assert overall in ("pass", "warn")
    assert f'data-testid="overall-{passing.reference}"><span class="badge badge-{overall}"' in html


def test_list_shows_no_result_for_a_draft_never_screened(client):
    from tests.factories.proposals import make_proposal

    owner = make_user("alice")
    proposal = make_proposal(owner=owner)
    client.force_login(owner)
    html = client.get("/proposals/").content.decode()
    assert f'data-testid="overall-{proposal.reference}"' not in html


def test_list_query_count_is_the_same_for_one_and_four_screened_proposals(
    client, registries, django_capture_on_commit_callbacks
):
    owner = make_user("alice")
    client.force_login(owner)
    screened_proposals(owner, 1, django_capture_on_commit_callbacks)
    client.get("/proposals/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/proposals/").status_code == 200
    screened_proposals(owner, 3, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as four:
        html = client.get("/proposals/").content.decode()
    assert html.count('data-testid="overall-') == 4
    assert len(four) == len(one)


# --- discarding an upload --------------------------------------------------------


def pending_upload(owner) -> DraftUpload:
    upload = DraftUpload.objects.create(owner=owner, original_name="d.docx", kind="docx", state="queued")
    upload.file.save("d", ContentFile(b"PK\x03\x04 not read yet"))
    return upload


def test_owner_discards_a_pending_upload_file_row_and_audit(client, django_capture_on_commit_callbacks):
    owner = make_user("alice")
    upload = pending_upload(owner)
    storage, name = upload.file.storage, upload.file.name
    client.force_login(owner)
    page = client.get(f"/proposals/uploads/{upload.pk}/").content.decode()
    assert (
        f'action="/proposals/uploads/{upload.pk}/discard/" class="inline" data-testid="upload-discard"'
        in page
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/proposals/uploads/{upload.pk}/discard/")
    assert (response.status_code, response["Location"]) == (302, "/proposals/")
    assert DraftUpload.objects.filter(pk=upload.pk).exists() is False
    assert storage.exists(name) is False
    entry = AuditEntry.objects.get(action="upload.discarded")
    assert (entry.actor, entry.target_id, entry.data["name"]) == (owner, str(upload.pk), "d.docx")


def test_discard_is_post_only_a_get_goes_to_the_upload_and_other_applicants_get_404(client):
    upload = pending_upload(make_user("alice"))
    client.force_login(make_user("bob"))
    assert client.post(f"/proposals/uploads/{upload.pk}/discard/").status_code == 404
    client.force_login(upload.owner)
    response = client.get(f"/proposals/uploads/{upload.pk}/discard/")
    assert (response.status_code, response.url) == (302, f"/proposals/uploads/{upload.pk}/")
    assert DraftUpload.objects.filter(pk=upload.pk).count() == 1


def test_a_confirmed_upload_is_not_discarded_and_keeps_its_file():
    from proposals import services
    from tests.factories.proposals import make_proposal

    owner = make_user("alice")
    upload = pending_upload(owner)
    DraftUpload.objects.filter(pk=upload.pk).update(proposal=make_proposal(owner=owner))
    assert services.draft_upload_discard(upload=upload, by=owner) is False
    assert DraftUpload.objects.filter(pk=upload.pk).count() == 1
    assert upload.file.storage.exists(upload.file.name) is True
