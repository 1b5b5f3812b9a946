"""A guide file uploaded while the media storage cannot take it gets the clear 503 page and leaves
no file, no version and no queued reading behind; the same upload works once there is room."""

import errno
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import common.files
from common.models import AuditEntry, OutboxMessage
from guide.models import GuideVersion
from tests.common.test_files import fail_after_8_kb, files_under
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"


def test_a_guide_upload_the_storage_cannot_take_is_a_clear_503_and_leaves_nothing(
    client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(make_user(role="officer"))
    before = files_under(settings.MEDIA_ROOT)
    counts = (AuditEntry.objects.count(), OutboxMessage.objects.count())
    monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(errno.ENOSPC))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("guide:upload"), {"file": SimpleUploadedFile("2022.txt", GUIDE_2022.read_bytes())}
        )
    html = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "60")
    assert 'data-testid="error-file-not-saved"' in html
    assert "文件暂时无法保存，请稍后再试。" in html
    assert f'href="{reverse("guide:upload")}"' in html
    assert (GuideVersion.objects.count(), AuditEntry.objects.count(), OutboxMessage.objects.count()) == (
        0,
        *counts,
    )
    assert (callbacks, files_under(settings.MEDIA_ROOT)) == ([], before)

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("guide:upload"), {"file": SimpleUploadedFile("2022.txt", GUIDE_2022.read_bytes())}
        )
    version = GuideVersion.objects.get()
    assert response.status_code == 302
    assert files_under(settings.MEDIA_ROOT) == sorted([*before, version.file.name])
