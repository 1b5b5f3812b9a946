"""Screening pages: the proposal's report, check-again, progress, the officers'
overview with exports (the registries' pages are in views_registries)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.roles import is_officer
from common.selectors import jobs_waiting_for_service
from common.services import audit_record
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to

from . import exports, report, selectors, services
from .filters import ScreeningFilter
from .models import ScreeningBatch, ScreeningRun
from .workspace.models import JobKind
from .workspace.services import JobTooLarge, bulk_job_request

EXPORT_LIMIT = 20000


def _proposal_for(user, pk: int) -> Proposal:
    """Owner, officer or admin; anyone else gets a 404 (never a hint it exists)."""
    return get_object_or_404(proposals_visible_to(user=user), pk=pk)


def _officer_only(user) -> None:
    if not is_officer(user):
        raise PermissionDenied  # signed in without the role: 403 (README, Roles)


@login_required
def proposal_report(request, pk: int):
    proposal = _proposal_for(request.user, pk)
    run = selectors.run_latest(proposal=proposal)
    context = {
        "proposal": proposal,
        "run": run,
        "groups": [],
        "changes": [],
        "previous": None,
        "show_error": is_officer(request.user),  # a failed run's recorded error, for officers
    }
    if run is not None and run.status == "done":
        previous = selectors.run_previous_done(run=run)
        visible = (lambda f: f) if is_officer(request.user) else report.redacted
        lines = report.report_lines(
            visible(selectors.findings_of(run=run)),
            language=get_language(),
            previous=visible(selectors.findings_of(run=previous)) if previous else None,
        )
        context.update(
            groups=report.grouped(lines),
            changes=report.changes(lines),
            previous=previous,
            counts={s: sum(1 for line in lines if line.status == s) for s in report.STATUS_ORDER},
        )
        staleness = selectors.run_staleness(run=run)
        context.update(
            stale=staleness is not None, staleness=staleness, since=_since_seen(request, proposal, run)
        )
    return render(request, "screening/report.html", context)


def _since_seen(request, proposal: Proposal, run: ScreeningRun) -> report.SinceSeen | None:
    """For the owner only: records that they saw ``run`` and, when it differs from the
    run they saw last time and was not started by them (an officer's batch, a collision
    re-screen), what changed since."""
    if request.user.pk != proposal.owner_id:
        return None
    seen = services.report_view_record(user=request.user, proposal=proposal, run=run)
    if seen is None or seen.pk == run.pk or seen.status != "done" or run.requested_by_id == request.user.pk:
        return None
    return report.since_seen(
        report.redacted(selectors.findings_of(run=run)),
        seen=report.redacted(selectors.findings_of(run=seen)),
        language=get_language(),
    )


@login_required
@require_POST
def proposal_check(request, pk: int):
    proposal = _proposal_for(request.user, pk)
    run = services.screening_request(proposal=proposal, by=request.user)
    messages.success(request, _("已开始预审。"))
    if run.status in ("queued", "running"):
        return redirect("screening:run_status", pk=run.pk)
    return redirect("screening:report", pk=proposal.pk)


@login_required
def run_status(request, pk: int):
    run = get_object_or_404(ScreeningRun.objects.select_related("proposal"), pk=pk)
    _proposal_for(request.user, run.proposal_id)
    run.refresh_from_db()
    if request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse(report.run_summary(run))
    if run.status in ("done", "failed"):
        return redirect("screening:report", pk=run.proposal_id)
    return render(
        request, "screening/progress.html", {"run": run, "jobs_waiting": jobs_waiting_for_service()}
    )


@login_required
def overview(request):
    _officer_only(request.user)
    base = selectors.latest_runs_for_proposals(Proposal.objects.select_related("owner").order_by("reference"))
    filterset = ScreeningFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    failing = report.failing_rows(selectors.failing_rule_counts(qs), language=get_language())
    stale = selectors.stale_proposals(page)
    return render(
        request,
        "screening/overview.html",
        {"filter": filterset, "page": page, "failing": failing, "stale": stale},
    )


@login_required
@require_POST
def overview_rerun(request):
    _officer_only(request.user)
    base = selectors.latest_runs_for_proposals(Proposal.objects.exclude(state="draft"))
    filterset = ScreeningFilter(request.POST, queryset=base)
    qs = filterset.qs if filterset.is_valid() else base.none()
    batch = services.screening_batch_create(proposals=qs, by=request.user, label=_("重新预审"))
    return redirect("screening:batch", pk=batch.pk)


@login_required
def guide_rescreen(request, year: int):
    """After a new guide version is published: re-screen, as one batch, the handed-in proposals of
    the year whose latest result used an older version (GET shows them, POST queues the batch).
    Officers and admins; the guide's review page links here."""
    if not is_officer(request.user):
        raise PermissionDenied  # signed in without the role: 403 (README, Roles)
    proposals = selectors.proposals_on_older_guide(year=year)
    if request.method == "POST":
        affected = list(proposals)
        if not affected:
            messages.info(request, _("没有需要重新检查的申报书。"))
            return redirect("screening:guide_rescreen", year=year)
        # a job with a progress page: the request only writes its rows (the worker queues the runs)
        try:
            job = bulk_job_request(
                kind=JobKind.RESCREEN,
                proposal_ids=[p.pk for p in affected],
                by=request.user,
                params={"guide_year": year},
                label=_("指南更新后重新预审（%(year)s）") % {"year": year},
            )
        except JobTooLarge:
            messages.error(request, _("需要重新检查的申报书太多，请在工作台中分批重新预审。"))
            return redirect("screening:guide_rescreen", year=year)
        return redirect("screening:workspace:job", pk=job.pk)
    return render(
        request,
        "screening/guide_rescreen.html",
        {"year": year, "proposals": proposals, "current": selectors.guide_current(year=year)},
    )


