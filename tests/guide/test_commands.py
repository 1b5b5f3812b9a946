import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guide.models import Direction, Guide

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("ingest_guide", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_ingest_guide_json_prints_the_documented_keys():
    data = json.loads(run(str(GUIDE_2022), "--json", "--dry-run"))
    assert data["year"] == 2022
    assert data["declared_direction_count"] == 39
    assert data["total_budget_yuan"] == 250_000_000
    assert data["projects_per_direction"] == {"min": 1, "max": 2}
    assert data["eligibility"] == {
        "pi_born_on_or_after": "1962-01-01",
        "unit_registered_by": "2021-06-30",
        "max_domestic_units": 10,
        "min_foreign_units": 1,
        "max_duration_years": 3,
        "subtasks_allowed": False,
    }
    assert len(data["areas"]) == 10
    assert len(data["directions"]) == 39
    first = data["directions"][0]
    assert {
        "code",
        "area",
        "title",
        "research_content",
        "indicators_text",
        "indicators",
        "matching_ratio",
        "notes",
        "other_requirements",
        "partner_requirements",
    } <= set(first)
    assert first["matching_ratio"] == 2.0
    assert [c["clause"] for c in data["formal_review"]][:3] == ["1(1)", "1(2)", "1(3)"]


def test_ingest_guide_dry_run_writes_nothing():
    run(str(GUIDE_2022), "--dry-run")
    assert Guide.objects.count() == 0


def test_ingest_guide_stores_and_reports():
    out = run(str(GUIDE_2022))
    assert out.strip() == "ingested 2022: 10 areas, 39 directions, 14 formal-review clauses"
    assert Direction.objects.count() == 39


def test_ingest_guide_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(CommandError) as exc:
        run(str(tmp_path / "nope.txt"))
    assert str(exc.value) == f"{tmp_path / 'nope.txt'}: no such file"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", "这只是一段普通的文字，不是指南。\n".encode()),
        ("empty.txt", b""),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not really a pdf"),
        ("garbage.txt", bytes(range(256)) * 4),
        ("fake.docx", b"PK\x03\x04 not a zip at all"),
    ],
)
def test_ingest_guide_rejects_bad_files_cleanly(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as exc:
        run(str(path))
    message = str(exc.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    assert "Traceback" not in message
    assert Guide.objects.count() == 0


def test_ingest_guide_process_exits_1_with_one_line_on_stderr(tmp_path):
    import os
    import subprocess
    import sys

    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n%%EOF garbage")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    proc = subprocess.run(
        [sys.executable, str(root / "manage.py"), "ingest_guide", str(bad), "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("CommandError: ")
    assert proc.stdout == ""
