"""The audit trail records logins (success and failure), attachment downloads and
exports; it shows times in settings.TIME_ZONE and the admin speaks the user's language."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.conf import settings

from common.models import AuditEntry
from tests.factories.proposals import make_attachment, make_user
from tests.factories.proposals import make_proposal as make_draft

pytestmark = pytest.mark.django_db


def last_id() -> int:
    """The newest entry's id: the trail is append-only, so tests look at what comes after it."""
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def after(mark: int):
    return AuditEntry.objects.filter(id__gt=mark)


def actions(mark: int = 0) -> list[str]:
    return list(after(mark).order_by("id").values_list("action", flat=True))


@pytest.fixture
def screened(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    from screening import services
    from tests.factories.screening_db import make_proposal

    proposal = make_proposal(owner=make_user("owner1"), pi_birth=date(1961, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=proposal)
    proposal.audit_mark = last_id()
    return proposal


def test_successful_login_is_recorded_with_the_user(client):
    user = make_user("lina")
    user.set_password("a-long-password-1")
    user.save()
    response = client.post("/accounts/login/", {"username": "lina", "password": "a-long-password-1"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="auth.login")
    assert (entry.actor, entry.target_type, entry.target_id) == (user, "auth.user", str(user.pk))
    assert entry.data == {"ip": "127.0.0.1", "path": "/accounts/login/"}


def test_failed_login_is_recorded_with_the_username_and_never_the_password(client):
    make_user("lina")
    response = client.post("/accounts/login/", {"username": "lina", "password": "wrong-password-9"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor is None
    assert entry.data == {"username": "lina", "ip": "127.0.0.1", "path": "/accounts/login/"}
    assert "wrong-password-9" not in str(entry.data)


def test_attachment_download_is_recorded(client):
    owner = make_user("owner1")
    proposal = make_draft(owner=owner)
    attachment = make_attachment(proposal)
    mark = last_id()
    client.force_login(owner)
    response = client.get(f"/proposals/{proposal.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = after(mark).exclude(action="auth.login").get()
    assert (entry.action, entry.actor, entry.target_type, entry.target_id) == (
        "attachment.downloaded",
        owner,
        "proposals.attachment",
        str(attachment.pk),
    )
    assert entry.data == {"proposal": proposal.pk, "kind": "recommendation_letter", "name": "推荐函.pdf"}


def test_refused_attachment_download_records_nothing(client):
    proposal = make_draft(owner=make_user("owner1"))
    attachment = make_attachment(proposal)
    mark = last_id()
    client.force_login(make_user("intruder"))
    assert client.get(f"/proposals/{proposal.pk}/attachments/{attachment.pk}/").status_code == 404
    assert actions(mark) == ["auth.login"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_every_export_is_recorded(client, screened, fmt):
    officer = make_user("olga", role="officer")
    client.force_login(officer)
    response = client.post(
        "/screening/workspace/bulk/", {"action": f"export_{fmt}", "scope": "filtered", "query": "year=2022"}
    )
    assert response.status_code == 200
    entry = after(screened.audit_mark).exclude(action="auth.login").get()
    assert (entry.action, entry.actor, entry.data) == (
        "workspace.exported",
        officer,
        {"format": fmt, "proposals": 1, "query": "year=2022", "job": None},
    )


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_report_export_of_one_proposal_is_recorded(client, screened, fmt):
    client.force_login(screened.owner)
    assert client.get(f"/screening/proposals/{screened.pk}/report.{fmt}").status_code == 200
    entry = after(screened.audit_mark).exclude(action="auth.login").get()
    assert (entry.action, entry.actor, entry.target_type, entry.target_id, entry.data["format"]) == (
        "screening.report_exported",
        screened.owner,
        "proposals.proposal",
        str(screened.pk),
        fmt,
    )


def test_audit_entry_shows_shanghai_time():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    with mock.patch("django.utils.timezone.now", return_value=datetime(2022, 3, 1, 23, 30, tzinfo=UTC)):
        entry = AuditEntry.objects.create(action="x.y")
    entry.refresh_from_db()
    assert str(entry) == "2022-03-02 07:30 x.y :"


def test_admin_audit_list_shows_local_time_and_translated_columns(client):
    client.force_login(make_user("root", role="admin"))
    with mock.patch("django.utils.timezone.now", return_value=datetime(2022, 3, 1, 23, 30, tzinfo=UTC)):
        AuditEntry.objects.create(action="x.y")
    html = client.get("/admin/common/auditentry/").content.decode()
    headers = ["时间", "操作人", "动作", "对象类型", "对象编号", "详情"]
    assert [h for h in headers if f">{h}</a>" not in html] == []
    assert "2022年3月2日 07:30" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/admin/common/auditentry/").content.decode()
    headers = ["Time", "Actor", "Object type", "Object ID", "Details"]
    assert [h for h in headers if f">{h}</a>" not in html] == []
    assert "March 2, 2022, 7:30 a.m." in html


def test_admin_index_names_every_app_and_model_in_the_chosen_language(client):
    client.force_login(make_user("root", role="admin"))
    html = client.get("/admin/").content.decode()
    for name in ["公共与审计", "审计记录", "指南", "申报书管理", "上传的草稿"]:
        assert f">{name}<" in html, name
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/admin/").content.decode()
    assert (">Common<" in html, ">Draft uploads<" in html, ">Proposals<" in html) == (False, False, True)
    for name in ["Common and audit", "Uploaded drafts", "Audit entries", "Guide", "Directions"]:
        assert f">{name}<" in html, name
