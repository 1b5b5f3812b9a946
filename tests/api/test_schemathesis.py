"""Schemathesis against the schema the API serves (/api/v1/schema/), in-process through Django's
WSGI handler (no server, no network), as an anonymous client, an applicant and an officer.

Every operation gets schemathesis' examples, coverage (each parameter's and property's
boundaries, and each kind of invalid value) and fuzzing phases, with valid and invalid data,
and every response goes through all of schemathesis' checks: no 5xx, every status documented,
bodies, content types and headers as documented, valid data accepted, invalid data refused,
authentication enforced, 405 with ``Allow`` for the methods an endpoint lacks. Generation is
derandomized with a fixed seed, so a run repeats the one before it.

Part of the generated ids are pointed at real objects (``Identity.aim``): the applicant's
proposals in each state, someone else's, a screening run. Each request runs in a savepoint
that is rolled back, so every case meets the same objects (a DELETE or a submit in one case
does not change what the next one finds).

Checks that cannot apply here, and why:

- ``use_after_free``, ``ensure_resource_availability``: they follow a created object through
  the operations that read and delete it, which needs the stateful phase; that needs links
  between operations, and the schema has none (the stateful phase is off).
- ``object_level_authorization``: compares answers across identities schemathesis
  authenticates itself (its auth config); each identity here is its own test, and
  tests/api/test_permissions.py checks, for every operation, that another applicant's
  proposal is a 404.
- ``max_response_time``: no limit is set; the machines are shared and a limit would be noise
  (bench/ measures speed).

tests/api/test_schema.py walks every operation with hand-written requests; this finds what
nobody wrote a request for (flags that took 0 for false, a submit that took a ``null`` body,
empty enum filters read as "any", a line break in a path answered by the site's HTML 404: their
tests are in test_errors.py, test_pagination.py and test_filters.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from screening import services
from screening.models import ScreeningRun
from tests.factories.proposals import complete_data, make_user
from tests.factories.proposals import make_proposal as make_draft
from tests.factories.screening_db import make_proposal

SCHEMA_PATH = "/api/v1/schema/?format=json"

# schemathesis' own default statuses for positive_data_acceptance (schemathesis/config/_checks.py)
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# positive_data_acceptance fails a 400 to a request the schema allows. These operations refuse some
# such requests on purpose, because what they take depends on more than JSON Schema can say (and
# they document their 400): for them alone the check takes a 400 too; every other check still applies.
RULES_BEYOND_THE_SCHEMA = [
    # area, ratio and type take one of that year's areas, ratios and project types
    "GET /api/v1/guides/{year}/directions/",
    # guide_year takes a year in which the user has proposals
    "GET /api/v1/proposals/",
    # the body goes through the pages' form: countries by name or code, ID numbers and credit codes
    # with their check characters, a gender that matches the ID number, dates in order…
    "POST /api/v1/proposals/",
    "PUT /api/v1/proposals/{id}/",
    "PATCH /api/v1/proposals/{id}/",
    # 400 not_submittable: the draft, not the request, is incomplete
    "POST /api/v1/proposals/{id}/submit/",
]

CONFIG = {
    "seed": 20240601,
    "generation": {
        "mode": "all",  # valid and invalid data
        "max-examples": 8,  # the fuzzing phase's, per operation; the coverage phase makes its own
        "deterministic": True,
        "database": "none",  # nothing written under .hypothesis/
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},  # see the module's docstring
    },
    "operations": [
        {
            "include-name": RULES_BEYOND_THE_SCHEMA,
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
        }
    ],
}

schema = schemathesis.openapi.from_wsgi(
    SCHEMA_PATH, WSGIHandler(), config=SchemathesisConfig.from_dict(CONFIG)
)

NUMBER = re.compile(r"[0-9]{1,18}")


@dataclass
class Identity:
    role: str
    headers: dict[str, str]
    known: dict[str, list]  # values of path parameters that name real objects

    def aim(self, case) -> None:
        """Point part of the cases at real objects: a generated path value picks one of the known
        values, or stays as it is (a random id: mostly a 404). Only values the schema allows are
        replaced (schemathesis re-reads the case before sending it), so a negative case stays
        negative."""
        for name, value in list(case.path_parameters.items()):
            choices = self.known.get(name)
            if not choices or isinstance(value, bool) or not isinstance(value, (int, str)):
                continue
            if name in ("id", "run_pk", "year"):
                if isinstance(value, str) and not NUMBER.fullmatch(value):
                    continue  # not a whole number: an invalid value, left as it is
                pick = int(value)
            else:
                pick = len(value)
            if pick % (len(choices) + 1) < len(choices):
                case.path_parameters[name] = choices[pick % (len(choices) + 1)]
        if case.path_parameters.get("run_pk") in self.known["run_pk"]:
            case.path_parameters["id"] = self.known["id"][0]  # the run's own proposal


@pytest.fixture
def connection_kept():
    """Django's WSGI handler closes the database connection around every request
    (close_old_connections), which would end the test's transaction on PostgreSQL (SQLite's
    in-memory test database ignores it); Django's test client disconnects it the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def objects(guide2022, all_registries_empty, django_capture_on_commit_callbacks) -> dict:
    """The 2022 guide; Alice's proposals in each state, one of them screened; one of Mallory's."""
    alice = make_user("alice")
    screened = make_proposal(owner=alice, direction="5.2")
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_request(proposal=screened)
    proposals = [
        screened,
        make_proposal(owner=alice, state="draft"),
        make_draft(owner=alice, data=complete_data(title=None, guide_year=2022)),  # cannot be submitted
        make_proposal(owner=alice, state="submitted"),
        make_proposal(owner=make_user("mallory")),  # someone else's: a 404 for Alice
    ]
    known = {
        "id": [p.pk for p in proposals],
        "run_pk": [ScreeningRun.objects.get(proposal=screened).pk],
        "year": [2022],
        "code": ["1.1", "5.2"],
    }
    return {"alice": alice, "known": known}


@pytest.fixture
def identity(role: str, objects: dict, connection_kept) -> Identity:
    if role == "anonymous":
        return Identity(role, {}, objects["known"])
    user = objects["alice"] if role == "applicant" else make_user("olga", role="officer")
    return Identity(role, {"Authorization": f"Token {Token.objects.create(user=user).key}"}, objects["known"])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "applicant", "officer"])
@schema.parametrize()
# The fixtures are set up once per operation and role, not per generated case: right here, since the
# cases only read them (each case's writes are rolled back). No deadline and no too_slow (as in
# Hypothesis' own CI profile, which these settings replace): the machines are shared, and speed is
# not what this test is about.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_every_generated_request_is_answered_as_the_schema_says(case, identity):
    identity.aim(case)
    with transaction.atomic():
        case.call_and_validate(headers=identity.headers)
        transaction.set_rollback(True)
