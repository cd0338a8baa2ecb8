"""Demo data of the wishes app, called by ``manage.py seed_demo``: ~150 × scale wishes (the article's
"100余个") in every state, over all channels — online, the QR code on a wish card, the collection box, the
hotline, the door-to-door visits and the evening visits (夜访) — and every category, many in the demo
community, claimed by member01 … within the claim limit, some overdue, some unclaimed for days. The urgent
supplies requests of people in home quarantine are the 生活帮帮团's. Fulfilled wishes carry a photo.

Each wish's history is what ``wishes.services`` writes for the same transitions — the community's worker
enters or reviews, the member claims and fulfils, the wisher (or the worker, by phone) gives the follow-up
— written in bulk with the days it happened (``demo.history``; ``tests/demo/test_history.py`` compares
them with the services'). Deterministic, idempotent, bulk inserts."""

import datetime
import random
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Community, Town, User
from jiangyan.core.roles import Role
from wishes import selectors as wishes_selectors
from wishes import services as wishes_services
from wishes.choices import (
    RESIDENT_CHANNELS,
    FeedbackChannel,
    OfferStatus,
    PhotoKind,
    Satisfaction,
    TeamKind,
    WishCategory,
    WishChannel,
    WishStatus,
)
from wishes.models import CODE_ALPHABET, QUERY_CODE_LENGTH, HelpTeam, Wish, WishPhoto
from wishes.services import CLAIM_NOTE, ROUTE_NOTE, feedback_note

from . import campaigns as seasonal
from . import pictures
from .accounts import demo_community, person_name
from .history import Record, historic_timestamps

SEED = 20210401
BASE_COUNT = 150
WISHER_LABEL, ANONYMOUS_WISHER_LABEL = "心愿人", "查询码用户"

