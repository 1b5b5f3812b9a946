"""The registries' pages (admins): the registries with their loads and recent uploads, the upload
form, and an upload's progress page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from common.roles import is_admin
from common.selectors import jobs_waiting_for_service

from .enums import RegistryName, RunStatus
from .forms import RegistryUploadForm
from .models import RegistryImport, RegistryLoad
from .registries import (
    RegistryImportError,
    registry_import_failure,
    registry_import_request,
    registry_import_stalled,
)

RECENT_IMPORTS = 10  # registry uploads listed on the registries page


@login_required
def registries(request):
    """The registries, their loads and recent uploads (admins). An upload is checked at once (a
    bad file stays on the form with its error) and loaded by a job: the page then goes to its
    progress page."""
    if not is_admin(request.user):
        raise PermissionDenied  # signed in without the role: 403 (README, Roles)
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = registry_import_request(
                name=form.cleaned_data["registry"],
                text=form.cleaned_data["text"],
                source=form.cleaned_data["file"].name,
                by=request.user,
            )
        except RegistryImportError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("screening:registry_import", pk=job.pk)
    loads = {r.name: r for r in RegistryLoad.objects.all()}
    rows = [(value, label, loads.get(value)) for value, label in RegistryName.choices]
    imports = RegistryImport.objects.select_related("requested_by").defer("rows")[:RECENT_IMPORTS]
    return render(request, "screening/registries.html", {"form": form, "rows": rows, "imports": imports})


@login_required
def registry_import(request, pk: int):
    """The progress page of a registry upload (admins): queued or running (the page refreshes
    itself), done with the entries loaded, or failed with the reason."""
    if not is_admin(request.user):
        raise PermissionDenied
    job = get_object_or_404(RegistryImport.objects.select_related("requested_by").defer("rows"), pk=pk)
    waiting = job.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    return render(
        request,
        "screening/registry_import.html",
        {
            "job": job,
            "waiting": waiting,
            "error": registry_import_failure(job.error) if job.status == RunStatus.FAILED else None,
            "stalled": registry_import_stalled(job),
            "jobs_waiting": job.status == RunStatus.QUEUED and jobs_waiting_for_service(),
        },
    )
