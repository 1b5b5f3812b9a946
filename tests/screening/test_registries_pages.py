"""The registries page as an admin uses it: the columns documented in both languages with a sample
file each, an upload previewed (entries added, removed, changed) before anything is replaced, then
confirmed or cancelled, the previous version kept and restored the same way, all audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings

from common.models import AuditEntry
from screening import registries
from screening.models import MisconductEntry, RegistryImport, RegistryLoad, RegistrySnapshot
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

PAGE = "/screening/registries/"
OLD = [
    {"id_number": "110101197001010033", "name": "王五"},
    {"credit_code": "91110000100000000X", "name": "某某科技有限公司"},
    {"name": "赵某"},
]
NEW_CSV = (
    "\ufeff名称,证件号码,统一社会信用代码,序号\n"
    "王五二,110101197001010033,,1\n"  # changed: the same ID number, another name
    ",,91110000100000000X,2\n"  # changed: the same credit code, its name left out
    "钱某,,,3\n"  # added
)


@pytest.fixture
def admin(client):
    user = make_user("registry-admin", role="admin")
    client.force_login(user)
    return user


@pytest.fixture
def misconduct(db):
    registries.registries_import(data={"misconduct": OLD}, source="old.csv")


def upload(client, text: str, registry: str = "misconduct", name: str = "misconduct.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return client.post(PAGE, {"registry": registry, "file": file})


def entries() -> list[tuple[str, str, str]]:
    return sorted(MisconductEntry.objects.values_list("id_number", "credit_code", "name"))


OLD_ENTRIES = [
    ("", "", "赵某"),
    ("", "91110000100000000X", "某某科技有限公司"),
    ("110101197001010033", "", "王五"),
]


def previewed(client, django_capture_on_commit_callbacks, text: str = NEW_CSV) -> RegistryImport:
    with django_capture_on_commit_callbacks(execute=True):  # the job runs after the commit (eagerly)
        response = upload(client, text)
    job = RegistryImport.objects.get()
    assert (response.status_code, response["Location"], job.status) == (
        302,
        f"/screening/registries/imports/{job.pk}/",
        "previewed",
    )
    return job


def confirm(client, job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/screening/registries/imports/{job.pk}/", {"action": "confirm"})
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def test_an_upload_is_previewed_and_nothing_is_replaced_until_confirmed(
    client, admin, misconduct, django_capture_on_commit_callbacks
):
    job = previewed(client, django_capture_on_commit_callbacks)
    assert (entries(), RegistryLoad.objects.get(name="misconduct").version) == (OLD_ENTRIES, 1)
    html = client.get(f"/screening/registries/imports/{job.pk}/").content.decode()
    counts = {
        k: f'data-testid="preview-{k}">{v}<' in html
        for k, v in {"current": 3, "new": 3, "added": 1, "removed": 1, "changed": 2, "unchanged": 0}.items()
    }
    assert counts == dict.fromkeys(counts, True)
    assert (
        'data-testid="examples-added"' in html and "<td>钱某</td>" in html,
        'data-testid="examples-removed"' in html and "<td>赵某</td>" in html,
        "<td>王五</td>" in html and "<td>王五二</td>" in html,
        'data-testid="ignored-columns">这些列不属于这个名单，没有读取：序号<' in html,
        'data-testid="confirm"' in html and 'data-testid="cancel"' in html,
        '<meta http-equiv="refresh"' in html,
    ) == (True, True, True, True, True, False)

    job = confirm(client, job, django_capture_on_commit_callbacks)
    assert (job.status, job.entries, entries()) == (
        "done",
        3,
        [("", "", "钱某"), ("", "91110000100000000X", ""), ("110101197001010033", "", "王五二")],
    )
    audit = AuditEntry.objects.filter(action="registries.imported").latest("id")
    assert (audit.actor, audit.data) == (
        admin,
        {
            "counts": {"misconduct": 3},
            "source": "misconduct.csv",
            "job": job.pk,
            "added": 1,
            "removed": 1,
            "changed": 2,
        },
    )
    snapshot = RegistrySnapshot.objects.get(registry="misconduct")
    assert (snapshot.version, snapshot.entries, snapshot.source) == (1, 3, "old.csv")


def test_a_cancelled_preview_changes_nothing_and_cannot_be_confirmed_after(
    client, admin, misconduct, django_capture_on_commit_callbacks
):
    job = previewed(client, django_capture_on_commit_callbacks)
    response = client.post(f"/screening/registries/imports/{job.pk}/", {"action": "cancel"})
    job.refresh_from_db()
    assert (response.status_code, job.status, job.rows, entries()) == (302, "cancelled", [], OLD_ENTRIES)
    audit = AuditEntry.objects.get(action="registries.import_cancelled")
    assert (audit.actor, audit.data) == (
        admin,
        {"registry": "misconduct", "source": "misconduct.csv", "job": job.pk},
    )
    job = confirm(client, job, django_capture_on_commit_callbacks)
    assert (job.status, entries(), RegistryLoad.objects.get(name="misconduct").version) == (
        "cancelled",
        OLD_ENTRIES,
        1,
    )
    assert (
        'data-testid="import-cancelled">已取消，名单没有改变。<'
        in client.get(f"/screening/registries/imports/{job.pk}/").content.decode()
    )


def test_a_registry_changed_after_the_preview_is_not_replaced(
    client, admin, misconduct, django_capture_on_commit_callbacks
):
    job = previewed(client, django_capture_on_commit_callbacks)
    registries.registry_touch(name="misconduct")  # an edit on the admin site meanwhile
    job = confirm(client, job, django_capture_on_commit_callbacks)
    failure = registries.registry_import_failure(job.error)
    assert (job.status, failure.code, entries()) == ("failed", "changed", OLD_ENTRIES)
    html = client.get(f"/screening/registries/imports/{job.pk}/").content.decode()
    assert "请重新上传文件，查看与当前名单相比的新预览。" in html


def test_the_previous_version_is_restored_through_a_preview_and_audited(
    client, admin, misconduct, django_capture_on_commit_callbacks
):
    confirm(client, previewed(client, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="restore-misconduct"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"action": "restore", "registry": "misconduct"})
    job = RegistryImport.objects.latest("id")
    assert (response.status_code, job.status, job.restore_of.registry, job.source) == (
        302,
        "previewed",
        "misconduct",
        "old.csv",
    )
    assert {k: job.preview[k] for k in ("added", "removed", "changed")} == {
        "added": 1,
        "removed": 1,
        "changed": 2,
    }
    html = client.get(f"/screening/registries/imports/{job.pk}/").content.decode()
    assert "<h1>恢复失信记录的上一版本</h1>" in html
    job = confirm(client, job, django_capture_on_commit_callbacks)
    assert (job.status, entries(), RegistryLoad.objects.get(name="misconduct").version) == (
        "done",
        OLD_ENTRIES,
        3,
    )
    audit = AuditEntry.objects.get(action="registries.restored")
    assert (audit.actor, audit.data["restored"], audit.data["counts"]) == (admin, 1, {"misconduct": 3})
    # the version the restore replaced is the previous one now: the restore can be undone
    snapshot = RegistrySnapshot.objects.get(registry="misconduct")
    assert (snapshot.version, snapshot.source) == (2, "misconduct.csv")


def test_a_registry_without_a_previous_version_offers_no_restore(client, admin):
    registries.registries_import(data={"recommenders": ["甲省科学技术厅"]})
    assert 'data-testid="restore-recommenders"' not in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"action": "restore", "registry": "recommenders"}, follow=True)
    assert (
        RegistryImport.objects.count(),
        "这个名单没有可恢复的上一版本。" in response.content.decode(),
    ) == (0, True)
    assert client.post(PAGE, {"action": "restore", "registry": "blacklist"}).status_code == 404


@pytest.mark.parametrize(
    ("language", "name", "headers"),
    [
        ("zh-hans", "ongoing_projects", ["证件号码", "姓名", "角色", "计划/项目"]),
        ("en", "ongoing_projects", ["ID number", "Name", "Role", "Program/project"]),
        ("zh-hans", "misconduct", ["证件号码", "统一社会信用代码", "名称"]),
        ("en", "recommenders", ["Recommender"]),
    ],
)
def test_a_sample_file_per_registry_in_the_readers_language(client, admin, language, name, headers):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(PAGE, {"sample": name})
    body = response.content.decode("utf-8")
    assert (response.status_code, response["Content-Type"], body[:1]) == (
        200,
        "text/csv; charset=utf-8",
        "\ufeff",
    )
    assert response["Content-Disposition"] == f'attachment; filename="{name}-sample.csv"'
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert (rows[0], len(rows)) == (headers, 3)
    # the sample is a valid upload as it is
    read = registries.registry_csv_read(name=name, text=body)
    assert len(registries.registry_rows_clean(name=name, rows=read.rows, numbers=read.numbers)) == 2


def test_samples_are_for_admins_and_known_registries_only(client, admin):
    assert client.get(PAGE, {"sample": "blacklist"}).status_code == 404
    client.force_login(make_user("olga", role="officer"))
    assert client.get(PAGE, {"sample": "misconduct"}).status_code == 403


def test_the_page_documents_every_registrys_columns_in_both_languages(client, admin):
    html = client.get(PAGE).content.decode()
    assert (
        'href="?sample=misconduct" data-testid="sample-misconduct"' in html,
        "<tr><td>统一社会信用代码</td><td>Unified social credit code、信用代码、社会信用代码、credit code、uscc</td>"
        in html,
        "<code" not in html,  # no registry codes shown
    ) == (True, True, True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(PAGE).content.decode()
    assert (
        "<tr><td>Unified social credit code</td><td>统一社会信用代码, 信用代码, 社会信用代码, credit code, uscc</td>"
        in html,
        "Download a sample file" in html,
    ) == (True, True)


def test_an_english_header_file_with_a_bad_row_is_refused_with_the_row_in_english(client, admin):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, "ID number,Name\n110101196501010044,Zhao\n,Sun\n", registry="guide_experts")
    assert (response.status_code, RegistryImport.objects.count()) == (200, 0)
    assert "Row 3: “ID number” is empty." in response.content.decode()


def test_a_preview_left_unconfirmed_for_a_week_is_cancelled_by_the_sweep(
    client, admin, misconduct, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    job = previewed(client, django_capture_on_commit_callbacks)
    fresh = registries.registry_previews_expire()
    RegistryImport.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(days=7, seconds=1))
    registries.registry_imports_requeue_stale()  # the relay's sweep
    job.refresh_from_db()
    assert (fresh, job.status, job.rows, entries()) == ([], "cancelled", [], OLD_ENTRIES)
    audit = AuditEntry.objects.get(action="registries.import_cancelled")
    assert (audit.actor, audit.data["reason"]) == (None, "expired")
    html = client.get(f"/screening/registries/imports/{job.pk}/").content.decode()
    assert 'data-testid="import-cancelled">这个预览超过 7 天没有确认，已自动取消，名单没有改变。<' in html
    assert registries.registry_previews_expire() == []
