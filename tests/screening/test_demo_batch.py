"""The demo batch (fixtures/demo/): what the generator writes, valid identifiers, every
direction, and the README tour's outcomes with the full demo registries."""

import json
import runpy
from collections import Counter
from pathlib import Path

from proposals.identifiers import check_credit_code, check_resident_id, looks_like_resident_id
from proposals.interchange import parse_batch

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def load(name: str) -> dict:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


def test_demo_files_are_what_the_generator_writes(capsys):
    generator = runpy.run_path(str(DEMO / "generate.py"))
    assert generator["main"](["--check"]) == 0


def test_generated_batch_reads_without_issues_and_spans_every_direction():
    data = load("batch-2022-generated.json")
    batch = parse_batch(data)
    assert batch.issues == []
    assert len(batch.proposals) == 297
    assert len({p.reference for p in batch.proposals}) == 297
    per_direction = Counter(p.direction for p in batch.proposals)
    assert (len(per_direction), min(per_direction.values()), max(per_direction.values())) == (39, 7, 8)


def test_generated_identifiers_carry_valid_check_characters():
    proposals = load("batch-2022-generated.json")["proposals"]
    people = [person for p in proposals for person in [p["pi"], *p["members"]]]
    resident = [person for person in people if looks_like_resident_id(person["id_number"])]
    bad_ids = [
        person["id_number"]
        for person in resident
        if not check_resident_id(person["id_number"], stated_birth_date=None).valid
    ]
    codes = [u["credit_code"] for p in proposals for u in p["units"] if u["credit_code"]]
    bad_codes = [code for code in codes if not check_credit_code(code).valid]
    assert (bad_ids, bad_codes) == ([], [])
    assert len(resident) > 1000


def test_demo_recommender_registry_is_marked_as_demo_data_and_lists_jiangsu():
    text = (DEMO / "recommenders-2022.txt").read_text(encoding="utf-8")
    recommenders = load("batch-2022.json")["registries"]["recommenders"]
    assert text.splitlines()[0] == "# 演示数据 — DEMO DATA, NOT AN OFFICIAL LIST."
    assert "江苏省科学技术厅" in recommenders
    assert len(recommenders) == len(set(recommenders)) == 56
