"""/audit/: admins only; filters by who, what, object and date range; newest first in keyset pages
whose query count does not grow; each entry's data readable; a streamed CSV export, audited."""

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from common.models import AuditEntry
from common.selectors import AUDIT_ACTIONS
from common.services import audit_record
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _default_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)  # a request in English leaves it active


@pytest.fixture
def admin(client):
    user = make_user("root", role="admin")
    client.force_login(user)
    return user


def at(*args) -> mock._patch:
    return mock.patch("django.utils.timezone.now", return_value=datetime(*args, tzinfo=UTC))


def ids(response) -> list[int]:
    return [
        int(i) for i in re.findall(r'data-testid="audit-entry" data-id="(\d+)"', response.content.decode())
    ]


def mark() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- who may see it ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "applicant"])
def test_officers_and_applicants_get_403(client, role):
    client.force_login(make_user(f"u-{role}", role=role))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_an_applicant_sees_no_entry_not_even_their_own(client):
    applicant = make_user("ann")
    audit_record(actor=applicant, action="proposal.created", data={"source": "form"})
    client.force_login(applicant)
    response = client.get("/audit/")
    assert (response.status_code, "proposal.created" in response.content.decode()) == (403, False)


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/audit/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/audit/")


def test_refused_export_records_nothing(client):
    client.force_login(make_user("olga", role="officer"))
    before = mark()
    assert client.get("/audit/export.csv").status_code == 403
    assert AuditEntry.objects.filter(id__gt=before).count() == 0


def test_the_admin_navigation_links_to_the_audit_page(client, admin):
    html = client.get("/").content.decode()
    assert html.count('href="/audit/" data-testid="nav-audit"') == 1


# --- the list and its filters ------------------------------------------------------------


def test_admin_sees_every_entry_newest_first(client, admin):
    first = audit_record(actor=None, action="proposal.created")
    second = audit_record(actor=admin, action="registries.imported")
    login = AuditEntry.objects.get(action="auth.login", actor=admin)
    assert ids(client.get("/audit/")) == [second.pk, first.pk, login.pk]


def test_filter_by_username(client, admin):
    ann, bob = make_user("ann"), make_user("bob")
    mine = audit_record(actor=ann, action="proposal.created")
    audit_record(actor=bob, action="proposal.created")
    assert ids(client.get("/audit/", {"who": "ann"})) == [mine.pk]
    assert ids(client.get("/audit/", {"who": "nobody"})) == []


def test_filter_by_action(client, admin):
    upload = audit_record(actor=None, action="draft.uploaded")
    audit_record(actor=None, action="proposal.created")
    assert ids(client.get("/audit/", {"action": "draft.uploaded"})) == [upload.pk]


