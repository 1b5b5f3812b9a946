import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from common.models import AuditEntry, OutboxMessage
from proposals import selectors, services
from proposals.docgen import build_docx
from proposals.identifiers import make_credit_code, make_resident_id
from proposals.interchange import PersonData, ProposalData, SubtaskData, UnitData, proposal_to_dict
from proposals.models import Attachment, DraftUpload, Person, Proposal, Subtask, Unit
from tests.factories.guide import make_guide
from tests.factories.proposals import (
    LEAD_CODE,
    PI_ID,
    SUBTASK_LEAD_ID,
    complete_data,
    make_proposal,
    make_user,
    with_genders_and_subtasks,
)
from tests.factories.proposals import upload as upload_file

pytestmark = pytest.mark.django_db


def paths(errors) -> list[str]:
    return [e.path for e in errors]


def codes(errors) -> dict[str, str]:
    return {e.path: e.code for e in errors}


# --- drafts ------------------------------------------------------------------


def test_draft_with_only_a_title_saves():
    owner = make_user()
    proposal = services.proposal_create(owner=owner, data=ProposalData(title="只有名称"))
    proposal.refresh_from_db()
    assert proposal.title == "只有名称"
    assert proposal.state == "draft"
    assert proposal.owner == owner
    assert proposal.reference.startswith("P")
    assert Person.objects.filter(proposal=proposal).count() == 0
    assert Unit.objects.filter(proposal=proposal).count() == 0


def test_empty_draft_saves_with_default_guide_year_of_latest_guide():
    make_guide(year=2031, areas=1, directions_per_area=1)
    proposal = services.proposal_create(owner=make_user(), data=ProposalData())
    assert proposal.guide_year == 2031


def test_draft_update_replaces_units_and_members_in_order():
    proposal = make_proposal()
    data = complete_data(units=[UnitData(name="B"), UnitData(name="A")], members=[])
    services.proposal_update(proposal=proposal, data=data, by=proposal.owner)
    assert list(proposal.units.order_by("position").values_list("name", flat=True)) == ["B", "A"]
    assert proposal.people.filter(role="member").count() == 0
    assert proposal.people.filter(role="pi").count() == 1


def test_draft_links_direction_of_loaded_guide():
    guide = make_guide(year=2030, areas=1, directions_per_area=2)
    proposal = make_proposal(data=complete_data(direction="1.2"))
    assert proposal.direction == guide.directions.get(code="1.2")


def test_full_width_direction_code_is_stored_normalised_and_links_the_guide_direction():
    guide = make_guide(year=2030, areas=1, directions_per_area=2)
    proposal = make_proposal(data=complete_data(direction=" １．２ "))
    assert (proposal.direction_code, proposal.direction) == ("1.2", guide.directions.get(code="1.2"))


def test_submit_accepts_a_full_width_direction_code_of_the_loaded_guide():
    make_guide(year=2030, areas=1, directions_per_area=1)
    proposal = make_proposal(data=complete_data(direction="１．１"))
    assert services.proposal_submit(proposal=proposal, by=proposal.owner) == []


def test_id_numbers_and_credit_codes_are_stored_in_one_form_whichever_way_they_came_in():
    full_width_lower = " " + PI_ID.lower().replace("1", "１") + " "
    data = complete_data(
        pi=PersonData(name="林海峰", id_number=full_width_lower),
        members=[PersonData(name="M", id_number="e1234 5678")],
        units=[UnitData(name="U", credit_code=LEAD_CODE.lower())],
    )
    proposal = services.proposal_create(owner=make_user(), data=data)
    rows = {p.role: p.id_number for p in proposal.people.all()}
    assert (rows, proposal.units.get().credit_code) == (
        {"pi": PI_ID, "member": "E12345678"},
        LEAD_CODE,
    )


def test_update_of_submitted_proposal_is_refused():
    proposal = make_proposal(state="submitted")
    with pytest.raises(services.ProposalNotEditable):
        services.proposal_update(proposal=proposal, data=complete_data(title="改"), by=proposal.owner)
    proposal.refresh_from_db()
    assert proposal.title == "面向碳中和的电解水制氢国际合作研究"


def test_reference_used_by_another_proposal_is_refused():
    make_proposal(data=complete_data(reference="SQ-1"))
    with pytest.raises(services.ReferenceTaken):
        services.proposal_create(owner=make_user(), data=complete_data(reference="SQ-1"))
    assert Proposal.objects.filter(reference="SQ-1").count() == 1


def test_stored_proposal_reads_back_as_the_same_interchange_data():
    from proposals.selectors import proposal_to_data

    data = complete_data(reference="SQ-RT")
    data.attachments = []
    data.subtasks = []  # none given reads back as "none"
    proposal = make_proposal(data=data)
    assert proposal_to_dict(proposal_to_data(proposal)) == proposal_to_dict(data)


def test_genders_and_subtasks_read_back_as_the_same_interchange_data():
    from proposals.selectors import proposal_to_data

    data = with_genders_and_subtasks(complete_data(reference="SQ-RT2", attachments=[]))
    proposal = make_proposal(data=data)
    assert proposal_to_dict(proposal_to_data(proposal)) == proposal_to_dict(data)
    assert proposal_to_data(proposal) == data


# --- submit checks -----------------------------------------------------------


def test_submit_of_empty_draft_lists_every_required_field_and_keeps_draft():
    proposal = services.proposal_create(owner=make_user(), data=ProposalData())
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert paths(errors) == [
        "direction",
        "title",
        "start_date",
        "end_date",
        "budget.national",
        "pi.name",
        "pi.id_number",
        "pi.birth_date",
        "pi.title",
        "pi.degree",
        "units",
    ]
    proposal.refresh_from_db()
    assert proposal.state == "draft"
    assert proposal.submitted_at is None


