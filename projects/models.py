"""The project registry (实事项目库): lookup tables, projects with indicators and milestones, progress
statements, photos and evaluations.

Schedule variance is derived from the milestones by one rule (``projects.schedule``); today's figures are
also stored on each project, refreshed by the services and a daily task, so lists read them for free
(see ``docs/schedule-variance.md``)."""

import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiangyan.core.roles import Role, has_role, is_admin
from jiangyan.core.scoping import ScopedQuerySet, Share
from jiangyan.helpers import clock
from jiangyan.helpers.text import fold
from jiangyan.models import OrderedLookup, Photo

from .choices import IMPORT_COLUMNS, SCORE_CHOICES, EvaluatorRole, ImportTarget, ProjectStatus
from .schedule import annotate_current_schedule, annotate_past_schedule


class KeyTask(OrderedLookup):
    """One of the five key tasks (五项重点任务: 助企, 兴村, 惠民, 提效, 善治)."""

    class Meta(OrderedLookup.Meta):
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")


class Program(OrderedLookup):
    """One of the five programs (五大工程, e.g. 智造强企), each tied to one key task."""

    key_task = models.ForeignKey(
        KeyTask, verbose_name=_("重点任务"), on_delete=models.PROTECT, related_name="programs"
    )

    class Meta(OrderedLookup.Meta):
        verbose_name = _("工程")
        verbose_name_plural = _("五大工程")


class Domain(OrderedLookup):
    """A domain of work (领域: 经济发展, 环境保护, 社区治理, 养老 …)."""

    class Meta(OrderedLookup.Meta):
        verbose_name = _("领域")
        verbose_name_plural = _("领域")


class TargetGroup(OrderedLookup):
    """A group of people a project serves (服务对象: 老年, 青少年 …). 银发项目 are those for 老年."""

    class Meta(OrderedLookup.Meta):
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")


class CampaignYearQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "CampaignYearQuerySet":
        """Every campaign year is public: the showcase reads any of them."""
        return self.all()

    def visible_share(self, user) -> Share:
        return Share("all")

    def editable_by(self, user) -> "CampaignYearQuerySet":
        """Only the office opens years and carries projects over."""
        return self.all() if is_admin(user) else self.none()

    def editable_share(self, user) -> Share:
        return Share("all" if is_admin(user) else "none")


class CampaignYear(models.Model):
    """A campaign year (年度): the year's project list, opened by the office when it imports that list.
    Its number is the key (``Project.year_id`` is the year itself, so ``?year=2025`` filters without a
    join, and a code ``JY2025-…`` is checked against it). Exactly one year is current (a partial unique
    constraint): the one the showcase, the reports and the dashboard show unless asked for another."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    title = models.CharField(_("名称"), max_length=60, blank=True)
    is_current = models.BooleanField(_("当前年度"), default=False)
    opened_at = models.DateTimeField(_("开启时间"), default=clock.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开启人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CampaignYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目年度")
        verbose_name_plural = _("项目年度")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="projects_one_current_year"
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="projects_year_range"),
        ]

    def __str__(self) -> str:
        return self.title or self.default_title(self.year)

    @staticmethod
    def default_title(year: int) -> str:
        return _("%(year)s年度") % {"year": year}


class ProjectQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "ProjectQuerySet":
        """Public projects for everybody; every project for supervisors and admins; unit staff also see
        their own unit's non-public projects."""
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return self.filter(Q(is_public=True) | Q(lead_unit_id=user.unit_id))
        return self.filter(is_public=True)

    def visible_share(self, user) -> Share:
        """Who sees the projects ``user`` sees (the rule of ``visible_to``)."""
        if has_role(user, Role.SUPERVISOR):
            return Share("all")
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return Share(f"public+unit:{user.unit_id}")
        return Share("public")

    def editable_by(self, user) -> "ProjectQuerySet":
        """Admins edit every project; unit staff only their own unit's; nobody else any."""
        if is_admin(user):
            return self.all()
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return self.filter(lead_unit_id=user.unit_id)
        return self.none()

    def editable_share(self, user) -> Share:
        """Who edits the projects ``user`` edits (the rule of ``editable_by``)."""
        if is_admin(user):
            return Share("all")
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return Share(f"unit:{user.unit_id}")
        return Share("none")

    def in_year(self, year: int | None) -> "ProjectQuerySet":
        """The projects of campaign year ``year`` (all of them when None)."""
        return self if year is None else self.filter(year_id=year)

    def in_current_year(self) -> "ProjectQuerySet":
        """The projects of the current campaign year (in the same query)."""
        return self.filter(year__in=CampaignYear.objects.filter(is_current=True).values("year"))

    def in_year_of(self, day: datetime.date) -> "ProjectQuerySet":
        """The projects of the campaign year that ``day`` falls in, in the same query: the latest year
        opened whose number is not after ``day``'s, else the current one (before the first list). A
        report of a period last year counts last year's list; one of this year, this year's."""
        return self.filter(year_id=year_of_day(day))

    def with_schedule(self, on=None) -> "ProjectQuerySet":
        """Annotate ``expected_pct``, ``actual_pct``, ``variance``, ``late_milestones`` and ``is_behind`` at
        the date ``on`` (default today): today's from the stored figures, another day's derived from the
        milestones. See ``projects.schedule``."""
        today = clock.localdate()
        if on is None or on == today:
            return annotate_current_schedule(self, today=today)
        return annotate_past_schedule(self, on=on)


