"""Choices of the projects app."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")
    SUSPENDED = "suspended", _("暂缓")


# The status moves made by hand (``services.project_status_change``, always with a reason) and who may make
# them: the lead unit starts, suspends and resumes its own projects; completing a project by hand or
# reopening a completed one is the office's. (A project also becomes 已完成 when its last milestone is done.)
LEAD_UNIT, OFFICE = "lead_unit", "office"
STATUS_MOVES: dict[tuple[str, str], str] = {
    (ProjectStatus.NOT_STARTED, ProjectStatus.IN_PROGRESS): LEAD_UNIT,
    (ProjectStatus.NOT_STARTED, ProjectStatus.SUSPENDED): LEAD_UNIT,
    (ProjectStatus.IN_PROGRESS, ProjectStatus.SUSPENDED): LEAD_UNIT,
    (ProjectStatus.SUSPENDED, ProjectStatus.IN_PROGRESS): LEAD_UNIT,
    (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED): OFFICE,
    (ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED): OFFICE,
    (ProjectStatus.COMPLETED, ProjectStatus.IN_PROGRESS): OFFICE,
}


class EvaluatorRole(models.TextChoices):
    """Who rates a project: the article's 普通党员议, 领导干部评 and 群众评议."""

    PARTY_MEMBER = "party_member", _("普通党员议")
    SUPERVISOR = "supervisor", _("领导干部评")
    RESIDENT = "resident", _("群众评议")


SCORE_CHOICES = [(i, format_lazy(_("{n} 分"), n=i)) for i in range(1, 6)]