def test_submit_reports_wrong_id_check_digit_on_pi_id_number():
    wrong = PI_ID[:-1] + ("0" if PI_ID[-1] != "0" else "1")
    proposal = make_proposal(
        data=complete_data(pi=PersonData(**{**complete_data().pi.__dict__, "id_number": wrong}))
    )
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert codes(errors) == {"pi.id_number": "id_checksum"}
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_submit_reports_birth_date_that_differs_from_the_id_number():
    pi = complete_data().pi
    pi.birth_date = date(1975, 3, 9)
    proposal = make_proposal(data=complete_data(pi=pi))
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert codes(errors) == {"pi.id_number": "id_birth_date_mismatch"}
    assert errors[0].message == "身份证号码中的出生日期（1975-03-08）与填写的出生日期（1975-03-09）不一致。"


def test_submit_does_not_check_a_foreign_pi_passport_as_resident_id():
    pi = complete_data().pi
    pi.nationality, pi.id_number = "DE", "C4X7K2M19"
    proposal = make_proposal(data=complete_data(pi=pi))
    assert services.proposal_submit(proposal=proposal, by=proposal.owner) == []


def test_submit_checks_member_resident_id_without_nationality_when_it_looks_like_one():
    bad = make_resident_id(date(1980, 1, 1))[:-1] + "0"
    member = PersonData(name="陈静", id_number=bad, birth_date=date(1980, 1, 1))
    if make_resident_id(date(1980, 1, 1))[-1] == "0":
        member.id_number = bad[:-1] + "1"
    proposal = make_proposal(data=complete_data(members=[member]))
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert codes(errors) == {"members[0].id_number": "id_checksum"}


def test_submit_reports_bad_credit_code_of_chinese_unit_only():
    code = make_credit_code("MA000100")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    units = [
        UnitData(name="福州大学", credit_code=wrong, country="CN", role="lead"),
        UnitData(name="Fraunhofer ISE", country="DE", credit_code=None),
    ]
    proposal = make_proposal(data=complete_data(units=units))
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert codes(errors) == {"units[0].credit_code": "credit_checksum"}


def test_submit_requires_credit_code_for_chinese_unit():
    units = [UnitData(name="福州大学", country="CN")]
    proposal = make_proposal(data=complete_data(units=units))
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert codes(errors) == {"units[0].credit_code": "required"}


def test_submit_reports_end_date_before_start_date():
    proposal = make_proposal(data=complete_data(start_date=date(2031, 1, 1), end_date=date(2030, 12, 31)))
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert codes(errors) == {"end_date": "end_before_start"}


def test_submit_accepts_end_date_equal_to_start_date():
    proposal = make_proposal(data=complete_data(start_date=date(2031, 1, 1), end_date=date(2031, 1, 1)))
    assert services.proposal_submit(proposal=proposal, by=proposal.owner) == []


def test_submit_reports_direction_missing_from_the_loaded_guide():
    make_guide(year=2030, areas=1, directions_per_area=1)
    proposal = make_proposal(data=complete_data(direction="9.9"))
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert codes(errors) == {"direction": "unknown_direction"}


def test_valid_submit_moves_to_submitted_and_writes_audit_entry():
    proposal = make_proposal()
    before = AuditEntry.objects.count()  # the trail is append-only: count from here
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    proposal.refresh_from_db()
    assert errors == []
    assert proposal.state == "submitted"
    assert proposal.submitted_at is not None
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.actor, entry.target_id, entry.data) == (
        "proposal.state",
        proposal.owner,
        str(proposal.pk),
        {"from": "draft", "to": "submitted"},
    )


def test_valid_submit_writes_its_follow_up_outbox_row_in_the_same_transaction(
    django_capture_on_commit_callbacks,
):
    proposal = make_proposal()
    with django_capture_on_commit_callbacks(execute=False):
        services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert list(OutboxMessage.objects.values_list("task", "args", "sent_at")) == [
        ("screening.proposal_submitted", [proposal.pk, proposal.owner.pk], None)
    ]


def test_submission_stands_and_its_outbox_row_waits_when_the_broker_is_unreachable(
    monkeypatch, django_capture_on_commit_callbacks
):
    # (tests/faults/ stops a real Redis; this one only needs publishing to fail)
    import kombu.exceptions

    from config.celery import app

    def unreachable(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:9. Connection refused.")

    from common.outbox import outbox_relay

    monkeypatch.setattr(app, "send_task", unreachable)
    proposal = make_proposal()
    app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.proposal_submit(proposal=proposal, by=proposal.owner)
        proposal.refresh_from_db()
        message = OutboxMessage.objects.get()
        # the request only wrote the row (it never talks to the broker)
        assert (proposal.state, message.sent_at, message.attempts, message.queue) == (
            "submitted",
            None,
            0,
            "checks",
        )
        assert outbox_relay() == 0  # the relay cannot publish it: it waits
    finally:
        app.conf.task_always_eager = True
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 1)
    assert message.last_error == "OperationalError: Error 111 connecting to 127.0.0.1:9. Connection refused."


def test_submit_of_submitted_proposal_raises_transition_not_allowed():
    proposal = make_proposal(state="submitted")
    with pytest.raises(services.TransitionNotAllowed):
        services.proposal_submit(proposal=proposal, by=proposal.owner)


