import io
import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.docgen import build_docx
from proposals.interchange import proposal_to_dict
from proposals.models import DraftUpload, Person, Proposal, Unit
from tests.factories.proposals import PI_ID, complete_data, make_user


def run_cli(*argv: str) -> int:
    """Run a command as `manage.py` would (CommandError → stderr + exit status)."""
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", *argv]).execute()
    return exit_info.value.code


# --- extract_proposal --------------------------------------------------------


@pytest.mark.django_db
def test_extract_proposal_prints_interchange_json_and_writes_nothing(tmp_path):
    source = complete_data(reference="SQ2030-X")
    source.recommender = None
    path = tmp_path / "draft.docx"
    path.write_bytes(build_docx(source))
    make_user("someone")

    def counts():
        return (
            Proposal.objects.count(),
            Person.objects.count(),
            Unit.objects.count(),
            DraftUpload.objects.count(),
        )

    before = counts()
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("extract_proposal", str(path), stdout=out)
    assert len(queries.captured_queries) == 0
    assert counts() == before
    data = json.loads(out.getvalue())
    assert data["reference"] == "SQ2030-X"
    assert data["title"] == "面向碳中和的电解水制氢国际合作研究"
    assert data["recommender"] is None
    assert data["budget"] == {"national": 500, "matching": 250.5, "unit": "万元"}
    assert data["pi"]["id_number"] == PI_ID
    assert [u["name"] for u in data["units"]] == ["福州大学", "Fraunhofer ISE"]
    assert data["warnings"] == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "unknown_type"),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "broken_pdf"),
    ],
)
def test_extract_proposal_bad_file_exits_1_with_one_line_error(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    assert run_cli("extract_proposal", str(path)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"CommandError: {path}: {expected}: ")
    assert "Traceback" not in captured.err


def test_extract_proposal_missing_file_exits_1(tmp_path, capsys):
    assert run_cli("extract_proposal", str(tmp_path / "nope.pdf")) == 1
    assert capsys.readouterr().err == f"CommandError: {tmp_path / 'nope.pdf'}: No such file or directory\n"


def test_extract_proposal_too_large_file_exits_1(tmp_path, capsys, settings):
    settings.MAX_UPLOAD_BYTES = 10
    path = tmp_path / "big.docx"
    path.write_bytes(b"PK" + b"\0" * 20)
    assert run_cli("extract_proposal", str(path)) == 1
    assert capsys.readouterr().err == f"CommandError: {path}: file too large (22 bytes, limit 10)\n"


# --- import_proposals --------------------------------------------------------


def write_batch(path, *proposals, **extra):
    path.write_text(
        json.dumps({"proposals": [proposal_to_dict(p) for p in proposals], **extra}, ensure_ascii=False)
    )
    return path


@pytest.mark.django_db
def test_import_proposals_creates_then_updates_in_place(tmp_path, monkeypatch):
    from proposals.services import imports

    monkeypatch.setattr(imports, "_registries_importer", lambda: None)
    bob = make_user("bob")
    path = write_batch(
        tmp_path / "batch.json", complete_data(reference="SQ-1"), complete_data(reference="SQ-2")
    )
    out = io.StringIO()
    call_command("import_proposals", str(path), owner="bob", stdout=out)
    assert out.getvalue() == "SQ-1: created, submitted\nSQ-2: created, submitted\ncreated 2, updated 0\n"
    ids = dict(Proposal.objects.values_list("reference", "pk"))
    assert set(Proposal.objects.values_list("owner", flat=True)) == {bob.pk}

    write_batch(
        tmp_path / "batch.json",
        complete_data(reference="SQ-1", title="改过的名称"),
        complete_data(reference="SQ-2"),
    )
    out = io.StringIO()
    call_command("import_proposals", str(path), stdout=out)
    assert out.getvalue() == "SQ-1: updated, submitted\nSQ-2: unchanged, submitted\ncreated 0, updated 2\n"
    assert dict(Proposal.objects.values_list("reference", "pk")) == ids
    assert Proposal.objects.get(reference="SQ-1").title == "改过的名称"
    assert Unit.objects.count() == 4


@pytest.mark.django_db
def test_import_proposals_reports_errors_with_paths_and_imports_nothing(tmp_path):
    make_user("bob")
    path = write_batch(
        tmp_path / "batch.json", complete_data(reference="SQ-1"), complete_data(reference="SQ-2")
    )
    data = json.loads(path.read_text())
    data["proposals"][1]["guide_year"] = "2030年"
    data["proposals"][0]["shoe_size"] = 42
    path.write_text(json.dumps(data))
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_proposals", str(path), owner="bob", stderr=err)
    assert str(exc.value) == f"{path}: 1 error(s); nothing imported"
    lines = err.getvalue().splitlines()
    assert lines[0] == "warning: proposals[0].shoe_size: unknown key 'shoe_size' ignored"
    assert lines[1].startswith("error: proposals[1].guide_year: ")
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_import_proposals_with_unknown_owner_fails(tmp_path):
    path = write_batch(tmp_path / "batch.json", complete_data(reference="SQ-1"))
    with pytest.raises(CommandError) as exc:
        call_command("import_proposals", str(path), owner="ghost")
    assert str(exc.value) == "no user named 'ghost'"


@pytest.mark.django_db
def test_import_proposals_on_the_command_line_loads_registries(tmp_path, monkeypatch):
    from proposals.services import imports

    calls = []

    def fake_import(*, data, source, by):
        calls.append((data, source))
        return {"misconduct": 0}

    monkeypatch.setattr(imports, "_registries_importer", lambda: fake_import)
    make_user("bob")
    path = write_batch(
        tmp_path / "batch.json", complete_data(reference="SQ-1"), registries={"misconduct": []}
    )
    out = io.StringIO()
    call_command("import_proposals", str(path), owner="bob", stdout=out)
    assert out.getvalue() == "SQ-1: created, submitted\ncreated 1, updated 0\nregistries: misconduct 0\n"
    assert calls == [({"misconduct": []}, "cli:batch.json")]
