"""A draft or an attachment uploaded while the media storage cannot take it (full: ENOSPC after
8 KB, as a full disk answers; read-only: EROFS) gets the clear 503 page, and nothing is left
behind: no file, no row, no audit entry, no queued task. The same upload works once there is room.
The real fault (a full and a read-only filesystem under the real server) is tests/faults/test_media.py."""

import errno

import pytest
from django.urls import reverse

import common.files
from common.models import AuditEntry, OutboxMessage
from proposals.docgen import build_docx
from proposals.models import Attachment, DraftUpload
from tests.common.test_files import fail_after_8_kb, files_under
from tests.factories.proposals import complete_data, make_proposal, make_user, pdf_bytes, upload

pytestmark = pytest.mark.django_db

MESSAGE = "文件暂时无法保存，请稍后再试。这次上传的内容没有保存，之前保存的数据不受影响。"


@pytest.fixture
def applicant(client):
    user = make_user("file-writer")
    client.force_login(user)
    return user


def assert_clear_503(response, *, back: str) -> None:
    html = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "60")
    assert [t.name for t in response.templates][:2] == ["file_not_saved.html", "base.html"]
    assert 'data-testid="error-file-not-saved"' in html
    assert MESSAGE in html
    assert f'href="{back}"' in html
    assert "Traceback" not in html


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_a_draft_upload_the_storage_cannot_take_is_a_clear_503_and_leaves_nothing(
    client, applicant, settings, monkeypatch, django_capture_on_commit_callbacks, error
):
    before = files_under(settings.MEDIA_ROOT)
    audits, outbox = AuditEntry.objects.count(), OutboxMessage.objects.count()
    monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(error))
    content = build_docx(complete_data())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("proposals:upload"), {"file": upload("草稿.docx", content)})
    assert_clear_503(response, back=reverse("proposals:upload"))
    assert (DraftUpload.objects.count(), AuditEntry.objects.count(), OutboxMessage.objects.count()) == (
        0,
        audits,
        outbox,
    )
    assert (callbacks, files_under(settings.MEDIA_ROOT)) == ([], before)

    monkeypatch.undo()  # room again: the same upload is stored
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("proposals:upload"), {"file": upload("草稿.docx", content)})
    stored = DraftUpload.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/proposals/uploads/{stored.pk}/")
    assert stored.file.read() == content
    assert files_under(settings.MEDIA_ROOT) == sorted([*before, stored.file.name])


def test_the_page_speaks_english_when_chosen(client, applicant, monkeypatch):
    monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(errno.ENOSPC))
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("proposals:upload"), {"file": upload("d.docx", build_docx(complete_data()))}
    )
    html = response.content.decode()
    assert response.status_code == 503
    assert "The file cannot be saved right now" in html
    assert MESSAGE not in html


def test_an_attachment_the_storage_cannot_take_is_a_clear_503_and_leaves_nothing(
    client, applicant, settings, monkeypatch
):
    proposal = make_proposal(owner=applicant)
    updated_at = proposal.updated_at
    before = files_under(settings.MEDIA_ROOT)
    audits = AuditEntry.objects.count()
    monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(errno.ENOSPC))
    url = reverse("proposals:attachment_upload", args=[proposal.pk])
    data = {"kind": "recommendation_letter", "file": upload("推荐函.pdf", pdf_bytes())}
    response = client.post(url, data)
    assert_clear_503(response, back=reverse("proposals:detail", args=[proposal.pk]))
    assert (
        Attachment.objects.filter(proposal=proposal, file__gt="").count(),
        AuditEntry.objects.count(),
    ) == (
        0,
        audits,
    )
    proposal.refresh_from_db()
    assert proposal.updated_at == updated_at
    assert files_under(settings.MEDIA_ROOT) == before

    monkeypatch.undo()
    response = client.post(url, {"kind": "recommendation_letter", "file": upload("推荐函.pdf", pdf_bytes())})
    assert response.status_code == 302
    assert files_under(settings.MEDIA_ROOT) == sorted([*before, proposal.attachments.get().file.name])
