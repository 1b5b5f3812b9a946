"""Reads for the officers' workspace: the dashboard's figures, the proposal list (keyword search,
keyset pages, what each row shows) and bulk jobs. Every page is a constant number of queries, whatever
the number of proposals; the staleness of results comes from screening.selectors."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core import signing
from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from guide.models import Area, Direction, FormalClause, Guide
from proposals.enums import PersonRole, ProposalState, UnitRole
from proposals.models import Person, Proposal, Unit
from proposals.search import tsquery_text

from .. import labels, selectors
from ..enums import Outcome, RunStatus
from ..messages import pgettext_lazy, rule_title
from ..models import Finding, ScreeningRun
from .models import BulkJob

HANDED_IN = selectors.COMPETING_STATES
NOT_SCREENED = "none"  # the overall filter's value for "no finished run yet"
RUN_FAILED = "run_failed"  # the overall filter's value for "the latest run failed" (to re-run them)


def lang_of(language: str | None) -> str:
    return "en" if (language or "").startswith("en") else "zh"


# --- years -------------------------------------------------------------------------


def workspace_years() -> list[int]:
    """Guide years with proposals, newest first (one query)."""
    return list(Proposal.objects.order_by("-guide_year").values_list("guide_year", flat=True).distinct())


def year_default(years: list[int]) -> int | None:
    return years[0] if years else None


# --- the proposal list -------------------------------------------------------------


def proposals_for_workspace(*, year: int | None) -> QuerySet[Proposal]:
    """The proposals of a guide year (every year when None): what the list filters and pages. The
    filters that need each one's latest run annotate it (with_latest_run); a page gets it for its
    own rows only (rows_decorate), so a search over thousands never computes it for all of them."""
    return Proposal.objects.all() if year is None else Proposal.objects.filter(guide_year=year)


def with_latest_run(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """``queryset`` annotated with the id, status and overall of each proposal's latest run
    (screening.selectors.latest_runs_for_proposals), once."""
    if "latest_run_id" in queryset.query.annotations:
        return queryset
    return selectors.latest_runs_for_proposals(queryset)


def proposals_search(queryset: QuerySet[Proposal], term: str) -> QuerySet[Proposal]:
    """Proposals whose reference, title, research content, people's or units' names contain
    ``term``. On PostgreSQL through the GIN-indexed search document (proposals.search: one
    character → its unigram, two or more → their bigrams, AND-ed; other words as prefixes); elsewhere
    each whitespace-separated word as a case-insensitive substring of any of those fields."""
    term = (term or "").strip()
    if not term:
        return queryset
    if connection.vendor == "postgresql":
        query = tsquery_text(term)
        return queryset.filter(search__document__matches=query) if query else queryset
    for word in term.split():
        queryset = queryset.filter(
            Q(reference__icontains=word)
            | Q(title__icontains=word)
            | Q(research_content__icontains=word)
            | Exists(Person.objects.filter(proposal=OuterRef("pk"), name__icontains=word))
            | Exists(Unit.objects.filter(proposal=OuterRef("pk"), name__icontains=word))
        )
    return queryset


def proposals_with_lead_unit(queryset: QuerySet[Proposal], text: str) -> QuerySet[Proposal]:
    return queryset.filter(
        Exists(Unit.objects.filter(proposal=OuterRef("pk"), role=UnitRole.LEAD, name__icontains=text))
    )


def proposals_with_pi(queryset: QuerySet[Proposal], text: str) -> QuerySet[Proposal]:
    """The PI's name contains ``text``, or their ID number is ``text`` (upper case, no spaces)."""
    id_number = "".join(text.split()).upper()
    return queryset.filter(
        Exists(
            Person.objects.filter(proposal=OuterRef("pk"), role=PersonRole.PI).filter(
                Q(name__icontains=text) | Q(id_number=id_number)
            )
        )
    )


def proposals_in_area(queryset: QuerySet[Proposal], *, year: int | None, number: int) -> QuerySet[Proposal]:
    codes = Direction.objects.filter(area__number=number)
    if year is not None:
        codes = codes.filter(guide__year=year)
    return queryset.filter(direction_code__in=codes.values("code"))


