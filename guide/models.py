"""The guide as data.

A year's guide is read into versions (`GuideVersion`): each ingest or upload is a
draft holding the parsed document as JSON (`guide.parsing.types.to_json`, with the
source of every value), which officers review and correct (`GuideCorrection`) and
publish. Publishing writes the published version into the rows below (one `Guide` per
year, with its areas, directions, indicators, partner requirements and formal-review
clauses): the rows are what screening and the public pages read, so they only ever
hold a published version. Rows are written only by `guide.services`."""

import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from common.models import Leased

ITEM_START = re.compile(r"^[(（]\d+[)）]")
COMPARATOR_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "range": "~"}


class Guide(models.Model):
    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=300)
    declared_direction_count = models.PositiveIntegerField(_("声明的方向数"), null=True, blank=True)
    total_budget_yuan = models.BigIntegerField(_("国拨经费概算（元）"), null=True, blank=True)
    projects_min = models.PositiveIntegerField(_("每个方向拟支持项目数下限"), null=True, blank=True)
    projects_max = models.PositiveIntegerField(_("每个方向拟支持项目数上限"), null=True, blank=True)
    pi_born_on_or_after = models.DateField(_("负责人出生不早于"), null=True, blank=True)
    unit_registered_by = models.DateField(_("单位注册不晚于"), null=True, blank=True)
    max_domestic_units = models.PositiveIntegerField(_("中方参与单位上限"), null=True, blank=True)
    min_foreign_units = models.PositiveIntegerField(_("国（境）外单位下限"), null=True, blank=True)
    max_duration_years = models.PositiveIntegerField(_("实施周期上限（年）"), null=True, blank=True)
    subtasks_allowed = models.BooleanField(_("可下设任务"), null=True, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("来源文件 SHA-256"), max_length=64, blank=True)
    english_source = models.CharField(_("英文数据文件"), max_length=255, blank=True)
    warnings = models.JSONField(_("解析提示"), default=list, blank=True)
    ingested_at = models.DateTimeField(_("导入时间"), auto_now=True)
    published_version = models.ForeignKey(
        "GuideVersion",
        verbose_name=_("已发布版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where the general values were read (guide.parsing.types.ParsedGuide.sources, as JSON).
    sources = models.JSONField(_("出处"), default=dict, blank=True)
    document_kind = models.CharField(_("文件类型"), max_length=8, blank=True)
    # Every condition with its scope (guide.parsing.conditions.all_conditions, as JSON): what screening
    # and the pages resolve for a proposal; the call-wide columns above are its call-wide values.
    conditions = models.JSONField(_("申报条件"), default=list, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("指南")
        verbose_name_plural = pgettext_lazy("plural", "指南")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Area(models.Model):
    guide = models.ForeignKey(Guide, verbose_name=_("指南"), on_delete=models.CASCADE, related_name="areas")
    number = models.PositiveIntegerField(_("编号"))
    title = models.CharField(_("领域"), max_length=300)
    intro = models.TextField(_("简介"), blank=True)
    source = models.JSONField(_("出处"), null=True, blank=True)

    class Meta:
        ordering = ["guide", "number"]
        constraints = [models.UniqueConstraint(fields=["guide", "number"], name="area_unique_per_guide")]
        verbose_name = _("领域")
        verbose_name_plural = pgettext_lazy("plural", "领域")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Direction(models.Model):
    guide = models.ForeignKey(
        Guide, verbose_name=_("指南"), on_delete=models.CASCADE, related_name="directions"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("领域"), on_delete=models.CASCADE, related_name="directions"
    )
    code = models.CharField(_("方向编号"), max_length=16)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    title = models.CharField(_("方向名称"), max_length=300)
    title_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    keywords_en = models.TextField(_("英文关键词"), blank=True)
    research_content = models.TextField(_("研究内容"), blank=True)
    research_items = models.JSONField(_("研究内容子项"), default=list, blank=True)
    indicators_text = models.TextField(_("考核指标"), blank=True)
    matching_ratio = models.DecimalField(
        _("配套经费比例"), max_digits=6, decimal_places=2, null=True, blank=True, db_index=True
    )
    # The ratio that applies here (guide.parsing.conditions.resolve at publishing): the direction's own, or
    # its project type's or the call's; what the list, its filter and the call's summary show.
    applied_ratio = models.DecimalField(
        _("适用的配套经费比例"), max_digits=6, decimal_places=2, null=True, blank=True, db_index=True
    )
    notes = models.TextField(_("有关说明"), blank=True)
    other_requirements = models.TextField(_("其他要求"), blank=True)
    # The project types of its title's tag (基础研究类, 青年科学家项目 …): scopes of conditions.
    project_types = models.JSONField(_("项目类型"), default=list, blank=True)
    sources = models.JSONField(_("出处"), default=dict, blank=True)

    class Meta:
        ordering = ["guide", "position"]
        constraints = [models.UniqueConstraint(fields=["guide", "code"], name="direction_unique_per_guide")]
        verbose_name = _("指南方向")
        verbose_name_plural = pgettext_lazy("plural", "指南方向")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title_localized(self) -> str:
        """The English title when English is active and the guide has one, else the guide's title."""
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title

    @property
    def quantitative_count(self) -> int:
        """Indicators with a comparator (uses the prefetched indicators)."""
        return sum(1 for i in self.indicators.all() if i.quantitative)

    @property
    def research_intro(self) -> str:
        """The research content without its numbered sub-items (shown as a list)."""
        return "\n".join(
            line for line in self.research_content.splitlines() if not ITEM_START.match(line.strip())
        )


class Indicator(models.Model):
    direction = models.ForeignKey(
        Direction, verbose_name=_("指南方向"), on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveIntegerField(_("顺序"))
    text = models.TextField(_("原文"))
    subject = models.CharField(_("指标对象"), max_length=300, blank=True)
    comparator = models.CharField(_("比较"), max_length=8, blank=True)
    value = models.FloatField(_("数值"), null=True, blank=True)
    value_max = models.FloatField(_("数值上限"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=64, blank=True)
    source = models.JSONField(_("出处"), null=True, blank=True)

    class Meta:
        ordering = ["direction", "position"]
        verbose_name = _("考核指标")
        verbose_name_plural = pgettext_lazy("plural", "考核指标")

    def __str__(self) -> str:
        return self.text

    @property
    def quantitative(self) -> bool:
        return bool(self.comparator)

    @property
    def comparator_symbol(self) -> str:
        return COMPARATOR_SYMBOLS.get(self.comparator, self.comparator)


class PartnerRequirement(models.Model):
    class Kind(models.TextChoices):
        FOREIGN_COUNTRIES = "foreign_countries", _("国外合作国家数")
        CONTINENTS = "continents", _("合作单位所在大洲")
        INSTITUTION_KIND = "institution_kind", _("须有的参与机构类型")
        LICENCE = "licence", _("须具备的资质")

    class Strength(models.TextChoices):
        REQUIRED = "required", _("申报时须满足")
        INDICATOR = "indicator", _("执行期内须达到")

    direction = models.ForeignKey(
        Direction, verbose_name=_("指南方向"), on_delete=models.CASCADE, related_name="partner_requirements"
    )
    kind = models.CharField(_("要求"), max_length=32, choices=Kind.choices, db_index=True)
    value = models.JSONField(_("数值"))
    strength = models.CharField(_("性质"), max_length=16, choices=Strength.choices)
    counts_regions = models.BooleanField(_("地区和国际组织也计入"), default=False)
    text = models.TextField(_("原文"), blank=True)
    source = models.JSONField(_("出处"), null=True, blank=True)

    class Meta:
        ordering = ["direction", "id"]
        verbose_name = _("合作要求")
        verbose_name_plural = pgettext_lazy("plural", "合作要求")

    def __str__(self) -> str:
        return f"{self.direction.code} {self.kind}={self.value}"


class FormalClause(models.Model):
    guide = models.ForeignKey(
        Guide, verbose_name=_("指南"), on_delete=models.CASCADE, related_name="formal_clauses"
    )
    clause = models.CharField(_("条款"), max_length=16)
    section = models.PositiveIntegerField(_("节"))
    section_title = models.CharField(_("节标题"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    text = models.TextField(_("原文"))
    source = models.JSONField(_("出处"), null=True, blank=True)

    class Meta:
        ordering = ["guide", "position"]
        constraints = [models.UniqueConstraint(fields=["guide", "clause"], name="clause_unique_per_guide")]
        verbose_name = _("形式审查条款")
        verbose_name_plural = pgettext_lazy("plural", "形式审查条款")

    def __str__(self) -> str:
        return f"{self.clause} {self.text[:40]}"


def guide_file_path(instance, filename: str) -> str:
    # Random names: the original name is kept in the row, never in the path.
    return f"private/guides/{uuid.uuid4().hex}"


class GuideVersion(Leased):
    """One reading of a guide document: a draft until an officer publishes it.

    `data` is the parse as read (`to_json`, with sources and warnings); the corrections
    are kept apart (`GuideCorrection`) and applied on top of it, so a reader improvement
    can re-read the same file and the corrections are re-applied to the new reading."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队等待读取")
        READING = "reading", _("正在读取")
        FAILED = "failed", _("读取失败")
        DRAFT = "draft", _("待审核草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版本取代")

    class PublishState(models.TextChoices):
        """The publishing job of a draft (guide.services.publishing): the version stays a draft
        until the job has written it into the rows; a failed job leaves it a draft, with its error."""

        QUEUED = "queued", _("排队等待发布")
        PUBLISHING = "publishing", _("正在发布")
        DONE = "done", _("已发布")
        FAILED = "failed", _("发布失败")

    year = models.PositiveIntegerField(_("年度"), null=True, blank=True, db_index=True)  # known once read
    number = models.PositiveIntegerField(_("版本号"), null=True, blank=True)  # 1, 2 … within the year
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("文件"), upload_to=guide_file_path, null=True, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    sha256 = models.CharField(_("来源文件 SHA-256"), max_length=64, blank=True, db_index=True)
    kind = models.CharField(_("文件类型"), max_length=8, blank=True)  # pdf / docx / text
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    reader_version = models.CharField(_("解析程序版本"), max_length=32, blank=True)
    data = models.JSONField(_("解析结果"), default=dict, blank=True)
    english = models.JSONField(_("英文数据"), null=True, blank=True)  # guide.parsing.english, as read
    english_source = models.CharField(_("英文数据文件"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveIntegerField(default=0)  # times a worker has started reading it
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("读取完成时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # Notices of the reading (warnings and items to check) plus corrections that could not be
    # carried over: the versions page shows it without loading `data`.
    warning_count = models.PositiveIntegerField(_("提示数"), default=0)
    # What was carried over from an earlier reading of the same file (guide.services.versions):
    # {"from": pk, "from_label": "2022 v1", "applied": [address…], "resolved": [{address, value,
    # reason, correction}…] (the reader now reads these right by itself), "vanished": […] (their
    # address is no longer in the reading)}.
    carried = models.JSONField(_("沿用的更正"), default=dict, blank=True)
    # Publishing as a job (guide.services.publishing): asked by whom and when, (re)queued, claimed
    # (under the lease fields, free again once the reading is over), attempts, and "<code>: <line>"
    # of a failure (guide.services.publishing.publish_error splits it).
    publish_state = models.CharField(
        _("发布作业"), max_length=16, choices=PublishState.choices, blank=True, default=""
    )
    publish_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publish_requested_at = models.DateTimeField(_("申请发布时间"), null=True, blank=True)
    publish_queued_at = models.DateTimeField(null=True, blank=True)
    publish_started_at = models.DateTimeField(null=True, blank=True)
    publish_attempts = models.PositiveIntegerField(default=0)  # times a worker has started publishing it
    publish_error = models.TextField(_("发布错误"), blank=True)

    class Meta:
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="guide_version_unique_number"),
        ]
        indexes = [models.Index(fields=["status", "started_at"])]
        verbose_name = _("指南版本")
        verbose_name_plural = pgettext_lazy("plural", "指南版本")

    def __str__(self) -> str:
        if self.year is None:
            return f"{self.source_name} ({self.get_status_display()})"
        return f"{self.year} v{self.number} ({self.get_status_display()})"

    @property
    def label(self) -> str:
        """“2022 v3”: how a version is named on the pages and on the command line."""
        return f"{self.year} v{self.number}" if self.year is not None else self.source_name


class GuideCorrection(models.Model):
    """An officer's correction of one parsed value, with who, when and why.

    `address` names the value (guide.parsing.addresses: "eligibility.pi_born_on_or_after",
    "directions[1.1].indicators[3].value", "formal_review[1(2)].text" …); `parsed_value` is what
    the reader gave, `value` what the officer set. The latest correction of an address that is not
    reverted wins (reverting goes back to the parsed value: it reverts every correction of the address).
    `carried_from` is the correction of an earlier version of the same document this one
    re-applies."""

    version = models.ForeignKey(
        GuideVersion, verbose_name=_("指南版本"), on_delete=models.CASCADE, related_name="corrections"
    )
    address = models.CharField(_("位置"), max_length=300)
    parsed_value = models.JSONField(_("解析值"), null=True, blank=True)
    value = models.JSONField(_("更正值"), null=True, blank=True)
    reason = models.TextField(_("理由"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True)
    carried_from = models.ForeignKey(
        "self", verbose_name=_("沿用自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A reverted correction no longer applies (kept for the record).
    reverted_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["version", "created_at", "id"]
        indexes = [models.Index(fields=["version", "address"])]
        verbose_name = _("解析更正")
        verbose_name_plural = pgettext_lazy("plural", "解析更正")

    def __str__(self) -> str:
        return f"{self.address} = {self.value!r}"


class GuideCheckMark(models.Model):
    """An officer's "checked" on an item of a draft the reader asked to check (a qualitative indicator,
    a value read without its comparator …): who and when. One per item and version; taking it back
    deletes it (both are in the audit trail). ``item`` is the item's address
    (guide.parsing.addresses: "directions[1.2].indicators[0]")."""

    version = models.ForeignKey(
        GuideVersion, verbose_name=_("指南版本"), on_delete=models.CASCADE, related_name="check_marks"
    )
    item = models.CharField(_("位置"), max_length=300)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("核对时间"), auto_now_add=True)

    class Meta:
        ordering = ["version", "checked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="guide_check_mark_unique_item"),
        ]
        verbose_name = _("核对标记")
        verbose_name_plural = pgettext_lazy("plural", "核对标记")

    def __str__(self) -> str:
        return f"{self.version_id} {self.item}"