# --- transitions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "to"),
    [("draft", "screening"), ("draft", "screened"), ("screening", "draft"), ("draft", "draft")],
)
def test_transition_guard_rejects_illegal_transition(current, to):
    proposal = make_proposal(state=current)
    with pytest.raises(services.TransitionNotAllowed):
        services.proposal_transition(proposal=proposal, to=to, by=None)
    proposal.refresh_from_db()
    assert proposal.state == current


def test_transition_guard_judges_the_stored_state_not_the_callers_copy():
    proposal = make_proposal(state="draft")
    Proposal.objects.filter(pk=proposal.pk).update(state="screened")
    with pytest.raises(services.TransitionNotAllowed):
        services.proposal_transition(proposal=proposal, to="submitted", by=None)


@pytest.mark.parametrize("current", ["submitted", "screened"])
def test_reopen_takes_proposal_back_to_draft(current):
    proposal = make_proposal(state=current)
    services.proposal_reopen(proposal=proposal, by=proposal.owner)
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_reopen_while_screening_is_refused():
    proposal = make_proposal(state="screening")
    with pytest.raises(services.TransitionNotAllowed):
        services.proposal_reopen(proposal=proposal, by=proposal.owner)


# --- delete ------------------------------------------------------------------


def test_delete_draft_removes_rows():
    proposal = make_proposal()
    services.proposal_delete(proposal=proposal, by=proposal.owner)
    assert Proposal.objects.count() == 0
    assert Person.objects.count() == 0


def test_delete_of_submitted_proposal_is_refused():
    proposal = make_proposal(state="submitted")
    with pytest.raises(services.ProposalNotEditable):
        services.proposal_delete(proposal=proposal, by=proposal.owner)
    assert Proposal.objects.count() == 1


# --- import ------------------------------------------------------------------


def batch(*proposals, **extra) -> dict:
    return {"proposals": [proposal_to_dict(p) for p in proposals], **extra}


def test_import_creates_submitted_proposals_owned_by_owner():
    owner = make_user()
    report = services.proposals_import(data=batch(complete_data(reference="SQ-A")), owner=owner)
    assert (report.created, report.updated, report.errors) == (["SQ-A"], [], [])
    proposal = Proposal.objects.get(reference="SQ-A")
    assert (proposal.owner, proposal.state, proposal.source) == (owner, "submitted", "import")
    assert proposal.units.count() == 2


def test_import_is_idempotent_by_reference_and_updates_in_place():
    owner = make_user()
    services.proposals_import(data=batch(complete_data(reference="SQ-A")), owner=owner)
    first = Proposal.objects.get(reference="SQ-A")
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A", title="新名称")), owner=None
    )
    assert (report.created, report.updated) == ([], ["SQ-A"])
    assert Proposal.objects.count() == 1
    again = Proposal.objects.get(reference="SQ-A")
    assert (again.pk, again.title, again.owner) == (first.pk, "新名称", owner)
    assert again.units.count() == 2
    assert again.people.count() == 2


def test_import_warns_about_unknown_keys_and_still_imports():
    data = batch(complete_data(reference="SQ-A"))
    data["proposals"][0]["colour"] = "blue"
    report = services.proposals_import(data=data, owner=make_user())
    assert [(w.path, w.code) for w in report.warnings] == [("proposals[0].colour", "unknown_key")]
    assert report.created == ["SQ-A"]


def test_import_stores_missing_field_as_missing():
    data = batch(complete_data(reference="SQ-A"))
    del data["proposals"][0]["recommender"]
    data["proposals"][0]["budget"] = None
    services.proposals_import(data=data, owner=make_user())
    proposal = Proposal.objects.get(reference="SQ-A")
    assert (proposal.recommender, proposal.national_funding) == ("", None)


def test_import_with_one_bad_value_writes_nothing_and_reports_its_path():
    data = batch(complete_data(reference="SQ-A"), complete_data(reference="SQ-B"))
    data["proposals"][1]["units"][0]["registered_on"] = "last year"
    report = services.proposals_import(data=data, owner=make_user())
    assert [(e.path, e.code) for e in report.errors] == [
        ("proposals[1].units[0].registered_on", "invalid_date")
    ]
    assert (report.created, report.updated) == ([], [])
    assert Proposal.objects.count() == 0


def test_import_reports_missing_and_duplicate_references():
    data = batch(
        complete_data(reference=None), complete_data(reference="SQ-A"), complete_data(reference="SQ-A")
    )
    report = services.proposals_import(data=data, owner=make_user())
    assert [(e.path, e.code) for e in report.errors] == [
        ("proposals[0].reference", "missing"),
        ("proposals[2].reference", "duplicate"),
    ]
    assert Proposal.objects.count() == 0


def test_import_of_new_proposal_without_owner_is_an_error():
    report = services.proposals_import(data=batch(complete_data(reference="SQ-A")), owner=None)
    assert [(e.path, e.code) for e in report.errors] == [("proposals[0].reference", "no_owner")]


def test_import_declared_attachments_become_fileless_attachment_rows():
    data = complete_data(reference="SQ-A")
    data.attachments = ["recommendation_letter", "employment_proof"]
    services.proposals_import(data=batch(data), owner=make_user())
    kinds = sorted(Attachment.objects.values_list("kind", flat=True))
    assert kinds == ["employment_proof", "recommendation_letter"]


def test_import_passes_registries_to_the_screening_engine(monkeypatch):
    from proposals.services import imports

    calls = []

    def fake_import(*, data, source, by):
        calls.append((data, source))
        return {"misconduct": 0}

    monkeypatch.setattr(imports, "_registries_importer", lambda: fake_import)
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A"), registries={"misconduct": []}),
        owner=make_user(),
        source="t",
    )
    assert calls == [({"misconduct": []}, "t")]
    assert report.registries == {"misconduct": 0}


