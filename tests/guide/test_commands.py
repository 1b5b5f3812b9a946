import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guide.models import Direction, Guide, GuideVersion

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
        "max_units": None,
        "max_subtasks": None,
        "task_lead_born_on_or_after": None,
        "matching_ratio": None,
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
    assert run(str(GUIDE_2022), "--dry-run") == ""
    assert Guide.objects.count() == 0
    assert GuideVersion.objects.count() == 0


def run_both(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest_guide", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts(version: GuideVersion) -> tuple[int, int]:
    checks = sum(1 for w in version.data["warnings"] if w["severity"] == "check")
    return version.warning_count - checks, checks


def test_ingest_guide_stores_a_draft_and_prints_its_label_and_review_path():
    out = run(str(GUIDE_2022))
    version = GuideVersion.objects.get()
    warnings, checks = counts(version)
    assert out.splitlines() == [
        f"draft 2022 v1: 10 areas, 39 directions, 14 formal-review clauses; {warnings} warnings, {checks} to check",
        f"review: /guide/versions/{version.pk}/",
    ]
    assert (version.status, version.source_name) == ("draft", GUIDE_2022.name)
    assert Guide.objects.count() == 0  # a draft changes nothing until it is published
    assert Direction.objects.count() == 0


def test_ingest_guide_prints_each_notice_on_stderr():
    _out, err = run_both(str(GUIDE_2022))
    version = GuideVersion.objects.get()
    lines = err.splitlines()
    assert len(lines) == len(version.data["warnings"])
    assert [line.endswith(w["message"]) for line, w in zip(lines, version.data["warnings"], strict=True)] == [
        True
    ] * len(lines)


def test_a_notice_prints_its_severity_and_item():
    from guide.management.commands.ingest_guide import _warning

    notice = {"message": "没有比较符", "item": "directions[1.2].indicators[0]", "severity": "check"}
    assert _warning(notice) == "(check) [directions[1.2].indicators[0]] 没有比较符"
    assert _warning({"message": "方向数不符", "item": None, "severity": "warning"}) == "方向数不符"
    assert _warning("plain text warning") == "plain text warning"


def test_ingest_guide_publish_stores_and_publishes():
    out = run(str(GUIDE_2022), "--publish")
    version = GuideVersion.objects.get()
    assert out.splitlines()[0].startswith(
        "published 2022 v1: 10 areas, 39 directions, 14 formal-review clauses; "
    )
    assert version.status == "published"
    assert Guide.objects.get().published_version == version
    assert Direction.objects.count() == 39


def test_ingest_guide_twice_numbers_the_versions_of_the_year():
    run(str(GUIDE_2022), "--publish")
    out = run(str(GUIDE_2022))
    assert out.splitlines()[0].startswith("draft 2022 v2: ")
    assert list(GuideVersion.objects.order_by("number").values_list("number", "status")) == [
        (1, "published"),
        (2, "draft"),
    ]


def test_ingest_guide_json_without_dry_run_keeps_stdout_json_only():
    out, err = run_both(str(GUIDE_2022), "--json")
    version = GuideVersion.objects.get()
    assert json.loads(out) == version.data
    assert err.splitlines()[1] == f"review: /guide/versions/{version.pk}/"


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
    assert GuideVersion.objects.count() == 0


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
