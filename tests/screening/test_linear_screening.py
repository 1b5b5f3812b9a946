"""Screening that stays linear (issue 15, item 8): a chunk reads its proposals as rows rather than
model instances, finds other proposals by key, skips work that a first claim cannot need, and
compares results through the index of finished runs. The same answers as before; the speed is
measured in bench/bench_screening.py."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from proposals.models import Attachment, Proposal, Subtask
from screening import selectors, services
from screening.models import Finding, ScreeningRun
from screening.notifications import RESULT_CHANGED
from tests.factories.proposals import make_user
from tests.factories.screening_db import distinct_text, make_proposal

pytestmark = pytest.mark.django_db
_distinct = itertools.count()


def _with_subtasks_and_files(proposal: Proposal) -> Proposal:
    Subtask.objects.create(
        proposal=proposal,
        position=1,
        name="课题二",
        lead_unit="参与企业",
        lead_name="李四",
        lead_id_number="11010519800101001x",
        national_funding=Decimal("120.50"),
    )
    Subtask.objects.create(
        proposal=proposal, position=0, name="课题一", lead_unit="牵头大学", lead_name="张三"
    )
    Attachment.objects.create(proposal=proposal, kind="cooperation_agreement", sha256="f" * 64)
    Attachment.objects.create(proposal=proposal, kind="employment_proof", sha256="1" * 64)
    return proposal


def test_a_chunk_reads_the_same_snapshots_and_files_as_one_proposal_does():
    proposals = [
        _with_subtasks_and_files(make_proposal(members=3, foreign_countries=("DE", "FR"))),
        make_proposal(members=0, attachments=()),
        make_proposal(state="draft", domestic_participants=2),
    ]
    ids = [p.pk for p in proposals]
    expected = {
        p.pk: selectors.ScreeningInput(
            selectors.snapshot_of(p), sorted(a.sha256 for a in p.attachments.all())
        )
        for p in selectors.proposals_for_screening(ids)
    }
    inputs = selectors.screening_inputs(ids)
    assert inputs == expected
    first = inputs[ids[0]]
    assert [(s.index, s.name, s.lead.id_number) for s in first.snapshot.subtasks] == [
        (0, "课题一", None),
        (1, "课题二", "11010519800101001X"),
    ]
    assert first.files == ["0" * 64, "1" * 64, "f" * 64]
    assert first.snapshot.attachments == {
        "recommendation_letter",
        "cooperation_agreement",
        "employment_proof",
    }
    # the run's data hash (what screening_request compares) is the same either way
    assert {pk: selectors.snapshot_sha256(i.snapshot, files=i.files) for pk, i in inputs.items()} == {
        pk: selectors.snapshot_sha256(i.snapshot, files=i.files) for pk, i in expected.items()
    }


def test_a_chunk_reads_its_proposals_in_five_queries():
    ids = [make_proposal(members=2).pk for _ in range(4)]
    with CaptureQueriesContext(connection) as ctx:
        selectors.screening_inputs(ids)
    assert len(ctx.captured_queries) == 5


def test_any_of_finds_the_rows_in_the_list_and_none_for_an_empty_one():
    a, b, _c = make_proposal(), make_proposal(), make_proposal()
    found = Proposal.objects.filter(selectors.AnyOf(F("pk"), {a.pk, b.pk})).order_by("pk")
    assert list(found.values_list("pk", flat=True)) == [a.pk, b.pk]
    assert list(Proposal.objects.filter(selectors.AnyOf(F("pk"), []))) == []
    by_reference = Proposal.objects.filter(selectors.AnyOf(F("reference"), [a.reference, "nothing"]))
    assert list(by_reference.values_list("pk", flat=True)) == [a.pk]


def test_a_reclaimed_run_starts_clean(guide2022, all_registries_empty):
    proposal = make_proposal()
    # claimed once already (its worker was lost, the sweep queued it again), a stray finding left
    run = ScreeningRun.objects.create(proposal=proposal, attempts=1)
    Finding.objects.create(run=run, position=99, rule="stray", status="fail", message_id="stray")
    assert services.screening_execute(run_ids=[run.pk]) == [run.pk]
    positions = list(run.findings.order_by("position").values_list("position", flat=True))
    assert positions == list(range(len(positions)))
    assert run.findings.filter(rule="stray").exists() is False


def test_a_first_claim_deletes_no_findings(guide2022, all_registries_empty):
    run = ScreeningRun.objects.create(proposal=make_proposal())
    with CaptureQueriesContext(connection) as ctx:
        services.screening_execute(run_ids=[run.pk])
    assert [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('DELETE FROM "screening_finding"')
    ] == []
    assert run.findings.count() == len(set(run.findings.values_list("position", flat=True)))


def _finish(proposal, *, overall: str, status: str = "done") -> ScreeningRun:
    return ScreeningRun.objects.create(proposal=proposal, status=status, overall=overall, reason="batch")


def test_the_previous_result_is_the_latest_finished_run_before_it(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    """Runs that failed, or have not finished, between two results are not the previous result."""
    owner = make_user("ann")
    proposal = make_proposal(owner=owner, matching="0")  # below the direction's ratio: fails
    _finish(proposal, overall="pass")
    _finish(proposal, overall="fail")
    _finish(proposal, overall="warn")  # the latest finished one before the new run
    _finish(proposal, overall="", status="failed")
    run = ScreeningRun.objects.create(proposal=proposal, reason="batch")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.screening_execute(run_ids=[run.pk]) == [run.pk]
    run.refresh_from_db()
    assert run.overall == "fail"
    told = list(owner.notifications.filter(kind=RESULT_CHANGED).values_list("params", flat=True))
    assert [(p["before"], p["after"]) for p in told] == [("warn", "fail")]


def test_a_run_compares_with_an_earlier_run_of_its_own_chunk(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("bob")
    proposal = make_proposal(owner=owner, research_content=distinct_text(7000 + next(_distinct), 200))
    _finish(proposal, overall="warn")
    first = ScreeningRun.objects.create(proposal=proposal, reason="batch")
    second = ScreeningRun.objects.create(proposal=proposal, reason="batch")
    Proposal.objects.filter(pk=proposal.pk).update(matching_funding=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.screening_execute(run_ids=[first.pk, second.pk]) == [first.pk, second.pk]
    # the first run changed warn → fail; the second, compared with the first, changed nothing
    told = list(owner.notifications.filter(kind=RESULT_CHANGED).values_list("params", flat=True))
    assert [(p["before"], p["after"]) for p in told] == [("warn", "fail")]


def test_a_chunk_commits_without_a_check_per_finding_and_a_deleted_run_takes_its_findings():
    """Findings carry no database foreign key to their run (the ~6,400 per-row checks of a chunk's
    commit went through the wrong index on stale statistics); Django still deletes them with it."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Finding._meta.db_table)
    assert not [c for c in constraints.values() if c["foreign_key"]]
    assert any(c["columns"] == ["run_id"] and c["index"] for c in constraints.values())
    proposal = make_proposal()
    run = ScreeningRun.objects.create(proposal=proposal, reason="check")
    services.screening_execute(run_ids=[run.pk])
    assert Finding.objects.filter(run=run).count() > 20
    proposal.delete()
    assert not Finding.objects.filter(run_id=run.pk).exists()
