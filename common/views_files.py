"""The page a view answers when the media storage could not take an uploaded file
(common.files.FileNotSaved): 503 with the reason and a way back, never a traceback."""

from django.shortcuts import render

from .files import FileNotSaved

RETRY_AFTER_SECONDS = 60


def file_not_saved_page(request, *, back: str = ""):
    """503: the file was not kept (nothing was stored, no row written); ``back`` is the page
    to try again from."""
    response = render(
        request,
        "file_not_saved.html",
        {"message": FileNotSaved.message, "back": back},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
