from datetime import date

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.docgen import build_docx, build_pdf
from proposals.forms import ProposalForms
from proposals.models import Attachment, DraftUpload, Proposal
from tests.factories.proposal_docs import image_only_pdf, make_pdf, zip_bomb_docx
from tests.factories.proposals import PNG_BYTES, complete_data, make_proposal, make_user, pdf_bytes, upload

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def post_data(forms, **changes) -> dict:
    """What the browser would send back for a rendered ProposalForms, plus ``changes``
    (keyed by the HTML field name)."""
    data = {}
    formsets = [forms.units, forms.members, forms.subtasks]
    for formset in formsets:
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[management[name].html_name] = management[name].value()
    all_forms = [forms.main, forms.pi, *forms.units.forms, *forms.members.forms, *forms.subtasks.forms]
    for form in all_forms:
        for bf in form:
            value = bf.value()
            if isinstance(value, bool):
                if bf.field.__class__.__name__ == "NullBooleanField":
                    data[bf.html_name] = "true" if value else "false"
                elif value:
                    data[bf.html_name] = "on"
            elif value is None:
                data[bf.html_name] = ""
            elif isinstance(value, date):
                data[bf.html_name] = value.isoformat()
            else:
                data[bf.html_name] = str(value)
    data.update(changes)
    return data


@pytest.fixture
def applicant(client):
    user = make_user("alice")
    client.force_login(user)
    return user


# --- the form ----------------------------------------------------------------


def test_new_form_links_both_draft_templates(client, applicant):
    html = client.get(reverse("proposals:create")).content.decode()
    assert 'href="/proposals/template.docx"' in html
    assert 'href="/proposals/template.pdf"' in html


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"), [("docx", DOCX_TYPE, b"PK"), ("pdf", "application/pdf", b"%PDF")]
)
def test_template_download_is_an_attachment_of_the_right_type(client, applicant, fmt, content_type, magic):
    response = client.get(reverse("proposals:template", args=[fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content[:4].startswith(magic)


def test_template_of_unknown_format_is_404(client, applicant):
    assert client.get("/proposals/template.exe").status_code == 404


def test_incomplete_draft_saves_from_the_form(client, applicant):
    from proposals.forms import ProposalForms

    data = post_data(ProposalForms(), **{"title": "只有名称", "action": "save"})
    response = client.post(reverse("proposals:create"), data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert (proposal.title, proposal.state, proposal.owner) == ("只有名称", "draft", applicant)


def test_an_account_holds_at_most_its_drafts_and_is_told_so_on_the_form(client, applicant, settings):
    from proposals.forms import ProposalForms

    settings.MAX_DRAFTS_PER_ACCOUNT = 2
    make_proposal(owner=applicant)  # drafts
    make_proposal(owner=applicant, state="submitted")  # not a draft: not counted
    data = post_data(ProposalForms(), **{"title": "第二份草稿", "action": "save"})
    assert client.post(reverse("proposals:create"), data).status_code == 302
    data = post_data(ProposalForms(), **{"title": "第三份草稿", "action": "save"})
    response = client.post(reverse("proposals:create"), data)
    assert response.status_code == 200
    assert response.context["forms"].main.non_field_errors() == [
        "每个账号最多同时保存 2 份草稿，请先提交或删除不用的草稿。"
    ]
    assert Proposal.objects.filter(owner=applicant, state="draft").count() == 2


def test_the_form_refuses_a_section_longer_than_3000_characters(client, applicant):
    from proposals.forms import ProposalForms

    data = post_data(ProposalForms(), **{"title": "长", "research_content": "研" * 3001, "action": "save"})
    response = client.post(reverse("proposals:create"), data)
    assert response.status_code == 200
    assert response.context["forms"].main.errors["research_content"] == [
        "确保该变量包含不超过 3000 字符 (目前字符数 3001)。"
    ]
    assert Proposal.objects.count() == 0


def test_form_keeps_typed_data_when_a_date_is_not_a_date(client, applicant):
    from proposals.forms import ProposalForms

    data = post_data(ProposalForms(), **{"title": "我的项目", "start_date": "明年", "action": "save"})
    response = client.post(reverse("proposals:create"), data)
    assert response.status_code == 200
    assert Proposal.objects.count() == 0
    html = response.content.decode()
    assert html.count('value="我的项目"') == 1
    assert html.count('value="明年"') == 1  # what was typed stays in the field
    assert response.context["forms"].main.errors["start_date"] == ["输入一个有效的日期。"]


def test_save_and_submit_with_problems_shows_them_at_their_fields_and_keeps_draft(client, applicant):
    proposal = make_proposal(owner=applicant, data=complete_data(title=None))
    forms = client.get(reverse("proposals:edit", args=[proposal.pk])).context["forms"]
    bad_code = "91110000MA000100X0"
    data = post_data(forms, **{"units-0-credit_code": bad_code, "action": "submit"})
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    # saved, then to the edit page (a GET: a refresh posts nothing) that shows the problems
    edit = f"/proposals/{proposal.pk}/edit/?check=submit#error-summary"
    assert (response.status_code, response["Location"]) == (302, edit)
    proposal.refresh_from_db()
    assert proposal.state == "draft"
    assert proposal.units.get(position=0).credit_code == bad_code
    page = client.get(edit)
    forms = page.context["forms"]
    assert [r.problems for r in forms.main.rows if r.path == "title"] == [["必填项，提交前请填写。"]]
    assert [r.problems for r in forms.units.forms[0].rows if r.path == "units[0].credit_code"] == [
        ["统一社会信用代码校验位不正确（GB 32100），请核对是否输错。"]
    ]
    assert [(e.anchor, e.message) for e in forms.error_summary()] == [
        ("field-title", "必填项，提交前请填写。"),
        ("field-units[0].credit_code", "统一社会信用代码校验位不正确（GB 32100），请核对是否输错。"),
    ]
    html = page.content.decode()
    assert html.count('<a href="#field-title">项目名称：必填项，提交前请填写。</a>') == 1
    assert html.count('id="field-title"') == 1
    assert [str(m) for m in page.context["messages"]] == [
        "草稿已保存，但还不能提交：有 2 处需要修改，已在下方标出。"
    ]


def test_save_and_submit_of_complete_draft_submits(client, applicant, settings):
    settings.SUBMIT_WARNINGS = ""  # no conditions to confirm (tests/proposals/test_submit_warnings.py)
    proposal = make_proposal(owner=applicant)
    forms = client.get(reverse("proposals:edit", args=[proposal.pk])).context["forms"]
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), post_data(forms, action="submit"))
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/")
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


def test_save_and_submit_of_a_draft_failing_a_condition_asks_to_confirm_it(client, applicant):
    """The real check (settings.SUBMIT_WARNINGS): the factory's draft declares no recommendation
    letter."""
    proposal = make_proposal(owner=applicant)
    forms = client.get(reverse("proposals:edit", args=[proposal.pk])).context["forms"]
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), post_data(forms, action="submit"))
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/submit/confirm/")
    page = client.get(response["Location"])
    assert page.context["failures"] == [("recommendation.letter", "推荐函")]
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_edit_form_round_trips_without_changing_the_data(client, applicant):
    from proposals.selectors import proposal_to_data

    proposal = make_proposal(owner=applicant)
    before = proposal_to_data(proposal)
    forms = client.get(reverse("proposals:edit", args=[proposal.pk])).context["forms"]
    client.post(reverse("proposals:edit", args=[proposal.pk]), post_data(forms, action="save"))
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal_to_data(proposal) == before


