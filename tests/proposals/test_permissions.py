"""Who may reach which URL. Another applicant's proposal, file or upload is a 404
(indistinguishable from one that does not exist); officers read everything and
change nothing (403: they know the proposal exists); anonymous users are sent
to the login page."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from proposals.docgen import build_docx
from proposals.models import Attachment, DraftUpload, Proposal
from proposals.services import draft_extract
from tests.factories.proposals import (
    PNG_BYTES,
    complete_data,
    make_attachment,
    make_proposal,
    make_user,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned():
    """Alice's draft with a recommendation letter, her submitted proposal, and her
    uploaded (read, not yet confirmed) draft."""
    alice = make_user("alice")
    draft = make_proposal(owner=alice, data=complete_data(reference="SQ-DRAFT"))
    submitted = make_proposal(owner=alice, data=complete_data(reference="SQ-SUB"), state="submitted")
    attachment = make_attachment(draft)
    pending = DraftUpload.objects.create(owner=alice, original_name="d.docx", kind="docx")
    pending.file.save("d", ContentFile(build_docx(complete_data())))
    draft_extract(upload_id=pending.pk)
    return {
        "alice": alice,
        "draft": draft,
        "submitted": submitted,
        "attachment": attachment,
        "upload": pending,
    }


def object_urls(o) -> list[tuple[str, str, dict]]:
    """(method, url, data) for every URL of Alice's objects."""
    d, s, a, u = o["draft"].pk, o["submitted"].pk, o["attachment"].pk, o["upload"].pk
    return [
        ("get", f"/proposals/{d}/", {}),
        ("get", f"/proposals/{d}/edit/", {}),
        ("post", f"/proposals/{d}/edit/", {"title": "hijacked", "action": "save"}),
        ("post", f"/proposals/{d}/submit/", {}),
        ("post", f"/proposals/{s}/reopen/", {}),
        ("get", f"/proposals/{d}/delete/", {}),
        ("post", f"/proposals/{d}/delete/", {}),
        (
            "post",
            f"/proposals/{d}/attachments/",
            {"kind": "employment_proof", "file": upload("p.png", PNG_BYTES)},
        ),
        ("get", f"/proposals/{d}/attachments/{a}/", {}),
        ("post", f"/proposals/{d}/attachments/{a}/delete/", {}),
        ("get", f"/proposals/uploads/{u}/", {}),
        ("post", f"/proposals/uploads/{u}/", {"title": "hijacked", "action": "save"}),
    ]


def unchanged(o) -> tuple:
    draft = Proposal.objects.get(pk=o["draft"].pk)
    return (
        draft.title,
        draft.state,
        Proposal.objects.get(pk=o["submitted"].pk).state,
        Attachment.objects.filter(proposal=draft).count(),
        Proposal.objects.count(),
        DraftUpload.objects.get(pk=o["upload"].pk).proposal_id,
    )


BEFORE = ("面向碳中和的电解水制氢国际合作研究", "draft", "submitted", 1, 2, None)


def test_another_applicant_gets_404_on_every_url_and_changes_nothing(client, owned):
    client.force_login(make_user("mallory"))
    statuses = [getattr(client, method)(url, data).status_code for method, url, data in object_urls(owned)]
    assert statuses == [404] * 12
    assert unchanged(owned) == BEFORE


def test_another_applicant_gets_404_for_an_attachment_under_their_own_proposal_id(client, owned):
    mallory = make_user("mallory")
    own = make_proposal(owner=mallory, data=complete_data(reference="SQ-M"))
    client.force_login(mallory)
    url = f"/proposals/{own.pk}/attachments/{owned['attachment'].pk}/"
    assert client.get(url).status_code == 404


def test_another_applicant_does_not_see_the_proposal_in_their_list(client, owned):
    client.force_login(make_user("mallory"))
    assert list(client.get(reverse("proposals:list")).context["page"]) == []


def test_officer_reads_proposal_and_files(client, owned):
    client.force_login(make_user("olga", role="officer"))
    d, a = owned["draft"].pk, owned["attachment"].pk
    assert client.get(f"/proposals/{d}/").status_code == 200
    assert client.get(f"/proposals/{d}/attachments/{a}/").status_code == 200
    assert {p.reference for p in client.get(reverse("proposals:list")).context["page"]} == {
        "SQ-DRAFT",
        "SQ-SUB",
    }


def test_officer_gets_403_on_every_change_and_404_on_applicants_uploads(client, owned):
    client.force_login(make_user("olga", role="officer"))
    statuses = [getattr(client, method)(url, data).status_code for method, url, data in object_urls(owned)]
    assert statuses == [200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 404]
    assert unchanged(owned) == BEFORE


def test_officer_cannot_create_or_upload_proposals(client):
    client.force_login(make_user("olga", role="officer"))
    assert client.get(reverse("proposals:create")).status_code == 403
    assert client.get(reverse("proposals:upload")).status_code == 403


def test_officer_detail_page_offers_no_edit_buttons(client, owned):
    client.force_login(make_user("olga", role="officer"))
    html = client.get(f"/proposals/{owned['draft'].pk}/").content.decode()
    assert ('data-testid="edit"' in html, 'data-testid="attachment-form"' in html) == (False, False)


def test_applicant_gets_403_on_the_import_page(client):
    client.force_login(make_user("alice"))
    assert client.get(reverse("proposals:import")).status_code == 403


def test_admin_may_edit_an_applicants_draft(client, owned):
    client.force_login(make_user("root", role="admin"))
    assert client.get(f"/proposals/{owned['draft'].pk}/edit/").status_code == 200


def test_anonymous_is_redirected_to_login_everywhere(client, owned):
    urls = [("get", "/proposals/", {}), ("get", "/proposals/new/", {}), ("get", "/proposals/upload/", {})]
    urls += [("get", "/proposals/import/", {}), ("get", "/proposals/template.docx", {})]
    urls += object_urls(owned)
    responses = [getattr(client, method)(url, data) for method, url, data in urls]
    assert [r.status_code for r in responses] == [302] * len(urls)
    assert [r["Location"].split("?")[0] for r in responses] == ["/accounts/login/"] * len(urls)
    assert unchanged(owned) == BEFORE
