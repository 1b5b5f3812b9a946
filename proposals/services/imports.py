"""Importing proposals from the JSON interchange format.

All or nothing per file: the file is checked first and written in one
transaction; if anything in it is wrong (a value of the wrong type, a proposal
without a reference, a registry the screening engine rejects) nothing is
written and every problem is reported with its JSON path. Unknown keys are
ignored with a warning; a missing field is stored as missing.

``reference`` is the idempotency key: importing the same file again updates
those proposals in place (their owner and state are kept). Only proposals that
came from an import are ever updated; an applicant's own proposal with the same
reference is an error, never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import audit_record

from ..enums import ProposalState
from ..interchange import Issue, ProposalData, parse_batch
from ..models import Proposal
from .proposals import proposal_data_write


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
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
        from screening.services import registries_import
    except ImportError:
        return None
    return registries_import


def _reference_errors(proposals: list[ProposalData], *, existing: dict[str, Proposal], owner) -> list[Issue]:
    """Which proposals of the file may not be written: a reference used by a proposal
    that did not come from an import (an applicant's own), one owned by someone other
    than ``owner``, or a new proposal with no owner to give it."""
    errors = []
    checked = set()
    for i, p in enumerate(proposals):
        if not p.reference or p.reference in checked:  # missing and repeated ones are reported apart
            continue
        checked.add(p.reference)
        path = f"proposals[{i}].reference"
        params = {"path": path, "ref": p.reference}
        proposal = existing.get(p.reference)
        if proposal is None:
            if owner is None:
                message = _("%(path)s：新申报书 %(ref)s 需要指定所有者（--owner）。")
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
    return errors


def _write(
    proposals: list[ProposalData], *, existing: dict[str, Proposal], owner, report: ImportReport
) -> None:
    now = timezone.now()
    for p in proposals:
        proposal = existing.get(p.reference)
        if proposal is None:
            proposal = Proposal(
                owner=owner, source=IMPORT_SOURCE, state=ProposalState.SUBMITTED, submitted_at=now
            )
            report.created.append(p.reference)
        else:
            report.updated.append(p.reference)
        proposal_data_write(proposal=proposal, data=p)


def proposals_import(
    *, data: Any, owner=None, by=None, source: str = "", allow_registries: bool = True
) -> ImportReport:
    """Import a parsed interchange document: a batch ``{"registries": ..., "proposals": [...]}``,
    a bare list of proposals, or one proposal object.

    New proposals belong to ``owner`` (required when the file has any) and are
    stored as submitted with source "import" (they come from the official
    submission system). An existing proposal with the same reference is updated in
    place only when it came from an import itself and belongs to ``owner`` (any
    owner when ``owner`` is None); its owner and state are kept. A reference used by
    any other proposal (an applicant's draft, whatever its state) is an error:
    an import never changes applicants' own data.

    ``registries`` go to ``screening.services.registries_import`` when the
    screening engine provides it (else they are skipped with a warning), and only
    when ``allow_registries``; otherwise a file with registries is an error (the web
    page allows them for admins only; the command line is trusted).

    One transaction; nothing is written when the report has errors. Writes a
    ``proposals.imported`` audit entry. Idempotent: importing the same file again
    updates the same proposals to the same data.
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
            report.errors += _reference_errors(batch.proposals, existing=existing, owner=owner)
            if report.errors:
                raise _Rollback
            try:
                with transaction.atomic():
                    _write(batch.proposals, existing=existing, owner=owner, report=report)
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
                data={"source": source, "created": len(report.created), "updated": len(report.updated)},
            )
    except _Rollback:
        report.created, report.updated, report.registries = [], [], None
    return report


def proposals_import_file(
    *, content: bytes, owner=None, by=None, source: str = "", allow_registries: bool = True
) -> ImportReport:
    """Decode a JSON file (UTF-8, with or without BOM) and import it (see
    :func:`proposals_import`); a file that is not JSON, or is nested too deeply to
    read, gives a report with one error and writes nothing."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ImportReport(
            errors=[Issue("", "invalid_json", _("不是有效的 JSON 文件：%(error)s") % {"error": exc})]
        )
    except RecursionError:
        return ImportReport(errors=[Issue("", "too_deep", _("JSON 文件嵌套层数过多，无法读取。"))])
    return proposals_import(data=data, owner=owner, by=by, source=source, allow_registries=allow_registries)
