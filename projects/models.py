"""The project registry (实事项目库): lookup tables, projects with indicators and milestones, progress
statements, photos and evaluations.

Schedule variance is never stored: ``ProjectQuerySet.with_schedule(on=date)`` computes it in the database
(see ``docs/schedule-variance.md``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiangyan.roles import Role, has_role, is_admin
from jiangyan.uploads import random_upload_path

from .choices import SCORE_CHOICES, EvaluatorRole, ProjectStatus
from .schedule import annotate_schedule


class KeyTask(models.Model):
    """One of the five key tasks (五项重点任务: 助企, 兴村, 惠民, 提效, 善治)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """One of the five programs (五大工程, e.g. 智造强企), each tied to one key task."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    key_task = models.ForeignKey(
        KeyTask, verbose_name=_("重点任务"), on_delete=models.PROTECT, related_name="programs"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("工程")
        verbose_name_plural = _("五大工程")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Domain(models.Model):
    """A domain of work (领域: 经济发展, 环境保护, 社区治理, 养老 …)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """A group of people a project serves (服务对象: 老年, 青少年 …). 银发项目 are those for 老年."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProjectQuerySet":
        """Public projects for everybody; every project for supervisors and admins; unit staff also see
        their own unit's non-public projects."""
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return self.filter(Q(is_public=True) | Q(lead_unit_id=user.unit_id))
        return self.filter(is_public=True)

    def editable_by(self, user) -> "ProjectQuerySet":
        """Admins edit every project; unit staff only their own unit's; nobody else any."""
        if is_admin(user):
            return self.all()
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            return self.filter(lead_unit_id=user.unit_id)
        return self.none()

    def with_schedule(self, on=None) -> "ProjectQuerySet":
        """Annotate ``expected_pct``, ``actual_pct``, ``variance``, ``late_milestones`` and ``is_behind`` at
        the date ``on`` (default today). See ``projects.schedule``."""
        return annotate_schedule(self, on=on)


class Project(models.Model):
    """A key project (实事项目) with its one-page ledger (一单一表)."""

    code = models.CharField(_("编号"), max_length=20, unique=True, help_text=_("例如 JY2021-001"))
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
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.NOT_STARTED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

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

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"code": self.code})


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
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("进展述职")
        verbose_name_plural = _("进展述职")
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]
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
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标更新")
        verbose_name_plural = _("指标更新")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.previous_value:g} → {self.value:g}"


class ProjectPhoto(models.Model):
    """A photo of a project, optionally attached to a statement or as a milestone's evidence."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("图片"), upload_to=random_upload_path("projects"))
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
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class EvaluationQuerySet(models.QuerySet):
    def public(self) -> "EvaluationQuerySet":
        """The reviews shown on the public page: residents' 群众评议."""
        return self.filter(evaluator_role=EvaluatorRole.RESIDENT)


class Evaluation(models.Model):
    """A rating of a project (1–5 and a comment) by a party member (议), a supervisor (评) or a resident
    (群众评议). At most one per evaluator, project and calendar month (``month`` is its first day)."""

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
    score = models.PositiveSmallIntegerField(_("评分"), choices=SCORE_CHOICES)
    comment = models.TextField(_("评价意见"), blank=True)
    month = models.DateField(_("评价月份"))
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目评价")
        verbose_name_plural = _("项目评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "evaluator", "month"], name="evaluation_once_per_month"
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="evaluation_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_evaluator_role_display()} {self.score}"
