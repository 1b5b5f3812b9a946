"""The keyword-search tokens (proposals.search) and the documents the services keep with the data."""

import pytest

from proposals import services
from proposals.models import ProposalSearch
from proposals.search import search_document, search_terms, text_tokens, tsquery_text
from proposals.services.search import proposals_search_rebuild
from tests.factories.proposals import complete_data, make_user


def test_text_tokens_are_unigrams_and_bigrams_of_each_cjk_run_and_lower_case_words():
    assert text_tokens("碳捕集 CO2，氢") == ["碳", "捕", "集", "碳捕", "捕集", "co2", "氢"]


def test_full_width_letters_and_digits_become_ascii_words():
    assert text_tokens("ＡＢＣ１２") == ["abc12"]


def test_punctuation_breaks_a_run_so_no_bigram_spans_it():
    assert text_tokens("碳、捕") == ["碳", "捕"]


def test_empty_text_has_no_tokens():
    assert text_tokens("") == []


def test_search_document_takes_reference_title_content_people_and_units_each_token_once():
    proposal = {"reference": "P-01", "title": "碳捕集", "research_content": "捕集"}
    document = search_document(proposal, [{"name": "清华"}], [{"name": "林海"}, {"name": "Hans Müller"}])
    assert document == "p 01 碳 捕 集 碳捕 捕集 林 海 林海 hans müller 清 华 清华"


def test_fields_are_tokenised_apart_so_no_bigram_joins_two_fields():
    document = search_document({"reference": "", "title": "碳", "research_content": "捕"}, [], [])
    assert document.split() == ["碳", "捕"]


def test_one_character_query_is_its_unigram():
    assert search_terms("碳") == [["碳"]]
    assert tsquery_text("碳") == "'碳'"


def test_two_character_query_is_its_bigram():
    assert tsquery_text("捕集") == "'捕集'"


def test_longer_query_ands_its_bigrams_and_words_match_as_prefixes():
    assert search_terms("碳捕集 ABC") == [["碳捕", "捕集"], ["abc"]]
    assert tsquery_text("碳捕集 ABC") == "'碳捕' & '捕集' & 'abc':*"


def test_query_of_punctuation_only_searches_nothing():
    assert tsquery_text("，。！") is None
    assert tsquery_text("   ") is None


def test_a_repeated_bigram_appears_once_in_the_query():
    assert tsquery_text("哈哈哈") == "'哈哈'"


@pytest.mark.django_db
def test_creating_and_updating_a_proposal_writes_its_search_document():
    owner = make_user()
    proposal = services.proposal_create(owner=owner, data=complete_data(title="氢能"))
    tokens = stored_tokens(proposal)
    assert ("氢能" in tokens, "福州" in tokens, "林海" in tokens) == (True, True, True)
    services.proposal_update(proposal=proposal, data=complete_data(title="碳汇"), by=owner)
    tokens = stored_tokens(proposal)
    assert ("碳汇" in tokens, "氢能" in tokens) == (True, False)
    assert ProposalSearch.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db
def test_rebuild_writes_one_document_per_proposal_and_is_idempotent():
    owner = make_user()
    ids = [services.proposal_create(owner=owner, data=complete_data()).pk for _ in range(3)]
    ProposalSearch.objects.all().delete()
    assert proposals_search_rebuild(ids=ids, chunk=2) == 3
    assert proposals_search_rebuild(ids=ids, chunk=2) == 3
    assert sorted(ProposalSearch.objects.values_list("proposal_id", flat=True)) == sorted(ids)


def stored_tokens(proposal) -> set[str]:
    """The tokens of a stored document: plain text on SQLite, a tsvector's text form on PostgreSQL
    ('氢能' '福州' …)."""
    import re

    from django.db import connection

    document = ProposalSearch.objects.get(proposal=proposal).document
    if connection.vendor == "postgresql":
        return set(re.findall(r"'([^']*)'", document))
    return set(document.split())
