"""Results record the registry and guide versions they used; a run whose inputs
changed since is stale; the owner is told what changed since they last looked."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guide.models import Guide, GuideVersion
from guide.services import correction_add, guide_ingest, version_create_from_file, version_publish
from proposals.models import Attachment, Proposal, Subtask
from screening import registries, selectors, services
from screening.models import RegistryLoad, ReportView, ScreeningBatch, ScreeningRun
from screening.selectors import Staleness
from screening.workspace.models import BulkJob
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal
from tests.screening.conftest import GUIDE_2022

pytestmark = pytest.mark.django_db

ALL_LOADED_ONCE = {"ongoing_projects": 1, "misconduct": 1, "guide_experts": 1, "recommenders": 1}


def run_for(proposal, django_capture_on_commit_callbacks, **kwargs) -> ScreeningRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.screening_request(proposal=proposal, **kwargs)
    run.refresh_from_db()
    return run


def batch_for(proposals, django_capture_on_commit_callbacks, *, by) -> list[ScreeningRun]:
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.screening_batch_create(proposals=proposals, by=by)
    return list(batch.runs.order_by("pk"))


WORKSPACE_LIST = "/screening/workspace/proposals/?year=2022"  # the officers' list (the overview's successor)


def report(client, user, proposal, *, lang: str = "zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client.get(f"/screening/proposals/{proposal.pk}/")


# --- versions ----------------------------------------------------------------------


def test_every_load_or_edit_of_a_registry_increments_its_version_only(db):
    registries.registries_import(data={"guide_experts": [], "recommenders": ["甲"]})
    registries.registries_import(data={"recommenders": ["乙"]})
    registries.registry_import_csv(name="recommenders", text="name\n丙\n")
    registries.registry_touch(name="recommenders")
    versions = dict(RegistryLoad.objects.values_list("name", "version"))
    assert versions == {"guide_experts": 1, "recommenders": 4}
    assert RegistryLoad.objects.get(name="recommenders").entries == 1


def test_a_run_records_the_registry_versions_and_the_guide_it_used(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    guide = Guide.objects.get(year=2022)
    version = GuideVersion.objects.get(year=2022, number=1)
    assert run.inputs == {
        "registries": ALL_LOADED_ONCE,
        "guide": {"year": 2022, "id": guide.pk, "version": "2022 v1", "version_id": version.pk},
    }


def test_a_run_on_rows_written_without_a_version_records_their_ingest_time(
    all_registries_empty, django_capture_on_commit_callbacks
):
    from guide.parsing.readers import parse_file
    from guide.services import guide_save

    guide = guide_save(parsed=parse_file(GUIDE_2022))
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    guide.refresh_from_db()
    assert run.inputs["guide"] == {"year": 2022, "id": guide.pk, "version": guide.ingested_at.isoformat()}


def test_a_run_records_version_zero_for_registries_not_loaded(guide2022, django_capture_on_commit_callbacks):
    registries.registries_import(data={"misconduct": []})
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    assert run.inputs["registries"] == {
        "ongoing_projects": 0,
        "misconduct": 1,
        "guide_experts": 0,
        "recommenders": 0,
    }


def test_a_run_without_a_guide_records_the_year_and_no_guide(
    all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    assert run.inputs["guide"] == {"year": 2022, "id": None, "version": None}


def test_batch_runs_record_their_inputs(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    runs = batch_for([make_proposal(), make_proposal()], django_capture_on_commit_callbacks, by=None)
    assert [r.inputs["registries"] for r in runs] == [ALL_LOADED_ONCE, ALL_LOADED_ONCE]


# --- stale -------------------------------------------------------------------------


def test_a_fresh_run_is_not_stale(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    assert selectors.run_is_stale(run=run) is False


def test_reloading_a_registry_makes_earlier_runs_stale(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    registries.registry_import_csv(name="guide_experts", text="id_number,name\n11010519491231002X,张三\n")
    assert selectors.run_is_stale(run=run) is True


def test_editing_a_registry_by_hand_makes_earlier_runs_stale(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    registries.registry_touch(name="misconduct")
    assert selectors.run_is_stale(run=run) is True


def test_loading_a_registry_that_was_not_loaded_makes_earlier_runs_stale(
    guide2022, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    registries.registries_import(data={"recommenders": ["科学技术部国际合作司"]})
    assert selectors.run_is_stale(run=run) is True


def test_reingesting_the_guide_makes_earlier_runs_stale(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    guide_ingest(path=GUIDE_2022)
    assert selectors.run_is_stale(run=run) is True


def test_a_guide_ingested_for_a_year_that_had_none_makes_earlier_runs_stale(
    all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    guide_ingest(path=GUIDE_2022)
    assert selectors.run_is_stale(run=run) is True


def test_a_run_after_the_reload_is_not_stale(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    run_for(proposal, django_capture_on_commit_callbacks)
    registries.registry_touch(name="misconduct")
    rerun = run_for(proposal, django_capture_on_commit_callbacks)
    assert selectors.run_is_stale(run=rerun) is False


def test_a_run_without_recorded_inputs_is_not_stale(guide2022, all_registries_empty):
    run = ScreeningRun.objects.create(proposal=make_proposal(), status="done")
    registries.registry_touch(name="misconduct")
    assert selectors.run_is_stale(run=run) is False


def test_stale_proposal_ids_names_the_proposals_whose_latest_run_is_stale(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    old, fresh, never = make_proposal(), make_proposal(), make_proposal()
    run_for(old, django_capture_on_commit_callbacks)
    registries.registry_touch(name="misconduct")
    run_for(fresh, django_capture_on_commit_callbacks)
    rows = selectors.latest_runs_for_proposals(Proposal.objects.filter(pk__in=[old.pk, fresh.pk, never.pk]))
    assert selectors.stale_proposal_ids(rows) == {old.pk}


def test_stale_proposal_ids_query_count_is_constant(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    def queries(n: int) -> int:
        batch_for([make_proposal() for _ in range(n)], django_capture_on_commit_callbacks, by=None)
        registries.registry_touch(name="misconduct")
        rows = list(selectors.latest_runs_for_proposals(Proposal.objects.all()))
        with CaptureQueriesContext(connection) as ctx:
            stale = selectors.stale_proposal_ids(rows)
        assert stale == {p.pk for p in rows}
        return len(ctx.captured_queries)

    assert queries(2) == queries(10) == 3


# --- the report page ---------------------------------------------------------------


@pytest.fixture
def stale_report(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    proposal = make_proposal(owner=make_user("stale-owner"))
    run_for(proposal, django_capture_on_commit_callbacks)
    registries.registry_import_csv(name="guide_experts", text="id_number,name\n11010519491231002X,张三\n")
    return proposal


def test_owner_sees_the_stale_notice_with_a_check_again_button(client, stale_report):
    response = report(client, stale_report.owner, stale_report)
    html = response.content.decode()
    assert response.context["stale"] is True
    assert html.count("这份结果使用的名单/指南已更新，结果可能已过时") == 1
    assert html.count('data-testid="stale-check-again"') == 1


def test_owner_sees_the_stale_notice_in_english(client, stale_report):
    html = report(client, stale_report.owner, stale_report, lang="en").content.decode()
    assert html.count("A registry or the guide this result used has been updated since") == 1
    assert html.count("这份结果使用的名单") == 0


def test_officer_sees_the_stale_notice_without_the_owners_button(client, stale_report):
    html = report(client, make_user("stale-officer", role="officer"), stale_report).content.decode()
    assert html.count("这份结果使用的名单/指南已更新，结果可能已过时") == 1
    assert html.count('data-testid="stale-check-again"') == 0


def test_a_fresh_report_shows_no_stale_notice(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(owner=make_user("fresh-owner"))
    run_for(proposal, django_capture_on_commit_callbacks)
    response = report(client, proposal.owner, proposal)
    assert response.context["stale"] is False
    assert response.content.decode().count('data-testid="stale"') == 0


def test_overview_marks_the_stale_rows(client, stale_report, django_capture_on_commit_callbacks):
    fresh = make_proposal()
    run_for(fresh, django_capture_on_commit_callbacks)
    response = report(client, make_user("overview-officer", role="officer"), stale_report)
    response = client.get(WORKSPACE_LIST)
    assert {p.pk: p.row.staleness for p in response.context["page"].rows if p.row.staleness} == {
        stale_report.pk: Staleness(registries=("guide_experts",))
    }
    html = response.content.decode()
    assert html.count('data-testid="stale"') == 1
    client.cookies["django_language"] = "en"
    assert client.get(WORKSPACE_LIST).content.decode().count("may be out of date") == 1


def test_overview_query_count_is_constant_with_stale_runs(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    client.force_login(make_user("count-officer", role="officer"))

    def queries(n: int) -> int:
        batch_for([make_proposal() for _ in range(n)], django_capture_on_commit_callbacks, by=None)
        registries.registry_touch(name="misconduct")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(WORKSPACE_LIST)
        assert sum(1 for p in response.context["page"].rows if p.row.staleness) == Proposal.objects.count()
        return len(ctx.captured_queries)

    assert queries(2) == queries(10)


# --- a new guide version ----------------------------------------------------------


def publish_v2(*, eligibility_date: str | None = None) -> GuideVersion:
    """Read the bundled guide again and publish it as 2022 v2 (optionally with a corrected
    PI birth-date limit)."""
    version = version_create_from_file(path=GUIDE_2022)
    if eligibility_date is not None:
        correction_add(
            version=version,
            address="eligibility.pi_born_on_or_after",
            value=eligibility_date,
            reason="公告更正",
            by=None,
        )
    return version_publish(version=version)


def test_publishing_a_new_version_makes_earlier_runs_stale_with_the_versions_named(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    publish_v2()
    assert selectors.run_staleness(run=run) == Staleness(
        guide_changed=True, guide_used="2022 v1", guide_current="2022 v2"
    )


def test_a_draft_version_leaves_earlier_runs_fresh(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    draft = version_create_from_file(path=GUIDE_2022)
    correction_add(
        version=draft, address="eligibility.pi_born_on_or_after", value="1972-01-01", reason="r", by=None
    )
    assert selectors.run_staleness(run=run) is None


def test_a_run_after_the_publish_records_the_new_version_and_is_fresh(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    run_for(proposal, django_capture_on_commit_callbacks)
    v2 = publish_v2()
    rerun = run_for(proposal, django_capture_on_commit_callbacks)
    assert rerun.inputs["guide"]["version"] == "2022 v2"
    assert rerun.inputs["guide"]["version_id"] == v2.pk
    assert selectors.run_staleness(run=rerun) is None


def test_a_run_from_before_versions_names_no_old_version(
    all_registries_empty, django_capture_on_commit_callbacks
):
    from guide.parsing.readers import parse_file
    from guide.services import guide_save

    guide_save(parsed=parse_file(GUIDE_2022))
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    publish_v2()
    assert selectors.run_staleness(run=run) == Staleness(
        guide_changed=True, guide_used=None, guide_current="2022 v1"
    )


@pytest.fixture
def on_old_guide(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """A proposal screened on 2022 v1, then 2022 v2 published."""
    proposal = make_proposal(owner=make_user("old-guide-owner"))
    run_for(proposal, django_capture_on_commit_callbacks)
    publish_v2()
    return proposal


def test_the_report_names_the_old_and_the_current_guide_version(client, on_old_guide):
    html = report(client, on_old_guide.owner, on_old_guide).content.decode()
    assert html.count("这份结果使用的名单/指南已更新，结果可能已过时") == 1
    assert html.count("基于旧版指南（2022 v1），现行 2022 v2") == 1


def test_the_report_names_the_versions_in_english(client, on_old_guide):
    html = report(client, on_old_guide.owner, on_old_guide, lang="en").content.decode()
    assert html.count("Based on an older guide (2022 v1); current: 2022 v2") == 1


def test_the_report_names_the_registries_reloaded(client, stale_report):
    html = report(client, stale_report.owner, stale_report).content.decode()
    assert html.count('<span data-testid="stale-registries">名单已更新：指南编制专家</span>') == 1
    assert html.count('data-testid="stale-guide"') == 0


def test_the_overview_names_the_old_and_the_current_guide_version(client, on_old_guide):
    client.force_login(make_user("old-guide-officer", role="officer"))
    response = client.get(WORKSPACE_LIST)
    assert {p.pk: p.row.staleness for p in response.context["page"].rows if p.row.staleness} == {
        on_old_guide.pk: Staleness(guide_changed=True, guide_used="2022 v1", guide_current="2022 v2")
    }
    assert response.content.decode().count("基于旧版指南（2022 v1），现行 2022 v2") == 1
    client.cookies["django_language"] = "en"
    assert (
        client.get(WORKSPACE_LIST)
        .content.decode()
        .count("Based on an older guide (2022 v1); current: 2022 v2")
        == 1
    )


# --- re-screening the proposals a new guide version affects -------------------------


@pytest.fixture
def affected(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """Three handed-in proposals and a draft screened on v1; v2 published; one of the three
    re-screened on v2 since. Returns (the two on v1, the one on v2, the draft)."""
    old = [make_proposal(), make_proposal()]
    fresh = make_proposal()
    draft = make_proposal(state="draft")
    never = make_proposal()  # never screened: nothing to say it used an older guide
    for p in [*old, fresh, draft]:
        run_for(p, django_capture_on_commit_callbacks)
    publish_v2()
    run_for(fresh, django_capture_on_commit_callbacks)
    return old, fresh, draft, never


def test_proposals_on_older_guide_are_the_handed_in_ones_whose_latest_run_used_an_older_version(affected):
    old, _fresh, _draft, _never = affected
    assert list(selectors.proposals_on_older_guide(year=2022)) == old


def test_proposals_on_older_guide_leave_out_those_with_a_run_waiting(affected):
    old, *_ = affected
    ScreeningRun.objects.create(proposal=old[0])  # queued: it will read the current rows
    assert list(selectors.proposals_on_older_guide(year=2022)) == [old[1]]


def test_proposals_on_older_guide_of_a_year_without_runs_is_empty(affected):
    assert list(selectors.proposals_on_older_guide(year=2030)) == []


def test_rescreen_page_lists_the_affected_proposals(client, affected):
    old, *_ = affected
    client.force_login(make_user("rescreen-officer", role="officer"))
    response = client.get("/screening/guide/2022/rescreen/")
    assert response.status_code == 200
    assert list(response.context["proposals"]) == old
    html = response.content.decode()
    assert html.count("2022 年度现行指南：2022 v2。") == 1
    assert html.count("最近一次预审基于旧版指南的已提交申报书：2 份。") == 1
    assert html.count('data-testid="rescreen-affected"') == 1


def test_rescreen_queues_exactly_the_affected_proposals_as_one_batch(
    client, affected, django_capture_on_commit_callbacks
):
    old, *_ = affected
    officer = make_user("rescreen-poster", role="officer")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/screening/guide/2022/rescreen/")
    batch = ScreeningBatch.objects.get()
    job = BulkJob.objects.get(batch=batch)  # a job with a progress page: the request only wrote rows
    assert response.status_code == 302
    assert response["Location"] == f"/screening/workspace/jobs/{job.pk}/"
    assert (job.kind, job.status, job.total) == ("rescreen", "done", 2)
    assert sorted(batch.runs.values_list("proposal_id", flat=True)) == [p.pk for p in old]
    assert (batch.created_by, batch.label) == (officer, "指南更新后重新预审（2022）")
    assert [r.inputs["guide"]["version"] for r in batch.runs.order_by("pk")] == ["2022 v2", "2022 v2"]
    assert list(selectors.proposals_on_older_guide(year=2022)) == []


def test_rescreen_twice_queues_nothing_the_second_time(client, affected, django_capture_on_commit_callbacks):
    client.force_login(make_user("rescreen-twice", role="officer"))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/screening/guide/2022/rescreen/")
        double_click = client.post("/screening/guide/2022/rescreen/")  # before the job ran: the same job
    with django_capture_on_commit_callbacks(execute=True):
        later = client.post("/screening/guide/2022/rescreen/")  # after it: nothing left to check
    assert double_click["Location"] == first["Location"]
    assert later["Location"] == "/screening/guide/2022/rescreen/"
    assert (ScreeningBatch.objects.count(), BulkJob.objects.count()) == (1, 1)


def test_rescreen_is_for_officers_and_admins_only(client, affected):
    assert client.get("/screening/guide/2022/rescreen/")["Location"].startswith("/accounts/login/")
    client.force_login(make_user("rescreen-applicant"))
    assert client.get("/screening/guide/2022/rescreen/").status_code == 403
    assert client.post("/screening/guide/2022/rescreen/").status_code == 403
    assert ScreeningBatch.objects.count() == 0
    client.force_login(make_user("rescreen-admin", role="admin"))
    assert client.get("/screening/guide/2022/rescreen/").status_code == 200


# --- what changed since the owner last looked --------------------------------------


def test_report_view_record_returns_the_run_seen_before(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    first = run_for(proposal, django_capture_on_commit_callbacks)
    second = run_for(proposal, django_capture_on_commit_callbacks)
    owner = proposal.owner
    assert services.report_view_record(user=owner, proposal=proposal, run=first) is None
    assert services.report_view_record(user=owner, proposal=proposal, run=first) == first
    assert services.report_view_record(user=owner, proposal=proposal, run=second) == first
    assert list(ReportView.objects.values_list("user_id", "run_seen_id")) == [(owner.pk, second.pk)]


@pytest.fixture
def seen_then_rerun(client, guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """The owner saw one failure (pi.age); an officer's batch re-run then finds two."""
    owner = make_user("seen-owner")
    proposal = make_proposal(owner=owner, pi_birth=date(1961, 12, 31))
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    assert report(client, owner, proposal).context["since"] is None
    Proposal.objects.filter(pk=proposal.pk).update(recommender="某某大学")
    batch_for([proposal], django_capture_on_commit_callbacks, by=make_user("batch-officer", role="officer"))
    return proposal


