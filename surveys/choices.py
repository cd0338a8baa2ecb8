"""Choices of the surveys app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class SuggestionSource(models.TextChoices):
    ANSWER = "answer", _("问卷建议题")
    FORM = "form", _("建议征集表")


class DutyStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


# How a duty item's status may move. The unit moves it forward: 未开始 → 推进中 → 已完成, or straight from
# 未开始 to 已完成 when the work needed no interim report. Nothing moves back to 未开始. A finished item
# counts in the conversion figures and the bulletins, so only the office may reopen it (已完成 → 推进中).
DUTY_MOVES: dict[str, frozenset[str]] = {
    DutyStatus.NOT_STARTED: frozenset({DutyStatus.IN_PROGRESS, DutyStatus.DONE}),
    DutyStatus.IN_PROGRESS: frozenset({DutyStatus.DONE}),
    DutyStatus.DONE: frozenset(),
}
DUTY_OFFICE_MOVES: dict[str, frozenset[str]] = {
    DutyStatus.DONE: frozenset({DutyStatus.IN_PROGRESS}),
}


def duty_move_allowed(current: str, new: str, *, office: bool) -> bool:
    """May a duty item go from ``current`` to ``new`` (the same status is no move)? ``office``: the actor
    is the office (admin), who may also reopen a finished item."""
    if current == new:
        return True
    allowed = DUTY_MOVES.get(current, frozenset())
    if office:
        allowed |= DUTY_OFFICE_MOVES.get(current, frozenset())
    return new in allowed


RATING_MIN = 1
RATING_MAX = 5
TEXT_MAX_LENGTH = 1000