def test_deleting_a_unit_row_in_the_form_removes_the_unit(client, applicant):
    proposal = make_proposal(owner=applicant)
    forms = client.get(reverse("proposals:edit", args=[proposal.pk])).context["forms"]
    client.post(
        reverse("proposals:edit", args=[proposal.pk]),
        post_data(forms, **{"units-1-DELETE": "on", "action": "save"}),
    )
    assert list(proposal.units.values_list("name", flat=True)) == ["福州大学"]


def test_submit_from_detail_page_lists_problems_with_links_to_fields(client, applicant):
    proposal = make_proposal(owner=applicant, data=complete_data(title=None))
    response = client.post(reverse("proposals:submit", args=[proposal.pk]))
    edit = f"/proposals/{proposal.pk}/edit/?check=submit#error-summary"
    assert (response.status_code, response["Location"]) == (302, edit)
    page = client.get(edit)
    assert [(e.anchor, e.label, e.message) for e in page.context["forms"].error_summary()] == [
        ("field-title", "项目名称", "必填项，提交前请填写。")
    ]
    assert page.content.decode().count('<a href="#field-title">') == 1
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_owner_edit_of_submitted_proposal_redirects_to_detail(client, applicant):
    proposal = make_proposal(owner=applicant, state="submitted")
    response = client.get(reverse("proposals:edit", args=[proposal.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"


def test_owner_reopens_submitted_proposal(client, applicant):
    proposal = make_proposal(owner=applicant, state="submitted")
    response = client.post(reverse("proposals:reopen", args=[proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "draft"


def test_delete_asks_for_confirmation_then_deletes_the_draft(client, applicant):
    proposal = make_proposal(owner=applicant)
    page = client.get(reverse("proposals:delete", args=[proposal.pk]))
    assert (page.status_code, Proposal.objects.count()) == (200, 1)
    response = client.post(reverse("proposals:delete", args=[proposal.pk]))
    assert (response.status_code, response["Location"], Proposal.objects.count()) == (302, "/proposals/", 0)


def test_detail_shows_units_with_country_and_type(client, applicant):
    proposal = make_proposal(owner=applicant)
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "<td>德国</td>" in html
    assert "<td>科研院所</td>" in html


def test_detail_names_countries_in_english_in_english(client, applicant):
    data = complete_data()
    data.units[1].country = "NL"  # a country the catalogue does not name: the table's English name
    data.members[0].nationality = "HK"
    proposal = make_proposal(owner=applicant, data=data)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert (
        "<td>China</td>" in html,
        "<td>Netherlands</td>" in html,
        "<td>Hong Kong, China</td>" in html,
    ) == (
        True,
        True,
        True,
    )
    assert ("中国" in html, "荷兰" in html) == (False, False)


def test_the_form_says_the_length_limit_in_english_in_english(client, applicant):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("proposals:create")).content.decode()
    assert html.count("At most 3000 characters.") == 2
    assert "最多 3000 字" not in html


# --- upload, confirm and correct --------------------------------------------


@pytest.mark.parametrize(("build", "name"), [(build_docx, "草稿.docx"), (build_pdf, "草稿.pdf")])
def test_uploaded_draft_is_prefilled_marked_corrected_and_saved_with_the_file(
    client, applicant, django_capture_on_commit_callbacks, build, name
):
    source = complete_data(reference="SQ2030-UP")
    source.recommender = None
    content = build(source)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:upload"), {"file": upload(name, content)})
    upload_row = DraftUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/uploads/{upload_row.pk}/"

    page = client.get(response["Location"])
    assert page.status_code == 200
    forms = page.context["forms"]
    assert forms.main["title"].value() == "面向碳中和的电解水制氢国际合作研究"
    assert forms.pi["id_number"].value() == source.pi.id_number
    assert forms.units.forms[1]["name"].value() == "Fraunhofer ISE"
    html = page.content.decode()
    assert 'data-testid="found-title">已识别（第 2 页）' in html
    assert 'data-testid="notfound-recommender">未识别，请填写' in html

    data = post_data(forms, **{"title": "改正后的项目名称", "recommender": "科学技术部", "action": "save"})
    response = client.post(page.request["PATH_INFO"], data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert (proposal.title, proposal.recommender, proposal.source) == (
        "改正后的项目名称",
        "科学技术部",
        "upload",
    )
    assert proposal.owner == applicant
    assert proposal.units.count() == 2
    draft = Attachment.objects.get(proposal=proposal)
    assert (draft.kind, draft.original_name, draft.size) == ("draft", name, len(content))
    with draft.file.open("rb") as fh:
        assert fh.read() == content
    upload_row.refresh_from_db()
    assert upload_row.proposal == proposal


def test_confirming_an_upload_past_the_drafts_limit_is_refused_on_the_form(
    client, applicant, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposals:upload"), {"file": upload("d.docx", build_docx(complete_data()))}
        )
    settings.MAX_DRAFTS_PER_ACCOUNT = 1
    make_proposal(owner=applicant)
    forms = client.get(response["Location"]).context["forms"]
    refused = client.post(response["Location"], post_data(forms, action="save"))
    assert refused.status_code == 200
    assert refused.context["forms"].main.non_field_errors() == [
        "每个账号最多同时保存 1 份草稿，请先提交或删除不用的草稿。"
    ]
    assert Proposal.objects.count() == 1


def test_confirming_twice_creates_one_proposal(client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposals:upload"), {"file": upload("d.docx", build_docx(complete_data()))}
        )
    forms = client.get(response["Location"]).context["forms"]
    data = post_data(forms, action="save")
    client.post(response["Location"], data)
    second = client.post(response["Location"], data)
    assert Proposal.objects.count() == 1
    assert second["Location"] == f"/proposals/{Proposal.objects.get().pk}/"


def test_second_confirm_and_submit_of_a_submitted_upload_redirects_to_detail_with_a_message(
    client, applicant, monkeypatch
):
    from proposals import selectors, services

    upload_row = DraftUpload(owner=applicant, state="done", kind="pdf", extracted={})
    upload_row.file.save("x", ContentFile(b"%PDF"), save=False)
    upload_row.save()
    # What the second request read before the first one committed.
    stale = DraftUpload.objects.get(pk=upload_row.pk)
    proposal = services.draft_upload_confirm(upload=upload_row, data=complete_data(), by=applicant)
    services.proposal_submit(proposal=proposal, by=applicant)
    monkeypatch.setattr(selectors, "draft_upload_get_for_user", lambda **kw: stale)
    forms = ProposalForms(initial=complete_data())
    response = client.post(f"/proposals/uploads/{upload_row.pk}/", post_data(forms, action="submit"))
    assert (response.status_code, response["Location"]) == (302, f"/proposals/{proposal.pk}/")
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["这份申报书已经提交，无需重复提交。"]
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


def test_reference_with_line_break_is_refused_by_the_form(client, applicant):
    forms = ProposalForms(initial=complete_data())
    response = client.post(
        reverse("proposals:create"), post_data(forms, reference="R1\r\nX-Injected: 1", action="save")
    )
    assert response.status_code == 200
    assert response.context["forms"].main.errors == {
        "reference": ["编号只能使用半角字母、数字和 - _ . / 这几个符号，最长 64 个字符。"]
    }
    assert Proposal.objects.count() == 0


def test_title_with_control_character_is_refused_by_the_form(client, applicant):
    forms = ProposalForms(initial=complete_data())
    response = client.post(reverse("proposals:create"), post_data(forms, title="abc\x0bdef", action="save"))
    assert response.context["forms"].main.errors == {
        "title": ["含有不允许的控制字符（U+000B，第 4 个字符），请删除后再保存。"]
    }
    assert Proposal.objects.count() == 0


def test_upload_is_stored_under_a_random_private_name(client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("proposals:upload"), {"file": upload("林海峰的草稿.docx", build_docx(complete_data()))}
        )
    stored = DraftUpload.objects.get()
    assert stored.file.name.startswith("private/")
    assert "林海峰" not in stored.file.name
    assert (stored.original_name, stored.kind, stored.state) == ("林海峰的草稿.docx", "docx", "done")
    assert len(stored.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "文件是空的，请重新选择。"),
        ("blank.pdf", b"   \n", "文件是空的，请重新选择。"),
        ("bomb.docx", zip_bomb_docx(), "文件解压后异常巨大，已拒绝。"),
        ("picture.pdf", PNG_BYTES, "仅支持 PDF 或 Word（.docx）文件；文件类型按内容判断，与扩展名无关。"),
        (
            "old.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "仅支持 PDF 或 Word（.docx）文件；文件类型按内容判断，与扩展名无关。",
        ),
    ],
)
def test_bad_upload_is_refused_on_the_page_and_existing_proposals_are_untouched(
    client, applicant, name, content, message
):
    existing = make_proposal(owner=applicant, data=complete_data(title="已有的申报书"))
    response = client.post(reverse("proposals:upload"), {"file": upload(name, content)})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message]
    assert message in response.content.decode()
    assert DraftUpload.objects.count() == 0
    existing.refresh_from_db()
    assert (Proposal.objects.count(), existing.title, existing.units.count()) == (1, "已有的申报书", 2)


def test_too_big_upload_is_refused_before_reading(client, applicant, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    response = client.post(
        reverse("proposals:upload"), {"file": upload("big.pdf", b"%PDF-1.4\n" + b"x" * 2000)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["文件过大（2.0\xa0KB），上限为 1000\xa0字节。"]
    assert DraftUpload.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (make_pdf(["项目名称：测试"], encrypt="secret"), "文档已加密（有密码保护），请去除密码后重新上传。"),
        (
            image_only_pdf(),
            "没有读到文字：这可能是扫描件或纯图片 PDF。请上传由 Word 导出的 PDF 或 .docx 文件。",
        ),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "PDF 文件已损坏或不完整，无法读取。"),
    ],
)
def test_unreadable_pdf_fails_with_a_clear_message_on_the_upload_page(
    client, applicant, django_capture_on_commit_callbacks, content, message
):
    existing = make_proposal(owner=applicant, data=complete_data(title="已有的申报书"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:upload"), {"file": upload("draft.pdf", content)})
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["error"] == message
    assert message in page.content.decode()
    assert DraftUpload.objects.get().state == "failed"
    existing.refresh_from_db()
    assert (Proposal.objects.count(), existing.title) == (1, "已有的申报书")


def test_pending_upload_is_listed_on_my_proposals(client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("proposals:upload"), {"file": upload("d.docx", build_docx(complete_data()))})
    response = client.get(reverse("proposals:list"))
    assert [u.original_name for u in response.context["uploads"]] == ["d.docx"]


# --- attachments -------------------------------------------------------------


def test_attachment_upload_records_hash_size_and_type_by_content(client, applicant):
    import hashlib

    proposal = make_proposal(owner=applicant)
    content = pdf_bytes()
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "recommendation_letter", "file": upload("letter.png", content, "image/png")},
    )
    assert response.status_code == 302
    attachment = proposal.attachments.get()
    assert (attachment.kind, attachment.content_type, attachment.size, attachment.sha256) == (
        "recommendation_letter",
        "application/pdf",
        len(content),
        hashlib.sha256(content).hexdigest(),
    )


def test_attachment_accepts_png_image(client, applicant):
    proposal = make_proposal(owner=applicant)
    client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "employment_proof", "file": upload("proof.png", PNG_BYTES)},
    )
    assert proposal.attachments.get().content_type == "image/png"


def test_attachment_of_unknown_type_is_refused_with_message(client, applicant):
    proposal = make_proposal(owner=applicant)
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "employment_proof", "file": upload("x.pdf", b"MZ\x90\x00 not a document")},
    )
    assert response.status_code == 400
    assert response.context["attachment_form"].errors["file"] == [
        "附件仅支持 PDF、Word（.docx）、PNG 或 JPEG 文件（按内容判断）。"
    ]
    assert proposal.attachments.count() == 0


