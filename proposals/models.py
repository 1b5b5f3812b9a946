"""Proposals as structured data. Rows are written by `proposals.services`."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.models import Leased

from .enums import (
    AttachmentKind,
    Employment,
    Gender,
    PersonRole,
    ProposalState,
    UnitRole,
    UnitType,
    UploadState,
)


class Proposal(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    reference = models.CharField(_("编号"), max_length=64, unique=True)
    guide_year = models.PositiveIntegerField(_("指南年度"), db_index=True)
    direction_code = models.CharField(_("指南方向"), max_length=16, blank=True)
    direction = models.ForeignKey(
        "guide.Direction", null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    title = models.CharField(_("项目名称"), max_length=300, blank=True)
    recommender = models.CharField(_("推荐单位"), max_length=200, blank=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    national_funding = models.DecimalField(
        _("国拨经费（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    matching_funding = models.DecimalField(
        _("配套经费（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # 3,000 characters a section, as the official template allows (interchange.MAX_LENGTHS; a text
    # column: the bound is the forms', the import's and the API's, not the database's)
    research_content = models.TextField(_("研究内容"), blank=True, max_length=3000)
    indicators = models.TextField(_("考核指标"), blank=True, max_length=3000)
    state = models.CharField(
        _("状态"), max_length=16, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    source = models.CharField(max_length=16, default="form")  # form / upload / import
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["guide_year", "state"]),
            models.Index(fields=["owner", "-updated_at"]),
            # the officers' workspace list: keyset pages per sortable column (screening.workspace)
            models.Index(fields=["guide_year", "submitted_at", "id"], name="proposal_year_submitted"),
            models.Index(fields=["guide_year", "direction_code", "id"], name="proposal_year_direction"),
            models.Index(fields=["guide_year", "title", "id"], name="proposal_year_title"),
            models.Index(fields=["guide_year", "reference", "id"], name="proposal_year_reference"),
        ]
        permissions = [("view_full_id", _("可查看完整证件号码（列表和导出）"))]
        verbose_name = _("申报书")
        verbose_name_plural = pgettext_lazy("plural", "申报书")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class SearchDocumentField(models.TextField):
    """The search tokens of a proposal (proposals.search): a ``tsvector`` on PostgreSQL, written as
    ``strip(to_tsvector('simple', tokens))`` (no positions; GIN-indexed by the migration), plain
    text elsewhere (SQLite searches the fields themselves)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_placeholder(self, value, compiler, connection):
        if connection.vendor == "postgresql":
            return "strip(to_tsvector('simple', %s))"
        return "%s"


@SearchDocumentField.register_lookup
class SearchMatches(models.Lookup):
    """``document__matches="'碳捕' & '捕集'"``: the document matches ``to_tsquery('simple', …)``
    (PostgreSQL only; proposals.search.tsquery_text builds the query)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ to_tsquery('simple', {rhs})", [*lhs_params, *rhs_params]


class ProposalSearch(models.Model):
    """What the officers' keyword search reads of a proposal, kept apart so that the proposal rows
    stay narrow. Written by proposals.services whenever the proposal's data is written."""

    proposal = models.OneToOneField(
        Proposal, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    document = SearchDocumentField(blank=True)

    class Meta:
        verbose_name = _("检索索引")
        verbose_name_plural = pgettext_lazy("plural", "检索索引")

    def __str__(self) -> str:
        return f"search {self.proposal_id}"


class Person(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("角色"), max_length=8, choices=PersonRole.choices, default=PersonRole.MEMBER)
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    # blank: unknown (for a mainland resident ID, identifiers.gender_from_id tells it)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=40, blank=True, db_index=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    nationality = models.CharField(_("国籍/地区"), max_length=2, blank=True)
    title = models.CharField(_("职称"), max_length=100, blank=True)
    degree = models.CharField(_("学位"), max_length=100, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    employment = models.CharField(_("聘用方式"), max_length=16, choices=Employment.choices, blank=True)
    employment_proofs = models.PositiveIntegerField(_("聘用证明份数"), null=True, blank=True)
    civil_servant = models.BooleanField(_("国家机关公务人员"), null=True, blank=True)
    task = models.CharField(_("分工"), max_length=200, blank=True)

    class Meta:
        ordering = ["proposal", "role", "position", "id"]
        verbose_name = _("人员")
        verbose_name_plural = pgettext_lazy("plural", "人员")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="units")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("单位名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    country = models.CharField(_("国别/地区"), max_length=2, blank=True)
    type = models.CharField(_("单位类型"), max_length=32, choices=UnitType.choices, blank=True)
    registered_on = models.DateField(_("注册日期"), null=True, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=UnitRole.choices, default=UnitRole.PARTICIPANT)
    third_party_testing = models.BooleanField(_("第三方公共检测机构"), default=False)
    hgr_license = models.BooleanField(_("人类遗传资源保藏行政许可"), default=False)
    name_key = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["proposal", "position", "id"]
        verbose_name = _("单位")
        verbose_name_plural = pgettext_lazy("plural", "单位")

    def __str__(self) -> str:
        return self.name


class Subtask(models.Model):
    """One 课题 of a proposal with its lead unit and lead person (课题负责人), in the
    order given (``position``). Money in 万元."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="subtasks")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("课题名称"), max_length=200, blank=True)
    lead_unit = models.CharField(_("承担单位"), max_length=200, blank=True)
    lead_name = models.CharField(_("课题负责人"), max_length=100, blank=True)
    lead_id_number = models.CharField(_("负责人证件号码"), max_length=40, blank=True, db_index=True)
    lead_birth_date = models.DateField(_("负责人出生日期"), null=True, blank=True)
    lead_title = models.CharField(_("负责人职称"), max_length=100, blank=True)
    lead_degree = models.CharField(_("负责人学位"), max_length=100, blank=True)
    national_funding = models.DecimalField(
        _("国拨经费（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["proposal", "position", "id"]
        verbose_name = _("课题")
        verbose_name_plural = pgettext_lazy("plural", "课题")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance, filename: str) -> str:
    # Random names: the original name is kept in the row, never in the path.
    return f"private/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=32, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, null=True, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "kind", "id"]
        verbose_name = _("附件")
        verbose_name_plural = pgettext_lazy("plural", "附件")

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    # the extension a download carries, from the type the content was found to be
    EXTENSIONS = {
        "application/pdf": "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "image/png": "png",
        "image/jpeg": "jpg",
    }

    @property
    def download_name(self) -> str:
        """The name a download is saved under: the applicant's file name with the extension of the
        type its content was found to be ("推荐函.exe" holding a PDF is served as "推荐函.pdf"), so
        the officer's computer opens it with the program for that type and nothing else."""
        stem = PurePosixPath((self.original_name or "").replace("\\", "/")).name
        stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
        return f"{stem or self.kind}.{self.EXTENSIONS.get(self.content_type, 'bin')}"


class DraftUpload(Leased):
    """An uploaded draft being read. The extracted data waits here until the applicant
    confirms it into a Proposal."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="draft_uploads"
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=8, blank=True)  # pdf / docx
    state = models.CharField(max_length=16, choices=UploadState.choices, default=UploadState.QUEUED)
    extracted = models.JSONField(default=dict, blank=True)
    found = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)  # times a worker has started reading it
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)  # when its reading was last (re)queued
    started_at = models.DateTimeField(null=True, blank=True)  # when a worker last claimed it
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "started_at"])]
        verbose_name = _("上传的草稿")
        verbose_name_plural = pgettext_lazy("plural", "上传的草稿")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.state})"