def test_import_rejected_registries_roll_back_the_proposals(monkeypatch):
    from proposals.services import imports

    def fake_import(*, data, source, by):
        raise ValueError("unknown registries: x")

    monkeypatch.setattr(imports, "_registries_importer", lambda: fake_import)
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A"), registries={"x": []}), owner=make_user()
    )
    assert [(e.path, e.code) for e in report.errors] == [("registries", "rejected")]
    assert report.created == []
    assert Proposal.objects.count() == 0


def test_import_without_screening_engine_warns_and_skips_registries(monkeypatch):
    from proposals.services import imports

    monkeypatch.setattr(imports, "_registries_importer", lambda: None)
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A"), registries={"misconduct": []}), owner=make_user()
    )
    assert [(w.path, w.code) for w in report.warnings] == [("registries", "ignored")]
    assert report.created == ["SQ-A"]


def test_import_file_that_is_not_json_reports_one_error():
    report = services.proposals_import_file(content=b"{nope", owner=make_user())
    assert [e.code for e in report.errors] == ["invalid_json"]


def test_import_budget_is_stored_in_wan_yuan():
    data = complete_data(reference="SQ-A")
    services.proposals_import(data=batch(data), owner=make_user())
    proposal = Proposal.objects.get(reference="SQ-A")
    assert (proposal.national_funding, proposal.matching_funding) == (Decimal("500"), Decimal("250.5"))


@pytest.mark.parametrize(
    ("state", "source"), [("draft", "form"), ("submitted", "upload"), ("screened", "form")]
)
def test_import_never_overwrites_an_applicants_own_proposal_with_the_same_reference(state, source):
    own = make_proposal(data=complete_data(reference="SQ-A"), state=state, source=source)
    before = (own.owner_id, own.state, own.title, own.people.count(), own.units.count())
    report = services.proposals_import(
        data=batch(
            complete_data(reference="SQ-NEW"), complete_data(reference="SQ-A", title="覆盖", units=[])
        ),
        owner=make_user(),
    )
    assert [(e.path, e.code, e.message) for e in report.errors] == [
        (
            "proposals[1].reference",
            "reference_taken",
            "proposals[1].reference：编号 SQ-A 已被一份申请人自己填写的申报书使用；导入只能更新由导入创建的申报书。",
        )
    ]
    assert (report.created, report.updated) == ([], [])
    own.refresh_from_db()
    assert (own.owner_id, own.state, own.title, own.people.count(), own.units.count()) == before
    assert list(Proposal.objects.values_list("reference", flat=True)) == ["SQ-A"]


def test_import_does_not_hand_a_squatted_reference_or_its_data_to_the_squatter():
    squatter = make_user()
    squatted = services.proposal_create(
        owner=squatter, data=ProposalData(reference="2022YFE0100100", title="占位")
    )
    real = complete_data(reference="2022YFE0100100", title="真实申报书")
    report = services.proposals_import(data=batch(real), owner=make_user())
    assert [(e.path, e.code) for e in report.errors] == [("proposals[0].reference", "reference_taken")]
    squatted.refresh_from_db()
    assert (squatted.owner, squatted.title, squatted.people.count()) == (squatter, "占位", 0)


def test_import_refuses_to_update_an_imported_proposal_of_another_owner():
    first_owner = make_user()
    services.proposals_import(data=batch(complete_data(reference="SQ-A")), owner=first_owner)
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A", title="新名称")), owner=make_user()
    )
    assert [(e.path, e.code, e.message) for e in report.errors] == [
        (
            "proposals[0].reference",
            "other_owner",
            "proposals[0].reference：编号 SQ-A 的申报书属于另一个用户；导入不能更新它，也不能更改它的所有者。",
        )
    ]
    proposal = Proposal.objects.get(reference="SQ-A")
    assert (proposal.owner, proposal.title) == (first_owner, "面向碳中和的电解水制氢国际合作研究")


def test_import_updates_an_imported_proposal_of_the_same_owner():
    owner = make_user()
    services.proposals_import(data=batch(complete_data(reference="SQ-A")), owner=owner)
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A", title="新名称")), owner=owner
    )
    assert (report.created, report.updated, report.errors) == ([], ["SQ-A"], [])
    assert Proposal.objects.get(reference="SQ-A").title == "新名称"


def test_import_never_overwrites_or_moves_an_imported_proposal_its_owner_reopened_and_edited():
    owner, officer = make_user(), make_user()
    services.proposals_import(data=batch(complete_data(reference="SQ-R")), owner=owner, by=officer)
    proposal = Proposal.objects.get(reference="SQ-R")
    assert proposal.state == "submitted"
    services.proposal_transition(proposal=proposal, to="draft", by=owner)  # the applicant reopens it
    mine = complete_data(reference="SQ-R", title="申请人改过的名称")
    services.proposal_update(proposal=proposal, data=mine, by=owner)
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-R", title="导入的名称")), owner=owner, by=officer
    )
    assert [(e.path, e.code) for e in report.errors] == [("proposals[0].reference", "edited_by_owner")]
    assert (report.created, report.updated) == ([], [])
    proposal.refresh_from_db()
    assert (proposal.title, proposal.state) == ("申请人改过的名称", "draft")


