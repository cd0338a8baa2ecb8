"""Who handles what in the demo district, and when the campaign happened.

``DOMAIN_UNITS`` is the one table of fields (领域, the projects' ``Domain`` lookup) and the district units
that really handle them, lead unit first: 区民政局 for elderly care, 区教育局 for schools and summer
classes, 区住建局 for old residential areas, 区城管局 for street lights, 区水利局 for rivers and flooding,
区农业农村局 for farmland … Every demo problem item names its field and responsible unit, every demo
project its field and lead unit; ``tests/demo/test_district.py`` walks suggestion → problem item → duty
item → project and checks they share a field and that each unit belongs to it.

The campaign's dates hang off today (``timeline``), so the schedule figures stay alive whenever the demo
is seeded: the needs survey ran a little over a year ago, the problem list and the duty list followed,
the projects were registered after that and run until the months ahead."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

DOMAIN_UNITS: dict[str, tuple[str, ...]] = {
    "养老": ("区民政局", "区卫生健康委员会", "区医疗保障局"),
    # 教育 and childcare (托育 of the under-threes is the health commission's remit in China)
    "教育": ("区教育局", "共青团姜堰区委", "区妇女联合会", "区总工会", "区卫生健康委员会"),
    "医疗卫生": ("区卫生健康委员会", "区医疗保障局", "区残疾人联合会", "区红十字会"),
    "就业": ("区人力资源和社会保障局", "区总工会"),
    "社会保障": (
        "区民政局",
        "区人力资源和社会保障局",
        "区医疗保障局",
        "区残疾人联合会",
        "区退役军人事务局",
        "区妇女联合会",
    ),
    "居民增收": ("区农业农村局", "区人力资源和社会保障局", "区总工会"),
    "住房保障": ("区住房和城乡建设局",),
    "城市管理": ("区城市管理局",),
    "水利水务": ("区水利局", "区水务集团"),
    "交通出行": ("区交通运输局", "区公安分局"),
    "环境保护": ("区生态环境局",),
    "农业农村": ("区农业农村局",),
    "社区治理": ("区民政局", "区委组织部", "区住房和城乡建设局", "区委政法委员会"),
    "平安法治": ("区公安分局", "区司法局", "区委政法委员会", "区消防救援大队", "区应急管理局"),
    "政务服务": ("区行政审批局", "区数据局", "区信访局", "区自然资源和规划局", "区税务局", "区医疗保障局"),
    "经济发展": (
        "区工业和信息化局",
        "区商务局",
        "区科学技术局",
        "区发展和改革委员会",
        "区财政局",
        "区税务局",
    ),
    "文化体育": ("区文体广电和旅游局",),
    "市场监管": ("区市场监督管理局",),
    "公用事业": ("区供电公司", "区水务集团", "区工业和信息化局", "区住房和城乡建设局"),
}

# The demo's domains beyond the ones migration 0002 seeds (admin-editable lookups, added by the demo).
EXTRA_DOMAINS = ["社会保障", "城市管理", "水利水务", "市场监管", "公用事业"]

URBAN_TOWNS = ("罗塘街道", "三水街道", "天目山街道")


def handles(unit: str, domain: str) -> bool:
    """Does ``unit`` handle work of ``domain``?"""
    return unit in DOMAIN_UNITS.get(domain, ())


@dataclass(frozen=True)
class Timeline:
    """The campaign's dates, counted back from ``today``."""

    today: datetime.date

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    @property
    def survey_opens(self) -> datetime.date:
        return self.day(-420)

    @property
    def survey_closes(self) -> datetime.date:
        return self.day(-334)

    @property
    def duty_list(self) -> datetime.date:
        """The office turned the problem list into duty items."""
        return self.day(-318)

    @property
    def registry(self) -> datetime.date:
        """The office imported the first batch of the project list."""
        return self.day(-310)

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        """``day`` at ``hour:minute`` in the district's time zone, never later than now."""
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        return min(moment, timezone.now())


def timeline() -> Timeline:
    return Timeline(today=timezone.localdate())
