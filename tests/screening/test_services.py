from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from screening import services
from screening.models import Finding, RegistryLoad, ScreeningRun
from screening.rules.registry import RULES
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


def statuses(run: ScreeningRun) -> dict[str, str]:
    result = {}
    for f in run.findings.order_by("position"):
        if f.status == "fail" or f.rule not in result:
            result[f.rule] = f.status
    return result


def request_and_run(proposal, django_capture_on_commit_callbacks, **kwargs) -> ScreeningRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.screening_request(proposal=proposal, **kwargs)
    run.refresh_from_db()
    return run


def test_clean_proposal_passes_every_rule(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    run = request_and_run(proposal, django_capture_on_commit_callbacks)
    got = statuses(run)
    assert run.status == "done"
    assert set(got) == set(RULES)
    failing = {rule: s for rule, s in got.items() if s in ("fail", "unknown")}
    assert failing == {}
    assert run.ruleset_version != ""
    assert len(run.data_sha256) == 64
    proposal.refresh_from_db()
    assert proposal.state == "screened"


def test_unloaded_registries_make_their_rules_unknown(guide2022, django_capture_on_commit_callbacks):
    run = request_and_run(make_proposal(), django_capture_on_commit_callbacks)
    got = statuses(run)
    assert got["pi.ongoing_project"] == "unknown"
    assert got["person.integrity"] == "unknown"
    assert got["recommendation.recommender"] == "unknown"
    assert run.overall == "warn"


def test_old_pi_fails_pi_age_with_guide_date(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    from datetime import date

    run = request_and_run(make_proposal(pi_birth=date(1961, 12, 31)), django_capture_on_commit_callbacks)
    assert statuses(run)["pi.age"] == "fail"
    assert run.overall == "fail"


def test_executing_the_same_run_twice_keeps_one_set_of_findings(
    guide2022, django_capture_on_commit_callbacks
):
    run = request_and_run(make_proposal(), django_capture_on_commit_callbacks)
    before = Finding.objects.filter(run=run).count()
    assert services.screening_execute(run_ids=[run.pk]) == []
    assert Finding.objects.filter(run=run).count() == before
    assert ScreeningRun.objects.count() == 1


def test_same_pi_in_two_submissions_fails_both_and_rescreens_the_earlier(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    first = make_proposal(pi_id="11010519491231002X")
    request_and_run(first, django_capture_on_commit_callbacks)
    second = make_proposal(pi_id="11010519491231002X")
    run2 = request_and_run(second, django_capture_on_commit_callbacks)
    assert statuses(run2)["pi.single_project"] == "fail"
    latest_first = first.screening_runs.order_by("-pk").first()
    assert latest_first.reason == "collision"
    assert statuses(latest_first)["pi.single_project"] == "fail"
    assert ScreeningRun.objects.count() == 3  # no endless ping-pong


def test_drafts_do_not_collide_with_submissions(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    make_proposal(pi_id="11010519491231002X", state="draft")
    run = request_and_run(make_proposal(pi_id="11010519491231002X"), django_capture_on_commit_callbacks)
    assert statuses(run)["pi.single_project"] == "pass"


def test_registry_loaded_as_empty_list_passes_and_listed_person_fails(
    guide2022, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    pi = proposal.people.get(role="pi")
    services.registries_import(data={"misconduct": []})
    assert (
        statuses(request_and_run(proposal, django_capture_on_commit_callbacks))["person.integrity"] == "pass"
    )
    services.registries_import(data={"misconduct": [{"id_number": pi.id_number, "name": pi.name}]})
    assert (
        statuses(request_and_run(proposal, django_capture_on_commit_callbacks))["person.integrity"] == "fail"
    )


def test_registry_import_rejects_bad_rows_and_writes_nothing():
    with pytest.raises(services.RegistryImportError) as exc:
        services.registries_import(data={"guide_experts": [{"name": "no id"}]})
    assert str(exc.value) == "registries.guide_experts[0].id_number: required"
    assert RegistryLoad.objects.count() == 0


def test_registry_import_rejects_unknown_registry():
    with pytest.raises(services.RegistryImportError) as exc:
        services.registries_import(data={"blacklist": []})
    assert str(exc.value) == "unknown registries: blacklist"


def test_registry_csv_import_for_recommenders():
    count = services.registry_import_csv(name="recommenders", text="name\n科学技术部国际合作司\n某省科技厅\n")
    assert count == 2
    assert RegistryLoad.objects.get(name="recommenders").entries == 2


def test_stale_running_run_is_requeued(guide2022, django_capture_on_commit_callbacks):
    proposal = make_proposal()
    run = ScreeningRun.objects.create(
        proposal=proposal, status="running", started_at=timezone.now() - timedelta(hours=2), attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.runs_requeue_stale() == [run.pk]
    run.refresh_from_db()
    assert run.status == "done"
    assert run.attempts == 2


def test_stale_run_fails_after_max_attempts():
    proposal = make_proposal()
    run = ScreeningRun.objects.create(
        proposal=proposal, status="running", started_at=timezone.now() - timedelta(hours=2), attempts=3
    )
    assert services.runs_requeue_stale() == []
    run.refresh_from_db()
    assert run.status == "failed"


def _batch_queries(n: int, django_capture_on_commit_callbacks) -> int:
    proposals = [make_proposal() for _ in range(n)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.screening_batch_create(proposals=proposals)
    ids = list(batch.runs.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        assert sorted(services.screening_execute(run_ids=ids)) == sorted(ids)
    # bulk inserts of findings are split by the backend's parameter limit: count the rest
    return len(
        [q for q in ctx.captured_queries if not q["sql"].startswith('INSERT INTO "screening_finding"')]
    )


def test_batch_screening_query_count_is_constant(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    small = _batch_queries(3, django_capture_on_commit_callbacks)
    large = _batch_queries(12, django_capture_on_commit_callbacks)
    assert small == large


def test_failed_run_gives_the_proposal_back_to_submitted(
    guide2022, monkeypatch, django_capture_on_commit_callbacks
):
    from screening import selectors

    def broken():
        raise RuntimeError("registry table unreadable")

    monkeypatch.setattr(selectors, "registries_current", broken)
    proposal = make_proposal()
    run = request_and_run(proposal, django_capture_on_commit_callbacks)
    proposal.refresh_from_db()
    assert (run.status, run.error) == ("failed", "RuntimeError: registry table unreadable")
    assert proposal.state == "submitted"


def test_run_left_queued_too_long_is_enqueued_again(guide2022, django_capture_on_commit_callbacks):
    proposal = make_proposal()
    run = ScreeningRun.objects.create(proposal=proposal)
    ScreeningRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.runs_requeue_stale() == [run.pk]
    run.refresh_from_db()
    assert run.status == "done"


def test_giving_up_on_a_stale_run_releases_its_proposal(guide2022):
    proposal = make_proposal(state="screening")
    ScreeningRun.objects.create(
        proposal=proposal, status="running", started_at=timezone.now() - timedelta(hours=2), attempts=3
    )
    services.runs_requeue_stale()
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
