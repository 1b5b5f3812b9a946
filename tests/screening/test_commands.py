import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from proposals.models import Proposal
from screening.models import RegistryLoad, ScreeningRun
from tests.factories.proposal_docs import sample_dict

pytestmark = pytest.mark.django_db


def batch_file(tmp_path, proposals, registries=None):
    data = {"proposals": proposals}
    if registries is not None:
        data["registries"] = registries
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def proposal(reference: str, **changes) -> dict:
    data = copy.deepcopy(sample_dict())
    data.update(reference=reference, guide_year=2022, start_date="2023-01-01", end_date="2025-12-31")
    data["budget"] = {"national": 500, "matching": 1000, "unit": "万元"}
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            data[outer][inner] = value
        else:
            data[key] = value
    return data


def run(tmp_path, path) -> dict:
    out = tmp_path / "report.json"
    stdout = StringIO()
    call_command("screen_proposals", str(path), "--output", str(out), stdout=stdout, stderr=StringIO())
    return json.loads(out.read_text(encoding="utf-8"))


def test_screen_proposals_writes_one_result_per_proposal_in_input_order(tmp_path, guide2022):
    path = batch_file(
        tmp_path,
        [proposal("B-2"), proposal("A-1", **{"pi.birth_date": "1961-12-31"})],
        registries={
            "ongoing_projects": [],
            "misconduct": [],
            "guide_experts": [],
            "recommenders": ["福建省科学技术厅"],
        },
    )
    report = run(tmp_path, path)
    assert [r["reference"] for r in report["results"]] == ["B-2", "A-1"]
    by_ref = {r["reference"]: r for r in report["results"]}
    age = {r["reference"]: next(c for c in r["checks"] if c["rule"] == "pi.age") for r in report["results"]}
    assert age["A-1"]["status"] == "fail"
    assert age["A-1"]["clause"] == "2(1)"
    assert "1962-01-01" in age["A-1"]["message_zh"]
    assert "1962-01-01" in age["A-1"]["message_en"]
    assert age["B-2"]["status"] == "pass"
    assert by_ref["A-1"]["overall"] == "fail"
    assert set(by_ref["B-2"]["checks"][0]) >= {
        "rule",
        "status",
        "clause",
        "message_zh",
        "message_en",
        "evidence",
    }
    assert RegistryLoad.objects.count() == 4


def test_screen_proposals_same_pi_twice_fails_both(tmp_path, guide2022):
    path = batch_file(tmp_path, [proposal("X-1"), proposal("X-2", title="完全不同的另一个项目名称用于测试")])
    report = run(tmp_path, path)
    status = {
        r["reference"]: next(c["status"] for c in r["checks"] if c["rule"] == "pi.single_project")
        for r in report["results"]
    }
    assert status == {"X-1": "fail", "X-2": "fail"}


def test_screen_proposals_twice_keeps_every_run_and_updates_in_place(tmp_path, guide2022):
    path = batch_file(tmp_path, [proposal("R-1")])
    run(tmp_path, path)
    run(tmp_path, path)
    assert Proposal.objects.filter(reference="R-1").count() == 1
    assert ScreeningRun.objects.count() == 2


def test_screen_proposals_without_guide_reports_unknown_not_pass(tmp_path, db):
    report = run(tmp_path, batch_file(tmp_path, [proposal("N-1")]))
    age = next(c for c in report["results"][0]["checks"] if c["rule"] == "pi.age")
    assert age["status"] == "unknown"


def test_screen_proposals_rejects_invalid_json_cleanly(tmp_path, db):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run(tmp_path, bad)
    assert str(exc.value).startswith(f"{bad}: not a JSON file")


def test_screen_proposals_with_bad_field_imports_nothing(tmp_path, guide2022):
    path = batch_file(tmp_path, [proposal("E-1", start_date="not a date")])
    with pytest.raises(CommandError):
        run(tmp_path, path)
    assert Proposal.objects.count() == 0


def test_demo_batch_screens_as_the_readme_describes(tmp_path, guide2022):
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "batch-2022.json"
    report = run(tmp_path, demo)
    failing = {
        r["reference"]: sorted({c["rule"] for c in r["checks"] if c["status"] == "fail"})
        for r in report["results"]
    }
    assert failing == {
        "DEMO-2022-001": [],
        "DEMO-2022-002": ["budget.matching_ratio", "pi.age", "pi.qualification", "unit.state_organ"],
        "DEMO-2022-003": ["direction.partner_countries", "member.ongoing_project"],
    }


def test_screen_proposals_screens_each_imported_proposal_once(tmp_path, guide2022, all_registries_empty):
    from common.models import OutboxMessage

    path = batch_file(tmp_path, [proposal("ONCE-1"), proposal("ONCE-2")])
    run(tmp_path, path)
    assert sorted(ScreeningRun.objects.values_list("proposal__reference", flat=True)) == ["ONCE-1", "ONCE-2"]
    assert Proposal.objects.filter(state="screened").count() == 2
    assert OutboxMessage.objects.filter(task="screening.proposal_submitted").count() == 0
