"""The keyword search at the scale of a real call: 10,000 proposals on PostgreSQL (the GIN-indexed
unigram/bigram documents), one- and two-character terms against the answer computed in Python."""

import random
import re
import time

import pytest
from django.db import connection

from screening.workspace import selectors
from tests.factories.proposals import make_user
from tests.factories.workspace import bulk_proposals

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

N = 10_000


@pytest.fixture(scope="module")
def ten_thousand(django_db_setup, django_db_blocker):
    """10,000 proposals, generated once for the module (committed, deleted at the end)."""
    from django.contrib.auth import get_user_model

    from proposals.models import Proposal
    from tests.conftest import IN_CI, _using_postgres

    if not _using_postgres():  # before generating anything (the marker is checked per test)
        (pytest.fail if IN_CI else pytest.skip)("needs PostgreSQL: set DATABASE_URL")
    with django_db_blocker.unblock():
        owner = get_user_model().objects.create_user("ws-scale")
        started = time.perf_counter()
        generated = bulk_proposals(N, owner=owner)
        assert time.perf_counter() - started < 120  # seconds, not minutes (bulk_create)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    yield generated
    with django_db_blocker.unblock():
        Proposal.objects.filter(owner=owner).delete()
        owner.delete()


def search(term: str) -> set[int]:
    return set(
        selectors.proposals_search(selectors.proposals_for_workspace(year=2022), term).values_list(
            "pk", flat=True
        )
    )


def terms(generated) -> list[str]:
    """One-character terms (a common and a rare character), two-character ones (a topic word of
    1,000 proposals, a pair from inside one title, one from a PI's name, one no text has)."""
    rng = random.Random(3)
    sample = rng.choice(generated)
    middle = sample.title[5:7]
    return ["碳", "的", "龙", "氢能", middle, sample.names[0][:2], "牵头", "Partner", "WS-0123", "Ω"]


def expected(term: str, generated) -> set[int]:
    """What the search must find: a CJK term as a substring of a searched field; an ASCII term's
    words each as the start of a word of one (case-insensitive)."""
    if not term.isascii():
        return {g.id for g in generated if g.contains(term)}
    wanted = re.findall(r"[a-z0-9]+", term.lower())
    found = set()
    for g in generated:
        words = re.findall(
            r"[a-z0-9]+", " ".join([g.reference, g.title, g.research_content, *g.names]).lower()
        )
        if all(any(w.startswith(t) for w in words) for t in wanted):
            found.add(g.id)
    return found


def test_one_and_two_character_terms_find_exactly_the_proposals_containing_them(ten_thousand):
    found = {term: search(term) for term in terms(ten_thousand)}
    assert {t: len(ids) for t, ids in found.items()} == {t: len(expected(t, ten_thousand)) for t in found}
    assert found == {t: expected(t, ten_thousand) for t in found}
    assert (len(found["Partner"]), len(found["WS-0123"]), len(found["Ω"])) == (N, 10, 0)


def test_the_topic_word_matches_a_tenth_of_the_proposals(ten_thousand):
    assert len(search("氢能")) == N // 10


def test_the_list_page_answers_a_two_character_search_with_its_count(client, ten_thousand):
    client.force_login(make_user("ws-scale-officer", role="officer"))
    response = client.get("/screening/workspace/proposals/?q=氢能&sort=-submitted")
    page = response.context["page"]
    assert (page.count, len(page.rows), page.rows[0].reference) == (1000, 50, "WS-09991")


def test_a_selective_term_is_looked_up_in_the_gin_index(ten_thousand):
    # a term of a tenth of the proposals is cheaper to scan for; one of a few goes through the index
    qs = selectors.proposals_search(selectors.proposals_for_workspace(year=2022), "WS-0123")
    assert "proposals_proposalsearch_document_gin" in qs.only("pk").explain()
