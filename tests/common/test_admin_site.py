"""common.admin_site: no change through the Django admin escapes the audit trail. The product's own
records are read-only there; everything the admin can still change (users and groups, API tokens,
login attempts, registry entries) writes an audit entry with each add, change and delete."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import RequestFactory
from django.urls import reverse

from common.admin_site import AuditedAdmin
from common.models import AuditEntry
from screening.models import GuideExpert

pytestmark = pytest.mark.django_db

# what an administrator legitimately keeps by hand; every other model is read-only in the admin
EDITABLE = {
    "auth.group",
    "auth.user",
    "authtoken.tokenproxy",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "screening.guideexpert",
    "screening.misconductentry",
    "screening.ongoingproject",
    "screening.recommender",
}


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_either_refuses_every_write_or_audits_it(admin_user):
    request = _request(admin_user)
    writable = set()
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), model  # every registration, the libraries' too
        can_write = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        inlines_write = [
            inline
            for inline in model_admin.get_inline_instances(request)
            if inline.has_add_permission(request, None)
            or inline.has_change_permission(request)
            or inline.has_delete_permission(request)
        ]
        if can_write or inlines_write:
            writable.add(model._meta.label_lower)
    assert writable == EDITABLE


@pytest.mark.parametrize(
    "url",
    [
        "admin:proposals_proposal_change",
        "admin:guide_guide_change",
        "admin:guide_direction_change",
        "admin:screening_screeningrun_change",
    ],
)
def test_a_post_to_a_read_only_change_form_is_refused_and_changes_nothing(admin_client, guide2022, url):
    from guide.models import Direction
    from screening.models import ScreeningRun
    from tests.factories.screening_db import make_proposal

    proposal = make_proposal()
    run = ScreeningRun.objects.create(proposal=proposal, reason="check")
    guide = guide2022
    direction = Direction.objects.filter(guide=guide).first()
    target = {
        "admin:proposals_proposal_change": proposal,
        "admin:guide_guide_change": guide,
        "admin:guide_direction_change": direction,
        "admin:screening_screeningrun_change": run,
    }[url]
    before = AuditEntry.objects.count()
    response = admin_client.post(reverse(url, args=[target.pk]), {"title": "改过", "state": "screened"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert getattr(target, "title", "") != "改过"
    assert AuditEntry.objects.count() == before


def test_a_users_groups_changed_in_the_admin_leave_an_audit_entry(admin_client, admin_user):
    officer = User.objects.create_user("someone", password="x-long-password-1")
    group = Group.objects.create(name="officers-test")
    url = reverse("admin:auth_user_change", args=[officer.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions")
    }
    data.update(
        {
            "username": "someone",
            "groups": [group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = AuditEntry.objects.filter(action="admin.changed", target_type="auth.user").get()
    assert (entry.actor, entry.target_id) == (admin_user, str(officer.pk))
    assert "Groups" in entry.data["change"][0]["changed"]["fields"]
    assert list(officer.groups.all()) == [group]


def test_a_registry_entry_added_and_deleted_in_the_admin_is_audited_each_time(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:screening_guideexpert_add"), {"id_number": "110101197001010011", "name": "专家"}
    )
    assert response.status_code == 302
    expert = GuideExpert.objects.get()
    response = admin_client.post(
        reverse("admin:screening_guideexpert_delete", args=[expert.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    actions = list(
        AuditEntry.objects.filter(target_type="screening.guideexpert")
        .order_by("id")
        .values_list("action", "target_id")
    )
    assert actions == [("admin.added", str(expert.pk)), ("admin.deleted", str(expert.pk))]
    # and the registry's own trail (its version, stale results) as before
    assert AuditEntry.objects.filter(action="registries.edited").count() == 2
