"""Choices of the campaigns app: the four seasons of 四季活动 and where a campaign is in its dates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Season(models.TextChoices):
    SPRING = "spring", _("春季")
    SUMMER = "summer", _("夏季")
    AUTUMN = "autumn", _("秋季")
    WINTER = "winter", _("冬季")


class CampaignPhase(models.TextChoices):
    """Where a campaign is on a day (read from its dates, never stored)."""

    UPCOMING = "upcoming", _("未开始")
    RUNNING = "running", _("进行中")
    ENDED = "ended", _("已结束")


# The tone of each phase's badge.
PHASE_TONES = {CampaignPhase.RUNNING: "ok", CampaignPhase.UPCOMING: "warn"}

# The months each season's campaign runs in the seeded calendar (the data migration and the demo): spring
# March–May, summer June–August, autumn September–November, winter December to the end of February.
SEASON_MONTHS = {
    Season.SPRING: (3, 5),
    Season.SUMMER: (6, 8),
    Season.AUTUMN: (9, 11),
    Season.WINTER: (12, 2),
}
