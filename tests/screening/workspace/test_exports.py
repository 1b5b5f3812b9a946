"""The workspace's export files opened back: three XLSX sheets and the CSV, each stamped with what
it was made from; ID numbers masked for officers without the permission."""

import csv
import hashlib
import io
import re

import pytest
from openpyxl import load_workbook

from screening.models import Finding, ScreeningRun
from screening.rules.registry import RULESET_VERSION
from screening.workspace import exports, services
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


def xlsx(ids, *, by, full_ids=False, lang="zh"):
    name, content_type, data = services.export_now(
        proposal_ids=ids, fmt="xlsx", lang=lang, full_ids=full_ids, by=by, query="year=2022"
    )
    assert (name, content_type) == ("workspace-export.xlsx", services.FORMATS["xlsx"][0])
    return load_workbook(io.BytesIO(data))


def csv_rows(ids, *, by, full_ids=False, lang="zh") -> list[str]:
    name, _type, lines = services.export_now(
        proposal_ids=ids, fmt="csv", lang=lang, full_ids=full_ids, by=by, query="year=2022"
    )
    return list(lines)


def latest_runs(proposals):
    return [ScreeningRun.objects.filter(proposal=p).order_by("-queued_at", "-id").first() for p in proposals]


def values(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_first_sheet_is_stamped_then_one_row_per_proposal(officer, three):
    wb = xlsx([p.pk for p in three], by=officer)
    rows = values(wb["申报项目"])
    runs = latest_runs(three)
    stamp = {label: value for label, value, *_ in rows[:11]}
    assert stamp["导出人"] == "ws-officer"
    assert stamp["指南（年度与现行版本）"].startswith("2022年 ")
    assert stamp["规则集版本"] == RULESET_VERSION
    assert stamp["申报书数（已预审）"] == "3（3）"
    assert (
        stamp["数据 SHA-256（各申报书“数据 SHA-256”按行顺序合并）"]
        == hashlib.sha256("\n".join(r.data_sha256 for r in runs).encode()).hexdigest()
    )
    assert stamp["筛选条件"] == "指南年度：2022"
    assert stamp["证件号码"] == "已部分隐藏"
    assert rows[11] == (None,) * len(rows[11])
    header = rows[12]
    assert header[:9] == (
        "编号",
        "项目名称",
        "指南年度",
        "指南方向",
        "方向名称",
        "领域",
        "状态",
        "预审结论",
        "未通过的条件",
    )
    body = [dict(zip(header, row, strict=False)) for row in rows[13:]]
    assert [(r["编号"], r["预审结论"], r["未通过的条件"], r["数据 SHA-256"]) for r in body] == [
        ("P-A", "提醒", None, runs[0].data_sha256),
        ("P-B", "不通过", "项目负责人年龄（pi.age）", runs[1].data_sha256),
        ("P-C", "不通过", "项目负责人年龄（pi.age）", runs[2].data_sha256),
    ]
    assert (body[1]["不通过"], body[1]["国拨经费（万元）"], body[1]["状态"]) == (1, 500, "已预审")
    assert (wb["申报项目"].freeze_panes, wb["申报项目"].auto_filter.ref) == ("A14", f"A13:{_last(header)}16")


def _last(header) -> str:
    from screening.workspace.xlsx import column_letter

    return column_letter(len(header) - 1)


def test_the_findings_sheet_has_one_row_per_finding_of_the_latest_runs(officer, three):
    wb = xlsx([p.pk for p in three], by=officer)
    rows = values(wb["检查结果"])
    runs = latest_runs(three)
    assert rows[0][:6] == ("编号", "项目名称", "指南方向", "预审结论", "检查项", "结论")
    assert len(rows) - 1 == Finding.objects.filter(run__in=runs).count()
    failing = [(r[0], r[11], r[12]) for r in rows[1:] if r[12] == "fail"]
    assert failing == [("P-B", "pi.age", "fail"), ("P-C", "pi.age", "fail")]


def test_the_per_rule_sheet_counts_findings_by_status(officer, three):
    rows = values(xlsx([p.pk for p in three], by=officer)["按检查项统计"])
    assert rows[0] == ("规则编号", "检查项", "条款", "不通过", "提醒", "无法判定", "通过", "不适用")
    assert rows[1][:4] == ("pi.age", "项目负责人年龄", "形式审查 2(1)", 2)
    assert rows[1][6] == 1  # P-A passes it
    assert (
        sum(r[3] + r[4] + r[5] + r[6] + r[7] for r in rows[1:])
        == Finding.objects.filter(run__in=latest_runs(three)).count()
    )


def test_csv_is_the_proposals_sheet_with_the_stamp_as_comment_lines(officer, three):
    lines = csv_rows([p.pk for p in three], by=officer)
    text = "".join(lines)
    assert text.startswith("\ufeff# 导出说明\n# 导出时间：")
    comments = [line for line in text.splitlines() if line.startswith(("# ", "\ufeff# "))]
    assert len(comments) == 11
    assert f"# 规则集版本：{RULESET_VERSION}" in comments
    data = list(
        csv.reader(
            io.StringIO(
                "\n".join(line for line in text.splitlines() if not line.startswith(("#", "\ufeff#")))
            )
        )
    )
    assert data[0][:2] == ["编号", "项目名称"]
    assert [row[0] for row in data[1:]] == ["P-A", "P-B", "P-C"]


def test_english_export(officer, three):
    wb = xlsx([three[1].pk], by=officer, lang="en")
    assert wb.sheetnames == ["Proposals", "Findings", "Per rule"]
    rows = values(wb["Proposals"])
    assert rows[0][0] == "About this export"
    assert rows[12][:3] == ("Reference", "Project title", "Guide year")
    assert (rows[13][7], rows[13][8]) == ("Fail", "PI age (pi.age)")


def test_id_numbers_are_masked_in_both_sheets_unless_full(officer, screen):
    shared = "110101197505040011"
    a = make_proposal(reference="M-A", pi_id=shared)
    b = make_proposal(reference="M-B", pi_id=shared)  # the same PI twice: the finding names the ID
    screen([a, b])
    masked = xlsx([a.pk, b.pk], by=officer)
    cells = " ".join(
        str(v) for ws in masked.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert (shared in cells, "1101**********0011" in cells) == (False, True)
    full = xlsx([a.pk, b.pk], by=officer, full_ids=True)
    cells = " ".join(
        str(v) for ws in full.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert shared in cells
    assert values(full["申报项目"])[10][1] == "完整"


def test_cells_that_a_spreadsheet_would_run_are_neutralised(officer, screen):
    p = make_proposal(reference="F-1", title='=HYPERLINK("http://x")')
    screen([p])
    rows = values(xlsx([p.pk], by=officer)["申报项目"])
    assert rows[13][1] == '\'=HYPERLINK("http://x")'


def test_a_proposal_never_screened_is_exported_without_results(officer, guide2022):
    p = make_proposal(reference="N-1", state="submitted")
    rows = values(xlsx([p.pk], by=officer)["申报项目"])
    row = dict(zip(rows[12], rows[13], strict=False))
    assert (row["预审结论"], row["不通过"], row["数据 SHA-256"]) == ("未预审", None, None)
    assert {label: value for label, value, *_ in rows[:11]}["预审时间范围"] == "无"


def test_chunks_merge_into_the_same_summary_as_one(officer, three):
    ids = [p.pk for p in three]
    whole = exports.chunk_rows(ids, lang="zh", full_ids=False).summary
    parts = [
        exports.chunk_rows(ids[:1], lang="zh", full_ids=False).summary,
        exports.chunk_rows(ids[1:], lang="zh", full_ids=False).summary,
    ]
    assert exports.summary_merge(parts) == exports.summary_merge([whole])


def test_the_job_csv_carries_the_same_stamp(
    client, officer, three, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "STREAM_LIMIT", 1)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/screening/workspace/bulk/", {"action": "export_csv", "scope": "filtered", "query": "year=2022"}
        )
    download = client.get(response["Location"] + "download/")
    text = b"".join(download.streaming_content).decode("utf-8")
    stamp, _blank, table = text.partition("\n编号,")
    data = list(csv.reader(io.StringIO("编号," + table)))
    assert (download["Content-Type"], stamp.count("\n# ") + 1, [row[0] for row in data]) == (
        "text/csv; charset=utf-8",
        11,
        ["编号", "P-A", "P-B", "P-C"],
    )


def test_the_stamp_shows_the_filter_as_typed_and_nothing_for_an_empty_export():
    from django.utils import timezone

    meta = exports.Meta(
        lang="zh", exported_at=timezone.now(), by="x", query="year=2022&q=%E6%B0%A2%E8%83%BD", full_ids=False
    )
    lines = dict(exports.stamp_lines(exports.summary_merge([]), meta, guides={}))
    assert (lines["筛选条件"], lines["预审时间范围"], lines["申报书数（已预审）"], lines["规则集版本"]) == (
        "year=2022&q=氢能",
        "无",
        "0（0）",
        "无",
    )
    assert lines["数据 SHA-256（各申报书“数据 SHA-256”按行顺序合并）"] == hashlib.sha256(b"").hexdigest()


def test_an_english_stamp_has_no_full_width_punctuation():
    from django.utils import timezone

    meta = exports.Meta(lang="en", exported_at=timezone.now(), by="x", query="year=2022", full_ids=False)
    summary = {**exports.summary_merge([]), "years": [2022, 2023], "guides": ["3", "4"], "proposals": 2}
    lines = exports.stamp_lines(summary, meta, guides={2022: "3", 2023: "1"})
    assert dict(lines)["Guide (year and published version)"] == "2022 3; 2023 1"
    assert dict(lines)["Proposals (screened)"] == "2 (0)"
    assert [value for _label, value in lines if set(value) & set("；：（），、。")] == []


FORMULA_START = ("=", "+", "-", "@")
# what an officer's list URL can carry into the stamp: a new line, a formula, a comma, a quote
PAYLOAD_QUERY = "q=x%0A%3DHYPERLINK(%22http://evil%22)&b=%0D%40SUM(1)&c=a%2C%3D1%2B2%22%2C-3&d=%E2%80%A8%2B4"


def _no_formula(cells):
    return [c for c in cells if isinstance(c, str) and c.lstrip("\ufeff").startswith(FORMULA_START)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_from_a_url_with_formula_and_newline_payloads_carries_no_formula(
    client, officer, three, fmt
):
    client.force_login(officer)
    response = client.post(
        "/screening/workspace/bulk/",
        {
            "action": f"export_{fmt}",
            "scope": "selected",
            "ids": [p.pk for p in three],
            "query": PAYLOAD_QUERY,
        },
    )
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = data.decode("utf-8")
        lines = text.splitlines()
        assert not _no_formula(lines)  # no line of its own starts a formula
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not _no_formula(cells)
        stamp = [line for line in lines if "HYPERLINK" in line]
        assert len(stamp) == 1 and stamp[0].startswith('"# 筛选条件：')  # one quoted cell, one line
    else:
        wb = load_workbook(io.BytesIO(data))
        cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
        assert not _no_formula(cells)
        (stamp,) = [v for v in cells if isinstance(v, str) and "HYPERLINK" in v]
        assert "\n" not in stamp and "\r" not in stamp and "\u2028" not in stamp


def test_bulk_ids_beyond_a_bigint_are_refused_with_the_form_error(client, officer, three):
    client.force_login(officer)
    for bad in (str(2**63), str(2**64 + 5), "9" * 5001, "-1"):
        response = client.post(
            "/screening/workspace/bulk/", {"action": "rescreen", "scope": "selected", "ids": [bad]}
        )
        assert response.status_code == 302, bad
        messages = [str(m) for m in response.wsgi_request._messages]
        assert "所选申报书无效。" in " ".join(messages), bad


def test_an_id_number_in_a_findings_evidence_is_masked_in_every_format(client, officer, screen):
    """A registry match names someone by an ID number none of the proposal's people has: every file
    an officer without the permission (or the applicant) gets shows it masked."""
    import pdfplumber

    from proposals.models import Proposal

    p = make_proposal(reference="E-1")
    screen([p])
    run = latest_runs([p])[0]
    Finding.objects.create(
        run=run,
        position=999,
        rule="pi.misconduct",
        status="warn",
        clause="",
        message_id="pi.misconduct.warn",
        params={},
        evidence=[{"field": "pi.name", "value": "张三 110101199001011234", "source": "misconduct"}],
        field="pi.name",
    )
    full, masked = "110101199001011234", "1101**********1234"
    texts = {}
    for fmt in ("xlsx", "csv", "pdf"):
        _name, _type, content = services.export_now(
            proposal_ids=[p.pk], fmt=fmt, lang="zh", full_ids=False, by=officer, query=""
        )
        if fmt == "xlsx":
            wb = load_workbook(io.BytesIO(content))
            texts[fmt] = " ".join(
                str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
            )
        elif fmt == "pdf":
            with pdfplumber.open(io.BytesIO(content)) as doc:
                texts[fmt] = "".join(page.extract_text() for page in doc.pages)
        else:
            texts[fmt] = "".join(content)
    client.force_login(Proposal.objects.get(pk=p.pk).owner)
    for fmt in ("pdf", "xlsx", "csv", "json"):
        response = client.get(f"/screening/proposals/{p.pk}/report.{fmt}")
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if fmt == "pdf":
            with pdfplumber.open(io.BytesIO(body)) as doc:
                texts["report.pdf"] = "".join(page.extract_text() for page in doc.pages)
        elif fmt == "xlsx":
            wb = load_workbook(io.BytesIO(body))
            texts["report.xlsx"] = " ".join(
                str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
            )
        else:
            texts[f"report.{fmt}"] = body.decode("utf-8-sig")
    assert {fmt: full in text for fmt, text in texts.items()} == dict.fromkeys(texts, False)
    shown = {fmt: masked in text.replace("\n", "") for fmt, text in texts.items()}
    assert shown == {
        "xlsx": True,
        "csv": False,  # the CSV is the proposals sheet: no evidence in it
        "pdf": True,
        "report.pdf": True,
        "report.xlsx": True,
        "report.csv": False,
        "report.json": True,
    }


def test_a_finding_row_naming_one_of_the_proposals_own_numbers_is_looked_at_whatever_its_form():
    """_FindingIds lets most finding rows through without a look (their texts' digit runs are too
    short to hold any of the people's numbers), never one that holds a number: a passport, a
    resident ID, a number without digits (the texts are then always searched)."""
    from screening.exports import COLUMNS

    def row(message="", evidence=""):
        cells = [""] * len(COLUMNS)
        cells[COLUMNS.index("message")], cells[COLUMNS.index("evidence")] = message, evidence
        return cells

    looked: dict = {}
    ids = exports._FindingIds("课题", ["E12345678", "110101199001011234"], looked)
    assert ids(row("出生日期 1985-03-02", "单位 91110108MA01ABCD2X")) is False
    assert ids(row("成员护照 E12345678 与其他项目重复")) is True
    assert ids(row("", "张三 110101199001011234")) is True
    assert ids(row("", "另一人 44030019800101123X")) is True  # anyone's resident ID
    assert exports._FindingIds("课题", ["ABCDEFGH"], looked)(row("成员 ABCDEFGH")) is True
    assert exports._FindingIds("课题", [], looked)(row("出生日期 1985-03-02")) is False
    assert exports._FindingIds("含 E12345678 的题目", ["E12345678"], looked)(row()) is True


# --- the files' words come from the catalogue ---------------------------------------------------------

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _export_words():
    """Every word of the files: the columns' headers, the stamp's and the PDF's words, states, roles."""
    from screening import exports as finding_columns
    from screening.messages import Msg

    found = [(f"HEADERS[{k}]", m) for k, m in finding_columns.HEADERS.items()]
    found += [(f"PROPOSAL_COLUMNS[{k}]", m) for k, m, _w in exports.PROPOSAL_COLUMNS]
    for name in ("_WORDS", "_PDF_WORDS", "_STATES", "_UNIT_ROLES"):
        found += [(f"{name}[{k}]", m) for k, m in getattr(exports, name).items()]
    assert all(isinstance(m, Msg) for _n, m in found)
    return found


def test_every_word_of_the_files_is_english_in_the_english_catalogue():
    from screening import labels

    words = _export_words()
    assert len(words) > 80
    untranslated = [n for n, m in words if labels.say(m, "en") == m.text and _CJK.search(m.text)]
    assert untranslated == []
    assert [n for n, m in words if _CJK.search(labels.say(m, "en"))] == []


def test_a_new_language_is_a_catalogue_for_the_files_too(monkeypatch):
    from screening import messages

    catalogue = {"编号": "Aktenzeichen", "{text}（{note}）": "{text} [{note}]"}
    monkeypatch.setattr(messages, "_translator", lambda text, lang, context=None: catalogue.get(text, text))
    assert exports._headers("en")[0] == "Aktenzeichen"
    assert exports.word("with_note", "en", text="A", note="b") == "A [b]"


def test_the_stamp_speaks_english_without_chinese_punctuation():
    summary = {
        "years": [2022],
        "guides": ["v1", "v2"],
        "rulesets": ["r1"],
        "first": "2026-01-01T10:00:00+08:00",
        "last": "2026-01-02T10:00:00+08:00",
        "proposals": 3,
        "screened": 2,
        "data_sha256": "ab",
    }
    meta = exports.Meta(lang="en", by="officer", query="", full_ids=False, exported_at=None)
    lines = dict(exports.stamp_lines(summary, meta, guides={2022: "v2"}, filters=""))
    assert lines["Guide versions the runs used"] == "v1, v2"
    assert lines["Proposals (screened)"] == "3 (2)"
    assert lines["Guide (year and published version)"] == "2022 v2"
    assert not any(_CJK.search(f"{k}{v}") for k, v in lines.items())
