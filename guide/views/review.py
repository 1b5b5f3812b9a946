"""Guide versions for officers and admins: the list of versions, a version's review page with its
corrections, and publishing (a job: the request only records it, the progress page follows it).
Applicants get 403, anonymous users the login page."""

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from common.roles import officer_required
from common.selectors import jobs_waiting_for_service

from .. import selectors, services
from ..forms import VERSION_ERRORS, ItemCorrectionForm, address_error_message
from ..models import GuideCorrection, GuideVersion
from ..parsing.addresses import AddressError, item_of
from ..services import checks
from ..services.publishing import publish_error, publish_stalled, version_publish_request
from ..services.versions import PUBLISH_PENDING, READ_STATUSES

# What the service refuses that the forms' catalogue (guide.forms.VERSION_ERRORS) does not name.
PUBLISHING_REFUSED = _lazy("此版本正在发布，暂不能更正。")


def _version_error(exc: services.VersionError) -> str:
    if exc.code == "publishing":
        return str(PUBLISHING_REFUSED)
    return str(VERSION_ERRORS.get(exc.code, exc))


def _read_version(pk: int) -> GuideVersion:
    """A version that holds a reading (queued, reading and failed ones have their upload page)."""
    version = selectors.version_get(pk=pk)
    if version.status not in READ_STATUSES:
        raise Http404
    return version


@officer_required
def versions(request):
    return render(request, "guide/versions.html", {"versions": selectors.version_list()})


def _direction_code(item: str) -> str | None:
    """The direction an item belongs to ("directions[1.1].indicators[3]" → "1.1"), else None."""
    match = re.match(r"^directions\[([^\]]+)\]", item or "")
    return match.group(1) if match else None


def _item_url(version: GuideVersion, item: str) -> str:
    """The page an item is corrected on (a direction's items have the direction's page), with its anchor."""
    code = _direction_code(item)
    if code is not None:
        page = reverse("guide:version_direction", args=[version.pk, code])
    else:
        page = reverse("guide:version_review", args=[version.pk])
    return f"{page}#{selectors.anchor_of(item)}"


def _render_review(
    request,
    version: GuideVersion,
    *,
    code: str | None = None,
    form: ItemCorrectionForm | None = None,
    status: int = 200,
):
    """The review page, or the page of one direction (``code``): the whole guide on one page would be
    hundreds of forms (the 2022 guide has 353 indicators)."""
    review = selectors.version_review(version=version)
    if form is not None:
        item = review.items.get(form.data.get("item", ""))
        if item is not None:
            form.sent_back(item)
    context = {"version": version, "review": review}
    if code is None:
        return render(request, "guide/review/review.html", context, status=status)
    direction = next((d for d in review.directions if d.item.row["code"] == code), None)
    if direction is None:
        raise Http404
    return render(request, "guide/review/direction.html", {**context, "direction": direction}, status=status)


@officer_required
def version_review(request, pk: int):
    """GET: the review page. POST (``item``, ``action`` "check" or "uncheck", ``back`` "direction" to
    return to the item's direction page): mark an item to check as checked, or take the mark back, then
    back to the item (POST/redirect/GET)."""
    version = _read_version(pk)
    if request.method == "POST":
        return _check_mark(request, version)
    return _render_review(request, version)


CHECK_REFUSED = {
    "not_draft": _lazy("只有草稿可以标记核对。"),
    "not_to_check": _lazy("此项无需核对。"),
}


def _check_mark(request, version: GuideVersion):
    item = request.POST.get("item", "")
    action = request.POST.get("action", "check")
    try:
        if action == "uncheck":
            if checks.item_unmark_checked(version=version, item=item, by=request.user):
                messages.success(request, _("已取消核对标记。"))
        else:
            checks.item_mark_checked(version=version, item=item, by=request.user)
            messages.success(request, _("已标记为已核对。"))
    except services.VersionError as exc:
        messages.error(request, CHECK_REFUSED.get(exc.code) or _version_error(exc))
        return redirect("guide:version_review", pk=version.pk)
    code = _direction_code(item)
    if request.POST.get("back") == "direction" and code is not None:
        if any(d.get("code") == code for d in version.data.get("directions") or ()):
            page = reverse("guide:version_direction", args=[version.pk, code])
            return redirect(f"{page}#{selectors.anchor_of(item)}")
    page = reverse("guide:version_review", args=[version.pk])
    return redirect(f"{page}#attn-{selectors.anchor_of(item)}")