def test_the_action_filter_lists_the_known_actions_in_the_chosen_language(client, admin):
    html = client.get("/audit/").content.decode()
    assert (
        '<option value="attachment.downloaded">下载附件</option>' in html,
        html.count("<option value=") >= len(AUDIT_ACTIONS),
    ) == (True, True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/audit/").content.decode()
    assert '<option value="attachment.downloaded">Attachment downloaded</option>' in html


def test_an_unknown_action_is_an_error_and_shows_nothing(client, admin):
    audit_record(actor=None, action="proposal.created")
    response = client.get("/audit/", {"action": "proposal.rewritten"})
    assert ids(response) == []
    assert response.context["filter"].errors["action"] == [
        "选择一个有效的选项。 proposal.rewritten 不在可用的选项中。"
    ]


def test_filter_by_object_type_and_id(client, admin):
    owner = make_user("ann")
    about_the_user = audit_record(actor=None, action="proposal.updated", target=owner)
    edited = AuditEntry.objects.create(
        action="proposal.updated", target_type="proposals.proposal", target_id="7"
    )
    submitted = AuditEntry.objects.create(
        action="proposal.state", target_type="proposals.proposal", target_id="7"
    )
    AuditEntry.objects.create(action="proposal.state", target_type="proposals.proposal", target_id="70")
    query = {"target_type": "proposals.proposal", "target_id": "7"}
    assert ids(client.get("/audit/", query)) == [submitted.pk, edited.pk]
    query = {"target_type": "auth.user", "target_id": str(owner.pk)}
    assert ids(client.get("/audit/", query)) == [about_the_user.pk]


def test_filter_by_date_range_uses_shanghai_days(client, admin):
    with at(2022, 3, 1, 15, 59, 59):  # 2022-03-01 23:59:59 in Shanghai
        last_of_first = audit_record(actor=None, action="proposal.created")
    with at(2022, 3, 1, 16, 0, 0):  # 2022-03-02 00:00:00 in Shanghai
        first_of_second = audit_record(actor=None, action="proposal.created")
    with at(2022, 3, 2, 15, 59, 59):  # 2022-03-02 23:59:59
        last_of_second = audit_record(actor=None, action="proposal.created")
    with at(2022, 3, 2, 16, 0, 0):  # 2022-03-03 00:00:00
        audit_record(actor=None, action="proposal.created")
    day = {"since": "2022-03-02", "until": "2022-03-02"}
    assert ids(client.get("/audit/", day)) == [last_of_second.pk, first_of_second.pk]
    assert ids(client.get("/audit/", {"until": "2022-03-01"})) == [last_of_first.pk]


def test_filters_combine(client, admin):
    ann = make_user("ann")
    with at(2022, 3, 2, 1, 0, 0):
        wanted = audit_record(actor=ann, action="draft.uploaded")
        audit_record(actor=ann, action="proposal.created")
    audit_record(actor=ann, action="draft.uploaded")
    query = {"who": "ann", "action": "draft.uploaded", "since": "2022-03-02", "until": "2022-03-02"}
    assert ids(client.get("/audit/", query)) == [wanted.pk]


def test_entry_data_is_shown_readably(client, admin):
    ann = make_user("ann")
    audit_record(
        actor=ann,
        action="proposal.state",
        target=ann,
        data={"from": "draft", "to": "submitted", "counts": {"recommenders": 3}},
    )
    html = client.get("/audit/", {"who": "ann"}).content.decode()
    assert (
        "<td>ann</td>" in html,
        '<td data-action="proposal.state">申报书状态变更（提交、退回等）</td>' in html,
        f"<td>用户 #{ann.pk}</td>" in html,
        "<dt>原状态</dt><dd>草稿</dd><dt>新状态</dt><dd>已提交</dd>" in html,
        "<dt>各名单条目数</dt><dd>推荐单位：3 条</dd>" in html,
    ) == (True, True, True, True, True)


def test_an_entry_without_actor_shows_the_system_and_the_attempted_username(client, admin):
    audit_record(actor=None, action="auth.login_failed", data={"username": "mallory", "ip": "10.0.0.9"})
    html = client.get("/audit/", {"action": "auth.login_failed"}).content.decode()
    assert (
        '<span class="muted">系统</span>' in html,
        "<dt>IP 地址</dt><dd>10.0.0.9</dd><dt>用户名</dt><dd>mallory</dd>" in html,
    ) == (True, True)


def test_times_are_shown_in_shanghai_time(client, admin):
    with at(2022, 3, 1, 23, 30, 5):
        audit_record(actor=None, action="proposal.created")
    html = client.get("/audit/", {"action": "proposal.created"}).content.decode()
    assert '<td class="nowrap">2022-03-02 07:30:05</td>' in html


# --- keyset pages ------------------------------------------------------------------


def _entries(n: int, action: str = "proposal.updated") -> list[int]:
    AuditEntry.objects.bulk_create(AuditEntry(action=action, target_id=str(i)) for i in range(n))
    return list(AuditEntry.objects.filter(action=action).order_by("-id").values_list("id", flat=True))


def test_pages_go_older_and_back_newer(client, admin):
    everything = _entries(120)
    query = {"action": "proposal.updated"}
    first = client.get("/audit/", query)
    assert ids(first) == everything[:50]
    assert first.context["page"].newer is None
    older = first.context["page"].older
    second = client.get("/audit/", {**query, "before": older})
    assert ids(second) == everything[50:100]
    third = client.get("/audit/", {**query, "before": second.context["page"].older})
    assert (ids(third), third.context["page"].older) == (everything[100:], None)
    back = client.get("/audit/", {**query, "after": third.context["page"].newer})
    assert ids(back) == everything[50:100]
    assert ids(client.get("/audit/", {**query, "after": back.context["page"].newer})) == everything[:50]


def test_page_links_keep_the_filters(client, admin):
    everything = _entries(60)
    html = client.get("/audit/", {"action": "proposal.updated"}).content.decode()
    assert f'href="?action=proposal.updated&amp;before={everything[49]}" data-testid="audit-older"' in html
    assert 'href="/audit/export.csv?action=proposal.updated" data-testid="audit-export"' in html


def test_a_cursor_that_is_not_a_number_is_ignored(client, admin):
    everything = _entries(3)
    assert ids(client.get("/audit/", {"action": "proposal.updated", "before": "1;drop"})) == everything


def _page_queries(client, params: dict) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/audit/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries), [
        q["sql"] for q in ctx.captured_queries if "common_auditentry" in q["sql"]
    ]


