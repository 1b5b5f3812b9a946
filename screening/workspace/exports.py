"""The workspace's exports: every field of each proposal, every finding of its latest run and the
counts per rule, stamped with what they were made from (guide year and version, rule-set version,
when the runs ran and a hash of the data), as XLSX (three sheets) or CSV (the proposals sheet).

Built from screening.exports (its column labels, widths, findings rows and injection-safe cells)
and written by the streaming writer in ``xlsx``. A chunk of proposals becomes plain rows (in the
chosen language, ID numbers masked unless ``full_ids``) and a summary, then a part: its rows
rendered as they stand in the file (render_part). A bulk job renders one chunk per step and joins
the parts in its last step (write_file); a small export does the same in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, NamedTuple
from urllib.parse import unquote_plus

from django.db.models import Count, F, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from guide.models import Guide
from proposals.enums import PersonRole, ProposalState, UnitRole
from proposals.models import Attachment, Person, Proposal, Unit

from .. import exports, labels, report, selectors
from ..enums import Outcome
from ..messages import Msg, pgettext_lazy, rule_title
from ..models import Finding, ScreeningRun
from ..selectors import AnyOf
from . import pdf
from . import selectors as workspace_selectors
from .masking import has_resident_id, mask_id, mask_ids_in
from .xlsx import Rendered, Sheet, rows_xml, write_xlsx

# The proposals sheet (and the CSV): one row per proposal, every field, in this order.
PROPOSAL_COLUMNS: list[tuple[str, Msg, float]] = [
    ("reference", exports.HEADERS["reference"], 14),
    ("title", exports.HEADERS["title"], 30),
    ("guide_year", pgettext_lazy("导出", "指南年度"), 8),
    ("direction", exports.HEADERS["direction"], 9),
    ("direction_title", pgettext_lazy("导出", "方向名称"), 28),
    ("area", pgettext_lazy("导出", "领域"), 22),
    ("state", pgettext_lazy("导出", "状态"), 9),
    ("overall", exports.HEADERS["overall"], 10),
    ("failing", pgettext_lazy("导出", "未通过的条件"), 30),
    ("fail", exports.HEADERS["fail"], 7),
    ("warn", exports.HEADERS["warn"], 7),
    ("unknown", exports.HEADERS["unknown"], 7),
    ("pass", exports.HEADERS["pass"], 7),
    ("stale", pgettext_lazy("导出", "结果可能已过时"), 12),
    ("recommender", pgettext_lazy("导出", "推荐单位"), 24),
    ("start_date", pgettext_lazy("导出", "开始日期"), 11),
    ("end_date", pgettext_lazy("导出", "结束日期"), 11),
    ("national_funding", pgettext_lazy("导出", "国拨经费（万元）"), 10),
    ("matching_funding", pgettext_lazy("导出", "配套经费（万元）"), 10),
    ("pi_name", pgettext_lazy("导出", "项目负责人"), 10),
    ("pi_id", pgettext_lazy("导出", "负责人证件号码"), 20),
    ("pi_birth_date", pgettext_lazy("导出", "负责人出生日期"), 11),
    ("pi_nationality", pgettext_lazy("导出", "负责人国籍/地区"), 10),
    ("pi_title", pgettext_lazy("导出", "负责人职称"), 10),
    ("pi_degree", pgettext_lazy("导出", "负责人学位"), 8),
    ("pi_employer", pgettext_lazy("导出", "负责人工作单位"), 24),
    ("pi_employment", pgettext_lazy("导出", "负责人聘用方式"), 9),
    ("pi_civil_servant", pgettext_lazy("导出", "负责人为公务人员"), 9),
    ("lead_unit", pgettext_lazy("导出", "牵头单位"), 24),
    ("lead_credit_code", pgettext_lazy("导出", "牵头单位信用代码"), 20),
    ("units", pgettext_lazy("导出", "全部单位"), 50),
    ("members", pgettext_lazy("导出", "项目骨干"), 50),
    ("attachments", pgettext_lazy("导出", "附件"), 24),
    ("research_content", pgettext_lazy("导出", "研究内容"), 60),
    ("indicators", pgettext_lazy("导出", "考核指标"), 40),
    ("submitted_at", pgettext_lazy("导出", "提交时间"), 16),
    ("owner", pgettext_lazy("导出", "申报人账号"), 12),
    ("source", pgettext_lazy("导出", "来源"), 8),
    ("run_id", pgettext_lazy("导出", "预审运行编号"), 8),
    ("run_finished_at", pgettext_lazy("导出", "预审时间"), 16),
    ("ruleset_version", pgettext_lazy("导出", "规则集版本"), 10),
    ("guide_version", pgettext_lazy("导出", "所用指南版本"), 14),
    ("data_sha256", pgettext_lazy("导出", "数据 SHA-256"), 66),
    ("reviewed_at", pgettext_lazy("导出", "审阅时间"), 16),
    ("reviewed_by", pgettext_lazy("导出", "审阅人"), 12),
    ("review_note", pgettext_lazy("导出", "审阅备注"), 30),
]
_PI_ID = [key for key, _h, _w in PROPOSAL_COLUMNS].index("pi_id")
PROPOSAL_WRAP = {
    n for n, (key, _h, _w) in enumerate(PROPOSAL_COLUMNS) if key in ("research_content", "indicators")
}
# The findings sheet: one row per finding, the overview export's columns (screening.exports).
FINDING_WRAP = {exports.COLUMNS.index(c) for c in ("message", "fix", "evidence")}
# The per-rule sheet.
RULE_COLUMNS = ["rule", "rule_title", "clause", "fail", "warn", "unknown", "pass", "not_applicable"]
RULE_WIDTHS = [24, 24, 16, 8, 8, 8, 8, 8]
_WORDS = {
    "stamp": pgettext_lazy("导出", "导出说明"),
    "exported": pgettext_lazy("导出", "导出时间"),
    "by": pgettext_lazy("导出", "导出人"),
    "guide": pgettext_lazy("导出", "指南（年度与现行版本）"),
    "guides_used": pgettext_lazy("导出", "预审所用指南版本"),
    "ruleset": pgettext_lazy("导出", "规则集版本"),
    "runs": pgettext_lazy("导出", "预审时间范围"),
    "count": pgettext_lazy("导出", "申报书数（已预审）"),
    "hash": pgettext_lazy("导出", "数据 SHA-256（各申报书“数据 SHA-256”按行顺序合并）"),
    "filter": pgettext_lazy("导出", "筛选条件"),
    "masked": pgettext_lazy("导出", "证件号码"),
    "masked_yes": pgettext_lazy("导出", "已部分隐藏"),
    "masked_no": pgettext_lazy("导出", "完整"),
    "findings": pgettext_lazy("导出", "检查结果"),
    "rules": pgettext_lazy("导出", "按检查项统计"),
    "not_applicable": pgettext_lazy("导出", "不适用"),
    "none": pgettext_lazy("导出", "无"),
    "yes": pgettext_lazy("导出", "是"),
    "no": pgettext_lazy("导出", "否"),
    "not_screened": pgettext_lazy("导出", "未预审"),
    "sep": pgettext_lazy("导出", "；"),
    "with_note": pgettext_lazy("导出", "{text}（{note}）"),
    "year": pgettext_lazy("导出", "{year}年"),
    "count_screened": pgettext_lazy("导出", "{count}（{screened}）"),
    "colon": pgettext_lazy("导出", "："),
}


def word(key: str, lang: str, **params) -> str:
    """A word of the files (``_WORDS``) from the catalogue in ``lang``, its placeholders filled."""
    return labels.say(_WORDS[key], lang, **params)


def _local(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _number(value) -> float | None:
    return float(value) if value is not None else None


class _Finding(NamedTuple):
    """What screening.exports and screening.labels read of a finding, without a model instance."""

    run_id: int
    position: int
    rule: str
    status: str
    clause: str
    message_id: str
    params: dict
    evidence: list
    field: str
    fix_id: str
    cache_key: tuple | None = None  # the same for findings that read the same in any proposal


_BY_POSITION = ("units[", "members[")  # a path that names a unit or member by its position


def _cache_key(rule, status, clause, message_id, params_text, evidence_text, field_path, fix_id):
    """A finding's key for exports.finding_rows's cache: None when its texts name a unit or member
    by position (they then read with the proposal's own names)."""
    units, members = _BY_POSITION
    for text in (params_text, evidence_text, field_path):
        if text and (units in text or members in text):
            return None
    return (rule, status, clause, message_id, params_text, evidence_text, field_path, fix_id)


class _Person(NamedTuple):
    role: str
    name: str
    id_number: str
    birth_date: dt.date | None
    nationality: str
    title: str
    degree: str
    employer: str
    employment: str
    civil_servant: bool | None
    task: str


class _Unit(NamedTuple):
    name: str
    credit_code: str
    country: str
    type: str
    role: str
    registered_on: dt.date | None


@dataclass
class Chunk:
    """The rows of one chunk of proposals and what the stamp and the per-rule sheet need of them."""

    proposals: list[list] = field(default_factory=list)
    findings: list[list] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def chunk_rows(
    ids: list[int], *, lang: str, full_ids: bool, findings: bool = True, redact: bool = False
) -> Chunk:
    """Rows for the proposals ``ids`` (in that order; missing ones are left out): one per proposal
    and, with ``findings``, one per finding of each one's latest run. Eight queries for any chunk
    (the staleness of results from screening.selectors); people, units and findings are read as
    plain rows, not model instances."""
    proposals = {
        p.pk: p
        for p in selectors.latest_runs_for_proposals(
            Proposal.objects.filter(AnyOf(F("pk"), ids))
        ).select_related("owner", "direction__area", "review__reviewed_by")
    }
    # people, units and attachment kinds as plain rows (tens of thousands of them per chunk)
    people: dict[int, list[_Person]] = defaultdict(list)
    for row in (
        Person.objects.filter(AnyOf(F("proposal_id"), ids))
        .order_by("role", "position", "id")
        .values_list("proposal_id", *_Person._fields)
    ):
        people[row[0]].append(_Person(*row[1:]))
    units: dict[int, list[_Unit]] = defaultdict(list)
    for row in (
        Unit.objects.filter(AnyOf(F("proposal_id"), ids))
        .order_by("position", "id")
        .values_list("proposal_id", *_Unit._fields)
    ):
        units[row[0]].append(_Unit(*row[1:]))
    kinds: dict[int, list[str]] = defaultdict(list)
    for pid, kind in (
        Attachment.objects.filter(AnyOf(F("proposal_id"), ids))
        .order_by("kind", "id")
        .values_list("proposal_id", "kind")
    ):
        kinds[pid].append(kind)
    ordered = [proposals[i] for i in ids if i in proposals]
    run_ids = [p.latest_run_id for p in ordered if p.latest_run_id]
    runs = {
        r.pk: r
        for r in ScreeningRun.objects.filter(AnyOf(F("pk"), run_ids)).only(
            "id", "status", "overall", "finished_at", "ruleset_version", "data_sha256", "inputs"
        )
    }
    by_run: dict[int, list[_Finding]] = defaultdict(list)
    if run_ids:
        # params and evidence as text, decoded once per distinct value (many findings share theirs)
        decoded: dict[str, object] = {}

        def load(text):
            if text is None:
                return None
            value = decoded.get(text)
            if value is None:
                value = decoded[text] = json.loads(text)
            return value

        stored = Finding.objects.filter(AnyOf(F("run_id"), run_ids)).order_by("run_id", "position")
        if not findings:  # the proposals sheet needs the counts per status and the rules failed only
            for run_id, status, n in (
                stored.exclude(status=Outcome.FAIL)
                .values_list("run_id", "status")
                .annotate(n=Count("id"))
                .order_by()
            ):
                by_run[run_id] += [_Finding(run_id, 0, "", status, "", "", {}, [], "", "")] * n
            for run_id, position, rule, status, clause in stored.filter(status=Outcome.FAIL).values_list(
                "run_id", "position", "rule", "status", "clause"
            ):
                by_run[run_id].append(_Finding(run_id, position, rule, status, clause, "", {}, [], "", ""))
        else:
            rows = stored.annotate(
                params_text=Cast("params", TextField()), evidence_text=Cast("evidence", TextField())
            ).values_list(
                "run_id",
                "position",
                "rule",
                "status",
                "clause",
                "message_id",
                "params_text",
                "evidence_text",
                "field",
                "fix_id",
            )
            for (
                run_id,
                position,
                rule,
                status,
                clause,
                message_id,
                params,
                evidence,
                field_path,
                fix_id,
            ) in rows:
                by_run[run_id].append(
                    _Finding(
                        run_id,
                        position,
                        rule,
                        status,
                        clause,
                        message_id,
                        load(params),
                        load(evidence),
                        field_path,
                        fix_id,
                        _cache_key(rule, status, clause, message_id, params, evidence, field_path, fix_id),
                    )
                )
    stale = selectors.stale_proposals(ordered)
    chunk = Chunk()
    finished = []
    rulesets, guides, years = set(), set(), set()
    hashes = []
    done_runs = []
    rendered: dict = {}  # finding cells by cache key (exports.finding_rows)
    looked: dict = {}  # finding texts already looked at for ID numbers (_FindingIds)
    for p in ordered:
        run = runs.get(p.latest_run_id) if p.latest_run_id else None
        done = run is not None and run.status == "done"
        found = by_run.get(run.pk, []) if done else []
        if redact:
            found = report.redacted(found)
        mine = people.get(p.pk, [])
        known_ids = [person.id_number for person in mine if person.id_number]
        if done:
            done_runs.append(run.pk)
            finished.append(run.finished_at)
            rulesets.add(run.ruleset_version)
            used = (run.inputs or {}).get("guide") or {}
            if used.get("version"):
                guides.add(str(used["version"]))
        years.add(p.guide_year)
        hashes.append(run.data_sha256 if done else "")
        row = _proposal_row(
            p,
            run if done else None,
            found,
            mine,
            units.get(p.pk, []),
            kinds.get(p.pk, []),
            lang=lang,
            full_ids=full_ids,
            stale=p.pk in stale,
        )
        chunk.proposals.append(row if full_ids else _masked(row, known_ids, skip=_PI_ID))
        if findings and found:
            report_item = exports.ProposalReport(
                reference=p.reference,
                title=p.title,
                direction=p.direction_code,
                overall=run.overall or run.status,
                findings=found,
            )
            rows = exports.finding_rows([report_item], lang, evidence_sep="\n", cache=rendered)
            if full_ids:
                chunk.findings += rows
            else:
                ids_in = _FindingIds(p.title, known_ids, looked)
                chunk.findings += [
                    _masked(r, known_ids, columns=_FINDING_TEXTS) if ids_in(r) else r for r in rows
                ]
    # the per-rule counts (the XLSX's per-rule sheet) with the findings only: a CSV has no use for them
    totals = workspace_selectors.rule_totals(done_runs) if findings and done_runs else {}
    chunk.summary = {
        "proposals": len(ordered),
        "finding_rows": len(chunk.findings),
        "screened": len(finished),
        "first": min(finished).isoformat() if finished else None,
        "last": max(finished).isoformat() if finished else None,
        "rulesets": sorted(r for r in rulesets if r),
        "guides": sorted(guides),
        "years": sorted(years),
        "hashes": hashes,
        "counts": {rule: t.counts for rule, t in totals.items()},
        "clauses": {rule: t.clause for rule, t in totals.items()},
    }
    return chunk


# the finding columns that may hold an ID number (the others are codes and labels of ours)
_FINDING_TEXTS = [exports.COLUMNS.index(c) for c in ("title", "message", "fix", "evidence")]


def _longest_digits(text: str) -> int:
    """The length of the longest run of digits in ``text``."""
    return max(map(len, _DIGIT_RUNS.findall(text)), default=0)


_DIGIT_RUNS = re.compile(r"\d+")


class _FindingIds:
    """Whether a finding row of one proposal may hold an ID number (then _masked looks at it
    closely): its title names one, or its message, fix and evidence, which many findings share,
    hold a resident ID number or one of the proposal's people's numbers. What is known of each
    distinct texts is worked out once (kept in ``looked``): whether they hold a resident ID number,
    and their longest run of digits, which an ID number's own longest run must fit in to be there."""

    _TEXTS = [exports.COLUMNS.index(c) for c in ("message", "fix", "evidence")]

    def __init__(self, title: str, known_ids: list[str], looked: dict):
        self.known = [k for k in known_ids if len(k) > 5]
        self.title = has_resident_id(title) or any(k in title for k in self.known)
        self.looked = looked
        # no known number can stand in texts whose digit runs are all shorter than this
        self.digits = min((_longest_digits(k) for k in self.known), default=0)

    def __call__(self, row: list) -> bool:
        if self.title:
            return True
        m, f, e = self._TEXTS
        texts = (row[m], row[f], row[e])
        seen = self.looked.get(texts)
        if seen is None:
            text = "\n".join(t for t in texts if isinstance(t, str))
            seen = self.looked[texts] = (text, has_resident_id(text), _longest_digits(text))
        text, resident, digits = seen
        if resident:
            return True
        if not self.known or digits < self.digits:
            return False
        return any(k in text for k in self.known)


def _masked(row: list, known_ids: list[str], *, skip: int = -1, columns: list[int] | None = None) -> list:
    """``row`` with every ID number in its text masked: those of the proposal's people wherever they
    stand (any form: passports too) and any resident ID number (a registry's evidence, a number typed
    into a free-text section). ``skip``: a column already shown masked; ``columns``: the only ones
    that may hold one (every column when None). Most rows name none: one look at the row's text
    decides."""
    picked = range(len(row)) if columns is None else columns
    text = "\n".join(row[n] for n in picked if n != skip and isinstance(row[n], str))
    if not (has_resident_id(text) or any(k in text for k in known_ids if len(k) > 5)):
        return row
    masked = list(row)
    for n in picked:
        if n != skip and isinstance(row[n], str) and row[n]:
            masked[n] = mask_ids_in(row[n], known_ids)
    return masked


def _proposal_row(
    p: Proposal,
    run: ScreeningRun | None,
    found: list[_Finding],
    people: list[_Person],
    units: list[_Unit],
    kinds: list[str],
    *,
    lang,
    full_ids,
    stale,
) -> list:
    def code(value: str) -> str:
        return labels.code_label(value, lang) if value else ""

    def ident(value: str) -> str:
        return value if full_ids else mask_id(value)

    pi = next((x for x in people if x.role == PersonRole.PI), None)
    members = [x for x in people if x.role != PersonRole.PI]
    lead = next((u for u in units if u.role == UnitRole.LEAD), None)
    status_counts = defaultdict(int)
    for f in found:
        status_counts[f.status] += 1
    failing = list(dict.fromkeys(f.rule for f in found if f.status == "fail"))
    review = getattr(p, "review", None)  # None without a mark (selected with the proposal)
    sep = word("sep", lang)
    values = {
        "reference": p.reference,
        "title": p.title,
        "guide_year": p.guide_year,
        "direction": p.direction_code,
        "direction_title": p.direction.title if p.direction else "",
        "area": f"{p.direction.area.number}. {p.direction.area.title}" if p.direction else "",
        "state": labels.say(_STATES[p.state], lang) if p.state in _STATES else p.state,
        "overall": labels.status_label(run.overall, lang) if run else word("not_screened", lang),
        "failing": sep.join(word("with_note", lang, text=rule_title(r, lang), note=r) for r in failing),
        "fail": status_counts["fail"] if run else None,
        "warn": status_counts["warn"] if run else None,
        "unknown": status_counts["unknown"] if run else None,
        "pass": status_counts["pass"] if run else None,
        "stale": word("yes" if stale else "no", lang) if run else "",
        "recommender": p.recommender,
        "start_date": _day(p.start_date),
        "end_date": _day(p.end_date),
        "national_funding": _number(p.national_funding),
        "matching_funding": _number(p.matching_funding),
        "pi_name": pi.name if pi else "",
        "pi_id": ident(pi.id_number) if pi else "",
        "pi_birth_date": _day(pi.birth_date) if pi else "",
        "pi_nationality": labels.country_label(pi.nationality, lang) if pi and pi.nationality else "",
        "pi_title": pi.title if pi else "",
        "pi_degree": pi.degree if pi else "",
        "pi_employer": pi.employer if pi else "",
        "pi_employment": code(pi.employment) if pi else "",
        "pi_civil_servant": ""
        if pi is None or pi.civil_servant is None
        else word("yes" if pi.civil_servant else "no", lang),
        "lead_unit": lead.name if lead else "",
        "lead_credit_code": lead.credit_code if lead else "",
        "units": "\n".join(_unit_text(u, lang) for u in units),
        "members": "\n".join(_member_text(m, lang, ident) for m in members),
        "attachments": sep.join(code(kind) for kind in kinds),
        "research_content": p.research_content,
        "indicators": p.indicators,
        "submitted_at": _local(p.submitted_at),
        "owner": p.owner.get_username() if p.owner_id else "",
        "source": p.source,
        "run_id": run.pk if run else None,
        "run_finished_at": _local(run.finished_at) if run else "",
        "ruleset_version": run.ruleset_version if run else "",
        "guide_version": str(((run.inputs or {}).get("guide") or {}).get("version") or "") if run else "",
        "data_sha256": run.data_sha256 if run else "",
        "reviewed_at": _local(review.reviewed_at) if review else "",
        "reviewed_by": review.reviewed_by.get_username() if review and review.reviewed_by_id else "",
        "review_note": review.note if review else "",
    }
    return [values[key] for key, _h, _w in PROPOSAL_COLUMNS]


_STATES = {
    ProposalState.DRAFT: pgettext_lazy("导出", "草稿"),
    ProposalState.SUBMITTED: pgettext_lazy("导出", "已提交"),
    ProposalState.SCREENING: pgettext_lazy("导出", "预审中"),
    ProposalState.SCREENED: pgettext_lazy("导出", "已预审"),
}
_UNIT_ROLES = {
    UnitRole.LEAD: pgettext_lazy("导出", "牵头"),
    UnitRole.PARTICIPANT: pgettext_lazy("导出", "参与"),
}


def _unit_text(u: _Unit, lang: str) -> str:
    parts = [
        labels.say(_UNIT_ROLES[u.role], lang) if u.role in _UNIT_ROLES else u.role,
        u.credit_code,
        labels.country_label(u.country, lang) if u.country else "",
        labels.code_label(u.type, lang) if u.type else "",
        _day(u.registered_on),
    ]
    details = ", ".join(x for x in parts if x)
    return word("with_note", lang, text=u.name, note=details)


def _member_text(m: _Person, lang: str, ident) -> str:
    parts = [
        ident(m.id_number) if m.id_number else "",
        _day(m.birth_date),
        labels.country_label(m.nationality, lang) if m.nationality else "",
        m.employer,
        m.task,
    ]
    details = ", ".join(x for x in parts if x)
    return word("with_note", lang, text=m.name, note=details)


# --- the stamp and the merged summary ----------------------------------------------


def summary_merge(summaries: Iterable[dict]) -> dict:
    """The chunks' summaries as one (in chunk order)."""
    merged = {
        "proposals": 0,
        "screened": 0,
        "first": None,
        "last": None,
        "rulesets": set(),
        "guides": set(),
        "years": set(),
        "hashes": [],
        "counts": defaultdict(lambda: defaultdict(int)),
        "clauses": {},
    }
    for s in summaries:
        merged["proposals"] += s.get("proposals", 0)
        merged["screened"] += s.get("screened", 0)
        for key, pick in (("first", min), ("last", max)):
            if s.get(key):
                merged[key] = pick(merged[key], s[key]) if merged[key] else s[key]
        for key in ("rulesets", "guides", "years"):
            merged[key].update(s.get(key, []))
        merged["hashes"] += s.get("hashes", [])
        for rule, by_status in s.get("counts", {}).items():
            for status, n in by_status.items():
                merged["counts"][rule][status] += n
        for rule, clause in s.get("clauses", {}).items():
            merged["clauses"][rule] = workspace_selectors.clause_merge(merged["clauses"].get(rule), clause)
    return {
        **merged,
        "rulesets": sorted(merged["rulesets"]),
        "guides": sorted(merged["guides"]),
        "years": sorted(merged["years"]),
        "counts": {rule: dict(v) for rule, v in merged["counts"].items()},
        "data_sha256": hashlib.sha256("\n".join(merged["hashes"]).encode()).hexdigest(),
    }


def guides_now(years: Iterable[int]) -> dict[int, str]:
    """The version published now of each guide year (screening.selectors.guide_version). One query."""
    years = set(years)
    versions = {year: "" for year in years}
    for guide in Guide.objects.filter(year__in=years).select_related("published_version"):
        versions[guide.year] = str(selectors.guide_version(guide, year=guide.year).get("version") or "")
    return versions


@dataclass
class Meta:
    """Who asked for an export, when, with which filter, in which language."""

    lang: str
    exported_at: dt.datetime
    by: str
    query: str
    full_ids: bool


def stamp_lines(
    summary: dict, meta: Meta, *, guides: dict[int, str], filters: str | None = None
) -> list[tuple[str, str]]:
    """(label, value) pairs that say what a file was made from; ``filters``: the filter in people's
    words (filters.filter_text; the query string as typed when not given)."""
    lang = meta.lang
    none = word("none", lang)
    guide = (
        word("sep", lang).join(
            f"{word('year', lang, year=y)} {guides.get(y) or none}".strip() for y in summary["years"]
        )
        or none
    )
    runs = (
        f"{_local(dt.datetime.fromisoformat(summary['first']))} – {_local(dt.datetime.fromisoformat(summary['last']))}"
        if summary["first"]
        else none
    )
    return [
        (word("stamp", lang), ""),
        (word("exported", lang), _local(meta.exported_at)),
        (word("by", lang), meta.by),
        (word("guide", lang), guide),
        (word("guides_used", lang), labels.join_list(summary["guides"], lang) or none),
        (word("ruleset", lang), labels.join_list(summary["rulesets"], lang) or none),
        (word("runs", lang), runs),
        (
            word("count", lang),
            word("count_screened", lang, count=summary["proposals"], screened=summary["screened"]),
        ),
        (word("hash", lang), summary["data_sha256"]),
        (word("filter", lang), (unquote_plus(meta.query) if filters is None else filters) or none),
        (word("masked", lang), word("masked_no" if meta.full_ids else "masked_yes", lang)),
    ]


def rule_rows(summary: dict, *, lang: str) -> list[list]:
    """The per-rule sheet's rows: each rule with the proposals whose latest run has a finding of it in
    each status (workspace.selectors.rule_totals, as the dashboard counts them), most failures first;
    its clause, or that the clause differs by guide direction."""
    rows = []
    for rule, by_status in summary["counts"].items():
        rows.append(
            [
                rule,
                rule_title(rule, lang),
                workspace_selectors.clause_display(summary["clauses"].get(rule), lang),
                *(by_status.get(s, 0) for s in ("fail", "warn", "unknown", "pass", "not_applicable")),
            ]
        )
    rows.sort(key=lambda r: (-r[3], -r[4], -r[5], r[0]))
    return rows


def _headers(lang: str) -> list[str]:
    return [labels.say(h, lang) for _key, h, _w in PROPOSAL_COLUMNS]


def _rule_headers(lang: str) -> list[str]:
    names = {"not_applicable": word("not_applicable", lang)}
    return [names.get(c) or exports.header(c, lang) for c in RULE_COLUMNS]


# --- files ---------------------------------------------------------------------------
#
# A file is put together from parts: each chunk's rows rendered as they stand in the file of its
# format (render_part: XLSX sheet rows without row numbers, CSV lines, or for the PDF the rows as
# JSON), so that a job renders its chunks as parts in parallel and its last step only joins them.


def render_part(chunk: Chunk, fmt: str) -> tuple[str, str]:
    """The chunk's proposal rows and finding rows as text of the file of ``fmt``: "xlsx" sheet rows
    (unnumbered: a part does not depend on the parts before it, so parts are rendered in parallel),
    "csv" lines (the proposals only), "pdf" JSON lists (laid out when the file is written)."""
    if fmt == "xlsx":
        proposals = rows_xml(chunk.proposals, wrap=PROPOSAL_WRAP, clean=exports.safe_cell)
        findings = rows_xml(chunk.findings, wrap=FINDING_WRAP, clean=exports.safe_cell)
        return proposals.xml, findings.xml
    if fmt == "csv":
        writer = csv.writer(exports._Echo())
        return "".join(writer.writerow(exports.safe_row(row)) for row in chunk.proposals), ""
    return json.dumps(chunk.proposals, ensure_ascii=False), json.dumps(chunk.findings, ensure_ascii=False)


def pack(text: str) -> bytes:
    """A part's text as a job stores it (BulkJobPart): UTF-8, zlib-compressed (fast: sheet XML
    repeats itself and shrinks about tenfold)."""
    return zlib.compress(text.encode("utf-8"), 1)


def unpack(packed: bytes | memoryview, *, decode: bool = True) -> str | bytes:
    """A stored part's text (pack), or with ``decode`` false its UTF-8 bytes as they go into a file
    (an XLSX sheet's rows are written as they are, not decoded and encoded again)."""
    data = zlib.decompress(packed) if packed else b""
    return data.decode("utf-8") if decode else data


@dataclass
class Parts:
    """A file's rendered parts in order: each one's summary (Chunk.summary) and a way to read each
    column of texts once (``texts("proposals")``, ``texts("findings")``), from memory or from a
    job's stored parts."""

    summaries: list[dict]
    texts: Callable[[str], Iterable[str | bytes]]  # bytes: UTF-8 (XLSX rows, PDF JSON), never CSV


def write_file(
    out: IO[bytes],
    fmt: str,
    parts: Parts,
    *,
    stamp: list[tuple[str, str]],
    summary: dict,
    lang: str,
    title: str = "",
    exported_at: dt.datetime | None = None,
) -> None:
    """The export file of ``fmt`` into the binary file ``out``, from ``parts`` (render_part) and the
    merged ``summary`` (summary_merge) they came with."""
    if fmt == "csv":
        for line in csv_lines(stamp=stamp, blocks=parts.texts("proposals"), lang=lang):
            out.write(line.encode("utf-8"))
    elif fmt == "pdf":

        def rows(column: str) -> Iterator[list]:
            for text in parts.texts(column):
                yield from json.loads(text or "[]")

        pdf_write(
            out,
            stamp=stamp,
            proposals=rows("proposals"),
            findings=rows("findings"),
            lang=lang,
            title=title,
            exported_at=exported_at,
        )
    else:
        xlsx_write(
            out,
            stamp=stamp,
            proposals=(
                Rendered(text, s.get("proposals", 0))
                for text, s in zip(parts.texts("proposals"), parts.summaries, strict=True)
            ),
            findings=(
                Rendered(text, s.get("finding_rows", 0))
                for text, s in zip(parts.texts("findings"), parts.summaries, strict=True)
            ),
            rules=rule_rows(summary, lang=lang),
            lang=lang,
        )


def xlsx_write(
    out: IO[bytes],
    *,
    stamp: list[tuple[str, str]],
    proposals: Iterable[Rendered],
    findings: Iterable[Rendered],
    rules: list[list],
    lang: str,
) -> None:
    """Three sheets: the proposals (the stamp on its first lines, then a blank line and the header),
    the findings and the per-rule counts. ``proposals`` and ``findings``: the parts' rows
    (render_part), read once, as they are written."""
    header_row = len(stamp) + 2

    def first_sheet() -> Iterator[list | Rendered]:
        yield from ([exports.safe_line(label), exports.safe_line(value)] for label, value in stamp)
        yield []
        yield _headers(lang)
        yield from proposals

    def findings_sheet() -> Iterator[list | Rendered]:
        yield [exports.header(c, lang) for c in exports.COLUMNS]
        yield from findings

    write_xlsx(
        out,
        [
            Sheet(
                exports.header("proposals", lang),
                first_sheet(),
                widths=[w for _k, _h, w in PROPOSAL_COLUMNS],
                header_row=header_row,
                wrap=PROPOSAL_WRAP,
            ),
            Sheet(
                word("findings", lang),
                findings_sheet(),
                widths=[exports._WIDTHS.get(c, 10) for c in exports.COLUMNS],
                wrap=FINDING_WRAP,
            ),
            Sheet(word("rules", lang), [_rule_headers(lang), *rules], widths=RULE_WIDTHS),
        ],
    )


def csv_lines(*, stamp: list[tuple[str, str]], blocks: Iterable[str], lang: str) -> Iterator[str]:
    """The proposals sheet as CSV text (UTF-8 BOM first, for Excel): the stamp as ``#`` comment
    lines, then the header and the parts' lines (render_part), a block of lines at a time."""
    writer = csv.writer(exports._Echo())
    # each stamp line one cell, through the same sanitiser as every other cell: a comma or a quote
    # in a value (the filter is what the officer's URL said) cannot open a cell of its own
    comments = csv.writer(exports._Echo(), lineterminator="\n")
    yield "\ufeff"
    for label, value in stamp:
        line = f"# {label}{'：' if lang == 'zh' else ': '}{value}" if value else f"# {label}"
        yield comments.writerow([exports.safe_line(line)])
    yield writer.writerow(_headers(lang))
    yield from blocks


# --- PDF -------------------------------------------------------------------------------

_P = {key: n for n, (key, _h, _w) in enumerate(PROPOSAL_COLUMNS)}
_F = {key: n for n, key in enumerate(exports.COLUMNS)}
_PDF_WORDS = {
    "title": pgettext_lazy("导出", "预审报告"),
    "page": pgettext_lazy("导出", "第 {n} 页"),
    "unrenderable": pgettext_lazy("导出", "此申报书的检查结果无法排版，请在 Excel 导出中查看。"),
    "no_findings": pgettext_lazy("导出", "没有预审结果。"),
    "stale": pgettext_lazy("导出", "结果可能已过时"),
}
PDF_COLUMNS = ("rule_title", "status", "clause", "message", "field")


def _pdf_word(key: str, lang: str) -> str:
    return labels.say(_PDF_WORDS[key], lang)


def pdf_sections(proposals: Iterable[list], findings: Iterable[list], *, lang: str) -> Iterator[pdf.Section]:
    """One PDF section per proposal row, with the finding rows of that proposal (chunk_rows writes
    both in the same order: a proposal's findings follow each other), failures first."""
    colon = word("colon", lang)
    pending = iter(findings)
    ahead = next(pending, None)
    yes = word("yes", lang)
    for row in proposals:
        reference = row[_P["reference"]]
        mine = []
        while ahead is not None and ahead[_F["reference"]] == reference:
            mine.append(ahead)
            ahead = next(pending, None)
        heading = (
            f"{reference}  {row[_P['title']]}  · {exports.header('direction', lang)} {row[_P['direction']]}"
            f"  · {exports.header('overall', lang)}{colon}{row[_P['overall']]}"
        )
        if row[_P["stale"]] == yes:
            heading = word("with_note", lang, text=heading, note=_pdf_word("stale", lang))
        mine.sort(
            key=lambda f: report.STATUS_ORDER.get(f[_F["status_code"]], 9)
        )  # stable: report order within
        rows = []
        for f in mine:
            details = [("body", f[_F["message"]])]
            if f[_F["fix"]]:
                details.append(("fix", f"{exports.header('fix', lang)}{colon}{f[_F['fix']]}"))
            if f[_F["evidence"]]:
                details.append(("note", f[_F["evidence"]]))
            rows.append(
                pdf.Row(
                    [
                        [("body", f[_F["rule_title"]])],
                        [("body", f[_F["status"]])],
                        [("body", f[_F["clause"]])],
                        details,
                        [("body", f[_F["field"]])],
                    ],
                    status=f[_F["status_code"]],
                )
            )
        yield pdf.Section(heading=heading, rows=rows, empty_note=_pdf_word("no_findings", lang))


def pdf_write(
    out: IO[bytes],
    *,
    stamp: list[tuple[str, str]],
    proposals: Iterable[list],
    findings: Iterable[list],
    lang: str,
    title: str = "",
    exported_at: dt.datetime | None = None,
) -> None:
    """The PDF: ``title`` (the report's by default), the stamp, then each proposal with its findings
    (screening.workspace.pdf: any proposal lays out, long cells continue on the next page)."""
    title = title or _pdf_word("title", lang)
    pdf.write_pdf(
        out,
        title=title,
        stamp=[(label, value) for label, value in stamp if value],
        sections=pdf_sections(proposals, findings, lang=lang),
        labels=pdf.Labels(
            columns=[exports.header(c, lang) for c in PDF_COLUMNS],
            page=_pdf_word("page", lang),
            unrenderable=_pdf_word("unrenderable", lang),
        ),
        footer=f"{title} · {_local(exported_at or timezone.now())}",
    )
