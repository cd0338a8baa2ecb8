"""Choices of the projects app."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jiangyan.core.moves import Machine, Move


class ProjectStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")
    SUSPENDED = "suspended", _("暂缓")


# The status moves made by hand (``services.project_status_change``, always with a reason) and who may make
# them (``jiangyan.core.moves``; predicates in ``selectors.PROJECT_ROLES``): the lead unit (``lead_unit``:
# staff of the project's lead unit) starts, suspends and resumes its own projects, and the office (admins) may
# too; completing a project by hand or reopening a completed one is the office's alone. (A project also
# becomes 已完成 when its last milestone is done.)
LEAD_UNIT, OFFICE = "lead_unit", "office"
STATUS_MOVES = Machine(
    (
        Move((ProjectStatus.NOT_STARTED,), "start", ProjectStatus.IN_PROGRESS, (LEAD_UNIT, OFFICE)),
        Move(
            (ProjectStatus.NOT_STARTED, ProjectStatus.IN_PROGRESS),
            "suspend",
            ProjectStatus.SUSPENDED,
            (LEAD_UNIT, OFFICE),
        ),
        Move((ProjectStatus.SUSPENDED,), "resume", ProjectStatus.IN_PROGRESS, (LEAD_UNIT, OFFICE)),
        Move(
            (ProjectStatus.IN_PROGRESS, ProjectStatus.SUSPENDED),
            "complete",
            ProjectStatus.COMPLETED,
            (OFFICE,),
        ),
        Move((ProjectStatus.COMPLETED,), "reopen", ProjectStatus.IN_PROGRESS, (OFFICE,)),
    )
)
PROJECT_ACTION_CHOICES = [(name, name) for name in STATUS_MOVES.actions]


def status_move_action(current: str, new: str) -> str | None:
    """The action (``STATUS_MOVES``) that takes a project from ``current`` to ``new``, if any."""
    for name in STATUS_MOVES.actions:
        move = STATUS_MOVES.move(name, current)
        if move is not None and move.target == new:
            return name
    return None


class EvaluatorRole(models.TextChoices):
    """Who rates a project: the article's 普通党员议, 领导干部评 and 群众评议."""

    PARTY_MEMBER = "party_member", _("普通党员议")
    SUPERVISOR = "supervisor", _("领导干部评")
    RESIDENT = "resident", _("群众评议")


class EvaluationWindow(models.TextChoices):
    """Whether evaluation is open today (read from the rounds: ``EvaluationRound``)."""

    OPEN = "open", _("评价中")
    CLOSED = "closed", _("不在评价时段")


# Evaluating a project (``jiangyan.core.moves``; predicates in ``selectors.EVALUATION_ROLES`` / ``_GUARDS``):
# while a round is open, an ``evaluator`` (a supervisor, party member or resident, in that role) rates a
# project once in the round (``not_rated``) when some criterion is asked of their role (``asked``). Nothing
# moves.
EVALUATOR, ASKED, NOT_RATED = "evaluator", "asked", "not_rated"
EVALUATION_MOVES = Machine(
    (Move((EvaluationWindow.OPEN,), "evaluate", EvaluationWindow.OPEN, (EVALUATOR,), (ASKED, NOT_RATED)),),
    state_field="evaluation_window",
)
EVALUATION_ACTION_CHOICES = [(name, name) for name in EVALUATION_MOVES.actions]


SCORE_CHOICES = [(i, format_lazy(_("{n} 分"), n=i)) for i in range(1, 6)]


