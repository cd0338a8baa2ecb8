"""Choices of the surveys app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiangyan.core.moves import Machine, Move


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("评分（1–5）")
    NUMBER = "number", _("数字")
    TEXT = "text", _("文字")


class Channel(models.TextChoices):
    ONLINE = "online", _("在线")
    VISIT = "visit", _("大走访")
    NIGHT_VISIT = "night_visit", _("夜访")
    FORUM = "forum", _("座谈会")
    IMPORT = "import", _("问卷导入")


# Channels a staff member records when entering a paper questionnaire.
PAPER_CHANNELS = (Channel.VISIT, Channel.NIGHT_VISIT, Channel.FORUM)


class SurveyWindow:
    """Where a survey stands now (``Survey.window_state``, derived from ``published`` and its dates)."""

    UNPUBLISHED, SCHEDULED, OPEN, CLOSED = "unpublished", "scheduled", "open", "closed"


# What may be done with a survey (``jiangyan.core.moves``; predicates in ``selectors.SURVEY_ROLES``): while it
# is open, a ``respondent`` (anybody signed in, or anybody at all where it allows anonymous answers) answers
# it online once (``not_answered``: by account or the account's phone), and community staff of a community
# (``community_staff``) or the office enter paper questionnaires. Neither moves its state.
SURVEY_MOVES = Machine(
    (
        Move((SurveyWindow.OPEN,), "answer", SurveyWindow.OPEN, ("respondent",), ("not_answered",)),
        Move((SurveyWindow.OPEN,), "enter", SurveyWindow.OPEN, ("community_staff", "office")),
    ),
    state_field="window_state",
)
SURVEY_ACTION_CHOICES = [(name, name) for name in SURVEY_MOVES.actions]


class SuggestionSource(models.TextChoices):
    ANSWER = "answer", _("问卷建议题")
    FORM = "form", _("建议征集表")


class DutyStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


# The tone of each status's badge (``{% status_badge %}``; past the deadline it is marked overdue).
DUTY_TONES = {DutyStatus.DONE: "ok"}


# How a duty item's status may move (``jiangyan.core.moves``; predicates in ``selectors.DUTY_ROLES``). The
# unit (``unit``: staff of the item's unit) moves it forward: 未开始 → 推进中 → 已完成, or straight from
# 未开始 to 已完成 when the work needed no interim report; the office (``office``: admins) may too. Nothing
# moves back to 未开始. A finished item counts in the conversion figures and the bulletins, so only the office
# may reopen it (已完成 → 推进中).
DUTY_MOVES = Machine(
    (
        Move((DutyStatus.NOT_STARTED,), "start", DutyStatus.IN_PROGRESS, ("unit", "office")),
        Move((DutyStatus.NOT_STARTED, DutyStatus.IN_PROGRESS), "finish", DutyStatus.DONE, ("unit", "office")),
        Move((DutyStatus.DONE,), "reopen", DutyStatus.IN_PROGRESS, ("office",)),
    )
)
DUTY_ACTION_CHOICES = [(name, name) for name in DUTY_MOVES.actions]


def duty_move_action(current: str, new: str) -> str | None:
    """The action (``DUTY_MOVES``) that takes a duty item from ``current`` to ``new``, if any."""
    for name in DUTY_MOVES.actions:
        move = DUTY_MOVES.move(name, current)
        if move is not None and move.target == new:
            return name
    return None


def duty_move_allowed(current: str, new: str, *, office: bool) -> bool:
    """May a duty item go from ``current`` to ``new`` (the same status is no move)? ``office``: the actor
    is the office (admin), who may also reopen a finished item."""
    if current == new:
        return True
    name = duty_move_action(current, new)
    if name is None:
        return False
    roles = DUTY_MOVES.move(name, current).roles
    return "office" in roles if office else "unit" in roles


RATING_MIN = 1
RATING_MAX = 5
TEXT_MAX_LENGTH = 1000
