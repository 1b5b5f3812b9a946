"""The registries' pages (admins): the registries with their loads, previous versions and recent
uploads, the columns each takes with a sample file, the upload form and the restore of a previous
version; an upload's page: its progress, its preview to confirm or cancel, its result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from common.roles import is_admin
from common.selectors import jobs_waiting_for_service

from . import registry_data
from .enums import RegistryName
from .forms import RegistryUploadForm
from .models import RegistryImport, RegistryLoad, RegistrySnapshot
from .models import RegistryImportStatus as Status
from .registries import (
    RegistryImportError,
    registry_import_cancel,
    registry_import_confirm,
    registry_import_failure,
    registry_import_request,
    registry_import_stalled,
    registry_restore_request,
    registry_sample_csv,
)
from .workspace.masking import mask_id

RECENT_IMPORTS = 10  # registry uploads listed on the registries page
FULL_ID_PERMISSION = "proposals.view_full_id"


def _admin_only(user) -> None:
    if not is_admin(user):
        raise PermissionDenied  # signed in without the role: 403 (README, Roles)


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _column_names(column: registry_data.Column) -> tuple[str, str]:
    """A column's name in the reader's language, and its name in the other language (both read)."""
    return (column.english, column.label) if _english() else (_(column.label), column.english)


def _registry_columns() -> list[dict]:
    """Each registry with its columns as the page documents them (names in both languages, the
    other headers read, required or not, what the column takes)."""
    out = []
    for value, label in RegistryName.choices:
        columns = []
        for column in registry_data.COLUMNS[value]:
            name, other = _column_names(column)
            columns.append(
                {
                    "name": name,
                    "other": other,
                    "aliases": [a for a in column.aliases if a != column.key],
                    "required": column.required,
                    "note": _(column.note) if column.note else "",
                }
            )
        one_of = registry_data.ONE_OF.get(value)
        out.append({"value": value, "label": label, "columns": columns, "one_of": bool(one_of)})
    return out


def _sample(name: str) -> HttpResponse:
    headers = [_column_names(c)[0] for c in registry_data.COLUMNS[name]]
    body = registry_sample_csv(name=name, headers=headers)
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{name}-sample.csv")
    return response


@login_required
def registries(request):
    """The registries, their loads, previous versions and recent uploads (admins).

    GET ``?sample=<registry>``: that registry's sample CSV (its columns' names in the reader's
    language, two example rows, UTF-8 with BOM). POST: an upload, checked at once (a bad file stays
    on the form with its error, row and column named) and compared with the registry by a job; or
    ``action=restore`` with ``registry``: its previous version, by the same job. Either then goes to
    the job's page, where the preview is confirmed or cancelled."""
    _admin_only(request.user)
    sample = request.GET.get("sample")
    if sample is not None:
        if sample not in RegistryName.values:
            raise Http404
        return _sample(sample)
    if request.method == "POST" and request.POST.get("action") == "restore":
        name = request.POST.get("registry", "")
        if name not in RegistryName.values:
            raise Http404
        job = registry_restore_request(name=name, by=request.user)
        if job is None:
            messages.error(request, _("这个名单没有可恢复的上一版本。"))
            return redirect("screening:registries")
        return redirect("screening:registry_import", pk=job.pk)
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
    snapshots = {s.registry: s for s in RegistrySnapshot.objects.defer("rows")}
    rows = [(value, label, loads.get(value), snapshots.get(value)) for value, label in RegistryName.choices]
    imports = RegistryImport.objects.select_related("requested_by").defer("rows", "preview")[:RECENT_IMPORTS]
    return render(
        request,
        "screening/registries.html",
        {"form": form, "rows": rows, "imports": imports, "registries": _registry_columns()},
    )


def _shown(job: RegistryImport, full_ids: bool) -> dict | None:
    """The job's preview as the page shows it: counts, and examples as rows of values under the
    registry's column names (ID numbers masked without the full-ID permission)."""
    preview = job.preview or None
    if not preview:
        return None
    columns = registry_data.COLUMNS[job.registry]
    keys = [c.key for c in columns]

    def cells(row: dict) -> list[str]:
        return [
            (row.get(k, "") if full_ids or k != "id_number" else mask_id(row.get(k, ""))) or "—" for k in keys
        ]

    examples = preview.get("examples", {})
    return {
        **{k: preview.get(k, 0) for k in ("current", "new", "added", "removed", "changed", "unchanged")},
        "headers": [_column_names(c)[0] for c in columns],
        "examples_added": [cells(r) for r in examples.get("added", [])],
        "examples_removed": [cells(r) for r in examples.get("removed", [])],
        "examples_changed": [(cells(c["old"]), cells(c["new"])) for c in examples.get("changed", [])],
    }


@login_required
def registry_import(request, pk: int):
    """The page of a registry upload or restore (admins): queued or running (the page refreshes
    itself), previewed (the counts of entries added, removed and changed, with examples, and the
    buttons to load it or cancel: POST ``action=confirm`` / ``cancel``), done with the entries
    loaded, cancelled, or failed with the reason."""
    _admin_only(request.user)
    job = get_object_or_404(
        RegistryImport.objects.select_related("requested_by", "confirmed_by").defer("rows"), pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            if not registry_import_confirm(job=job, by=request.user):
                messages.info(request, _("这次导入已经确认或已结束。"))
        elif action == "cancel":
            if registry_import_cancel(job=job, by=request.user):
                messages.info(request, _("已取消，名单没有改变。"))
            else:
                messages.info(request, _("这次导入已经确认或已结束，无法取消。"))
        return redirect("screening:registry_import", pk=job.pk)
    waiting = job.status in (Status.QUEUED, Status.RUNNING)
    return render(
        request,
        "screening/registry_import.html",
        {
            "job": job,
            "waiting": waiting,
            "preview": _shown(job, request.user.has_perm(FULL_ID_PERMISSION)),
            "ignored": pgettext("list", "、").join(job.ignored_columns or []),
            "error": registry_import_failure(job.error) if job.status == Status.FAILED else None,
            "stalled": registry_import_stalled(job),
            "jobs_waiting": job.status == Status.QUEUED and jobs_waiting_for_service(),
        },
    )