class ImportTarget(models.TextChoices):
    """What a word of the office's spreadsheets is read as (``ImportSynonym``): a column of one of the three
    kinds of sheet, a status or a yes/no of 是否公开. The part before the dot is the word's space: a word
    means one thing in a space (牵头单位 is one column of a project sheet)."""

    PROJECT_CODE = "project.code", _("项目表：编号")
    PROJECT_TITLE = "project.title", _("项目表：项目名称")
    PROJECT_SUMMARY = "project.summary", _("项目表：项目简介")
    PROJECT_PROGRAM = "project.program", _("项目表：工程")
    PROJECT_DOMAIN = "project.domain", _("项目表：领域")
    PROJECT_GROUPS = "project.target_groups", _("项目表：服务对象")
    PROJECT_LEAD = "project.lead_unit", _("项目表：领办单位")
    PROJECT_COOPERATING = "project.cooperating_units", _("项目表：协办单位")
    PROJECT_LEADER = "project.responsible_leader", _("项目表：责任领导")
    PROJECT_TOWNS = "project.towns", _("项目表：实施镇街")
    PROJECT_START = "project.planned_start", _("项目表：计划开始")
    PROJECT_END = "project.planned_end", _("项目表：计划完成")
    PROJECT_PERIOD = "project.period", _("项目表：起止时间（开始和完成写在一格）")
    PROJECT_PUBLIC = "project.is_public", _("项目表：是否公开")
    PROJECT_STATUS = "project.status", _("项目表：状态")
    MILESTONE_CODE = "milestone.code", _("节点表：项目编号")
    MILESTONE_NAME = "milestone.name", _("节点表：节点名称")
    MILESTONE_PLANNED = "milestone.planned_date", _("节点表：计划完成日期")
    MILESTONE_WEIGHT = "milestone.weight", _("节点表：权重")
    MILESTONE_DONE = "milestone.done_date", _("节点表：实际完成日期")
    MILESTONE_EVIDENCE = "milestone.evidence", _("节点表：完成佐证")
    INDICATOR_CODE = "indicator.code", _("指标表：项目编号")
    INDICATOR_NAME = "indicator.name", _("指标表：指标名称")
    INDICATOR_UNIT = "indicator.unit", _("指标表：计量单位")
    INDICATOR_TARGET = "indicator.target_value", _("指标表：目标值")
    INDICATOR_CURRENT = "indicator.current_value", _("指标表：当前值")
    STATUS_NOT_STARTED = "status.not_started", _("状态：未启动")
    STATUS_IN_PROGRESS = "status.in_progress", _("状态：推进中")
    STATUS_COMPLETED = "status.completed", _("状态：已完成")
    STATUS_SUSPENDED = "status.suspended", _("状态：暂缓")
    PUBLIC_YES = "public.yes", _("是否公开：是")
    PUBLIC_NO = "public.no", _("是否公开：否")


# The column of the import each column target reads as: the template's header (起止时间, start and end in one
# cell, is a column only the offices' lists have). Headers and values not here are read by ``ImportSynonym``.
IMPORT_COLUMNS: dict[str, str] = {
    ImportTarget.PROJECT_CODE: "编号",
    ImportTarget.PROJECT_TITLE: "项目名称",
    ImportTarget.PROJECT_SUMMARY: "项目简介",
    ImportTarget.PROJECT_PROGRAM: "工程",
    ImportTarget.PROJECT_DOMAIN: "领域",
    ImportTarget.PROJECT_GROUPS: "服务对象",
    ImportTarget.PROJECT_LEAD: "领办单位",
    ImportTarget.PROJECT_COOPERATING: "协办单位",
    ImportTarget.PROJECT_LEADER: "责任领导",
    ImportTarget.PROJECT_TOWNS: "实施镇街",
    ImportTarget.PROJECT_START: "计划开始",
    ImportTarget.PROJECT_END: "计划完成",
    ImportTarget.PROJECT_PERIOD: "起止时间",
    ImportTarget.PROJECT_PUBLIC: "是否公开",
    ImportTarget.PROJECT_STATUS: "状态",
    ImportTarget.MILESTONE_CODE: "项目编号",
    ImportTarget.MILESTONE_NAME: "节点名称",
    ImportTarget.MILESTONE_PLANNED: "计划完成日期",
    ImportTarget.MILESTONE_WEIGHT: "权重",
    ImportTarget.MILESTONE_DONE: "实际完成日期",
    ImportTarget.MILESTONE_EVIDENCE: "完成佐证",
    ImportTarget.INDICATOR_CODE: "项目编号",
    ImportTarget.INDICATOR_NAME: "指标名称",
    ImportTarget.INDICATOR_UNIT: "计量单位",
    ImportTarget.INDICATOR_TARGET: "目标值",
    ImportTarget.INDICATOR_CURRENT: "当前值",
}
