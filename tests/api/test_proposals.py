"""Proposals through the API: the body goes through the pages' form, so the API stores
what the form stores and refuses what it refuses, with its messages; writes go through
the services; the pages' state rules answer 409 here."""

import pytest
from django.urls import reverse

from common.models import AuditEntry
from proposals import selectors
from proposals.forms import ProposalForms
from proposals.interchange import proposal_to_dict
from proposals.models import Proposal
from tests.api.conftest import token_client
from tests.factories.proposals import (
    PI_ID,
    SUBTASK_LEAD_ID,
    complete_data,
    make_proposal,
    make_user,
    with_genders_and_subtasks,
)
from tests.proposals.test_views import post_data

pytestmark = pytest.mark.django_db


def body(**overrides) -> dict:
    """complete_data() in the API's (the interchange) shape."""
    result = proposal_to_dict(complete_data())
    result["pi"].pop("region")
    result.update(overrides)
    return result


def stored(proposal_id: int):
    data = selectors.proposal_to_data(Proposal.objects.get(pk=proposal_id))
    data.reference = None
    return data


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def api(alice):
    return token_client(alice)


def test_the_api_stores_exactly_what_the_form_stores(client, api, alice):
    client.force_login(alice)
    page = client.post(
        reverse("proposals:create"), post_data(ProposalForms(initial=complete_data()), action="save")
    )
    assert page.status_code == 302
    response = api.post("/api/v1/proposals/", body(), format="json")
    assert response.status_code == 201
    from_page = Proposal.objects.exclude(pk=response.json()["id"]).get()
    assert stored(response.json()["id"]) == stored(from_page.pk)
    assert response["Location"] == f"/api/v1/proposals/{response.json()['id']}/"


def test_identifiers_and_countries_are_normalised_as_by_the_form(api):
    pi = {**body()["pi"], "id_number": " " + PI_ID.lower()[:-1] + PI_ID[-1].lower(), "nationality": "中国"}
    units = [{"name": "Fraunhofer", "country": "Germany", "credit_code": None}]
    response = api.post("/api/v1/proposals/", body(pi=pi, units=units, direction="１．１"), format="json")
    assert response.status_code == 201
    created = response.json()
    assert (created["pi"]["id_number"], created["pi"]["nationality"]) == (PI_ID, "CN")
    assert (created["units"][0]["country"], created["direction"]) == ("DE", "1.1")


def test_the_forms_errors_come_back_at_their_interchange_paths_all_at_once(api):
    response = api.post(
        "/api/v1/proposals/",
        {
            "title": "题" * 301,
            "start_date": "明年",
            "budget": {"national": "-1"},
            "pi": {"nationality": "Narnia"},
            "units": [{"name": "ok"}, {"name": "a\x01b", "role": "boss"}],
            "members": [{"name": "x" * 101}],
            "reference": "A B",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "reference": ["编号只能使用半角字母、数字和 - _ . / 这几个符号，最长 64 个字符。"],
        "title": ["确保该变量包含不超过 300 字符 (目前字符数 301)。"],
        "start_date": ["输入一个有效的日期。"],
        "budget.national": ["确保该值大于或等于0。"],
        "pi.nationality": ["无法识别的国家或地区：Narnia"],
        "units[1].name": ["含有不允许的控制字符（U+0001，第 2 个字符），请删除后再保存。"],
        "units[1].role": ["选择一个有效的选项。 boss 不在可用的选项中。"],
        "members[0].name": ["确保该变量包含不超过 100 字符 (目前字符数 101)。"],
    }
    assert Proposal.objects.count() == 0


def test_json_types_and_unknown_keys_are_refused_before_the_form(api):
    response = api.post(
        "/api/v1/proposals/", {"titel": "typo", "title": ["a list"], "pi": "someone"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "titel": ["没有这个字段。"],
        "title": ["不是有效的字符串。"],
        "pi": ["无效数据。期待为字典类型，得到的是 str 。"],
    }


def test_what_the_api_answers_may_be_sent_back_unchanged(api):
    created = api.post("/api/v1/proposals/", body(), format="json").json()
    response = api.put(f"/api/v1/proposals/{created['id']}/", created, format="json")
    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
        k: v for k, v in created.items() if k != "updated_at"
    }


def test_put_replaces_everything_and_patch_only_the_keys_given(api):
    pk = api.post("/api/v1/proposals/", body(), format="json").json()["id"]
    patched = api.patch(f"/api/v1/proposals/{pk}/", {"title": "新名称", "members": []}, format="json").json()
    assert (patched["title"], patched["members"], patched["pi"]["name"]) == ("新名称", [], "林海峰")
    put = api.put(f"/api/v1/proposals/{pk}/", {"title": "只剩名称"}, format="json").json()
    assert (put["title"], put["pi"], put["units"], put["budget"]) == ("只剩名称", None, [], None)
    audit = AuditEntry.objects.filter(target_type="proposals.proposal", target_id=str(pk)).order_by("id")
    assert list(audit.values_list("action", flat=True)) == [
        "proposal.created",
        "proposal.updated",
        "proposal.updated",
    ]


def test_a_reference_used_by_another_proposal_is_a_field_error(api):
    make_proposal(data=complete_data(reference="TAKEN-1"))
    response = api.post("/api/v1/proposals/", body(reference="TAKEN-1"), format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"reference": ["这个编号已被另一份申报书使用。"]},
    )


