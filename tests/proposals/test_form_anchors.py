"""Every fix link of a report lands on an element of the proposal form: drafts that make the
rules report every kind of finding that names a field are checked, each report's links are
followed to the edit page, and the element each link names is there (field, row or section)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from proposals.forms import field_anchor
from proposals.models import Person, Proposal, Subtask, Unit
from screening import services
from screening.models import Finding
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="/proposals/(\d+)/edit/#([^"]+)" data-testid="fix-link"')


def _drafts(owner) -> list[Proposal]:
    """Drafts whose checks name, between them, every kind of field a finding can name."""
    drafts = [
        make_proposal(owner=owner, state="draft"),
        make_proposal(
            owner=owner,
            state="draft",
            pi_birth=date(1950, 1, 1),
            pi_title="助理研究员",
            members=3,
            foreign_countries=(),
            domestic_participants=4,
            recommender="某某大学",
            attachments=(),
            direction="9.9",
        ),
    ]
    # almost nothing filled in: the data-missing findings of every part
    bare = Proposal.objects.create(owner=owner, reference="P-BARE", guide_year=2022, state="draft")
    Person.objects.create(proposal=bare, role="pi", name="某人")
    Person.objects.create(proposal=bare, role="member", position=0, name="骨干", nationality="")
    Unit.objects.create(proposal=bare, position=0, name="某单位", role="lead")
    Unit.objects.create(proposal=bare, position=1, name="Partner", country="", role="participant")
    Subtask.objects.create(proposal=bare, position=0, name="课题一", lead_name="课题负责人")
    drafts.append(bare)
    drafts.append(make_proposal(owner=owner, state="draft", matching="0"))
    # a guide year without a guide; a subtask (the 2022 guide allows none); an end far away
    late = make_proposal(owner=owner, state="draft")
    Proposal.objects.filter(pk=late.pk).update(
        end_date=date(2040, 1, 1), indicators="", national_funding=Decimal(1)
    )
    Subtask.objects.create(
        proposal=late, position=0, name="课题一", lead_name="负责人", lead_birth_date=date(1940, 1, 1)
    )
    drafts.append(late)
    other_year = make_proposal(owner=owner, state="draft")
    Proposal.objects.filter(pk=other_year.pk).update(guide_year=2031)
    drafts.append(other_year)
    return drafts


def test_every_fix_link_of_a_report_lands_on_an_element_of_the_form(
    client, guide2022, all_registries_empty, django_capture_on_commit_callbacks
):
    owner = make_user("anchors")
    client.force_login(owner)
    fields, links = set(), []
    for draft in _drafts(owner):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.screening_request(proposal=draft, by=owner)
        run.refresh_from_db()
        assert run.status == "done"
        named = set(Finding.objects.filter(run=run).exclude(field="").values_list("field", flat=True))
        fields |= named
        report = client.get(f"/screening/proposals/{draft.pk}/").content.decode()
        found = LINK.findall(report)
        assert len(found) == Finding.objects.filter(run=run).exclude(field="").count()
        links += [(int(pk), anchor) for pk, anchor in found]
    # the kinds of field the findings name (indices left out), and that the drafts named them all
    kinds = {re.sub(r"\[\d+\]", "[]", f) for f in fields}
    assert {
        "indicators_text",
        "direction",
        "recommender",
        "attachments",
        "guide_year",
        "end_date",
        "pi.birth_date",
        "pi.title",
        "units",
        "units[].country",
        "subtasks",
        "units[].type",
        "members[].id_number",
        "pi.civil_servant",
        "budget.matching",
    } - kinds == set()
    pages: dict[int, str] = {}
    missing = []
    for pk, anchor in links:
        if pk not in pages:
            pages[pk] = client.get(f"/proposals/{pk}/edit/").content.decode()
        if pages[pk].count(f'id="{anchor}"') != 1:
            missing.append((pk, anchor))
    assert missing == []


@pytest.mark.parametrize(
    ("path", "anchor"),
    [
        ("indicators_text", "field-indicators"),
        ("indicators", "field-indicators"),
        ("budget.matching", "field-budget.matching"),
        ("pi", "field-pi"),
        ("pi.birth_date", "field-pi.birth_date"),
        ("pi.nonsense", "field-pi"),
        ("units", "field-units"),
        ("units[2]", "field-units[2]"),
        ("units[2].credit_code", "field-units[2].credit_code"),
        ("members[0].employer", "field-members[0].unit"),
        ("members[0].title", "field-members[0]"),
        ("subtasks[1].lead.birth_date", "field-subtasks[1].lead_birth_date"),
        ("subtasks[1].lead_id_number", "field-subtasks[1].lead_id_number"),
        ("attachments", "field-attachments"),
        ("attachments.recommendation_letter", "field-attachments.recommendation_letter"),
        ("something_else", ""),
        ("", ""),
    ],
)
def test_field_anchor_names_the_element_that_shows_a_path(path, anchor):
    assert field_anchor(path) == anchor
