"""The four seasonal campaigns of the article (四季活动: 春送岗位、夏送清凉、秋送助学、冬送温暖), with this year's
dates: spring March–May, summer June–August, autumn September–November, winter from December to the end
of February. The office changes their dates and themes in the admin (audited) as each year's plan says;
the demo moves them to its own timeline (``demo/campaigns.py``)."""

import calendar
import datetime

from django.db import migrations
from django.utils import timezone

SEASONS = [
    (
        "spring",
        "春送岗位",
        "春风行动——信息导航、就业有路",
        "开春举办系列招聘会，送政策、送岗位上门，帮助返乡人员、低收入家庭劳动力和高校毕业生就近就业；"
        "与“求学圆梦”工程衔接，提升学历和技能。",
    ),
    (
        "summer",
        "夏送清凉",
        "高温季节为户外劳动者、困难群众和独居老人送去防暑降温物品",
        "走访慰问环卫工人、建筑工人等一线劳动者和困难群众，送去防暑药品、清凉饮品、电风扇，"
        "帮助检修老旧电线电器，开办公益暑托班。",
    ),
    (
        "autumn",
        "秋送助学",
        "开学季资助困难家庭学生，圆孩子们的求学梦",
        "为低收入家庭、留守儿童和困境儿童送去助学金、学习用品和书桌，党员结对辅导功课，"
        "帮助家长办理教育资助。",
    ),
    (
        "winter",
        "冬送温暖",
        "寒冬为困难群众送去棉被、取暖器，让大家温暖过冬",
        "走访慰问低保户、特困供养人员、独居老人和困难党员，送去棉被、棉衣、取暖器和年货，"
        "帮助检查冬季用电用气安全。",
    ),
]
MONTHS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "winter": (12, 2)}


def dates_of(season: str, year: int) -> tuple[datetime.date, datetime.date]:
    """The days of ``season`` beginning in ``year`` (winter ends in the next year's February)."""
    first, last = MONTHS[season]
    end_year = year + 1 if last < first else year
    return (
        datetime.date(year, first, 1),
        datetime.date(end_year, last, calendar.monthrange(end_year, last)[1]),
    )


def seed(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    if Campaign.objects.exists():
        return
    year = timezone.localdate().year
    for season, name, theme, description in SEASONS:
        start, end = dates_of(season, year)
        Campaign.objects.create(
            name=name, season=season, theme=theme, description=description, start_date=start, end_date=end
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