def test_too_big_attachment_is_refused(client, applicant, settings):
    settings.MAX_UPLOAD_BYTES = 100
    proposal = make_proposal(owner=applicant)
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "employment_proof", "file": upload("proof.png", PNG_BYTES + b"\0" * 200)},
    )
    assert response.status_code == 400
    assert proposal.attachments.count() == 0


def test_attachment_download_is_served_as_attachment(client, applicant):
    from tests.factories.proposals import make_attachment

    proposal = make_proposal(owner=applicant)
    content = pdf_bytes()
    attachment = make_attachment(proposal, content=content)
    response = client.get(reverse("proposals:attachment", args=[proposal.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%8E%A8%E8%8D%90%E5%87%BD.pdf"
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("推荐函.exe", b"MZ\x90\x00" + b"\0" * 60 + b"%PDF-1.7 a program that mentions a PDF header"),
        ("letter.html", b"<html><body><script>alert(1)</script>%PDF-1.4</body></html>"),
        ("letter.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>%PDF-1.4'),
    ],
)
def test_an_attachment_is_its_type_from_byte_0_not_from_a_header_further_on(client, applicant, name, content):
    proposal = make_proposal(owner=applicant)
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "recommendation_letter", "file": upload(name, content, "application/pdf")},
    )
    assert response.status_code == 400
    assert response.context["attachment_form"].errors["file"] == [
        "附件仅支持 PDF、Word（.docx）、PNG 或 JPEG 文件（按内容判断）。"
    ]
    assert proposal.attachments.count() == 0


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n" + b"not a document at all" * 20, "PDF"),
        (PNG_BYTES[:20], "PNG"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 40, "JPEG"),
    ],
)
def test_an_attachment_its_types_parser_cannot_open_is_refused(client, applicant, content, kind):
    proposal = make_proposal(owner=applicant)
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "employment_proof", "file": upload("proof", content)},
    )
    assert response.status_code == 400
    assert response.context["attachment_form"].errors["file"] == [
        f"附件的内容无法按其类型（{kind}）打开，请重新导出后上传。"
    ]
    assert proposal.attachments.count() == 0


