"""Reads of the wishes app: who may see a wisher's personal data, the board, the managers' queues, the
members' page and the home page teaser."""

import datetime
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Community, User
from jiangyan.core.audit import personal_data_viewed
from jiangyan.core.roles import Role, has_role, is_admin, roles_of
from jiangyan.helpers import clock
from jiangyan.models import AuditEvent

from .choices import OFFER_MOVES, PUBLIC_STATUSES, WISH_MOVES, OfferStatus, Satisfaction, WishStatus
from .models import DispatchOffer, HelpTeam, Wish, opened_past_limit, overdue_rule, unclaimed_flagged_rule

PERSONAL_FIELDS = ["wisher_name", "wisher_phone", "wisher_address"]
# States in which the claimer still sees the wisher's contact (while claimed, and after fulfilling it).
CLAIMER_SEES_IN = (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CLOSED)


def is_editable_by(user, wish: Wish) -> bool:
    """Whether ``user`` handles ``wish`` for its community (the scope ``Wish.objects.editable_by``)."""
    return Wish.objects.editable_by(user).filter(pk=wish.pk).exists()


# --- what a person may do with a wish now (``choices.WISH_MOVES``) -------------------------------------
@dataclass
class WishActor:
    """What the wish table's predicates need to know of one actor, read once (a list of any length costs
    the same): their roles, the community they handle, their unfinished claims; ``query_code`` when the
    wisher proves themselves with it (the tracking page, a follow-up by code)."""

    user: object
    query_code: str = ""

    @cached_property
    def signed_in(self) -> bool:
        return self.user is not None and getattr(self.user, "is_authenticated", False)

    @cached_property
    def admin(self) -> bool:
        return is_admin(self.user)

    @cached_property
    def handled_community(self) -> int | None:
        """The community whose wishes the actor handles (``models._handler_scope``), admins: every one."""
        if not self.signed_in or self.admin:
            return None
        if Role.COMMUNITY_STAFF in roles_of(self.user):
            return self.user.community_id
        return None

    @cached_property
    def unfinished_claims(self) -> int:
        return Wish.objects.unfinished_claims_of(self.user).count()

    @cached_property
    def teams(self) -> frozenset[int]:
        """The help teams the actor is a member of (one query, however many wishes are asked about)."""
        if not self.signed_in:
            return frozenset()
        return frozenset(
            HelpTeam.members.through.objects.filter(user=self.user).values_list("helpteam_id", flat=True)
        )

    @cached_property
    def now(self):
        return clock.now()


def _handles(actor, wish, facts: WishActor) -> bool:
    return facts.admin or (
        facts.handled_community is not None and wish.community_id == facts.handled_community
    )


def _is_wisher(actor, wish, facts: WishActor) -> bool:
    code = facts.query_code.strip().upper()
    if code and hmac.compare_digest(code.encode(), wish.query_code.encode()):
        return True
    return facts.signed_in and wish.submitted_by_id == actor.pk


WISH_ROLES = {
    "handler": _handles,
    "member": lambda actor, wish, facts: facts.signed_in and has_role(actor, Role.PARTY_MEMBER),
    "claimer": lambda actor, wish, facts: facts.signed_in and wish.claimed_by_id == actor.pk,
    "wisher": _is_wisher,
    "admin": lambda actor, wish, facts: facts.admin,
}


def has_pending_offer(wish: Wish) -> bool:
    """Whether an offer of ``wish`` waits for the member's answer: read from the annotation
    ``pending_offer`` where a list selector made it (``with_pending_offer``), else one query."""
    known = getattr(wish, "pending_offer", None)
    if known is not None:
        return bool(known)
    return DispatchOffer.objects.pending().filter(wish_id=wish.pk).exists()


def with_pending_offer(wishes: QuerySet[Wish]) -> QuerySet[Wish]:
    """``wishes`` annotated with ``pending_offer``: the ``no_pending_offer`` guard reads it, none a row."""
    return wishes.annotate(
        pending_offer=Exists(DispatchOffer.objects.pending().filter(wish_id=OuterRef("pk")))
    )


WISH_GUARDS = {
    "not_own_wish": lambda actor, wish, facts: wish.submitted_by_id != actor.pk,
    "under_claim_limit": lambda actor, wish, facts: facts.unfinished_claims < settings.WISH_MAX_OPEN_CLAIMS,
    "no_pending_offer": lambda actor, wish, facts: not has_pending_offer(wish),
    # A wish routed to a help team: its members alone while the team's window lasts, then anybody.
    "team_window": lambda actor, wish, facts: (
        not wish.in_team_window(facts.now) or wish.team_id in facts.teams
    ),
}
WISH_MOVES.check_names(WISH_ROLES, WISH_GUARDS)


