"""Demo organisation: Jiangyan's towns and communities (each with its wish hotline), lead units, party
branches and the demo accounts of DESIGN §5 — plus a liaison for every unit (``unit02`` …, the authors of
its projects' statements) and a worker for every community (``community02`` …, who enter and review its
wishes). Other apps' demo data hang off the constants below (the demo unit has projects, the demo
community has wishes)."""

import functools
from base64 import b32encode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Community, MemberProfile, PartyBranch, Town, Unit, UnitAlias, User
from accounts.services import ensure_role_groups
from jiangyan.core.roles import Role

from . import english

TOWNS: dict[str, list[str]] = {
    "罗塘街道": ["天目社区", "中天社区", "三里社区", "人民路社区", "东方红社区", "古田社区"],
    "三水街道": ["三水社区", "鑫都社区", "府前社区", "南苑社区", "大泗村"],
    "天目山街道": ["天目山社区", "单塘河社区", "太宇社区", "姜堰村"],
    "梁徐街道": ["梁徐社区", "官庄村", "花园村", "王石村"],
    "张甸镇": ["张甸社区", "三野村", "甸河村", "殷庄村"],
    "白米镇": ["白米社区", "腰庄村", "野沐村", "季堡村"],
    "娄庄镇": ["娄庄社区", "娄东村", "胡庄村", "官庄村"],
    "沈高镇": ["沈高社区", "河横村", "双星村", "夏家村"],
    "大伦镇": ["大伦社区", "尤庄村", "葛家村", "伦东村"],
    "兴泰镇": ["兴泰社区", "南寺村", "五里村", "甘蔗村"],
    "顾高镇": ["顾高社区", "千秋村", "夏庄村", "千里村"],
    "蒋垛镇": ["蒋垛社区", "仲院村", "西兴村", "蒋北村"],
    "桥头镇": ["桥头社区", "小杨村", "孔庄村", "石梁村"],
    "溱潼镇": ["溱潼社区", "湖南村", "洲城村", "湖西村"],
    "俞垛镇": ["俞垛社区", "仓场村", "角墩村", "叶甸村"],
    "淤溪镇": ["淤溪社区", "周庄村", "马庄村", "靳潭村"],
    "华港镇": ["华港社区", "溪南村", "港口村", "桥头村"],
}

UNITS = [
    "区发展和改革委员会",
    "区教育局",
    "区民政局",
    "区人力资源和社会保障局",
    "区卫生健康委员会",
    "区住房和城乡建设局",
    "区交通运输局",
    "区农业农村局",
    "区水利局",
    "区生态环境局",
    "区市场监督管理局",
    "区城市管理局",
    "区文体广电和旅游局",
    "区财政局",
    "区司法局",
    "区公安分局",
    "区应急管理局",
    "区商务局",
    "区工业和信息化局",
    "区科学技术局",
    "区医疗保障局",
    "区退役军人事务局",
    "区自然资源和规划局",
    "区行政审批局",
    "区数据局",
    "区总工会",
    "共青团姜堰区委",
    "区妇女联合会",
    "区残疾人联合会",
    "区红十字会",
    "区供电公司",
    "区水务集团",
    "区融媒体中心",
    "区委组织部",
    "区委宣传部",
    "区委政法委员会",
    "区信访局",
    "区税务局",
    "区统计局",
    "区消防救援大队",
]

# What the district's own lists call the units besides their names and short names (``UnitAlias``, which
# the office edits in the admin): the project import reads 区卫健委 as 区卫生健康委员会. A name with or
# without the district's name in front needs none (区教育局, 教育局 and 姜堰区教育局 are one; 区人社局 is
# the short name 人社局 with 区), see ``accounts.selectors.UnitNames``.
UNIT_ALIASES: dict[str, list[str]] = {
    "区发展和改革委员会": ["区发改委", "区发展改革委"],
    "区卫生健康委员会": ["区卫健委", "区卫生健康委", "区卫健局"],
    "区交通运输局": ["区交通局", "区交运局"],
    "区农业农村局": ["区农业局", "区农委"],
    "区生态环境局": ["区环保局"],
    "区市场监督管理局": ["区市场监管局", "区市监局"],
    "区城市管理局": ["区城管局"],
    "区文体广电和旅游局": ["区文体广旅局", "区文旅局", "区文体局"],
    "区公安分局": ["公安姜堰分局", "区公安局"],
    "区应急管理局": ["区应急局"],
    "区工业和信息化局": ["区工信局"],
    "区科学技术局": ["区科技局"],
    "区医疗保障局": ["区医保局"],
    "区退役军人事务局": ["区退役军人局"],
    "区自然资源和规划局": ["区资规局", "区自然资源局"],
    "区行政审批局": ["区审批局"],
    "区数据局": ["区大数据局", "区大数据管理局"],
    "共青团姜堰区委": ["区团委", "共青团区委"],
    "区妇女联合会": ["区妇联"],
    "区残疾人联合会": ["区残联"],
    "区红十字会": ["区红会"],
    "区供电公司": ["国网姜堰供电公司", "国网姜堰区供电公司"],
    "区委组织部": ["组织部", "区组织部"],
    "区委宣传部": ["宣传部", "区宣传部"],
    "区委政法委员会": ["区委政法委", "政法委"],
    "区消防救援大队": ["区消防大队"],
}

