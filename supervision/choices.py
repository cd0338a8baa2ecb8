"""Choices of the supervision app (DESIGN §2.4)."""

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from jiangyan.core.moves import Machine, Move
from jiangyan.core.periods import Period, PeriodKind


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

# A report's title: its period's label and what it is (``2021年6月中旬工作通报``, ``Ten-day bulletin, Mid-June
# 2021``), in the active language (``supervision.reports.title`` stores the site's).
REPORT_TITLES = {
    ReportKind.WEEKLY: gettext_noop("%(period)s督促提醒"),
    ReportKind.TENDAY: gettext_noop("%(period)s工作通报"),
    ReportKind.MONTHLY: gettext_noop("%(period)s工作调度"),
}


def report_title(kind: str, period: Period) -> str:
    return gettext(REPORT_TITLES[kind]) % {"period": period.label}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPROVED = "approved", _("已审核")
    PUBLISHED = "published", _("已公布")


# The tone of each status's badge (``{% status_badge %}``); a status not named is plain.
REPORT_TONES = {ReportStatus.PUBLISHED: "ok", ReportStatus.DRAFT: "warn"}


# Who moves a report (``jiangyan.core.moves``; predicates in ``selectors.REPORT_ROLES``/``REPORT_GUARDS``):
# the supervisors review it, publish it (only a ten-day bulletin is public: ``public_kind``) and, while it
# waits for review, generate it again from the latest data.
REPORT_MOVES = Machine(
    (
        Move((ReportStatus.DRAFT,), "approve", ReportStatus.APPROVED, ("supervisor",)),
        Move((ReportStatus.APPROVED,), "publish", ReportStatus.PUBLISHED, ("supervisor",), ("public_kind",)),
        Move((ReportStatus.DRAFT,), "regenerate", ReportStatus.DRAFT, ("supervisor",)),
    )
)
REPORT_ACTION_CHOICES = [(name, name) for name in REPORT_MOVES.actions]


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("待答复")
    ANSWERED = "answered", _("已答复")
    RETURNED = "returned", _("退回重办")
    CLOSED = "closed", _("已办结")


ORDER_TONES = {OrderStatus.CLOSED: "ok", OrderStatus.ANSWERED: "warn"}


# States in which the responsible unit or community still owes an answer (and may be overdue).
OPEN_ORDER_STATUSES = (OrderStatus.ISSUED, OrderStatus.RETURNED)

# Who moves an order: ``respondent`` the staff of its responsible unit or community
# (``SupervisionOrder.objects.answerable_by``) answer it; any ``supervisor`` returns or closes the answer.
ORDER_MOVES = Machine(
    (
        Move(OPEN_ORDER_STATUSES, "answer", OrderStatus.ANSWERED, ("respondent",)),
        Move((OrderStatus.ANSWERED,), "return", OrderStatus.RETURNED, ("supervisor",)),
        Move((OrderStatus.ANSWERED,), "close", OrderStatus.CLOSED, ("supervisor",)),
    )
)
ORDER_ACTION_CHOICES = [(name, name) for name in ORDER_MOVES.actions]


class InspectionKind(models.TextChoices):
    """The roving guidance group's three ways of following up: 实地走访、集中座谈、问卷调查."""

    FIELD_VISIT = "field_visit", _("实地走访")
    FORUM = "forum", _("集中座谈")
    QUESTIONNAIRE = "questionnaire", _("问卷调查")


class LeadingBody(models.TextChoices):
    """The district's four leading bodies (四套班子), whose members hold contact points."""

    COMMITTEE = "committee", _("区委")
    CONGRESS = "congress", _("区人大常委会")
    GOVERNMENT = "government", _("区政府")
    CPPCC = "cppcc", _("区政协")