def proposals_stale(queryset: QuerySet[Proposal], *, stale: bool) -> QuerySet[Proposal]:
    """Proposals whose latest result is (or is not) stale: a registry or the guide changed since
    (screening.selectors.stale_proposals over the whole set; four queries)."""
    rows = [_Row(pk, run_id) for pk, run_id in with_latest_run(queryset).values_list("pk", "latest_run_id")]
    ids = set(selectors.stale_proposals(rows))
    return queryset.filter(pk__in=ids) if stale else queryset.exclude(pk__in=ids)


def latest_runs() -> QuerySet[ScreeningRun]:
    """Every proposal's latest run (by queued_at, then id): the runs with no later run of the same
    proposal, which the database answers with one anti-join rather than a lookup per proposal."""
    later = ScreeningRun.objects.filter(proposal_id=OuterRef("proposal_id")).filter(
        Q(queued_at__gt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), pk__gt=OuterRef("pk"))
    )
    return ScreeningRun.objects.filter(~Exists(later))


def proposals_with_overall(queryset: QuerySet[Proposal], overall: str) -> QuerySet[Proposal]:
    """Proposals whose latest run's overall result is ``overall`` (NOT_SCREENED: no finished result,
    no run at all or one still queued or running)."""
    if overall == NOT_SCREENED:
        return queryset.exclude(pk__in=latest_runs().exclude(overall="").values("proposal_id"))
    if overall == RUN_FAILED:
        return queryset.filter(pk__in=latest_runs().filter(status=RunStatus.FAILED).values("proposal_id"))
    return queryset.filter(pk__in=latest_runs().filter(overall=overall).values("proposal_id"))


def proposals_failing(queryset: QuerySet[Proposal], rule: str) -> QuerySet[Proposal]:
    """Proposals whose latest run fails ``rule`` (as screening.selectors.proposals_failing), found
    from the runs failing it (the (rule, status) index) rather than from every proposal."""
    failing = Finding.objects.filter(run_id=OuterRef("pk"), rule=rule, status=Outcome.FAIL)
    return queryset.filter(pk__in=latest_runs().filter(Exists(failing)).values("proposal_id"))


@dataclass(frozen=True)
class _Row:
    pk: int
    latest_run_id: int | None


# Sortable columns (the only ones accepted), each with the index that keeps its pages fast.
SORTS = {
    "reference": "reference",
    "title": "title",
    "direction": "direction_code",
    "state": "state",
    "submitted": "submitted_at",
}
SORT_DEFAULT = "reference"
PAGE_SIZE = 50
_CURSOR_SALT = "screening.workspace.cursor"


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list: ``rows`` and opaque cursors of the pages before and
    after it (None at either end), ``start`` the position (from 1) of its first row, ``count`` the
    size of the whole list."""

    rows: list
    count: int
    start: int
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1


def sort_of(value: str | None) -> tuple[str, bool]:
    """A sort parameter ("title", "-submitted") as (whitelisted name, descending)."""
    value = value or SORT_DEFAULT
    descending = value.startswith("-")
    name = value.removeprefix("-")
    return (name, descending) if name in SORTS else (SORT_DEFAULT, False)


def _encode(value) -> object:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _decode(name: str, value):
    if value is None:
        return None
    if name == "submitted":
        return dt.datetime.fromisoformat(value)
    return str(value)


def _cursor(*, sort: str, value, pk: int, start: int, before: bool) -> str:
    return signing.dumps(
        {"s": sort, "v": _encode(value), "i": pk, "o": start, "b": before}, salt=_CURSOR_SALT, compress=True
    )


def cursor_read(cursor: str | None, *, sort: str) -> dict | None:
    """The position a cursor points at, or None for a missing, tampered or other sort's cursor."""
    if not cursor:
        return None
    try:
        data = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != sort or not isinstance(data.get("i"), int):
        return None
    try:
        name = sort.removeprefix("-")
        return {
            "value": _decode(name, data.get("v")),
            "pk": data["i"],
            "start": max(int(data.get("o", 1)), 1),
            "before": bool(data.get("b")),
        }
    except (TypeError, ValueError):
        return None


