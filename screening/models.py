"""Screening runs, their findings, and the registries the rules consult."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.models import Leased

from .enums import OngoingRole, Outcome, RegistryName, RunStatus


class ScreeningBatch(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("预审批次")
        verbose_name_plural = pgettext_lazy("plural", "预审批次")

    def __str__(self) -> str:
        return f"batch {self.pk} {self.label}"


_ACTIVE = models.Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])


class ScreeningRun(Leased):
    # indexed as the first column of run_latest_per_proposal (and run_done_per_proposal)
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="screening_runs", db_index=False
    )
    guide = models.ForeignKey(
        "guide.Guide", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        ScreeningBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=16, default="manual")  # submit / manual / batch / collision / draft
    ruleset_version = models.CharField(max_length=32, blank=True)
    data_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    overall = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # what the rules read: {"registries": {name: RegistryLoad.version, 0 if not loaded},
    # "guide": {"year", "id", "version"}}; a run whose inputs changed since is stale
    inputs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("预审运行")
        verbose_name_plural = pgettext_lazy("plural", "预审运行")
        # A run's row is rewritten twice (claimed, done), each time in every index on it: there are
        # no more than the lookups need, and the status ones hold only active runs (a finished run
        # leaves them, and a query about finished runs cannot stray into them).
        indexes = [
            # a proposal's latest run (ordered by queued_at, id) without a sort: the workspace's lists
            models.Index(fields=["proposal", "-queued_at", "-id"], name="run_latest_per_proposal"),
            # a proposal's previous finished run: the result a new one is compared with
            models.Index(
                fields=["proposal", "-id"],
                condition=models.Q(status=RunStatus.DONE),
                name="run_done_per_proposal",
            ),
            # the sweep's lookups of runs queued or running too long, the queue's backlog
            models.Index(fields=["status", "started_at"], condition=_ACTIVE, name="run_active_started"),
            models.Index(fields=["status", "lease_expires_at"], condition=_ACTIVE, name="run_active_lease"),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.proposal_id} ({self.status})"


class Finding(models.Model):
    # No foreign-key constraint in the database (Django still deletes a run's findings with it, and
    # the column is indexed): findings are written only by screening's chunk, by COPY, in the
    # transaction that holds their runs locked under its claim, so the run exists. With the
    # constraint, each of the ~6,400 rows of a chunk was checked and locked its run at commit, and
    # with the runs table's statistics stale (a call filling up faster than autovacuum analyses it)
    # PostgreSQL checked through the wrong index: the commit grew from 30 ms to 1.1 s a chunk as
    # the call grew to 10,000 runs.
    run = models.ForeignKey(
        ScreeningRun, on_delete=models.CASCADE, related_name="findings", db_constraint=False
    )
    position = models.PositiveIntegerField(default=0)
    rule = models.CharField(max_length=64)  # validated against the rule registry in code
    status = models.CharField(max_length=16, choices=Outcome.choices)
    clause = models.CharField(max_length=32, blank=True)
    message_id = models.CharField(max_length=96)
    params = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    field = models.CharField(max_length=96, blank=True)
    fix_id = models.CharField(max_length=96, blank=True)

    class Meta:
        ordering = ["run", "position"]
        # Findings are read by run (the run's index, and the failures index below) or, for the
        # workspace's "fails rule X" filter, as the failures of a rule: ~31 rows are written per
        # run, so every index costs at each chunk's COPY. Only failures are indexed beyond the run.
        indexes = [
            # the failures of given runs, without reading their other findings (dashboards, overview)
            models.Index(
                fields=["run", "rule", "clause"], condition=models.Q(status="fail"), name="finding_failing"
            ),
            # the runs failing a rule (workspace filter)
            models.Index(fields=["rule"], condition=models.Q(status="fail"), name="finding_failing_rule"),
        ]
        verbose_name = _("检查结果")
        verbose_name_plural = pgettext_lazy("plural", "检查结果")

    def __str__(self) -> str:
        return f"{self.rule}: {self.status}"


class RegistryLoad(models.Model):
    """Marks a registry as loaded: a rule whose registry has no load row reports unknown."""

    name = models.CharField(max_length=32, choices=RegistryName.choices, unique=True)
    loaded_at = models.DateTimeField(auto_now=True)
    entries = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=255, blank=True)
    version = models.PositiveIntegerField(default=0)  # +1 on every load or edit

    class Meta:
        verbose_name = _("名单加载记录")
        verbose_name_plural = pgettext_lazy("plural", "名单加载记录")

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.entries})"


class RegistryImportStatus(models.TextChoices):
    """The states of a registry upload: read and compared (queued → running → previewed), then
    loaded once confirmed (queued → running → done), or cancelled / failed."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    PREVIEWED = "previewed", _("待确认")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


_IMPORT_ACTIVE = models.Q(status__in=[RegistryImportStatus.QUEUED, RegistryImportStatus.RUNNING])