# (title, text, urgent): the urgent supplies requests are the 生活帮帮团's (home quarantine, people who
# cannot go out: rice, oil, masks …).
WISHES: dict[str, list[tuple[str, str, bool]]] = {
    WishCategory.SUPPLIES: [
        ("代购米面油", "居家隔离期间家中米面快吃完了，希望帮忙代购一袋米、一桶油。", True),
        ("配送防疫物资", "居家隔离，家里老人行动不便，需要口罩、体温计和消毒液。", True),
        ("代买蔬菜和常用药", "一家人居家隔离，孩子还小，需要有人代买蔬菜和退烧药。", True),
        ("送一台旧冰箱", "家里冰箱坏了，夏天食物存不住，希望有闲置冰箱。", False),
        ("代买生活用品", "独居老人腿脚不便，每周需要有人代买蔬菜和日用品。", False),
        ("冬天需要棉被", "家中棉被太薄，想要一床厚棉被过冬。", False),
    ],
    WishCategory.STUDY: [
        ("孩子课外辅导", "孩子上初二，数学成绩跟不上，希望周末有人辅导。", False),
        ("想要一张书桌", "孩子写作业没有书桌，只能趴在床上写。", False),
        ("英语口语陪练", "孩子准备中考英语口语，希望有人陪练。", False),
        ("需要课外读物", "希望给孩子捐一些适合小学生的课外书。", False),
        ("暑期看护学习", "父母都在外打工，暑假希望有人看护孩子写作业。", False),
    ],
    WishCategory.MEDICAL: [
        ("代购降压药", "患高血压多年，腿脚不便，希望每月帮忙到医院开药。", False),
        ("陪同去医院复查", "老伴住院手术后需复查，子女不在身边，需要有人陪同。", False),
        ("上门量血压", "希望社区党员能定期上门帮忙量血压、讲讲用药。", False),
        ("预约专家号", "不会用手机挂号，想预约区人民医院的专家门诊。", False),
        ("申请轮椅", "腿部骨折后行动困难，希望借用一台轮椅。", False),
    ],
    WishCategory.REPAIR: [
        ("修理漏水水龙头", "厨房水龙头一直滴水，老人不会修。", False),
        ("更换楼道灯泡", "楼道灯坏了一个多月，晚上上下楼很危险。", False),
        ("修理电动车", "电动车充不上电，是上下班的唯一交通工具。", False),
        ("疏通下水道", "卫生间下水道堵塞，自己疏通不了。", False),
        ("修理门锁", "家门锁经常打不开，希望帮忙换一把锁。", False),
        ("检修家用电线", "家里电线老化，经常跳闸，担心安全。", False),
    ],
    WishCategory.COMPANY: [
        ("陪伴独居老人聊天", "老人独居，子女在外地，希望每周有人来聊聊天。", False),
        ("教老人用智能手机", "想学会用微信视频和孙子聊天，还想学扫码。", False),
        ("陪老人理发", "老人行动不便，希望有人陪着去理发店。", False),
        ("读报给老人听", "老人视力不好，喜欢听新闻，希望有人读报。", False),
        ("节日上门看望", "老伴去世后一个人过节，希望有人来坐坐。", False),
    ],
    WishCategory.JOBS: [
        ("推荐一份工作", "刚退伍回乡，希望在本地找一份稳定工作。", False),
        ("学习电商技能", "想在网上卖自家种的大米，不会开网店。", False),
        ("咨询创业贷款", "想开一家小吃店，想了解创业贷款政策。", False),
        ("找零工补贴家用", "家中有病人，想找些时间灵活的零工。", False),
    ],
    WishCategory.OTHER: [
        ("帮忙办理医保报销", "不清楚医保报销流程，材料不会准备。", False),
        ("写一封家书", "想给在外地当兵的孙子写封信，自己不会写字。", False),
        ("整理房前屋后", "院子杂物太多，想清理出来种点菜。", False),
        ("咨询法律问题", "和邻居宅基地有纠纷，想咨询一下法律意见。", False),
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
# The channels community workers enter wishes from (cards, the box, the hotline, visits, evening visits).
STAFF_CHANNELS = [c for c in WishChannel.values if c not in (WishChannel.ONLINE,)]
AGE_DAYS = {
    "submitted": (0.1, 2),
    "open": (0.2, 2.5),
    "open_flagged": (4, 12),
    "claimed": (2, 6),
    "claimed_overdue": (12, 25),
    "fulfilled": (8, 30),
    "closed": (10, 150),
    "open_reopened": (15, 40),
    "rejected": (3, 60),
    "withdrawn": (3, 60),
}


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
    with transaction.atomic(), translation.override(None):  # history notes are data: source language
        _seed(scale=max(1, scale), stdout=stdout)


class _Members:
    """Picks claimers, home community's members first, keeping everybody within the claim limit."""

    def __init__(self, rng: random.Random, home: Community):
        self.rng = rng
        self.all = list(
            User.objects.filter(username__startswith="member", member_profile__isnull=False)
            .select_related("member_profile")
            .order_by("username")
        )
        self.home_pk = home.pk
        self.home = [m for m in self.all if m.member_profile.registered_community_id == home.pk] or self.all
        self.active: dict[int, int] = {}
        self.limit = settings.WISH_MAX_OPEN_CLAIMS

    def pick(self, community_id: int, *, unfinished: bool, team: list[User] | None = None) -> User:
        """A claimer; ``team``: a help team's members (its routed wishes are theirs)."""
        pool = team or (self.home if community_id == self.home_pk else self.all)
        everybody = team or self.all
        for _ in range(50):
            member = self.rng.choice(pool if self.rng.random() < 0.8 else everybody)
            if not unfinished or self.active.get(member.pk, 0) < self.limit:
                break
        else:  # everybody is at the limit: the first member with room
            member = next(m for m in everybody if self.active.get(m.pk, 0) < self.limit)
        if unfinished:
            self.active[member.pk] = self.active.get(member.pk, 0) + 1
        return member


def _seed(*, scale: int, stdout) -> None:
    rng = random.Random(SEED)
    codes = _Codes(rng)
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    home = demo_community()
    communities = list(Community.objects.select_related("town").order_by("id"))
    workers: dict[int, User] = {}
    for user in User.objects.filter(groups__name=Role.COMMUNITY_STAFF, community__isnull=False).order_by(
        "pk"
    ):
        workers.setdefault(user.community_id, user)
    resident = User.objects.filter(username="resident").first()
    members = _Members(rng, home)
    photos = pictures.pool()["parcel"]
    categories = list(WISHES)
    record = Record()
    seasons = seasonal.campaigns()
    season_rng = random.Random(SEED + 4)  # its own draws: the other wishes stay as they were
    teams = _seed_teams(home, members)
    team_members = {team.pk: list(team.members.order_by("username")) for team in teams}
    team_places = [_first_place(team) for team in teams]
    team_of: dict[int, HelpTeam | None] = {}  # community → the team its urgent supplies wishes go to

    wishes: list[Wish] = []
    stories: list[list[dict]] = []
    fulfilment_photos: list[WishPhoto] = []
    for index in range(BASE_COUNT * scale):
        state = STATE_CYCLE[index % len(STATE_CYCLE)]
        # One wish in ten (a different place in the cycle of states each round, so every state has some),
        # and half of the overdue / reopened / awaiting-feedback ones, are the demo
        # community's (a busy town-centre community: its desk has some of each to show, the board stays the
        # district's, not one community's).
        to_home = index % 10 == (index // len(STATE_CYCLE)) % 10 or (
            state in ("claimed_overdue", "open_reopened", "fulfilled") and index % 40 < 20
        )
        community = home if to_home else communities[rng.randrange(len(communities))]
        category = categories[index % len(categories)]
        title, text, urgent = rng.choice(WISHES[category])
        if category == WishCategory.SUPPLIES and team_places and (state in TEAM_STATES or index % 3 == 0):
            # Most supplies wishes are the urgent requests of households in home quarantine, each in a
            # team's range in turn (the teams' queues hold every state).
            title, text, urgent = URGENT[index % len(URGENT)]
            turn = index // len(WISHES)
            community = team_places[(turn + turn // 3) % len(team_places)]
        # An urgent supplies request goes to the help team covering it when it opens (``wish_route``).
        team = None
        if wishes_selectors.routes_to_team(Wish(category=category, urgent=urgent)):
            if community.pk not in team_of:
                team_of[community.pk] = wishes_selectors.team_for(community=community, category=category)
            team = team_of[community.pk]
        by_staff = state not in ("submitted", "rejected") and index % 3 != 0
        channel = rng.choice(STAFF_CHANNELS) if by_staff else rng.choice(RESIDENT_CHANNELS)
        hour = datetime.timedelta(hours=rng.randint(1, 10))
        submitted_at = now - datetime.timedelta(days=rng.uniform(*AGE_DAYS[state]))
        if team is not None and state == "open":  # today's request, still within the team's hours
            submitted_at = now - datetime.timedelta(minutes=40 + 50 * (index % 3))
            hour = datetime.timedelta(minutes=30)
        # In a season, some wishes are what its campaign brings (a heater in winter, a fan in summer …).
        season = _season_at(seasons, submitted_at)
        if not urgent and season_rng.random() < seasonal.SEASON_WISH_SHARE.get(season, 0):
            category, title, text = season_rng.choice(seasonal.SEASON_WISHES[season])
        worker = workers.get(community.pk)
        wisher = resident if (not by_staff and index % 37 == 0) else None
        wish = Wish(
            code=codes.make(f"WX{timezone.localtime(submitted_at):%y%m}", 4),
            query_code=codes.make("", QUERY_CODE_LENGTH),
            title=title,
            text=text,
            category=category,
            urgent=urgent,
            community=community,
            wisher_name=person_name(1000 + index),
            wisher_phone=f"15{rng.randint(100000000, 999999999)}",
            wisher_address=_address(rng, community),
            channel=channel,
            submitted_by=wisher,
            entered_by=worker if by_staff else None,
            submitted_at=submitted_at,
        )
        # What the wisher's own acts look like in the record: their account, or their query code.
        as_wisher = {"actor": wisher, "label": WISHER_LABEL if wisher else ANONYMOUS_WISHER_LABEL}
        story: list[dict] = []

        def event(verb, at, before, after, note="", *, actor=None, label="", story=story, **details):
            story.append(
                dict(
                    verb=verb,
                    at=at,
                    before=before,
                    after=after,
                    note=note,
                    actor=actor,
                    label=label,
                    **details,
                )
            )

        # in → open
        if by_staff:
            wish.status, wish.reviewed_at, wish.opened_at = WishStatus.OPEN, submitted_at, submitted_at
            event("wish.enter", submitted_at, None, {"status": "open", "channel": channel}, actor=worker)
        else:
            event("wish.submit", submitted_at, None, {"status": "submitted", "channel": channel}, **as_wisher)
            if state == "submitted":
                wish.status = WishStatus.SUBMITTED
            elif state == "rejected":
                wish.status, wish.reviewed_at = WishStatus.REJECTED, submitted_at + hour
                wish.reject_reason = "属于物业维修范围，已转小区物业处理。"
                event(
                    "wish.reject", wish.reviewed_at, "submitted", "rejected", wish.reject_reason, actor=worker
                )
            else:
                wish.status, wish.reviewed_at = WishStatus.OPEN, submitted_at + hour
                wish.opened_at = wish.reviewed_at
                event("wish.approve", wish.reviewed_at, "submitted", "open", actor=worker)
        opened = wish.opened_at
        # Opened, an urgent supplies request goes to the team covering it (``wishes.services.wish_route``).
        if opened is not None and wishes_selectors.routes_to_team(wish):
            if community.pk not in team_of:
                team_of[community.pk] = wishes_selectors.team_for(community=community, category=category)
            wish.team = team_of[community.pk]
            if wish.team is not None:
                note = ROUTE_NOTE(team=wish.team.name, hours=settings.WISH_TEAM_CLAIM_HOURS)
                event(
                    "wish.route", opened, None, {"status": "open", "team": wish.team.pk}, note, actor=worker
                )
        if state == "withdrawn":
            wish.status, wish.withdrawn_at = WishStatus.WITHDRAWN, opened + datetime.timedelta(days=1)
            who = {"actor": worker} if by_staff else as_wisher
            event("wish.withdraw", wish.withdrawn_at, "open", "withdrawn", "问题已自行解决", **who)
        if state in ("claimed", "claimed_overdue", "fulfilled", "closed", "open_reopened"):
            member = members.pick(
                community.pk,
                unfinished=state in ("claimed", "claimed_overdue"),
                team=team_members.get(wish.team_id) if wish.team_id else None,
            )
            claimed_at = opened + datetime.timedelta(hours=rng.randint(2, 40))
            promised = timezone.localtime(claimed_at).date() + datetime.timedelta(days=7)
            wish.status, wish.claimed_by, wish.claimed_at = WishStatus.CLAIMED, member, claimed_at
            wish.promised_date = promised
            note = CLAIM_NOTE(date=f"{promised:%Y-%m-%d}")
            event(
                "wish.claim",
                claimed_at,
                "open",
                "claimed",
                note,
                actor=member,
                promised_date=promised.isoformat(),
            )
            if state in ("fulfilled", "closed", "open_reopened"):
                fulfilled_at = min(claimed_at + datetime.timedelta(days=rng.uniform(0.5, 5)), now)
                wish.status, wish.fulfilled_at = WishStatus.FULFILLED, fulfilled_at
                wish.fulfil_note = f"已按约定完成：{title}。"
                event(
                    "wish.fulfil", fulfilled_at, "claimed", "fulfilled", wish.fulfil_note[:200], actor=member
                )
                fulfilment_photos.append(
                    WishPhoto(
                        wish=wish,
                        kind=PhotoKind.FULFILMENT,
                        image=rng.choice(photos),
                        uploaded_by=member,
                        created_at=fulfilled_at,
                    )
                )
                if state in ("closed", "open_reopened"):
                    _follow_up(rng, wish, event, now=now, worker=worker, as_wisher=as_wisher, state=state)
        _tag_campaign(season_rng, wish, event, seasons=seasons, worker=worker, now=now)
        wishes.append(wish)
        stories.append(story)

    Wish.objects.bulk_create(wishes, batch_size=500)
    with historic_timestamps(WishPhoto):
        WishPhoto.objects.bulk_create(fulfilment_photos, batch_size=500)
    for wish, story in zip(wishes, stories, strict=True):
        for e in story:
            before, after = e.pop("before"), e.pop("after")
            at, verb = e.pop("at"), e.pop("verb")
            if isinstance(before, str):  # a transition, as ``audit_transition`` records it
                record.transition(at=at, verb=verb, target=wish, before=before, after=after, **e)
            else:
                record.add(at=at, verb=verb, target=wish, before=before, after=after, **e)
    events = record.save()
    offers = _dispatch_offers(rng, workers=workers, communities=communities, home=home, scale=scale)
    tagged = sum(1 for w in wishes if w.campaign_id)
    flagged = Wish.objects.unclaimed_flagged(now).count()
    overdue = Wish.objects.overdue(today).count()
    urgent = sum(1 for w in wishes if w.urgent)
    stdout.write(
        f"  微心愿：{len(wishes)} 个（{home} {sum(w.community_id == home.pk for w in wishes)} 个，"
        f"生活帮帮团急需 {urgent} 个），超时未认领 {flagged} 个，认领逾期 {overdue} 个，"
        f"照片 {len(fulfilment_photos)} 张，记录 {events} 条，归入四季活动 {tagged} 个；"
        f"帮帮团 {len(teams)} 个，"
        f"派给帮帮团 {sum(1 for w in wishes if w.team_id)} 个；派单 {sum(offers.values())} 次"
        f"（{'、'.join(f'{OfferStatus(k).label} {n}' for k, n in sorted(offers.items()))}）"
    )


# 派单 in every state, made through the services by the community's worker (the ones the article means by
# "逐条安排党员认领"): the longest-waiting open wishes of the home community (and, at a larger scale, of a
# few more), each offered to the first member the suggestions name who has room for another claim.
DISPATCH_STORIES = (
    (OfferStatus.PENDING, "就在您报到的社区，麻烦抽空上门看看。", ""),
    (OfferStatus.ACCEPTED, "老人行动不便，请尽快联系。", ""),
    (OfferStatus.DECLINED, "", "这周在外地参加培训，无法上门，请安排其他党员。"),
    (OfferStatus.WITHDRAWN, "", "改派给住得更近的党员。"),
    (OfferStatus.LAPSED, "", ""),
)


def _dispatch_offers(rng, *, workers, communities, home, scale) -> Counter:
    made: Counter = Counter()
    others = [c for c in communities if c.pk != home.pk and c.pk in workers]
    for community in [home, *rng.sample(others, min(len(others), scale - 1))]:
        worker = workers.get(community.pk)
        if worker is None:
            continue
        waiting = iter(
            wishes_selectors.dispatch_queue(user=worker).filter(community=community)[: len(DISPATCH_STORIES)]
        )
        for state, note, reason in DISPATCH_STORIES:
            wish = next(waiting, None)
            if wish is None:
                break
            room = [m for m in wishes_selectors.dispatch_candidates(wish=wish, limit=10) if not m.at_limit]
            if len(room) < 2:
                continue
            member, quicker = room[0], room[1]
            offer = wishes_services.wish_dispatch(actor=worker, wish=wish, member=member, note=note)
            if state == OfferStatus.ACCEPTED:
                wishes_services.offer_accept(actor=member, offer=offer)
            elif state == OfferStatus.DECLINED:
                wishes_services.offer_decline(actor=member, offer=offer, reason=reason)
            elif state == OfferStatus.WITHDRAWN:
                wishes_services.offer_withdraw(actor=worker, offer=offer, reason=reason)
            elif state == OfferStatus.LAPSED:  # a member on the board was quicker
                wishes_services.wish_claim(actor=quicker, wish=wish)
            made[state] += 1
    return made


def _season_at(seasons: dict, moment: datetime.datetime) -> str | None:
    """The season whose campaign runs (or is about to begin) at ``moment``."""
    for season, campaign in seasons.items():
        if seasonal.takes(campaign, submitted=moment, done=None):
            return season
    return None


def _tag_campaign(rng, wish: Wish, event, *, seasons: dict, worker, now) -> None:
    """The community's worker files a wish of the season under its campaign (``wish_tag_campaign``), when
    the wish is about what the campaign brings and was made while it ran (or shortly before it began)."""
    campaign = seasons.get(seasonal.season_of(wish.title, wish.text))
    if campaign is None or worker is None or wish.status in (WishStatus.REJECTED, WishStatus.WITHDRAWN):
        return
    if not seasonal.takes(campaign, submitted=wish.submitted_at, done=wish.fulfilled_at):
        return
    begins = timezone.make_aware(datetime.datetime.combine(campaign.start_date, datetime.time(9)))
    start = max(wish.opened_at or wish.submitted_at, begins)
    at = min(start + datetime.timedelta(minutes=rng.randint(20, 180)), now)
    wish.campaign = campaign
    event("wish.campaign", at, {"campaign": None}, {"campaign": campaign.pk}, campaign.name, actor=worker)


# The help teams (帮帮团) of the article: a temporary Party branch for the demo community and its
# neighbours, a town's 生活帮帮团 and a subdistrict's 民生绿色通道 — (kind, name, town served whole,
# communities, categories).
TEAMS = [
    (TeamKind.BRANCH, "城区临时党支部", None, ("天目社区", "中天社区", "三里社区"), (WishCategory.SUPPLIES,)),
    (TeamKind.HELP, "张甸镇生活帮帮团", "张甸镇", (), (WishCategory.SUPPLIES,)),
    (
        TeamKind.GREEN,
        "三水街道民生绿色通道",
        "三水街道",
        (),
        (WishCategory.SUPPLIES, WishCategory.MEDICAL),
    ),
]
TEAM_SIZE = 6
URGENT = [entry for entry in WISHES[WishCategory.SUPPLIES] if entry[2]]
# The states whose supplies wishes are all urgent requests in a team's range (of the others, every third).
TEAM_STATES = (
    "open",
    "open_flagged",
    "claimed",
    "claimed_overdue",
    "fulfilled",
    "open_reopened",
    "withdrawn",
)


def _first_place(team: HelpTeam) -> Community:
    """A community the team serves (its first named one, else its town's first)."""
    named = team.communities.select_related("town").order_by("id").first()
    return named or Community.objects.select_related("town").filter(town=team.town).order_by("id").first()


def _seed_teams(home: Community, members: _Members) -> list[HelpTeam]:
    """The office sets up the teams through ``wishes.services.help_team_save``: each with the party members
    registered in its range (the demo community's first), a few from elsewhere when they are too few."""
    office = User.objects.filter(username="admin").first()
    if office is None:
        return []
    teams = []
    for kind, name, town_name, community_names, categories in TEAMS:
        town = Town.objects.filter(name=town_name).first() if town_name else None
        places = list(Community.objects.filter(town=home.town, name__in=community_names))
        served = {c.pk for c in places} | (
            set(town.communities.values_list("pk", flat=True)) if town else set()
        )
        local = [m for m in members.all if m.member_profile.registered_community_id in served]
        others = [m for m in members.all if m not in local][len(teams) * TEAM_SIZE :]
        chosen = (local + others)[:TEAM_SIZE]
        teams.append(
            wishes_services.help_team_save(
                actor=office,
                kind=kind,
                name=name,
                town=town,
                communities=places,
                categories=categories,
                members=chosen,
            )
        )
    return teams


def _follow_up(rng, wish: Wish, event, *, now, worker, as_wisher, state) -> None:
    """The follow-up (回访) after fulfilment: the wisher online, or the community's worker by phone."""
    feedback_at = min(wish.fulfilled_at + datetime.timedelta(days=rng.uniform(0.5, 3)), now)
    by_phone = rng.random() < 0.4
    wish.feedback_at = feedback_at
    wish.feedback_channel = FeedbackChannel.PHONE if by_phone else FeedbackChannel.ONLINE
    who = {"actor": worker} if by_phone else as_wisher
    if state == "closed":
        wish.satisfaction = Satisfaction.SATISFIED if rng.random() < 0.78 else Satisfaction.BASICALLY
        wish.status, wish.closed_at = WishStatus.CLOSED, feedback_at
        wish.feedback_comment = rng.choice(["感谢党员同志！", "很及时，谢谢。", "", "帮了大忙"])
        verb = "wish.feedback"
    else:
        wish.satisfaction, wish.feedback_comment = Satisfaction.UNSATISFIED, "问题没有彻底解决"
        wish.status, wish.reopened, wish.reopen_count = WishStatus.OPEN, True, 1
        wish.claimed_by, wish.claimed_at, wish.promised_date = None, None, None
        wish.opened_at = feedback_at
        verb = "wish.reopen"
    note = feedback_note(wish.satisfaction, wish.feedback_channel, wish.feedback_comment)
    event(
        verb,
        feedback_at,
        "fulfilled",
        wish.status,
        note[:300],
        satisfaction=wish.satisfaction,
        **who,
    )
