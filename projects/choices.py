"""Choices of the projects app."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")
    SUSPENDED = "suspended", _("暂缓")


class EvaluatorRole(models.TextChoices):
    """Who rates a project: the article's 普通党员议, 领导干部评 and 群众评议."""

    PARTY_MEMBER = "party_member", _("普通党员议")
    SUPERVISOR = "supervisor", _("领导干部评")
    RESIDENT = "resident", _("群众评议")


SCORE_CHOICES = [(i, format_lazy(_("{n} 分"), n=i)) for i in range(1, 6)]
