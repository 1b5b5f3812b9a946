"""The proposal form and the draft template agree (issue "Defects found by using the
app", item 7): the same fields, format hints, declared attachments, and rows that
can be added and removed."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from proposals import selectors
from proposals.docgen import MEMBER_HEADERS, SUBTASK_HEADERS, UNIT_HEADERS, build_docx
from proposals.forms import MemberForm, ProposalForms, SubtaskForm, UnitForm
from proposals.interchange import PersonData, SubtaskData
from proposals.models import Proposal
from tests.factories.proposals import complete_data, make_proposal, make_user, upload
from tests.proposals.test_views import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    user = make_user("alice")
    client.force_login(user)
    return user


def browser_data(forms, **changes) -> dict:
    """post_data plus the declared-attachment check boxes, as a browser sends them."""
    data = post_data(forms)
    for bf in forms.attachments:
        if bf.value():
            data[bf.html_name] = "on"
    data.update(changes)
    return data


def base_label(header: str) -> str:
    return header.split("（")[0]


def test_member_table_of_the_template_has_the_form_fields_in_the_form_order():
    assert [base_label(h) for h in MEMBER_HEADERS] == [str(f.label) for f in MemberForm.base_fields.values()]
    assert [base_label(h) for h in MEMBER_HEADERS] == [
        "姓名",
        "性别",
        "证件号码",
        "出生日期",
        "国籍/地区",
        "工作单位",
        "分工",
    ]


def test_unit_table_of_the_template_has_the_form_fields_in_the_form_order():
    # the two qualifications share the template's 资质/备注 column
    labels = [str(f.label) for f in UnitForm.base_fields.values()]
    assert [base_label(h) for h in UNIT_HEADERS] == [*labels[:6], "资质/备注"]


def test_subtask_table_of_the_template_has_the_form_fields_in_the_form_order():
    labels = [base_label(str(f.label)) for f in SubtaskForm.base_fields.values()]
    assert [base_label(h) for h in SUBTASK_HEADERS] == labels
    assert labels == [
        "课题名称",
        "承担单位",
        "课题负责人",
        "证件号码",
        "出生日期",
        "职称",
        "学位",
        "国拨经费",
    ]
    assert SUBTASK_HEADERS[-1] == "国拨经费（万元）" == str(SubtaskForm.base_fields["national_funding"].label)


def test_template_and_form_give_the_same_format_hints():
    assert MEMBER_HEADERS[2:5] == (
        "证件号码（居民身份证 18 位；外籍填护照号）",
        "出生日期（YYYY-MM-DD）",
        "国籍/地区（ISO 两位代码或中文国名）",
    )
    assert UNIT_HEADERS[1] == "统一社会信用代码（18 位）"
    member = MemberForm()
    assert [str(member[n].help_text) for n in ("id_number", "birth_date", "nationality")] == [
        "居民身份证 18 位；外籍填护照号",
        "YYYY-MM-DD",
        "ISO 两位代码或中文国名，如：CN、德国、香港",
    ]
    assert str(UnitForm()["credit_code"].help_text) == "18 位"


def test_form_page_loads_the_formset_script_and_has_a_template_row_per_table(client, applicant):
    html = client.get(reverse("proposals:create")).content.decode()
    assert html.count('<script src="/static/js/formset.js" defer></script>') == 1
    assert html.count("<template data-formset-template>") == 3
    assert 'name="members-__prefix__-nationality"' in html
    assert 'name="members-__prefix__-gender"' in html
    assert 'name="units-__prefix__-credit_code"' in html
    assert 'name="subtasks-__prefix__-lead_id_number"' in html
    assert html.count("data-formset-add hidden") == 3
    assert '<input type="hidden" name="subtasks-MAX_NUM_FORMS" value="20"' in html
    assert "<script>" not in html  # nothing inline: the Content-Security-Policy allows 'self' only


def test_form_saves_a_fourth_member_added_in_the_browser(client, applicant):
    proposal = make_proposal(
        owner=applicant,
        data=complete_data(
            members=[PersonData(name=n, role="测试") for n in ("张一", "张二", "张三")],
        ),
    )
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    assert forms.members.total_form_count() == 5  # three saved rows, two blank ones
    data = browser_data(forms)
    for key in [k for k in data if k.startswith(("members-3-", "members-4-"))]:
        del data[key]
    # what formset.js leaves behind after "添加一行" once and removing the blank rows
    data.update(
        {
            "members-TOTAL_FORMS": "4",
            "members-3-name": "李四",
            "members-3-birth_date": "1980-01-01",
            "members-3-nationality": "德国",
            "members-3-task": "测试",
            "action": "save",
        }
    )
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    assert response.status_code == 302
    members = selectors.proposal_to_data(Proposal.objects.get(pk=proposal.pk)).members
    assert [(m.name, m.birth_date, m.nationality) for m in members] == [
        ("张一", None, None),
        ("张二", None, None),
        ("张三", None, None),
        ("李四", date(1980, 1, 1), "DE"),
    ]


def test_form_drops_a_saved_row_marked_deleted(client, applicant):
    proposal = make_proposal(
        owner=applicant, data=complete_data(members=[PersonData(name=n) for n in ("张一", "张二")])
    )
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    data = browser_data(forms, **{"members-0-DELETE": "on", "action": "save"})
    client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    members = selectors.proposal_to_data(Proposal.objects.get(pk=proposal.pk)).members
    assert [m.name for m in members] == ["张二"]


def test_declared_recommendation_letter_of_an_uploaded_draft_is_kept_when_confirmed(
    client, applicant, django_capture_on_commit_callbacks
):
    draft = build_docx(complete_data(attachments=["recommendation_letter"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:upload"), {"file": upload("d.docx", draft)})
    page = client.get(response["Location"])
    forms = page.context["forms"]
    assert [bf.value() for bf in forms.attachments] == [True, False, False]
    assert 'data-testid="found-attachments"' in page.content.decode()
    client.post(response["Location"], browser_data(forms, action="save"))
    proposal = Proposal.objects.get()
    assert selectors.proposal_to_data(proposal).attachments == ["recommendation_letter"]
    assert list(proposal.attachments.exclude(kind="draft").values_list("kind", "file")) == [
        ("recommendation_letter", "")
    ]


def test_ticking_an_attachment_that_has_an_uploaded_file_adds_no_second_row(client, applicant):
    from tests.factories.proposals import make_attachment

    proposal = make_proposal(owner=applicant)
    make_attachment(proposal, kind="recommendation_letter")
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    assert forms.attachments["recommendation_letter"].value() is True
    client.post(reverse("proposals:edit", args=[proposal.pk]), browser_data(forms, action="save"))
    assert proposal.attachments.filter(kind="recommendation_letter").count() == 1


def subtask(name: str, lead: str = "陈静", funding: str = "100") -> SubtaskData:
    return SubtaskData(name=name, lead_unit="福州大学", lead_name=lead, national_funding=Decimal(funding))


def test_form_saves_a_third_subtask_added_in_the_browser(client, applicant):
    proposal = make_proposal(
        owner=applicant, data=complete_data(subtasks=[subtask("课题一"), subtask("课题二", "王立新", "80.5")])
    )
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    assert forms.subtasks.total_form_count() == 4  # two saved rows, two blank ones
    data = browser_data(forms)
    for key in [k for k in data if k.startswith(("subtasks-2-", "subtasks-3-"))]:
        del data[key]
    data.update(
        {
            "subtasks-TOTAL_FORMS": "3",
            "subtasks-2-name": "课题三",
            "subtasks-2-lead_name": "张敏",
            "subtasks-2-lead_birth_date": "1990-02-14",
            "subtasks-2-national_funding": "20.25",
            "action": "save",
        }
    )
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    assert response.status_code == 302
    subtasks = selectors.proposal_to_data(Proposal.objects.get(pk=proposal.pk)).subtasks
    assert [(t.name, t.lead_name, t.lead_birth_date, t.national_funding) for t in subtasks] == [
        ("课题一", "陈静", None, Decimal("100")),
        ("课题二", "王立新", None, Decimal("80.5")),
        ("课题三", "张敏", date(1990, 2, 14), Decimal("20.25")),
    ]


def test_without_script_a_saved_form_offers_two_blank_subtask_rows(client, applicant):
    proposal = make_proposal(owner=applicant, data=complete_data(subtasks=[subtask("课题一")]))
    html = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    assert '<input type="hidden" name="subtasks-TOTAL_FORMS" value="3"' in html
    assert 'name="subtasks-0-name" value="课题一"' in html
    assert 'name="subtasks-2-name"' in html
    assert 'name="subtasks-3-name"' not in html


def test_form_drops_a_saved_subtask_marked_deleted(client, applicant):
    proposal = make_proposal(
        owner=applicant, data=complete_data(subtasks=[subtask("课题一"), subtask("课题二")])
    )
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    data = browser_data(forms, **{"subtasks-0-DELETE": "on", "action": "save"})
    client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    subtasks = selectors.proposal_to_data(Proposal.objects.get(pk=proposal.pk)).subtasks
    assert [t.name for t in subtasks] == ["课题二"]


def test_twenty_subtasks_save_and_a_twenty_first_row_is_refused(client, applicant):
    proposal = make_proposal(owner=applicant, data=complete_data(subtasks=[]))
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    data = browser_data(forms, action="save")
    for i in range(21):
        data[f"subtasks-{i}-name"] = f"课题{i + 1}"
    data["subtasks-TOTAL_FORMS"] = "21"
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    assert response.status_code == 200
    assert [str(e) for e in response.context["forms"].subtasks.non_form_errors()] == [
        "课题最多 20 个，请删去多余的行。"
    ]
    assert Proposal.objects.get(pk=proposal.pk).subtasks.count() == 0
    del data["subtasks-20-name"]
    data["subtasks-TOTAL_FORMS"] = "20"
    assert client.post(reverse("proposals:edit", args=[proposal.pk]), data).status_code == 302
    assert list(Proposal.objects.get(pk=proposal.pk).subtasks.values_list("name", flat=True)) == [
        f"课题{i + 1}" for i in range(20)
    ]


def test_a_form_posted_without_the_subtask_block_saves_no_subtasks(client, applicant):
    # a page rendered before the 课题 block existed (or a script posting the older form)
    proposal = make_proposal(owner=applicant, data=complete_data(subtasks=[subtask("课题一")]))
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    data = {k: v for k, v in browser_data(forms, action="save").items() if not k.startswith("subtasks-")}
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).subtasks.count() == 0


def test_genders_of_the_pi_and_a_member_are_saved(client, applicant):
    proposal = make_proposal(owner=applicant)
    forms = ProposalForms(initial=selectors.proposal_to_data(proposal))
    data = browser_data(forms, **{"pi-gender": "male", "members-0-gender": "female", "action": "save"})
    assert client.post(reverse("proposals:edit", args=[proposal.pk]), data).status_code == 302
    stored = selectors.proposal_to_data(Proposal.objects.get(pk=proposal.pk))
    assert (stored.pi.gender, stored.members[0].gender) == ("male", "female")
