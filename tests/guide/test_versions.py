"""Guide versions: a reading becomes a draft, corrections, publishing into the rows, and the
corrections carried over to a new reading of the same file."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pytest
from django.core.files.base import ContentFile

from common.models import AuditEntry
from guide.models import Direction, Guide, GuideCorrection, GuideVersion, Indicator
from guide.parsing import READER_VERSION
from guide.parsing.addresses import AddressError, get_value
from guide.parsing.readers import parse_file
from guide.parsing.types import Notice, to_json
from guide.services import (
    VersionError,
    correction_add,
    correction_revert,
    corrections_add,
    guide_ingest,
    version_create_from_file,
    version_effective_data,
    version_publish,
    version_record_reading,
)
from screening.selectors import guide_params
from tests.conftest import GUIDE_2022
from tests.factories.proposals import make_user

pytestmark = pytest.mark.django_db

GUIDE_2023 = GUIDE_2022.with_name("2023-strategic-cooperation.txt")
VALUE = "directions[1.1].indicators[0].value"  # 误差 ≤ 10%
PI_BORN = "eligibility.pi_born_on_or_after"


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


# --- a reading becomes a draft -------------------------------------------------------


def test_a_file_read_becomes_a_draft_with_its_reading_and_the_file():
    officer = make_user("reader", role="officer")
    version = version_create_from_file(path=GUIDE_2022, by=officer)
    content = GUIDE_2022.read_bytes()
    assert (version.year, version.number, version.status, version.label) == (2022, 1, "draft", "2022 v1")
    assert version.data == to_json(parse_file(GUIDE_2022))
    assert (version.source_name, version.kind, version.size) == (GUIDE_2022.name, "text", len(content))
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.reader_version == READER_VERSION
    assert version.created_by == officer
    assert version.english["directions"]["1.1"]["title"] != ""
    assert version.english_source == "2022-strategic-cooperation.en.json"
    assert version.warning_count == len(version.data["warnings"])
    assert version.read_at is not None
    with version.file.open("rb") as fh:
        assert fh.read() == content
    assert version.file.name.startswith("private/guides/")
    assert GuideVersion.objects.get(pk=version.pk).carried == {}


def test_a_draft_writes_no_rows():
    version_create_from_file(path=GUIDE_2022)
    assert (Guide.objects.count(), Direction.objects.count()) == (0, 0)


def test_versions_are_numbered_within_their_year():
    first = version_create_from_file(path=GUIDE_2022)
    other_year = version_create_from_file(path=GUIDE_2023)
    second = version_create_from_file(path=GUIDE_2022)
    assert [(v.year, v.number) for v in (first, other_year, second)] == [(2022, 1), (2023, 1), (2022, 2)]


def stored(*, content: bytes = b"guide text", status: str = "reading", sha256: str = "") -> GuideVersion:
    version = GuideVersion(
        status=status, source_name="upload.txt", kind="text", size=len(content), sha256=sha256
    )
    version.file.save("f", ContentFile(content), save=False)
    version.save()
    return version


def test_record_reading_of_an_uploaded_version_computes_a_missing_sha256_and_takes_english_json():
    version = stored(content=b"abc")
    english = {"year": 2022, "directions": {"1.1": {"title": "Hydrogen", "keywords": ["H2"]}}}
    recorded = version_record_reading(
        version=version, parsed=parse_file(GUIDE_2022), english=english, english_name="x.en.json"
    )
    assert recorded.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert (recorded.english, recorded.english_source, recorded.status) == (english, "x.en.json", "draft")


def test_record_reading_twice_records_it_once():
    version = stored()
    parsed = parse_file(GUIDE_2022)
    first = version_record_reading(version=version, parsed=parsed)
    again = version_record_reading(version=version, parsed=replace(parsed, title="另一个标题"))
    assert (again.pk, again.number, again.data["title"]) == (first.pk, 1, first.data["title"])
    assert actions() == ["guide.version_read"]


def test_record_reading_releases_the_lease():
    version = stored()
    GuideVersion.objects.filter(pk=version.pk).update(lease_owner="node/1", lease_token="t")
    recorded = version_record_reading(version=version, parsed=parse_file(GUIDE_2022))
    assert (recorded.lease_owner, recorded.lease_token, recorded.lease_expires_at) == ("", "", None)


def test_record_reading_accepts_plain_string_warnings_and_notices():
    parsed = parse_file(GUIDE_2022)
    parsed = replace(parsed, warnings=["方向数与声明不符", Notice("请核对", "title", severity="check")])
    recorded = version_record_reading(version=stored(), parsed=parsed)
    assert recorded.data["warnings"] == [
        {"message": "方向数与声明不符", "item": None, "severity": "warning", "source": None},
        {"message": "请核对", "item": "title", "severity": "check", "source": None},
    ]
    assert recorded.warning_count == 2


# --- corrections ---------------------------------------------------------------------


def test_a_correction_records_the_parsed_and_the_new_value_with_who_and_why():
    officer = make_user("corrector", role="officer")
    version = version_create_from_file(path=GUIDE_2022)
    correction = correction_add(version=version, address=VALUE, value="12", reason="原文为 12%", by=officer)
    assert (correction.parsed_value, correction.value, correction.reason, correction.created_by) == (
        10.0,
        12.0,
        "原文为 12%",
        officer,
    )
    assert get_value(version_effective_data(version), VALUE) == 12.0
    assert get_value(version.data, VALUE) == 10.0  # the reading itself is kept as read
    entry = AuditEntry.objects.get(action="guide.corrected")
    assert entry.data == {
        "label": "2022 v1",
        "address": VALUE,
        "parsed_value": 10.0,
        "previous_value": 10.0,
        "value": 12.0,
        "reason": "原文为 12%",
        "correction": correction.pk,
    }


def test_the_latest_correction_of_an_address_wins():
    version = version_create_from_file(path=GUIDE_2022)
    correction_add(version=version, address=VALUE, value="12", reason="a", by=None)
    correction_add(version=version, address=VALUE, value="15", reason="b", by=None)
    assert get_value(version_effective_data(version), VALUE) == 15.0


def test_the_same_correction_sent_twice_makes_one():
    version = version_create_from_file(path=GUIDE_2022)
    first = correction_add(version=version, address=VALUE, value="12", reason="a", by=None)
    again = correction_add(version=version, address=VALUE, value="12.0", reason="a", by=None)
    assert again == first
    assert GuideCorrection.objects.count() == 1


def test_a_correction_to_the_value_as_read_is_unchanged():
    version = version_create_from_file(path=GUIDE_2022)
    with pytest.raises(VersionError) as exc:
        correction_add(version=version, address=VALUE, value="10", reason="a", by=None)
    assert exc.value.code == "unchanged"


def test_a_correction_needs_a_reason():
    version = version_create_from_file(path=GUIDE_2022)
    with pytest.raises(VersionError) as exc:
        correction_add(version=version, address=VALUE, value="12", reason="  ", by=None)
    assert exc.value.code == "reason_required"
    assert GuideCorrection.objects.count() == 0


@pytest.mark.parametrize(
    ("address", "value", "code"),
    [
        (PI_BORN, "1962-02-30", "not_a_date"),
        (VALUE, "十", "not_a_number"),
        ("directions[9.9].title", "x", "missing_item"),
        ("directions[1.1].code", "x", "unknown_address"),
    ],
)
def test_an_invalid_correction_writes_nothing(address, value, code):
    version = version_create_from_file(path=GUIDE_2022)
    with pytest.raises(AddressError) as exc:
        correction_add(version=version, address=address, value=value, reason="r", by=None)
    assert exc.value.code == code
    assert GuideCorrection.objects.count() == 0


def test_corrections_add_makes_one_correction_per_changed_value():
    version = version_create_from_file(path=GUIDE_2022)
    item = "directions[1.1].indicators[0]"
    made = corrections_add(
        version=version,
        values={
            f"{item}.subject": "误差",
            f"{item}.value": "11",
            f"{item}.unit": "%",
            f"{item}.comparator": "<",
        },
        reason="核对原文",
        by=None,
    )
    assert [(c.address, c.value) for c in made] == [(f"{item}.value", 11.0), (f"{item}.comparator", "<")]


def test_reverting_goes_back_to_the_value_as_read_and_keeps_the_record():
    officer = make_user("reverter", role="officer")
    version = version_create_from_file(path=GUIDE_2022)
    correction_add(version=version, address=VALUE, value="12", reason="a", by=officer)
    latest = correction_add(version=version, address=VALUE, value="15", reason="b", by=officer)
    reverted = correction_revert(correction=latest, by=officer)
    assert len(reverted) == 2
    assert get_value(version_effective_data(version), VALUE) == 10.0
    assert list(GuideCorrection.objects.values_list("reverted_by", flat=True)) == [officer.pk, officer.pk]
    assert correction_revert(correction=latest, by=officer) == []
    assert actions().count("guide.correction_reverted") == 1


# --- publishing ----------------------------------------------------------------------


def test_publishing_writes_the_corrected_values_into_the_rows():
    officer = make_user("publisher", role="officer")
    version = version_create_from_file(path=GUIDE_2022)
    correction_add(version=version, address=VALUE, value="12", reason="r", by=officer)
    correction_add(version=version, address=PI_BORN, value="1963-01-01", reason="r", by=officer)
    published = version_publish(version=version, by=officer)
    guide = Guide.objects.get()
    assert (published.status, published.published_by, guide.published_version) == (
        "published",
        officer,
        version,
    )
    assert published.published_at is not None
    assert guide.pi_born_on_or_after == date(1963, 1, 1)
    indicator = Indicator.objects.get(direction__code="1.1", position=0)
    assert indicator.value == 12.0
    assert guide.document_kind == "text"
    assert guide.source_name == GUIDE_2022.name
    assert Direction.objects.get(code="1.1").title_en != ""  # the English data of the version
    assert AuditEntry.objects.get(action="guide.version_published").data == {
        "label": "2022 v1",
        "superseded": [],
        "corrections": [VALUE, PI_BORN],
        "problems": [],
    }


def test_publishing_writes_the_sources_beside_the_values():
    version = version_publish(version=version_create_from_file(path=GUIDE_2022))
    direction = version.data["directions"][0]
    row = Direction.objects.get(code=direction["code"])
    assert row.sources == direction["sources"]
    assert Indicator.objects.get(direction=row, position=0).source == direction["indicators"][0]["source"]
    assert Guide.objects.get().sources == version.data["sources"]


def test_publishing_a_new_version_supersedes_the_previous_and_keeps_the_directions():
    first = version_publish(version=version_create_from_file(path=GUIDE_2022))
    pks = dict(Direction.objects.values_list("code", "pk"))
    second = version_publish(version=version_create_from_file(path=GUIDE_2022))
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    assert Guide.objects.get().published_version == second
    assert dict(Direction.objects.values_list("code", "pk")) == pks
    assert AuditEntry.objects.filter(action="guide.version_published").order_by("id").last().data[
        "superseded"
    ] == ["2022 v1"]


def test_publishing_a_version_of_another_year_leaves_the_first_year_alone():
    first = version_publish(version=version_create_from_file(path=GUIDE_2022))
    version_publish(version=version_create_from_file(path=GUIDE_2023))
    first.refresh_from_db()
    assert first.status == "published"
    assert sorted(Guide.objects.values_list("year", flat=True)) == [2022, 2023]


def test_publishing_twice_publishes_once():
    version = version_create_from_file(path=GUIDE_2022)
    version_publish(version=version)
    version_publish(version=version)
    assert actions().count("guide.version_published") == 1


def test_only_drafts_are_corrected_and_published():
    first = version_publish(version=version_create_from_file(path=GUIDE_2022))
    version_publish(version=version_create_from_file(path=GUIDE_2022))
    first.refresh_from_db()
    for call in (
        lambda: correction_add(version=first, address=VALUE, value="12", reason="r", by=None),
        lambda: version_publish(version=first),
    ):
        with pytest.raises(VersionError) as exc:
            call()
        assert exc.value.code == "not_draft"


def test_a_published_correction_cannot_be_reverted():
    version = version_create_from_file(path=GUIDE_2022)
    correction = correction_add(version=version, address=VALUE, value="12", reason="r", by=None)
    version_publish(version=version)
    with pytest.raises(VersionError):
        correction_revert(correction=correction, by=None)


def test_screening_reads_only_the_published_values():
    version_publish(version=version_create_from_file(path=GUIDE_2022))
    draft = version_create_from_file(path=GUIDE_2022)
    correction_add(version=draft, address=PI_BORN, value="1970-01-01", reason="r", by=None)
    correction_add(version=draft, address=VALUE, value="12", reason="r", by=None)
    _guide, params = guide_params(year=2022)
    assert params.pi_born_on_or_after == date(1962, 1, 1)
    assert params.directions["1.1"].indicators[0].value == 10.0
    version_publish(version=draft)
    _guide, params = guide_params(year=2022)
    assert params.pi_born_on_or_after == date(1970, 1, 1)
    assert params.directions["1.1"].indicators[0].value == 12.0


def test_guide_ingest_reads_and_publishes_a_version():
    guide = guide_ingest(path=GUIDE_2022)
    assert (guide.year, guide.published_version.label, guide.published_version.status) == (
        2022,
        "2022 v1",
        "published",
    )


# --- corrections carried over to a new reading of the same file -----------------------


def test_reingesting_the_same_file_reapplies_its_corrections():
    officer = make_user("carrier", role="officer")
    first = version_create_from_file(path=GUIDE_2022)
    old = correction_add(version=first, address=VALUE, value="12", reason="原文为 12%", by=officer)
    correction_add(version=first, address=PI_BORN, value="1963-01-01", reason="公告", by=officer)
    second = version_create_from_file(path=GUIDE_2022)
    carried = list(second.corrections.order_by("id"))
    assert [(c.address, c.value, c.parsed_value, c.reason, c.created_by) for c in carried] == [
        (VALUE, 12.0, 10.0, "原文为 12%", officer),
        (PI_BORN, "1963-01-01", "1962-01-01", "公告", officer),
    ]
    assert carried[0].carried_from == old
    assert second.carried == {
        "from": first.pk,
        "from_label": "2022 v1",
        "applied": [VALUE, PI_BORN],
        "resolved": [],
        "vanished": [],
    }
    data = version_effective_data(second)
    assert (get_value(data, VALUE), get_value(data, PI_BORN)) == (12.0, "1963-01-01")


def test_a_reverted_correction_is_not_carried_over():
    first = version_create_from_file(path=GUIDE_2022)
    correction_revert(
        correction=correction_add(version=first, address=VALUE, value="12", reason="r", by=None), by=None
    )
    second = version_create_from_file(path=GUIDE_2022)
    assert second.corrections.count() == 0


def test_another_file_of_the_year_carries_nothing(tmp_path):
    first = version_create_from_file(path=GUIDE_2022)
    correction_add(version=first, address=VALUE, value="12", reason="r", by=None)
    other = tmp_path / "2022-edited.txt"
    other.write_text(GUIDE_2022.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = version_create_from_file(path=other)
    assert (second.number, second.corrections.count(), second.carried) == (2, 0, {})


def misread_first_version(*, value: float, extra_indicator: bool = False) -> GuideVersion:
    """v1 as an older reader read it: indicator 0 of 1.1 read as ``value`` (and an indicator that
    is not in the text), corrected by an officer."""
    first = version_create_from_file(path=GUIDE_2022)
    data = first.data
    indicators = data["directions"][0]["indicators"]
    indicators[0]["value"] = value
    if extra_indicator:
        indicators.append({**indicators[0], "position": 99, "text": "幻读的指标"})
    GuideVersion.objects.filter(pk=first.pk).update(data=data)
    first.refresh_from_db()
    return first


def test_a_correction_the_reader_now_gets_right_is_recorded_as_resolved_not_carried():
    first = misread_first_version(value=1.0)
    old = correction_add(version=first, address=VALUE, value="10", reason="原文为 10%", by=None)
    second = version_create_from_file(path=GUIDE_2022)
    assert second.corrections.count() == 0
    assert second.carried["resolved"] == [
        {"address": VALUE, "value": 10.0, "reason": "原文为 10%", "correction": old.pk, "by": ""}
    ]
    assert AuditEntry.objects.filter(action="guide.version_read").order_by("id").last().data["resolved"] == [
        VALUE
    ]


def test_a_correction_whose_address_vanished_is_a_warning_on_the_new_version():
    first = misread_first_version(value=10.0, extra_indicator=True)
    address = "directions[1.1].indicators[99].value"
    correction_add(version=first, address=address, value="5", reason="幻读", by=None)
    correction_add(version=first, address=VALUE, value="12", reason="r", by=None)
    second = version_create_from_file(path=GUIDE_2022)
    assert [e["address"] for e in second.carried["vanished"]] == [address]
    assert list(second.corrections.values_list("address", flat=True)) == [VALUE]
    assert second.warning_count == len(second.data["warnings"]) + 1
    assert AuditEntry.objects.filter(action="guide.version_read").order_by("id").last().data["vanished"] == [
        address
    ]


def test_every_change_leaves_an_audit_entry():
    version = version_create_from_file(path=GUIDE_2022)
    correction = correction_add(version=version, address=VALUE, value="12", reason="r", by=None)
    correction_revert(correction=correction, by=None)
    correction_add(version=version, address=VALUE, value="13", reason="r", by=None)
    version_publish(version=version)
    assert actions() == [
        "guide.version_read",
        "guide.corrected",
        "guide.correction_reverted",
        "guide.corrected",
        "guide.ingested",
        "guide.version_published",
    ]