@officer_required
def version_direction(request, pk: int, code: str):
    return _render_review(request, _read_version(pk), code=code)


@officer_required
@require_POST
def correction_add(request, pk: int):
    version = _read_version(pk)
    if version.status != GuideVersion.Status.DRAFT:  # the page has no forms: say so on it
        messages.error(request, VERSION_ERRORS["not_draft"])
        return redirect("guide:version_review", pk=version.pk)
    if version.publish_state in PUBLISH_PENDING:  # what the officer confirmed is what gets published
        messages.error(request, PUBLISHING_REFUSED)
        return redirect("guide:version_publishing", pk=version.pk)
    form = ItemCorrectionForm(request.POST, data_json=version.data)
    if form.is_valid():
        try:
            services.corrections_add(
                version=version,
                values=form.cleaned_data["values"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.VersionError as exc:
            form.add_error(None, _version_error(exc))
        except AddressError as exc:
            form.add_error(None, address_error_message(exc))
        else:
            messages.success(request, _("已保存更正。"))
            return redirect(_item_url(version, form.cleaned_data["item"]))
    code = _direction_code(form.data.get("item", ""))
    if code is not None and not any(d.get("code") == code for d in version.data.get("directions") or ()):
        code = None  # an unknown direction: the error goes on the review page
    return _render_review(request, version, code=code, form=form, status=400)


@officer_required
@require_POST
def correction_revert(request, pk: int, correction_pk: int):
    version = _read_version(pk)
    correction = get_object_or_404(GuideCorrection, pk=correction_pk, version=version)
    try:
        services.correction_revert(correction=correction, by=request.user)
    except services.VersionError as exc:
        messages.error(request, _version_error(exc))
    else:
        messages.success(request, _("已撤销更正，恢复为解析值。"))
    return redirect(_item_url(version, item_of(correction.address)))


@officer_required
def version_publish(request, pk: int):
    """GET: what publishing will do (confirm); POST: ask for it to be published (a job: the request
    writes the request and its outbox row, then sends to the progress page). What publishing would
    refuse (not a draft, conflicting conditions) is said at once, on the review page. A second POST
    (a double click) finds the job and goes to its page."""
    version = _read_version(pk)
    if version.publish_state in PUBLISH_PENDING:
        return redirect("guide:version_publishing", pk=version.pk)
    if request.method == "POST":
        try:
            version = version_publish_request(version=version, by=request.user)
        except services.VersionError as exc:
            messages.error(request, _version_error(exc))
            return redirect("guide:version_review", pk=version.pk)
        return redirect("guide:version_publishing", pk=version.pk)
    if version.status != GuideVersion.Status.DRAFT:
        messages.error(request, VERSION_ERRORS["not_draft"])
        return redirect("guide:version_review", pk=version.pk)
    review = selectors.version_review(version=version)
    return render(request, "guide/review/publish.html", {"version": version, "review": review})


@officer_required
def version_publishing(request, pk: int):
    """The progress page of a version's publishing: queued, publishing (the page refreshes itself),
    published (with what the review page of a published version offers) or failed with the reason.
    A version never asked to be published has its review page."""
    version = _read_version(pk)
    State = GuideVersion.PublishState
    published = version.status in (GuideVersion.Status.PUBLISHED, GuideVersion.Status.SUPERSEDED)
    if not version.publish_state and not published:
        return redirect("guide:version_review", pk=version.pk)
    waiting = version.publish_state in PUBLISH_PENDING
    return render(
        request,
        "guide/review/publishing.html",
        {
            "version": version,
            "published": published,
            "waiting": waiting,
            "error": publish_error(version.publish_error) if version.publish_state == State.FAILED else None,
            "stalled": publish_stalled(version),
            "jobs_waiting": version.publish_state == State.QUEUED and jobs_waiting_for_service(),
        },
    )