DEMO_UNIT_NAME = "区教育局"  # the unit of the ``unit_staff`` account; its projects are seeded
DEMO_TOWN_NAME = "罗塘街道"
DEMO_COMMUNITY_NAME = "天目社区"  # the community of the ``community_staff`` account; wishes are seeded
MEMBER_COUNT = 60
# The four leading bodies' members who hold contact points (``demo.supervision``): account, name, body
# (``supervision.choices.LeadingBody``), post, order of precedence. Names are invented.
LEADERS = (
    ("leader01", "王建国", "committee", "区委书记", 1),
    ("leader02", "陈立新", "government", "区委副书记、区长", 2),
    ("leader03", "刘永康", "congress", "区人大常委会主任", 3),
    ("leader04", "赵文华", "cppcc", "区政协主席", 4),
    ("leader05", "孙海燕", "committee", "区委常委、组织部部长", 5),
    ("leader06", "周志明", "government", "副区长", 6),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国文斌志强海燕晨曦子涵浩然欣怡雨轩"


def person_name(index: int) -> str:
    """A deterministic Chinese name for demo person number ``index``."""
    surname = SURNAMES[(index * 7) % len(SURNAMES)]
    given = GIVEN[(index * 3) % len(GIVEN)] + ("" if index % 3 == 0 else GIVEN[(index * 5 + 1) % len(GIVEN)])
    return surname + given


def short_name(unit: str) -> str:
    """``区民政局`` → ``民政局``; ``共青团姜堰区委`` → ``团区委``."""
    return {
        "共青团姜堰区委": "团区委",
        "区人力资源和社会保障局": "人社局",
        "区住房和城乡建设局": "住建局",
    }.get(unit, unit.removeprefix("区")[:8])


def demo_community() -> Community:
    return Community.objects.get(town__name=DEMO_TOWN_NAME, name=DEMO_COMMUNITY_NAME)


@functools.cache
def _demo_password_hash(password: str) -> str:
    # Hashed once: PBKDF2 for each of 65 accounts would cost seconds.
    return make_password(password)


def _user(username: str, *, role: str, real_name: str, **fields) -> User:
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={"real_name": real_name, "password": _demo_password_hash(settings.DEMO_PASSWORD), **fields},
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def seed_organisation() -> None:
    """The district's towns, communities, units (with their aliases) and party branches, once."""
    if not Town.objects.exists():
        for order, (town_name, communities) in enumerate(TOWNS.items()):
            kind = Town.Kind.SUBDISTRICT if town_name.endswith("街道") else Town.Kind.TOWN
            town = Town.objects.create(name=town_name, kind=kind, order=order)
            Community.objects.bulk_create(
                Community(
                    town=town,
                    name=name,
                    kind=Community.Kind.VILLAGE if name.endswith("村") else Community.Kind.COMMUNITY,
                    phone=f"0523-8{order + 1:02d}{number:02d}{(order * 37 + number * 11) % 1000:03d}",
                )
                for number, name in enumerate(communities, start=1)
            )
        Unit.objects.bulk_create(
            Unit(name=name, short_name=short_name(name), name_en=english.UNITS.get(name, ""))
            for name in UNITS
        )
        PartyBranch.objects.bulk_create(
            [PartyBranch(name=f"{unit.name}机关党支部", unit=unit) for unit in Unit.objects.all()]
            + [
                PartyBranch(name=f"{c.town.name}{c.name}党支部", community=c)
                for c in Community.objects.select_related("town")
            ]
        )
    units = dict(Unit.objects.values_list("name", "pk"))
    UnitAlias.objects.bulk_create(
        [
            UnitAlias(unit_id=units[name], alias=alias)
            for name, aliases in UNIT_ALIASES.items()
            if name in units
            for alias in aliases
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def seed(*, scale: int, stdout) -> None:
    ensure_role_groups()
    if not Town.objects.exists():
        seed_organisation()
        stdout.write(
            f"  组织：{Town.objects.count()} 个镇街，{Community.objects.count()} 个社区（村），"
            f"{Unit.objects.count()} 个单位，{UnitAlias.objects.count()} 个单位别称"
        )
    else:
        seed_organisation()  # aliases added since the district was seeded

    community = demo_community()
    unit = Unit.objects.get(name=DEMO_UNIT_NAME)
    admin = _user("admin", role=Role.ADMIN, real_name="办实事办公室", is_staff=True, is_superuser=True)
    if not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    _user("supervisor", role=Role.SUPERVISOR, real_name="巡回指导组")
    for username, name, _body, _title, _rank in LEADERS:
        _user(username, role=Role.SUPERVISOR, real_name=name)
    _user("unit_staff", role=Role.UNIT_STAFF, real_name="教育局联络员", unit=unit)
    _user("community_staff", role=Role.COMMUNITY_STAFF, real_name="天目社区工作人员", community=community)
    for number, other in enumerate(Unit.objects.order_by("pk"), start=1):
        if other.pk != unit.pk:
            _user(
                f"unit{number:02d}", role=Role.UNIT_STAFF, real_name=f"{other.short_name}联络员", unit=other
            )
    for number, place in enumerate(Community.objects.select_related("town").order_by("pk"), start=1):
        if place.pk != community.pk:
            _user(
                f"community{number:02d}",
                role=Role.COMMUNITY_STAFF,
                real_name=f"{place.name}工作人员",
                community=place,
            )
    _user("resident", role=Role.RESIDENT, real_name="周晓梅", phone="13900001234", community=community)

    communities = list(Community.objects.select_related("town").order_by("id"))
    branches = {b.community_id: b for b in PartyBranch.objects.filter(community__isnull=False)}
    homes = {
        # Every fourth member reports to the demo community, so its board has claimers.
        f"member{number:02d}": (
            number,
            community if number % 4 == 1 else communities[number % len(communities)],
        )
        for number in range(1, MEMBER_COUNT * max(1, scale) + 1)
    }
    _bulk_members(homes, branches)


def _bulk_members(homes: dict[str, tuple[int, Community]], branches: dict[int, PartyBranch]) -> None:
    """The party members not there yet, with their role and profile, in a few bulk inserts (6,000 of them
    at ``--scale 100``: one by one they took minutes)."""
    existing = set(User.objects.filter(username__in=list(homes)).values_list("username", flat=True))
    new = [
        User(
            username=username,
            real_name=person_name(number),
            phone=f"1380000{number:04d}",
            community=home,
            password=_demo_password_hash(settings.DEMO_PASSWORD),
        )
        for username, (number, home) in homes.items()
        if username not in existing
    ]
    members = User.objects.bulk_create(new, batch_size=1000)
    group = Group.objects.get(name=Role.PARTY_MEMBER)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=m.pk, group_id=group.pk) for m in members], batch_size=2000
    )
    MemberProfile.objects.bulk_create(
        [
            MemberProfile(user=m, registered_community=m.community, branch=branches.get(m.community_id))
            for m in members
        ],
        batch_size=1000,
    )