NULLABLE = {"submitted_at"}  # sort columns that may be NULL (drafts): NULLs come last either way


def _after(column: str, value, pk: int, *, descending: bool) -> Q:
    """Rows after (value, pk) in the order (column, id). The leading ``>=`` (``<=``) lets the
    index scan start at the cursor; the rest is checked on the few rows at its value."""
    beyond = "lt" if descending else "gt"
    if value is None:  # among the NULLs, which come last
        return Q(**{f"{column}__isnull": True, f"pk__{beyond}": pk})
    after = Q(**{f"{column}__{beyond}e": value}) & (
        Q(**{f"{column}__{beyond}": value}) | Q(**{column: value, f"pk__{beyond}": pk})
    )
    return after | Q(**{f"{column}__isnull": True}) if column in NULLABLE else after


def _before(column: str, value, pk: int, *, descending: bool) -> Q:
    """Rows before (value, pk) in the order (column, id), NULLs last."""
    ahead = "gt" if descending else "lt"
    if value is None:
        return Q(**{f"{column}__isnull": False}) | Q(**{f"{column}__isnull": True, f"pk__{ahead}": pk})
    return Q(**{f"{column}__{ahead}e": value}) & (
        Q(**{f"{column}__{ahead}": value}) | Q(**{column: value, f"pk__{ahead}": pk})
    )


def _ordering(column: str, *, descending: bool, reverse: bool) -> list:
    """(column, id) ascending or descending, or its exact reverse (to read the page before a
    cursor); a nullable column keeps its NULLs last in the forward order."""
    from django.db.models import F

    down = descending != reverse
    if column not in NULLABLE:
        key = F(column).desc() if down else F(column).asc()
    elif reverse:
        key = F(column).desc(nulls_first=True) if down else F(column).asc(nulls_first=True)
    else:
        key = F(column).desc(nulls_last=True) if down else F(column).asc(nulls_last=True)
    return [key, "-pk" if down else "pk"]


