"""One set of figures: the same known proposals through the dashboard (cards, the 按状态 chart, the
failing conditions), the list its links open and every export agree, each failing proposal counted
once per rule, labelled by the rule and never by one direction's clause."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pdfplumber
import pytest
from openpyxl import load_workbook

from screening import services as screening_services
from screening.models import Finding
from screening.workspace import selectors, services
from tests.factories.proposals import make_user
from tests.factories.screening_db import make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(screen, django_capture_on_commit_callbacks):
    """Three screened proposals (two fail pi.age, one of them twice over: a second pi.age finding),
    one handed in and not screened, and a draft whose own check fails pi.age (drafts are not
    counted among the handed-in)."""
    owner = make_user("fig-owner")
    a = make_proposal(owner=owner, reference="F-A")
    b = make_proposal(owner=owner, reference="F-B", pi_birth=date(1961, 12, 31))
    c = make_proposal(owner=owner, reference="F-C", direction="1.2", pi_birth=date(1960, 1, 1))
    screen([a, b, c])
    make_proposal(owner=owner, reference="F-D")  # handed in, never screened
    draft = make_proposal(owner=owner, reference="F-E", state="draft", pi_birth=date(1950, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        screening_services.screening_request(proposal=draft, reason="draft")
    run = c.screening_runs.get()
    age = run.findings.get(rule="pi.age")
    Finding.objects.create(
        run=run,
        position=500,
        rule="pi.age",
        status="fail",
        clause=age.clause,
        message_id=age.message_id,
        params=age.params,
        evidence=age.evidence,
        field=age.field,
    )
    return a, b, c


def test_every_page_and_file_gives_the_same_figures(client, officer, call):
    client.force_login(officer)
    page = client.get("/screening/workspace/?year=2022")
    data = page.context["data"]
    html = page.content.decode()
    bars = {bar.key: bar.value for bar in page.context["state_chart"].bars}
    assert (data.total, data.handed_in) == (5, 4)
    assert bars == {"draft": 1, "submitted": 1, "screening": 0, "screened": 3}
    assert bars["submitted"] + bars["screening"] + bars["screened"] == data.handed_in
    assert re.search(r'data-testid="handed-in"><a [^>]*>4</a>', html)
    failing = {f.rule: f.count for f in data.failing}
    assert failing["pi.age"] == 2

    # the list the dashboard's links open counts the same proposals
    listed = client.get("/screening/workspace/proposals/?year=2022&state=handed_in&rule=pi.age")
    assert (listed.context["page"].count, [p.reference for p in listed.context["page"].rows]) == (
        2,
        ["F-B", "F-C"],
    )
    assert client.get("/screening/workspace/proposals/?year=2022&state=handed_in").context["page"].count == 4

    # every export of the same set
    ids = selectors.ids_in_order(
        selectors.proposals_for_workspace(year=2022).filter(state__in=selectors.HANDED_IN), sort="", limit=100
    )
    files = {
        fmt: services.export_now(proposal_ids=ids, fmt=fmt, lang="zh", full_ids=False, by=officer, query="")[
            2
        ]
        for fmt in ("xlsx", "csv", "pdf")
    }
    wb = load_workbook(io.BytesIO(files["xlsx"]))
    rules = {row[0]: row for row in wb["按检查项统计"].iter_rows(min_row=2, values_only=True)}
    assert rules["pi.age"][:4] == ("pi.age", "项目负责人年龄", "形式审查 2(1)", failing["pi.age"])
    sheet = list(wb["申报项目"].iter_rows(values_only=True))
    header = sheet[12]
    body = [dict(zip(header, row, strict=False)) for row in sheet[13:]]
    assert len(body) == data.handed_in
    assert sum(1 for r in body if "pi.age" in (r["未通过的条件"] or "")) == failing["pi.age"]
    assert sum(1 for r in body if r["状态"] in ("已提交", "预审中", "已预审")) == data.handed_in
    text = "".join(files["csv"]).removeprefix("\ufeff")
    csv_rows = list(csv.reader(io.StringIO("\n".join(x for x in text.split("\n") if not x.startswith("# ")))))
    assert (csv_rows[0][:2], len(csv_rows) - 1) == (["编号", "项目名称"], data.handed_in)
    assert sum(1 for row in csv_rows[1:] if "（pi.age）" in row[8]) == failing["pi.age"]
    with pdfplumber.open(io.BytesIO(files["pdf"])) as doc:
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in doc.pages))
    failing_headings = re.findall(r"(F-[A-E])[^·]*·指南方向[\d.]+·预审结论：不通过", text)
    assert failing_headings == ["F-B", "F-C"]


def test_a_rule_whose_clause_differs_by_direction_is_labelled_by_the_rule(officer, call):
    a, b, c = call
    Finding.objects.filter(run__proposal=b, rule="pi.age").update(clause="1.1")
    Finding.objects.filter(run__proposal=c, rule="pi.age").update(clause="1.2")
    totals = selectors.rule_totals([b.screening_runs.get().pk, c.screening_runs.get().pk], statuses=["fail"])
    assert (totals["pi.age"].counts, totals["pi.age"].clause) == ({"fail": 2}, selectors.VARIES)
    dashboard = selectors.dashboard(year=2022, lang="zh")
    age = next(f for f in dashboard.failing if f.rule == "pi.age")
    assert (age.title, age.clause_label, age.clause_text, age.count) == (
        "项目负责人年龄",
        "因指南方向而异",
        "",
        2,
    )
    _n, _t, data = services.export_now(
        proposal_ids=[b.pk, c.pk], fmt="xlsx", lang="en", full_ids=False, by=officer, query=""
    )
    rules = {row[0]: row for row in load_workbook(io.BytesIO(data))["Per rule"].iter_rows(values_only=True)}
    assert rules["pi.age"][:4] == ("pi.age", "PI age", "Varies by guide direction", 2)
