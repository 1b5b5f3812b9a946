"""`make setup` / `make run` call `migrate`, `collectstatic` and `load_demo`; `make demo`
calls `load_demo --force`. Running setup again must never overwrite what users made."""

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from common.management.commands import load_demo
from guide.models import Guide
from proposals.models import Proposal
from screening.enums import RegistryName
from screening.models import MisconductEntry, Recommender, RegistryLoad
from screening.registries import registry_import_csv

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
TOUR_ONLY = (("batch-2022.json", "applicant"),)


def setup_command(*args):
    call_command("load_demo", *args, stdout=io.StringIO(), stderr=io.StringIO())


def demo_recommenders() -> list[str]:
    return json.loads((DEMO / "batch-2022.json").read_text(encoding="utf-8"))["registries"]["recommenders"]


@pytest.fixture
def tour_only(monkeypatch):
    """Only the README tour's three proposals, for the tests that do not need 300."""
    monkeypatch.setattr(load_demo, "BATCHES", TOUR_ONLY)


def test_setup_twice_keeps_the_admins_registries_and_the_proposals(db):
    setup_command()
    assert Proposal.objects.count() == 300
    assert Recommender.objects.count() == len(demo_recommenders()) == 56
    assert MisconductEntry.objects.count() == 3
    admin = get_user_model().objects.get(username="admin")
    registry_import_csv(
        name=RegistryName.RECOMMENDERS,
        text="name\n甲省科学技术厅\n乙省科学技术厅\n丙省科学技术厅\n",
        by=admin,
    )
    registry_import_csv(name=RegistryName.MISCONDUCT, text="name,id_number\n某人,P1234567\n", by=admin)
    Proposal.objects.filter(reference="DEMO-2022-001").update(title="申请人改过的标题")

    setup_command()  # make run, again

    assert sorted(Recommender.objects.values_list("name", flat=True)) == [
        "丙省科学技术厅",
        "乙省科学技术厅",
        "甲省科学技术厅",
    ]
    assert list(MisconductEntry.objects.values_list("name", flat=True)) == ["某人"]
    assert Proposal.objects.count() == 300
    assert Proposal.objects.get(reference="DEMO-2022-001").title == "申请人改过的标题"


def test_demo_batch_spans_all_39_directions_and_most_proposals_pass_or_warn(db):
    from screening.models import ScreeningRun

    setup_command()
    runs = ScreeningRun.objects.filter(status="done").select_related("proposal")
    latest = {r.proposal.reference: r.overall for r in runs.order_by("pk")}
    outcomes = {k: sum(1 for v in latest.values() if v == k) for k in ("pass", "warn", "fail")}
    assert len(latest) == 300
    assert Proposal.objects.values("direction").distinct().count() == 39
    assert outcomes == {"pass": 198, "warn": 30, "fail": 72}


def test_setup_leaves_a_database_whose_registries_were_loaded_without_demo_proposals(db, tour_only):
    registry_import_csv(name=RegistryName.RECOMMENDERS, text="name\n甲省科学技术厅\n")
    setup_command()
    assert Proposal.objects.count() == 0
    assert list(Recommender.objects.values_list("name", flat=True)) == ["甲省科学技术厅"]


def test_setup_leaves_a_database_with_a_hand_added_recommender_alone(db, tour_only):
    Recommender.objects.create(name="甲省科学技术厅", name_key="甲省科学技术厅")
    setup_command()
    assert Proposal.objects.count() == 0
    assert RegistryLoad.objects.count() == 0


def test_make_demo_loads_the_demo_into_a_database_with_data(db, tour_only):
    registry_import_csv(name=RegistryName.RECOMMENDERS, text="name\n甲省科学技术厅\n")
    setup_command("--force")
    assert sorted(Proposal.objects.values_list("reference", flat=True)) == [
        "DEMO-2022-001",
        "DEMO-2022-002",
        "DEMO-2022-003",
    ]
    assert Recommender.objects.count() == 56


def test_setup_ingests_the_guide_only_when_its_year_is_missing(db, tour_only):
    setup_command()
    assert Guide.objects.filter(year=2022).count() == 1
    Guide.objects.filter(year=2022).update(title="管理员改过的标题")
    setup_command()
    assert Guide.objects.get(year=2022).title == "管理员改过的标题"


def test_setup_creates_missing_demo_accounts_and_keeps_existing_passwords(db, tour_only):
    User = get_user_model()
    applicant = User.objects.create_user("applicant", password="my-own-password-1")
    setup_command()
    applicant.refresh_from_db()
    assert applicant.check_password("my-own-password-1") is True
    assert User.objects.get(username="officer").check_password("officer-demo-2022") is True


def test_seed_demo_reset_passwords_gives_the_documented_password_back(db):
    User = get_user_model()
    User.objects.create_user("officer", password="my-own-password-1")
    call_command("seed_demo", "--reset-passwords", stdout=io.StringIO())
    officer = User.objects.get(username="officer")
    assert officer.check_password("officer-demo-2022") is True
    assert list(officer.groups.values_list("name", flat=True)) == ["officer"]