def test_a_real_pdf_named_exe_is_kept_and_served_under_a_pdf_name_never_sniffed(client, applicant):
    proposal = make_proposal(owner=applicant)
    content = pdf_bytes()
    client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "recommendation_letter", "file": upload("推荐函.exe", content, "application/x-msdownload")},
    )
    attachment = proposal.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("推荐函.exe", "application/pdf")
    response = client.get(reverse("proposals:attachment", args=[proposal.pk, attachment.pk]))
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%8E%A8%E8%8D%90%E5%87%BD.pdf"


# --- lists -------------------------------------------------------------------


def test_applicant_list_shows_only_own_proposals(client, applicant):
    mine = make_proposal(owner=applicant)
    make_proposal(owner=make_user())
    response = client.get(reverse("proposals:list"))
    assert [p.pk for p in response.context["page"]] == [mine.pk]


@pytest.fixture
def officer(client):
    user = make_user("olga", role="officer")
    client.force_login(user)
    return user


def test_officer_list_filters_by_state_year_direction_and_keyword(client, officer):
    make_proposal(data=complete_data(reference="SQ-A", direction="1.1"), state="submitted")
    make_proposal(data=complete_data(reference="SQ-B", direction="1.2"), state="submitted")
    make_proposal(data=complete_data(reference="SQ-C", direction="1.1"), state="draft")
    make_proposal(data=complete_data(reference="SQ-D", direction="1.1", guide_year=2031), state="submitted")
    response = client.get(
        reverse("proposals:list"), {"state": "submitted", "guide_year": "2030", "direction": "1.1"}
    )
    assert [p.reference for p in response.context["page"]] == ["SQ-A"]
    response = client.get(reverse("proposals:list"), {"q": "sq-b"})
    assert [p.reference for p in response.context["page"]] == ["SQ-B"]
    response = client.get(reverse("proposals:list"), {"q": "Fraunhofer", "state": "draft"})
    assert [p.reference for p in response.context["page"]] == ["SQ-C"]


