"""Needs survey → problem list → duty list (需求调研, 问题清单, 履职清单).

A survey's responses hold one ``Answer`` row per answered question, and one row per chosen option of a
multiple-choice question, so every chart of the analytics page is a ``GROUP BY`` over ``Answer``.
Suggestions (建议) come from suggestion questions and from the free form; the office codes each into a
``ProblemItem``; each item becomes ``DutyItem`` rows (unit, action, deadline, status); items and duty items
link to projects (the links live here: the projects app has no key to this app)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiangyan.core.roles import Role, has_role, is_admin
from jiangyan.core.scoping import ScopedQuerySet
from jiangyan.helpers import clock
from jiangyan.helpers.fields import BlindIndexField, EncryptedTextField
from jiangyan.models import OrderedLookup

from .choices import DUTY_TONES, Channel, DutyStatus, QuestionKind, SuggestionSource, SurveyWindow


class SurveyQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "SurveyQuerySet":
        """Published surveys for everybody; drafts too for admins."""
        if is_admin(user):
            return self.all()
        return self.filter(published=True)

    def editable_by(self, user) -> "SurveyQuerySet":
        """The office builds surveys and imports their responses."""
        return self.all() if is_admin(user) else self.none()

    def open_at(self, when=None) -> "SurveyQuerySet":
        when = when or clock.now()
        return self.filter(published=True, opens_at__lte=when, closes_at__gt=when)


class Survey(models.Model):
    """A questionnaire (问卷), built in the admin, answered between ``opens_at`` and ``closes_at``."""

    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("结束时间"))
    # When the phones of its responses were erased (PIPL retention, ``surveys.services.survey_erase_phones``);
    # their blind index stays, so a phone still cannot answer twice.
    phones_erased_at = models.DateTimeField(_("手机号删除时间"), null=True, blank=True)
    allow_anonymous = models.BooleanField(
        _("允许匿名填写"), default=True, help_text=_("匿名填写须留手机号，每个手机号限填一次。")
    )
    published = models.BooleanField(_("发布"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:answer", kwargs={"pk": self.pk})

    def window_error(self, when=None) -> str:
        """The reason the survey cannot be answered at ``when`` (empty when it is open)."""
        when = when or clock.now()
        if not self.published:
            return str(_("问卷尚未发布"))
        if when < self.opens_at:
            return str(_("问卷尚未开始"))
        if when >= self.closes_at:
            return str(_("问卷已结束"))
        return ""

    @property
    def is_open(self) -> bool:
        return not self.window_error()

    @property
    def window_state(self) -> str:
        """The state ``choices.SURVEY_MOVES`` reads: unpublished, scheduled, open or closed (now)."""
        when = clock.now()
        if not self.published:
            return SurveyWindow.UNPUBLISHED
        if when < self.opens_at:
            return SurveyWindow.SCHEDULED
        return SurveyWindow.OPEN if when < self.closes_at else SurveyWindow.CLOSED


class Question(models.Model):
    """A question of a survey. A text question marked ``is_suggestion`` feeds the suggestion pool."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("题目"), max_length=200)
    help_text = models.CharField(_("说明"), max_length=200, blank=True)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    required = models.BooleanField(_("必答"), default=True)
    is_suggestion = models.BooleanField(
        _("作为建议"), default=False, help_text=_("文字题：答案进入建议池，由办公室编码到问题清单。")
    )
    min_value = models.FloatField(_("最小值"), null=True, blank=True, help_text=_("数字题"))
    max_value = models.FloatField(_("最大值"), null=True, blank=True, help_text=_("数字题"))

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["survey_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"

    @property
    def field_name(self) -> str:
        """The form field (and API error key) of this question."""
        return f"q_{self.pk}"

    @property
    def has_options(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Option(models.Model):
    """An option of a single or multiple choice question."""

    question = models.ForeignKey(
        Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("选项"), max_length=120)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["question_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


class ResponseQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "ResponseQuerySet":
        """Admins and supervisors see every response, community staff their community's, nobody else any."""
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        if has_role(user, Role.COMMUNITY_STAFF) and getattr(user, "community_id", None):
            return self.filter(community_id=user.community_id)
        return self.none()

    def editable_by(self, user) -> "ResponseQuerySet":
        """A response is never changed once submitted (``ScopedQuerySet``'s default: nobody)."""
        return self.none()


class Response(models.Model):
    """One filled questionnaire: online by a resident, or entered by staff from paper or a spreadsheet.

    At most one per phone number and one per account in a survey (database constraints, so two
    simultaneous submissions cannot both pass). The phone is stored encrypted; the rule holds on its blind
    index, which outlives the erasure of the phone itself."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    phone = EncryptedTextField(_("手机号"), max_length=20, blank=True)
    phone_index = BlindIndexField(_("手机号索引"), source="phone")
    community = models.ForeignKey(
        "accounts.Community",
        verbose_name=_("所在社区（村）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=clock.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "phone_index"],
                condition=Q(phone_index__isnull=False),
                name="survey_response_one_per_phone",
            ),
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="survey_response_one_per_account",
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "submitted_at"], name="surveys_resp_survey_time"),
            models.Index(fields=["survey", "community", "channel"], name="surveys_resp_survey_comm_chan"),
            # The API's list, newest first, without sorting a million responses for a page of them.
            models.Index(fields=["-submitted_at", "-id"], name="surveys_resp_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk}"


class ResponseTally(models.Model):
    """How many responses a survey received on a day (Asia/Shanghai) from a community through a channel.
    Kept by the database itself — triggers on ``surveys_response`` (migration 0004) count every insert,
    update and delete, whoever writes — so the figures over a million responses (the home page, the
    dashboard, the survey list, the analytics page) read a few thousand rows. Never written by the code."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="tallies"
    )
    community = models.ForeignKey(
        "accounts.Community",
        verbose_name=_("社区（村）"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    day = models.DateField(_("日期"))
    responses = models.IntegerField(_("答卷数"), default=0)

    class Meta:
        verbose_name = _("答卷计数")
        verbose_name_plural = _("答卷计数")
        # Unique on (survey, community, channel, day), NULL community included: an index of migration 0004.

    def __str__(self) -> str:
        return f"{self.survey_id} {self.day} {self.community_id} {self.channel} {self.responses}"


class AnswerTally(models.Model):
    """How many answers a question received with an option (choices) or a number (ratings, numbers); text
    answers count under neither. Kept by triggers on ``surveys_answer`` (migration 0004) like
    ``ResponseTally``: the analytics page reads these rows, not eleven million answers."""

    question = models.ForeignKey(
        Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="tallies"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("选项"), null=True, on_delete=models.CASCADE, related_name="tallies"
    )
    number = models.FloatField(_("数值"), null=True)
    answers = models.IntegerField(_("答案数"), default=0)

    class Meta:
        verbose_name = _("答案计数")
        verbose_name_plural = _("答案计数")
        # Unique on (question, option, number), NULLs included: an index of migration 0004.

    def __str__(self) -> str:
        return f"{self.question_id} {self.option_id} {self.number} {self.answers}"


class Answer(models.Model):
    """One answer: ``option`` for a choice (one row per chosen option of a multiple choice), ``number`` for a
    rating or number, ``text`` for a text question."""

    response = models.ForeignKey(
        Response, verbose_name=_("答卷"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="answers"
    )
    option = models.ForeignKey(
        Option,
        verbose_name=_("选项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="answers",
    )
    number = models.FloatField(_("数值"), null=True, blank=True)
    text = models.TextField(_("文字"), blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        ordering = ["response_id", "question_id", "id"]
        indexes = [
            # Covers the analytics GROUP BY (question, option, number) without touching the table.
            models.Index(fields=["question", "option", "number"], name="surveys_answer_q_opt_num"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class ProblemCategory(OrderedLookup):
    """A category of the problem list (问题清单大类), e.g. 养老服务."""

    class Meta(OrderedLookup.Meta):
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")


class ProblemItemQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "ProblemItemQuerySet":
        """The office, supervisors and unit staff (who work the duty items) read the problem list."""
        if has_role(user, Role.SUPERVISOR, Role.UNIT_STAFF):
            return self.all()
        return self.none()

    def editable_by(self, user) -> "ProblemItemQuerySet":
        return self.all() if is_admin(user) else self.none()


class ProblemItem(models.Model):
    """An item of the problem list (问题清单), into which suggestions are coded."""

    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("问题"), max_length=120)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("以空格或逗号分隔，供编码助手匹配。")
    )
    synonyms = models.TextField(
        _("群众说法"),
        blank=True,
        help_text=_("群众描述这个问题时常用的词（口语、方言），以空格或逗号分隔，供编码助手匹配。"),
    )
    description = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("转化项目"), blank=True, related_name="source_problem_items"
    )

    objects = ProblemItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题清单条目")
        verbose_name_plural = _("问题清单")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:problem", kwargs={"pk": self.pk})


class SuggestionQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "SuggestionQuerySet":
        """Every suggestion, to everybody: its chain page is public ("your suggestion became this project")
        and shows the text, never who made it. Browsing the whole pool is a role's business — the lists are
        gated to the office and supervisors (``role_required`` / ``action_roles``)."""
        return self.all()

    def editable_by(self, user) -> "SuggestionQuerySet":
        """The office codes suggestions into the problem list."""
        return self.all() if is_admin(user) else self.none()

    def uncoded(self) -> "SuggestionQuerySet":
        return self.filter(problem_item__isnull=True)


class Suggestion(models.Model):
    """A resident's suggestion (建议): a suggestion answer or a free-form one, coded into one or more problem
    items (``problem_items``; a suggestion that names two problems is coded to both). ``problem_item`` is
    the main one of them — what the lists, filters and exports show first; it is set exactly when
    ``problem_items`` is not empty, and is always one of them (``services.suggestion_code`` keeps that)."""

    text = models.TextField(_("建议内容"))
    source = models.CharField(_("来源"), max_length=10, choices=SuggestionSource.choices)
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("问卷"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    response = models.ForeignKey(
        Response,
        verbose_name=_("答卷"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    community = models.ForeignKey(
        "accounts.Community",
        verbose_name=_("社区（村）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    submitted_at = models.DateTimeField(_("提出时间"), default=clock.now)
    problem_item = models.ForeignKey(
        ProblemItem,
        verbose_name=_("主要问题条目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_suggestions",
    )
    problem_items = models.ManyToManyField(
        ProblemItem, verbose_name=_("问题清单条目"), blank=True, related_name="suggestions"
    )
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编码人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    coded_at = models.DateTimeField(_("编码时间"), null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["problem_item", "submitted_at"], name="surveys_sugg_item_time"),
            models.Index(fields=["survey", "problem_item"], name="surveys_sugg_survey_item"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("surveys:suggestion", kwargs={"pk": self.pk})


def duty_overdue(on) -> Q:
    """The rule of an overdue duty item at the date ``on``: its deadline has passed and it is not done."""
    return Q(deadline__lt=on) & ~Q(status=DutyStatus.DONE)


class DutyItemQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "DutyItemQuerySet":
        """Admins and supervisors see every duty item; unit staff their unit's."""
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return self.filter(unit_id=user.unit_id)
        return self.none()

    def overdue(self, on) -> "DutyItemQuerySet":
        return self.filter(duty_overdue(on))

    def editable_by(self, user) -> "DutyItemQuerySet":
        """Admins edit every duty item; unit staff update their unit's (status and note)."""
        if is_admin(user):
            return self.all()
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return self.filter(unit_id=user.unit_id)
        return self.none()


class DutyItem(models.Model):
    """A duty item (履职清单): what a unit does about a problem item, by when, and how far it has got."""

    problem_item = models.ForeignKey(
        ProblemItem, verbose_name=_("问题清单条目"), on_delete=models.CASCADE, related_name="duty_items"
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="duty_items"
    )
    action = models.TextField(_("履职举措"))
    deadline = models.DateField(_("完成时限"))
    status_tones = DUTY_TONES  # the tone of its status badge ({% status_badge %})
    status = models.CharField(
        _("状态"), max_length=12, choices=DutyStatus.choices, default=DutyStatus.NOT_STARTED, db_index=True
    )
    progress_note = models.TextField(_("进展说明"), blank=True)
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("关联项目"), blank=True, related_name="duty_items"
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DutyItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("履职事项")
        verbose_name_plural = _("履职清单")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["unit", "status"], name="surveys_duty_unit_status")]

    def __str__(self) -> str:
        return f"{self.problem_item.code} · {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:duty", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        """``duty_overdue`` today, for one item already loaded."""
        return self.status != DutyStatus.DONE and self.deadline < clock.localdate()
