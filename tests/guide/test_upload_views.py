"""The guide upload page and the reading's progress page (guide.views.uploads): who may, what they show."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guide.models import GuideVersion
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"
UPLOAD = reverse("guide:upload")


def signed_in(client, role: str):
    user = make_user(role=role)
    client.force_login(user)
    return user


def version_row(status: str, **fields) -> GuideVersion:
    version = GuideVersion(status=status, source_name="指南.pdf", kind="pdf", size=2048, **fields)
    version.file.save("f", ContentFile(b"%PDF-1.4"), save=False)
    version.save()
    return version


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    version = version_row("queued")
    for url in (UPLOAD, reverse("guide:upload_status", args=[version.pk])):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url}")


def test_applicants_get_403_on_both_pages(client):
    version = version_row("queued")
    signed_in(client, "applicant")
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": SimpleUploadedFile("g.txt", b"x")}).status_code == 403
    assert client.get(reverse("guide:upload_status", args=[version.pk])).status_code == 403
    assert GuideVersion.objects.count() == 1


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_see_the_upload_form(client, role):
    signed_in(client, role)
    response = client.get(UPLOAD)
    assert response.status_code == 200
    assert response.templates[0].name == "guide/upload.html"
    assert b'enctype="multipart/form-data"' in response.content


def test_upload_stores_a_version_and_sends_to_its_progress_page(client, django_capture_on_commit_callbacks):
    officer = signed_in(client, "officer")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(UPLOAD, {"file": SimpleUploadedFile("2022.txt", GUIDE_2022.read_bytes())})
    version = GuideVersion.objects.get()
    assert (response.status_code, response.url) == (302, reverse("guide:upload_status", args=[version.pk]))
    assert (version.status, version.created_by, version.source_name) == ("queued", officer, "2022.txt")
    page = client.get(response.url)
    assert page.context["waiting"] is True
    assert b'<meta http-equiv="refresh" content="3">' in page.content
    assert "排队等待读取" in page.content.decode()


def test_refused_upload_shows_why_with_400_and_stores_nothing(client):
    signed_in(client, "officer")
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" * 4)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "file": ["这是旧版 Word（.doc）文件，请另存为 .docx 或 PDF 后上传。"]
    }
    assert GuideVersion.objects.count() == 0


def test_upload_without_a_file_is_a_form_error(client):
    signed_in(client, "officer")
    response = client.post(UPLOAD, {})
    assert (response.status_code, list(response.context["form"].errors)) == (400, ["file"])


def test_upload_read_at_once_eagerly_shows_the_read_version(client, django_capture_on_commit_callbacks):
    signed_in(client, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"file": SimpleUploadedFile("2022.txt", GUIDE_2022.read_bytes())})
    page = client.get(response.url)
    assert (page.context["version"].status, page.context["waiting"]) == ("draft", False)
    assert b"http-equiv" not in page.content
    assert "已读取为 2022 v1（待审核草稿）。" in page.content.decode()


def test_failed_reading_shows_the_headline_in_chinese_and_the_readers_own_line_only_in_english(client):
    version = version_row("failed", error="encrypted: 指南.pdf is an encrypted PDF that needs a password")
    signed_in(client, "officer")
    page = client.get(reverse("guide:upload_status", args=[version.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        '<strong data-testid="reading-error-headline">文件已加密（有密码保护），请去除密码后重新上传。</strong>'
        in html
    )
    assert ("reading-error-detail" in html, "encrypted PDF" in html) == (False, False)
    assert 'data-testid="guide-upload-form"' in html
    assert "http-equiv" not in html
    client.cookies["django_language"] = "en"
    english = client.get(reverse("guide:upload_status", args=[version.pk])).content.decode()
    assert (
        '<p class="small" data-testid="reading-error-detail">'
        "The reader said: 指南.pdf is an encrypted PDF that needs a password</p>"
    ) in english


def test_unknown_version_is_404(client):
    signed_in(client, "officer")
    assert client.get(reverse("guide:upload_status", args=[424242])).status_code == 404


def test_progress_page_in_english(client):
    version = version_row("reading")
    signed_in(client, "officer")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("guide:upload_status", args=[version.pk]))
    assert "<h1>Reading the guide file</h1>" in page.content.decode()


def test_a_read_version_links_to_its_review_page(client):
    version = version_row("draft", year=2022, number=3)
    signed_in(client, "officer")
    html = client.get(reverse("guide:upload_status", args=[version.pk])).content.decode()
    review = reverse("guide:version_review", args=[version.pk])
    assert f'<a class="button" href="{review}" data-testid="review-link">审核这个版本</a>' in html
    assert "已读取为 2022 v3（待审核草稿）。" in html


def test_the_versions_list_says_a_failed_reading_in_words_not_its_code(client):
    version_row("failed", error="scanned: scan.pdf has no text layer: OCR is not supported")
    signed_in(client, "officer")
    html = client.get(reverse("guide:versions")).content.decode()
    assert (
        '<div class="small error" data-testid="reading-error">没有文字层：这是扫描件或纯图片 PDF，不支持文字识别（OCR）。</div>'
        in html
    )
    assert ("scanned:" in html, "OCR is not supported" in html) == (False, False)