def test_officer_list_paginates_by_twenty(client, officer):
    owner = make_user()
    for i in range(21):
        make_proposal(owner=owner, data=complete_data(reference=f"SQ-{i:02d}"))
    first = client.get(reverse("proposals:list"))
    second = client.get(reverse("proposals:list"), {"page": 2})
    assert (len(first.context["page"]), len(second.context["page"])) == (20, 1)


def _list_queries(client, n: int) -> int:
    owner = make_user()
    for i in range(n):
        make_proposal(owner=owner, data=complete_data(reference=f"SQ-{n}-{i:02d}"))
    client.get(reverse("proposals:list"))  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("proposals:list"), {"state": "draft"})
    assert response.status_code == 200
    assert len(response.context["page"]) == Proposal.objects.count()
    return len(ctx.captured_queries)


def test_officer_list_query_count_does_not_grow_with_proposals(client, officer):
    small = _list_queries(client, 3)
    Proposal.objects.all().delete()
    large = _list_queries(client, 15)
    assert small == large


# --- import page -------------------------------------------------------------


def test_officer_import_page_imports_file_for_named_owner(client, officer):
    import json

    from proposals.interchange import proposal_to_dict

    owner = make_user("bob")
    content = json.dumps({"proposals": [proposal_to_dict(complete_data(reference="SQ-I"))]}).encode()
    response = client.post(
        reverse("proposals:import"), {"file": upload("batch.json", content), "owner": "bob"}
    )
    assert response.status_code == 200
    assert (response.context["report"].created, Proposal.objects.get().owner) == (["SQ-I"], owner)


