"""A cap on the size of a multipart request body, applied before any of it is stored.

Django streams a multipart body through the upload handlers in FILE_UPLOAD_HANDLERS:
files over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, whatever their size,
and only the form says "too large" afterwards. :class:`RequestSizeLimitHandler`
comes first in that list and refuses a body larger than ``settings.MAX_REQUEST_BYTES``:

- when the declared Content-Length is over the cap, before a single byte is read;
- when the file bytes received go over it (a client whose Content-Length is wrong:
  Django never reads past Content-Length, so this is a second line only).

It raises :class:`~django.core.exceptions.RequestDataTooBig`, the exception Django
itself raises for DATA_UPLOAD_MAX_MEMORY_SIZE: Django answers 400 with the 400 page
(no 500, no reset connection), logs it on ``django.security.RequestDataTooBig``, and
the temporary files of the later handlers are closed (and so deleted). Raising
before the later handlers see a chunk means nothing is written to the temp dir at
all, and nothing reaches MEDIA_ROOT since the view never runs.

Non-multipart bodies (url-encoded forms, JSON) are read whole by ``request.body`` and
capped by DATA_UPLOAD_MAX_MEMORY_SIZE already. The reverse proxy must cap the body
too (nginx ``client_max_body_size``), so a slow 200 MB upload never ties up a worker.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


def _too_big(size: int, limit: int) -> RequestDataTooBig:
    return RequestDataTooBig(
        f"Request body of {size} bytes exceeds settings.MAX_REQUEST_BYTES ({limit} bytes)."
    )


class RequestSizeLimitHandler(FileUploadHandler):
    """Refuses a multipart body over ``settings.MAX_REQUEST_BYTES``; stores nothing itself."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.MAX_REQUEST_BYTES
        self.received = 0
        if content_length > self.limit:
            raise _too_big(content_length, self.limit)
        return None  # within the cap: let the parser and the next handlers do their work

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise _too_big(self.received, self.limit)
        return raw_data  # passed on to the next handler

    def file_complete(self, file_size):
        return None  # the next handlers make the file
