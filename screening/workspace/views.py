"""The officers' workspace pages: the dashboard, the proposal list with its bulk actions, and the
bulk jobs (progress, download). Officers and admins only: anyone else signed in gets 403, a job or
file of someone else 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.roles import officer_required
from common.selectors import jobs_waiting_for_service
from proposals.enums import ProposalState

from .. import selectors as screening_selectors
from . import charts, selectors, services
from .filters import WorkspaceFilter, filter_description
from .forms import SCOPES, BulkActionForm
from .masking import mask_id
from .models import JobKind, JobStatus

FULL_ID_PERMISSION = "proposals.view_full_id"
# The states as the dashboard's chart names them: the handed-in ones read as parts of its 已提交 card.
STATE_LABELS = {
    ProposalState.DRAFT: gettext_lazy("草稿"),
    ProposalState.SUBMITTED: gettext_lazy("已提交 · 待预审"),
    ProposalState.SCREENING: gettext_lazy("已提交 · 预审中"),
    ProposalState.SCREENED: gettext_lazy("已提交 · 已预审"),
}


def _lang() -> str:
    return selectors.lang_of(get_language())


def _filter(data: QueryDict) -> tuple[WorkspaceFilter, int | None]:
    """The list's filter over ``data`` (the year defaults to the newest with proposals)."""
    years = selectors.workspace_years()
    data = data.copy()
    if not data.get("year") and years:
        data["year"] = str(selectors.year_default(years))
    try:
        year = int(data.get("year")) if data.get("year") else None
    except ValueError:
        year = None
    filterset = WorkspaceFilter(
        data,
        queryset=selectors.proposals_for_workspace(year=None),
        years=years,
        choices=selectors.filter_choices(year=year if year in years else None),
    )
    return filterset, year


@officer_required
def dashboard(request):
    years = selectors.workspace_years()
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else selectors.year_default(years)
    except ValueError:
        year = selectors.year_default(years)
    lang = _lang()
    data = selectors.dashboard(year=year, lang=lang)
    colon = pgettext("标签与数值", "：")
    direction_chart = charts.horizontal_bars(
        [(d.code, f"{d.code} {d.title}", d.handed_in, "direction") for d in data.directions],
        markers={d.code: d.supported_max for d in data.directions if d.supported_max},
        bar_height=14,
        gap=4,
        label_width=200,
        colon=colon,
    )
    state_chart = charts.horizontal_bars(
        [(s, str(STATE_LABELS.get(s, label)), n, f"state-{s}") for s, label, n in data.states],
        label_width=150,
        colon=colon,
    )
    outcome_chart = charts.horizontal_bars(
        [(o, label, n, f"outcome-{o}") for o, label, n in data.outcomes], label_width=120, colon=colon
    )
    return render(
        request,
        "screening/workspace/dashboard.html",
        {
            "data": data,
            "years": years,
            "year": year,
            "direction_chart": direction_chart,
            "state_chart": state_chart,
            "outcome_chart": outcome_chart,
            "day_chart": charts.day_columns(data.days, colon=colon),
        },
    )


@officer_required
def proposal_list(request):
    filterset, year = _filter(request.GET)
    valid = filterset.is_valid()
    queryset = filterset.qs if valid else selectors.proposals_for_workspace(year=year)
    sort = request.GET.get("sort") or selectors.SORT_DEFAULT
    page = selectors.keyset_page(
        queryset.select_related("direction", "review"), sort=sort, cursor=request.GET.get("cursor")
    )
    selectors.rows_decorate(page.rows, lang=_lang())
    full_ids = request.user.has_perm(FULL_ID_PERMISSION)
    for p in page.rows:
        p.row.pi_id_shown = p.row.pi_id if full_ids else mask_id(p.row.pi_id)
    query = request.GET.copy()
    query.pop("cursor", None)
    current, descending = selectors.sort_of(sort)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    sorts = {
        name: {
            "query": _with(unsorted, sort=f"-{name}" if name == current and not descending else name),
            "active": name == current,
            "descending": descending,
        }
        for name in selectors.SORTS
    }
    return render(
        request,
        "screening/workspace/list.html",
        {
            "filter": filterset,
            "valid": valid,
            "year": year,
            "page": page,
            "sorts": sorts,
            "query": query.urlencode(),
            "next_query": _with(query, cursor=page.next_cursor) if page.next_cursor else "",
            "prev_query": _with(query, cursor=page.prev_cursor) if page.prev_cursor else "",
            "bulk": BulkActionForm(initial={"query": query.urlencode(), "scope": "selected"}),
            "stream_limit": services.STREAM_LIMIT,
            "pdf_limit": services.PDF_LIMIT,
            "full_ids": full_ids,
        },
    )