def test_only_drafts_change_and_a_submitted_one_answers_409(api, alice):
    submitted = make_proposal(owner=alice, state="submitted")
    for method in ("put", "patch", "delete"):
        response = getattr(api, method)(f"/api/v1/proposals/{submitted.pk}/", {"title": "x"}, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (409, "not_editable")
    assert Proposal.objects.get(pk=submitted.pk).title == "面向碳中和的电解水制氢国际合作研究"


def test_deleting_a_draft_removes_it(api, alice):
    draft = make_proposal(owner=alice)
    response = api.delete(f"/api/v1/proposals/{draft.pk}/")
    assert (response.status_code, response.content) == (204, b"")
    assert Proposal.objects.filter(pk=draft.pk).exists() is False


def test_the_list_shows_no_id_numbers_and_the_detail_shows_them_as_the_pages_do(alice):
    proposal = make_proposal(owner=alice)
    officer = token_client(make_user("olga", role="officer"))
    row = officer.get("/api/v1/proposals/").json()["results"][0]
    assert PI_ID not in str(row)
    assert (row["pi_name"], row["owner"], row["screened_overall"]) == ("林海峰", "alice", "")
    assert officer.get(f"/api/v1/proposals/{proposal.pk}/").json()["pi"]["id_number"] == PI_ID


def test_the_list_takes_the_list_pages_filters(api, alice):
    make_proposal(owner=alice, data=complete_data(reference="D-1"))
    make_proposal(owner=alice, data=complete_data(reference="S-1"), state="submitted")
    references = [p["reference"] for p in api.get("/api/v1/proposals/?state=submitted").json()["results"]]
    assert references == ["S-1"]
    assert [p["reference"] for p in api.get("/api/v1/proposals/?q=D-1").json()["results"]] == ["D-1"]
    invalid = api.get("/api/v1/proposals/?state=lost")
    assert (invalid.status_code, list(invalid.json()["error"]["fields"])) == (400, ["state"])


def test_reopen_takes_a_submitted_proposal_back_to_draft(api, alice):
    submitted = make_proposal(owner=alice, state="submitted")
    response = api.post(f"/api/v1/proposals/{submitted.pk}/reopen/")
    assert (response.status_code, response.json()["state"], response.json()["can_edit"]) == (
        200,
        "draft",
        True,
    )
    again = api.post(f"/api/v1/proposals/{submitted.pk}/reopen/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_reopenable")


def test_reopen_while_screening_is_409(api, alice):
    running = make_proposal(owner=alice, state="screening")
    response = api.post(f"/api/v1/proposals/{running.pk}/reopen/")
    assert response.json()["error"] == {
        "code": "not_reopenable",
        "message": "预审进行中的申报书不能撤回，请稍后再试。",
        "fields": {},
    }


# --- genders and subtasks (课题) -------------------------------------------------


def subtasks_body() -> list[dict]:
    return proposal_to_dict(with_genders_and_subtasks(complete_data()))["subtasks"]


def test_create_with_genders_and_subtasks_stores_them_and_answers_them(api):
    pi = {**body()["pi"], "gender": "male"}
    members = [{**body()["members"][0], "gender": "male"}]
    response = api.post(
        "/api/v1/proposals/", body(pi=pi, members=members, subtasks=subtasks_body()), format="json"
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["pi"]["gender"], created["members"][0]["gender"]) == ("male", "male")
    assert created["subtasks"] == [
        {
            "name": "高活性非贵金属催化剂的设计与制备",
            "lead_unit": "福州大学",
            "lead_name": "陈静",
            "lead_id_number": SUBTASK_LEAD_ID,
            "lead_birth_date": "1982-07-19",
            "lead_title": "研究员",
            "lead_degree": "博士",
            "national_funding": 200,
        },
        {
            "name": "Membrane electrode testing",
            "lead_unit": "Fraunhofer ISE",
            "lead_name": "Hans Müller",
            "lead_id_number": "C4X7K2M19",
            "lead_birth_date": "1970-01-25",
            "lead_title": "Senior Scientist",
            "lead_degree": "PhD",
            "national_funding": 150.75,
        },
    ]
    assert stored(created["id"]) == stored_expected(with_genders_and_subtasks(complete_data()))


def stored_expected(data):
    data.reference = None
    data.attachments = []
    return data


def test_a_proposal_without_subtasks_answers_an_empty_list(api):
    created = api.post("/api/v1/proposals/", body(), format="json").json()
    assert (created["subtasks"], created["pi"]["gender"], created["members"][0]["gender"]) == ([], None, None)


def test_patch_replaces_the_subtasks_as_a_whole_and_keeps_the_rest(api):
    pk = api.post("/api/v1/proposals/", body(subtasks=subtasks_body()), format="json").json()["id"]
    patched = api.patch(
        f"/api/v1/proposals/{pk}/",
        {"subtasks": [{"name": "唯一课题", "national_funding": "12.5"}]},
        format="json",
    ).json()
    assert [(t["name"], t["national_funding"]) for t in patched["subtasks"]] == [("唯一课题", 12.5)]
    assert patched["units"] == body()["units"]
    patched = api.patch(f"/api/v1/proposals/{pk}/", {"pi": {**body()["pi"], "gender": "male"}}, format="json")
    assert (patched.json()["pi"]["gender"], len(patched.json()["subtasks"])) == ("male", 1)
    cleared = api.patch(f"/api/v1/proposals/{pk}/", {"subtasks": None}, format="json").json()
    assert cleared["subtasks"] == []


def test_put_without_subtasks_clears_them(api):
    pk = api.post("/api/v1/proposals/", body(subtasks=subtasks_body()), format="json").json()["id"]
    put = api.put(f"/api/v1/proposals/{pk}/", {"title": "只剩名称"}, format="json").json()
    assert put["subtasks"] == []


def test_what_the_api_answers_with_subtasks_may_be_sent_back_unchanged(api):
    created = api.post("/api/v1/proposals/", body(subtasks=subtasks_body()), format="json").json()
    response = api.put(f"/api/v1/proposals/{created['id']}/", created, format="json")
    assert response.status_code == 200
    assert response.json()["subtasks"] == created["subtasks"]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"subtasks": [None]}, {"subtasks[0]": ["该字段不能为 null。"]}),
        ({"units": [None]}, {"units[0]": ["该字段不能为 null。"]}),
        ({"members": [None]}, {"members[0]": ["该字段不能为 null。"]}),
        ({"subtasks": "课题一"}, {"subtasks": ["期望为一个包含物件的列表，得到的类型是“str”。"]}),
        ({"subtasks": [3]}, {"subtasks[0]": ["无效数据。期待为字典类型，得到的是 int 。"]}),
        ({"subtasks": [{"name": ["a"]}]}, {"subtasks[0].name": ["不是有效的字符串。"]}),
        ({"subtasks": [{"nmae": "typo"}]}, {"subtasks[0].nmae": ["没有这个字段。"]}),
        ({"subtasks": [{"national_funding": True}]}, {"subtasks[0].national_funding": ["应为数字。"]}),
        ({"subtasks": [{"national_funding": "很多"}]}, {"subtasks[0].national_funding": ["输入一个数字。"]}),
        (
            {"subtasks": [{"name": "课" * 201}]},
            {"subtasks[0].name": ["确保该变量包含不超过 200 字符 (目前字符数 201)。"]},
        ),
        (
            {"subtasks": [{"lead_birth_date": "去年"}]},
            {"subtasks[0].lead_birth_date": ["输入一个有效的日期。"]},
        ),
        ({"pi": {"gender": "男"}}, {"pi.gender": ["选择一个有效的选项。 男 不在可用的选项中。"]}),
        ({"members": [{"gender": 1}]}, {"members[0].gender": ["不是有效的字符串。"]}),
    ],
)
def test_bad_subtask_and_gender_bodies_answer_400_with_their_paths_never_500(api, change, fields):
    response = api.post("/api/v1/proposals/", {"title": "x", **change}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (400, fields)
    assert Proposal.objects.count() == 0


def test_twenty_subtasks_are_stored_and_twenty_one_answer_400(api):
    twenty = [{"name": f"课题{n}"} for n in range(20)]
    assert api.post("/api/v1/proposals/", {"subtasks": twenty}, format="json").status_code == 201
    response = api.post("/api/v1/proposals/", {"subtasks": [*twenty, {"name": "多一个"}]}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"subtasks": ["课题最多 20 个，请删去多余的行。"]},
    )
    assert Proposal.objects.count() == 1