@pytest.mark.parametrize(
    "params",
    [{}, {"action": "proposal.updated"}, {"who": "root"}, {"target_type": "auth.user", "target_id": "1"}],
)
def test_page_query_count_does_not_grow_with_the_trail(client, admin, params):
    first_small, _ = _page_queries(client, params)
    deep_small, _ = _page_queries(client, {**params, "before": _entries(10)[5]})
    newest = _entries(290)
    first_large, sql = _page_queries(client, params)
    deep_large, deep_sql = _page_queries(client, {**params, "before": newest[200]})
    assert (first_small, deep_small) == (first_large, deep_large)
    assert deep_large == first_large + 1  # the cursor's time, by primary key
    assert [("OFFSET" in s, "COUNT(" in s.upper()) for s in sql + deep_sql] == [(False, False)] * 3


def test_entries_written_in_the_same_instant_page_by_id(client, admin):
    with at(2022, 3, 1, 8, 0, 0):
        same = _entries(120)
    query = {"action": "proposal.updated"}
    first = client.get("/audit/", query)
    second = client.get("/audit/", {**query, "before": first.context["page"].older})
    third = client.get("/audit/", {**query, "before": second.context["page"].older})
    assert ids(first) + ids(second) + ids(third) == same
    back = client.get("/audit/", {**query, "after": third.context["page"].newer})
    assert ids(back) == same[50:100]


def test_a_cursor_naming_no_entry_gives_the_newest_page(client, admin):
    everything = _entries(3)
    assert ids(client.get("/audit/", {"action": "proposal.updated", "before": "999999"})) == everything


# --- the CSV export ----------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_streams_the_filtered_entries_newest_first(client, admin):
    ann = make_user("ann")
    with at(2022, 3, 1, 23, 30, 5):
        older = audit_record(actor=ann, action="draft.uploaded", data={"kind": "docx"})
    newer = audit_record(actor=ann, action="draft.uploaded", target=ann, data={"kind": "pdf"})
    audit_record(actor=ann, action="proposal.created")
    response = client.get("/audit/export.csv", {"who": "ann", "action": "draft.uploaded"})
    assert (response.status_code, response.streaming, response["Content-Type"]) == (
        200,
        True,
        "text/csv; charset=utf-8",
    )
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    rows = _csv(response)
    assert rows[0] == [
        "编号",
        "时间",
        "操作人",
        "动作",
        "动作说明",
        "对象类型",
        "对象编号",
        "详情",
        "原始数据",
    ]
    assert rows[1:] == [
        [
            str(newer.pk),
            rows[1][1],
            "ann",
            "draft.uploaded",
            "上传草稿",
            "auth.user",
            str(ann.pk),
            "类型：PDF 文件",
            '{"kind": "pdf"}',
        ],
        [
            str(older.pk),
            "2022-03-02 07:30:05",
            "ann",
            "draft.uploaded",
            "上传草稿",
            "",
            "",
            "类型：Word 文件（DOCX）",
            '{"kind": "docx"}',
        ],
    ]


def test_export_is_recorded_and_does_not_contain_its_own_record(client, admin):
    audit_record(actor=None, action="proposal.created")
    newest = mark()
    response = client.get("/audit/export.csv", {"action": "audit.exported"})
    assert _csv(response)[1:] == []
    entry = AuditEntry.objects.get(action="audit.exported")
    assert (entry.actor, entry.data) == (
        admin,
        {"format": "csv", "query": "action=audit.exported", "up_to": newest},
    )
    again = _csv(client.get("/audit/export.csv", {"action": "audit.exported"}))
    assert [row[0] for row in again[1:]] == [str(entry.pk)]