def test_owner_is_told_what_an_officers_rerun_changed(client, seen_then_rerun):
    response = report(client, seen_then_rerun.owner, seen_then_rerun)
    since = response.context["since"]
    assert (since.new_failures, since.resolved) == (1, 0)
    assert [(line.rule, line.previous_status, line.status) for line in since.lines] == [
        ("recommendation.recommender", "pass", "fail")
    ]
    html = response.content.decode()
    assert html.count("自您上次查看以来，结果有变化：新增不通过 1 项，不再不通过 0 项。") == 1
    assert html.count('<li data-rule="recommendation.recommender">推荐单位:') == 1


def test_owner_is_told_what_changed_in_english(client, seen_then_rerun):
    html = report(client, seen_then_rerun.owner, seen_then_rerun, lang="en").content.decode()
    expected = (
        "The result has changed since you last looked: newly failing conditions: 1; no longer failing: 0."
    )
    assert html.count(expected) == 1
    assert html.count('<li data-rule="recommendation.recommender">Designated recommender:') == 1


def test_the_change_notice_is_shown_once(client, seen_then_rerun):
    report(client, seen_then_rerun.owner, seen_then_rerun)
    response = report(client, seen_then_rerun.owner, seen_then_rerun)
    assert response.context["since"] is None
    assert response.content.decode().count('data-testid="since-seen"') == 0