def test_import_conflicts_only_for_the_proposals_the_owner_changed_and_writes_none_of_the_file():
    owner, officer = make_user(), make_user()
    data = batch(complete_data(reference="SQ-1"), complete_data(reference="SQ-2"))
    services.proposals_import(data=data, owner=owner, by=officer)
    reopened = Proposal.objects.get(reference="SQ-2")
    services.proposal_transition(proposal=reopened, to="draft", by=owner)  # reopening alone is a change
    again = batch(
        complete_data(reference="SQ-1", title="新一"), complete_data(reference="SQ-2", title="新二")
    )
    report = services.proposals_import(data=again, owner=owner, by=officer)
    assert [(e.path, e.code) for e in report.errors] == [("proposals[1].reference", "edited_by_owner")]
    assert Proposal.objects.get(reference="SQ-1").title != "新一"  # nothing of the file written
    # the officer's own re-import after an officer-side change is not the owner's edit
    services.proposals_import(
        data=batch(complete_data(reference="SQ-1", title="新一")), owner=owner, by=officer
    )
    assert Proposal.objects.get(reference="SQ-1").title == "新一"


def test_import_with_registries_when_not_allowed_is_an_error_and_writes_nothing(monkeypatch):
    from proposals.services import imports

    calls = []
    monkeypatch.setattr(imports, "_registries_importer", lambda: lambda **kw: calls.append(kw) or {})
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A"), registries={"misconduct": []}),
        owner=make_user(),
        allow_registries=False,
    )
    assert [(e.path, e.code, e.message) for e in report.errors] == [
        ("registries", "not_allowed", "registries：只有管理员可以导入名录。")
    ]
    assert (calls, report.created, Proposal.objects.count()) == ([], [], 0)


def test_import_without_registries_is_fine_when_registries_are_not_allowed():
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-A")), owner=make_user(), allow_registries=False
    )
    assert (report.created, report.errors) == (["SQ-A"], [])


@pytest.mark.parametrize(
    ("field", "json_text", "code"),
    [
        ("title", "abc\\u000bdef", "control_character"),
        ("title", "a\\u0000b", "control_character"),
        ("reference", "\\ud800", "control_character"),
        ("reference", "R\\r\\nX-Injected: 1", "invalid_reference"),
        ("reference", "R" * 65, "too_long"),
        ("recommender", "r" * 201, "too_long"),
    ],
)
def test_import_file_with_text_that_cannot_be_stored_writes_nothing(field, json_text, code):
    body = {"reference": "SQ-A", "title": "t"}
    content = json.dumps(body)[:-1].encode() + f', "{field}": "{json_text}"}}'.encode()
    report = services.proposals_import_file(content=content, owner=make_user())
    assert [(e.path, e.code) for e in report.errors] == [(f"proposals[0].{field}", code)]
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize(("money", "code"), [(1e15, "too_large"), (0.004, "too_precise")])
def test_import_of_money_that_does_not_fit_the_column_writes_nothing(money, code):
    data = batch(complete_data(reference="SQ-A"))
    data["proposals"][0]["budget"]["national"] = money
    report = services.proposals_import(data=data, owner=make_user())
    assert [(e.path, e.code) for e in report.errors] == [("proposals[0].budget.national", code)]
    assert Proposal.objects.count() == 0


def test_import_of_text_and_money_at_every_column_limit_is_stored():
    """Exactly the limits: on PostgreSQL a value one longer would be a DataError."""
    from proposals.interchange import MAX_LENGTHS

    data = complete_data(
        reference="R" * MAX_LENGTHS["reference"],
        direction="1" * MAX_LENGTHS["direction"],
        title="题" * MAX_LENGTHS["title"],
        recommender="推" * MAX_LENGTHS["recommender"],
        pi=PersonData(
            name="名" * MAX_LENGTHS["pi.name"],
            id_number="A" * MAX_LENGTHS["pi.id_number"],
            title="职" * MAX_LENGTHS["pi.title"],
            degree="学" * MAX_LENGTHS["pi.degree"],
            employer="单" * MAX_LENGTHS["pi.employer"],
        ),
        members=[
            PersonData(
                name="名" * MAX_LENGTHS["members.name"],
                id_number="B" * MAX_LENGTHS["members.id_number"],
                role="分" * MAX_LENGTHS["members.role"],
                unit="单" * MAX_LENGTHS["members.unit"],
            )
        ],
        units=[
            UnitData(
                name="位" * MAX_LENGTHS["units.name"], credit_code="C" * MAX_LENGTHS["units.credit_code"]
            )
        ],
    )
    content = batch(data)
    content["proposals"][0]["budget"] = {"national": "9999999999.99", "matching": 0.01}
    report = services.proposals_import(data=content, owner=make_user())
    assert (report.errors, len(report.created)) == ([], 1)
    proposal = Proposal.objects.get()
    assert (proposal.national_funding, proposal.matching_funding) == (
        Decimal("9999999999.99"),
        Decimal("0.01"),
    )
    assert len(proposal.title) == MAX_LENGTHS["title"]


def test_import_file_nested_too_deeply_reports_one_error():
    report = services.proposals_import_file(content=b"[" * 5000 + b"]" * 5000, owner=make_user())
    assert [(e.path, e.code, e.message) for e in report.errors] == [
        ("", "too_deep", "JSON 文件嵌套层数过多，无法读取。")
    ]


def test_import_stores_lower_case_and_full_width_id_numbers_normalised():
    pid = make_resident_id(date(1975, 5, 4), "002")
    assert pid.endswith("X")
    data = batch(complete_data(reference="SQ-A"))
    data["proposals"][0]["pi"]["id_number"] = pid.lower().replace("1", "１")
    data["proposals"][0]["units"][0]["credit_code"] = LEAD_CODE.lower()
    services.proposals_import(data=data, owner=make_user())
    proposal = Proposal.objects.get()
    assert (proposal.people.get(role="pi").id_number, proposal.units.get(position=0).credit_code) == (
        pid,
        LEAD_CODE,
    )


# --- uploaded drafts ---------------------------------------------------------


