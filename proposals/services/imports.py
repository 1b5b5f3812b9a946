"""Importing proposals from the JSON interchange format.

All or nothing per file: the file is checked first and written in one
transaction; if anything in it is wrong (a value of the wrong type, a proposal
without a reference, a registry the screening engine rejects) nothing is
written and every problem is reported with its JSON path. Unknown keys are
ignored with a warning; a missing field is stored as missing.

``reference`` is the idempotency key: importing the same file again updates
those proposals in place (their owner is kept). Only proposals that came from an
import are ever updated; an applicant's own proposal with the same reference is
an error, never overwritten.

An imported proposal goes through the same checks and state machine as one typed
into the form: it is written as a draft, then :func:`proposal_submit` runs the
submission checks and, when nothing is wrong, moves it draft → submitted (which
writes the outbox row that gets it screened). A proposal with problems stays a
draft and the report lists its problems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.services import audit_record

from .. import selectors
from ..enums import ProposalState
from ..interchange import Issue, ProposalData, parse_batch
from ..models import Proposal
from ..validators import FieldError
from .proposals import proposal_data_write, proposal_submit, proposal_transition


@dataclass
class ImportedProposal:
    """What the import did with one proposal: ``created`` or updated, the state it is
    in now, and the submission checks' problems that keep it a draft (empty when it
    was submitted or left unchanged)."""

    reference: str
    created: bool
    state: str
    problems: list[FieldError] = field(default_factory=list)
    unchanged: bool = False


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    proposals: list[ImportedProposal] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    registries: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


IMPORT_SOURCE = "import"


def _registries_importer():
    try:
        from screening.registries import registries_import
    except ImportError:
        return None
    return registries_import


def registry_names(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The registries an import loaded (ImportReport.registries), by their names in the reader's
    language ("在研项目", 3), not by the file's keys (``ongoing_projects``); the keys when the
    screening app, which keeps the registries, is not installed."""
    try:
        from screening.enums import RegistryName
    except ImportError:
        names = {}
    else:
        names = dict(RegistryName.choices)
    return [(str(names.get(key, key)), count) for key, count in counts.items()]


# What an owner does to their proposal (its data, its state, its files): done after the import last
# wrote the proposal, it is theirs, and an import does not overwrite it.
OWNER_EDITS = ("proposal.updated", "proposal.state", "attachment.added", "attachment.deleted")
_IMPORT_WRITES = ("proposal.created", "proposal.updated")


def _edited_by_owner(proposals: list[Proposal], *, by) -> set[int]:
    """The proposals whose owner changed them after the import's last write, read from the audit
    trail (append-only, ordered by its ids): an owner's edit, reopening, submission or attachment
    later than the last creation or update written by anyone else."""
    from common.models import AuditEntry

    owners = {p.pk: p.owner_id for p in proposals if by is None or p.owner_id != getattr(by, "pk", None)}
    if not owners:
        return set()
    last_import: dict[int, int] = {}
    last_owner: dict[int, int] = {}
    for target, actor, action, entry in AuditEntry.objects.filter(
        target_type=Proposal._meta.label_lower,
        target_id__in=[str(pk) for pk in owners],
        action__in={*OWNER_EDITS, *_IMPORT_WRITES},
    ).values_list("target_id", "actor_id", "action", "id"):
        pk = int(target)
        if actor == owners[pk]:
            if action in OWNER_EDITS:
                last_owner[pk] = max(last_owner.get(pk, 0), entry)
        elif action in _IMPORT_WRITES:
            last_import[pk] = max(last_import.get(pk, 0), entry)
    return {pk for pk, entry in last_owner.items() if entry > last_import.get(pk, 0)}


