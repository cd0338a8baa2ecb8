"""四季活动: the district's seasonal campaigns (春送岗位、夏送清凉、秋送助学、冬送温暖), each with its
theme and dates. Wishes (``wishes.Wish.campaign``) and projects (``projects.Project.campaign``) are
tagged with one; a campaign changes only in ``campaigns.services``."""

import datetime

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiangyan.core.roles import Role, has_role
from jiangyan.core.scoping import ScopedQuerySet
from jiangyan.helpers import clock
from jiangyan.helpers.names import local_name

from .choices import PHASE_TONES, CampaignPhase, Season


class CampaignQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "CampaignQuerySet":
        """Every campaign is public (its page, the API)."""
        return self.all()

    def editable_by(self, user) -> "CampaignQuerySet":
        """The office (办实事办公室) defines the campaigns."""
        return self.all() if has_role(user, Role.ADMIN) else self.none()

    def running_on(self, day: datetime.date) -> "CampaignQuerySet":
        return self.filter(start_date__lte=day, end_date__gte=day)

    def overlapping(self, start: datetime.date, end: datetime.date) -> "CampaignQuerySet":
        """Campaigns running on at least one day of ``start``…``end``."""
        return self.filter(start_date__lte=end, end_date__gte=start)


class Campaign(models.Model):
    """A seasonal campaign (四季活动): a name (冬送温暖), its season, a theme (what it brings to whom) and
    the days it runs, both included. Tagging a wish or a project with it is the registries' business
    (their services ``wish_tag_campaign`` and ``project_tag_campaign``)."""

    name = models.CharField(_("活动名称"), max_length=40)
    season = models.CharField(_("季节"), max_length=10, choices=Season.choices)
    theme = models.CharField(_("活动主题"), max_length=100)
    # For readers of the English site (``jiangyan.helpers.names``): the name and theme in English, when given.
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    theme_en = models.CharField(_("英文主题"), max_length=200, blank=True)
    description = models.TextField(_("活动说明"), max_length=1000, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    status_tones = PHASE_TONES  # the tone of its phase badge

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("四季活动")
        verbose_name_plural = _("四季活动")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.start_date:%Y-%m-%d}—{self.end_date:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def local_name(self) -> str:
        """The name in the reader's language (``jiangyan.helpers.names.local_name``)."""
        return local_name(self.name, self.name_en)

    @property
    def local_theme(self) -> str:
        return local_name(self.theme, self.theme_en)

    def phase_on(self, day: datetime.date) -> str:
        if day < self.start_date:
            return CampaignPhase.UPCOMING
        if day > self.end_date:
            return CampaignPhase.ENDED
        return CampaignPhase.RUNNING

    @property
    def phase(self) -> str:
        return self.phase_on(clock.localdate())

    @property
    def status(self) -> str:  # what ``{% status_badge %}`` reads
        return self.phase

    def get_status_display(self) -> str:
        return CampaignPhase(self.phase).label

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1