def test_a_gender_that_contradicts_the_id_number_answers_400_naming_both(api):
    response = api.post("/api/v1/proposals/", body(pi={**body()["pi"], "gender": "female"}), format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {
            "pi.gender": [
                f"性别填写为“女”，但证件号码 {PI_ID} 的第 17 位（1）表示男（奇数为男，偶数为女），请核对性别或证件号码。"
            ]
        },
    )


def test_submit_through_the_api_lists_subtask_problems_at_their_paths(api):
    pk = api.post("/api/v1/proposals/", body(subtasks=[{"lead_name": "陈静"}]), format="json").json()["id"]
    response = api.post(f"/api/v1/proposals/{pk}/submit/", {}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"subtasks[0].name": ["必填项，提交前请填写。"]},
    )


def test_english_errors_for_subtasks_and_gender(api):
    response = api.post(
        "/api/v1/proposals/",
        body(pi={**body()["pi"], "gender": "female"}, subtasks=[{"name": str(n)} for n in range(21)]),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["error"]["fields"] == {
        "pi.gender": [
            f"Gender is given as “Female”, but ID number {PI_ID} says Male (its 17th digit, 1, is odd for "
            "male and even for female): check the gender or the ID number."
        ],
        "subtasks": ["At most 20 subtasks: remove the extra rows."],
    }


def test_past_the_accounts_drafts_the_api_answers_409_and_creates_nothing(api, alice, settings):
    settings.MAX_DRAFTS_PER_ACCOUNT = 1
    assert api.post("/api/v1/proposals/", body(), format="json").status_code == 201
    response = api.post("/api/v1/proposals/", body(reference="SECOND-1"), format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "too_many_drafts")
    assert Proposal.objects.filter(owner=alice).count() == 1


def test_a_section_longer_than_3000_characters_is_refused_at_its_path(api):
    response = api.post("/api/v1/proposals/", body(research_content="研" * 3001), format="json")
    assert response.status_code == 400
    assert "research_content" in response.json()["error"]["fields"]
