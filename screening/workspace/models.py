"""The officers' workspace: bulk jobs over many proposals and the officers' review marks.

Imported by screening.models, so these are models of the ``screening`` app (its migrations)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.models import Leased


class JobKind(models.TextChoices):
    RESCREEN = "rescreen", _("重新预审")
    EXPORT = "export", _("导出")
    REVIEW = "review", _("标记为已审阅")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


def job_file_path(instance, filename: str) -> str:
    # Random names, outside any public URL: the download view checks who asks.
    return f"private/jobs/{uuid.uuid4().hex}"


class BulkJob(Leased):
    """One bulk action of an officer over a set of proposals (frozen as ``proposal_ids`` when it is
    requested), done in chunks: each step task (published through the outbox) claims the job under
    a lease, does the next ``chunk`` of ``proposal_ids[done:]`` and moves ``done`` on in the same
    transaction, then queues the next step. queued → running → queued … → done / failed. An export
    instead opens all its chunks as parts (BulkJobPart) in its first step and stays running without a
    lease while their tasks render them; the last part queues the step that writes the file."""

    kind = models.CharField(_("类型"), max_length=16, choices=JobKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # what was asked: {"query": the list's filter as a query string, "scope": "selected"/"filtered",
    # "format": "xlsx"/"csv", "lang": "zh"/"en", "note": …, "full_ids": bool}
    params = models.JSONField(_("参数"), default=dict, blank=True)
    key = models.CharField(max_length=64, db_index=True)  # same request by the same person: same job
    proposal_ids = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    batch = models.ForeignKey(
        "screening.ScreeningBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.FileField(_("结果文件"), upload_to=job_file_path, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_size = models.PositiveBigIntegerField(default=0)
    # what an export stamped on its file and counted (guide, rule set, run times, data hash)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveIntegerField(default=0)  # starts of the current step
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    queued_at = models.DateTimeField(auto_now_add=True)  # when its current step was queued
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("文件过期时间"), null=True, blank=True)
    expired = models.BooleanField(_("文件已过期删除"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["expires_at"], condition=models.Q(expired=False), name="bulkjob_expiring"),
        ]
        verbose_name = _("批量作业")
        verbose_name_plural = pgettext_lazy("plural", "批量作业")

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} {self.done}/{self.total} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class BulkJobPart(Leased):
    """One chunk of an export job, worked by its own leased task so that parts render in parallel on
    every worker process (queued → running → done): ``proposal_ids[number * chunk :][:chunk]`` of
    its job, its proposal rows and finding rows rendered as they stand in the file
    (exports.render_part: sheet XML, CSV lines or JSON for the PDF; UTF-8, zlib-compressed: a
    chunk's sheet rows are megabytes of text) and what the file's stamp and per-rule sheet need of
    them (``summary``). The part that finishes last queues the job's last step, which writes the
    file from the parts and deletes them."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)  # starts of this part
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    proposals = models.BinaryField(default=b"")
    findings = models.BinaryField(default=b"")

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="bulkjob_part_unique")]
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="bulkjobpart_lease")]
        verbose_name = _("批量作业分段")
        verbose_name_plural = pgettext_lazy("plural", "批量作业分段")

    def __str__(self) -> str:
        return f"job {self.job_id} part {self.number}"


class ProposalReview(models.Model):
    """An officer marked the proposal as reviewed, with a note (the latest mark; every mark is in
    the audit trail)."""

    proposal = models.OneToOneField(
        "proposals.Proposal", primary_key=True, on_delete=models.CASCADE, related_name="review"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审阅人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审阅时间"))
    note = models.TextField(_("审阅备注"), blank=True)
    job = models.ForeignKey(BulkJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["reviewed_at"])]
        verbose_name = _("审阅标记")
        verbose_name_plural = pgettext_lazy("plural", "审阅标记")

    def __str__(self) -> str:
        return f"review of {self.proposal_id}"
