"""Draft extraction through a real Celery worker and the real Redis broker."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.docgen import build_docx
from proposals.models import DraftUpload
from proposals.services.uploads import draft_upload_create
from tests.conftest import wait_for
from tests.factories.proposal_docs import sample_proposal
from tests.factories.proposals import make_user

pytestmark = [pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_uploaded_draft_is_read_by_a_real_worker(redis_worker):
    owner = make_user("worker-applicant")
    data = build_docx(sample_proposal())
    upload = draft_upload_create(owner=owner, file=SimpleUploadedFile("草稿.docx", data))
    assert wait_for(lambda: DraftUpload.objects.get(pk=upload.pk).state in ("done", "failed"))
    upload.refresh_from_db()
    assert (upload.state, upload.error) == ("done", "")
    assert upload.extracted["title"] == sample_proposal().title
    assert upload.found["title"] == 2  # the template has a cover page
