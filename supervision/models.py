"""The supervision loop (督查): stored reports of each period, supervision orders (督办单), inspections of
the roving guidance group (巡回指导) and leaders' contact points (领导干部基层联系点).

Relations to the registries' rows are by model name (``"projects.Project"``), so this app imports none of
their modules; it reads their figures through their ``selectors``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiangyan.core.periods import period_of
from jiangyan.core.roles import Role, has_role
from jiangyan.core.scoping import ScopedQuerySet
from jiangyan.helpers import clock
from jiangyan.helpers.names import source_language
from jiangyan.models import Photo

from .choices import (
    OPEN_ORDER_STATUSES,
    ORDER_TONES,
    PERIOD_OF,
    REPORT_TONES,
    InspectionKind,
    LeadingBody,
    OrderStatus,
    ReportKind,
    ReportStatus,
    report_title,
)


class ReportQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Supervisors and admins read every report; everybody else the published bulletins (公布)."""
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        return self.published()

    def editable_by(self, user) -> "ReportQuerySet":
        return self.all() if has_role(user, Role.SUPERVISOR) else self.none()

    def published(self) -> "ReportQuerySet":
        return self.filter(kind=ReportKind.TENDAY, status=ReportStatus.PUBLISHED)


class Report(models.Model):
    """A generated report of one period: the weekly reminder (周督促), the ten-day bulletin (旬通报) or the
    monthly dispatch (月调度). One per (kind, period): generating a period again replaces its content.

    ``data`` holds the figures (JSON, for the API, the xlsx export and the next report's comparison);
    ``html`` the page as rendered when generated, so a published bulletin reads the same forever."""

    kind = models.CharField(_("类型"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    title = models.CharField(_("标题"), max_length=120)
    status_tones = REPORT_TONES  # the tone of its status badge ({% status_badge %})
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    data = models.JSONField(_("数据"), default=dict)
    html = models.TextField(_("正文"), blank=True)
    generated_at = models.DateTimeField(_("生成时间"))
    generation = models.PositiveIntegerField(_("生成次数"), default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查报告")
        verbose_name_plural = _("督查报告")
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start"], name="report_one_per_kind_and_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.kind == ReportKind.TENDAY and self.status == ReportStatus.PUBLISHED:
            return reverse("supervision:bulletin", kwargs={"pk": self.pk})
        return reverse("supervision:report", kwargs={"pk": self.pk})

    @property
    def local_title(self) -> str:
        """The title in the reader's language: as stored in Chinese, from the kind and period otherwise."""
        if source_language():
            return self.title
        return report_title(self.kind, period_of(PERIOD_OF[self.kind], self.period_start))


def order_open() -> Q:
    """An order that still owes an answer."""
    return Q(status__in=OPEN_ORDER_STATUSES)


def order_overdue(today) -> Q:
    """An order that owes an answer past its deadline."""
    return order_open() & Q(deadline__lt=today)


class OrderQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "OrderQuerySet":
        """Supervisors read every order; the staff of the responsible unit or community read theirs."""
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        return self.answerable_by(user)

    def editable_by(self, user) -> "OrderQuerySet":
        """Who may act on an order at all (the service checks which action): its issuer's peers — every
        supervisor — and the responsible unit's or community's staff."""
        return self.visible_to(user)

    def answerable_by(self, user) -> "OrderQuerySet":
        """The orders ``user`` answers: those of their unit (unit staff) or community (community staff)."""
        scope = Q(pk__in=[])
        if has_role(user, Role.UNIT_STAFF) and getattr(user, "unit_id", None):
            scope |= Q(unit_id=user.unit_id)
        if has_role(user, Role.COMMUNITY_STAFF) and getattr(user, "community_id", None):
            scope |= Q(community_id=user.community_id)
        return self.filter(scope)

    def open(self) -> "OrderQuerySet":
        return self.filter(order_open())

    def overdue(self, today) -> "OrderQuerySet":
        return self.filter(order_overdue(today))

    def unclosed_at(self, at) -> "OrderQuerySet":
        """Issued before the moment ``at`` and not closed by then."""
        return self.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=at), issued_at__lt=at)

    def overdue_on(self, day, at) -> "OrderQuerySet":
        """Overdue at the end of ``day`` (``at``: the moment it ends): unclosed, past its deadline and owing
        an answer then — open now, or answered only after ``at``."""
        owing = order_open() | Q(answered_at__gte=at)
        return self.unclosed_at(at).filter(owing, deadline__lt=day)


class SupervisionOrder(models.Model):
    """A supervision order (督办单) on a project, a wish or a duty item: why, what must be done, by when.
    The responsible unit's staff (projects, duty items) or the community's staff (wishes) answer; the
    supervisor closes it or sends it back."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    wish = models.ForeignKey(
        "wishes.Wish",
        verbose_name=_("微心愿"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    duty_item = models.ForeignKey(
        "surveys.DutyItem",
        verbose_name=_("履职事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    # Who must answer: the lead unit (project), the responsible unit (duty item) or the community (wish).
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    community = models.ForeignKey(
        "accounts.Community",
        verbose_name=_("责任社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    inspection = models.ForeignKey(
        "supervision.Inspection",
        verbose_name=_("来源巡回指导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    reason = models.TextField(_("督办事由"))
    required_action = models.TextField(_("整改要求"))
    deadline = models.DateField(_("答复时限"), db_index=True)
    status_tones = ORDER_TONES  # the tone of its status badge ({% status_badge %})
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ISSUED, db_index=True
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督办人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("下发时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    close_note = models.TextField(_("办结意见"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(project__isnull=False, wish__isnull=True, duty_item__isnull=True)
                    | Q(project__isnull=True, wish__isnull=False, duty_item__isnull=True)
                    | Q(project__isnull=True, wish__isnull=True, duty_item__isnull=False)
                ),
                name="order_has_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(community__isnull=False), name="order_has_a_respondent"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="order_unit_status"),
            models.Index(fields=["community", "status"], name="order_community_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.reason[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:order", kwargs={"pk": self.pk})

    @property
    def target(self):
        """The project, wish or duty item the order is about."""
        return self.project or self.wish or self.duty_item

    @property
    def respondent(self):
        return self.unit or self.community

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < clock.localdate()


class InspectionQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "InspectionQuerySet":
        return self.all() if has_role(user, Role.SUPERVISOR) else self.none()

    def editable_by(self, user) -> "InspectionQuerySet":
        return self.visible_to(user)


class Inspection(models.Model):
    """A record of the roving guidance group (巡回指导组): a field visit, a forum or a questionnaire, with
    its findings, the projects, communities and units it concerned, and photos. An inspection at a
    leader's contact point with the leader among its inspectors counts as the leader's visit there."""

    kind = models.CharField(_("方式"), max_length=20, choices=InspectionKind.choices)
    date = models.DateField(_("日期"), db_index=True)
    places = models.CharField(_("地点"), max_length=200)
    findings = models.TextField(_("发现的问题与意见"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("参加人员"), related_name="inspections"
    )
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("相关项目"), blank=True, related_name="inspections"
    )
    communities = models.ManyToManyField(
        "accounts.Community", verbose_name=_("走访社区（村）"), blank=True, related_name="inspections"
    )
    units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("走访单位"), blank=True, related_name="inspections"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), default=clock.now, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡回指导")
        verbose_name_plural = _("巡回指导")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.places}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection", kwargs={"pk": self.pk})


class InspectionPhoto(Photo):
    """A photo taken on an inspection."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡回指导"), on_delete=models.CASCADE, related_name="photos"
    )

    class Meta:
        verbose_name = _("巡回指导照片")
        verbose_name_plural = _("巡回指导照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class LeaderQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "LeaderQuerySet":
        """Supervisors (the leaders among them) and the office read the list of leaders."""
        return self.all() if has_role(user, Role.SUPERVISOR) else self.none()

    def editable_by(self, user) -> "LeaderQuerySet":
        return self.all() if has_role(user, Role.ADMIN) else self.none()


class Leader(models.Model):
    """A member of the district's four leading bodies (四套班子成员): a person — their sign-in account, a
    supervisor — with a post (区委书记, 区长 …) and a place in the order of precedence. The post is the
    leader's, not the account's: the roving guidance group signs in as a supervisor too and holds no
    contact points. Each leader holds their own contact points (``ContactPoint.leader``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.PROTECT, related_name="leader"
    )
    body = models.CharField(_("班子"), max_length=12, choices=LeadingBody.choices)
    title = models.CharField(_("职务"), max_length=40)
    rank = models.PositiveSmallIntegerField(_("排序"), default=100, help_text=_("数字小的排在前面"))

    objects = LeaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系领导")
        verbose_name_plural = _("联系领导")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.title}）"

    @property
    def name(self) -> str:
        return self.user.display_name


class ContactPointQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "ContactPointQuerySet":
        """Every supervisor reads every leader's contact points, as the dashboard shows them."""
        return self.all() if has_role(user, Role.SUPERVISOR) else self.none()

    def editable_by(self, user) -> "ContactPointQuerySet":
        return self.all() if has_role(user, Role.ADMIN) else self.none()


class ContactPoint(models.Model):
    """A leader's grass-roots contact point (领导干部基层联系点): a community or a unit (an office, a school,
    a factory) the office assigned the leader to visit. An inspection there with the leader among its
    inspectors is the leader's visit."""

    leader = models.ForeignKey(
        Leader, verbose_name=_("联系领导"), on_delete=models.CASCADE, related_name="contact_points"
    )
    community = models.ForeignKey(
        "accounts.Community",
        verbose_name=_("联系社区（村）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_points",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("联系单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_points",
    )
    since = models.DateField(_("起始日期"))

    objects = ContactPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("基层联系点")
        verbose_name_plural = _("基层联系点")
        ordering = ["leader__rank", "leader_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, unit__isnull=True)
                | Q(community__isnull=True, unit__isnull=False),
                name="contact_point_is_a_community_or_a_unit",
            ),
            models.UniqueConstraint(
                fields=["leader", "community"],
                condition=Q(community__isnull=False),
                name="contact_point_once_per_leader_and_community",
            ),
            models.UniqueConstraint(
                fields=["leader", "unit"],
                condition=Q(unit__isnull=False),
                name="contact_point_once_per_leader_and_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader.name} · {self.place}"

    @property
    def place(self):
        return self.community or self.unit


def visit_of_leader(leader) -> Q:
    """An inspection that is a visit of ``leader`` (a Leader, a pk or an ``OuterRef`` to one): the leader
    among its inspectors, at one of the leader's contact points. The figure and the list behind it both
    read it; the rows it joins repeat an inspection, so read it through ``pk__in``."""
    at_a_point = Q(communities__contact_points__leader=leader) | Q(units__contact_points__leader=leader)
    return at_a_point & Q(inspectors__leader=leader)