def test_export_headers_follow_the_language(client, admin):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    audit_record(actor=None, action="draft.uploaded")
    rows = _csv(client.get("/audit/export.csv", {"action": "draft.uploaded"}))
    assert rows[0] == [
        "ID",
        "Time",
        "Actor",
        "Action",
        "Description",
        "Object type",
        "Object ID",
        "Details",
        "Data as stored",
    ]
    assert rows[1][4] == "Draft uploaded"


def test_export_defuses_cells_a_spreadsheet_would_run_as_formulas(client, admin):
    sneaky = make_user("=HYPERLINK(1)")
    audit_record(actor=sneaky, action="proposal.created")
    rows = _csv(client.get("/audit/export.csv", {"action": "proposal.created"}))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_export_reads_entries_in_chunks_with_a_constant_number_of_queries(client, admin):
    def queries(n: int) -> int:
        _entries(n, action="attachment.downloaded")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/audit/export.csv", {"action": "attachment.downloaded"})
            rows = _csv(response)
        assert len(rows) - 1 == AuditEntry.objects.filter(action="attachment.downloaded").count()
        return len(ctx.captured_queries)

    assert queries(5) == queries(200)


# --- the catalogue of actions ------------------------------------------------------------


def test_every_action_the_code_records_has_a_label():
    pattern = re.compile(r'action="([a-z_]+\.[a-z_]+)"')
    recorded = set()
    for app in ("common", "guide", "proposals", "screening"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                recorded |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert sorted(recorded - set(AUDIT_ACTIONS)) == []


# --- every action's details in words ------------------------------------------------------

# The data each action is written with, as the code writes it (a test below keeps it complete).
ACTION_SAMPLES: dict[str, dict] = {
    "auth.login": {"ip": "10.0.0.9", "path": "/accounts/login/"},
    "auth.login_failed": {"username": "mallory", "ip": "10.0.0.9", "path": "/accounts/login/"},
    "account.registered": {},
    "proposal.created": {"source": "upload", "upload": 12},
    "proposal.updated": {},
    "proposal.deleted": {"reference": "P2022-0001-ABCDEF"},
    "proposal.state": {"from": "draft", "to": "submitted"},
    "proposals.imported": {"source": "cli:batch.json", "created": 3, "updated": 1, "submitted": 2},
    "draft.uploaded": {"kind": "docx"},
    "upload.discarded": {"name": "draft.docx", "state": "done", "sha256": "ab" * 32},
    "attachment.added": {"attachment": 5, "kind": "recommendation_letter"},
    "attachment.deleted": {"attachment": 5, "kind": "employment_proof"},
    "attachment.downloaded": {"proposal": 7, "kind": "cooperation_agreement", "name": "agreement.pdf"},
    "screening.requested": {"run": 41, "reason": "collision"},
    "screening.batch": {"proposals": 300},
    "screening.exported": {"format": "xlsx", "runs": 300, "query": "state=submitted&stale=yes"},
    "screening.report_exported": {"format": "pdf", "run": 41},
    "registries.imported": {
        "counts": {"misconduct": 4, "recommenders": 3},
        "source": "misconduct.csv",
        "job": 2,
    },
    "registries.edited": {"registry": "guide_experts", "entries": 12},
    "registries.restored": {
        "counts": {"misconduct": 3},
        "source": "misconduct.csv",
        "job": 3,
        "restored": 2,
        "added": 1,
        "removed": 2,
        "changed": 0,
    },
    "registries.import_cancelled": {
        "registry": "misconduct",
        "source": "misconduct.csv",
        "job": 4,
        "reason": "expired",
    },
    "admin.added": {"change": [{"added": {}}]},
    "admin.changed": {"change": [{"changed": {"fields": ["Email address"]}}]},
    "admin.deleted": {"object": "olga"},
    "guide.ingested": {
        "year": 2022,
        "directions": 41,
        "source": "guide-2022.pdf",
        "sha256": "cd" * 32,
        "version": "v1",
    },
    "guide.reingested": {"year": 2022, "directions": 41, "source": "guide-2022.pdf", "sha256": "cd" * 32},
    "guide.uploaded": {"name": "guide-2023.pdf", "kind": "pdf", "size": 204800, "sha256": "ef" * 32},
    "guide.version_read": {
        "label": "v2",
        "source": "guide-2023.pdf",
        "sha256": "ef" * 32,
        "reader_version": "7",
        "warnings": 2,
        "carried_from": "v1",
        "applied": ["directions[1.1].matching_ratio"],
        "resolved": [],
        "vanished": ["directions[2.3].partner_requirements[0].value"],
    },
    "guide.reading_failed": {"code": "scanned"},
    "guide.corrected": {
        "label": "v2",
        "address": "directions[2.3].indicators[1].comparator",
        "parsed_value": "<=",
        "previous_value": "<=",
        "value": ">=",
        "reason": "typo",
        "correction": 9,
    },
    "guide.correction_reverted": {
        "label": "v2",
        "address": "eligibility.pi_born_on_or_after",
        "corrections": [9, 10],
    },
    "guide.version_published": {
        "label": "v2",
        "superseded": ["v1"],
        "corrections": ["directions[2.3].indicators[1].comparator"],
        "problems": [],
    },
    "guide.publish_requested": {"label": "v2"},
    "guide.item_checked": {"label": "v2", "item": "directions[1.2].indicators[0]"},
    "guide.item_unchecked": {"label": "v2", "item": "formal_review[1(2)]"},
    "proposal.reviewed": {"note": "ok", "job": 8},
    "workspace.job_requested": {
        "kind": "export",
        "proposals": 1200,
        "query": "direction=4.1&overall=fail&q=fuel",
        "scope": "filtered",
        "format": "xlsx",
        "lang": "en",
        "full_ids": False,
    },
    "workspace.exported": {"format": "csv", "proposals": 12, "query": "", "job": None},
    "workspace.export_downloaded": {"job": 8},
    "audit.exported": {"format": "csv", "query": "action=draft.uploaded&who=ann", "up_to": 120},
}


def _recorded_actions() -> set[str]:
    """Every action the code writes: action="…", audit_action="…" and the conditional one."""
    pattern = re.compile(r'action="([a-z_]+\.[a-z_]+)"(?: if \w+ else "([a-z_]+\.[a-z_]+)")?')
    recorded = set()
    for app in ("common", "guide", "proposals", "screening"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                for first, second in pattern.findall(path.read_text(encoding="utf-8")):
                    recorded |= {first, second} - {""}
    return recorded


def test_the_samples_cover_every_action_the_code_records():
    assert sorted(_recorded_actions() - set(ACTION_SAMPLES)) == []
    assert sorted(set(ACTION_SAMPLES) - set(AUDIT_ACTIONS)) == []


def _details(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each entry's action and its (label, text) pairs as shown."""
    out = {}
    for action, cell in re.findall(
        r'<td data-action="([a-z_.]+)">.*?</td>.*?<td>(.*?)</td>\s*</tr>', html, flags=re.DOTALL
    ):
        out[action] = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", cell, flags=re.DOTALL)
    return out


CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_action_is_shown_in_words_without_json_or_raw_keys(client, admin, language):
    for action, data in ACTION_SAMPLES.items():
        audit_record(actor=admin, action=action, data=data)
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/audit/", {"who": "root"}).content.decode()
    shown = _details(html)
    assert sorted(shown) == sorted({*ACTION_SAMPLES, "auth.login"})
    for action, data in ACTION_SAMPLES.items():
        pairs = shown[action]
        assert len(pairs) == len(data), action
        for label, text in pairs:
            assert (label in data, label in ("其他", "Other")) == (False, False), (action, label)
            assert [c for c in "{}[]" if c in text] == [], (action, label, text)
            assert "&quot;" not in text, (action, text)
            if language == "en":
                assert CJK.findall(label + text) == [], (action, label, text)
            else:
                assert CJK.search(label) is not None, (action, label)


def test_details_say_the_registries_states_filters_and_kinds_in_chinese(client, admin):
    for action, data in ACTION_SAMPLES.items():
        audit_record(actor=admin, action=action, data=data)
    shown = _details(client.get("/audit/", {"who": "root"}).content.decode())
    assert shown["registries.imported"] == [
        ("来源", "misconduct.csv"),
        ("各名单条目数", "失信记录：4 条；推荐单位：3 条"),
        ("任务", "#2"),
    ]
    assert shown["proposal.state"] == [("原状态", "草稿"), ("新状态", "已提交")]
    assert shown["attachment.added"] == [("类型", "推荐函"), ("附件", "#5")]
    assert shown["registries.edited"] == [("名单", "指南编制专家"), ("条目数", "12")]
    assert shown["screening.requested"] == [
        ("预审运行", "#41"),
        ("原因", "与其他申报书内容相同或相近，一并重新检查"),
    ]
    assert shown["audit.exported"] == [
        ("格式", "CSV"),
        ("筛选条件", "动作：上传草稿；操作人：ann"),
        ("截至记录", "#120"),
    ]
    assert shown["workspace.job_requested"][:3] == [
        ("格式", "XLSX"),
        ("筛选条件", "指南方向：4.1；预审结论：不通过；关键词：fuel"),
        ("范围", "筛选出的全部申报书"),
    ]
    assert shown["guide.version_published"][-1] == ("待核对的项", "无")


def test_details_in_english(client, admin):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    audit_record(actor=admin, action="registries.imported", data=ACTION_SAMPLES["registries.imported"])
    audit_record(actor=admin, action="proposal.state", data={"from": "draft", "to": "submitted"})
    shown = _details(client.get("/audit/", {"who": "root"}).content.decode())
    assert shown["registries.imported"] == [
        ("Source", "misconduct.csv"),
        ("Entries per registry", "Misconduct records: 4 entries; Recommender: 3 entries"),
        ("Job", "#2"),
    ]
    assert shown["proposal.state"] == [("From", "Draft"), ("To", "Submitted")]


def test_places_in_the_guide_are_said_in_words(client, admin):
    for action in (
        "guide.corrected",
        "guide.version_read",
        "guide.item_checked",
        "guide.correction_reverted",
    ):
        audit_record(actor=admin, action=action, data=ACTION_SAMPLES[action])
    shown = dict(_details(client.get("/audit/", {"who": "root"}).content.decode()))
    assert dict(shown["guide.corrected"])["更正的位置"] == "方向 2.3 · 考核指标 2 · 比较方式"
    assert (dict(shown["guide.corrected"])["读取的值"], dict(shown["guide.corrected"])["更正后的值"]) == (
        "≤",
        "≥",
    )
    assert dict(shown["guide.version_read"])["新文件中找不到的更正"] == "方向 2.3 · 合作要求 1 · 数值"
    assert dict(shown["guide.item_checked"])["核对的项"] == "方向 1.2 · 考核指标 1"
    assert dict(shown["guide.correction_reverted"])["更正"] == "#9、#10"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    shown = dict(_details(client.get("/audit/", {"who": "root"}).content.decode()))
    assert dict(shown["guide.correction_reverted"])["Corrected item"] == "Eligibility · PI born on or after"


def test_object_types_are_named_in_english_in_english():
    from common.selectors import audit_target_type_choices

    with translation.override("en"):
        names = dict(audit_target_type_choices())
    assert (names["common.heartbeat"], names["guide.area"]) == ("Heartbeat", "Thematic area")


def test_object_types_sharing_a_name_say_their_app_with_the_languages_brackets():
    from django.apps import apps as django_apps

    from common.selectors import audit_target_type_choices

    area, unit = django_apps.get_model("guide", "Area"), django_apps.get_model("proposals", "Unit")
    with (
        mock.patch("common.selectors.apps.get_models", return_value=[area, unit]),
        mock.patch.object(unit._meta, "verbose_name", area._meta.verbose_name),
    ):
        with translation.override("en"):
            english = [label for _key, label in audit_target_type_choices()]
        with translation.override("zh-hans"):
            chinese = [label for _key, label in audit_target_type_choices()]
    assert english == ["Thematic area (Guide)", "Thematic area (Proposals)"]
    assert chinese == ["领域（指南）", "领域（申报书管理）"]


def test_an_audited_area_filter_is_called_what_the_pages_call_it():
    from common.selectors import _query

    with translation.override("en"):
        assert _query("area=3") == "Thematic area: 3"
