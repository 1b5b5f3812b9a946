"""Guide versions: a reading becomes a draft, officers correct it, publishing writes it into the rows.

The rows (``Guide`` and its areas, directions …) hold only the published version of a year; drafts
live as JSON in ``GuideVersion.data`` plus their ``GuideCorrection`` rows. Each function here is one
transaction and leaves an audit entry for every change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.files import new_files
from common.leases import RELEASED
from common.services import audit_record, hooks_run

from ..caching import versions_changed as public_pages_changed
from ..models import GuideCorrection, GuideVersion
from ..parsing import READER_VERSION
from ..parsing.addresses import AddressError, apply_corrections, coerce, exists, get_value
from ..parsing.conditions import all_conditions, conflicts
from ..parsing.english import EnglishGuide, english_load, english_parse, english_path
from ..parsing.types import ParsedGuide, from_json, to_json
from .ingest import guide_parse_file, guide_save

Status = GuideVersion.Status
READ_STATUSES = (Status.DRAFT, Status.PUBLISHED, Status.SUPERSEDED)


class VersionError(Exception):
    """A change the version's state does not allow, or a correction without what it needs.

    ``code``: ``not_draft`` (only drafts are corrected and published), ``reason_required``,
    ``unchanged`` (the value is already what the correction asks for), ``not_read`` (the version
    holds no reading), ``conflicting_conditions`` (a parameter has different values in one scope:
    an officer assigns scopes or sets one aside before publishing), ``publishing`` (its publishing
    job is queued or running: the draft is not corrected meanwhile)."""

    MESSAGES = {
        "not_draft": "只有草稿可以更正或发布",
        "reason_required": "请填写更正理由",
        "unchanged": "与当前值相同，无需更正",
        "not_read": "此版本尚未读取完成",
        "conflicting_conditions": "同一条件在同一适用范围内有不同取值：请先指定适用范围或不采用其中一个，再发布",
        "publishing": "此版本正在发布，暂不能更正",
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(self.MESSAGES.get(code, code))


def _is_user(by) -> bool:
    return getattr(by, "is_authenticated", False)


def _english_json(english: EnglishGuide | Mapping | None) -> dict | None:
    if english is None:
        return None
    if isinstance(english, Mapping):
        english_parse(dict(english))  # validates; raises GuideReadError
        return dict(english)
    return {
        "year": english.year,
        "directions": {
            code: {"title": d.title, "keywords": list(d.keywords)} for code, d in english.directions.items()
        },
    }


def _next_number(year: int) -> int:
    return (GuideVersion.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1


def active_corrections(corrections: Iterable[GuideCorrection]) -> list[GuideCorrection]:
    """The corrections that apply: not reverted, the latest of each address, in the order made."""
    latest: dict[str, GuideCorrection] = {}
    for correction in sorted(corrections, key=lambda c: (c.created_at, c.pk or 0)):
        if correction.reverted_at is None:
            latest.pop(correction.address, None)
            latest[correction.address] = correction
    return list(latest.values())


def version_effective_data(version: GuideVersion) -> dict:
    """The version's data with its corrections applied (what publishing writes into the rows). Reads
    the corrections (one query unless they are prefetched); writes nothing. A correction that no
    longer applies is left out (see :func:`guide.parsing.addresses.apply_corrections`)."""
    data, _problems = apply_corrections(version.data, active_corrections(version.corrections.all()))
    return data


def _carry_corrections(version: GuideVersion, data: dict) -> dict:
    """Copy the effective corrections of the latest earlier reading of the same file (same year and
    sha256) onto ``version``. Returns what ``GuideVersion.carried`` records."""
    if not version.sha256:
        return {}
    earlier = (
        GuideVersion.objects.filter(year=version.year, sha256=version.sha256, status__in=READ_STATUSES)
        .exclude(pk=version.pk)
        .order_by("-number")
        .first()
    )
    if earlier is None:
        return {}
    carried = {"from": earlier.pk, "from_label": earlier.label, "applied": [], "resolved": [], "vanished": []}
    rows = []
    for old in active_corrections(earlier.corrections.select_related("created_by")):
        entry = {
            "address": old.address,
            "value": old.value,
            "reason": old.reason,
            "correction": old.pk,
            "by": old.created_by.get_username() if old.created_by else "",
        }
        if not exists(data, old.address):
            carried["vanished"].append(entry)
            continue
        parsed_value = get_value(data, old.address)
        if parsed_value == old.value:
            carried["resolved"].append(entry)  # the reader now gets it right by itself
            continue
        try:
            value = coerce(data, old.address, old.value)
        except AddressError as exc:
            carried["vanished"].append({**entry, "error": exc.code})
            continue
        rows.append(
            GuideCorrection(
                version=version,
                address=old.address,
                parsed_value=parsed_value,
                value=value,
                reason=old.reason,
                created_by=old.created_by,
                carried_from=old,
            )
        )
        carried["applied"].append(old.address)
    GuideCorrection.objects.bulk_create(rows)
    return carried


@transaction.atomic
def version_record_reading(
    *,
    version: GuideVersion,
    parsed: ParsedGuide,
    english: EnglishGuide | Mapping | None = None,
    english_name: str = "",
) -> GuideVersion:
    """Store a finished reading of ``version``'s file as a draft.

    Sets the year (from the parse), the next number within that year (1, 2 …), ``data`` =
    ``to_json(parsed)``, ``reader_version`` (``guide.parsing.READER_VERSION``), ``read_at``, the
    English data (an ``EnglishGuide`` or its JSON dict) and ``kind`` (from the parse when unset);
    status ``draft``, error cleared, lease released. ``sha256``, ``source_name``, ``size`` and
    ``file`` are the caller's (set when the version was created; the sha256 is computed from the
    file when missing).

    Corrections are re-applied: when an earlier reading of the same year has the same sha256 (the
    same document read again, e.g. after a reader improvement), its effective corrections are
    copied onto this version (``carried_from`` set) — except those the reader now gets right by
    itself (recorded as resolved) and those whose address is no longer in the reading (recorded as
    vanished and counted as a warning). ``GuideVersion.carried`` and the audit entry
    ("guide.version_read") say which.

    Idempotent: a version already read (draft, published or superseded) is returned unchanged, so a
    task delivered twice records the reading once. Nothing is published: see ``version_publish``.
    Used by ``version_create_from_file`` and by the upload task."""
    locked = GuideVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status in READ_STATUSES:
        return locked
    data = to_json(parsed)
    if not locked.sha256 and locked.file:
        with locked.file.open("rb") as fh:
            locked.sha256 = hashlib.sha256(fh.read()).hexdigest()
    locked.year = parsed.year
    locked.data = data
    locked.kind = locked.kind or parsed.document_kind
    locked.reader_version = READER_VERSION
    locked.english = _english_json(english)
    locked.english_source = english_name if english is not None else ""
    locked.status = Status.DRAFT
    locked.error = ""
    locked.read_at = timezone.now()
    for name, value in RELEASED.items():
        setattr(locked, name, value)
    for _attempt in range(5):  # another reading of the same year may take the number first
        locked.number = _next_number(parsed.year)
        try:
            with transaction.atomic():
                locked.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five concurrent readings of one year
        raise IntegrityError(f"no free version number for {parsed.year}")
    carried = _carry_corrections(locked, data)
    locked.carried = carried
    locked.warning_count = len(data.get("warnings") or ()) + len(carried.get("vanished", ()))
    locked.save(update_fields=["carried", "warning_count"])
    audit_record(
        actor=locked.created_by,
        action="guide.version_read",
        target=locked,
        data={
            "label": locked.label,
            "source": locked.source_name,
            "sha256": locked.sha256,
            "reader_version": READER_VERSION,
            "warnings": locked.warning_count,
            "carried_from": carried.get("from_label", ""),
            "applied": carried.get("applied", []),
            "resolved": [e["address"] for e in carried.get("resolved", ())],
            "vanished": [e["address"] for e in carried.get("vanished", ())],
        },
    )
    return locked


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".pdf": "pdf", ".docx": "docx"}.get(suffix, "text")


def version_create_from_file(*, path: Path, by=None) -> GuideVersion:
    """Read a guide file in this process and store it as a draft version: the file is kept in the
    version's ``file`` (a random name; the original name in ``source_name``), the English data file
    beside it (``<name>.en.json``) is read when present, then :func:`version_record_reading`.
    Raises ``GuideReadError`` / ``GuideParseError`` / ``OSError`` before anything is written, and
    ``common.files.FileNotSaved`` (no file, no row) when the media storage cannot take the file. One
    transaction; each call makes a new version (the command line and ``guide_ingest``; uploads go
    through a task)."""
    path = Path(path)
    parsed, sha = guide_parse_file(path=path)
    english = english_load(path)
    content = path.read_bytes()
    now = timezone.now()
    with new_files() as files, transaction.atomic():
        version = GuideVersion(
            status=Status.READING,
            source_name=path.name[:255],
            sha256=sha,
            size=len(content),
            kind=parsed.document_kind if parsed.document_kind != "text" else _kind(path),
            created_by=by if _is_user(by) else None,
            queued_at=now,
            started_at=now,
        )
        files.save(version.file, path.name, content)
        version.save()
        return version_record_reading(
            version=version,
            parsed=parsed,
            english=english,
            english_name=english_path(path).name if english is not None else "",
        )


PUBLISH_PENDING = (GuideVersion.PublishState.QUEUED, GuideVersion.PublishState.PUBLISHING)


def _locked_draft(version: GuideVersion) -> GuideVersion:
    locked = GuideVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != Status.DRAFT:
        raise VersionError("not_draft")
    if locked.publish_state in PUBLISH_PENDING:  # what the officer confirmed is what gets published
        raise VersionError("publishing")
    return locked


@transaction.atomic
def corrections_add(
    *, version: GuideVersion, values: Mapping[str, Any], reason: str, by
) -> list[GuideCorrection]:
    """Correct several values of a draft at once (one item's form): ``values`` maps addresses to the
    new values (form strings or JSON values, validated and coerced by ``guide.parsing.addresses``).
    Values already equal to their current (corrected) value are skipped; when nothing is left,
    ``VersionError("unchanged")``. Raises ``VersionError("not_draft")``, ``("reason_required")``
    and ``AddressError`` (an unknown address, an item not in the version, an invalid value: nothing is
    written). Returns the corrections made, each with an audit entry ("guide.corrected")."""
    locked = _locked_draft(version)
    reason = (reason or "").strip()
    if not reason:
        raise VersionError("reason_required")
    existing = list(locked.corrections.all())
    current, _problems = apply_corrections(locked.data, active_corrections(existing))
    latest = {c.address: c for c in active_corrections(existing)}
    wanted = []
    for address, raw in values.items():
        value = coerce(locked.data, address, raw)
        if value != get_value(current, address):
            wanted.append((address, value))
    if not wanted:
        if len(values) == 1:
            address = next(iter(values))
            if address in latest:  # the same correction sent twice: the one made stands
                return [latest[address]]
        raise VersionError("unchanged")
    made = []
    for address, value in wanted:
        correction = GuideCorrection.objects.create(
            version=locked,
            address=address,
            parsed_value=get_value(locked.data, address),
            value=value,
            reason=reason,
            created_by=by if _is_user(by) else None,
        )
        audit_record(
            actor=by,
            action="guide.corrected",
            target=locked,
            data={
                "label": locked.label,
                "address": address,
                "parsed_value": correction.parsed_value,
                "previous_value": get_value(current, address),
                "value": value,
                "reason": reason,
                "correction": correction.pk,
            },
        )
        made.append(correction)
    return made


def correction_add(*, version: GuideVersion, address: str, value: Any, reason: str, by) -> GuideCorrection:
    """Correct one value of a draft (see :func:`corrections_add`): the latest correction of an address
    wins; the same correction sent twice makes one. One transaction."""
    return corrections_add(version=version, values={address: value}, reason=reason, by=by)[0]


@transaction.atomic
def correction_revert(*, correction: GuideCorrection, by) -> list[GuideCorrection]:
    """Go back to the parsed value of the correction's address on a draft: every correction of that
    address still in force is marked reverted (kept for the record, with who and when). Idempotent:
    nothing left to revert reverts nothing. Returns the corrections reverted (audit
    "guide.correction_reverted")."""
    locked = _locked_draft(correction.version)
    now = timezone.now()
    reverted = list(
        GuideCorrection.objects.select_for_update().filter(
            version=locked, address=correction.address, reverted_at__isnull=True
        )
    )
    for row in reverted:
        row.reverted_at = now
        row.reverted_by = by if _is_user(by) else None
    GuideCorrection.objects.bulk_update(reverted, ["reverted_at", "reverted_by"])
    if reverted:
        audit_record(
            actor=by,
            action="guide.correction_reverted",
            target=locked,
            data={
                "label": locked.label,
                "address": correction.address,
                "corrections": [row.pk for row in reverted],
            },
        )
    return reverted


def version_publish_check(version: GuideVersion) -> tuple[list[GuideCorrection], dict, list]:
    """What publishing ``version`` would refuse, checked without writing (a few tens of milliseconds
    for the 2022 guide, so a request can say it at once): ``VersionError("not_draft")`` and
    ``("conflicting_conditions")``. Returns the corrections in force, the effective data and the
    corrections that could not be applied."""
    if version.status != Status.DRAFT:
        raise VersionError("not_draft")
    corrections = active_corrections(version.corrections.all())
    data, problems = apply_corrections(version.data, corrections)
    if conflicts(all_conditions(from_json(data))):
        raise VersionError("conflicting_conditions")
    return corrections, data, problems


@transaction.atomic
def version_publish(*, version: GuideVersion, by=None) -> GuideVersion:
    """Publish a draft: its effective data (the reading with its corrections) is written into the
    year's rows through ``guide_save`` (directions keep their primary keys, ``Guide.published_version``
    points at this version), the version published before it in that year becomes ``superseded``, and
    this one ``published`` with who and when (audit "guide.version_published"). Screening reads the
    rows, so from the commit on it uses this version (earlier results become stale).

    Idempotent for a version already published (returned unchanged); anything else that is not a
    draft raises ``VersionError("not_draft")``, conflicting conditions ``("conflicting_conditions")``.
    The pages publish through a job (``guide.services.publishing``) that calls this; the commands
    (``ingest_guide --publish``, ``load_demo``) call it directly."""
    locked = GuideVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status == Status.PUBLISHED:
        return locked
    corrections, data, problems = version_publish_check(locked)
    english = english_parse(locked.english) if locked.english else None
    previous = list(
        GuideVersion.objects.select_for_update()
        .filter(year=locked.year, status=Status.PUBLISHED)
        .exclude(pk=locked.pk)
        .order_by("number")
    )
    GuideVersion.objects.filter(pk__in=[p.pk for p in previous]).update(status=Status.SUPERSEDED)
    locked.status = Status.PUBLISHED
    locked.published_by = by if _is_user(by) else None
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_by", "published_at"])
    guide_save(
        parsed=from_json(data),
        source_name=locked.source_name,
        sha256=locked.sha256,
        english=english,
        english_name=locked.english_source,
        by=by,
        version=locked,
    )
    audit_record(
        actor=by,
        action="guide.version_published",
        target=locked,
        data={
            "label": locked.label,
            "superseded": [p.label for p in previous],
            "corrections": [c.address for c in corrections],
            "problems": [p.address for p in problems],
        },
    )
    # the public pages (guide.caching) read the published versions again: at once in this process, and
    # after the commit (a request that read the old ones meanwhile does not keep them)
    public_pages_changed()
    transaction.on_commit(public_pages_changed)
    hooks_run("ON_GUIDE_PUBLISHED", year=locked.year, by=by)  # screening tells owners of stale results
    return locked
