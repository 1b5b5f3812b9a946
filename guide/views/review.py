"""Guide versions for officers and admins: the list of versions, a version's review page with its
corrections, and publishing. Applicants get 403, anonymous users the login page."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.roles import is_officer

from .. import selectors, services
from ..forms import VERSION_ERRORS, ItemCorrectionForm, address_error_message
from ..models import GuideCorrection, GuideVersion
from ..parsing.addresses import AddressError, item_of
from ..services.versions import READ_STATUSES


def _officer_only(user) -> None:
    if not is_officer(user):
        raise PermissionDenied  # signed in without the role: 403 (README, Roles)


def _read_version(pk: int) -> GuideVersion:
    """A version that holds a reading (queued, reading and failed ones have their upload page)."""
    version = selectors.version_get(pk=pk)
    if version.status not in READ_STATUSES:
        raise Http404
    return version


@login_required
def versions(request):
    _officer_only(request.user)
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


@login_required
def version_review(request, pk: int):
    _officer_only(request.user)
    return _render_review(request, _read_version(pk))


@login_required
def version_direction(request, pk: int, code: str):
    _officer_only(request.user)
    return _render_review(request, _read_version(pk), code=code)


@login_required
@require_POST
def correction_add(request, pk: int):
    _officer_only(request.user)
    version = _read_version(pk)
    if version.status != GuideVersion.Status.DRAFT:  # the page has no forms: say so on it
        messages.error(request, VERSION_ERRORS["not_draft"])
        return redirect("guide:version_review", pk=version.pk)
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
            form.add_error(None, VERSION_ERRORS.get(exc.code, str(exc)))
        except AddressError as exc:
            form.add_error(None, address_error_message(exc))
        else:
            messages.success(request, _("已保存更正。"))
            return redirect(_item_url(version, form.cleaned_data["item"]))
    code = _direction_code(form.data.get("item", ""))
    if code is not None and not any(d.get("code") == code for d in version.data.get("directions") or ()):
        code = None  # an unknown direction: the error goes on the review page
    return _render_review(request, version, code=code, form=form, status=400)


@login_required
@require_POST
def correction_revert(request, pk: int, correction_pk: int):
    _officer_only(request.user)
    version = _read_version(pk)
    correction = get_object_or_404(GuideCorrection, pk=correction_pk, version=version)
    try:
        services.correction_revert(correction=correction, by=request.user)
    except services.VersionError as exc:
        messages.error(request, VERSION_ERRORS.get(exc.code, str(exc)))
    else:
        messages.success(request, _("已撤销更正，恢复为解析值。"))
    return redirect(_item_url(version, item_of(correction.address)))


@login_required
def version_publish(request, pk: int):
    """GET: what publishing will do (confirm); POST: publish."""
    _officer_only(request.user)
    version = _read_version(pk)
    if version.status != GuideVersion.Status.DRAFT:
        messages.error(request, VERSION_ERRORS["not_draft"])
        return redirect("guide:version_review", pk=version.pk)
    if request.method == "POST":
        try:
            services.version_publish(version=version, by=request.user)
        except services.VersionError as exc:
            messages.error(request, VERSION_ERRORS.get(exc.code, str(exc)))
        else:
            messages.success(request, _("已发布 %(label)s。") % {"label": version.label})
        return redirect("guide:version_review", pk=version.pk)
    review = selectors.version_review(version=version)
    return render(request, "guide/review/publish.html", {"version": version, "review": review})