def stored_upload(owner, content: bytes, *, state: str = "queued") -> DraftUpload:
    upload = DraftUpload(owner=owner, original_name="d.docx", kind="docx", state=state)
    upload.file.save("d", ContentFile(content), save=False)
    upload.save()
    return upload


def test_draft_extract_reads_queued_upload_once():
    upload = stored_upload(make_user(), build_docx(complete_data(reference="SQ-X")))
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.extracted["reference"], upload.found["title"], upload.error) == (
        "done",
        "SQ-X",
        2,
        "",
    )
    first_finished = upload.finished_at
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.finished_at == first_finished


def test_draft_extract_skips_an_upload_another_worker_is_reading(monkeypatch):
    from proposals.services import uploads

    monkeypatch.setattr(uploads, "extract_bounded", lambda *a, **k: pytest.fail("must not read"))
    upload = stored_upload(make_user(), b"PK", state="running")
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.state == "running"


def test_draft_extract_takes_over_an_upload_whose_lease_expired():
    upload = stored_upload(make_user(), build_docx(complete_data()), state="running")
    DraftUpload.objects.filter(pk=upload.pk).update(
        lease_task="dead-task", lease_token="old", lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    services.draft_extract(upload_id=upload.pk, task_id="new-task")
    upload.refresh_from_db()
    assert (upload.state, upload.lease_token) == ("done", "")


def test_draft_extract_redelivered_with_the_same_task_id_takes_over_at_once():
    upload = stored_upload(make_user(), build_docx(complete_data()), state="running")
    DraftUpload.objects.filter(pk=upload.pk).update(
        lease_task="task-1", lease_token="old", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    services.draft_extract(upload_id=upload.pk, task_id="task-1")
    upload.refresh_from_db()
    assert upload.state == "done"


def test_draft_extract_leaves_an_upload_under_another_tasks_live_lease(monkeypatch):
    from proposals.services import uploads

    monkeypatch.setattr(uploads, "extract_bounded", lambda *a, **k: pytest.fail("must not read"))
    upload = stored_upload(make_user(), b"PK", state="running")
    DraftUpload.objects.filter(pk=upload.pk).update(
        lease_task="task-1", lease_token="live", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    services.draft_extract(upload_id=upload.pk, task_id="task-2")
    upload.refresh_from_db()
    assert (upload.state, upload.lease_token) == ("running", "live")


def test_draft_extract_taken_over_meanwhile_writes_nothing(monkeypatch):
    from proposals.services import uploads

    upload = stored_upload(make_user(), build_docx(complete_data()))
    real_extract = uploads.extract_bounded

    def taken_over(*args, **kwargs):
        DraftUpload.objects.filter(pk=upload.pk).update(lease_token="someone-else")
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(uploads, "extract_bounded", taken_over)
    services.draft_extract(upload_id=upload.pk, task_id="task-1")
    upload.refresh_from_db()
    assert (upload.state, upload.extracted, upload.lease_token) == ("running", {}, "someone-else")


def test_draft_extract_records_when_it_started_and_counts_the_attempt():
    upload = stored_upload(make_user(), build_docx(complete_data()))
    before = timezone.now()
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == ("done", 1)
    assert before <= upload.started_at <= upload.finished_at


def test_draft_extract_leaves_alone_an_upload_that_queued_long_but_started_just_now(monkeypatch):
    from proposals.services import uploads

    monkeypatch.setattr(uploads, "extract_bounded", lambda *a, **k: pytest.fail("must not read"))
    upload = stored_upload(make_user(), b"PK", state="running")
    DraftUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - timedelta(hours=1), started_at=timezone.now()
    )
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.state == "running"


def _running(*, started_seconds_ago: float, attempts: int = 1) -> DraftUpload:
    upload = stored_upload(make_user(), b"PK", state="running")
    DraftUpload.objects.filter(pk=upload.pk).update(
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago), attempts=attempts
    )
    return upload


def _leased(*, expired_seconds_ago: float, attempts: int = 1) -> DraftUpload:
    upload = stored_upload(make_user(), b"PK", state="running")
    DraftUpload.objects.filter(pk=upload.pk).update(
        started_at=timezone.now() - timedelta(seconds=90),
        lease_task="t",
        lease_token="x",
        lease_expires_at=timezone.now() - timedelta(seconds=expired_seconds_ago),
        attempts=attempts,
    )
    return upload


def test_requeue_stale_requeues_an_upload_whose_lease_expired_through_the_outbox(
    django_capture_on_commit_callbacks,
):
    stale = _leased(expired_seconds_ago=1)
    live = _leased(expired_seconds_ago=-30)
    with django_capture_on_commit_callbacks(execute=False):
        requeued = services.uploads_requeue_stale()
    assert requeued == [stale.pk]
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("proposals.draft_extract", [stale.pk])
    ]
    assert dict(DraftUpload.objects.values_list("pk", "state")) == {stale.pk: "queued", live.pk: "running"}


def test_requeue_stale_requeues_a_running_upload_without_lease_past_the_hard_limit(settings):
    hard_limit = settings.EXTRACTION_TIME_LIMIT + 30
    stale = _running(started_seconds_ago=hard_limit + 61)
    live = _running(started_seconds_ago=hard_limit + 55)
    assert services.uploads_requeue_stale() == [stale.pk]
    assert DraftUpload.objects.get(pk=live.pk).state == "running"


