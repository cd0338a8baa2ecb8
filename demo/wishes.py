"""Demo data of the wishes app, called by ``manage.py seed_demo``: ~150×scale wishes in every state, over
all channels and categories, many in the demo community, claimed by member01… within the claim limit,
some overdue, some unclaimed for days, with follow-ups and their history events. Deterministic, idempotent,
bulk inserts (the history is written here directly, with the before/after the services would write)."""

import contextlib
import datetime
import random

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import Community, User
from jiangyan.models import AuditEvent
from wishes.choices import (
    RESIDENT_CHANNELS,
    FeedbackChannel,
    Satisfaction,
    WishCategory,
    WishChannel,
    WishStatus,
)
from wishes.models import CODE_ALPHABET, QUERY_CODE_LENGTH, Wish

from .accounts import demo_community, person_name

SEED = 20210401
BASE_COUNT = 150

WISHES: dict[str, list[tuple[str, str]]] = {
    WishCategory.SUPPLIES: [
        ("代购米面油", "居家隔离期间家中米面快吃完了，希望帮忙代购一袋米、一桶油。"),
        ("配送防疫物资", "家里老人行动不便，需要口罩和消毒液。"),
        ("送一台旧冰箱", "家里冰箱坏了，夏天食物存不住，希望有闲置冰箱。"),
        ("代买生活用品", "独居老人腿脚不便，每周需要有人代买蔬菜和日用品。"),
        ("冬天需要棉被", "家中棉被太薄，想要一床厚棉被过冬。"),
    ],
    WishCategory.STUDY: [
        ("孩子课外辅导", "孩子上初二，数学成绩跟不上，希望周末有人辅导。"),
        ("想要一张书桌", "孩子写作业没有书桌，只能趴在床上写。"),
        ("英语口语陪练", "孩子准备中考英语口语，希望有人陪练。"),
        ("需要课外读物", "希望给孩子捐一些适合小学生的课外书。"),
        ("暑期看护学习", "父母都在外打工，暑假希望有人看护孩子写作业。"),
    ],
    WishCategory.MEDICAL: [
        ("代购降压药", "患高血压多年，腿脚不便，希望每月帮忙到医院开药。"),
        ("陪同去医院复查", "老伴住院手术后需复查，子女不在身边，需要有人陪同。"),
        ("上门量血压", "希望社区党员能定期上门帮忙量血压、讲讲用药。"),
        ("预约专家号", "不会用手机挂号，想预约区人民医院的专家门诊。"),
        ("申请轮椅", "腿部骨折后行动困难，希望借用一台轮椅。"),
    ],
    WishCategory.REPAIR: [
        ("修理漏水水龙头", "厨房水龙头一直滴水，老人不会修。"),
        ("更换楼道灯泡", "楼道灯坏了一个多月，晚上上下楼很危险。"),
        ("修理电动车", "电动车充不上电，是上下班的唯一交通工具。"),
        ("疏通下水道", "卫生间下水道堵塞，自己疏通不了。"),
        ("修理门锁", "家门锁经常打不开，希望帮忙换一把锁。"),
        ("检修家用电线", "家里电线老化，经常跳闸，担心安全。"),
    ],
    WishCategory.COMPANY: [
        ("陪伴独居老人聊天", "老人独居，子女在外地，希望每周有人来聊聊天。"),
        ("教老人用智能手机", "想学会用微信视频和孙子聊天，还想学扫码。"),
        ("陪老人理发", "老人行动不便，希望有人陪着去理发店。"),
        ("读报给老人听", "老人视力不好，喜欢听新闻，希望有人读报。"),
        ("节日上门看望", "老伴去世后一个人过节，希望有人来坐坐。"),
    ],
    WishCategory.JOBS: [
        ("推荐一份工作", "刚退伍回乡，希望在本地找一份稳定工作。"),
        ("学习电商技能", "想在网上卖自家种的大米，不会开网店。"),
        ("咨询创业贷款", "想开一家小吃店，想了解创业贷款政策。"),
        ("找零工补贴家用", "家中有病人，想找些时间灵活的零工。"),
    ],
    WishCategory.OTHER: [
        ("帮忙办理医保报销", "不清楚医保报销流程，材料不会准备。"),
        ("写一封家书", "想给在外地当兵的孙子写封信，自己不会写字。"),
        ("整理房前屋后", "院子杂物太多，想清理出来种点菜。"),
        ("咨询法律问题", "和邻居宅基地有纠纷，想咨询一下法律意见。"),
    ],
}