def test_an_officer_looking_leaves_the_owners_notice_in_place(client, seen_then_rerun):
    assert report(client, make_user("looker", role="officer"), seen_then_rerun).context["since"] is None
    assert report(client, seen_then_rerun.owner, seen_then_rerun).context["since"].new_failures == 1
    assert ReportView.objects.count() == 1


def test_no_change_notice_after_the_owners_own_check(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("own-check")
    proposal = make_proposal(owner=owner)
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    report(client, owner, proposal)
    Proposal.objects.filter(pk=proposal.pk).update(recommender="某某大学")
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    response = report(client, owner, proposal)
    assert response.context["since"] is None
    assert [line.rule for line in response.context["changes"]] == ["recommendation.recommender"]


def test_no_change_notice_on_the_first_visit(client, seen_then_rerun):
    ReportView.objects.all().delete()
    assert report(client, seen_then_rerun.owner, seen_then_rerun).context["since"] is None


def test_a_collision_rerun_that_changes_nothing_shows_no_notice(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("collided")
    proposal = make_proposal(owner=owner)
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    report(client, owner, proposal)
    run_for(proposal, django_capture_on_commit_callbacks, reason="collision")
    assert ScreeningRun.objects.filter(proposal=proposal).latest("pk").requested_by_id is None
    assert report(client, owner, proposal).context["since"] is None


# --- failing checks of a draft (settings.SUBMIT_WARNINGS) --------------------------


def test_draft_failures_lists_the_failing_conditions_in_rule_order(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    from django.utils import translation

    proposal = make_proposal(state="draft", pi_birth=date(1961, 12, 31), recommender="某某大学")
    run = run_for(proposal, django_capture_on_commit_callbacks)
    assert run.reason == "draft"
    with translation.override("zh-hans"):
        assert selectors.draft_failures(proposal) == [
            ("recommendation.recommender", "推荐单位"),
            ("pi.age", "项目负责人年龄"),
        ]
    with translation.override("en"):
        assert selectors.draft_failures(proposal) == [
            ("recommendation.recommender", "Designated recommender"),
            ("pi.age", "PI age"),
        ]


def test_draft_failures_checks_the_current_content_not_the_latest_run(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(state="draft", recommender="某某大学")
    run_for(proposal, django_capture_on_commit_callbacks)
    Proposal.objects.filter(pk=proposal.pk).update(recommender="科学技术部国际合作司")
    failures = selectors.draft_failures(proposal)
    assert (failures, failures.checked_before_change) == ([], True)
    assert ScreeningRun.objects.filter(proposal=proposal).count() == 1  # the check stores nothing


def test_draft_failures_without_any_run_checks_the_content(guide2022, all_registries_empty):
    proposal = make_proposal(state="draft", recommender="某某大学")
    failures = selectors.draft_failures(proposal)
    assert (failures, failures.checked_before_change) == ([("recommendation.recommender", "推荐单位")], False)
    assert ScreeningRun.objects.filter(proposal=proposal).count() == 0


def test_draft_failures_of_content_the_caller_found_submittable_skips_those_checks(
    guide2022, all_registries_empty
):
    """The view that submits ran the submission checks a moment ago: the hook does not run them
    again (the draft is not read again), and finds the same failures."""
    proposal = make_proposal(state="draft", recommender="某某大学")
    selectors.draft_failures(proposal)  # warm: the guide's parameters, the registries

    def checked(**told):
        with CaptureQueriesContext(connection) as ctx:
            failures = selectors.draft_failures(proposal, **told)
        return list(failures), len(ctx.captured_queries)

    (full, full_queries), (told, told_queries) = checked(), checked(submittable=True)
    assert full == told == [("recommendation.recommender", "推荐单位")]
    assert full_queries - told_queries >= 5  # the proposal and its four kinds of rows
    # without it, content the submission checks refuse asks nothing (they answer first)
    Proposal.objects.filter(pk=proposal.pk).update(title="")
    assert checked()[0] == []


def test_draft_failures_of_a_draft_the_caller_has_read_does_not_read_it_again(
    guide2022, all_registries_empty
):
    """The views that show or submit a draft read it with its rows (proposal_get_for_user): the
    hook takes its content from there, and answers as if it had read it itself."""
    from proposals.selectors import proposal_get_for_user

    owner = make_user("loaded-owner")
    proposal = make_proposal(owner=owner, state="draft", recommender="某某大学", pi_birth=date(1961, 12, 31))
    selectors.draft_failures(proposal)  # warm: the guide's parameters, the registries

    def checked(**told):
        loaded = proposal_get_for_user(user=owner, pk=proposal.pk)
        with CaptureQueriesContext(connection) as ctx:
            failures = selectors.draft_failures(loaded, **told)
        return failures, len(ctx.captured_queries)

    (read, read_queries), (given, given_queries) = checked(), checked(loaded=True)
    assert read == given == [("recommendation.recommender", "推荐单位"), ("pi.age", "项目负责人年龄")]
    assert given.reuse["sha"] == read.reuse["sha"] == selectors.data_sha256_now([proposal.pk])[proposal.pk]
    assert read_queries - given_queries >= 10  # the proposal and its four kinds of rows, twice
    # the record of that check, handed back: still the same content, so not checked again
    (again, again_queries), (again_read, again_read_queries) = (
        checked(loaded=True, reuse=given.reuse),
        checked(reuse=given.reuse),
    )
    assert again == again_read == given
    assert again_read_queries - again_queries >= 10


def test_screening_input_of_a_read_proposal_is_what_screening_reads(guide2022):
    from proposals.selectors import proposal_get_for_user

    owner = make_user("input-owner")
    proposal = make_proposal(owner=owner, state="draft", members=3)
    for position, name in [(1, "课题二"), (0, "课题一")]:
        Subtask.objects.create(
            proposal=proposal, position=position, name=name, lead_name="甲", national_funding=Decimal("12.5")
        )
    Attachment.objects.create(
        proposal=proposal, kind="employment_proof", original_name="a.pdf", sha256="f" * 64
    )
    Attachment.objects.create(
        proposal=proposal, kind="cooperation_agreement", original_name="b.pdf", sha256="1" * 64
    )
    loaded = proposal_get_for_user(user=owner, pk=proposal.pk)
    assert len(loaded.attachments.all()) == 3 and len(loaded.subtasks.all()) == 2
    assert selectors.screening_input_of(loaded) == selectors.screening_inputs([proposal.pk])[proposal.pk]


def test_submitting_a_draft_whose_content_fails_asks_to_confirm(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    """The real hook (config: SUBMIT_WARNINGS) between the proposals view and screening."""
    owner = make_user("confirm-owner")
    proposal = make_proposal(owner=owner, state="draft", pi_birth=date(1961, 12, 31))
    client.force_login(owner)
    response = client.post(f"/proposals/{proposal.pk}/submit/")
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/submit/confirm/")
    page = client.get(response["Location"])
    assert page.context["failures"] == [("pi.age", "项目负责人年龄")]
    proposal.refresh_from_db()
    assert proposal.state == "draft"


@pytest.fixture
def counted_checks(monkeypatch):
    """The checks draft_failures makes (selectors.check_now), counted."""
    made = []
    real = selectors.check_now

    def counting(pk, **told):
        made.append(pk)
        return real(pk, **told)

    monkeypatch.setattr(selectors, "check_now", counting)
    return made


def test_a_check_made_a_moment_ago_is_given_again_only_while_it_still_stands(
    guide2022, all_registries_empty, counted_checks, settings
):
    proposal = make_proposal(state="draft", pi_birth=date(1961, 12, 31))
    first = selectors.draft_failures(proposal)
    assert (first, len(counted_checks)) == ([("pi.age", "项目负责人年龄")], 1)
    again = selectors.draft_failures(proposal, reuse=first.reuse)
    assert (again, again.checked_before_change, len(counted_checks)) == (first, False, 1)

    def anew(record) -> bool:
        before = len(counted_checks)
        selectors.draft_failures(proposal, reuse=record)
        return len(counted_checks) == before + 1

    assert anew({**first.reuse, "at": first.reuse["at"] - settings.SCREENING_CHECK_REUSE - 1})  # too old
    assert anew({**first.reuse, "pk": proposal.pk + 1})  # another proposal's
    assert anew({"sha": first.reuse["sha"]})  # not such a record
    RegistryLoad.objects.filter(name="misconduct").update(version=99)  # a registry reloaded since
    assert anew(first.reuse)
    current = selectors.draft_failures(proposal)
    Proposal.objects.filter(pk=proposal.pk).update(title="另一个题目")  # the draft changed since
    assert anew(current.reuse)


def test_the_confirmation_page_after_a_submission_shows_its_check_without_making_it_again(
    client, guide2022, all_registries_empty, counted_checks
):
    owner = make_user("confirm-once")
    proposal = make_proposal(owner=owner, state="draft", pi_birth=date(1961, 12, 31))
    client.force_login(owner)
    response = client.post(f"/proposals/{proposal.pk}/submit/")
    page = client.get(response["Location"])
    assert (page.context["failures"], counted_checks) == ([("pi.age", "项目负责人年龄")], [proposal.pk])
    Proposal.objects.filter(pk=proposal.pk).update(recommender="某某大学")  # changed in another tab
    page = client.get(response["Location"])
    assert page.context["failures"] == [
        ("recommendation.recommender", "推荐单位"),
        ("pi.age", "项目负责人年龄"),
    ]
    assert len(counted_checks) == 2


def test_screening_models_have_translated_names():
    from django.apps import apps
    from django.utils import translation

    from screening.models import ScreeningBatch

    with translation.override("en"):
        names = (str(ScreeningBatch._meta.verbose_name), str(ScreeningBatch._meta.verbose_name_plural))
        assert names == ("Screening batch", "Screening batches")
        assert str(apps.get_app_config("screening").verbose_name) == "Pre-screening"
    with translation.override("zh-hans"):
        assert str(ScreeningBatch._meta.verbose_name_plural) == "预审批次"
        assert str(apps.get_app_config("screening").verbose_name) == "预审"


def test_admin_lists_the_screening_models_by_their_names(client, db):
    client.force_login(make_user("names-admin", role="admin"))
    client.cookies["django_language"] = "en"
    html = client.get("/admin/screening/").content.decode()
    assert html.count(">Screening batches<") == 1
    assert html.count("Screening batchs") == 0
    assert client.get("/admin/screening/registryload/").status_code == 200