@login_required
def batch_status(request, pk: int):
    _officer_only(request.user)
    batch = get_object_or_404(ScreeningBatch, pk=pk)
    progress = selectors.batch_progress(batch_id=batch.pk)
    if request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse(progress)
    return render(
        request,
        "screening/batch.html",
        {"batch": batch, "progress": progress, "jobs_waiting": jobs_waiting_for_service()},
    )


@login_required
def export(request, fmt: str):
    _officer_only(request.user)
    base = selectors.latest_runs_for_proposals(Proposal.objects.all())
    filterset = ScreeningFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    run_ids = [rid for rid in qs.values_list("latest_run_id", flat=True)[:EXPORT_LIMIT] if rid]
    items = exports.report_items(selectors.runs_for_export(run_ids).iterator(chunk_size=500))
    lang = report.lang_key(get_language())
    if fmt in ("csv", "xlsx", "pdf"):
        # Reports carry ID numbers: every export is in the audit trail.
        audit_record(
            actor=request.user,
            action="screening.exported",
            data={"format": fmt, "runs": len(run_ids), "query": request.GET.urlencode()},
        )
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(items, lang=lang), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="screening-report.csv"'
        return response
    if fmt == "xlsx":
        return FileResponse(
            exports.xlsx_file(items, lang=lang),
            as_attachment=True,
            filename="screening-report.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "pdf":
        data = exports.pdf_bytes(items, lang=lang, title=_("预审报告"))
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="screening-report.pdf"'
        return response
    raise Http404


@login_required
def proposal_export(request, pk: int, fmt: str):
    proposal = _proposal_for(request.user, pk)
    run = selectors.run_latest(proposal=proposal)
    if run is None or run.status != "done":
        raise Http404
    items = list(exports.report_items(selectors.runs_for_export([run.pk])))
    if not is_officer(request.user):
        for item in items:
            item.findings = report.redacted(item.findings)
    if fmt in ("json", "pdf"):
        audit_record(
            actor=request.user,
            action="screening.report_exported",
            target=proposal,
            data={"format": fmt, "run": run.pk},
        )
    if fmt == "json":
        return JsonResponse(exports.to_json(items), json_dumps_params={"ensure_ascii": False})
    if fmt == "pdf":
        title = f"{_('预审报告')} {proposal.reference}"
        data = exports.pdf_bytes(items, lang=report.lang_key(get_language()), title=title)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            True, f"{proposal.reference}-screening.pdf"
        )
        return response
    raise Http404