# State of each of 20 wishes in turn (closed is the biggest share; every state appears).
STATE_CYCLE = [
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "fulfilled",
    "fulfilled",
    "claimed",
    "claimed",
    "claimed_overdue",
    "open",
    "open_flagged",
    "open_reopened",
    "submitted",
    "submitted",
    "rejected",
    "withdrawn",
]
STAFF_CHANNELS = [WishChannel.CARD, WishChannel.BOX, WishChannel.HOTLINE, WishChannel.VISIT]


@contextlib.contextmanager
def _historic_timestamps():
    """Let bulk_create keep the given ``created_at`` of history events (demo only)."""
    field = AuditEvent._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


class _Codes:
    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def make(self, prefix: str, length: int) -> str:
        while True:
            code = prefix + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(length))
            if code not in self.used:
                self.used.add(code)
                return code


def _address(rng: random.Random, community: Community) -> str:
    building, unit, floor, door = rng.randint(1, 30), rng.randint(1, 4), rng.randint(1, 6), rng.randint(1, 4)
    return f"{community.town.name}{community.name}{building}栋{unit}单元{floor}0{door}室"


def seed(*, scale: int, stdout) -> None:
    """Idempotent: does nothing when this app's demo data is already there."""
    if Wish.objects.exists():
        return
    with transaction.atomic():
        _seed(scale=max(1, scale), stdout=stdout)


