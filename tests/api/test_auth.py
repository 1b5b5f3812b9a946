"""Authentication: a token an admin creates in the Django admin, or the site's session."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.proposals import make_proposal, make_user

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_token_in_the_django_admin_and_it_authenticates(client):
    alice = make_user("alice")
    make_proposal(owner=alice)
    client.force_login(make_user("root", role="admin"))
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 200
    response = client.post("/admin/authtoken/tokenproxy/add/", {"user": alice.pk})
    assert (response.status_code, response["Location"]) == (302, "/admin/authtoken/tokenproxy/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=alice).key}")
    assert api.get("/api/v1/proposals/").json()["count"] == 1


def test_only_the_token_scheme_is_understood(db):
    token = Token.objects.create(user=make_user("alice"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert api.get("/api/v1/proposals/").status_code == 401


def test_a_signed_in_session_reads_without_a_token(db):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(make_user("olga", role="officer"))
    assert api.get("/api/v1/proposals/").status_code == 200


def test_an_inactive_users_token_is_refused(db):
    alice = make_user("alice")
    token = Token.objects.create(user=alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/proposals/")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "authentication_failed")
