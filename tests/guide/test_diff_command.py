"""manage.py guide_diff A B: years, versions and files; the summary or JSON; one-line errors with exit 1."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from guide.diff import diff_guides, render_text
from guide.models import GuideVersion
from guide.parsing.readers import parse_file
from guide.parsing.types import to_json
from guide.services.versions import correction_add, version_create_from_file, version_publish
from tests.factories.proposals import make_user
from tests.guide.test_diff import YOUNG, young_scientist_changed

pytestmark = pytest.mark.django_db

GUIDES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
G2022 = GUIDES / "2022-strategic-cooperation.txt"
G2023 = GUIDES / "2023-strategic-cooperation.txt"


def run(*args) -> str:
    out = StringIO()
    call_command("guide_diff", *args, stdout=out)
    return out.getvalue()


def failure(*args) -> str:
    with pytest.raises(CommandError) as info:
        run(*args)
    return str(info.value)


@pytest.fixture
def both_years(guide2022):
    return version_publish(version=version_create_from_file(path=G2023))


def expected(a: Path, b: Path, labels, lang="zh") -> str:
    return render_text(diff_guides(to_json(parse_file(a)), to_json(parse_file(b))), lang, labels)


def test_two_years_compare_their_published_versions(both_years):
    output = run("2022", "2023")
    assert output.splitlines()[0] == "2022 v1 → 2023 v1 指南的变化"
    assert output == expected(G2022, G2023, ("2022 v1", "2023 v1"))


@pytest.mark.parametrize("args", [("2022v1", "2023"), ("2022", "v1", "2023"), ("2022 v1", "2023V1")])
def test_versions_may_be_written_several_ways(both_years, args):
    assert run(*args).splitlines()[0] == "2022 v1 → 2023 v1 指南的变化"


def test_a_file_is_read_and_not_stored(guide2022):
    output = run("2022", str(G2023), "--lang", "en")
    assert output == expected(G2022, G2023, ("2022 v1", G2023.name), "en")
    assert GuideVersion.objects.count() == 1


def test_a_draft_is_compared_with_its_corrections(guide2022):
    draft = version_create_from_file(path=G2023)
    correction_add(
        version=draft,
        address="eligibility.max_domestic_units",
        value=9,
        reason="按发文更正",
        by=make_user(role="officer"),
    )
    lines = run("2022", "2023v1").splitlines()
    assert lines[lines.index("申报条件") + 3] == "- 全指南 · 中方参与单位总数上限：10 → 9"


def test_json_has_the_labels_the_changes_and_the_counts(both_years):
    data = json.loads(run("2022", "2023", "--json"))
    assert (data["a"], data["b"], data["year_a"], data["year_b"]) == ("2022 v1", "2023 v1", 2022, 2023)
    assert data["summary"] == {
        "added": 3,
        "removed": 5,
        "renamed": 1,
        "renumbered": 3,
        "changed": 13,
        "conditions": 5,
        "clauses": 3,
    }
    assert data["conditions"][0] == {
        "change": "changed",
        "parameter": "pi_born_on_or_after",
        "scope": {"project_type": None, "direction": None, "gender": None},
        "a": [{"key": "pi_born_on_or_after", "value": "1962-01-01", "state": "stated"}],
        "b": [{"key": "pi_born_on_or_after", "value": "1963-01-01", "state": "stated"}],
    }
    assert "eligibility" not in data  # the call-wide values are conditions like the others


@pytest.fixture
def young_changed(tmp_path) -> Path:
    path = tmp_path / "young-scientist-2024-changed.txt"
    path.write_text(young_scientist_changed(), encoding="utf-8")
    return path


def test_two_files_compare_their_conditions_by_scope(young_changed):
    lines = run(str(YOUNG), str(young_changed)).splitlines()
    assert lines[:7] == [
        "young-scientist-2024.txt → young-scientist-2024-changed.txt 指南的变化",
        "",
        "申报条件",
        "- 全指南 · 申报单位注册日期不晚于：2023-06-30 → 待确认（未读出）",
        "- 基础研究类 · 参与单位总数上限：6 → 8",
        "- 青年科学家项目（男性） · 项目负责人出生日期不早于 删去：1986-01-01",
        "- 方向 2.2 · 拟支持项目数：1 → 2",
    ]
    assert lines[lines.index("3.2 干旱区盐碱地综合治理技术集成与应用示范") + 1] == (
        "  - 项目类型：应用示范类 → 共性关键技术类"
    )


def test_two_files_in_english(young_changed):
    lines = run(str(young_changed), str(YOUNG), "--lang", "en").splitlines()
    assert lines[2:7] == [
        "Eligibility",
        "- Whole call · Applicant registered by: to confirm (not read) → 2023-06-30",
        "- 基础研究类 · Participating units, at most: 8 → 6",
        "- 青年科学家项目 (male) · Principal investigator born on or after added: 1986-01-01",
        "- Direction 2.2 · Projects supported: 2 → 1",
    ]


def test_two_files_as_json(young_changed):
    data = json.loads(run(str(YOUNG), str(young_changed), "--json"))
    assert [
        (c["change"], c["parameter"], c["scope"], [r["value"] for r in c["a"]], [r["value"] for r in c["b"]])
        for c in data["conditions"]
    ] == [
        (
            "state",
            "unit_registered_by",
            {"project_type": None, "direction": None, "gender": None},
            ["2023-06-30"],
            [None],
        ),
        ("changed", "max_units", {"project_type": "基础研究类", "direction": None, "gender": None}, [6], [8]),
        (
            "removed",
            "pi_born_on_or_after",
            {"project_type": "青年科学家项目", "direction": None, "gender": "male"},
            ["1986-01-01"],
            [],
        ),
        (
            "changed",
            "projects_supported",
            {"project_type": None, "direction": "2.2", "gender": None},
            [[1, 1]],
            [[2, 2]],
        ),
    ]
    assert [(d["code_b"], d["project_types"]) for d in data["directions"] if d["project_types"]] == [
        ("3.2", [["应用示范类"], ["共性关键技术类"]])
    ]


def test_the_same_guide_twice_says_so(guide2022):
    assert run("2022", "2022v1") == "2022 v1 → 2022 v1 指南的变化\n两份指南的内容相同。\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2022",), "expected two guides (A B), got 1: 2022"),
        (("2022", "2023", "2024"), "expected two guides (A B), got 3: 2022 2023 2024"),
        (("2031", "2022"), "no published guide for 2031"),
        (("2022v7", "2022"), "no version 2022 v7"),
        (("nonsense", "2022"), "not a year (2022), a version (2022v2) or a guide file: nonsense"),
    ],
)
def test_bad_arguments_are_one_line_errors(guide2022, args, message):
    assert failure(*args) == message


def test_a_file_that_is_no_guide_is_an_error(guide2022, tmp_path):
    notice = tmp_path / "通知.txt"
    notice.write_text("会议通知\n\n请各单位按时参加。", encoding="utf-8")
    assert failure(str(notice), "2022").startswith("通知.txt: not a call guide")


def test_an_error_exits_with_status_1_and_one_line(guide2022, capsys):
    with pytest.raises(SystemExit) as info:
        execute_from_command_line(["manage.py", "guide_diff", "2031", "2022"])
    assert (info.value.code, capsys.readouterr().err) == (1, "CommandError: no published guide for 2031\n")
