"""Uploading a guide file in the browser (officers and admins) and following its reading.

Anonymous visitors are sent to the login page; signed-in users without the officer or admin
role get 403. A version id that does not exist is a 404."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.files import FileNotSaved
from common.roles import officer_required
from common.selectors import jobs_waiting_for_service
from common.views_files import file_not_saved_page

from .. import selectors
from ..forms_upload import GuideUploadForm
from ..models import GuideVersion
from ..services.reading import GuideUploadRejected, guide_upload_create, reading_error, reading_stalled


def _context(form: GuideUploadForm) -> dict:
    return {"form": form, "max_upload": settings.MAX_UPLOAD_BYTES}


@officer_required
@require_http_methods(["GET", "POST"])
def upload(request):
    if request.method == "POST":
        form = GuideUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = guide_upload_create(file=form.cleaned_data["file"], by=request.user)
            except GuideUploadRejected as exc:
                form.add_error("file", exc.message)
            except FileNotSaved:  # the media storage is full or read-only: nothing was stored
                return file_not_saved_page(request, back=reverse("guide:upload"))
            else:
                return redirect("guide:upload_status", pk=version.pk)
        return render(request, "guide/upload.html", _context(form), status=400)
    return render(request, "guide/upload.html", _context(GuideUploadForm()))


@officer_required
def upload_status(request, pk: int):
    version = selectors.version_get(pk=pk)
    waiting = version.status in (GuideVersion.Status.QUEUED, GuideVersion.Status.READING)
    return render(
        request,
        "guide/upload_status.html",
        {
            "version": version,
            "waiting": waiting,
            "error": reading_error(version.error) if version.status == GuideVersion.Status.FAILED else None,
            "stalled": reading_stalled(version),
            "jobs_waiting": version.status == GuideVersion.Status.QUEUED and jobs_waiting_for_service(),
            "form": GuideUploadForm(),
            **_context(GuideUploadForm()),
        },
    )
