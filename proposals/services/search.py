"""The keyword-search document of proposals (proposals.search), kept up to date with their data.

:func:`proposal_search_write` is called by ``proposal_data_write`` (the form, uploads and the JSON
import all write through it); :func:`proposals_search_rebuild` rebuilds the documents of many
proposals at once (rows written around the services: bulk loads, benchmarks, admin edits)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..models import Person, Proposal, ProposalSearch, Unit
from ..search import search_document


def proposal_search_write(
    *, proposal: Proposal, people: Iterable[Person], units: Iterable[Unit], new: bool = False
) -> None:
    """Store the search document of ``proposal`` from the people and units just written. No
    transaction of its own (its caller's); idempotent. Two queries, one for a ``new`` proposal
    (created in this transaction: it has no document to replace)."""
    document = search_document(proposal, list(units), list(people))
    if not new:
        ProposalSearch.objects.filter(proposal_id=proposal.pk).delete()
    ProposalSearch.objects.create(proposal_id=proposal.pk, document=document)


def proposals_search_rebuild(*, ids: Iterable[int], chunk: int = 1000) -> int:
    """Rebuild the search documents of the proposals ``ids`` from their rows, ``chunk`` at a time
    (four queries each: proposals, people, units and the replaced documents). Idempotent; returns
    how many were written. The caller holds the transaction."""
    ids = list(ids)
    written = 0
    for k in range(0, len(ids), chunk):
        part = ids[k : k + chunk]
        proposals = list(
            Proposal.objects.filter(pk__in=part).only("id", "reference", "title", "research_content")
        )
        people: dict[int, list] = defaultdict(list)
        for person in Person.objects.filter(proposal_id__in=part).only("proposal_id", "name"):
            people[person.proposal_id].append(person)
        units: dict[int, list] = defaultdict(list)
        for unit in Unit.objects.filter(proposal_id__in=part).only("proposal_id", "name"):
            units[unit.proposal_id].append(unit)
        ProposalSearch.objects.filter(proposal_id__in=part).delete()
        ProposalSearch.objects.bulk_create(
            [
                ProposalSearch(proposal_id=p.pk, document=search_document(p, units[p.pk], people[p.pk]))
                for p in proposals
            ],
            batch_size=500,
        )
        written += len(proposals)
    return written