class RegistryImport(Leased):
    """A registry CSV uploaded on the registries page, or a restore of a registry's previous
    version, done by a job (screening.registries): the request checks the file and keeps its checked
    rows here; a task claims the row under a lease and compares them with the registry (``preview``:
    counts of entries added, removed, changed, with examples; ``base_version``: the registry's
    version compared with) — queued → running → previewed. Once an admin confirms, the task replaces
    the registry with them — queued → running → done (``entries`` loaded) — or the admin cancels
    (cancelled); failed with ``error`` "<code>: <detail>". The rows are dropped when it ends."""

    registry = models.CharField(_("名单"), max_length=32, choices=RegistryName.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=RegistryImportStatus.choices, default=RegistryImportStatus.QUEUED
    )
    source = models.CharField(_("来源"), max_length=255, blank=True)  # the uploaded file's name
    rows = models.JSONField(default=list, blank=True)  # the checked rows, until it ends
    key = models.CharField(max_length=64, blank=True)  # the same file again while unfinished: same job
    total = models.PositiveIntegerField(_("记录数"), default=0)  # rows in the file
    entries = models.PositiveIntegerField(null=True, blank=True)  # entries loaded (done)
    ignored_columns = models.JSONField(default=list, blank=True)  # headers naming no column
    preview = models.JSONField(default=dict, blank=True)  # registry_data.diff_rows, once previewed
    base_version = models.PositiveIntegerField(null=True, blank=True)  # the version previewed against
    restore_of = models.ForeignKey(
        "RegistrySnapshot",
        verbose_name=_("恢复的版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    queued_at = models.DateTimeField(auto_now_add=True)  # when it was (last) queued
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the sweep's lookups and the serialising of one registry's imports: active jobs only
            models.Index(
                fields=["status", "registry"], condition=_IMPORT_ACTIVE, name="registry_import_active"
            ),
        ]
        verbose_name = _("名单导入作业")
        verbose_name_plural = pgettext_lazy("plural", "名单导入作业")

    def __str__(self) -> str:
        return f"registry import {self.pk} {self.registry} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (
            RegistryImportStatus.DONE,
            RegistryImportStatus.FAILED,
            RegistryImportStatus.CANCELLED,
        )


class RegistrySnapshot(models.Model):
    """A registry's previous version, kept when a load replaces it (one per registry: the version
    just before the current one), so that it can be restored (through a previewed import)."""

    registry = models.CharField(_("名单"), max_length=32, choices=RegistryName.choices, unique=True)
    version = models.PositiveIntegerField(_("版本"))  # the RegistryLoad version it was
    entries = models.PositiveIntegerField(_("记录数"))
    source = models.CharField(_("来源"), max_length=255, blank=True)
    loaded_at = models.DateTimeField(_("导入时间"), null=True, blank=True)  # when that version was loaded
    rows = models.JSONField(default=list, blank=True)  # its entries, as registry_data.clean_rows takes them
    saved_at = models.DateTimeField(_("替换时间"), auto_now=True)  # when it was replaced

    class Meta:
        verbose_name = _("名单的上一版本")
        verbose_name_plural = pgettext_lazy("plural", "名单的上一版本")

    def __str__(self) -> str:
        return f"{self.registry} v{self.version} ({self.entries})"


class OngoingProject(models.Model):
    id_number = models.CharField(_("证件号码"), max_length=40, db_index=True)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=OngoingRole.choices)
    program = models.CharField(_("计划/项目"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("在研项目")
        verbose_name_plural = pgettext_lazy("plural", "在研项目")

    def __str__(self) -> str:
        return f"{self.name} {self.role} {self.program}"


class MisconductEntry(models.Model):
    id_number = models.CharField(_("证件号码"), max_length=40, blank=True, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=200, blank=True)
    name_key = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("失信记录")
        verbose_name_plural = pgettext_lazy("plural", "失信记录")

    def __str__(self) -> str:
        return self.name or self.id_number or self.credit_code


class GuideExpert(models.Model):
    id_number = models.CharField(_("证件号码"), max_length=40, db_index=True)
    name = models.CharField(_("姓名"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("指南编制专家")
        verbose_name_plural = pgettext_lazy("plural", "指南编制专家")

    def __str__(self) -> str:
        return self.name


class Recommender(models.Model):
    name = models.CharField(_("推荐单位"), max_length=200)
    name_key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("推荐单位")
        verbose_name_plural = pgettext_lazy("plural", "推荐单位")

    def __str__(self) -> str:
        return self.name


class ContentFingerprint(models.Model):
    """Min-hash fingerprints of a proposal's research content, indexed so that
    near-identical content is found without comparing every pair."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="fingerprints")
    value = models.CharField(max_length=32, db_index=True)

    class Meta:
        verbose_name = _("内容指纹")
        verbose_name_plural = pgettext_lazy("plural", "内容指纹")

    def __str__(self) -> str:
        return self.value


class ReportView(models.Model):
    """The run whose report an owner last looked at, so the next visit can say what
    changed since (when someone else's run changed it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    run_seen = models.ForeignKey(
        ScreeningRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "proposal"], name="report_view_unique_per_user")
        ]
        verbose_name = _("报告查看记录")
        verbose_name_plural = pgettext_lazy("plural", "报告查看记录")

    def __str__(self) -> str:
        return f"{self.user_id} saw run {self.run_seen_id} of {self.proposal_id}"


# The officers' workspace (bulk jobs, review marks) keeps its models in its own module.
from .workspace.models import BulkJob, BulkJobPart, ProposalReview  # noqa: E402, F401
