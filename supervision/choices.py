"""Choices of the supervision app (DESIGN §2.4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiangyan.periods import PeriodKind


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("周督促")
    TENDAY = "tenday", _("旬通报")
    MONTHLY = "monthly", _("月调度")


# The period each kind of report covers: "一周一督促、一旬一通报、一月一调度".
PERIOD_OF = {
    ReportKind.WEEKLY: PeriodKind.WEEK,
    ReportKind.TENDAY: PeriodKind.TENDAY,
    ReportKind.MONTHLY: PeriodKind.MONTH,
}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPROVED = "approved", _("已审核")
    PUBLISHED = "published", _("已公布")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("待答复")
    ANSWERED = "answered", _("已答复")
    RETURNED = "returned", _("退回重办")
    CLOSED = "closed", _("已办结")


# States in which the responsible unit or community still owes an answer (and may be overdue).
OPEN_ORDER_STATUSES = (OrderStatus.ISSUED, OrderStatus.RETURNED)


class InspectionKind(models.TextChoices):
    """The roving guidance group's three ways of following up: 实地走访、集中座谈、问卷调查."""

    FIELD_VISIT = "field_visit", _("实地走访")
    FORUM = "forum", _("集中座谈")
    QUESTIONNAIRE = "questionnaire", _("问卷调查")