# --- dispatch offers (派单, ``choices.OFFER_MOVES``) ----------------------------------------------------
def _handles_offer(actor, offer, facts: WishActor) -> bool:
    return _handles(actor, offer.wish, facts)


OFFER_ROLES = {
    "offeree": lambda actor, offer, facts: facts.signed_in and offer.member_id == actor.pk,
    "handler": _handles_offer,
}
OFFER_GUARDS = {
    "under_claim_limit": lambda actor, offer, facts: facts.unfinished_claims < settings.WISH_MAX_OPEN_CLAIMS,
}
OFFER_MOVES.check_names(OFFER_ROLES, OFFER_GUARDS)


def offer_actions_for(actor, offer: DispatchOffer, *, facts: WishActor | None = None) -> list[str]:
    """The actions (``OFFER_MOVES``) ``actor`` may take on ``offer`` now: its buttons, the API's
    ``actions``, what the services accept. Reads ``offer.wish`` (its community) for the handler."""
    facts = facts or WishActor(actor)
    return OFFER_MOVES.allowed(actor, offer, facts, roles=OFFER_ROLES, guards=OFFER_GUARDS)


def offer_require_move(actor, offer: DispatchOffer, action: str, *, refusals=None) -> None:
    """The services' check on the locked offer: the same table as the buttons."""
    facts = WishActor(actor)
    OFFER_MOVES.require(
        action, actor, offer, facts, roles=OFFER_ROLES, guards=OFFER_GUARDS, refusals=refusals
    )


def wish_actions_for(actor, wish: Wish, *, facts: WishActor | None = None, query_code: str = "") -> list[str]:
    """The actions (``WISH_MOVES``) ``actor`` may take on ``wish`` now: the buttons of its page, the
    ``actions`` of the API, what the service accepts. ``facts`` read once for many wishes."""
    facts = facts or WishActor(actor, query_code=query_code)
    return WISH_MOVES.allowed(actor, wish, facts, roles=WISH_ROLES, guards=WISH_GUARDS)


def wish_require_move(actor, wish: Wish, action: str, *, query_code: str = "") -> None:
    """The services' check on the locked row: the same table, the same predicates as the buttons."""
    facts = WishActor(actor, query_code=query_code)
    WISH_MOVES.require(action, actor, wish, facts, roles=WISH_ROLES, guards=WISH_GUARDS)


def can_see_personal_data(user, wish: Wish) -> bool:
    """The one rule (DESIGN §4) pages and API share: the claimer of *this* wish, staff of its community,
    admins. Everybody else — the public, other members, other communities' staff, supervisors — sees masks."""
    if user is None or not user.is_authenticated:
        return False
    if wish.claimed_by_id == user.pk and wish.status in CLAIMER_SEES_IN:
        return True
    return is_editable_by(user, wish)


def reveal_personal_data(user, wish: Wish) -> bool:
    """``can_see_personal_data`` and, when true, the log entry of the full view (PIPL)."""
    if can_see_personal_data(user, wish):
        personal_data_viewed(actor=user, target=wish, fields=PERSONAL_FIELDS)
        return True
    return False


def wish_history(wish: Wish) -> QuerySet[AuditEvent]:
    """The wish's events, without the log of who viewed personal data (that is shown to its managers)."""
    return AuditEvent.objects.for_object(wish).exclude(verb="personal_data.view")


def wish_views_log(wish: Wish) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_object(wish).filter(verb="personal_data.view")


def wish_list(*, user) -> QuerySet[Wish]:
    """The wishes ``user`` may see, with what a list row shows, own community first."""
    return (
        Wish.objects.visible_to(user)
        .select_related("community__town", "claimed_by", "campaign")
        .own_community_first(user)
    )


def wish_get_by_query_code(query_code: str) -> Wish | None:
    code = (query_code or "").strip().upper().replace(" ", "")
    if not code:
        return None
    return Wish.objects.select_related("community__town", "claimed_by").filter(query_code=code).first()


def with_communities(wishes: list[Wish]) -> list[Wish]:
    """``wishes`` with their community and its town, in one query for all, each community one instance
    however many of them are its (a desk's rows are mostly one community's)."""
    prefetch_related_objects(wishes, Prefetch("community", queryset=Community.objects.select_related("town")))
    return wishes


