"""Reading an uploaded guide through a real Celery worker and the real Redis broker."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guide.models import GuideVersion
from guide.services.reading import guide_upload_create
from tests.conftest import wait_for
from tests.factories.proposals import make_user
from tests.guide.hostile import many_pages_pdf

pytestmark = [pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"


def settled(pk: int) -> bool:
    return GuideVersion.objects.get(pk=pk).status in ("draft", "failed")


def test_uploaded_guide_is_read_by_a_real_worker(redis_worker):
    version = guide_upload_create(
        file=SimpleUploadedFile("2022.txt", GUIDE_2022.read_bytes()),
        by=make_user("worker-officer", role="officer"),
    )
    assert wait_for(lambda: settled(version.pk))
    version.refresh_from_db()
    assert (version.status, version.year, version.number, version.error, version.lease_token) == (
        "draft",
        2022,
        1,
        "",
        "",
    )
    assert len(version.data["directions"]) == 39


def test_a_hostile_upload_fails_in_a_real_worker_and_the_worker_goes_on(redis_worker):
    officer = make_user("worker-officer-2", role="officer")
    bad = guide_upload_create(file=SimpleUploadedFile("long.pdf", many_pages_pdf(600)), by=officer)
    good = guide_upload_create(file=SimpleUploadedFile("2022.txt", GUIDE_2022.read_bytes()), by=officer)
    assert wait_for(lambda: settled(bad.pk) and settled(good.pk))
    statuses = dict(GuideVersion.objects.values_list("pk", "status"))
    assert (statuses[bad.pk], statuses[good.pk]) == ("failed", "draft")
    assert GuideVersion.objects.get(pk=bad.pk).error == (
        "too_many_pages: long.pdf has 600 pages: more than 500, not a call guide"
    )


def test_a_publish_request_is_published_by_a_real_worker(redis_worker):
    from common.outbox import outbox_relay
    from guide.services.publishing import version_publish_request
    from tests.guide.test_review_views import draft_of, small_guide

    officer = make_user("worker-publisher", role="officer")
    version = version_publish_request(version=draft_of(small_guide()), by=officer)
    assert outbox_relay() == 1  # what a worker's relay does: hands the request's row to the broker
    assert wait_for(
        lambda: (
            GuideVersion.objects.get(pk=version.pk).publish_state
            in (GuideVersion.PublishState.DONE, GuideVersion.PublishState.FAILED)
        )
    )
    version.refresh_from_db()
    assert (version.status, version.publish_state, version.publish_error, version.lease_token) == (
        "published",
        "done",
        "",
        "",
    )
    assert version.published_by == officer
