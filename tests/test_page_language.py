"""Pages a person reads speak one language: walked as the demo accounts see them, in English no
full-width punctuation follows an ASCII word and no Chinese word appears that the page did not take
from the data (the guide's text, a proposal, a registry); in Chinese no rule id (``budget.matching_ratio``)
or query key (``direction=4.1``) shows.

What counts as data is every text value stored in the database when the pages are read: a window of
the page found in one of them came from the data (the guide writes "碳捕集利用与封存（CCUS）技术合作"),
anything else is the interface's own wording. Chinese that the English catalogue quotes on purpose
(a CSV header it reads, "推荐函：有/无" of the draft template) and the language switch's "中文" are the
interface's too, and allowed."""

import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models

from common.services import demo_users_ensure
from guide.models import GuideVersion
from guide.parsing.readers import parse_file
from guide.services import version_record_reading
from proposals.docgen import build_docx
from proposals.models import DraftUpload, Proposal
from screening.models import RegistryImport, ScreeningBatch
from screening.registry_data import COLUMNS, ROLE_VALUES
from screening.rules.registry import RULES
from screening.workspace.models import BulkJob
from tests.factories.proposals import complete_data, upload
from tests.factories.screening_db import make_proposal
from tests.test_i18n import entries

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
GUIDES = BASE / "fixtures" / "guides"
DEMO = BASE / "fixtures" / "demo" / "batch-2022.json"

FULL_WIDTH = "；：，（）、。"
# Full-width punctuation after an ASCII letter or digit (a space between them or not), with what
# follows it on the line: "Original text：建立…", "2023 v2（Draft".
AFTER_ASCII = re.compile(rf"[A-Za-z0-9]+ ?[{FULL_WIDTH}][^\n]{{0,6}}")
CJK = re.compile(rf"[\u4e00-\u9fff][\u4e00-\u9fff{FULL_WIDTH}]*")
QUERY_KEY = re.compile(r"\b[a-z_]+=[\w.]+")


def visible_text(page: str) -> str:
    """The text a reader sees, one line per text node (no scripts, styles or attributes)."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", "\n", page)
    return "\n".join(line.strip() for line in html.unescape(page).splitlines() if line.strip())


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def stored_text() -> str:
    """Every text value in the database (JSON values and keys too), whitespace removed, one a line."""
    values: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            stack = list(row)
            while stack:
                value = stack.pop()
                if isinstance(value, str):
                    if value[:1] in "[{":
                        try:
                            stack.append(json.loads(value))
                            continue
                        except ValueError:
                            pass
                    values.add(squeeze(value))
                elif isinstance(value, dict):
                    stack.extend(value.values())
                    stack.extend(k for k in value if isinstance(k, str))
                elif isinstance(value, list):
                    stack.extend(value)
    return "\n".join(values)


def quoted_chinese() -> set[str]:
    """Chinese the interface shows in English on purpose: in English sentences of the catalogue, the
    registries' CSV headers and role values it reads, the language switch."""
    words = {"中文"}
    for entry in entries():
        for text in entry["msgstr"]:
            if re.search(r"[A-Za-z]{3}", text):
                words.update(CJK.findall(text))
    for columns in COLUMNS.values():
        for column in columns:
            words.update(h for h in column.headers() if CJK.search(h))
    words.update(v for v in ROLE_VALUES if CJK.search(v))
    return {squeeze(w) for w in words}


