"""What screening tells applicants (through common.services.notifications_send: in the app, and by
e-mail after commit), and the words of it.

- ``screening.result_changed``: a run the owner did not start (an officer's re-run, a batch, a
  collision re-screen, an import) finished with an overall result other than the proposal's
  previous finished run. Called by services._execute where runs finish (notify_runs_finished).
- ``screening.result_ready``: the check a submission starts finished (unless the same run already
  says the result changed). Also called there.
- ``screening.result_stale``: the latest result of a handed-in proposal used a registry that was
  loaded or edited since, or a guide version that a newer one replaced. Called by the registry
  services, and by guide publishing through settings.ON_GUIDE_PUBLISHED. Marked read when a newer
  run of the proposal finishes (it used the inputs current then): the notice is answered.

A notification stores its kind and params; KINDS renders them in the reader's language when shown
(settings.NOTIFICATION_KINDS). One unread notification per proposal and kind: repeats are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.models import Notification
from common.services import NotificationSpec, notifications_send
from proposals.models import Proposal

from . import selectors
from .enums import Outcome, RegistryName, RunStatus
from .models import ScreeningRun

RESULT_CHANGED = "screening.result_changed"
RESULT_STALE = "screening.result_stale"
RESULT_READY = "screening.result_ready"
PROPOSAL = Proposal._meta.label_lower


def _outcome(value: str) -> str:
    return str(Outcome(value).label) if value in Outcome.values else value


def _result_changed(params: dict) -> tuple[str, str]:
    by = {
        "batch": _("管理人员的批量重新预审"),
        "collision": _("与其他申报书的交叉核对"),
        "submit": _("导入后的预审"),
    }.get(params.get("reason", ""), _("管理人员发起的重新预审"))
    values = {
        "reference": params.get("reference", ""),
        "before": _outcome(params.get("before", "")),
        "after": _outcome(params.get("after", "")),
        "by": by,
    }
    return (
        _("申报书 %(reference)s 的预审结论有变化") % values,
        _("%(by)s后，结论由“%(before)s”变为“%(after)s”。请查看报告中的变化。") % values,
    )


def _result_stale(params: dict) -> tuple[str, str]:
    reference = params.get("reference", "")
    registries = [
        str(RegistryName(n).label) for n in params.get("registries", []) if n in RegistryName.values
    ]
    if registries:
        why = _("预审所用的名单（%(names)s）已更新") % {"names": _("、").join(registries)}
    elif params.get("year"):
        why = _("%(year)s 年指南已发布新版本") % {"year": params["year"]}
    else:
        why = _("预审所用的名单或指南已更新")
    return (
        _("申报书 %(reference)s 的预审结果可能已过时") % {"reference": reference},
        _("%(why)s，这份结果可能已不准确。可以在报告页再次检查，或等待管理人员重新预审。") % {"why": why},
    )


def _result_ready(params: dict) -> tuple[str, str]:
    values = {"reference": params.get("reference", ""), "overall": _outcome(params.get("overall", ""))}
    return (
        _("申报书 %(reference)s 的预审已完成") % values,
        _("提交后的预审已完成，结论为“%(overall)s”。请查看预审报告。") % values,
    )


KINDS = {RESULT_CHANGED: _result_changed, RESULT_STALE: _result_stale, RESULT_READY: _result_ready}


def _link(proposal_id: int) -> str:
    return reverse("screening:report", args=[proposal_id])


def notify_runs_finished(*, run_ids: Iterable[int]) -> int:
    """Tell the owners about these just-finished runs: a result changed by a run they did not start
    (RESULT_CHANGED), the check of their submission done (RESULT_READY, unless the same run says
    its result changed); and mark read their notices that the proposals' earlier results were
    stale (RESULT_STALE): a run that finished now used the inputs current now. Call it where runs
    finish, in that transaction. One query to find them, plus the notifications' own (none when
    nobody is told) and one update; returns how many were told. Its cost does not grow with the
    runs the table holds: the runs are found by primary key alone (their status is checked here:
    a status condition would let the planner scan every finished run while its statistics say
    that few are), each previous result through the index of finished runs per proposal
    (run_done_per_proposal)."""
    ids = list(run_ids)
    if not ids:
        return 0
    previous = (
        ScreeningRun.objects.filter(
            proposal_id=OuterRef("proposal_id"), status=RunStatus.DONE, pk__lt=OuterRef("pk")
        )
        .order_by("-pk")
        .values("overall")[:1]
    )
    rows = (
        ScreeningRun.objects.filter(pk__in=ids)
        .annotate(previous=Subquery(previous))
        .values_list(
            "status",
            "proposal_id",
            "proposal__owner_id",
            "proposal__reference",
            "requested_by_id",
            "reason",
            "overall",
            "previous",
        )
    )
    specs = []
    renewed: dict[int, set[str]] = {}  # owner → the proposals whose result is renewed
    for status, proposal_id, owner_id, reference, requested_by, reason, after, before in rows:
        if status != RunStatus.DONE:
            continue
        renewed.setdefault(owner_id, set()).add(str(proposal_id))
        about = {"target_type": PROPOSAL, "target_id": str(proposal_id), "link": _link(proposal_id)}
        if before and after and before != after and requested_by != owner_id:
            params = {"reference": reference, "before": before, "after": after, "reason": reason}
            specs.append(NotificationSpec(recipient_id=owner_id, kind=RESULT_CHANGED, params=params, **about))
        elif reason == "submit":
            params = {"reference": reference, "overall": after}
            specs.append(NotificationSpec(recipient_id=owner_id, kind=RESULT_READY, params=params, **about))
    _stale_notices_answered(renewed)
    return len(notifications_send(specs=specs))


def _stale_notices_answered(renewed: dict[int, set[str]]) -> int:
    """Mark read the unread RESULT_STALE notifications of these owners about these proposals (one
    statement through the unread index, none for none)."""
    if not renewed:
        return 0
    query = Q()
    for owner_id, targets in renewed.items():
        query |= Q(recipient_id=owner_id, target_id__in=sorted(targets))
    return Notification.objects.filter(
        query, kind=RESULT_STALE, target_type=PROPOSAL, read_at__isnull=True
    ).update(read_at=timezone.now())


def notify_stale_results(
    *, year: int | None = None, registry: str | Iterable[str] | None = None, by=None
) -> int:
    """Tell the owners of handed-in proposals whose latest finished result is now stale (see
    selectors.run_staleness): after ``registry`` (a name, or several) was loaded or edited, or a
    new guide version of ``year`` was published. Only that year's proposals when ``year`` is given;
    ``by`` (who made the change) is not told about their own change. Call it in the transaction
    of the change. A constant number of queries (the proposals with their latest run in one, their
    staleness in three, the notifications'); returns how many were told."""
    names = [registry] if isinstance(registry, str) else sorted(registry or [])
    proposals = Proposal.objects.filter(state__in=selectors.COMPETING_STATES)
    if year is not None:
        proposals = proposals.filter(guide_year=year)
    rows = list(
        selectors.latest_runs_for_proposals(
            proposals.only("id", "owner_id", "reference", "guide_year")
        ).filter(latest_run_status=RunStatus.DONE)
    )
    stale = selectors.stale_proposal_ids(rows)
    by_id = getattr(by, "pk", None) if getattr(by, "is_authenticated", False) else None
    params = {"registries": names} if names else {"year": year}
    specs = [
        NotificationSpec(
            recipient_id=p.owner_id,
            kind=RESULT_STALE,
            params={"reference": p.reference, **params},
            target_type=PROPOSAL,
            target_id=str(p.pk),
            link=_link(p.pk),
        )
        for p in rows
        if p.pk in stale and p.owner_id != by_id
    ]
    return len(notifications_send(specs=specs))