def _reference_errors(
    proposals: list[ProposalData], *, existing: dict[str, Proposal], owner, by=None
) -> list[Issue]:
    """Which proposals of the file may not be written: a reference used by a proposal
    that did not come from an import (an applicant's own), one owned by someone other
    than ``owner``, one its owner changed since the import last wrote it, or a new
    proposal with no owner to give it."""
    errors = []
    checked = set()
    edited = _edited_by_owner([p for p in existing.values() if p.source == IMPORT_SOURCE], by=by)
    for i, p in enumerate(proposals):
        if not p.reference or p.reference in checked:  # missing and repeated ones are reported apart
            continue
        checked.add(p.reference)
        path = f"proposals[{i}].reference"
        params = {"path": path, "ref": p.reference}
        proposal = existing.get(p.reference)
        if proposal is None:
            if owner is None:
                message = _(
                    "%(path)s：新申报书 %(ref)s 需要指定所属的申请人（命令行 --owner，导入页面的“申请人”一栏）。"
                )
                errors.append(Issue(path, "no_owner", message % params))
        elif proposal.source != IMPORT_SOURCE:
            message = _(
                "%(path)s：编号 %(ref)s 已被一份申请人自己填写的申报书使用；导入只能更新由导入创建的申报书。"
            )
            errors.append(Issue(path, "reference_taken", message % params))
        elif owner is not None and proposal.owner_id != owner.pk:
            message = _(
                "%(path)s：编号 %(ref)s 的申报书属于另一个用户；导入不能更新它，也不能更改它的所有者。"
            )
            errors.append(Issue(path, "other_owner", message % params))
        elif proposal.pk in edited:
            message = _(
                "%(path)s：编号 %(ref)s 的申报书在上次导入后由申请人修改过（内容、状态或附件）；"
                "导入不会覆盖申请人的修改，也不会改变其状态。"
            )
            errors.append(Issue(path, "edited_by_owner", message % params))
        elif proposal.state == ProposalState.SCREENING:
            message = _("%(path)s：编号 %(ref)s 的申报书正在预审，现在不能更新，请稍后再导入。")
            errors.append(Issue(path, "screening", message % params))
    return errors


def _write(
    proposals: list[ProposalData],
    *,
    existing: dict[str, Proposal],
    owner,
    by,
    report: ImportReport,
    follow_ups: bool = True,
) -> None:
    """Write each proposal as a draft and submit the ones that pass the checks.

    A new proposal is created as a draft. An existing one that is submitted or
    screened keeps its state when the file brings the same data again; changed
    data takes it back to draft (as the owner's "reopen" would) and through the
    checks again, so changed data is never left standing as screened."""
    for p in proposals:
        proposal = existing.get(p.reference)
        created = proposal is None
        if created:
            proposal = Proposal(owner=owner, source=IMPORT_SOURCE, state=ProposalState.DRAFT)
            report.created.append(p.reference)
            proposal_data_write(proposal=proposal, data=p)
        else:
            report.updated.append(p.reference)
            before = selectors.proposal_to_data(proposal)
            proposal_data_write(proposal=proposal, data=p)
            if proposal.state != ProposalState.DRAFT:
                if selectors.proposal_to_data(proposal) == before:
                    report.proposals.append(
                        ImportedProposal(p.reference, created=False, state=proposal.state, unchanged=True)
                    )
                    continue
                proposal_transition(proposal=proposal, to=ProposalState.DRAFT, by=by)
        problems = proposal_submit(proposal=proposal, by=by, follow_ups=follow_ups)
        report.proposals.append(
            ImportedProposal(p.reference, created=created, state=proposal.state, problems=problems)
        )