def test_officer_import_page_lists_errors_with_paths_and_imports_nothing(client, officer):
    make_user("bob")
    content = b'{"proposals": [{"reference": "SQ-I", "start_date": "soon"}]}'
    response = client.post(
        reverse("proposals:import"), {"file": upload("batch.json", content), "owner": "bob"}
    )
    assert response.status_code == 400
    assert [e.path for e in response.context["report"].errors] == ["proposals[0].start_date"]
    assert "proposals[0].start_date" in response.content.decode()
    assert Proposal.objects.count() == 0


def _batch_file(*proposals, **extra):
    import json

    from proposals.interchange import proposal_to_dict

    content = json.dumps({"proposals": [proposal_to_dict(p) for p in proposals], **extra}).encode()
    return upload("batch.json", content)


def test_officer_import_never_overwrites_an_applicants_proposal(client, officer):
    own = make_proposal(data=complete_data(reference="SQ-A"), state="screened")
    response = client.post(
        reverse("proposals:import"),
        {"file": _batch_file(complete_data(reference="SQ-A", title="覆盖", units=[]))},
    )
    assert response.status_code == 400
    assert [(e.path, e.code) for e in response.context["report"].errors] == [
        ("proposals[0].reference", "reference_taken")
    ]
    own.refresh_from_db()
    assert (own.title, own.state, own.units.count(), own.people.count()) == (
        "面向碳中和的电解水制氢国际合作研究",
        "screened",
        2,
        2,
    )


@pytest.fixture
def registries_calls(monkeypatch):
    from proposals.services import imports

    calls = []

    def fake_import(*, data, source, by):
        calls.append(data)
        return {"misconduct": 0}

    monkeypatch.setattr(imports, "_registries_importer", lambda: fake_import)
    return calls


def test_officer_import_with_registries_is_refused_and_writes_nothing(client, officer, registries_calls):
    make_user("bob")
    response = client.post(
        reverse("proposals:import"),
        {
            "file": _batch_file(complete_data(reference="SQ-I"), registries={"misconduct": []}),
            "owner": "bob",
        },
    )
    assert response.status_code == 400
    assert [(e.path, e.code) for e in response.context["report"].errors] == [("registries", "not_allowed")]
    assert "只有管理员可以导入名录" in response.content.decode()
    assert (registries_calls, Proposal.objects.count()) == ([], 0)