@pytest.fixture
def site(client, django_capture_on_commit_callbacks):
    """The demo's guide, accounts and three screened proposals, a 2023 guide (published) and a draft
    of it under review, an uploaded draft, a bulk job, a confirmed registry load and its preview."""
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest_guide", str(GUIDES / "2022-strategic-cooperation.txt"), "--publish", stdout=out)
        call_command("ingest_guide", str(GUIDES / "2023-strategic-cooperation.txt"), "--publish", stdout=out)
        demo_users_ensure()
        call_command("screen_proposals", str(DEMO), owner="applicant", stdout=out, stderr=out)
    guide_2023 = GUIDES / "2023-strategic-cooperation.txt"
    reading = GuideVersion(status="reading", source_name=guide_2023.name, kind="text")
    reading.file.save("f", ContentFile(guide_2023.read_bytes()), save=False)
    reading.save()
    draft_version = version_record_reading(version=reading, parsed=parse_file(guide_2023))
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["applicant", "officer", "admin"])
    }
    proposals = list(Proposal.objects.filter(owner=users["applicant"]).order_by("reference"))
    draft = make_proposal(owner=users["applicant"], state="draft", pi_birth=date(1960, 1, 1), direction="5.2")

    client.force_login(users["applicant"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/proposals/upload/", {"file": upload("draft.docx", build_docx(complete_data(reference="UP-1")))}
        )
    client.force_login(users["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/screening/workspace/bulk/",
            {
                "action": "review",
                "scope": "selected",
                "query": "",
                "ids": [p.pk for p in proposals],
                "note": "ok",
            },
        )
    client.force_login(users["admin"])
    for name in (
        "recommenders.csv",
        "again.csv",
    ):  # the first confirmed (a kept version), the second previewed
        csv = io.BytesIO("\ufeff推荐单位\n科学技术部国际合作司\n某某厅\n".encode())
        csv.name = name
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/screening/registries/", {"registry": "recommenders", "file": csv})
        job = RegistryImport.objects.latest("pk")
        if name == "recommenders.csv":
            with django_capture_on_commit_callbacks(execute=True):
                client.post(f"/screening/registries/imports/{job.pk}/", {"action": "confirm"})
    client.logout()

    published = list(GuideVersion.objects.filter(status="published").order_by("pk"))
    failing = proposals[1]
    return {
        None: {
            "overview": "/guide/2022/",
            "directions": "/guide/2022/directions/",
            "directions filtered": "/guide/2022/directions/?area=4&q=hydrogen",
            "direction": "/guide/2022/directions/5.2/",
            "direction with indicators": "/guide/2022/directions/4.1/",
            "compare": f"/guide/compare/?a={published[0].pk}&b={published[1].pk}",
            "login": "/accounts/login/",
            "signup": "/proposals/signup/",
            "not found": "/guide/1999/",
        },
        users["applicant"]: {
            "proposals": "/proposals/",
            "new": "/proposals/new/",
            "proposal": f"/proposals/{failing.pk}/",
            "edit": f"/proposals/{failing.pk}/edit/",
            "submit confirmation": f"/proposals/{draft.pk}/submit/confirm/",
            "report": f"/screening/proposals/{failing.pk}/",
            "report with warnings": f"/screening/proposals/{proposals[0].pk}/",
            "upload": "/proposals/upload/",
            "uploaded draft": f"/proposals/uploads/{DraftUpload.objects.latest('pk').pk}/",
            "notifications": "/notifications/",
            "forbidden": "/screening/workspace/",
        },
        users["officer"]: {
            "dashboard": "/screening/workspace/",
            "workspace list": "/screening/workspace/proposals/",
            "workspace list filtered": "/screening/workspace/proposals/?rule=budget.matching_ratio&direction=4.1",
            "jobs": "/screening/workspace/jobs/",
            "job": f"/screening/workspace/jobs/{BulkJob.objects.latest('pk').pk}/",
            "batch": f"/screening/batches/{ScreeningBatch.objects.latest('pk').pk}/",
            "versions": "/guide/versions/",
            "review": f"/guide/versions/{draft_version.pk}/",
            "review direction": f"/guide/versions/{draft_version.pk}/directions/4.1/",
            "review direction with partners": f"/guide/versions/{draft_version.pk}/directions/2.1/",
            "reading": f"/guide/upload/{draft_version.pk}/",
            "compare with draft": f"/guide/compare/?a={published[1].pk}&b={draft_version.pk}",
            "import": "/proposals/import/",
        },
        users["admin"]: {
            "audit": "/audit/",
            "registries": "/screening/registries/",
            "registry preview": f"/screening/registries/imports/{RegistryImport.objects.latest('pk').pk}/",
            "registry confirmed": f"/screening/registries/imports/{RegistryImport.objects.earliest('pk').pk}/",
        },
    }


def crawl(client, site, language: str) -> dict[str, str]:
    """``{page name: visible text}`` of every page, read in ``language``."""
    pages = {}
    for user, paths in site.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for name, path in paths.items():
            response = client.get(path)
            assert response.status_code in (200, 403, 404), (name, path, response.status_code)
            pages[name] = visible_text(response.content.decode())
    return pages


def test_english_pages_put_no_full_width_punctuation_after_an_ascii_word(client, site):
    data = stored_text()
    found = {
        f"{name}: {m.group()}"
        for name, text in crawl(client, site, "en").items()
        for m in AFTER_ASCII.finditer(text)
        if squeeze(m.group()) not in data
    }
    assert sorted(found) == []


def test_english_pages_show_chinese_only_from_the_data(client, site):
    data = stored_text()
    allowed = quoted_chinese()
    found = {
        f"{name}: {run}"
        for name, text in crawl(client, site, "en").items()
        for run in CJK.findall(text)
        if squeeze(run) not in data and squeeze(run) not in allowed
    }
    assert sorted(found) == []


def test_chinese_pages_show_no_rule_id_or_query_key(client, site):
    rule_ids = re.compile(r"(?<![\w.])(" + "|".join(re.escape(r) for r in RULES) + r")(?![\w.])")
    found = set()
    for name, text in crawl(client, site, "zh-hans").items():
        found.update(f"{name}: {m.group()}" for m in rule_ids.finditer(text))
        found.update(f"{name}: {m.group()}" for m in QUERY_KEY.finditer(text))
    assert sorted(found) == []


def test_the_checks_see_what_they_look_for():
    """The patterns catch the wording this file is about (a test that cannot fail is worse than none)."""
    assert AFTER_ASCII.search("Original text：建立") is not None
    assert AFTER_ASCII.search("2023 v2（Draft (to review)）") is not None
    assert AFTER_ASCII.search("Original text: 建立") is None
    assert CJK.findall("Bulk job #1 · 标记为已审阅") == ["标记为已审阅"]
    assert QUERY_KEY.findall("direction=4.1") == ["direction=4.1"]
    assert visible_text('<p title="x：y">A<b>（</b></p>') == "A\n（"
