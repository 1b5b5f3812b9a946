"""API test fixtures: users of each role with real tokens (the API's own authentication),
clients for them, and the rates lifted so that a test making many requests is not
throttled (tests/api/test_errors.py lowers them again for the 429)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.proposals import make_user


@pytest.fixture(autouse=True)
def _api_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    cache.clear()  # throttle counts
    yield
    cache.clear()


def token_client(user=None) -> APIClient:
    """A client that authenticates as ``user`` with a token (anonymous without one)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def people(db):
    """One user of each role: alice (applicant, the owner), mallory (another applicant),
    olga (officer), root (admin)."""
    return {
        "alice": make_user("alice"),
        "mallory": make_user("mallory"),
        "olga": make_user("olga", role="officer"),
        "root": make_user("root", role="admin"),
    }


@pytest.fixture
def clients(people):
    """A token client per user, and ``anonymous``."""
    return {"anonymous": token_client(), **{name: token_client(user) for name, user in people.items()}}