def test_admin_import_loads_registries(client, registries_calls):
    client.force_login(make_user("root", role="admin"))
    make_user("bob")
    response = client.post(
        reverse("proposals:import"),
        {
            "file": _batch_file(complete_data(reference="SQ-I"), registries={"misconduct": []}),
            "owner": "bob",
        },
    )
    assert response.status_code == 200
    assert (registries_calls, response.context["report"].registries) == (
        [{"misconduct": []}],
        {"misconduct": 0},
    )


def test_import_names_the_registries_it_loaded_not_their_keys(client, registries_calls):
    client.force_login(make_user("root", role="admin"))
    make_user("bob")
    file = _batch_file(complete_data(reference="SQ-I"), registries={"misconduct": []})
    html = client.post(reverse("proposals:import"), {"file": file, "owner": "bob"}).content.decode()
    assert "<p>名录：失信记录 0</p>" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    file = _batch_file(complete_data(reference="SQ-J"), registries={"misconduct": []})
    html = client.post(reverse("proposals:import"), {"file": file, "owner": "bob"}).content.decode()
    assert "<p>Registries: Misconduct records 0</p>" in html


def test_import_of_deeply_nested_json_is_an_error_not_a_crash(client, officer):
    response = client.post(
        reverse("proposals:import"), {"file": upload("deep.json", b"[" * 5000 + b"]" * 5000)}
    )
    assert response.status_code == 400
    assert [e.code for e in response.context["report"].errors] == ["too_deep"]


# --- sign-up and nav ---------------------------------------------------------


def test_nav_links_follow_the_role(client):
    client.force_login(make_user(role="applicant"))
    html = client.get(reverse("proposals:list")).content.decode()
    assert ("我的申报书" in html, "管理后台" in html, 'href="/proposals/import/"' in html) == (
        True,
        False,
        False,
    )
    client.force_login(make_user(role="officer"))
    html = client.get(reverse("proposals:list")).content.decode()
    assert ("全部申报书" in html, "管理后台" in html, 'href="/proposals/import/"' in html) == (
        True,
        False,
        True,
    )
    client.force_login(make_user(role="admin"))
    html = client.get(reverse("proposals:list")).content.decode()
    assert ("全部申报书" in html, 'href="/admin/"' in html) == (True, True)


# --- genders and subtasks (课题) -------------------------------------------------


def test_detail_shows_genders_stated_or_read_from_the_id_number_and_the_subtasks(client, applicant):
    from tests.factories.proposals import with_genders_and_subtasks

    data = with_genders_and_subtasks(complete_data())
    data.pi.gender = None  # PI_ID's 17th digit says male
    data.members[0].gender = "male"  # a passport: only what is stated
    proposal = make_proposal(owner=applicant, data=data)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    html = response.content.decode()
    assert '<td data-testid="pi-gender">男 <span class="muted small">（据证件号码）</span>' in html
    assert "<td>Hans Müller</td><td>男</td>" in html
    assert [t.name for t in response.context["subtasks"]] == [
        "高活性非贵金属催化剂的设计与制备",
        "Membrane electrode testing",
    ]
    assert (
        "<td>1</td><td>高活性非贵金属催化剂的设计与制备</td><td>福州大学</td><td>陈静</td>"
        "<td>350103198207190464</td>\n      <td>1982-07-19</td><td>研究员</td><td>博士</td><td>200.00</td>"
    ) in html


def test_detail_without_subtasks_says_so(client, applicant):
    proposal = make_proposal(owner=applicant)
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert '<td colspan="9" class="muted">未设课题。</td>' in html


def _detail_queries(client, proposal) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_query_count_does_not_grow_with_the_subtasks(client, applicant):
    from proposals.interchange import SubtaskData

    one = make_proposal(owner=applicant, data=complete_data(subtasks=[SubtaskData(name="课题")]))
    many = make_proposal(
        owner=applicant, data=complete_data(subtasks=[SubtaskData(name=f"课题{n}") for n in range(12)])
    )
    client.get(reverse("proposals:detail", args=[one.pk]))  # warm the session
    assert _detail_queries(client, one) == _detail_queries(client, many)


