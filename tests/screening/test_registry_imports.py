"""Registry uploads as jobs: the request checks the file and writes the job and its outbox row
(screening.registries.registry_import_request), the task compares it with the registry under a
lease (registry_import_run: previewed), the admin confirms (registry_import_confirm) and the task
loads it, the sweeps re-send lost jobs, and the job's page follows it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.utils import timezone

from common.models import AuditEntry, Notification, OutboxMessage
from screening import registries, services
from screening.models import GuideExpert, RegistryImport, RegistryLoad
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db

TASK = "screening.registry_import"
OLD_EXPERT = "11010519491231002X"
EXPERTS_CSV = "id_number,name\n110101198001010011,专家甲\n110101198001010022,专家乙\n"
NEW_EXPERTS = [("110101198001010011", "专家甲"), ("110101198001010022", "专家乙")]


@pytest.fixture
def admin():
    return make_user("registry-admin", role="admin")


@pytest.fixture
def one_expert(db):
    """The guide experts registry loaded once, with one expert (version 1)."""
    registries.registries_import(data={"guide_experts": [{"id_number": OLD_EXPERT, "name": "旧专家"}]})


def upload(client, text: str = EXPERTS_CSV, registry: str = "guide_experts", name: str = "experts.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return client.post("/screening/registries/", {"registry": registry, "file": file})


def requested(admin, text: str = EXPERTS_CSV, *, confirmed: bool = True, **fields) -> RegistryImport:
    """An import of the guide experts requested by ``admin`` (its outbox row left unsent), with
    ``fields`` set; with ``confirmed``, as if previewed against the registry's current version and
    confirmed (the next run loads it)."""
    job = registries.registry_import_request(name="guide_experts", text=text, source="experts.csv", by=admin)
    OutboxMessage.objects.all().delete()
    if confirmed:
        version = RegistryLoad.objects.filter(name="guide_experts").values_list("version", flat=True).first()
        fields = {
            "confirmed_at": timezone.now(),
            "confirmed_by": admin,
            "base_version": version or 0,
            **fields,
        }
    if fields:
        RegistryImport.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def leased(
    admin, *, expired_seconds_ago: float, attempts: int = 1, text: str = EXPERTS_CSV
) -> RegistryImport:
    """An import claimed by task "t" of process celery@a/1, its lease expired that long ago."""
    return requested(
        admin,
        text,
        status="running",
        started_at=timezone.now() - timedelta(seconds=90),
        attempts=attempts,
        lease_task="t",
        lease_token="x",
        lease_owner="celery@a/1",
        lease_expires_at=timezone.now() - timedelta(seconds=expired_seconds_ago),
    )


def experts() -> list[tuple[str, str]]:
    return list(GuideExpert.objects.order_by("id_number").values_list("id_number", "name"))


def expert_load() -> tuple[int, int, str]:
    load = RegistryLoad.objects.get(name="guide_experts")
    return (load.version, load.entries, load.source)


def imported_entries() -> int:
    return AuditEntry.objects.filter(action="registries.imported").count()


# --- the request -------------------------------------------------------------------------


def test_an_upload_writes_a_job_and_its_outbox_row_and_changes_no_registry_until_the_task_runs(
    client, admin, one_expert, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    audits = imported_entries()
    with django_capture_on_commit_callbacks(execute=False):  # the job service does not run it yet
        response = upload(client)
    job = RegistryImport.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/screening/registries/imports/{job.pk}/")
    assert (job.registry, job.status, job.source, job.total, job.requested_by, job.entries) == (
        "guide_experts",
        "queued",
        "experts.csv",
        2,
        admin,
        None,
    )
    assert job.rows == [{"id_number": i, "name": n} for i, n in NEW_EXPERTS]
    assert list(OutboxMessage.objects.values_list("task", "args")) == [(TASK, [job.pk])]
    assert (experts(), expert_load(), imported_entries()) == ([(OLD_EXPERT, "旧专家")], (1, 1, ""), audits)

    registries.registry_import_run(job_id=job.pk, task_id="t1")  # the preview: the registry unchanged

    job.refresh_from_db()
    assert (job.status, job.base_version, job.lease_token, job.attempts) == ("previewed", 1, "", 1)
    assert {k: job.preview[k] for k in ("current", "new", "added", "removed", "changed", "unchanged")} == {
        "current": 1,
        "new": 2,
        "added": 2,
        "removed": 1,
        "changed": 0,
        "unchanged": 0,
    }
    assert (experts(), expert_load(), imported_entries()) == ([(OLD_EXPERT, "旧专家")], (1, 1, ""), audits)

    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/screening/registries/imports/{job.pk}/", {"action": "confirm"})
    assert (response.status_code, list(OutboxMessage.objects.values_list("task", "args"))) == (
        302,
        [(TASK, [job.pk])],
    )
    registries.registry_import_run(job_id=job.pk, task_id="t2")

    job.refresh_from_db()
    assert (
        job.status,
        job.entries,
        job.rows,
        job.attempts,
        job.lease_token,
        job.error,
        job.confirmed_by,
    ) == (
        "done",
        2,
        [],
        1,
        "",
        "",
        admin,
    )
    assert (experts(), expert_load(), imported_entries()) == (NEW_EXPERTS, (2, 2, "experts.csv"), audits + 1)


@pytest.mark.parametrize(
    ("text", "registry", "error"),
    [
        (
            "name\nnobody\n",
            "guide_experts",
            "第 1 行：表头中没有“证件号码”列。这个名单的列：“证件号码”“姓名”。",
        ),
        ("\ufeff", "guide_experts", "文件是空的：第 1 行应为表头（各列的名称）。"),
        (
            "证件号码,角色\nX1,项目负责人\nX2,boss\n",
            "ongoing_projects",
            "第 3 行：“角色”应为“项目负责人”或“任务（课题）负责人”，而不是“boss”。",
        ),
        ("推荐单位,备注\n甲,\n,无名\n", "recommenders", "第 3 行：“推荐单位”没有填写。"),
        ("id_number,name\n,甲\n", "blacklist", "选择一个有效的选项"),
        # a field past the csv module's 128 KiB, and one past its column's length
        ("id_number,name\nX1," + "甲" * 140_000 + "\n", "guide_experts", "第 2 行：无法按 CSV 读取"),
        ("id_number,name\nX1," + "甲" * 101 + "\n", "guide_experts", "第 2 行：“姓名”超过 100 个字符。"),
    ],
)
def test_a_bad_file_stays_on_the_form_with_its_error_and_makes_no_job(client, admin, text, registry, error):
    client.force_login(admin)
    response = upload(client, text=text, registry=registry)
    assert (response.status_code, error in response.content.decode()) == (200, True)
    assert (RegistryImport.objects.count(), OutboxMessage.objects.count(), RegistryLoad.objects.count()) == (
        0,
        0,
        0,
    )


def test_the_service_refuses_an_unknown_registry_and_writes_nothing(admin):
    with pytest.raises(registries.RegistryImportError) as caught:
        registries.registry_import_request(name="blacklist", text="name\n甲\n", by=admin)
    assert (str(caught.value), RegistryImport.objects.count()) == ("没有名为“blacklist”的名单。", 0)


def test_the_same_file_twice_while_the_first_is_unfinished_is_one_job(admin):
    first = registries.registry_import_request(name="guide_experts", text=EXPERTS_CSV, by=admin)
    second = registries.registry_import_request(name="guide_experts", text=EXPERTS_CSV, by=admin)
    other = registries.registry_import_request(name="guide_experts", text="id_number\nX9\n", by=admin)
    assert (second.pk, RegistryImport.objects.count(), OutboxMessage.objects.count()) == (first.pk, 2, 2)
    assert other.pk != first.pk


# --- the task ----------------------------------------------------------------------------


def test_the_task_replaces_the_rows_bumps_the_version_audits_and_tells_the_owners(
    admin, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    from screening.tasks import registry_import

    proposal = make_proposal(owner=make_user("registry-owner"), pi_birth=date(1970, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=proposal)
    job = requested(admin)
    with django_capture_on_commit_callbacks(execute=True):  # the notifications' e-mails
        registry_import.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.entries) == ("done", 2)
    assert (experts(), expert_load()) == (NEW_EXPERTS, (2, 2, "experts.csv"))
    audit = AuditEntry.objects.filter(action="registries.imported").order_by("id").last()
    assert (audit.actor, audit.data) == (
        admin,
        {"counts": {"guide_experts": 2}, "source": "experts.csv", "job": job.pk},
    )
    assert list(Notification.objects.values_list("recipient__username", "kind", "target_id", "params")) == [
        (
            "registry-owner",
            "screening.result_stale",
            str(proposal.pk),
            {"reference": proposal.reference, "registries": ["guide_experts"]},
        )
    ]


def test_a_second_delivery_of_a_finished_import_does_nothing(admin, one_expert):
    job = requested(admin)
    registries.registry_import_run(job_id=job.pk, task_id="t1")
    registries.registry_import_run(job_id=job.pk, task_id="t2")
    assert (expert_load(), imported_entries()) == ((2, 2, "experts.csv"), 2)


def test_a_run_of_a_missing_job_returns_none():
    assert registries.registry_import_run(job_id=12345, task_id="t") is None


def test_an_import_another_live_process_of_this_node_holds_is_left_alone(admin, one_expert, monkeypatch):
    from common import leases

    monkeypatch.setattr(leases, "worker_name", lambda: "celery@a/99999999")
    job = leased(admin, expired_seconds_ago=-60)
    RegistryImport.objects.filter(pk=job.pk).update(lease_owner=f"celery@a/{os.getpid()}")
    registries.registry_import_run(job_id=job.pk, task_id="t")  # a duplicate delivery of the same message
    job.refresh_from_db()
    assert (job.status, job.lease_token, experts()) == ("running", "x", [(OLD_EXPERT, "旧专家")])


def test_an_import_whose_lease_expired_is_taken_over(admin, one_expert):
    job = leased(admin, expired_seconds_ago=1)
    registries.registry_import_run(job_id=job.pk, task_id="new")
    job.refresh_from_db()
    assert (job.status, job.attempts, experts()) == ("done", 2, NEW_EXPERTS)


def test_a_redelivery_with_the_same_task_id_takes_over_at_once(admin, one_expert):
    job = leased(admin, expired_seconds_ago=-60)
    registries.registry_import_run(job_id=job.pk, task_id="t")
    job.refresh_from_db()
    assert (job.status, job.attempts, experts()) == ("done", 2, NEW_EXPERTS)


@pytest.mark.django_db(transaction=True)  # the connection is dropped: no test transaction around it
def test_a_transient_database_error_is_left_to_the_retry_which_takes_over(admin, monkeypatch):
    registries.registries_import(data={"guide_experts": [{"id_number": OLD_EXPERT, "name": "旧专家"}]})
    real = registries._registry_replace
    calls = []

    def flaky(name, rows, **kwargs):
        calls.append(name)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(name, rows, **kwargs)

    monkeypatch.setattr(registries, "_registry_replace", flaky)
    # queued by hand: the request would run the job at its commit here (eager, no test transaction)
    job = RegistryImport.objects.create(
        registry="guide_experts",
        rows=[{"id_number": i, "name": n} for i, n in NEW_EXPERTS],
        total=2,
        requested_by=admin,
        confirmed_at=timezone.now(),
        base_version=1,
    )
    with pytest.raises(OperationalError):
        registries.registry_import_run(job_id=job.pk, task_id="t1")
    job.refresh_from_db()
    assert (job.status, job.lease_task, experts(), expert_load()) == (
        "running",
        "t1",
        [(OLD_EXPERT, "旧专家")],
        (1, 1, ""),
    )
    registries.registry_import_run(job_id=job.pk, task_id="t1", retries=1)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.entries, experts(), expert_load()[:2]) == (
        "done",
        1,
        2,
        NEW_EXPERTS,
        (2, 2),
    )


def test_a_failing_import_records_its_error_and_changes_nothing(admin, one_expert, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("notifications table unreadable")

    monkeypatch.setattr(registries, "notify_stale_results", broken)  # after the rows were replaced
    job = requested(admin)
    registries.registry_import_run(job_id=job.pk, task_id="t1")
    job.refresh_from_db()
    assert (job.status, job.error, job.rows, job.entries, job.lease_token) == (
        "failed",
        "internal: RuntimeError: notifications table unreadable",
        [],
        None,
        "",
    )
    assert (experts(), expert_load(), imported_entries()) == ([(OLD_EXPERT, "旧专家")], (1, 1, ""), 1)


def test_a_bad_stored_row_fails_the_import_with_the_row_named(admin, one_expert):
    job = requested(admin, rows=[{"name": "无证件号"}])
    registries.registry_import_run(job_id=job.pk, task_id="t1")
    job.refresh_from_db()
    failure = registries.registry_import_failure(job.error)
    assert (job.status, failure.code, failure.detail, experts()) == (
        "failed",
        "invalid",
        "名单“指南编制专家”第 1 条：“证件号码”没有填写。",
        [(OLD_EXPERT, "旧专家")],
    )


def test_a_time_out_fails_the_import(admin, one_expert, monkeypatch):
    def slow(name, rows, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(registries, "_registry_replace", slow)
    job = requested(admin)
    registries.registry_import_run(job_id=job.pk, task_id="t1")
    job.refresh_from_db()
    assert (job.status, job.error, experts()) == (
        "failed",
        "timeout: loading took more than 120 s",
        [(OLD_EXPERT, "旧专家")],
    )


def test_an_import_that_killed_three_workers_fails_without_loading(admin, one_expert):
    job = leased(admin, expired_seconds_ago=1, attempts=3)
    registries.registry_import_run(job_id=job.pk, task_id="t2")
    job.refresh_from_db()
    assert (job.status, job.error, job.lease_token, experts()) == (
        "failed",
        "worker_lost: the import stopped 3 times",
        "",
        [(OLD_EXPERT, "旧专家")],
    )


def test_an_older_upload_loaded_after_a_newer_one_does_not_undo_it(admin, one_expert):
    older = requested(admin)
    newer = requested(admin, text="id_number,name\n110101198001010033,专家丙\n")
    registries.registry_import_run(job_id=newer.pk, task_id="t-new")
    registries.registry_import_run(job_id=older.pk, task_id="t-old")  # its message was late
    older.refresh_from_db()
    assert (older.status, older.error, experts()) == (
        "failed",
        "superseded: ",
        [("110101198001010033", "专家丙")],
    )


def test_the_task_is_named_retrying_with_time_limits_and_swept_by_the_relay(settings):
    from screening.tasks import TRANSIENT, registry_import

    assert (
        registry_import.name,
        registry_import.acks_late,
        registry_import.reject_on_worker_lost,
        registry_import.autoretry_for,
        registry_import.soft_time_limit,
        registry_import.time_limit,
    ) == (TASK, True, True, TRANSIENT, 120, 150)
    # under the visibility timeout, so an unacknowledged message is not delivered again while it runs
    assert registry_import.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert registries.registry_import_lease_seconds() > registry_import.time_limit
    assert (
        "screening.registries.registry_imports_requeue_stale" in settings.RELAY_SWEEPS,
        "screening.registries.registry_imports_release_worker" in settings.RELAY_RELEASES,
    ) == (True, True)


# --- sweeps ------------------------------------------------------------------------------


def test_the_sweep_requeues_an_import_whose_lease_expired_through_the_outbox(
    admin, django_capture_on_commit_callbacks
):
    stale = leased(admin, expired_seconds_ago=1)
    live = leased(admin, expired_seconds_ago=-30, text="id_number\nX2\n")
    with django_capture_on_commit_callbacks(execute=False):
        assert registries.registry_imports_requeue_stale() == [stale.pk]
    assert list(OutboxMessage.objects.values_list("task", "args")) == [(TASK, [stale.pk])]
    assert dict(RegistryImport.objects.values_list("pk", "status")) == {
        stale.pk: "queued",
        live.pk: "running",
    }
    stale.refresh_from_db()
    assert (stale.lease_token, stale.lease_expires_at) == ("", None)


def test_the_sweep_resends_a_lost_queued_import_but_not_one_whose_message_waits(
    admin, settings, django_capture_on_commit_callbacks
):
    old = timezone.now() - timedelta(seconds=settings.SCREENING_QUEUED_RESEND + 1)
    lost = requested(admin, queued_at=old)
    waiting = requested(admin, text="id_number\nX2\n", queued_at=old)
    fresh = requested(admin, text="id_number\nX3\n")
    OutboxMessage.objects.create(task=TASK, args=[waiting.pk])  # published, not started yet
    with django_capture_on_commit_callbacks(execute=False):
        assert registries.registry_imports_requeue_stale() == [lost.pk]
    assert sorted(OutboxMessage.objects.values_list("args", flat=True)) == sorted([[waiting.pk], [lost.pk]])
    assert RegistryImport.objects.get(pk=fresh.pk).status == "queued"
    OutboxMessage.objects.update(started_at=timezone.now())  # a worker took them, then they were lost
    RegistryImport.objects.update(queued_at=old)
    with django_capture_on_commit_callbacks(execute=False):
        assert sorted(registries.registry_imports_requeue_stale()) == sorted([lost.pk, waiting.pk, fresh.pk])


def test_the_sweep_fails_an_import_that_killed_three_workers(admin, django_capture_on_commit_callbacks):
    job = leased(admin, expired_seconds_ago=1, attempts=3)
    with django_capture_on_commit_callbacks(execute=False):
        assert registries.registry_imports_requeue_stale() == []
    job.refresh_from_db()
    assert (job.status, job.error, OutboxMessage.objects.count()) == (
        "failed",
        "worker_lost: the import stopped 3 times",
        0,
    )


def test_the_sweep_leaves_finished_imports_alone(admin):
    long_ago = timezone.now() - timedelta(days=1)
    for status in ("done", "failed"):
        requested(
            admin, text=f"id_number\n{status}\n", status=status, queued_at=long_ago, started_at=long_ago
        )
    assert registries.registry_imports_requeue_stale() == []


def test_a_relay_pass_resends_a_lost_import_and_it_is_loaded(admin, one_expert):
    from common.relay import relay_once

    stale = leased(admin, expired_seconds_ago=1)
    relay_once(sweep=True)  # the sweep re-queues it through the outbox; the relay publishes (eagerly here)
    stale.refresh_from_db()
    assert (stale.status, stale.attempts, experts()) == ("done", 2, NEW_EXPERTS)
    assert list(OutboxMessage.objects.values_list("task", "args")) == [(TASK, [stale.pk])]


def test_a_restarted_worker_releases_the_imports_its_dead_processes_held(
    admin, django_capture_on_commit_callbacks
):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = leased(admin, expired_seconds_ago=-60)
    alive = leased(admin, expired_seconds_ago=-60, text="id_number\nX2\n")
    other_node = leased(admin, expired_seconds_ago=-60, text="id_number\nX3\n")
    RegistryImport.objects.filter(pk=dead.pk).update(lease_owner=f"screening@a/{child.pid}")
    RegistryImport.objects.filter(pk=alive.pk).update(lease_owner=f"screening@a/{os.getpid()}")
    RegistryImport.objects.filter(pk=other_node.pk).update(lease_owner=f"screening@b/{child.pid}")
    with django_capture_on_commit_callbacks(execute=False):
        assert registries.registry_imports_release_worker(node="screening@a") == [dead.pk]
    assert dict(RegistryImport.objects.values_list("pk", "status")) == {
        dead.pk: "queued",
        alive.pk: "running",
        other_node.pk: "running",
    }
    assert list(OutboxMessage.objects.values_list("args", flat=True)) == [[dead.pk]]


# --- the pages ---------------------------------------------------------------------------


REFRESH = '<meta http-equiv="refresh" content="3">'


def page(client, job) -> str:
    response = client.get(f"/screening/registries/imports/{job.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_progress_page_refreshes_itself_while_queued_or_running(client, admin):
    client.force_login(admin)
    job = requested(admin)
    html = page(client, job)
    assert (REFRESH in html, 'data-status="queued"' in html, 'data-testid="import-total">2<' in html) == (
        True,
        True,
        True,
    )
    RegistryImport.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    html = page(client, job)
    assert (REFRESH in html, 'data-status="running"' in html, 'data-testid="import-stalled"' in html) == (
        True,
        True,
        False,
    )


def test_the_progress_page_says_when_an_import_takes_long(client, admin):
    client.force_login(admin)
    long_ago = timezone.now() - timedelta(seconds=registries.REGISTRY_IMPORT_TIME_LIMIT + 61)
    job = requested(admin, queued_at=long_ago)
    assert 'data-testid="import-stalled"' in page(client, job)


def test_the_progress_page_of_a_finished_import_shows_its_entries_and_stops_refreshing(
    client, admin, one_expert
):
    client.force_login(admin)
    job = requested(admin)
    registries.registry_import_run(job_id=job.pk, task_id="t1")
    html = page(client, job)
    assert (
        REFRESH in html,
        'data-status="done"' in html,
        'data-testid="import-done">已导入 2 条记录。<' in html,
        'data-testid="back">' in html and 'href="/screening/registries/"' in html,
    ) == (False, True, True, True)


def test_the_progress_page_of_a_failed_import_shows_the_reason(client, admin, one_expert):
    client.force_login(admin)
    job = requested(admin, rows=[{"name": "无证件号"}])
    registries.registry_import_run(job_id=job.pk, task_id="t1")
    html = page(client, job)
    assert (
        REFRESH in html,
        'data-testid="import-error-headline">导入失败：文件中有无法导入的记录。<' in html,
        'data-testid="import-error-detail">名单“指南编制专家”第 1 条：“证件号码”没有填写。<' in html,
    ) == (False, True, True)
    client.cookies["django_language"] = "en"
    html = page(client, job)
    assert (
        "Import failed: The file has entries that cannot be loaded." in html,
        'data-testid="import-error-detail">Registry “Guide drafting experts” entry 1: “ID number” is empty.<'
        in html,
    ) == (True, True)


@pytest.mark.parametrize("role", ["applicant", "officer"])
def test_only_admins_see_an_import(client, admin, role):
    job = requested(admin)
    client.force_login(make_user(f"registry-{role}", role=role))
    assert (
        client.get(f"/screening/registries/imports/{job.pk}/").status_code,
        client.get("/screening/registries/").status_code,
        upload(client).status_code,
        RegistryImport.objects.count(),
    ) == (403, 403, 403, 1)


def test_anonymous_is_sent_to_login(client, admin):
    job = requested(admin)
    response = client.get(f"/screening/registries/imports/{job.pk}/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_an_unknown_import_is_404(client, admin):
    client.force_login(admin)
    assert client.get("/screening/registries/imports/12345/").status_code == 404


def test_the_registries_page_lists_recent_imports_with_their_state(client, admin, one_expert):
    client.force_login(admin)
    done = requested(admin)
    registries.registry_import_run(job_id=done.pk, task_id="t1")
    queued = requested(admin, text="id_number\nX9\n")
    html = client.get("/screening/registries/").content.decode()
    assert (
        f'href="/screening/registries/imports/{queued.pk}/" data-testid="import-state" data-status="queued"'
        in html,
        f'href="/screening/registries/imports/{done.pk}/" data-testid="import-state" data-status="done"'
        in html,
        html.index(f"/imports/{queued.pk}/") < html.index(f"/imports/{done.pk}/"),  # newest first
    ) == (True, True, True)


def test_the_registries_page_reads_a_constant_number_of_queries(client, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin)
    requested(admin)
    with CaptureQueriesContext(connection) as small:
        client.get("/screening/registries/")
    for n in range(5):
        requested(admin, text=f"id_number\nX{n}\n", requested_by=make_user(f"other-admin{n}", role="admin"))
    with CaptureQueriesContext(connection) as large:
        client.get("/screening/registries/")
    assert len(large) == len(small)


# --- reading the CSV (pure) --------------------------------------------------------------


def test_csv_rows_strip_values_skip_blank_lines_and_fill_short_rows():
    text = "\ufeffid_number , name\n X1 , 甲 ,past the header\n\nX2\n"
    read = registries.registry_csv_read(name="ongoing_projects", text=text)
    assert (read.rows, read.numbers, read.ignored) == (
        [{"id_number": "X1", "name": "甲"}, {"id_number": "X2", "name": ""}],
        [2, 4],
        [],
    )


def test_a_short_row_without_its_role_is_refused_like_an_empty_role():
    read = registries.registry_csv_read(name="ongoing_projects", text="id_number,role\nX1\n")
    with pytest.raises(registries.RegistryImportError) as caught:
        registries.registry_rows_clean(name="ongoing_projects", rows=read.rows, numbers=read.numbers)
    assert str(caught.value) == "第 2 行：“角色”没有填写。"


def test_cleaning_its_own_output_gives_the_same_rows():
    rows = [{"id_number": "x1 ", "name": "甲"}, {"credit_code": "91a", "name": "乙"}, {"name": " 丙 "}]
    for name, given in (
        ("misconduct", rows),
        ("guide_experts", rows[:1]),
        ("recommenders", ["甲", " 甲 ", "乙"]),
        ("ongoing_projects", [{"id_number": "x1", "role": "任务（课题）负责人"}]),
    ):
        once = registries.registry_rows_clean(name=name, rows=given)
        assert registries.registry_rows_clean(name=name, rows=once) == once


def test_the_admin_lists_imports_read_only_without_their_rows(client, admin):
    job = requested(admin)
    client.force_login(admin)
    listing = client.get("/admin/screening/registryimport/")
    detail = client.get(f"/admin/screening/registryimport/{job.pk}/change/")
    assert (
        listing.status_code,
        detail.status_code,
        client.get("/admin/screening/registryimport/add/").status_code,
    ) == (
        200,
        200,
        403,
    )
    assert ("110101198001010011" in detail.content.decode(), "experts.csv" in detail.content.decode()) == (
        False,
        True,
    )


def test_a_value_too_long_for_its_column_is_refused_by_every_path_with_its_row(admin):
    long_name = "乙" * 201
    with pytest.raises(registries.RegistryImportError) as caught:
        registries.registries_import(data={"recommenders": ["甲", long_name]}, by=admin)
    assert str(caught.value) == "名单“推荐单位”第 2 条：“推荐单位”超过 200 个字符。"
    with pytest.raises(registries.RegistryImportError):
        registries.registry_import_csv(name="misconduct", text=f"name\n{long_name}\n", by=admin)
    assert RegistryLoad.objects.count() == 0