def test_requeue_stale_resends_an_upload_queued_longer_than_the_resend_delay(
    settings, django_capture_on_commit_callbacks
):
    upload = stored_upload(make_user(), b"PK", state="queued")
    fresh = stored_upload(make_user(), b"PK", state="queued")
    DraftUpload.objects.filter(pk=upload.pk).update(
        queued_at=timezone.now() - timedelta(seconds=settings.UPLOAD_QUEUED_RESEND + 1)
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert services.uploads_requeue_stale() == [upload.pk]
    assert DraftUpload.objects.get(pk=fresh.pk).state == "queued"


def test_requeue_stale_fails_an_upload_whose_reading_killed_three_workers(django_capture_on_commit_callbacks):
    upload = _leased(expired_seconds_ago=1, attempts=3)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.uploads_requeue_stale() == []
    upload.refresh_from_db()
    assert (upload.state, upload.error, OutboxMessage.objects.count()) == ("failed", "timeout", 0)


def test_restarted_worker_releases_the_uploads_its_dead_processes_held(django_capture_on_commit_callbacks):
    import os
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = _leased(expired_seconds_ago=-60)
    alive = _leased(expired_seconds_ago=-60)
    DraftUpload.objects.filter(pk=dead.pk).update(lease_owner=f"celery@a/{child.pid}")
    DraftUpload.objects.filter(pk=alive.pk).update(lease_owner=f"celery@a/{os.getpid()}")
    with django_capture_on_commit_callbacks(execute=False):
        released = services.uploads_release_worker(node="celery@a")
    assert released == [dead.pk]
    assert dict(DraftUpload.objects.values_list("pk", "state")) == {dead.pk: "queued", alive.pk: "running"}


def test_requeued_upload_is_read_again():
    upload = stored_upload(make_user(), build_docx(complete_data()), state="running")
    DraftUpload.objects.filter(pk=upload.pk).update(
        started_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    services.uploads_requeue_stale()
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == ("done", 2)


def test_requeue_task_is_named_and_scheduled(settings):
    from proposals.tasks import requeue_stale_uploads_task

    assert (requeue_stale_uploads_task.name, requeue_stale_uploads_task.acks_late) == (
        "proposals.requeue_stale_uploads",
        True,
    )
    assert settings.CELERY_BEAT_SCHEDULE["requeue-stale-draft-uploads"] == {
        "task": "proposals.requeue_stale_uploads",
        "schedule": 60.0,
    }
    assert "proposals.services.uploads_requeue_stale" in settings.RELAY_SWEEPS


def test_draft_extract_records_unreadable_file_as_failed_with_its_code():
    upload = stored_upload(make_user(), b"PK\x03\x04 broken zip")
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.error) == ("failed", "broken_zip")


def test_draft_extract_records_time_out(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from proposals.services import uploads

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(uploads, "extract_bounded", slow)
    upload = stored_upload(make_user(), b"%PDF-1.4")
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.error) == ("failed", "timeout")


def test_draft_extract_records_a_memory_bomb_as_too_complex_and_the_worker_survives(settings):
    from tests.proposals.extraction.hostile import line_flood_pdf

    settings.EXTRACTION_MEMORY_BYTES = 300 * 1024 * 1024
    upload = stored_upload(make_user(), line_flood_pdf(60 * 1024 * 1024))
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.error) == ("failed", "too_complex")


def test_draft_extract_of_a_docx_nested_5000_deep_is_too_complex():
    from tests.proposals.extraction.hostile import nested_docx

    upload = stored_upload(make_user(), nested_docx(5000))
    services.draft_extract(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.error) == ("failed", "too_complex")


def test_extract_task_takes_the_upload_pk_and_runs_the_service():
    from proposals.tasks import draft_extract_task

    upload = stored_upload(make_user(), build_docx(complete_data()))
    draft_extract_task.apply(args=[upload.pk])
    upload.refresh_from_db()
    assert upload.state == "done"


def test_extract_task_has_time_limits_from_settings_and_acks_late(settings):
    from proposals.tasks import draft_extract_task

    assert (draft_extract_task.name, draft_extract_task.acks_late) == ("proposals.draft_extract", True)
    assert (
        draft_extract_task.soft_time_limit == settings.EXTRACTION_TIME_LIMIT + 15
    )  # the child has EXTRACTION_TIME_LIMIT
    assert draft_extract_task.time_limit == settings.EXTRACTION_TIME_LIMIT + 30


def test_confirm_of_a_failed_upload_is_refused():
    upload = stored_upload(make_user(), b"x", state="failed")
    with pytest.raises(services.UploadNotReady):
        services.draft_upload_confirm(upload=upload, data=complete_data(), by=upload.owner)
    assert Proposal.objects.count() == 0


def test_draft_upload_create_refuses_wrong_type_and_stores_nothing():
    from proposals.validators import UploadRejected

    with pytest.raises(UploadRejected) as exc:
        services.draft_upload_create(owner=make_user(), file=upload_file("x.pdf", b"GIF89a......"))
    assert exc.value.code == "unknown_type"
    assert DraftUpload.objects.count() == 0


# --- genders and subtasks (课题) -------------------------------------------------


def test_subtasks_are_written_in_order_with_their_lead_and_replaced_as_a_whole():
    proposal = make_proposal(data=with_genders_and_subtasks(complete_data()))
    rows = list(
        Subtask.objects.filter(proposal=proposal)
        .order_by("position")
        .values_list("position", "name", "lead_unit", "lead_name", "lead_id_number", "national_funding")
    )
    assert rows == [
        (0, "高活性非贵金属催化剂的设计与制备", "福州大学", "陈静", SUBTASK_LEAD_ID, Decimal("200.00")),
        (1, "Membrane electrode testing", "Fraunhofer ISE", "Hans Müller", "C4X7K2M19", Decimal("150.75")),
    ]
    services.proposal_update(
        proposal=proposal, data=complete_data(subtasks=[SubtaskData(name="唯一课题")]), by=proposal.owner
    )
    assert list(proposal.subtasks.values_list("position", "name", "lead_name")) == [(0, "唯一课题", "")]
    services.proposal_update(proposal=proposal, data=complete_data(subtasks=None), by=proposal.owner)
    assert proposal.subtasks.count() == 0


