"""Results record the registry and guide versions they used; a run whose inputs
changed since is stale; the owner is told what changed since they last looked."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guide.models import Guide
from guide.services import guide_ingest
from proposals.models import Proposal
from screening import selectors, services
from screening.models import RegistryLoad, ReportView, ScreeningRun
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


def report(client, user, proposal, *, lang: str = "zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client.get(f"/screening/proposals/{proposal.pk}/")


# --- versions ----------------------------------------------------------------------


def test_every_load_or_edit_of_a_registry_increments_its_version_only(db):
    services.registries_import(data={"guide_experts": [], "recommenders": ["甲"]})
    services.registries_import(data={"recommenders": ["乙"]})
    services.registry_import_csv(name="recommenders", text="name\n丙\n")
    services.registry_touch(name="recommenders")
    versions = dict(RegistryLoad.objects.values_list("name", "version"))
    assert versions == {"guide_experts": 1, "recommenders": 4}
    assert RegistryLoad.objects.get(name="recommenders").entries == 1


def test_a_run_records_the_registry_versions_and_the_guide_it_used(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    guide = Guide.objects.get(year=2022)
    assert run.inputs == {
        "registries": ALL_LOADED_ONCE,
        "guide": {"year": 2022, "id": guide.pk, "version": guide.ingested_at.isoformat()},
    }


def test_a_run_records_version_zero_for_registries_not_loaded(guide2022, django_capture_on_commit_callbacks):
    services.registries_import(data={"misconduct": []})
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
    services.registry_import_csv(name="guide_experts", text="id_number,name\n11010519491231002X,张三\n")
    assert selectors.run_is_stale(run=run) is True


def test_editing_a_registry_by_hand_makes_earlier_runs_stale(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    services.registry_touch(name="misconduct")
    assert selectors.run_is_stale(run=run) is True


def test_loading_a_registry_that_was_not_loaded_makes_earlier_runs_stale(
    guide2022, django_capture_on_commit_callbacks
):
    run = run_for(make_proposal(), django_capture_on_commit_callbacks)
    services.registries_import(data={"recommenders": ["科学技术部国际合作司"]})
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
    services.registry_touch(name="misconduct")
    rerun = run_for(proposal, django_capture_on_commit_callbacks)
    assert selectors.run_is_stale(run=rerun) is False


def test_a_run_without_recorded_inputs_is_not_stale(guide2022, all_registries_empty):
    run = ScreeningRun.objects.create(proposal=make_proposal(), status="done")
    services.registry_touch(name="misconduct")
    assert selectors.run_is_stale(run=run) is False


def test_stale_proposal_ids_names_the_proposals_whose_latest_run_is_stale(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    old, fresh, never = make_proposal(), make_proposal(), make_proposal()
    run_for(old, django_capture_on_commit_callbacks)
    services.registry_touch(name="misconduct")
    run_for(fresh, django_capture_on_commit_callbacks)
    rows = selectors.latest_runs_for_proposals(Proposal.objects.filter(pk__in=[old.pk, fresh.pk, never.pk]))
    assert selectors.stale_proposal_ids(rows) == {old.pk}


def test_stale_proposal_ids_query_count_is_constant(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    def queries(n: int) -> int:
        batch_for([make_proposal() for _ in range(n)], django_capture_on_commit_callbacks, by=None)
        services.registry_touch(name="misconduct")
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
    services.registry_import_csv(name="guide_experts", text="id_number,name\n11010519491231002X,张三\n")
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
    response = client.get("/screening/")
    assert response.context["stale"] == {stale_report.pk}
    html = response.content.decode()
    assert html.count('data-testid="stale"') == 1
    client.cookies["django_language"] = "en"
    assert client.get("/screening/").content.decode().count("may be out of date") == 1


def test_overview_query_count_is_constant_with_stale_runs(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    client.force_login(make_user("count-officer", role="officer"))

    def queries(n: int) -> int:
        batch_for([make_proposal() for _ in range(n)], django_capture_on_commit_callbacks, by=None)
        services.registry_touch(name="misconduct")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/screening/")
        assert len(response.context["stale"]) == Proposal.objects.count()
        return len(ctx.captured_queries)

    assert queries(2) == queries(10)


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


def test_draft_failures_uses_the_latest_draft_check_only(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(state="draft", recommender="某某大学")
    run_for(proposal, django_capture_on_commit_callbacks)
    Proposal.objects.filter(pk=proposal.pk).update(recommender="科学技术部国际合作司")
    run_for(proposal, django_capture_on_commit_callbacks)
    assert selectors.draft_failures(proposal) == []


def test_draft_failures_ignores_runs_that_were_not_draft_checks(
    guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    proposal = make_proposal(recommender="某某大学")
    assert run_for(proposal, django_capture_on_commit_callbacks).reason == "manual"
    assert selectors.draft_failures(proposal) == []


def test_submitting_a_draft_whose_check_failed_asks_to_confirm(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    """The real hook (config: SUBMIT_WARNINGS) between the proposals view and screening."""
    owner = make_user("confirm-owner")
    proposal = make_proposal(owner=owner, state="draft", pi_birth=date(1961, 12, 31))
    run_for(proposal, django_capture_on_commit_callbacks, by=owner)
    client.force_login(owner)
    response = client.post(f"/proposals/{proposal.pk}/submit/")
    assert response.status_code == 200
    assert response.context["failures"] == [("pi.age", "项目负责人年龄")]
    proposal.refresh_from_db()
    assert proposal.state == "draft"


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