def proposals_import(
    *,
    data: Any,
    owner=None,
    by=None,
    source: str = "",
    allow_registries: bool = True,
    follow_ups: bool = True,
) -> ImportReport:
    """Import a parsed interchange document: a batch ``{"registries": ..., "proposals": [...]}``,
    a bare list of proposals, or one proposal object.

    New proposals belong to ``owner`` (required when the file has any) and have
    source "import". Each is written as a draft and submitted through
    :func:`proposal_submit` when it passes the submission checks; otherwise it stays
    a draft and ``report.proposals`` lists its problems. An existing proposal with
    the same reference is updated in place only when it came from an import itself,
    belongs to ``owner`` (any owner when ``owner`` is None) and is not being
    screened; its owner is kept, and changed data takes a submitted or screened
    proposal back to draft and through the checks again. A reference used by any
    other proposal (an applicant's draft, whatever its state) is an error, and so is
    an imported proposal its owner has changed since the import last wrote it (edited,
    reopened, submitted, an attachment added or removed: see the audit trail): an
    import never changes applicants' own data, nor moves a draft they reopened.

    ``registries`` go to ``screening.registries.registries_import`` when the
    screening engine provides it (else they are skipped with a warning), and only
    when ``allow_registries``; otherwise a file with registries is an error (the web
    page allows them for admins only; the command line is trusted).

    ``follow_ups=False`` submits without the submission's follow-up tasks, for a
    caller that screens the imported proposals itself as one batch (screen_proposals).

    One transaction; nothing is written when the report has errors. Writes a
    ``proposals.imported`` audit entry (and the state machine's own entries).
    Idempotent: importing the same file again updates the same proposals to the
    same data and leaves submitted ones as they are.
    """
    if isinstance(data, dict) and "proposals" not in data and "registries" not in data:
        data = [data]
    batch = parse_batch(data)
    report = ImportReport(
        errors=[i for i in batch.issues if i.severity == "error"],
        warnings=[i for i in batch.issues if i.severity != "error"],
    )
    seen: set[str] = set()
    rejected = {issue.path for issue in report.errors}  # a reference read as None already reported
    for i, p in enumerate(batch.proposals):
        path = f"proposals[{i}].reference"
        if not p.reference:
            if path in rejected:
                continue
            report.errors.append(
                Issue(path, "missing", _("%(path)s：每份申报书都需要编号（reference）。") % {"path": path})
            )
        elif p.reference in seen:
            report.errors.append(
                Issue(
                    path,
                    "duplicate",
                    _("%(path)s：编号 %(ref)s 在文件中重复出现。") % {"path": path, "ref": p.reference},
                )
            )
        else:
            seen.add(p.reference)
    importer = None
    if batch.registries is not None:
        if not allow_registries:
            report.errors.append(
                Issue("registries", "not_allowed", _("registries：只有管理员可以导入名录。"))
            )
        else:
            importer = _registries_importer()
            if importer is None:
                report.warnings.append(
                    Issue("registries", "ignored", _("registries：预审模块未安装，名录未导入。"), "warning")
                )

    try:
        with transaction.atomic():
            # Locked, so an update is judged on the rows it writes.
            existing = {
                p.reference: p for p in Proposal.objects.select_for_update().filter(reference__in=seen)
            }
            report.errors += _reference_errors(batch.proposals, existing=existing, owner=owner, by=by)
            if report.errors:
                raise _Rollback
            try:
                with transaction.atomic():
                    _write(
                        batch.proposals,
                        existing=existing,
                        owner=owner,
                        by=by,
                        report=report,
                        follow_ups=follow_ups,
                    )
            except IntegrityError as exc:
                # Another request took one of the new references after the check above.
                report.errors.append(
                    Issue(
                        "",
                        "conflict",
                        _("导入时另一份申报书同时使用了文件中的编号，未导入任何内容，请重新导入。"),
                    )
                )
                raise _Rollback from exc
            if importer is not None:
                try:
                    report.registries = importer(data=batch.registries, source=source, by=by)
                except ValueError as exc:
                    report.errors.append(
                        Issue("registries", "rejected", _("registries：%(error)s") % {"error": exc})
                    )
                    raise _Rollback from exc
            audit_record(
                actor=by,
                action="proposals.imported",
                data={
                    "source": source,
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "submitted": sum(1 for p in report.proposals if p.state == ProposalState.SUBMITTED),
                },
            )
    except _Rollback:
        report.created, report.updated, report.proposals, report.registries = [], [], [], None
    return report


def proposals_import_file(
    *, content: bytes, owner=None, by=None, source: str = "", allow_registries: bool = True
) -> ImportReport:
    """Decode a JSON file (UTF-8, with or without BOM) and import it (see
    :func:`proposals_import`); a file that is not JSON, or is nested too deeply to
    read, gives a report with one error and writes nothing."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except ValueError as exc:  # not UTF-8, not JSON, or a number of more digits than Python converts
        return ImportReport(
            errors=[Issue("", "invalid_json", _("不是有效的 JSON 文件：%(error)s") % {"error": exc})]
        )
    except RecursionError:
        return ImportReport(errors=[Issue("", "too_deep", _("JSON 文件嵌套层数过多，无法读取。"))])
    return proposals_import(data=data, owner=owner, by=by, source=source, allow_registries=allow_registries)