def year_of_day(day: datetime.date):
    """The campaign year ``day`` falls in, as a subquery (see ``ProjectQuerySet.in_year_of``)."""
    opened = CampaignYear.objects.filter(year__lte=day.year).order_by("-year").values("year")[:1]
    current = CampaignYear.objects.filter(is_current=True).values("year")[:1]
    return Coalesce(Subquery(opened), Subquery(current))


class Project(models.Model):
    """A key project (实事项目) with its one-page ledger (一单一表)."""

    code = models.CharField(_("编号"), max_length=20, unique=True, help_text=_("例如 JY2021-001"))
    # The campaign year whose list the project is on. A code naming a year (JY2025-…) names this one.
    year = models.ForeignKey(
        CampaignYear, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="projects"
    )
    # A project carried over from last year's list is a new row of the new year that points to the old
    # one: the old row keeps its year, code, milestones, statements, photos, ratings and events, so last
    # year's record reads as it was; one old project is carried over at most once (one-to-one).
    carried_from = models.OneToOneField(
        "self",
        verbose_name=_("续建自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
    )
    title = models.CharField(_("项目名称"), max_length=120)
    summary = models.TextField(_("项目简介"), blank=True)
    program = models.ForeignKey(
        Program, verbose_name=_("工程"), on_delete=models.PROTECT, related_name="projects"
    )
    domain = models.ForeignKey(
        Domain, verbose_name=_("领域"), on_delete=models.PROTECT, related_name="projects"
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("服务对象"), blank=True, related_name="projects"
    )
    lead_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("领办单位"), on_delete=models.PROTECT, related_name="led_projects"
    )
    cooperating_units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("协办单位"), blank=True, related_name="cooperating_projects"
    )
    responsible_leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    towns = models.ManyToManyField(
        "accounts.Town", verbose_name=_("实施镇（街道）"), blank=True, related_name="projects"
    )
    communities = models.ManyToManyField(
        "accounts.Community", verbose_name=_("实施社区（村）"), blank=True, related_name="projects"
    )
    planned_start = models.DateField(_("计划开始"))
    planned_end = models.DateField(_("计划完成"))
    is_public = models.BooleanField(_("公开展播"), default=True)
    # The seasonal campaign (四季活动) it belongs to: 春风行动's job fairs under 春送岗位 …
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("四季活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.NOT_STARTED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Today's schedule figures, stored by ``projects.schedule.store_schedule`` (never typed): read them
    # through ``with_schedule()``, which falls back to deriving them where they are not from today.
    schedule_expected = models.FloatField(_("序时进度"), default=0, editable=False)
    schedule_actual = models.FloatField(_("实际进度"), default=0, editable=False)
    schedule_variance = models.FloatField(_("进度偏差"), default=0, editable=False, db_index=True)
    schedule_late = models.PositiveSmallIntegerField(_("逾期节点数"), default=0, editable=False)
    schedule_behind = models.BooleanField(_("滞后"), default=False, editable=False, db_index=True)
    schedule_completed_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    schedule_date = models.DateField(_("进度计算日期"), null=True, blank=True, editable=False, db_index=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("实事项目")
        verbose_name_plural = _("实事项目")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")), name="project_end_after_start"
            ),
        ]
        indexes = [
            # The home page's featured projects (furthest along first) without sorting the registry.
            models.Index(fields=["-schedule_actual", "code"], name="projects_furthest_along"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"code": self.code})

    @property
    def is_carried_over(self) -> bool:
        """A project of this year's list carried over from last year's (续建)."""
        return self.carried_from_id is not None

    def fragment_version(self) -> tuple:
        """Everything the shared row of a project shows (``projects/_row.html``, cached by
        ``jiangyan.core.fragments``): a change of any of it is a new fragment. Reads the list's annotations
        (``with_schedule``) and relations (``selectors.project_rows``)."""
        return (
            self.pk,
            self.code,
            self.title,
            self.is_public,
            self.carried_from_id,
            self.status,
            self.program.name,
            self.domain.name,
            self.lead_unit.name,
            tuple(g.name for g in self.target_groups.all()),
            tuple(t.name for t in self.towns.all()),
            self.actual_pct,
            self.expected_pct,
            self.is_behind,
        )

    def workspace_version(self) -> tuple:
        """What a project's row in its unit's workspace shows (``projects/_workspace_row.html``); reads the
        workspace's ``last_statement``."""
        return (
            self.pk,
            self.code,
            self.title,
            self.status,
            self.actual_pct,
            self.expected_pct,
            self.is_behind,
            self.last_statement,
        )