def _queue_rules(now: datetime.datetime) -> dict[str, tuple[Q, str]]:
    """The wish desk's queues: which wishes each holds, and in which order."""
    return {
        "submitted": (Q(status=WishStatus.SUBMITTED), "submitted_at"),
        "reopened": (Q(status=WishStatus.OPEN, reopened=True), "opened_at"),
        # Every wish tagged 超时未认领 on the page, reopened ones too: the header counts what it lists.
        "flagged": (unclaimed_flagged_rule(now), "opened_at"),
        "overdue": (overdue_rule(timezone.localdate(now)), "promised_date"),
        "fulfilled": (Q(status=WishStatus.FULFILLED), "fulfilled_at"),
    }


def manage_queues(*, user) -> dict[str, QuerySet[Wish]]:
    """A community worker's work: review queue, reopened cases, flagged, overdue, awaiting follow-up."""
    base = Wish.objects.editable_by(user).for_rows()
    return {
        name: base.filter(rule).order_by(order) for name, (rule, order) in _queue_rules(clock.now()).items()
    }


def manage_queue_counts(*, user) -> dict[str, int]:
    """How many wishes each queue of :func:`manage_queues` holds, in one query."""
    rules = _queue_rules(clock.now())
    return Wish.objects.editable_by(user).aggregate(
        **{name: Count("id", filter=rule) for name, (rule, _order) in rules.items()}
    )


def my_claims(*, member) -> QuerySet[Wish]:
    return (
        Wish.objects.filter(claimed_by=member)
        .select_related("community__town", "claimed_by")
        .annotate(unfinished=Case(When(status=WishStatus.CLAIMED, then=Value(0)), default=Value(1)))
        .order_by("unfinished", "promised_date", "-fulfilled_at", "-id")
    )


def returned_claims(*, member) -> QuerySet[Wish]:
    """Wishes ``member`` fulfilled that the wisher rated 不满意 and that are open again: the member sees why
    (``feedback_comment``) in 我的认领. Found through the fulfilment events, since the reopened wish no
    longer names its former claimer."""
    fulfilled_by_member = AuditEvent.objects.filter(
        verb="wish.fulfil",
        actor=member,
        target_type__app_label="wishes",
        target_type__model="wish",
        target_id=Cast(OuterRef("pk"), CharField()),
    )
    return (
        Wish.objects.filter(Exists(fulfilled_by_member), reopened=True, status=WishStatus.OPEN)
        .select_related("community__town", "claimed_by")
        .order_by("-feedback_at")
    )


def my_wishes(*, user) -> QuerySet[Wish]:
    return Wish.objects.filter(submitted_by=user).select_related("community__town", "claimed_by")


