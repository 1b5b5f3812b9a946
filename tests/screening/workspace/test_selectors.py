"""The workspace's reads: the dashboard's figures against known data, keyset pages."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from proposals.models import Proposal
from screening import registries
from screening.workspace import selectors
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal
from tests.factories.workspace import bulk_proposals, submitted_on

pytestmark = pytest.mark.django_db


def test_dashboard_counts_per_direction_state_and_result(three):
    a, b, c = three
    make_proposal(reference="P-D", direction="1.1", state="draft")
    make_proposal(reference="P-E", direction="1.2", state="submitted")  # handed in, not screened yet
    data = selectors.dashboard(year=2022, lang="zh")
    assert (data.total, data.handed_in) == (5, 4)
    rows = {d.code: (d.handed_in, d.drafts, d.supported_min, d.supported_max) for d in data.directions}
    assert (rows["1.1"], rows["1.2"], rows["2.1"]) == ((2, 1, 1, 2), (2, 0, 1, 2), (0, 0, 1, 2))
    assert len(data.directions) == 39
    assert dict((s, n) for s, _label, n in data.states) == {
        "draft": 1,
        "submitted": 1,
        "screening": 0,
        "screened": 3,
    }
    assert dict((o, n) for o, _label, n in data.outcomes) == {
        "pass": 0,
        "fail": 2,
        "warn": 1,
        "unknown": 0,
        "not_applicable": 0,
        "none": 1,
    }


def test_supported_ratio_is_handed_in_per_supported_project(three):
    data = selectors.dashboard(year=2022, lang="zh")
    assert next(d for d in data.directions if d.code == "1.1").per_supported == 1.0


def test_dashboard_names_the_failing_conditions_with_their_clause(three):
    failing = selectors.dashboard(year=2022, lang="zh").failing
    assert [(f.rule, f.count, f.clause_label) for f in failing] == [("pi.age", 2, "形式审查 2(1)")]
    assert failing[0].title == "项目负责人年龄"
    assert failing[0].clause_text.startswith("项目负责人")


def test_failing_conditions_in_english(three):
    failing = selectors.dashboard(year=2022, lang="en").failing
    assert (failing[0].title, failing[0].clause_label) == ("PI age", "Formal review 2(1)")


def test_stale_results_are_counted_after_a_registry_is_reloaded(three):
    assert selectors.dashboard(year=2022, lang="zh").stale == 0
    registries.registries_import(data={"recommenders": ["科学技术部国际合作司", "北京市科学技术委员会"]})
    assert selectors.dashboard(year=2022, lang="zh").stale == 3


def test_submissions_per_day_fill_the_days_between(three):
    a, b, c = three
    submitted_on(a, dt.date(2022, 5, 1), hour=23)  # 23:00 in Shanghai is still 1 May
    submitted_on(b, dt.date(2022, 5, 1), hour=0)
    submitted_on(c, dt.date(2022, 5, 4))
    assert selectors.dashboard(year=2022, lang="zh").days == [
        (dt.date(2022, 5, 1), 2),
        (dt.date(2022, 5, 2), 0),
        (dt.date(2022, 5, 3), 0),
        (dt.date(2022, 5, 4), 1),
    ]


def test_the_day_series_keeps_the_last_92_days():
    owner = make_user()
    generated = bulk_proposals(2, owner=owner)
    Proposal.objects.filter(pk=generated[0].id).update(
        submitted_at=dt.datetime(2022, 1, 1, 12, tzinfo=dt.UTC)
    )
    Proposal.objects.filter(pk=generated[1].id).update(
        submitted_at=dt.datetime(2022, 6, 30, 12, tzinfo=dt.UTC)
    )
    days = selectors.submissions_per_day(Proposal.objects.all())
    assert (len(days), days[0], days[-1]) == (92, (dt.date(2022, 3, 31), 0), (dt.date(2022, 6, 30), 1))


def test_an_empty_year_has_no_figures(guide2022):
    data = selectors.dashboard(year=2022, lang="zh")
    assert (data.total, data.failing, data.days, data.stale) == (0, [], [], 0)
    assert {d.handed_in for d in data.directions} == {0}


# --- keyset pages ---------------------------------------------------------------------


@pytest.fixture
def listed(db):
    """23 proposals: directions in turn (many ties), two drafts without a submission time."""
    owner = get_user_model().objects.create_user("lister")
    generated = bulk_proposals(23, owner=owner, directions=("1.1", "1.2", "2.1"))
    Proposal.objects.filter(pk__in=[generated[3].id, generated[17].id]).update(
        state="draft", submitted_at=None
    )
    return generated


def walk(sort: str, size: int = 5) -> tuple[list[int], list[list[int]]]:
    """Every page forward from the first, then back again from the last by the prev cursors."""
    qs = selectors.proposals_for_workspace(year=2022)
    forward, pages, cursor = [], [], None
    while True:
        page = selectors.keyset_page(qs, sort=sort, cursor=cursor, size=size)
        pages.append([p.pk for p in page.rows])
        forward += pages[-1]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    back = [[p.pk for p in page.rows]]
    while page.prev_cursor is not None:
        page = selectors.keyset_page(qs, sort=sort, cursor=page.prev_cursor, size=size)
        back.append([p.pk for p in page.rows])
    return forward, back


def expected(sort: str) -> list[int]:
    """The order in Python: by the column, NULLs last, then id; reversed for "-"."""
    name, descending = selectors.sort_of(sort)
    column = selectors.SORTS[name]
    rows = list(Proposal.objects.values_list(column, "pk"))
    present = sorted(((v, pk) for v, pk in rows if v is not None), reverse=descending)
    missing = sorted(((v, pk) for v, pk in rows if v is None), key=lambda r: r[1], reverse=descending)
    return [pk for _v, pk in present + missing]


@pytest.mark.parametrize(
    "sort",
    [
        "reference",
        "-reference",
        "title",
        "-title",
        "direction",
        "-direction",
        "state",
        "submitted",
        "-submitted",
    ],
)
def test_pages_cover_the_list_once_in_order_both_ways(listed, sort):
    forward, back = walk(sort)
    assert forward == expected(sort)
    assert [pk for page in reversed(back) for pk in page] == forward
    assert [len(page) for page in reversed(back)] == [5, 5, 5, 5, 3]


def test_page_positions_and_count(listed):
    qs = selectors.proposals_for_workspace(year=2022)
    first = selectors.keyset_page(qs, sort="reference", cursor=None, size=10)
    second = selectors.keyset_page(qs, sort="reference", cursor=first.next_cursor, size=10)
    third = selectors.keyset_page(qs, sort="reference", cursor=second.next_cursor, size=10)
    assert [(p.start, p.end, p.count) for p in (first, second, third)] == [
        (1, 10, 23),
        (11, 20, 23),
        (21, 23, 23),
    ]
    assert (first.prev_cursor, third.next_cursor) == (None, None)
    back = selectors.keyset_page(qs, sort="reference", cursor=third.prev_cursor, size=10)
    assert ((back.start, back.end), [p.pk for p in back.rows]) == ((11, 20), [p.pk for p in second.rows])


def test_a_tampered_or_other_sorts_cursor_gives_the_first_page(listed):
    qs = selectors.proposals_for_workspace(year=2022)
    first = selectors.keyset_page(qs, sort="title", cursor=None, size=5)
    other = selectors.keyset_page(qs, sort="reference", cursor=first.next_cursor, size=5)
    tampered = selectors.keyset_page(qs, sort="title", cursor=first.next_cursor[:-2] + "xx", size=5)
    reference_first = selectors.keyset_page(qs, sort="reference", cursor=None, size=5)
    assert [p.pk for p in other.rows] == [p.pk for p in reference_first.rows]
    assert [p.pk for p in tampered.rows] == [p.pk for p in first.rows]


def test_an_unknown_sort_is_the_default():
    assert (selectors.sort_of("owner__password"), selectors.sort_of("-title"), selectors.sort_of(None)) == (
        ("reference", False),
        ("title", True),
        ("reference", False),
    )


def test_an_empty_list_is_one_empty_page(db):
    page = selectors.keyset_page(selectors.proposals_for_workspace(year=2022), sort="reference", cursor=None)
    assert (page.rows, page.count, page.next_cursor, page.prev_cursor) == ([], 0, None, None)


def test_result_filters_read_each_proposals_latest_run_only(three, screen):
    from proposals.models import Person

    a, b, c = three
    Person.objects.filter(proposal=b, role="pi").update(birth_date=dt.date(1975, 5, 4), id_number="")
    screen([b])  # b's newer run passes pi.age; its older run still fails it
    qs = selectors.proposals_for_workspace(year=2022)
    failing = sorted(selectors.proposals_failing(qs, "pi.age").values_list("reference", flat=True))
    assert failing == ["P-C"]
    assert sorted(selectors.proposals_with_overall(qs, "warn").values_list("reference", flat=True)) == ["P-A"]
    make_proposal(reference="P-N", state="submitted")
    assert list(
        selectors.proposals_with_overall(qs, selectors.NOT_SCREENED).values_list("reference", flat=True)
    ) == ["P-N"]