def print_accounts(stdout) -> None:
    stdout.write("演示账号（密码均为 DEMO_PASSWORD，默认 jiangyan-demo）：")
    for username, what in (
        ("admin", "办实事办公室（管理员）"),
        ("supervisor", "督查人员 / 巡回指导组"),
        (f"{LEADERS[0][0]} … {LEADERS[-1][0]}", "联系领导（四套班子成员，各有基层联系点）"),
        ("unit_staff", f"领办单位联络员（{DEMO_UNIT_NAME}）"),
        ("community_staff", f"社区工作人员（{DEMO_TOWN_NAME}{DEMO_COMMUNITY_NAME}）"),
        ("resident", "居民"),
        ("member01 … member60", "党员"),
        (_numbered("unit"), "各领办单位联络员"),
        (_numbered("community"), "各社区（村）工作人员"),
    ):
        stdout.write(f"  {username:<26} {what}")


def _numbered(prefix: str) -> str:
    """The numbered accounts as they are, in runs: ``unit01, unit03 … unit40`` (the demo unit's number
    belongs to ``unit_staff``, the demo community's to ``community_staff``)."""
    numbers = sorted(
        int(name[len(prefix) :])
        for name in User.objects.filter(username__regex=rf"^{prefix}[0-9]+$").values_list(
            "username", flat=True
        )
    )
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"{prefix}{run[0]:02d}" + (f" … {prefix}{run[-1]:02d}" if len(run) > 1 else "") for run in runs
    )


# The demo staff accounts' authenticator key: one key for all of them, so a newcomer adds it to an
# authenticator app once (or uses a printed recovery code) and signs in as each in turn.
DEMO_TOTP_KEY = b"jiangyan-demo-totp!!".hex()
DEMO_STAFF = ("admin", "supervisor", "unit_staff", "community_staff")


def demo_second_step(stdout, *, codes: bool = True) -> None:
    """Give every demo staff account the demo authenticator (when it has none) and print how to pass the
    second step: the key for an app, and a fresh recovery code for each of the main demo accounts."""
    staff = User.objects.filter(
        username__regex=r"^(admin|supervisor|unit_staff|community_staff|leader\d+|unit\d+|community\d+)$"
    )
    with_device = set(
        TOTPDevice.objects.filter(user__in=staff, confirmed=True).values_list("user_id", flat=True)
    )
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
        for user in staff
        if user.pk not in with_device
    )
    secret = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
    stdout.write(
        "第二步验证（工作人员必需）：在身份验证器应用中手动添加密钥 "
        f"{secret}（所有演示工作人员账号共用；uri otpauth://totp/Jiangyan:demo?secret={secret}&issuer=Jiangyan），"
        "输入应用显示的 6 位数字；或输入下面的恢复码（每个用一次，`manage.py demo_otp` 再发一组）："
    )
    if not codes:
        return
    for username in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        device, _created = StaticDevice.objects.get_or_create(user=user, name="demo recovery")
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        stdout.write(f"  {username:<22} {code}")
