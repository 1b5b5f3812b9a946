"""The proposal in Django's admin: people with their gender, and the subtasks (课题) inline."""

import pytest

from tests.factories.proposals import complete_data, make_proposal, make_user, with_genders_and_subtasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", role="admin"))
    return client


def test_change_page_shows_genders_and_subtasks_inline(admin_client):
    proposal = make_proposal(data=with_genders_and_subtasks(complete_data()))
    response = admin_client.get(f"/admin/proposals/proposal/{proposal.pk}/change/")
    assert response.status_code == 200
    inlines = {
        formset.opts.model._meta.model_name: formset for formset in response.context["inline_admin_formsets"]
    }
    assert [f.initial["gender"] for f in inlines["person"].formset.forms] == ["male", "male"]
    assert [f.initial["name"] for f in inlines["subtask"].formset.forms] == [
        "高活性非贵金属催化剂的设计与制备",
        "Membrane electrode testing",
    ]


def test_changelist_search_finds_a_proposal_by_its_subtask_title(admin_client):
    proposal = make_proposal(data=with_genders_and_subtasks(complete_data()))
    make_proposal()
    response = admin_client.get("/admin/proposals/proposal/", {"q": "Membrane electrode"})
    assert [p.pk for p in response.context["cl"].result_list] == [proposal.pk]