def keyset_page(
    queryset: QuerySet[Proposal], *, sort: str, cursor: str | None, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of ``queryset`` in the order of ``sort`` (a SORTS name, "-" for descending) and id,
    starting after (or ending before) the row a cursor names: a query of ``size + 1`` rows along an
    index however deep the page, plus one count."""
    name, descending = sort_of(sort)
    sort = f"-{name}" if descending else name
    column = SORTS[name]
    position = cursor_read(cursor, sort=sort)
    count = queryset.count()
    if position is None:
        rows = list(queryset.order_by(*_ordering(column, descending=descending, reverse=False))[: size + 1])
        page = KeysetPage(rows=rows[:size], count=count, start=1)
        more_after, more_before = len(rows) > size, False
    elif position["before"]:
        rows = list(
            queryset.filter(
                _before(column, position["value"], position["pk"], descending=descending)
            ).order_by(*_ordering(column, descending=descending, reverse=True))[: size + 1]
        )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        page = KeysetPage(rows=rows, count=count, start=max(position["start"], 1))
        more_after = True
    else:
        rows = list(
            queryset.filter(
                _after(column, position["value"], position["pk"], descending=descending)
            ).order_by(*_ordering(column, descending=descending, reverse=False))[: size + 1]
        )
        page = KeysetPage(rows=rows[:size], count=count, start=position["start"])
        more_after, more_before = len(rows) > size, True
    if page.rows and more_after:
        last = page.rows[-1]
        page.next_cursor = _cursor(
            sort=sort, value=getattr(last, column), pk=last.pk, start=page.end + 1, before=False
        )
    if page.rows and more_before:
        first = page.rows[0]
        page.prev_cursor = _cursor(
            sort=sort, value=getattr(first, column), pk=first.pk, start=max(page.start - size, 1), before=True
        )
    return page


@dataclass
class ListRow:
    """What a list row shows besides the proposal's own columns."""

    pi_name: str = ""
    pi_id: str = ""
    lead_unit: str = ""
    failing: list[tuple[str, str]] = field(default_factory=list)  # (rule id, title)
    staleness: selectors.Staleness | None = None


def rows_decorate(proposals: list[Proposal], *, lang: str) -> None:
    """Attach to each proposal of a page its latest run (``latest_run_id``, ``latest_run_status``,
    ``latest_overall``) and ``row`` (a ListRow): the PI, the lead unit, the conditions its latest
    run fails and why that run is stale. Seven queries for any page (none for an empty one)."""
    if not proposals:
        return
    ids = [p.pk for p in proposals]
    latest = {
        pk: rest
        for pk, *rest in selectors.latest_runs_for_proposals(Proposal.objects.filter(pk__in=ids)).values_list(
            "pk", "latest_run_id", "latest_run_status", "latest_overall"
        )
    }
    for p in proposals:
        p.latest_run_id, p.latest_run_status, p.latest_overall = latest.get(p.pk, (None, None, None))
    pis: dict[int, Person] = {}
    for person in Person.objects.filter(proposal_id__in=ids, role=PersonRole.PI).order_by("position", "id"):
        pis.setdefault(person.proposal_id, person)
    leads: dict[int, str] = {}
    for pid, name in (
        Unit.objects.filter(proposal_id__in=ids, role=UnitRole.LEAD)
        .order_by("position", "id")
        .values_list("proposal_id", "name")
    ):
        leads.setdefault(pid, name)
    runs = {p.latest_run_id: p.pk for p in proposals if p.latest_run_id}
    failing: dict[int, list] = defaultdict(list)
    if runs:
        for run_id, rule in (
            Finding.objects.filter(run_id__in=runs, status=Outcome.FAIL)
            .order_by("run_id", "position")
            .values_list("run_id", "rule")
        ):
            failing[runs[run_id]].append((rule, rule_title(rule, lang)))
    stale = selectors.stale_proposals(proposals)
    for p in proposals:
        pi = pis.get(p.pk)
        p.row = ListRow(
            pi_name=pi.name if pi else "",
            pi_id=pi.id_number if pi else "",
            lead_unit=leads.get(p.pk, ""),
            failing=failing.get(p.pk, []),
            staleness=stale.get(p.pk),
        )


def filter_choices(*, year: int | None) -> dict[str, list[tuple[str, str]]]:
    """The choices of the list's filters that depend on the data: the directions and areas of the
    year's guide. Two queries."""
    directions = Direction.objects.order_by("position")
    areas = Area.objects.order_by("number")
    if year is not None:
        directions = directions.filter(guide__year=year)
        areas = areas.filter(guide__year=year)
    return {
        "direction": [(code, f"{code} {title}") for code, title in directions.values_list("code", "title")],
        "area": [(str(n), f"{n}. {title}") for n, title in areas.values_list("number", "title").distinct()],
    }


# --- the dashboard -----------------------------------------------------------------


@dataclass
class DirectionCount:
    code: str
    title: str
    area: int | None
    handed_in: int
    drafts: int
    supported_min: int | None
    supported_max: int | None

    @property
    def per_supported(self) -> float | None:
        """Handed-in proposals per project the guide supports (its upper figure)."""
        if not self.supported_max:
            return None
        return round(self.handed_in / self.supported_max, 1)


@dataclass
class FailingRule:
    rule: str
    title: str
    clause: str
    clause_label: str
    clause_text: str
    count: int


@dataclass
class Dashboard:
    year: int | None
    guide: Guide | None
    total: int
    handed_in: int
    directions: list[DirectionCount]
    states: list[tuple[str, str, int]]  # (state, label, count)
    outcomes: list[tuple[str, str, int]]  # (overall or "none", label, count), handed-in proposals
    failing: list[FailingRule]
    stale: int
    days: list[tuple[dt.date, int]]  # submissions per day (Asia/Shanghai), no gaps


MAX_DAYS = 92  # the day series shows at most the last three months with submissions


def dashboard(*, year: int | None, lang: str) -> Dashboard:
    """The dashboard's figures for the proposals of a guide year: nine queries for any number
    (staleness judged by screening.selectors' rules once per distinct set of run inputs)."""
    guide = Guide.objects.filter(year=year).first() if year is not None else None
    proposals = Proposal.objects.all() if year is None else Proposal.objects.filter(guide_year=year)
    handed_in = proposals.filter(state__in=HANDED_IN)

    per_state: dict[str, int] = defaultdict(int)
    per_direction: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, state, n in (
        proposals.values_list("direction_code", "state").annotate(n=Count("id")).order_by("direction_code")
    ):
        per_state[state] += n
        per_direction[code][0 if state in HANDED_IN else 1] += n
    directions = []
    known = set()
    if guide is not None:
        for code, title, area in (
            Direction.objects.filter(guide=guide)
            .order_by("position")
            .values_list("code", "title", "area__number")
        ):
            known.add(code)
            handed, drafts = per_direction.get(code, (0, 0))
            directions.append(
                DirectionCount(code, title, area, handed, drafts, guide.projects_min, guide.projects_max)
            )
    for code in sorted(set(per_direction) - known):  # codes the guide does not have (or no guide)
        handed, drafts = per_direction[code]
        directions.append(DirectionCount(code, "", None, handed, drafts, None, None))

    # the latest runs of the handed-in proposals: their results, failures and staleness
    latest = latest_run_ids(handed_in)
    outcome_counts: dict[str, int] = defaultdict(int)
    stale = 0
    groups = list(
        ScreeningRun.objects.filter(pk__in=latest)
        .values_list("overall", "inputs")
        .annotate(n=Count("id"))
        .order_by()
    )
    registries, guides = selectors._current_inputs([inputs for _overall, inputs, _n in groups])
    for overall, inputs, n in groups:
        outcome_counts[overall or NOT_SCREENED] += n
        if selectors._staleness(inputs or {}, registries=registries, guides=guides) is not None:
            stale += n
    handed_in_count = sum(n for s, n in per_state.items() if s in HANDED_IN)
    outcome_counts[NOT_SCREENED] += handed_in_count - sum(n for _o, _i, n in groups)  # never screened
    outcomes = [
        (o.value, labels.status_label(o.value, lang), outcome_counts.get(o.value, 0)) for o in Outcome
    ]
    outcomes.append((NOT_SCREENED, labels.say(_NOT_SCREENED, lang), outcome_counts[NOT_SCREENED]))
    failing = failing_rules(latest, guide=guide, lang=lang)
    return Dashboard(
        year=year,
        guide=guide,
        total=sum(per_state.values()),
        handed_in=handed_in_count,
        directions=directions,
        states=[(s.value, s.label, per_state.get(s.value, 0)) for s in ProposalState],
        outcomes=outcomes,
        failing=failing,
        stale=stale,
        days=submissions_per_day(handed_in),
    )


def latest_run_ids(proposals: QuerySet[Proposal]) -> QuerySet:
    """The ids of the latest run of each of ``proposals`` (latest_runs), as a subquery."""
    return latest_runs().filter(proposal__in=proposals.values("pk")).values("pk")


VARIES = "*"  # a rule's clause when its findings cite several (a clause of each guide direction)


@dataclass
class RuleTotal:
    """A rule over a set of runs: how many of them have a finding of it in each status, and the
    clause it enforces ("" for none, VARIES when the runs' findings cite different clauses)."""

    rule: str
    counts: dict[str, int] = field(default_factory=dict)
    clause: str | None = None


def rule_totals(runs, *, statuses: Iterable[str] | None = None) -> dict[str, RuleTotal]:
    """Per rule, the runs ``runs`` (ids, or a subquery of them) with a finding of it in each
    status: the one count of the dashboard, the per-rule sheet of the exports and anything else
    that says how many proposals fail a rule (each proposal counted once, whatever its number of
    findings of the rule). One query."""
    findings = Finding.objects.filter(run_id__in=runs)
    if statuses is not None:
        findings = findings.filter(status__in=list(statuses))
    totals: dict[str, RuleTotal] = {}
    for row in (
        findings.values("rule", "status")
        .annotate(n=Count("run_id", distinct=True), low=Min("clause"), high=Max("clause"))
        .order_by()
    ):
        total = totals.setdefault(row["rule"], RuleTotal(row["rule"]))
        total.counts[row["status"]] = row["n"]
        total.clause = clause_merge(total.clause, row["low"] if row["low"] == row["high"] else VARIES)
    return totals


def clause_merge(a: str | None, b: str | None) -> str | None:
    """The clause of a rule over two sets of runs (None: no finding yet)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if a == b else VARIES


def failing_rules(latest: QuerySet, *, guide: Guide | None, lang: str, limit: int = 10) -> list[FailingRule]:
    """The conditions the runs ``latest`` (the latest of each proposal: latest_run_ids) fail most
    (runs per rule, most first: rule_totals), with the clause each enforces and its text in the
    guide (none for a rule whose clause differs by direction). Two queries."""
    totals = sorted(
        rule_totals(latest, statuses=["fail"]).values(), key=lambda t: (-t.counts.get("fail", 0), t.rule)
    )[:limit]
    texts = dict(FormalClause.objects.filter(guide=guide).values_list("clause", "text")) if guide else {}
    return [
        FailingRule(
            rule=t.rule,
            title=rule_title(t.rule, lang),
            clause=t.clause or "",
            clause_label=clause_display(t.clause, lang),
            clause_text=texts.get(t.clause or "", ""),
            count=t.counts.get("fail", 0),
        )
        for t in totals
    ]


_VARIES = pgettext_lazy("预审结果", "因指南方向而异")
_NOT_SCREENED = pgettext_lazy("预审结果", "未预审")


def clause_display(clause: str | None, lang: str) -> str:
    """A rule's clause as people read it ("形式审查 2(1)"), VARIES as such, "" for none."""
    if not clause:
        return ""
    if clause == VARIES:
        return labels.say(_VARIES, lang)
    return labels.clause_label(clause, lang)


def submissions_per_day(proposals: QuerySet[Proposal]) -> list[tuple[dt.date, int]]:
    """Handed-in proposals per day of submission (in the site's time zone), from the first day with
    one to the last (at most the last MAX_DAYS days), days without any as 0. One query."""
    counts = dict(
        proposals.filter(submitted_at__isnull=False)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - dt.timedelta(days=MAX_DAYS - 1))
    return [
        (first + dt.timedelta(days=k), counts.get(first + dt.timedelta(days=k), 0))
        for k in range((last - first).days + 1)
    ]


# --- bulk jobs ---------------------------------------------------------------------


def jobs_of(*, user) -> QuerySet[BulkJob]:
    """The bulk jobs ``user`` asked for (nobody sees anyone else's), newest first."""
    return BulkJob.objects.filter(requested_by=user).defer("proposal_ids").order_by("-created_at", "-id")


def job_for(*, user, pk: int) -> BulkJob | None:
    return BulkJob.objects.filter(requested_by=user, pk=pk).select_related("batch").first()


def ids_in_order(queryset: QuerySet[Proposal], *, sort: str, limit: int) -> list[int]:
    """The ids of a filtered list in its sort order (what a bulk job over "the whole filtered
    set" freezes), at most ``limit`` + 1 (so that the caller can tell it is over). One query."""
    name, descending = sort_of(sort)
    order = _ordering(SORTS[name], descending=descending, reverse=False)
    return list(queryset.order_by(*order).values_list("pk", flat=True)[: limit + 1])


def ids_existing(ids: Iterable[int]) -> list[int]:
    """Among ``ids``, those of proposals that exist, in the order given. One query."""
    ids = list(ids)
    known = set(Proposal.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return [i for i in ids if i in known]
