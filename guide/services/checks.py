"""Marking the items a reading asks to check as checked (the review page's "已核对"), per version.

An item to check is one the reader attached a notice "to check" to (a qualitative indicator, …) or an
indicator read without its comparator or value. A mark says an officer looked at it against the text:
who and when, with an audit entry; taking it back deletes the mark (audited too). Marks change no value
(corrections do) and are kept with the version.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from common.services import audit_record

from ..models import GuideCheckMark, GuideVersion
from ..parsing import addresses
from ..parsing.types import CHECK
from .versions import VersionError


def items_to_check(data: dict) -> set[str]:
    """The items of a reading (``GuideVersion.data``) an officer is asked to check: those with a notice
    of severity "check" (by the item the notice's address belongs to) and the indicators read without a
    comparator or a value."""
    items: set[str] = set()
    for notice in data.get("warnings") or ():
        if not isinstance(notice, dict) or notice.get("severity") != CHECK or not notice.get("item"):
            continue
        try:
            fields = addresses.item_addresses(data, notice["item"])
        except addresses.AddressError:
            continue
        if fields:
            items.add(addresses.item_of(fields[0]))
    for direction in data.get("directions") or ():
        for indicator in direction.get("indicators") or ():
            if indicator.get("comparator") is None or indicator.get("value") is None:
                items.add(f"directions[{direction['code']}].indicators[{indicator['position']}]")
    return items


def _locked_draft(version: GuideVersion) -> GuideVersion:
    locked = GuideVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != GuideVersion.Status.DRAFT:
        raise VersionError("not_draft")
    return locked


@transaction.atomic
def item_mark_checked(*, version: GuideVersion, item: str, by) -> GuideCheckMark:
    """Mark ``item`` of a draft as checked by ``by`` (audit "guide.item_checked"). Idempotent: an item
    already marked keeps its mark (who and when of the first), with no second entry. Raises
    ``VersionError("not_draft")`` and ``VersionError("not_to_check")`` (an item the reading does not ask
    to check)."""
    locked = _locked_draft(version)
    if item not in items_to_check(locked.data or {}):
        raise VersionError("not_to_check")
    existing = GuideCheckMark.objects.filter(version=locked, item=item).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            mark = GuideCheckMark.objects.create(
                version=locked, item=item, checked_by=by if getattr(by, "is_authenticated", False) else None
            )
    except IntegrityError:  # marked meanwhile (the version row lock makes this unlikely)
        return GuideCheckMark.objects.get(version=locked, item=item)
    audit_record(
        actor=by, action="guide.item_checked", target=locked, data={"label": locked.label, "item": item}
    )
    return mark


@transaction.atomic
def item_unmark_checked(*, version: GuideVersion, item: str, by) -> bool:
    """Take back the mark of ``item`` of a draft (audit "guide.item_unchecked"); False when it had none
    (nothing written). Raises ``VersionError("not_draft")``."""
    locked = _locked_draft(version)
    deleted, _ = GuideCheckMark.objects.filter(version=locked, item=item).delete()
    if not deleted:
        return False
    audit_record(
        actor=by, action="guide.item_unchecked", target=locked, data={"label": locked.label, "item": item}
    )
    return True
