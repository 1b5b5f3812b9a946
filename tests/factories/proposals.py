"""Plain builders for proposal rows, users and uploaded files used by the proposals tests."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals import services
from proposals.identifiers import make_credit_code, make_resident_id
from proposals.interchange import Budget, PersonData, ProposalData, SubtaskData, UnitData
from proposals.models import Attachment, Proposal

_seq = count(1)

PI_BIRTH = date(1975, 3, 8)
PI_ID = make_resident_id(PI_BIRTH, "231", "350102")
LEAD_CODE = make_credit_code("MA000100")


def make_user(username: str | None = None, *, role: str = "applicant"):
    """A user in the role's group (the group is created bare; views check the group name)."""
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password="pw-123456!"
    )
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role == "admin":
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


def complete_data(**overrides) -> ProposalData:
    """A small proposal that passes every submit check: a Chinese PI, a lead unit in
    China and a partner in Germany, one member with a passport."""
    data = ProposalData(
        reference=None,
        guide_year=2030,
        direction="1.1",
        title="面向碳中和的电解水制氢国际合作研究",
        recommender="福建省科学技术厅",
        start_date=date(2030, 1, 1),
        end_date=date(2032, 12, 31),
        budget=Budget(national=Decimal("500"), matching=Decimal("250.5")),
        pi=PersonData(
            name="林海峰",
            id_number=PI_ID,
            birth_date=PI_BIRTH,
            nationality="CN",
            title="研究员",
            degree="博士",
            employer="福州大学",
            employment="full_time",
        ),
        units=[
            UnitData(
                name="福州大学",
                credit_code=LEAD_CODE,
                country="CN",
                type="university",
                role="lead",
                third_party_testing=False,
                hgr_license=False,
            ),
            UnitData(
                name="Fraunhofer ISE",
                country="DE",
                type="research_institute",
                role="participant",
                third_party_testing=False,
                hgr_license=True,
            ),
        ],
        members=[
            PersonData(
                name="Hans Müller",
                id_number="C4X7K2M19",
                birth_date=date(1970, 1, 25),
                role="测试",
                unit="Fraunhofer ISE",
            )
        ],
        research_content="研究内容。",
        indicators="考核指标。",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def make_proposal(
    *, owner=None, data: ProposalData | None = None, state: str = "draft", **fields
) -> Proposal:
    """A proposal written through the service (as the form would), then put in ``state``."""
    proposal = services.proposal_create(owner=owner or make_user(), data=data or complete_data())
    updates = {"state": state, **fields}
    Proposal.objects.filter(pk=proposal.pk).update(**updates)
    proposal.refresh_from_db()
    return proposal


def make_attachment(
    proposal: Proposal, *, kind: str = "recommendation_letter", content: bytes | None = None
) -> Attachment:
    content = content or pdf_bytes()
    attachment = Attachment(
        proposal=proposal,
        kind=kind,
        original_name="推荐函.pdf",
        size=len(content),
        content_type="application/pdf",
    )
    attachment.file.save("x", ContentFile(content), save=False)
    attachment.save()
    return attachment


def pdf_bytes() -> bytes:
    """A tiny valid PDF with one line of text."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(100, 700, "recommendation letter")
    c.save()
    return out.getvalue()


def _png() -> bytes:
    """A 1×1 PNG written by Pillow (valid to its checksums: attachments are opened by their parser)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (255, 255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


PNG_BYTES = _png()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


SUBTASK_LEAD_BIRTH = date(1982, 7, 19)
SUBTASK_LEAD_ID = make_resident_id(SUBTASK_LEAD_BIRTH, "046", "350103")  # 17th digit 6: female


def with_genders_and_subtasks(data: ProposalData) -> ProposalData:
    """``data`` with the PI's gender (agreeing with PI_ID: male), the first member's, and two
    subtasks (课题): one led by a Chinese resident of the lead unit, one by the German partner."""
    if data.pi is not None:
        data.pi.gender = "male"
    if data.members:
        data.members[0].gender = "male"
    data.subtasks = [
        SubtaskData(
            name="高活性非贵金属催化剂的设计与制备",
            lead_unit="福州大学",
            lead_name="陈静",
            lead_id_number=SUBTASK_LEAD_ID,
            lead_birth_date=SUBTASK_LEAD_BIRTH,
            lead_title="研究员",
            lead_degree="博士",
            national_funding=Decimal("200"),
        ),
        SubtaskData(
            name="Membrane electrode testing",
            lead_unit="Fraunhofer ISE",
            lead_name="Hans Müller",
            lead_id_number="C4X7K2M19",
            lead_birth_date=date(1970, 1, 25),
            lead_title="Senior Scientist",
            lead_degree="PhD",
            national_funding=Decimal("150.75"),
        ),
    ]
    return data