def test_subtask_lead_id_number_is_stored_in_its_normal_form():
    data = complete_data(
        subtasks=[SubtaskData(name="课题", lead_id_number=" " + SUBTASK_LEAD_ID.lower() + " ")]
    )
    proposal = make_proposal(data=data)
    assert proposal.subtasks.get().lead_id_number == SUBTASK_LEAD_ID


def test_genders_are_stored_on_the_person_rows_and_unknown_is_blank():
    data = complete_data()
    data.pi.gender = "male"
    data.members = [PersonData(name="陈静", gender="female"), PersonData(name="佐藤健")]
    proposal = make_proposal(data=data)
    assert list(proposal.people.order_by("role", "position").values_list("role", "name", "gender")) == [
        ("member", "陈静", "female"),
        ("member", "佐藤健", ""),
        ("pi", "林海峰", "male"),
    ]


def test_deleting_a_draft_deletes_its_subtasks():
    proposal = make_proposal(data=with_genders_and_subtasks(complete_data()))
    services.proposal_delete(proposal=proposal, by=proposal.owner)
    assert Subtask.objects.count() == 0


def test_submit_accepts_subtasks_with_valid_leads_and_genders():
    proposal = make_proposal(data=with_genders_and_subtasks(complete_data()))
    assert services.proposal_submit(proposal=proposal, by=proposal.owner) == []


def test_submit_requires_a_subtask_name_and_checks_its_lead_resident_id():
    wrong = SUBTASK_LEAD_ID[:-1] + ("0" if SUBTASK_LEAD_ID[-1] != "0" else "1")
    subtasks = [
        SubtaskData(lead_name="陈静", lead_id_number=wrong),
        SubtaskData(name="课题二", lead_id_number=SUBTASK_LEAD_ID, lead_birth_date=date(1982, 7, 20)),
        SubtaskData(name="课题三", lead_name="Hans Müller", lead_id_number="C4X7K2M19"),
    ]
    proposal = make_proposal(data=complete_data(subtasks=subtasks))
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert [(e.path, e.code, e.label) for e in errors] == [
        ("subtasks[0].name", "required", "课题 1 · 课题名称"),
        ("subtasks[0].lead_id_number", "id_checksum", "课题 1 · 负责人证件号码"),
        ("subtasks[1].lead_id_number", "id_birth_date_mismatch", "课题 2 · 负责人证件号码"),
    ]
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_submit_reports_a_stored_gender_that_contradicts_the_id_number():
    # the form refuses it; an imported proposal may bring it
    data = complete_data()
    data.pi.gender = "female"  # PI_ID's 17th digit is 1: male
    data.members = [PersonData(name="陈静", gender="male", id_number=SUBTASK_LEAD_ID)]  # 6: female
    proposal = make_proposal(data=data)
    errors = services.proposal_submit(proposal=proposal, by=proposal.owner)
    assert [(e.path, e.code, e.message) for e in errors] == [
        (
            "pi.gender",
            "gender_id_mismatch",
            f"性别填写为“女”，但证件号码 {PI_ID} 的第 17 位（1）表示男（奇数为男，偶数为女），请核对性别或证件号码。",
        ),
        (
            "members[0].gender",
            "gender_id_mismatch",
            f"性别填写为“男”，但证件号码 {SUBTASK_LEAD_ID} 的第 17 位（6）表示女（奇数为男，偶数为女），"
            "请核对性别或证件号码。",
        ),
    ]


def test_import_file_with_an_integer_too_long_to_convert_reports_one_error_and_writes_nothing():
    before = Proposal.objects.count()
    content = b'{"proposals": [{"reference": "LONG-1", "national_funding": ' + b"9" * 5001 + b"}]}"
    report = services.proposals_import_file(content=content, owner=make_user())
    assert [(e.path, e.code) for e in report.errors] == [("", "invalid_json")]
    assert "4300" in report.errors[0].message  # Python's own words: the digit limit
    assert Proposal.objects.count() == before


def test_import_refuses_a_research_content_longer_than_its_section_allows_and_writes_nothing():
    too_long = "研" * 3001
    report = services.proposals_import(
        data=batch(complete_data(reference="SQ-L", research_content=too_long)), owner=make_user()
    )
    assert [(e.path, e.code) for e in report.errors] == [("proposals[0].research_content", "too_long")]
    assert not Proposal.objects.filter(reference="SQ-L").exists()


def test_a_new_proposal_is_written_without_replacing_rows_it_cannot_have_and_reads_back_whole():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.models import ProposalSearch

    data = dataclasses.replace(complete_data(), attachments=["recommendation_letter"])
    with CaptureQueriesContext(connection) as ctx:
        proposal = services.proposal_create(owner=make_user("fresh"), data=data)
    assert [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("DELETE")] == []
    stored = selectors.proposal_to_data(proposal)
    assert (stored.pi.name, len(stored.units), len(stored.members), stored.attachments) == (
        data.pi.name,
        len(data.units),
        len(data.members),
        data.attachments,
    )
    assert ProposalSearch.objects.filter(proposal=proposal).count() == 1
    # written again, its rows are replaced, not added to
    services.proposal_update(proposal=proposal, data=data, by=None)
    again = selectors.proposal_to_data(proposal)
    assert (len(again.units), again.attachments) == (len(data.units), ["recommendation_letter"])
    assert ProposalSearch.objects.filter(proposal=proposal).count() == 1