def members_board() -> QuerySet[User]:
    """亮身份: party members with a public profile, their fulfilled wishes and follow-up ratings — and
    nothing about the wishers."""
    done = Q(claimed_wishes__status__in=[WishStatus.FULFILLED, WishStatus.CLOSED])
    return (
        User.objects.filter(groups__name=Role.PARTY_MEMBER, member_profile__public_profile=True)
        .select_related("member_profile__registered_community__town", "member_profile__branch")
        .annotate(
            fulfilled_count=Count("claimed_wishes", filter=done, distinct=True),
            satisfied_count=Count(
                "claimed_wishes", filter=done & Q(claimed_wishes__satisfaction="satisfied"), distinct=True
            ),
            basically_count=Count(
                "claimed_wishes", filter=done & Q(claimed_wishes__satisfaction="basically"), distinct=True
            ),
            active_count=Count(
                "claimed_wishes", filter=Q(claimed_wishes__status=WishStatus.CLAIMED), distinct=True
            ),
        )
        .order_by("-fulfilled_count", "username")
        .prefetch_related(
            Prefetch(
                "claimed_wishes",
                queryset=Wish.objects.filter(status__in=[WishStatus.FULFILLED, WishStatus.CLOSED])
                .select_related("community")
                .only(
                    "id",
                    "code",
                    "title",
                    "category",
                    "satisfaction",
                    "status",
                    "claimed_by_id",
                    "community__name",
                    "fulfilled_at",
                )
                .order_by("-fulfilled_at"),
                to_attr="fulfilled_wishes",
            )
        )
    )


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/wishes/_home.html``)."""
    latest = list(
        Wish.objects.filter(status=WishStatus.OPEN)
        .select_related("community__town")
        .order_by("-urgent", "-opened_at", "-id")[:4]
    )
    # The dashboard's funnel (``funnel_between``): one definition of 收到, 认领, 实现 everywhere.
    return {"wish_teaser": latest, "wish_funnel": funnel_between(end=clock.localdate())}


# --- for reports (period-aware) --------------------------------------------------------------------------
# Request-free reads for the supervision loop's reports and dashboard, aggregated in SQL, a fixed number of
# queries each. A wish's timestamps mark when it last entered each state, so "at the end of day D" is read
# from them: claimed by then and not yet fulfilled, open for the flag's days and not yet claimed …


def _end_of(day: datetime.date) -> datetime.datetime:
    """The moment day ``day`` ends (midnight after it, in the site's time zone)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _not_yet(field: str, at: datetime.datetime) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": at})


def _as_of(on: datetime.date | None, at: datetime.datetime | None) -> tuple[datetime.date, datetime.datetime]:
    """The day and the moment a figure is read at: the end of ``on`` (a report's day), or ``at`` (now, for
    the dashboard: the same moment as the board's ``flagged`` and ``overdue`` lists it links to)."""
    if at is not None:
        return timezone.localdate(at), at
    return on, _end_of(on)


def _unclaimed_flagged_at(at: datetime.datetime) -> Q:
    """Open and unclaimed past its limit at ``at``: ``WISH_UNCLAIMED_FLAG_DAYS`` days, or
    ``WISH_TEAM_CLAIM_HOURS`` hours for a wish routed to a help team (``models.opened_past_limit``)."""
    return (
        opened_past_limit(at)
        & _not_yet("claimed_at", at)
        & _not_yet("withdrawn_at", at)
        & ~Q(status=WishStatus.REJECTED)
    )


def _claim_overdue_on(day: datetime.date, at: datetime.datetime) -> Q:
    """Claimed by ``at`` (on ``day``), past its promised date, not fulfilled (nor withdrawn) by then."""
    return (
        Q(promised_date__lt=day, claimed_at__lt=at)
        & _not_yet("fulfilled_at", at)
        & _not_yet("withdrawn_at", at)
    )


# The funnel's stages and the moment a wish reached each: the one rule of the funnel on the dashboard, the
# home page and the reports, and of the board's ``reached`` filter that lists a step's wishes.
FUNNEL_STAGES = {
    "received": "submitted_at",
    "claimed": "claimed_at",
    "fulfilled": "fulfilled_at",
    "closed": "closed_at",
}


def funnel_between(*, end: datetime.date, start: datetime.date | None = None) -> dict[str, int]:
    """The wish funnel of the days ``start``…``end`` (from the beginning without ``start``), in one query:
    received, claimed, fulfilled, closed, and the follow-ups by satisfaction."""
    at = _end_of(end)
    since = _end_of(start - datetime.timedelta(days=1)) if start else None

    def within(field: str, **extra) -> Count:
        rule = Q(**{f"{field}__lt": at}, **extra)
        if since is not None:
            rule &= Q(**{f"{field}__gte": since})
        return Count("id", filter=rule)

    return Wish.objects.aggregate(
        **{stage: within(field) for stage, field in FUNNEL_STAGES.items()},
        feedback=within("feedback_at"),
        satisfied=within("feedback_at", satisfaction=Satisfaction.SATISFIED),
        basically=within("feedback_at", satisfaction=Satisfaction.BASICALLY),
        unsatisfied=within("feedback_at", satisfaction=Satisfaction.UNSATISFIED),
    )


def alert_counts(*, on: datetime.date | None = None, at: datetime.datetime | None = None) -> dict[str, int]:
    """District-wide at the end of ``on`` (or at ``at``): wishes unclaimed past the limit, claims overdue.
    One query."""
    day, moment = _as_of(on, at)
    return Wish.objects.aggregate(
        unclaimed=Count("id", filter=_unclaimed_flagged_at(moment)),
        overdue=Count("id", filter=_claim_overdue_on(day, moment)),
    )


def community_alert_counts(
    *, on: datetime.date | None = None, at: datetime.datetime | None = None
) -> list[dict]:
    """:func:`alert_counts` per community (only communities with any), in one query."""
    day, moment = _as_of(on, at)
    rows = (
        Wish.objects.values("community_id", "community__town__name", "community__name")
        .annotate(
            unclaimed=Count("id", filter=_unclaimed_flagged_at(moment)),
            overdue=Count("id", filter=_claim_overdue_on(day, moment)),
        )
        .filter(Q(unclaimed__gt=0) | Q(overdue__gt=0))
        .order_by("-overdue", "-unclaimed", "community_id")
    )
    return [
        {
            "community_id": r["community_id"],
            "community": f"{r['community__town__name']}{r['community__name']}",
            "unclaimed": r["unclaimed"],
            "overdue": r["overdue"],
        }
        for r in rows
    ]


def community_alerts(*, on: datetime.date) -> dict[str, list[dict]]:
    """What the weekly reminder tells each community at the end of ``on``, in three queries: how many of its
    wishes wait for dispatch (派单: open, no offer waiting for an answer), its wishes unclaimed past the
    limit (since when) and its claims overdue (promised date, claimer). Nothing of the wisher."""
    unclaimed = (
        Wish.objects.filter(_unclaimed_flagged_at(_end_of(on)))
        .order_by("community_id", "opened_at", "id")
        .values("code", "title", "community_id", "opened_at")
    )
    overdue = (
        Wish.objects.filter(_claim_overdue_on(on, _end_of(on)))
        .order_by("community_id", "promised_date", "id")
        .values(
            "code", "title", "community_id", "promised_date", "claimed_by__real_name", "claimed_by__username"
        )
    )
    # 派单: open wishes with no offer waiting for an answer, counted per community.
    awaiting = (
        Wish.objects.filter(_awaiting_dispatch_at(_end_of(on)))
        .values("community_id")
        .annotate(count=Count("id"))
        .order_by("community_id")
    )
    return {
        "awaiting_dispatch": [{"community_id": r["community_id"], "count": r["count"]} for r in awaiting],
        "unclaimed": [
            {**r, "opened_at": timezone.localtime(r["opened_at"]).date().isoformat()} for r in unclaimed
        ],
        "overdue": [
            {
                "code": r["code"],
                "title": r["title"],
                "community_id": r["community_id"],
                "promised_date": r["promised_date"].isoformat(),
                "claimer": r["claimed_by__real_name"] or r["claimed_by__username"] or "",
            }
            for r in overdue
        ],
    }


def overdue_claims(*, today: datetime.date) -> QuerySet[Wish]:
    """Claims past their promised date now, with their claimers (the daily reminder to the members)."""
    return Wish.objects.overdue(today).select_related("claimed_by").order_by("promised_date", "id")


def wish_by_code(code: str) -> Wish | None:
    """One wish by its code (any state: the caller decides what to show), or None."""
    return Wish.objects.select_related("community__town").filter(code=(code or "").strip().upper()).first()


def wishes_matching(text: str, *, limit: int = 10) -> list[tuple[str, str]]:
    """``(code, "code title · community")`` of the wishes whose code, title or community holds ``text``
    (a picker for supervisors; no personal data in the label)."""
    text = (text or "").strip()
    found = Wish.objects.filter(
        Q(code__icontains=text) | Q(title__icontains=text) | Q(community__name__icontains=text)
    ).select_related("community")
    return [(w.code, f"{w.code} {w.title} · {w.community.name}") for w in found.order_by("-id")[:limit]]


# --- a person's open work (``/api/v1/me/``, declared in ``WishesConfig.open_work``) ----------------------


def claims_in_progress(*, user) -> QuerySet[Wish]:
    """The member's claims not fulfilled yet, the earliest promise first."""
    return Wish.objects.filter(claimed_by=user, status=WishStatus.CLAIMED).order_by("promised_date", "id")


def wishes_to_review(*, user) -> QuerySet[Wish]:
    """Submitted wishes of the communities ``user`` handles (the review queue of 心愿管理)."""
    return manage_queues(user=user)["submitted"]


def follow_ups_to_make(*, user) -> QuerySet[Wish]:
    """Fulfilled wishes of the communities ``user`` handles that wait for the follow-up (回访)."""
    return manage_queues(user=user)["fulfilled"]


def wishes_to_rate(*, user) -> QuerySet[Wish]:
    """The wisher's own fulfilled wishes that wait for their rating."""
    return my_wishes(user=user).filter(status=WishStatus.FULFILLED).order_by("fulfilled_at", "id")


# --- dispatch (派单): the queue, the suggested members, the offers ---------------------------------------
def dispatch_queue(*, user) -> QuerySet[Wish]:
    """Open wishes of the communities ``user`` handles that wait for a member and have no offer waiting
    for an answer: those unclaimed past ``WISH_UNCLAIMED_FLAG_DAYS`` first, then reopened (不满意) ones,
    then urgent ones, the longest open first."""
    flagged = unclaimed_flagged_rule(clock.now())
    return (
        with_pending_offer(Wish.objects.editable_by(user).filter(status=WishStatus.OPEN).for_rows())
        .filter(pending_offer=False)
        .annotate(
            overdue_rank=Case(When(flagged, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("overdue_rank", "-reopened", "-urgent", "opened_at", "id")
    )


def offers_waiting(*, user) -> QuerySet[DispatchOffer]:
    """Offers of the communities ``user`` handles that wait for the member's answer, oldest first."""
    return (
        DispatchOffer.objects.editable_by(user)
        .pending()
        .select_related("wish__community__town", "member", "offered_by")
        .order_by("created_at", "id")
    )


def dispatch_candidates(*, wish: Wish, limit: int = 20) -> list[User]:
    """The party members staff may offer ``wish`` to — those who report (报到) to a community of the wish's
    town, not the wisher — ranked: fewest unfinished claims first, then the nearest (the wish's own
    community before the rest of its town), then the best past satisfaction (the share of 满意 among
    their closed wishes; none closed yet: after those with a record). Each carries the three facts:
    ``open_claims``, ``same_community``, ``closed_count``/``satisfied_count``/``satisfaction_rate`` (a
    percentage or None), and ``at_limit``, ``declined_before`` (declined an offer of this wish: they come
    after everybody else). One query."""
    claims = "claimed_wishes"
    closed = Q(claimed_wishes__status=WishStatus.CLOSED)
    rows = (
        User.objects.filter(
            groups__name=Role.PARTY_MEMBER,
            is_active=True,
            member_profile__registered_community__town_id=wish.community.town_id,
        )
        .exclude(pk=wish.submitted_by_id or 0)
        .select_related("member_profile__registered_community", "member_profile__branch")
        .annotate(
            open_claims=Count(claims, filter=Q(claimed_wishes__status=WishStatus.CLAIMED), distinct=True),
            closed_count=Count(claims, filter=closed, distinct=True),
            satisfied_count=Count(
                claims, filter=closed & Q(claimed_wishes__satisfaction=Satisfaction.SATISFIED), distinct=True
            ),
            nearness=Case(
                When(member_profile__registered_community_id=wish.community_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            declined_before=Exists(
                DispatchOffer.objects.filter(
                    wish_id=wish.pk, member_id=OuterRef("pk"), status=OfferStatus.DECLINED
                )
            ),
        )
        .annotate(
            satisfaction_rate=Case(
                When(
                    closed_count__gt=0,
                    then=ExpressionWrapper(
                        F("satisfied_count") * 100.0 / F("closed_count"), output_field=FloatField()
                    ),
                ),
                default=None,
                output_field=FloatField(),
            )
        )
        .order_by(
            "declined_before", "open_claims", "nearness", F("satisfaction_rate").desc(nulls_last=True), "id"
        )
    )
    found = list(rows[:limit])
    for member in found:
        member.same_community = member.nearness == 0
        member.at_limit = member.open_claims >= settings.WISH_MAX_OPEN_CLAIMS
    return found


def dispatchable_members(wish: Wish) -> QuerySet[User]:
    """Whom an offer of ``wish`` may go to (the service's rule): party members reporting to a community of
    its town."""
    return User.objects.filter(
        groups__name=Role.PARTY_MEMBER,
        is_active=True,
        member_profile__registered_community__town_id=wish.community.town_id,
    )


def my_offers(*, member) -> QuerySet[DispatchOffer]:
    """The member's offers: those waiting for an answer first, then the latest."""
    return (
        DispatchOffer.objects.filter(member=member)
        .select_related("wish__community__town", "offered_by", "member")
        .annotate(
            waiting=Case(
                When(status=OfferStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("waiting", "-created_at", "-id")
    )


def wish_offers(wish: Wish) -> QuerySet[DispatchOffer]:
    """A wish's offers, latest first (its page, for the staff who dispatch)."""
    return DispatchOffer.objects.filter(wish=wish).select_related("member", "offered_by")


def offers_to_answer(*, user) -> QuerySet[DispatchOffer]:
    """The member's offers waiting for their answer (open work), the oldest first."""
    return (
        DispatchOffer.objects.filter(member=user, status=OfferStatus.PENDING)
        .annotate(title=F("wish__title"))
        .order_by("created_at", "id")
    )


def wishes_to_dispatch(*, user) -> QuerySet[Wish]:
    """Open wishes of the communities ``user`` handles waiting for dispatch (open work)."""
    return dispatch_queue(user=user)


def _awaiting_dispatch_at(at: datetime.datetime) -> Q:
    """Open at ``at`` (entered open before, not claimed, withdrawn nor rejected by then) with no offer
    waiting for an answer at ``at``."""
    offered = DispatchOffer.objects.filter(wish_id=OuterRef("pk"), created_at__lt=at).filter(
        _not_yet("answered_at", at)
    )
    return (
        Q(opened_at__lt=at)
        & _not_yet("claimed_at", at)
        & _not_yet("withdrawn_at", at)
        & ~Q(status=WishStatus.REJECTED)
        & ~Exists(offered)
    )


# --- seasonal campaigns (四季活动) ----------------------------------------------------------------------
# A campaign's figures on its public page, each the count of the board's list it links to: the public
# wishes tagged with it (``PUBLIC_STATUSES``, what every visitor's board shows), by the funnel's stages and
# the follow-ups' satisfaction (the board's ``reached`` and ``satisfaction`` filters).
CAMPAIGN_STAGES = ("received", "claimed", "fulfilled")


def _campaign_figures(rows, rule: Callable[[str], Q]) -> dict[int, dict]:
    found = rows.values("campaign_id").annotate(
        **{stage: Count("id", filter=rule(FUNNEL_STAGES[stage])) for stage in CAMPAIGN_STAGES},
        feedback=Count("id", filter=rule("feedback_at")),
        satisfied=Count("id", filter=rule("feedback_at") & Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("id", filter=rule("feedback_at") & Q(satisfaction=Satisfaction.BASICALLY)),
        unsatisfied=Count("id", filter=rule("feedback_at") & Q(satisfaction=Satisfaction.UNSATISFIED)),
    )
    figures = {}
    for row in found.order_by("campaign_id"):
        rated = row["feedback"]
        happy = row["satisfied"] + row["basically"]
        row["satisfaction_rate"] = round(100 * happy / rated, 1) if rated else None
        figures[row.pop("campaign_id")] = row
    return figures


def _no_wishes() -> dict:
    keys = (*CAMPAIGN_STAGES, "feedback", "satisfied", "basically", "unsatisfied")
    return {**dict.fromkeys(keys, 0), "satisfaction_rate": None}


def campaign_wish_figures(*, campaign_ids, end: datetime.date | None = None) -> dict[int, dict]:
    """For each campaign of ``campaign_ids``, in one query: its wishes received, claimed, fulfilled,
    followed up, and by satisfaction (满意, 基本满意, 不满意 and the rate of the first two).

    Without ``end`` (the campaign's page): the public wishes now, as the board lists them for everybody.
    With ``end`` (the ten-day bulletin): every tagged wish as the funnel counts it at the end of that day."""
    ids = list(campaign_ids)
    rows = Wish.objects.filter(campaign_id__in=ids)
    if end is None:
        rows = rows.filter(status__in=PUBLIC_STATUSES)

        def rule(field):
            return Q(**{f"{field}__isnull": False})
    else:
        at = _end_of(end)

        def rule(field):
            return Q(**{f"{field}__lt": at})

    found = _campaign_figures(rows, rule)
    return {pk: found.get(pk, _no_wishes()) for pk in ids}


def campaign_section(campaign) -> dict:
    """This app's part of a campaign's page (``WishesConfig.campaign_sections``): its figures."""
    return {"campaign_wishes": campaign_wish_figures(campaign_ids=[campaign.pk])[campaign.pk]}


# --- help teams (帮帮团) ---------------------------------------------------------------------------------
def routes_to_team(wish: Wish) -> bool:
    """Which wishes are routed to a help team when they open: the urgent everyday-supplies requests
    (``Wish.is_help_team``: 生活帮帮团急需, category 生活物资)."""
    return wish.is_help_team


def team_for(*, community: Community, category: str) -> HelpTeam | None:
    """The help team a wish of ``community`` and ``category`` goes to: an active team that takes the
    category and whose range covers the community. When several do, the one rule: a team that names the
    community itself before a team serving its whole town (the nearer range), then the team set up first
    (lowest id). None when no team covers it (the wish stays on the board under the ordinary rules)."""
    named = Exists(HelpTeam.communities.through.objects.filter(helpteam=OuterRef("pk"), community=community))
    candidates = (
        HelpTeam.objects.filter(active=True)
        .annotate(named=named)
        .filter(Q(named=True) | Q(town_id=community.town_id))
        .order_by("-named", "id")
    )
    return next((team for team in candidates if category in team.categories), None)


def team_list(*, user) -> QuerySet[HelpTeam]:
    """The teams ``user`` may see (``HelpTeam.objects.visible_to``) with their range, members and how many of
    their wishes wait to be claimed now."""
    people = User.objects.select_related("member_profile").order_by("real_name", "username")
    return (
        HelpTeam.objects.visible_to(user)
        .select_related("town")
        .prefetch_related(
            Prefetch("members", queryset=people),
            Prefetch("communities", queryset=Community.objects.select_related("town")),
        )
        .annotate(waiting=Count("wishes", filter=Q(wishes__status=WishStatus.OPEN)))
        .order_by("kind", "id")
    )


def team_queue(*, team: HelpTeam) -> QuerySet[Wish]:
    """The team's queue: the wishes routed to it — waiting to be claimed first (the longest waiting first),
    then the claimed ones (the earliest promise first), then the rest (the latest first)."""
    rank = Case(
        When(status=WishStatus.OPEN, then=Value(0)),
        When(status=WishStatus.CLAIMED, then=Value(1)),
        default=Value(2),
    )
    waiting_since = Case(When(status=WishStatus.OPEN, then=F("opened_at")))
    promised = Case(When(status=WishStatus.CLAIMED, then=F("promised_date")))
    return (
        Wish.objects.filter(team=team)
        .select_related("community__town", "claimed_by")
        .annotate(queue_rank=rank)
        .order_by(
            "queue_rank",
            waiting_since.asc(nulls_last=True),
            promised.asc(nulls_last=True),
            F("opened_at").desc(nulls_last=True),
            "-id",
        )
    )


def _median(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def team_figures(*, on: datetime.date | None = None, at: datetime.datetime | None = None) -> list[dict]:
    """Per help team (the active ones, and any other with wishes), at the end of ``on`` or at ``at`` (the
    dashboard, the same moment as the lists it links to), in three queries: ``routed`` (every wish routed to
    it, the board's ``team``), ``claimed`` and ``fulfilled`` (those that reached the stage, the board's
    ``reached``: ``FUNNEL_STAGES``), ``overdue`` (unclaimed past WISH_TEAM_CLAIM_HOURS: ``alert_counts``'
    rule, the board's ``flagged``) and ``median_claim`` (the median of opened → claimed of the claimed ones:
    a timedelta, or None)."""
    _day, moment = _as_of(on, at)
    routed = Q(submitted_at__lt=moment)
    counts = {
        row["team_id"]: row
        for row in Wish.objects.filter(team__isnull=False)
        .values("team_id")
        .annotate(
            routed=Count("id", filter=routed),
            claimed=Count("id", filter=routed & Q(claimed_at__lt=moment)),
            fulfilled=Count("id", filter=routed & Q(fulfilled_at__lt=moment)),
            overdue=Count("id", filter=_unclaimed_flagged_at(moment)),
        )
        .order_by()
    }
    waits: dict[int, list[datetime.timedelta]] = {}
    claims = Wish.objects.filter(team__isnull=False, claimed_at__lt=moment, opened_at__isnull=False)
    for team_id, opened, claimed in claims.values_list("team_id", "opened_at", "claimed_at"):
        waits.setdefault(team_id, []).append(claimed - opened)
    teams = HelpTeam.objects.filter(Q(active=True) | Q(pk__in=list(counts))).order_by("kind", "id")
    empty = {"routed": 0, "claimed": 0, "fulfilled": 0, "overdue": 0}
    return [
        {
            "team": team,
            **{key: counts.get(team.pk, empty)[key] for key in empty},
            "median_claim": _median(waits.get(team.pk, [])),
        }
        for team in teams
    ]


def team_wishes_to_claim(*, user) -> QuerySet[Wish]:
    """Open wishes routed to the help teams ``user`` is a member of, the longest waiting first."""
    teams = HelpTeam.members.through.objects.filter(user=user).values("helpteam_id")
    return Wish.objects.filter(team__in=teams, status=WishStatus.OPEN).order_by("opened_at", "id")