def _seed(*, scale: int, stdout) -> None:
    rng = random.Random(SEED)
    codes = _Codes(rng)
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    home = demo_community()
    communities = list(Community.objects.select_related("town").order_by("id"))
    staff = User.objects.filter(username="community_staff").first()
    resident = User.objects.filter(username="resident").first()
    members = list(
        User.objects.filter(username__startswith="member", member_profile__isnull=False)
        .select_related("member_profile")
        .order_by("username")
    )
    home_members = [m for m in members if m.member_profile.registered_community_id == home.pk] or members
    active: dict[int, int] = {}
    limit = settings.WISH_MAX_OPEN_CLAIMS
    categories = list(WISHES)
    content_type = ContentType.objects.get_for_model(Wish, for_concrete_model=False)

    def pick_member(community_id: int, *, unfinished: bool) -> User:
        pool = home_members if community_id == home.pk else members
        for _ in range(50):
            member = rng.choice(pool if rng.random() < 0.8 else members)
            if not unfinished or active.get(member.pk, 0) < limit:
                break
        else:  # everybody is at the limit: the first member with room
            member = next(m for m in members if active.get(m.pk, 0) < limit)
        if unfinished:
            active[member.pk] = active.get(member.pk, 0) + 1
        return member

    wishes: list[Wish] = []
    plans: list[dict] = []
    total = BASE_COUNT * scale
    for index in range(total):
        state = STATE_CYCLE[index % len(STATE_CYCLE)]
        # Two in five wishes, and half of the overdue / flagged / reopened ones, are the demo community's.
        to_home = index % 5 in (0, 1) or (
            state in ("claimed_overdue", "open_reopened", "fulfilled") and index % 40 < 20
        )
        community = home if to_home else communities[rng.randrange(len(communities))]
        category = categories[index % len(categories)]
        title, text = rng.choice(WISHES[category])
        by_staff = state not in ("submitted", "rejected") and index % 3 != 0
        channel = rng.choice(STAFF_CHANNELS) if by_staff else rng.choice(RESIDENT_CHANNELS)
        hour = datetime.timedelta(hours=rng.randint(1, 10))
        age = {
            "submitted": rng.uniform(0.1, 2),
            "open": rng.uniform(0.2, 2.5),
            "open_flagged": rng.uniform(4, 12),
            "claimed": rng.uniform(2, 6),
            "claimed_overdue": rng.uniform(12, 25),
            "fulfilled": rng.uniform(8, 30),
            "closed": rng.uniform(10, 150),
            "open_reopened": rng.uniform(15, 40),
            "rejected": rng.uniform(3, 60),
            "withdrawn": rng.uniform(3, 60),
        }[state]
        submitted_at = now - datetime.timedelta(days=age)
        wish = Wish(
            code=codes.make(f"WX{submitted_at:%y%m}", 4),
            query_code=codes.make("", QUERY_CODE_LENGTH),
            title=title,
            text=text,
            category=category,
            urgent=category == WishCategory.SUPPLIES and index % 4 == 0,
            community=community,
            wisher_name=person_name(1000 + index),
            wisher_phone=f"15{rng.randint(100000000, 999999999)}",
            wisher_address=_address(rng, community),
            channel=channel,
            submitted_by=resident if (not by_staff and index % 37 == 0) else None,
            entered_by=staff if by_staff and community.pk == home.pk else None,
            submitted_at=submitted_at,
        )
        staff_label = f"{community.name}工作人员"
        staff_actor = staff if community.pk == home.pk else None
        wisher_label = "心愿人" if wish.submitted_by_id else "查询码用户"
        events = []

        def event(verb, at, before, after, note="", actor=None, label="", events=events):
            events.append(
                dict(
                    verb=verb, created_at=at, before=before, after=after, note=note, actor=actor, label=label
                )
            )

        # submitted → open
        if by_staff:
            wish.status, wish.reviewed_at, wish.opened_at = WishStatus.OPEN, submitted_at, submitted_at
            event(
                "wish.enter",
                submitted_at,
                None,
                {"status": "open", "channel": channel},
                actor=staff_actor,
                label=staff_label,
            )
        else:
            event(
                "wish.submit",
                submitted_at,
                None,
                {"status": "submitted", "channel": channel},
                label=wisher_label,
            )
            if state == "submitted":
                wish.status = WishStatus.SUBMITTED
            elif state == "rejected":
                wish.status, wish.reviewed_at = WishStatus.REJECTED, submitted_at + hour
                wish.reject_reason = "属于物业维修范围，已转小区物业处理。"
                event(
                    "wish.reject",
                    wish.reviewed_at,
                    {"status": "submitted"},
                    {"status": "rejected"},
                    note=wish.reject_reason,
                    actor=staff_actor,
                    label=staff_label,
                )
            else:
                wish.status, wish.reviewed_at = WishStatus.OPEN, submitted_at + hour
                wish.opened_at = wish.reviewed_at
                event(
                    "wish.approve",
                    wish.reviewed_at,
                    {"status": "submitted"},
                    {"status": "open"},
                    actor=staff_actor,
                    label=staff_label,
                )
        opened = wish.opened_at
        if state == "withdrawn":
            wish.status, wish.withdrawn_at = WishStatus.WITHDRAWN, opened + datetime.timedelta(days=1)
            event(
                "wish.withdraw",
                wish.withdrawn_at,
                {"status": "open"},
                {"status": "withdrawn"},
                note="问题已自行解决",
                actor=staff_actor if by_staff else None,
                label=staff_label if by_staff else wisher_label,
            )
        if state in ("claimed", "claimed_overdue", "fulfilled", "closed", "open_reopened"):
            unfinished = state in ("claimed", "claimed_overdue")
            member = pick_member(community.pk, unfinished=unfinished)
            claimed_at = opened + datetime.timedelta(hours=rng.randint(2, 40))
            promised = timezone.localtime(claimed_at).date() + datetime.timedelta(days=7)
            wish.status, wish.claimed_by, wish.claimed_at, wish.promised_date = (
                WishStatus.CLAIMED,
                member,
                claimed_at,
                promised,
            )
            event(
                "wish.claim",
                claimed_at,
                {"status": "open"},
                {"status": "claimed", "promised_date": promised.isoformat()},
                note=f"承诺 {promised:%Y-%m-%d} 前完成",
                actor=member,
            )
            if state in ("fulfilled", "closed", "open_reopened"):
                fulfilled_at = claimed_at + datetime.timedelta(days=rng.uniform(0.5, 5))
                wish.status, wish.fulfilled_at = WishStatus.FULFILLED, fulfilled_at
                wish.fulfil_note = f"已按约定完成：{title}。"
                event(
                    "wish.fulfil",
                    fulfilled_at,
                    {"status": "claimed"},
                    {"status": "fulfilled"},
                    note=wish.fulfil_note,
                    actor=member,
                )
                if state in ("closed", "open_reopened"):
                    feedback_at = min(fulfilled_at + datetime.timedelta(days=rng.uniform(0.5, 3)), now)
                    by_phone = rng.random() < 0.4
                    wish.feedback_at = feedback_at
                    wish.feedback_channel = FeedbackChannel.PHONE if by_phone else FeedbackChannel.ONLINE
                    who = (
                        {"actor": staff_actor, "label": staff_label} if by_phone else {"label": wisher_label}
                    )
                    if state == "closed":
                        wish.satisfaction = (
                            Satisfaction.SATISFIED if rng.random() < 0.78 else Satisfaction.BASICALLY
                        )
                        wish.status, wish.closed_at = WishStatus.CLOSED, feedback_at
                        wish.feedback_comment = rng.choice(
                            ["感谢党员同志！", "很及时，谢谢。", "", "帮了大忙"]
                        )
                        event(
                            "wish.feedback",
                            feedback_at,
                            {"status": "fulfilled"},
                            {"status": "closed", "satisfaction": wish.satisfaction},
                            note=f"{Satisfaction(wish.satisfaction).label}（{FeedbackChannel(wish.feedback_channel).label}）",
                            **who,
                        )
                    else:
                        wish.satisfaction, wish.feedback_comment = (
                            Satisfaction.UNSATISFIED,
                            "问题没有彻底解决",
                        )
                        wish.status, wish.reopened, wish.reopen_count = WishStatus.OPEN, True, 1
                        wish.claimed_by, wish.claimed_at, wish.promised_date = None, None, None
                        wish.opened_at = feedback_at
                        event(
                            "wish.reopen",
                            feedback_at,
                            {"status": "fulfilled"},
                            {"status": "open", "satisfaction": "unsatisfied"},
                            note=f"不满意（{FeedbackChannel(wish.feedback_channel).label}）",
                            **who,
                        )
        wishes.append(wish)
        plans.append(events)

    Wish.objects.bulk_create(wishes, batch_size=500)
    rows = [
        AuditEvent(
            actor=e["actor"],
            actor_label=e["label"] or (e["actor"].display_name if e["actor"] else "匿名"),
            verb=e["verb"],
            target_type=content_type,
            target_id=str(wish.pk),
            target_repr=str(wish)[:200],
            before=e["before"],
            after=e["after"],
            note=e["note"],
            created_at=e["created_at"],
        )
        for wish, events in zip(wishes, plans, strict=True)
        for e in events
    ]
    with _historic_timestamps():
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
    flagged = Wish.objects.unclaimed_flagged(now).count()
    overdue = Wish.objects.overdue(today).count()
    stdout.write(
        f"  微心愿：{len(wishes)} 个（{home} {sum(w.community_id == home.pk for w in wishes)} 个），"
        f"超时未认领 {flagged} 个，认领逾期 {overdue} 个，记录 {len(rows)} 条"
    )
