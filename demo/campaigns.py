"""Demo data of the seasonal campaigns (四季活动), called by ``manage.py seed_demo`` before the registries:
the four seasons the data migration seeded, moved to the demo's timeline — each season's latest campaign
that has begun by today (in December the winter's 冬送温暖 is running, and spring, summer and autumn are
this year's) — through the office's service (``campaign_update``). Which wishes and projects the seasons
take is decided here too, by what they are about (a quilt or a heater is 冬送温暖's, an electric fan
夏送清凉's, a desk for homework 秋送助学's, a job 春送岗位's); ``demo/wishes.py`` and ``demo/projects.py``
tag them with the history the registries' services write."""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns import services
from campaigns.choices import SEASON_MONTHS, Season
from campaigns.models import Campaign

from .district import timeline

# What each season's campaign brings, as words a wish's title or text uses.
SEASON_WORDS = {
    Season.WINTER: ("棉被", "取暖", "过冬", "棉衣", "冬天"),
    Season.SUMMER: ("电风扇", "防暑", "降温", "暑期", "暑假", "夏天"),
    Season.AUTUMN: ("书桌", "辅导", "课外", "读物", "学费", "开学", "书包"),
    Season.SPRING: ("工作", "就业", "零工", "电商", "创业"),
}
# Wishes of the season that residents make in it (``demo/wishes.py`` draws some of the season's wishes
# from here): (category, title, text).
SEASON_WISHES = {
    Season.WINTER: [
        ("supplies", "想要一台取暖器", "老房子冬天阴冷，老人关节不好，希望有一台取暖器。"),
        ("supplies", "冬天需要棉被", "家中棉被太薄，想要一床厚棉被过冬。"),
        ("supplies", "给老人添件棉衣", "独居老人的棉衣穿了十几年，已经不保暖了，想要一件新棉衣。"),
    ],
    Season.SUMMER: [
        ("supplies", "送一台电风扇", "家里没有空调，老人夏天在家闷热难受，想要一台电风扇。"),
        ("medical", "送些防暑药品", "在外面打零工，天气太热，希望有些藿香正气水和清凉油防暑。"),
        ("study", "暑期看护学习", "父母都在外打工，暑假希望有人看护孩子写作业。"),
    ],
    Season.AUTUMN: [
        ("study", "想要一张书桌", "孩子写作业没有书桌，只能趴在床上写。"),
        ("study", "开学需要书包文具", "孩子今年上一年级，家里困难，希望有个新书包和文具。"),
        ("study", "孩子课外辅导", "孩子上初二，数学成绩跟不上，希望周末有人辅导。"),
    ],
}
# The share of a season's wishes drawn from ``SEASON_WISHES`` (the study wishes of autumn are many already).
SEASON_WISH_SHARE = {Season.WINTER: 0.5, Season.SUMMER: 0.5, Season.AUTUMN: 0.1}
# Projects of each season, by their titles' words (``demo/projects.py``): the office files them.
SEASON_PROJECTS = {
    Season.SPRING: ("春风行动", "家门口就业"),
    Season.SUMMER: ("公益暑托班",),
    Season.AUTUMN: ("梦想小屋", "困难学生资助"),
    Season.WINTER: ("精准救助", "防贫保"),
}
# A wish made this many days before its season's campaign begins is still taken into it.
EARLY_DAYS = 20


def latest_dates(season: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days of ``season``'s latest campaign that has begun by ``today``."""
    first, last = SEASON_MONTHS[season]
    year = today.year if datetime.date(today.year, first, 1) <= today else today.year - 1
    end_year = year + 1 if last < first else year
    end = datetime.date(end_year, last, calendar.monthrange(end_year, last)[1])
    return datetime.date(year, first, 1), end


def campaigns() -> dict[str, Campaign]:
    """The demo's campaign of each season (the latest of each)."""
    found: dict[str, Campaign] = {}
    for campaign in Campaign.objects.order_by("season", "-start_date", "-id"):
        found.setdefault(campaign.season, campaign)
    return found


def season_of(*texts: str) -> str | None:
    """The season whose campaign a wish of these words belongs to, if any (winter's words first)."""
    joined = "".join(texts)
    for season in (Season.WINTER, Season.SUMMER, Season.AUTUMN, Season.SPRING):
        if any(word in joined for word in SEASON_WORDS[season]):
            return season
    return None


def takes(campaign: Campaign, *, submitted: datetime.datetime, done: datetime.datetime | None) -> bool:
    """Whether ``campaign`` takes a wish of its season submitted at ``submitted`` and done (fulfilled) at
    ``done``: made during the campaign (or shortly before it began) and not done before it began."""
    day = timezone.localdate(submitted)
    start = campaign.start_date
    if not start - datetime.timedelta(days=EARLY_DAYS) <= day <= campaign.end_date:
        return False
    return done is None or timezone.localdate(done) >= start


def seed(*, scale: int, stdout) -> None:
    """Idempotent: each season's campaign is moved to the timeline only when its dates differ."""
    office = User.objects.filter(username="admin").first()
    if office is None:
        return
    today = timeline().today
    moved = 0
    with transaction.atomic():
        for season, campaign in campaigns().items():
            start, end = latest_dates(season, today)
            if (campaign.start_date, campaign.end_date) == (start, end):
                continue
            services.campaign_update(
                actor=office,
                campaign=campaign,
                name=campaign.name,
                season=season,
                theme=campaign.theme,
                description=campaign.description,
                start_date=start,
                end_date=end,
                name_en=campaign.name_en,
                theme_en=campaign.theme_en,
            )
            moved += 1
    running = ", ".join(c.name for c in Campaign.objects.running_on(today)) or "无"
    stdout.write(f"  四季活动：{Campaign.objects.count()} 项（进行中：{running}），调整日期 {moved} 项")
