import pytest
from django.urls import reverse

from tests.factories.guide import make_guide
from tests.factories.proposals import make_attachment, make_proposal, make_user

pytestmark = pytest.mark.django_db

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self';")
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_chinese_is_the_default_language(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>登录</h1>" in response.content.decode()


def test_proposal_page_is_not_stored(client):
    owner = make_user("owner-ns")
    proposal = make_proposal(owner=owner)
    client.force_login(owner)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    assert (response["Cache-Control"], response["Pragma"], response["Permissions-Policy"]) == (
        "no-store",
        "no-cache",
        PERMISSIONS_POLICY,
    )


def test_attachment_download_is_not_stored(client):
    owner = make_user("owner-att")
    proposal = make_proposal(owner=owner)
    attachment = make_attachment(proposal)
    client.force_login(owner)
    response = client.get(reverse("proposals:attachment", args=[proposal.pk, attachment.pk]))
    assert response.status_code == 200
    assert (response["Cache-Control"], response["Pragma"], response["Permissions-Policy"]) == (
        "no-store",
        "no-cache",
        PERMISSIONS_POLICY,
    )


def test_login_page_is_not_stored_even_for_anonymous_visitors(client):
    response = client.get("/accounts/login/")
    assert response["Cache-Control"] == "no-store"


def test_admin_page_replaces_never_cache_with_no_store(client):
    client.force_login(make_user("boss", role="admin"))
    response = client.get("/admin/")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_public_guide_page_for_anonymous_visitor_stays_cacheable(client):
    make_guide(year=2030)
    response = client.get(reverse("guide:overview", args=[2030]))
    assert response.status_code == 200
    assert (response.has_header("Cache-Control"), response.has_header("Pragma")) == (False, False)
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_public_guide_page_for_signed_in_user_is_not_stored(client):
    make_guide(year=2030)
    client.force_login(make_user("reader"))
    response = client.get(reverse("guide:overview", args=[2030]))
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_health_probe_carries_permissions_policy_and_no_cache_header(client):
    response = client.get("/healthz")
    assert (response.status_code, response.has_header("Cache-Control"), response["Permissions-Policy"]) == (
        200,
        False,
        PERMISSIONS_POLICY,
    )
