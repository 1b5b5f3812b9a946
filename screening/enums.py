from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Outcome(models.TextChoices):
    PASS = "pass", _("通过")
    FAIL = "fail", _("不通过")
    WARN = "warn", _("提醒")
    UNKNOWN = "unknown", _("无法判定")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class RegistryName(models.TextChoices):
    ONGOING_PROJECTS = "ongoing_projects", _("在研项目")
    MISCONDUCT = "misconduct", _("失信记录")
    GUIDE_EXPERTS = "guide_experts", _("指南编制专家")
    RECOMMENDERS = "recommenders", _("推荐单位")


class OngoingRole(models.TextChoices):
    PROJECT_LEAD = "project_lead", _("项目负责人")
    TASK_LEAD = "task_lead", _("任务（课题）负责人")