class ScheduleSnapshot(models.Model):
    """A project's schedule figures at a past date that the reports and the dashboard read (the ends of the
    last complete week, 旬 and month), derived from the milestones and stored: reading them for every
    project is one join instead of the rule's correlated subqueries. Refreshed with today's figures by
    ``projects.schedule.store_schedule`` (so a milestone done late shows in the past at once) and kept
    for those dates by the daily task; a row without one is derived (``annotate_past_schedule``)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="schedule_snapshots"
    )
    on = models.DateField(_("日期"), db_index=True)
    expected_pct = models.FloatField(_("序时进度"))
    actual_pct = models.FloatField(_("实际进度"))
    variance = models.FloatField(_("进度偏差"))
    late_milestones = models.PositiveSmallIntegerField(_("逾期节点数"))
    is_behind = models.BooleanField(_("滞后"))
    completed_on = models.DateField(_("完成日期"), null=True)

    class Meta:
        verbose_name = _("进度快照")
        verbose_name_plural = _("进度快照")
        constraints = [models.UniqueConstraint(fields=["project", "on"], name="projects_snapshot_project_on")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.on}"


class Indicator(models.Model):
    """A target indicator (目标指标) of a project: e.g. 155 梦想小屋 (户)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("指标名称"), max_length=80)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    target_value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    current_value = models.DecimalField(_("当前值"), max_digits=14, decimal_places=2, default=0)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["project_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_value__gt=0), name="indicator_target_positive"),
            models.CheckConstraint(condition=Q(current_value__gte=0), name="indicator_current_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.target_value:g}{self.unit}）"

    @property
    def percent(self) -> int:
        if not self.target_value:
            return 0
        return min(100, int(self.current_value * 100 / self.target_value))


class Milestone(models.Model):
    """A schedule node (节点) of a project: its weight (the weights of a project sum to 100), planned date,
    and — once done — the done date and evidence."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("节点名称"), max_length=100)
    planned_date = models.DateField(_("计划完成日期"))
    weight = models.PositiveSmallIntegerField(_("权重"))
    done_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成佐证"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("进度节点")
        verbose_name_plural = _("进度节点")
        ordering = ["project_id", "planned_date", "order", "id"]
        indexes = [models.Index(fields=["project", "planned_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100), name="milestone_weight_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.planned_date:%Y-%m-%d}）"

    @property
    def is_done(self) -> bool:
        return self.done_date is not None

    @property
    def done_late(self) -> bool:
        """Done after its planned date: shown as 逾期完成, not as a plain 已完成."""
        return self.done_date is not None and self.done_date > self.planned_date

    @property
    def is_late(self) -> bool:
        """Not done and its planned date has passed (已逾期)."""
        return self.done_date is None and self.planned_date < clock.localdate()


class ProgressStatement(models.Model):
    """A lead unit's progress statement (领办单位述) for a period, with photos and indicator updates."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="statements"
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填报时间"), default=clock.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("进展述职")
        verbose_name_plural = _("进展述职")
        ordering = ["-period_end", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            # The reports' "a statement covering this week": only the recent ones are read.
            models.Index(fields=["period_end", "project"], name="projects_statement_end_project"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="statement_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period_start:%m-%d}—{self.period_end:%m-%d}"


class IndicatorUpdate(models.Model):
    """One change of an indicator's current value, alone or as part of a progress statement."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="updates"
    )
    statement = models.ForeignKey(
        ProgressStatement,
        verbose_name=_("述职"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicator_updates",
    )
    previous_value = models.DecimalField(_("原值"), max_digits=14, decimal_places=2)
    value = models.DecimalField(_("新值"), max_digits=14, decimal_places=2)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("指标更新")
        verbose_name_plural = _("指标更新")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.previous_value:g} → {self.value:g}"


class ProjectPhoto(Photo):
    """A photo of a project, optionally attached to a statement or as a milestone's evidence."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="photos"
    )
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    statement = models.ForeignKey(
        ProgressStatement,
        verbose_name=_("述职"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("节点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
    )

    class Meta(Photo.Meta):
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class DateRangeOf(models.Func):
    """``daterange(start, end, '[]')``: the days of a round, both ends included (its overlap constraint)."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start: str, end: str):
        super().__init__(models.F(start), models.F(end), models.Value("[]"))


def evaluator_role_of(user) -> str | None:
    """The role ``user`` rates projects in (领导干部评 before 普通党员议 before 群众评议), or None."""
    for role, evaluator_role in (
        (Role.SUPERVISOR, EvaluatorRole.SUPERVISOR),
        (Role.PARTY_MEMBER, EvaluatorRole.PARTY_MEMBER),
        (Role.RESIDENT, EvaluatorRole.RESIDENT),
    ):
        if has_role(user, role):
            return evaluator_role
    return None


def month_of(day: datetime.date) -> datetime.date:
    """The ``Evaluation.month`` of a rating given on ``day``: the first day of its month."""
    return day.replace(day=1)


class CriterionQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "CriterionQuerySet":
        """The evaluation method is public: everybody reads what is evaluated and how it is weighted."""
        return self.all()

    def visible_share(self, user) -> Share:
        return Share("all")

    def editable_by(self, user) -> "CriterionQuerySet":
        """Only the office (admins) sets the method."""
        return self.all() if is_admin(user) else self.none()

    def asked_of(self, evaluator_role: str) -> "CriterionQuerySet":
        """The criteria an evaluator of ``evaluator_role`` scores: those weighted for that role."""
        return self.filter(**{f"{WEIGHT_FIELDS[evaluator_role]}__gt": 0})


class EvaluationCriterion(models.Model):
    """What is evaluated (评价内容: 群众满意度, 完成质量, 进度时效 …) and how much each evaluator role's score
    of it counts (评价方法): a weight per role (0: that role is not asked it). A project's, a unit's and the
    rankings' evaluation figure is the weighted mean of every score, each weighted by its criterion's
    weight for the role of who gave it (``selectors.weighted_score``). Set by the office through
    ``services.criterion_create`` / ``criterion_update``."""

    name = models.CharField(_("评价内容"), max_length=40, unique=True)
    description = models.CharField(_("评价要点"), max_length=200, blank=True)
    weight_party_member = models.PositiveSmallIntegerField(_("普通党员议权重"), default=1)
    weight_supervisor = models.PositiveSmallIntegerField(_("领导干部评权重"), default=1)
    weight_resident = models.PositiveSmallIntegerField(_("群众评议权重"), default=1)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价内容")
        verbose_name_plural = _("评价内容")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    weight_party_member__lte=100, weight_supervisor__lte=100, weight_resident__lte=100
                ),
                name="criterion_weights_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def weight_for(self, evaluator_role: str) -> int:
        return getattr(self, WEIGHT_FIELDS[evaluator_role])

    @property
    def weights(self) -> list[tuple[str, int]]:
        """``(role label, weight)`` for each evaluator role, in the roles' order."""
        return [(label, self.weight_for(role)) for role, label in EvaluatorRole.choices]


# The weight field of each evaluator role (``EvaluationCriterion``).
WEIGHT_FIELDS = {role: f"weight_{role}" for role in EvaluatorRole.values}


class RoundQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "RoundQuerySet":
        """The rounds are public, like the rest of the method."""
        return self.all()

    def visible_share(self, user) -> Share:
        return Share("all")

    def editable_by(self, user) -> "RoundQuerySet":
        return self.all() if is_admin(user) else self.none()

    def open_on(self, day: datetime.date) -> "RoundQuerySet":
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class EvaluationRound(models.Model):
    """A period in which projects are evaluated (评价程序: 评价时段), ``starts_on`` to ``ends_on`` (both
    included). Outside every round nobody can evaluate; within one, each evaluator rates a project once.
    Rounds never overlap (the database refuses it). The rounds of the months rated before rounds existed
    were made from those months (migration 0007)."""

    name = models.CharField(_("评价轮次"), max_length=40)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价轮次")
        verbose_name_plural = _("评价轮次")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="round_end_after_start"
            ),
            ExclusionConstraint(
                name="round_no_overlap",
                expressions=[(DateRangeOf("starts_on", "ends_on"), RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts_on:%Y-%m-%d}—{self.ends_on:%Y-%m-%d}）"

    def is_open(self, day: datetime.date | None = None) -> bool:
        day = day or clock.localdate()
        return self.starts_on <= day <= self.ends_on


class EvaluationQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "EvaluationQuerySet":
        """The one rule of who reads which ratings, on the project page and in the API alike, within the
        projects ``user`` may see: supervisors and admins read every rating; unit staff read residents'
        reviews (群众评议) and every rating of their own unit's projects; everybody else residents' reviews.
        Averages (``selectors.evaluation_averages``) count every rating: a figure names nobody."""
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        projects = Project.objects.visible_to(user).values("pk")
        rule = Q(evaluator_role=EvaluatorRole.RESIDENT)
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            rule |= Q(project__lead_unit_id=user.unit_id)
        return self.filter(rule, project__in=projects)


class Evaluation(models.Model):
    """A rating of a project by a party member (议), a supervisor (评) or a resident (群众评议) in an
    evaluation round: a score 1–5 of each criterion asked of the evaluator's role (``scores``) and a
    comment. At most one per evaluator, project and round; ``month`` (the first day of the month it was
    given in) dates it for the reports."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="evaluations"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.CASCADE,
        related_name="project_evaluations",
    )
    evaluator_role = models.CharField(_("评价身份"), max_length=20, choices=EvaluatorRole.choices)
    round = models.ForeignKey(
        EvaluationRound, verbose_name=_("评价轮次"), on_delete=models.PROTECT, related_name="evaluations"
    )
    comment = models.TextField(_("评价意见"), blank=True)
    month = models.DateField(_("评价月份"))
    created_at = models.DateTimeField(_("评价时间"), default=clock.now, editable=False)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目评价")
        verbose_name_plural = _("项目评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "evaluator", "round"], name="evaluation_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_evaluator_role_display()}"


class EvaluationScore(models.Model):
    """The score (1–5) one evaluation gives one criterion."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("项目评价"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        EvaluationCriterion, verbose_name=_("评价内容"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("评分"), choices=SCORE_CHOICES)

    class Meta:
        verbose_name = _("评价得分")
        verbose_name_plural = _("评价得分")
        ordering = ["evaluation_id", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="evaluation_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="evaluation_score_value_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class ImportSynonym(models.Model):
    """A word of the office's spreadsheets that the project import reads as one of its columns or values:
    牵头单位 as the column 领办单位, 完成时限 as 计划完成, 正在推进 as the status 推进中. Headers and values
    are compared loosely (``jiangyan.helpers.text.fold``: spaces, line breaks and full-width forms do not
    count). Seeded with the usual wording (migration 0005); the office adds its own in the admin."""

    target = models.CharField(_("读作"), max_length=40, choices=ImportTarget.choices)
    text = models.CharField(_("表中写法"), max_length=50, help_text=_("如 牵头单位、完成时限、正在推进"))

    class Meta:
        verbose_name = _("导入同义词")
        verbose_name_plural = _("导入同义词")
        ordering = ["target", "text"]
        constraints = [models.UniqueConstraint(fields=["target", "text"], name="import_synonym_unique")]

    def __str__(self) -> str:
        return f"{self.text} → {self.get_target_display()}"

    @property
    def space(self) -> str:
        return self.target.partition(".")[0]

    def clean(self) -> None:
        """A word reads as one thing within its space (one column of a sheet, one status)."""
        key = fold(self.text)
        if not key:
            raise ValidationError({"text": _("请填写表中写法。")})
        for target, column in IMPORT_COLUMNS.items():  # the template's own headers mean their columns
            if target.startswith(f"{self.space}.") and target != self.target and fold(column) == key:
                raise ValidationError(
                    {"text": _("“%(text)s”是模板的表头，已读作“%(target)s”。")
                     % {"text": self.text, "target": ImportTarget(target).label}}
                )  # fmt: skip
        others = ImportSynonym.objects.filter(target__startswith=f"{self.space}.").exclude(pk=self.pk)
        for other in others:
            if fold(other.text) == key and other.target != self.target:
                raise ValidationError(
                    {
                        "text": _("“%(text)s”已读作“%(target)s”。")
                        % {"text": self.text, "target": other.get_target_display()}
                    }
                )
