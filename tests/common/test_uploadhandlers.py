import pytest
from django.conf import settings as django_settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from django.urls import reverse

from common.uploadhandlers import RequestSizeLimitHandler
from proposals.models import DraftUpload
from tests.factories.proposals import make_user, upload

LIMIT = 10_000


def test_request_cap_is_one_upload_plus_the_form_fields():
    assert django_settings.MAX_REQUEST_BYTES == (
        django_settings.MAX_UPLOAD_BYTES + django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    assert django_settings.FILE_UPLOAD_HANDLERS[0] == "common.uploadhandlers.RequestSizeLimitHandler"


def _handler(settings, content_length: int) -> RequestSizeLimitHandler:
    settings.MAX_REQUEST_BYTES = LIMIT
    handler = RequestSizeLimitHandler()
    assert handler.handle_raw_input(None, {}, content_length, b"boundary") is None
    return handler


def test_declared_length_exactly_at_the_cap_is_let_through(settings):
    _handler(settings, LIMIT)


def test_declared_length_one_byte_over_the_cap_is_refused(settings):
    settings.MAX_REQUEST_BYTES = LIMIT
    with pytest.raises(RequestDataTooBig, match=f"Request body of {LIMIT + 1} bytes exceeds"):
        RequestSizeLimitHandler().handle_raw_input(None, {}, LIMIT + 1, b"boundary")


def test_received_bytes_exactly_at_the_cap_are_passed_on(settings):
    handler = _handler(settings, 0)  # a client that declared less than it sends
    assert handler.receive_data_chunk(b"x" * (LIMIT - 1), 0) == b"x" * (LIMIT - 1)
    assert handler.receive_data_chunk(b"x", LIMIT - 1) == b"x"


def test_received_bytes_one_over_the_cap_are_refused(settings):
    handler = _handler(settings, 0)
    handler.receive_data_chunk(b"x" * LIMIT, 0)
    with pytest.raises(RequestDataTooBig, match=f"Request body of {LIMIT + 1} bytes exceeds"):
        handler.receive_data_chunk(b"x", LIMIT)


class SpyHandler(FileUploadHandler):
    """Placed right after the cap: records every chunk that would reach the storing handlers."""

    chunks: list[int] = []

    def receive_data_chunk(self, raw_data, start):
        SpyHandler.chunks.append(len(raw_data))
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def spool(settings, tmp_path):
    """Every uploaded file goes to a temporary file in a folder of the test's own,
    behind a spy that sees what the storing handlers would get."""
    SpyHandler.chunks = []
    settings.FILE_UPLOAD_HANDLERS = [
        "common.uploadhandlers.RequestSizeLimitHandler",
        "tests.common.test_uploadhandlers.SpyHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    settings.MAX_REQUEST_BYTES = LIMIT
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "spool").mkdir()
    return tmp_path


def _files_under(path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_upload_over_the_request_cap_gets_the_413_page_and_stores_nothing(spool):
    client = Client(enforce_csrf_checks=True)  # the browser's path: the CSRF check would read the body
    client.force_login(make_user("alice"))
    client.get(reverse("proposals:upload"))  # sets the CSRF cookie, as the page does in a browser
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    content = b"%PDF-1.4\n" + b"x" * (2 * LIMIT)
    response = client.post(
        reverse("proposals:upload"), {"csrfmiddlewaretoken": token, "file": upload("big.pdf", content)}
    )
    assert (response.status_code, b'data-testid="too-large"' in response.content) == (413, True)
    assert SpyHandler.chunks == []  # no byte reached the temporary file
    assert _files_under(spool) == []
    assert DraftUpload.objects.count() == 0


@pytest.mark.django_db
def test_413_page_speaks_english_when_chosen(spool):
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(make_user("alice"))
    response = client.post(reverse("proposals:upload"), {"file": upload("big.pdf", b"x" * (2 * LIMIT))})
    assert response.status_code == 413
    assert b"Nothing was saved" in response.content


@pytest.mark.django_db
def test_upload_under_the_request_cap_reaches_the_form(spool):
    client = Client()
    client.force_login(make_user("alice"))
    response = client.post(reverse("proposals:upload"), {"file": upload("note.txt", b"plain text")})
    assert response.status_code == 400  # refused by the form (not a PDF/DOCX), not by the cap
    assert SpyHandler.chunks == [len(b"plain text")]
    assert response.context["form"].errors["file"] == [
        "仅支持 PDF 或 Word（.docx）文件；文件类型按内容判断，与扩展名无关。"
    ]