@pytest.mark.parametrize(("build", "name"), [(build_docx, "草稿.docx"), (build_pdf, "草稿.pdf")])
def test_uploaded_draft_with_genders_and_subtasks_is_prefilled_and_saved(
    client, applicant, django_capture_on_commit_callbacks, build, name
):
    from proposals import selectors
    from tests.factories.proposals import with_genders_and_subtasks

    source = with_genders_and_subtasks(complete_data(reference="SQ2030-UPS"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:upload"), {"file": upload(name, build(source))})
    page = client.get(response["Location"])
    forms = page.context["forms"]
    assert forms.pi["gender"].value() == "male"
    assert [f["name"].value() for f in forms.subtasks.forms] == [
        "高活性非贵金属催化剂的设计与制备",
        "Membrane electrode testing",
        None,
        None,
    ]
    html = page.content.decode()
    assert 'data-testid="found-subtasks">已识别（第 ' in html
    assert 'data-testid="found-pi.gender">已识别（第 2 页）' in html
    response = client.post(page.request["PATH_INFO"], post_data(forms, action="save"))
    assert response.status_code == 302
    stored = selectors.proposal_to_data(Proposal.objects.get())
    assert (stored.pi.gender, stored.subtasks) == ("male", source.subtasks)


def test_uploaded_draft_whose_gender_contradicts_the_id_number_asks_before_saving(
    client, applicant, django_capture_on_commit_callbacks
):
    from tests.factories.proposals import PI_ID

    source = complete_data()
    source.pi.gender = "female"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:upload"), {"file": upload("d.docx", build_docx(source))})
    page = client.get(response["Location"])
    response = client.post(page.request["PATH_INFO"], post_data(page.context["forms"], action="save"))
    assert response.status_code == 200
    assert response.context["forms"].pi.errors == {
        "gender": [
            f"性别填写为“女”，但证件号码 {PI_ID} 的第 17 位（1）表示男（奇数为男，偶数为女），请核对性别或证件号码。"
        ]
    }
    assert Proposal.objects.count() == 0


def test_officer_import_page_imports_genders_and_subtasks(client, officer):
    from proposals import selectors
    from tests.factories.proposals import with_genders_and_subtasks

    make_user("bob")
    source = with_genders_and_subtasks(complete_data(reference="SQ-IS"))
    response = client.post(reverse("proposals:import"), {"file": _batch_file(source), "owner": "bob"})
    assert (response.status_code, response.context["report"].created) == (200, ["SQ-IS"])
    stored = selectors.proposal_to_data(Proposal.objects.get())
    assert (stored.pi.gender, stored.members[0].gender, stored.subtasks) == ("male", "male", source.subtasks)


@pytest.mark.parametrize(
    ("subtasks", "errors"),
    [
        ([None], [("proposals[0].subtasks[0]", "subtasks[0]: expected an object, got null")]),
        ("课题一", [("proposals[0].subtasks", "subtasks: expected a list, got a string")]),
        (
            [{"name": "课" * 201}],
            [("proposals[0].subtasks[0].name", "subtasks[0].name: 201 characters, at most 200 are allowed")],
        ),
        (
            [{"national_funding": "很多"}],
            [
                (
                    "proposals[0].subtasks[0].national_funding",
                    "subtasks[0].national_funding: '很多' is not an amount of money",
                )
            ],
        ),
        (
            [{"name": str(n)} for n in range(21)],
            [("proposals[0].subtasks", "subtasks: 21 items, at most 20 are allowed")],
        ),
    ],
)
def test_officer_import_of_bad_subtasks_lists_them_with_paths_and_imports_nothing(
    client, officer, subtasks, errors
):
    import json

    make_user("bob")
    content = json.dumps({"proposals": [{"reference": "SQ-BAD", "subtasks": subtasks}]}).encode()
    response = client.post(reverse("proposals:import"), {"file": upload("b.json", content), "owner": "bob"})
    assert response.status_code == 400
    assert [
        (e.path, e.message.removeprefix("proposals[0].")) for e in response.context["report"].errors
    ] == errors
    assert Proposal.objects.count() == 0


def test_form_and_detail_pages_name_genders_and_subtasks_in_english(client, applicant):
    from tests.factories.proposals import with_genders_and_subtasks

    proposal = make_proposal(owner=applicant, data=with_genders_and_subtasks(complete_data()))
    client.cookies["django_language"] = "en"
    form = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    assert '<h2 id="field-subtasks">Subtasks \n</h2>' in form
    assert "Leave empty when there are no subtasks; one subtask a row, at most 20." in form
    assert '<option value="male" selected>Male</option>' in form
    assert "May be left blank for a resident ID card holder: its 17th digit tells" in form
    detail = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "<h2>Subtasks</h2>" in detail
    assert "<th>Subtask title</th><th>Lead unit</th><th>Subtask lead</th>" in detail
    assert '<tr><th>Gender</th><td data-testid="pi-gender">Male</td></tr>' in detail
