"""Fixtures of the workspace tests: officers, an applicant, and screened proposals of the 2022 guide."""

from datetime import date

import pytest

from screening import services
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal


@pytest.fixture
def officer(db):
    return make_user("ws-officer", role="officer")


@pytest.fixture
def applicant(db):
    return make_user("ws-applicant", role="applicant")


@pytest.fixture
def screen(guide2022, all_registries_empty, django_capture_on_commit_callbacks):
    """screen(proposals): run the batch path on them, eagerly, as the workers would."""

    def run(proposals):
        with django_capture_on_commit_callbacks(execute=True):
            services.screening_batch_create(proposals=list(proposals), label="test")
        return proposals

    return run


@pytest.fixture
def three(screen):
    """Three screened 2022 proposals: P-A passes, P-B fails pi.age (born before 1962), P-C fails
    pi.age and the matching ratio (direction 1.1 needs matching funds ≥ 2 × national? see guide)."""
    owner = make_user("ws-owner")
    a = make_proposal(owner=owner, reference="P-A", direction="1.1")
    b = make_proposal(owner=owner, reference="P-B", direction="1.1", pi_birth=date(1961, 12, 31))
    c = make_proposal(owner=owner, reference="P-C", direction="1.2", pi_birth=date(1960, 1, 1))
    screen([a, b, c])
    return a, b, c
