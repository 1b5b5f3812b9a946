"""The audit trail is append-only: the model refuses every change and removal, the admin is
read-only, and on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE even in raw SQL."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import ProgrammingError, connection, transaction
from django.db.models.deletion import ProtectedError

from common.models import AppendOnlyError, AuditEntry
from common.services import audit_record
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("common.migrations.0004_audit_append_only")


@pytest.fixture
def entry():
    return audit_record(actor=None, action="proposal.updated", data={"n": 1})


def stored(entry) -> tuple:
    row = AuditEntry.objects.get(pk=entry.pk)
    return (row.action, row.data)


# --- the model -----------------------------------------------------------------------


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = "proposal.deleted"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert stored(entry) == ("proposal.updated", {"n": 1})


def test_saving_with_update_fields_is_refused(entry):
    entry.data = {"n": 2}
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["data"])
    assert stored(entry) == ("proposal.updated", {"n": 1})


def test_a_new_instance_with_an_existing_pk_never_overwrites_it(entry):
    with pytest.raises(Exception) as caught, transaction.atomic():
        AuditEntry(pk=entry.pk, action="proposal.deleted").save()
    assert type(caught.value).__name__ == "IntegrityError"
    assert stored(entry) == ("proposal.updated", {"n": 1})


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).count() == 1


def test_queryset_update_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="proposal.deleted")
    assert stored(entry) == ("proposal.updated", {"n": 1})


def test_queryset_delete_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).count() == 1


def test_bulk_update_is_refused(entry):
    entry.action = "proposal.deleted"
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert stored(entry) == ("proposal.updated", {"n": 1})


def test_adding_entries_still_works():
    before = AuditEntry.objects.count()
    audit_record(actor=None, action="proposal.created")
    AuditEntry.objects.bulk_create([AuditEntry(action="proposal.state"), AuditEntry(action="proposal.state")])
    assert AuditEntry.objects.count() == before + 3


def test_a_user_who_has_acted_cannot_be_deleted():
    user = make_user("actor1")
    audit_record(actor=user, action="proposal.updated")
    with pytest.raises(ProtectedError):
        user.delete()
    assert AuditEntry.objects.filter(actor=user).count() == 1


# --- the admin -----------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", role="admin"))
    return client


def test_admin_lists_entries_without_add_or_delete(admin_client, entry):
    response = admin_client.get("/admin/common/auditentry/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "/admin/common/auditentry/add/" in html,
        'value="delete_selected"' in html,
        f"/admin/common/auditentry/{entry.pk}/change/" in html,
    ) == (False, False, True)


def test_admin_shows_an_entry_read_only(admin_client, entry):
    response = admin_client.get(f"/admin/common/auditentry/{entry.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert ('name="_save"' in html, 'name="action"' in html) == (False, False)


def test_admin_refuses_to_change_an_entry(admin_client, entry):
    response = admin_client.post(
        f"/admin/common/auditentry/{entry.pk}/change/", {"action": "proposal.deleted", "data": "{}"}
    )
    assert response.status_code == 403
    assert stored(entry) == ("proposal.updated", {"n": 1})


def test_admin_refuses_to_delete_an_entry(admin_client, entry):
    assert admin_client.get(f"/admin/common/auditentry/{entry.pk}/delete/").status_code == 403
    assert (
        admin_client.post(f"/admin/common/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).count() == 1


def test_admin_refuses_the_bulk_delete_action(admin_client, entry):
    response = admin_client.post(
        "/admin/common/auditentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk).count() == 1


def test_admin_refuses_to_add_an_entry(admin_client):
    assert admin_client.get("/admin/common/auditentry/add/").status_code == 403


# --- the PostgreSQL trigger --------------------------------------------------------------


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_raw_sql_update_is_refused_on_postgresql(entry):
    with pytest.raises(ProgrammingError, match="append-only: UPDATE of common_auditentry refused"):
        _raw("UPDATE common_auditentry SET action = 'x.y' WHERE id = %s", [entry.pk])
    assert stored(entry) == ("proposal.updated", {"n": 1})


@pytest.mark.postgres
def test_raw_sql_delete_is_refused_on_postgresql(entry):
    with pytest.raises(ProgrammingError, match="append-only: DELETE of common_auditentry refused"):
        _raw("DELETE FROM common_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).count() == 1


@pytest.mark.postgres
def test_raw_sql_update_matching_no_row_is_refused_too(entry):
    with pytest.raises(ProgrammingError, match="append-only: UPDATE"):
        _raw("UPDATE common_auditentry SET action = 'x.y' WHERE id = -1")


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(entry):
    with pytest.raises(ProgrammingError, match="append-only: TRUNCATE of common_auditentry refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            # the test settings allow TRUNCATE (the test runner's flush); a real session does not
            cursor.execute("SET LOCAL prescreen.audit_truncate = 'off'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks from the insert
            cursor.execute("TRUNCATE common_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).count() == 1


@pytest.mark.postgres
def test_deleting_a_user_is_refused_by_the_trigger_even_past_the_model(entry):
    user = make_user("actor2")
    audit_record(actor=user, action="proposal.updated")
    with pytest.raises(ProgrammingError, match="append-only: UPDATE"):
        _raw("UPDATE common_auditentry SET actor_id = NULL WHERE actor_id = %s", [user.pk])


@pytest.mark.postgres
def test_the_trigger_migration_is_reversible(entry):
    operation = MIGRATION.Migration.operations[-1]
    with connection.schema_editor() as editor:
        operation.database_backwards("common", editor, None, None)
    _raw("UPDATE common_auditentry SET action = 'proposal.deleted' WHERE id = %s", [entry.pk])
    assert stored(entry) == ("proposal.deleted", {"n": 1})
    with connection.schema_editor() as editor:
        operation.database_forwards("common", editor, None, None)
    with pytest.raises(ProgrammingError, match="append-only: UPDATE"):
        _raw("UPDATE common_auditentry SET action = 'proposal.updated' WHERE id = %s", [entry.pk])


class _Recorder:
    """A schema editor that records the SQL it is given, on a connection of the given vendor."""

    def __init__(self, vendor: str):
        self.connection = SimpleNamespace(vendor=vendor, alias="default", ops=connection.ops)
        self.sql: list[str] = []

    def execute(self, sql, params=None):
        self.sql.append(sql)


@pytest.mark.parametrize("vendor", ["sqlite", "mysql"])
def test_the_trigger_migration_runs_nothing_on_other_databases(vendor):
    operation, editor = MIGRATION.Migration.operations[-1], _Recorder(vendor)
    operation.database_forwards("common", editor, None, None)
    operation.database_backwards("common", editor, None, None)
    assert editor.sql == []


def test_the_trigger_migration_creates_and_drops_the_trigger_on_postgresql():
    operation = MIGRATION.Migration.operations[-1]
    forwards, backwards = _Recorder("postgresql"), _Recorder("postgresql")
    operation.database_forwards("common", forwards, None, None)
    operation.database_backwards("common", backwards, None, None)
    created, dropped = " ".join(" ".join(forwards.sql).split()), " ".join(" ".join(backwards.sql).split())
    assert (
        "CREATE FUNCTION common_auditentry_append_only() RETURNS trigger" in created,
        "CREATE TRIGGER common_auditentry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "
        "common_auditentry FOR EACH STATEMENT" in created,
        dropped,
    ) == (
        True,
        True,
        "DROP TRIGGER IF EXISTS common_auditentry_append_only ON common_auditentry; "
        "DROP FUNCTION IF EXISTS common_auditentry_append_only();",
    )


def test_sqlite_database_has_no_trigger(entry):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert cursor.fetchall() == []


@pytest.mark.django_db(transaction=True)
def test_the_test_runner_can_still_empty_the_table_after_a_transactional_test():
    # on PostgreSQL the flush after this test TRUNCATEs the table: the test settings allow it
    audit_record(actor=None, action="proposal.created")
    assert AuditEntry.objects.count() == 1
