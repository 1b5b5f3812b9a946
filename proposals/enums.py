from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    SCREENING = "screening", _("预审中")
    SCREENED = "screened", _("已预审")


class UnitType(models.TextChoices):
    UNIVERSITY = "university", _("高等学校")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")
    ENTERPRISE = "enterprise", _("企业")
    STATE_ORGAN = "state_organ", _("国家机关")
    INTERNATIONAL_ORGANIZATION = "international_organization", _("国际组织")
    OTHER = "other", _("其他")


class UnitRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    PARTICIPANT = "participant", _("参与")


class PersonRole(models.TextChoices):
    PI = "pi", _("项目负责人")
    MEMBER = "member", _("项目骨干")


class Gender(models.TextChoices):
    """A person's gender (性别). Stored blank when unknown: for a mainland resident ID the
    17th digit tells it (proposals.identifiers.gender_from_id); for other documents the
    typed value is the only source."""

    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("全职")
    PART_TIME = "part_time", _("兼职")


class AttachmentKind(models.TextChoices):
    RECOMMENDATION_LETTER = "recommendation_letter", _("推荐函")
    EMPLOYMENT_PROOF = "employment_proof", _("聘用证明")
    COOPERATION_AGREEMENT = "cooperation_agreement", _("合作协议")
    DRAFT = "draft", _("申报书草稿")


class UploadState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("读取中")
    DONE = "done", _("已读取")
    FAILED = "failed", _("失败")
