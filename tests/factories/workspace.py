"""Many proposals at once for the workspace tests (bulk_create: 10,000 take seconds), each with a PI,
a lead unit and a partner and its search document, and helpers to date and index factory rows."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from proposals.identifiers import make_credit_code, make_resident_id
from proposals.models import Person, Proposal, ProposalSearch, Unit
from proposals.search import search_document
from proposals.services.search import proposals_search_rebuild
from tests.factories.screening_db import _HANZI

TOPICS = [
    "碳捕集",
    "氢能源",
    "储能电池",
    "气候模式",
    "疫苗研发",
    "海洋观测",
    "智能电网",
    "生物育种",
    "量子通信",
    "深地探测",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclass
class Generated:
    """What was generated, to compute the expected answer of a search in Python."""

    id: int
    reference: str
    title: str
    research_content: str
    names: list[str]  # the PI's and the units'

    def contains(self, term: str) -> bool:
        return any(term in text for text in (self.reference, self.title, self.research_content, *self.names))


def bulk_proposals(
    n: int,
    *,
    owner,
    prefix: str = "WS",
    year: int = 2022,
    directions: tuple[str, ...] = ("1.1", "1.2", "2.1"),
    state: str = "submitted",
    first_day: dt.date = dt.date(2022, 5, 1),
    seed: int = 7,
) -> list[Generated]:
    """``n`` proposals numbered ``{prefix}-00000``…: the title starts with one of TOPICS (in turn),
    the rest of it and the research content are seeded random characters, one submitted per hour
    from ``first_day`` (Asia/Shanghai)."""
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time(9), tzinfo=tz)
    proposals, texts = [], []
    for i in range(n):
        title = f"{TOPICS[i % len(TOPICS)]}{''.join(rng.choices(_HANZI, k=10))}"
        content = "".join(rng.choices(_HANZI, k=60))
        pi_name = rng.choice(SURNAMES) + "".join(rng.choices(_HANZI, k=2))
        texts.append((title, content, pi_name))
        proposals.append(
            Proposal(
                owner=owner,
                reference=f"{prefix}-{i:05d}",
                guide_year=year,
                direction_code=directions[i % len(directions)],
                title=title,
                recommender="科学技术部国际合作司",
                start_date=dt.date(year + 1, 1, 1),
                end_date=dt.date(year + 3, 12, 31),
                national_funding=Decimal(500),
                matching_funding=Decimal(1000),
                research_content=content,
                state=state,
                submitted_at=start + dt.timedelta(hours=i) if state != "draft" else None,
            )
        )
    proposals = Proposal.objects.bulk_create(proposals, batch_size=2000)
    people, units, documents, generated = [], [], [], []
    for i, (p, (title, content, pi_name)) in enumerate(zip(proposals, texts, strict=True)):
        pi = Person(
            proposal=p,
            role="pi",
            name=pi_name,
            id_number=make_resident_id(dt.date(1975, 1 + i % 12, 1 + i % 28), seq=f"{i % 1000:03d}"),
            birth_date=dt.date(1975, 1 + i % 12, 1 + i % 28),
            nationality="CN",
        )
        lead = Unit(
            proposal=p,
            position=0,
            name=f"牵头大学{i}",
            credit_code=make_credit_code(f"MC{i:06d}"),
            country="CN",
            type="university",
            role="lead",
        )
        partner = Unit(
            proposal=p, position=1, name=f"Partner Institute {i}", country="DE", role="participant"
        )
        people.append(pi)
        units += [lead, partner]
        documents.append(ProposalSearch(proposal=p, document=search_document(p, [lead, partner], [pi])))
        generated.append(Generated(p.pk, p.reference, title, content, [pi_name, lead.name, partner.name]))
    Person.objects.bulk_create(people, batch_size=5000)
    Unit.objects.bulk_create(units, batch_size=5000)
    ProposalSearch.objects.bulk_create(documents, batch_size=2000)
    return generated


def submitted_on(proposal, day: dt.date, hour: int = 10) -> None:
    """Date a factory proposal's submission (Asia/Shanghai)."""
    at = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
    Proposal.objects.filter(pk=proposal.pk).update(submitted_at=at)


def index(proposals) -> None:
    """The search documents of factory proposals written around the services."""
    proposals_search_rebuild(ids=[p.pk for p in proposals])
