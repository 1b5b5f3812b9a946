"""Importing proposals from the JSON interchange format.

All or nothing per file: the file is checked first and written in one
transaction; if anything in it is wrong (a value of the wrong type, a proposal
without a reference, a registry the screening engine rejects) nothing is
written and every problem is reported with its JSON path. Unknown keys are
ignored with a warning; a missing field is stored as missing.

``reference`` is the idempotency key: importing the same file again updates
those proposals in place (their owner and state are kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import audit_record

from ..enums import ProposalState
from ..interchange import Issue, parse_batch
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


def _registries_importer():
    try:
        from screening.services import registries_import
    except ImportError:
        return None
    return registries_import


def proposals_import(*, data: Any, owner=None, by=None, source: str = "") -> ImportReport:
    """Import a parsed interchange document: a batch ``{"registries": ..., "proposals": [...]}``,
    a bare list of proposals, or one proposal object.

    New proposals belong to ``owner`` (required when the file has any) and are
    stored as submitted (they come from the official submission system); existing
    ones (same reference) are updated in place. ``registries`` go to
    ``screening.services.registries_import`` when the screening engine provides it,
    else they are skipped with a warning. One transaction; nothing is written when
    the report has errors. Writes a ``proposals.imported`` audit entry.
    """
    if isinstance(data, dict) and "proposals" not in data and "registries" not in data:
        data = [data]
    batch = parse_batch(data)
    report = ImportReport(
        errors=[i for i in batch.issues if i.severity == "error"],
        warnings=[i for i in batch.issues if i.severity != "error"],
    )
    seen: set[str] = set()
    for i, p in enumerate(batch.proposals):
        path = f"proposals[{i}].reference"
        if not p.reference:
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
    existing = {p.reference: p for p in Proposal.objects.filter(reference__in=seen)}
    if owner is None:
        for i, p in enumerate(batch.proposals):
            if p.reference and p.reference not in existing:
                path = f"proposals[{i}].reference"
                report.errors.append(
                    Issue(
                        path,
                        "no_owner",
                        _("%(path)s：新申报书 %(ref)s 需要指定所有者（--owner）。")
                        % {"path": path, "ref": p.reference},
                    )
                )
    importer = _registries_importer() if batch.registries is not None else None
    if batch.registries is not None and importer is None:
        report.warnings.append(
            Issue("registries", "ignored", _("registries：预审模块未安装，名录未导入。"), "warning")
        )
    if report.errors:
        return report

    try:
        with transaction.atomic():
            now = timezone.now()
            for p in batch.proposals:
                proposal = existing.get(p.reference)
                if proposal is None:
                    proposal = Proposal(
                        owner=owner, source="import", state=ProposalState.SUBMITTED, submitted_at=now
                    )
                    report.created.append(p.reference)
                else:
                    report.updated.append(p.reference)
                proposal_data_write(proposal=proposal, data=p)
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


def proposals_import_file(*, content: bytes, owner=None, by=None, source: str = "") -> ImportReport:
    """Decode a JSON file (UTF-8, with or without BOM) and import it; a file that
    is not JSON gives a report with one error and writes nothing."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ImportReport(
            errors=[Issue("", "invalid_json", _("不是有效的 JSON 文件：%(error)s") % {"error": exc})]
        )
    return proposals_import(data=data, owner=owner, by=by, source=source)
