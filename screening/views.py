"""Screening pages: the proposal's report and its files, check-again, progress, a batch's progress,
re-screening after a guide update, and the old overview's addresses sent on to the workspace (the
registries' pages are in views_registries, the officers' workspace in workspace.views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.roles import is_officer, officer_required
from common.selectors import jobs_waiting_for_service
from common.services import audit_record
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to

from . import exports, report, selectors, services
from .models import ScreeningBatch, ScreeningRun
from .workspace import services as export_services
from .workspace.masking import mask_ids_deep
from .workspace.models import JobKind
from .workspace.services import JobTooLarge, bulk_job_request
from .workspace.views import FULL_ID_PERMISSION


def _proposal_for(user, pk: int) -> Proposal:
    """Owner, officer or admin; anyone else gets a 404 (never a hint it exists)."""
    return get_object_or_404(proposals_visible_to(user=user), pk=pk)


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
            groups=report.with_clause_texts(
                report.grouped(lines), selectors.clause_texts(year=proposal.guide_year)
            ),
            changes=report.changes(lines),
            previous=previous,
            counts={s: sum(1 for line in lines if line.status == s) for s in report.STATUS_ORDER},
        )
        staleness = selectors.run_staleness(run=run)
        context.update(
            stale=staleness is not None,
            staleness=staleness,
            since=_since_seen(request, proposal, run),
            # checked on other content than the proposal holds now: its owner changed it since
            checked_before_change=selectors.run_checked_before_change(run=run),
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
@require_http_methods(["GET", "HEAD", "POST"])
def proposal_check(request, pk: int):
    """Check a proposal (POST); a GET on this address goes to its report."""
    proposal = _proposal_for(request.user, pk)
    if request.method != "POST":
        return redirect("screening:report", pk=proposal.pk)
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


# The overview's filters, as the workspace list names them (its page number is left behind).
OVERVIEW_FILTERS = {
    "q": "q",
    "guide_year": "year",
    "direction_code": "direction",
    "state": "state",
    "overall": "overall",
    "rule": "rule",
}


@officer_required
def overview_moved(request, fmt: str | None = None):
    """The overview, its re-run and its exports became the workspace (one list, one dashboard, one
    set of filters, bulk actions and exports): their addresses send the officer to the workspace
    list filtered as they asked (permanently for a GET; a re-run's POST lands on the same list,
    where the bulk action asks again)."""
    source = request.POST if request.method == "POST" else request.GET
    query = QueryDict(mutable=True)
    for old, new in OVERVIEW_FILTERS.items():
        value = source.get(old, "").strip()
        if value:
            query[new] = value
    url = reverse("screening:workspace:proposals")
    return redirect(f"{url}?{query.urlencode()}" if query else url, permanent=request.method == "GET")


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


@officer_required
def batch_status(request, pk: int):
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
def proposal_export(request, pk: int, fmt: str):
    """One proposal's report as a file: JSON (the screen_proposals format, raw ids; ID numbers
    masked without the permission), or PDF, Excel or
    CSV through the workspace's export engine (the stamp, ID numbers masked without the
    permission; cross-proposal findings as an applicant sees them for the owner). In the audit
    trail."""
    proposal = _proposal_for(request.user, pk)
    run = selectors.run_latest(proposal=proposal)
    if run is None or run.status != "done" or fmt not in ("json", *export_services.FORMATS):
        raise Http404
    officer = is_officer(request.user)
    if fmt == "json":
        items = list(exports.report_items(selectors.runs_for_export([run.pk])))
        if not officer:
            for item in items:
                item.findings = report.redacted(item.findings)
        audit_record(
            actor=request.user,
            action="screening.report_exported",
            target=proposal,
            data={"format": fmt, "run": run.pk},
        )
        data = exports.to_json(items)
        if not request.user.has_perm(FULL_ID_PERMISSION):
            data = mask_ids_deep(data, proposal.people.values_list("id_number", flat=True))
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    _name, content_type, content = export_services.export_now(
        proposal_ids=[proposal.pk],
        fmt=fmt,
        lang=report.lang_key(get_language()),
        full_ids=request.user.has_perm(FULL_ID_PERMISSION),
        by=request.user,
        query="",
        redact=not officer,
        title=f"{_('预审报告')} {proposal.reference}",
        audit_action="screening.report_exported",
        audit_target=proposal,
    )
    extension = export_services.FORMATS[fmt][1]
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{proposal.reference}-screening.{extension}"
    )
    return response