def _with(query: QueryDict, **values) -> str:
    query = query.copy()
    for key, value in values.items():
        query[key] = value
    return query.urlencode()


@officer_required
@require_POST
def bulk(request):
    """A bulk action on the ticked proposals or the whole filtered list: re-screen or mark as
    reviewed (a job), export (at once up to STREAM_LIMIT proposals, else a job)."""
    form = BulkActionForm(request.POST, max_ids=services.MAX_PROPOSALS)
    back = reverse("screening:workspace:proposals")
    if not form.is_valid():
        for error in form.non_field_errors() or [_("操作无效。")]:
            messages.error(request, error)
        return redirect(f"{back}?{request.POST.get('query', '')}")
    data = form.cleaned_data
    query = data["query"]
    if data["scope"] == "filtered":
        filterset, _year = _filter(QueryDict(query))
        if not filterset.is_valid():
            messages.error(request, _("筛选条件无效。"))
            return redirect(f"{back}?{query}")
        ids = selectors.ids_in_order(
            filterset.qs, sort=QueryDict(query).get("sort") or "", limit=services.MAX_PROPOSALS
        )
    else:
        ids = selectors.ids_existing(data["ids"])
    if len(ids) > services.MAX_PROPOSALS:
        messages.error(
            request, _("一次最多处理 %(n)s 份申报书，请缩小筛选范围。") % {"n": services.MAX_PROPOSALS}
        )
        return redirect(f"{back}?{query}")
    if not ids:
        messages.info(request, _("没有符合条件的申报书。"))
        return redirect(f"{back}?{query}")
    action = data["action"]
    params = {"query": query, "scope": data["scope"]}
    if action.startswith("export_"):
        fmt = action.removeprefix("export_")
        if fmt == "pdf" and len(ids) > services.PDF_LIMIT:
            messages.error(
                request,
                _("PDF 一次最多导出 %(n)s 份申报书，请缩小筛选范围或导出 Excel。")
                % {"n": services.PDF_LIMIT},
            )
            return redirect(f"{back}?{query}")
        full_ids = request.user.has_perm(FULL_ID_PERMISSION)
        if len(ids) <= services.STREAM_LIMIT:
            return _export_response(
                *services.export_now(
                    proposal_ids=ids, fmt=fmt, lang=_lang(), full_ids=full_ids, by=request.user, query=query
                )
            )
        params.update(format=fmt, lang=_lang(), full_ids=full_ids)
        job = services.bulk_job_request(kind=JobKind.EXPORT, proposal_ids=ids, by=request.user, params=params)
    elif action == "review":
        params["note"] = data["note"]
        job = services.bulk_job_request(kind=JobKind.REVIEW, proposal_ids=ids, by=request.user, params=params)
    else:
        job = services.bulk_job_request(
            kind=JobKind.RESCREEN, proposal_ids=ids, by=request.user, params=params
        )
    return redirect("screening:workspace:job", pk=job.pk)


def _export_response(name: str, content_type: str, content) -> HttpResponse:
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@officer_required
def jobs(request):
    return render(
        request, "screening/workspace/jobs.html", {"jobs": selectors.jobs_of(user=request.user)[:30]}
    )


@officer_required
def job_detail(request, pk: int):
    job = selectors.job_for(user=request.user, pk=pk)
    if job is None:
        raise Http404
    progress = (
        screening_selectors.batch_progress(batch_id=job.batch_id)
        if job.kind == JobKind.RESCREEN and job.batch_id
        else None
    )
    screening = bool(progress and (progress["queued"] or progress["running"]))
    described = filter_description(job.params.get("query", ""))
    if job.params.get("guide_year"):  # a re-screen after a guide update (screening:guide_rescreen)
        described.insert(0, (str(_("指南年度")), str(job.params["guide_year"])))
    return render(
        request,
        "screening/workspace/job.html",
        {
            "job": job,
            "filters": described,
            "scope": dict(SCOPES).get(job.params.get("scope", "")),
            "progress": progress,
            "refresh": not job.finished or screening,
            "jobs_waiting": jobs_waiting_for_service(),
        },
    )


@officer_required
def job_download(request, pk: int):
    """The file of a finished export: only for the officer who asked for it (404 for anyone else),
    until it expires (then a page that says so, 410)."""
    job = selectors.job_for(user=request.user, pk=pk)
    if job is None or job.kind != JobKind.EXPORT or job.status != JobStatus.DONE:
        raise Http404
    if job.expired or not job.result:
        return render(request, "screening/workspace/expired.html", {"job": job}, status=410)
    services.export_download_record(job=job, by=request.user)
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.result_name,
        content_type=services.FORMATS[job.params.get("format", "xlsx")][0],
    )
