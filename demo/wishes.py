"""Demo data of the wishes app, called by ``manage.py seed_demo``: ~150 × scale wishes (the article's
"100余个") in every state, over all channels — online, the QR code on a wish card, the collection box, the
hotline, the door-to-door visits and the evening visits (夜访) — and every category, many in the demo
community, claimed by member01 … within the claim limit, some overdue, some unclaimed for days. The urgent
supplies requests of people in home quarantine are the 生活帮帮团's. Fulfilled wishes carry a photo.

Each wish lives its life through ``wishes.services`` on the days it happened (``demo.history.Life``,
``jiangyan.helpers.clock``): the community's worker enters or reviews it, the member claims and fulfils it,
the wisher (with their account or their query code) or the worker, by phone, gives the follow-up; the services
write the wish, its photo, its notifications and its record. Deterministic draws, idempotent."""

import datetime
import random
from collections import Counter

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Community, Town, User
from jiangyan.core.roles import Role
from jiangyan.helpers import clock
from jiangyan.models import AuditEvent
from wishes import selectors as wishes_selectors
from wishes import services as wishes_services
from wishes.choices import (
    RESIDENT_CHANNELS,
    OfferStatus,
    PhotoKind,
    Satisfaction,
    TeamKind,
    WishCategory,
    WishChannel,
)
from wishes.models import HelpTeam, Wish, WishPhoto

from . import campaigns as seasonal
from . import pictures
from .accounts import demo_community, person_name
from .history import Life

SEED = 20210401
BASE_COUNT = 150

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
    now = clock.now().replace(microsecond=0)
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
    seasons = seasonal.campaigns()
    season_rng = random.Random(SEED + 4)  # its own draws: the other wishes stay as they were
    teams = _seed_teams(home, members)
    team_members = {team.pk: list(team.members.order_by("username")) for team in teams}
    team_places = [_first_place(team) for team in teams]
    team_of: dict[tuple[int, str], HelpTeam | None] = {}

    def team_for(community: Community, category: str, urgent: bool) -> HelpTeam | None:
        """The team ``wish_route`` sends the wish to when it opens (its members claim it)."""
        if not wishes_selectors.routes_to_team(Wish(category=category, urgent=urgent)):
            return None
        if (community.pk, category) not in team_of:
            team_of[community.pk, category] = wishes_selectors.team_for(
                community=community, category=category
            )
        return team_of[community.pk, category]

    lives: list[tuple[bool, Life]] = []  # (its claim still open today, the life)
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
        by_staff = state not in ("submitted", "rejected") and index % 3 != 0
        channel = rng.choice(STAFF_CHANNELS) if by_staff else rng.choice(RESIDENT_CHANNELS)
        hour = datetime.timedelta(hours=rng.randint(1, 10))
        submitted_at = now - datetime.timedelta(days=rng.uniform(*AGE_DAYS[state]))
        if state == "open" and team_for(community, category, urgent) is not None:
            submitted_at = now - datetime.timedelta(minutes=40 + 50 * (index % 3))  # within the team's hours
            hour = datetime.timedelta(minutes=30)
        # In a season, some wishes are what its campaign brings (a heater in winter, a fan in summer …).
        season = _season_at(seasons, submitted_at)
        if not urgent and season_rng.random() < seasonal.SEASON_WISH_SHARE.get(season, 0):
            category, title, text = season_rng.choice(seasonal.SEASON_WISHES[season])
        worker = workers[community.pk]
        # The wisher acts with their account, or with the query code their wish gave them.
        wisher = resident if resident and not by_staff and index % 37 == 0 else AnonymousUser()
        life = Life("wish")
        life.on(
            submitted_at,
            wishes_services.wish_create,
            actor=worker if by_staff else wisher,
            channel=channel,
            community=community,
            title=title,
            text=text,
            category=category,
            urgent=urgent,
            wisher_name=person_name(1000 + index),
            wisher_phone=f"15{rng.randint(100000000, 999999999)}",
            wisher_address=_address(rng, community),
        )
        opened = submitted_at if by_staff else None
        if not by_staff and state == "rejected":
            life.on(submitted_at + hour, wishes_services.wish_reject, actor=worker, reason=REJECT_REASON)
        elif not by_staff and state != "submitted":
            opened = submitted_at + hour
            life.on(opened, wishes_services.wish_approve, actor=worker)
        if state == "withdrawn":  # by the wisher, or by the worker who entered the wish for them
            withdraw = _wishers_act(
                wishes_services.wish_withdraw, wisher=wisher, worker=worker if by_staff else None
            )
            life.on(opened + DAY, withdraw, reason=WITHDRAW_REASON)
        fulfilled_at = None
        if state in ("claimed", "claimed_overdue", "fulfilled", "closed", "open_reopened"):
            team = team_for(community, category, urgent)
            member = members.pick(
                community.pk,
                unfinished=state in ("claimed", "claimed_overdue"),
                team=team_members.get(team.pk) if team else None,
            )
            claimed_at = opened + datetime.timedelta(hours=rng.randint(2, 40))
            promised = timezone.localtime(claimed_at).date() + datetime.timedelta(days=7)
            life.on(claimed_at, wishes_services.wish_claim, actor=member, promised_date=promised)
            if state in ("fulfilled", "closed", "open_reopened"):
                fulfilled_at = min(claimed_at + datetime.timedelta(days=rng.uniform(0.5, 5)), now)
                note = f"已按约定完成：{title}。"
                photo = [rng.choice(photos)]
                life.on(fulfilled_at, wishes_services.wish_fulfil, actor=member, note=note, photos=photo)
                if state in ("closed", "open_reopened"):
                    _follow_up(rng, life, fulfilled_at, now=now, worker=worker, wisher=wisher, state=state)
        if state not in ("rejected", "withdrawn"):
            words = (title, text)
            moments = (opened or submitted_at, submitted_at, fulfilled_at)
            _tag_campaign(season_rng, life, words, moments, seasons=seasons, worker=worker, now=now)
        lives.append((state in ("claimed", "claimed_overdue"), life))

    # The lives one after the other (each in its own time order), those whose claim is still open today
    # last: a member's past claims, of wishes done since, then meet the claim limit with nothing of today's
    # claims yet held (``_Members`` keeps those within it).
    lives.sort(key=lambda entry: entry[0])
    wishes = [life.run() for _open_claim, life in lives]
    offers = _dispatch_offers(rng, workers=workers, communities=communities, home=home, scale=scale, now=now)
    tagged = sum(1 for w in wishes if w.campaign_id)
    flagged = Wish.objects.unclaimed_flagged(clock.now()).count()
    overdue = Wish.objects.overdue(clock.localdate()).count()
    urgent = sum(1 for w in wishes if w.urgent)
    photo_count = WishPhoto.objects.filter(kind=PhotoKind.FULFILMENT).count()
    events = AuditEvent.objects.filter(target_type=ContentType.objects.get_for_model(Wish)).count()
    stdout.write(
        f"  微心愿：{len(wishes)} 个（{home} {sum(w.community_id == home.pk for w in wishes)} 个，"
        f"生活帮帮团急需 {urgent} 个），超时未认领 {flagged} 个，认领逾期 {overdue} 个，"
        f"照片 {photo_count} 张，记录 {events} 条，归入四季活动 {tagged} 个；"
        f"帮帮团 {len(teams)} 个，"
        f"派给帮帮团 {sum(1 for w in wishes if w.team_id)} 个；派单 {sum(offers.values())} 次"
        f"（{'、'.join(f'{OfferStatus(k).label} {n}' for k, n in sorted(offers.items()))}）"
    )


DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)
REJECT_REASON = "属于物业维修范围，已转小区物业处理。"
WITHDRAW_REASON = "问题已自行解决"


def _wishers_act(service, *, wisher, worker: User | None):
    """``service`` as the wisher calls it — with their account, or with their wish's query code — or, given
    ``worker``, as the community's worker calls it on the wisher's behalf (a phone call)."""

    def act(*, wish: Wish, **kwargs) -> Wish:
        if worker is not None:
            return service(actor=worker, wish=wish, **kwargs)
        code = "" if wisher.is_authenticated else wish.query_code
        return service(actor=wisher, wish=wish, query_code=code, **kwargs)

    return act


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


def _dispatch_offers(rng, *, workers, communities, home, scale, now) -> Counter:
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
            # Offered this morning (or soon after the wish opened), answered since.
            offered = max(now - 3 * HOUR, wish.opened_at + HOUR / 6)
            with clock.at(offered):
                offer = wishes_services.wish_dispatch(actor=worker, wish=wish, member=member, note=note)
            answered = offered + (now - offered) / 2
            _answer(state, offer, worker=worker, member=member, quicker=quicker, reason=reason, at=answered)
            made[state] += 1
    return made


def _answer(state, offer, *, worker, member, quicker, reason, at) -> None:
    with clock.at(at):
        if state == OfferStatus.ACCEPTED:
            wishes_services.offer_accept(actor=member, offer=offer)
        elif state == OfferStatus.DECLINED:
            wishes_services.offer_decline(actor=member, offer=offer, reason=reason)
        elif state == OfferStatus.WITHDRAWN:
            wishes_services.offer_withdraw(actor=worker, offer=offer, reason=reason)
        elif state == OfferStatus.LAPSED:  # a member on the board was quicker
            wishes_services.wish_claim(actor=quicker, wish=offer.wish)


def _season_at(seasons: dict, moment: datetime.datetime) -> str | None:
    """The season whose campaign runs (or is about to begin) at ``moment``."""
    for season, campaign in seasons.items():
        if seasonal.takes(campaign, submitted=moment, done=None):
            return season
    return None


def _tag_campaign(rng, life: Life, words, moments, *, seasons: dict, worker, now) -> None:
    """The community's worker files a wish of the season under its campaign (``wish_tag_campaign``), when
    the wish is about what the campaign brings and was made while it ran (or shortly before it began).
    ``moments``: when the wish opened (or was submitted), was submitted and was fulfilled."""
    campaign = seasons.get(seasonal.season_of(*words))
    opened, submitted, fulfilled = moments
    if campaign is None or not seasonal.takes(campaign, submitted=submitted, done=fulfilled):
        return
    begins = timezone.make_aware(datetime.datetime.combine(campaign.start_date, datetime.time(9)))
    at = min(max(opened, begins) + datetime.timedelta(minutes=rng.randint(20, 180)), now)
    life.on(at, wishes_services.wish_tag_campaign, actor=worker, campaign=campaign)


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


def _follow_up(rng, life: Life, fulfilled_at, *, now, worker, wisher, state) -> None:
    """The follow-up (回访) after fulfilment: the wisher online, or the community's worker by phone."""
    feedback_at = min(fulfilled_at + datetime.timedelta(days=rng.uniform(0.5, 3)), now)
    by_phone = rng.random() < 0.4
    if state == "closed":
        satisfaction = Satisfaction.SATISFIED if rng.random() < 0.78 else Satisfaction.BASICALLY
        comment = rng.choice(["感谢党员同志！", "很及时，谢谢。", "", "帮了大忙"])
    else:
        satisfaction, comment = Satisfaction.UNSATISFIED, "问题没有彻底解决"
    feedback = _wishers_act(wishes_services.wish_feedback, wisher=wisher, worker=worker if by_phone else None)
    life.on(feedback_at, feedback, satisfaction=satisfaction, comment=comment)
