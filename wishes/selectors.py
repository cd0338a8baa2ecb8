"""Reads of the wishes app: who may see a wisher's personal data, the board, the managers' queues, the
members' page and the home page teaser."""

import datetime

from django.db.models import Case, CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import User
from jiangyan.audit import personal_data_viewed
from jiangyan.models import AuditEvent
from jiangyan.roles import Role

from .choices import WishStatus
from .models import Wish

PERSONAL_FIELDS = ["wisher_name", "wisher_phone", "wisher_address"]
# States in which the claimer still sees the wisher's contact (while claimed, and after fulfilling it).
CLAIMER_SEES_IN = (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CLOSED)


def is_editable_by(user, wish: Wish) -> bool:
    """Whether ``user`` handles ``wish`` for its community (the scope ``Wish.objects.editable_by``)."""
    return Wish.objects.editable_by(user).filter(pk=wish.pk).exists()


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
        .select_related("community__town", "claimed_by")
        .own_community_first(user)
    )


def wish_get_by_query_code(query_code: str) -> Wish | None:
    code = (query_code or "").strip().upper().replace(" ", "")
    if not code:
        return None
    return Wish.objects.select_related("community__town", "claimed_by").filter(query_code=code).first()


def manage_queues(*, user) -> dict[str, QuerySet[Wish]]:
    """A community worker's work: review queue, reopened cases, flagged, overdue, awaiting follow-up."""
    base = Wish.objects.editable_by(user).select_related("community__town", "claimed_by")
    now = timezone.now()
    return {
        "submitted": base.filter(status=WishStatus.SUBMITTED).order_by("submitted_at"),
        "reopened": base.filter(status=WishStatus.OPEN, reopened=True).order_by("opened_at"),
        # Every wish tagged 超时未认领 on the page, reopened ones too: the header counts what it lists.
        "flagged": base.unclaimed_flagged(now).order_by("opened_at"),
        "overdue": base.overdue(timezone.localdate()).order_by("promised_date"),
        "fulfilled": base.filter(status=WishStatus.FULFILLED).order_by("fulfilled_at"),
    }


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


def funnel(*, since: datetime.datetime | None = None) -> dict[str, int]:
    """Counts of the wish funnel in one query (home page; the reports use the same shape)."""
    qs = Wish.objects.all() if since is None else Wish.objects.filter(submitted_at__gte=since)
    return qs.aggregate(
        received=Count("id"),
        open=Count("id", filter=Q(status=WishStatus.OPEN)),
        claimed=Count(
            "id", filter=Q(status__in=[WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CLOSED])
        ),
        fulfilled=Count("id", filter=Q(status__in=[WishStatus.FULFILLED, WishStatus.CLOSED])),
        closed=Count("id", filter=Q(status=WishStatus.CLOSED)),
    )


def home_context(request) -> dict:
    """This app's part of the public home page (template ``templates/wishes/_home.html``)."""
    latest = list(
        Wish.objects.filter(status=WishStatus.OPEN)
        .select_related("community__town")
        .order_by("-urgent", "-opened_at", "-id")[:4]
    )
    return {"wish_teaser": latest, "wish_funnel": funnel()}
