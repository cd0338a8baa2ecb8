"""Micro-wishes (群众微心愿) and their photos. The state of a wish changes only in ``wishes.services``;
its history is the shared audit trail (``AuditEvent.objects.for_object(wish)``)."""

import datetime
import secrets

from django.conf import settings
from django.db import connection, models
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.backends import user_fact
from accounts.models import Community, Town
from jiangyan.core.roles import Role, has_role, is_admin, roles_of
from jiangyan.core.scoping import VIEW, ScopedQuerySet, Share
from jiangyan.helpers import clock, masking
from jiangyan.helpers.fields import BlindIndexField, EncryptedTextField
from jiangyan.models import Photo

from .choices import (
    OFFER_TONES,
    PUBLIC_STATUSES,
    WISH_TONES,
    FeedbackChannel,
    OfferStatus,
    PhotoKind,
    Satisfaction,
    TeamKind,
    WishCategory,
    WishChannel,
    WishStatus,
)

# Unambiguous characters for codes read aloud on the phone or copied from a card: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 8


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _handler_scope(user, community_field: str) -> Q | None:
    """Who handles a community's wishes, as a filter on ``community_field``; None: nothing."""
    if user is None or not user.is_authenticated:
        return None
    if is_admin(user):
        return Q()
    if Role.COMMUNITY_STAFF in roles_of(user) and user.community_id:
        return Q(**{community_field: user.community_id})
    return None


def handled_communities(user) -> models.QuerySet[Community]:
    """The communities whose wishes ``user`` handles — reviews, enters on a resident's behalf, follows up
    by phone, withdraws on the wisher's behalf: a community worker their own, an admin every one. The same
    rule as ``WishQuerySet.editable_by``, for a wish that does not exist yet (staff entry)."""
    scope = _handler_scope(user, "pk")
    return Community.objects.none() if scope is None else Community.objects.filter(scope)


OWN_ROWS = "wishes.own_rows"  # the user fact of ``own_rows_sql``


def own_rows_sql(person: str) -> tuple[str, tuple]:
    """Whether the person ``person`` (an SQL expression of their id) has wishes or claims outside the public
    states — what only they see on the board — as SQL and its parameters."""
    marks = ", ".join(["%s"] * len(PUBLIC_STATUSES))
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {Wish._meta.db_table} WHERE (submitted_by_id = {person} "
        f"OR claimed_by_id = {person}) AND status NOT IN ({marks}))"
    )
    return sql, tuple(PUBLIC_STATUSES)


def _has_own_rows(user) -> bool:
    """``own_rows_sql`` of ``user``: read with their session's user row (``accounts.backends.USER_FACTS``,
    registered in ``WishesConfig.ready``), else asked now."""

    def ask() -> bool:
        sql, params = own_rows_sql("%s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, user.pk, *params])
            return cursor.fetchone()[0]

    return user_fact(user, OWN_ROWS, ask)


def _first_community(user) -> int | None:
    """The community whose wishes come first for ``user``: a party member's registered one, else their own."""
    if user is None or not user.is_authenticated:
        return None
    return user.home_community_id


WISHER = "wisher"  # a scope of ``WishQuerySet.restrict``


def claim_limits(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments before which a wish that became open is past its claim limit at ``now``: an ordinary
    wish ``WISH_UNCLAIMED_FLAG_DAYS`` days, one routed to a help team ``WISH_TEAM_CLAIM_HOURS`` hours."""
    return (
        now - datetime.timedelta(days=settings.WISH_UNCLAIMED_FLAG_DAYS),
        now - datetime.timedelta(hours=settings.WISH_TEAM_CLAIM_HOURS),
    )


def opened_past_limit(now: datetime.datetime) -> models.Q:
    """Became open before its limit (:func:`claim_limits`): the one rule of both limits, for the board, the
    desk, the dashboard's alerts and the reports (``selectors._unclaimed_flagged_at``)."""
    normal, team = claim_limits(now)
    return models.Q(team__isnull=True, opened_at__lte=normal) | models.Q(
        team__isnull=False, opened_at__lte=team
    )


def unclaimed_flagged_rule(now: datetime.datetime) -> models.Q:
    """Open and unclaimed past its limit (``WISH_UNCLAIMED_FLAG_DAYS`` days, or ``WISH_TEAM_CLAIM_HOURS``
    hours when it is routed to a help team), counted from when it last became open."""
    return models.Q(status=WishStatus.OPEN) & opened_past_limit(now)


def overdue_rule(today: datetime.date) -> models.Q:
    """Claimed and past the promised date."""
    return models.Q(status=WishStatus.CLAIMED, promised_date__lt=today)


# The columns of :meth:`WishQuerySet.for_rows`.
ROW_FIELDS = (
    *("code", "title", "status", "category", "channel", "urgent", "reopened", "wisher_name", "promised_date"),
    *("submitted_at", "opened_at", "claimed_at", "fulfilled_at", "community", "team"),
    *("claimed_by__real_name", "claimed_by__username", "claimed_by__phone"),
)


class WishQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "WishQuerySet":
        """Public states for everybody; the wisher's own wishes, the member's own claims, every wish of
        a community worker's community; everything for supervisors and admins."""
        if user is not None and user.is_authenticated and has_role(user, Role.SUPERVISOR):
            return self
        scope = Q(status__in=PUBLIC_STATUSES)
        if user is not None and user.is_authenticated:
            scope |= Q(submitted_by=user) | Q(claimed_by=user)
        handler = _handler_scope(user, "community_id")
        if handler is not None:
            scope |= handler
        return self.filter(scope)

    def visible_share(self, user) -> Share | None:
        """Who sees the wishes ``user`` sees, in the same order (``visible_to``, ``own_community_first``):
        supervisors and admins every wish; a community's staff its wishes and the public ones; everybody
        else the public ones — None for someone with wishes or claims of their own outside the public
        states, which are theirs alone."""
        first = _first_community(user)
        if user is not None and user.is_authenticated and has_role(user, Role.SUPERVISOR):
            return Share(f"all|{first}", ("wishes:any",))
        if user is not None and user.is_authenticated and _has_own_rows(user):
            return None
        if _handler_scope(user, "community_id") is not None:  # not an admin here: their own community
            return Share(f"public+community:{user.community_id}|{first}", (f"wishes:{user.community_id}",))
        return Share(f"public|{first}")

    def editable_by(self, user) -> "WishQuerySet":
        """Wishes a community worker handles (review, entry, follow-up by phone): their community's; an
        admin every one (``handled_communities``). The claimer and the wisher act on a wish through their
        relation to it, which the services check on the locked row."""
        scope = _handler_scope(user, "community_id")
        return self.none() if scope is None else self.filter(scope)

    def restrict(self, user, scope: str = VIEW) -> "WishQuerySet":
        """``WISHER``, the scope of the wisher's follow-up and withdrawal: any wish its code names. The wisher
        may have no account and proves who they are to the service with the query code
        (``services.is_wisher``), or staff of the wish's community act for them; the service refuses
        anybody else (403)."""
        if scope == WISHER:
            return self.all()
        return super().restrict(user, scope)

    def for_rows(self) -> "WishQuerySet":
        """What a list's row of a wish reads (``Wish.fragment_version``, ``wishes/_item.html``,
        ``_review.html``, the row's actions) and nothing more: the long texts and the contact details
        stay in the database, undecrypted, and so do the claimer's other columns. The community comes
        with ``selectors.with_communities`` (one instance per community, not one per row)."""
        return self.select_related("claimed_by").only(*ROW_FIELDS)

    def unclaimed_flagged(self, now: datetime.datetime) -> "WishQuerySet":
        return self.filter(unclaimed_flagged_rule(now))

    def overdue(self, today: datetime.date) -> "WishQuerySet":
        return self.filter(overdue_rule(today))

    def unfinished_claims_of(self, member) -> "WishQuerySet":
        return self.filter(status=WishStatus.CLAIMED, claimed_by=member)

    def own_community_first(self, user) -> "WishQuerySet":
        """A party member's registered community (or a user's home community) first, then urgent, newest."""
        community_id = _first_community(user)
        rank = (
            Case(
                When(community_id=community_id, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
            if community_id
            else Value(1, output_field=IntegerField())
        )
        return self.annotate(own_rank=rank).order_by("own_rank", "-urgent", "-submitted_at", "-id")


class Wish(models.Model):
    """A resident's micro-wish, from submission to follow-up.

    The wisher's name, phone and address are personal information: stored encrypted
    (``jiangyan.helpers.fields``), shown masked except to the claimer of this wish, staff of its community and
    admins (``wishes.selectors.can_see_personal_data``), found by phone through ``wisher_phone_index``.
    The timestamps mark when each state was last entered, so reports aggregate in SQL."""

    code = models.CharField(_("编号"), max_length=16, unique=True)
    query_code = models.CharField(_("查询码"), max_length=12, unique=True)
    title = models.CharField(_("心愿"), max_length=60)
    text = models.TextField(_("详细说明"), max_length=1000)
    category = models.CharField(_("类别"), max_length=20, choices=WishCategory.choices, db_index=True)
    urgent = models.BooleanField(
        _("生活帮帮团急需"), default=False, help_text=_("居家隔离、行动不便群众急需的生活物资。")
    )
    community = models.ForeignKey(
        "accounts.Community", verbose_name=_("社区（村）"), on_delete=models.PROTECT, related_name="wishes"
    )
    wisher_name = EncryptedTextField(_("心愿人姓名"), max_length=50)
    wisher_phone = EncryptedTextField(_("联系电话"), max_length=20)
    wisher_address = EncryptedTextField(_("地址"), max_length=200, blank=True)
    wisher_phone_index = BlindIndexField(_("联系电话索引"), source="wisher_phone", db_index=True)
    # When the wisher's contact details were erased (PIPL retention, ``wishes.services.wish_erase_contact``):
    # name, phone and address are then kept only in their masked form.
    contact_erased_at = models.DateTimeField(_("联系方式删除时间"), null=True, blank=True)
    channel = models.CharField(_("征集渠道"), max_length=20, choices=WishChannel.choices, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("心愿人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_wishes",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entered_wishes",
    )
    status_tones = WISH_TONES  # the tone of its status badge ({% status_badge %})
    status = models.CharField(
        _("状态"), max_length=20, choices=WishStatus.choices, default=WishStatus.SUBMITTED, db_index=True
    )
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_wishes",
    )
    # The help team an urgent supplies wish was routed to when it opened (``services.wish_route``); its
    # members claim it first, within WISH_TEAM_CLAIM_HOURS.
    team = models.ForeignKey(
        "HelpTeam",
        verbose_name=_("帮帮团"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    promised_date = models.DateField(_("承诺完成日期"), null=True, blank=True)
    fulfil_note = models.TextField(_("完成情况"), blank=True)
    satisfaction = models.CharField(_("回访评价"), max_length=20, choices=Satisfaction.choices, blank=True)
    feedback_comment = models.CharField(_("回访意见"), max_length=500, blank=True)
    feedback_channel = models.CharField(
        _("回访方式"), max_length=20, choices=FeedbackChannel.choices, blank=True
    )
    # The seasonal campaign (四季活动) the community's staff filed it under: 冬送温暖 for a warm quilt …
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("四季活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    reopened = models.BooleanField(_("不满意重办"), default=False, db_index=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("进入待认领时间"), null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status"]),
            models.Index(fields=["claimed_by", "status"]),
            models.Index(fields=["status", "promised_date"]),
            # The board's and the API's order for a reader without a community of their own first
            # (``own_community_first``): the first page read from the index, not sorted from every wish.
            models.Index(fields=["-urgent", "-submitted_at", "-id"], name="wish_board_order"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def fragment_version(self) -> tuple:
        """Everything the shared row of a wish shows (``wishes/_item.html``, ``_review.html``, cached by
        ``jiangyan.core.fragments``) — the wisher's name only masked, as the row shows it: a change of any of
        it, or the day making it flagged or overdue, is a new fragment. Reads ``community__town`` and
        ``claimed_by`` (``select_related``)."""
        claimer = self.claimed_by
        return (
            self.pk,
            self.code,
            self.title,
            self.status,
            self.category,
            self.channel,
            self.urgent,
            self.reopened,
            self.is_flagged,
            self.is_overdue,
            self.team_id,
            masking.mask_name(self.wisher_name),
            self.community.town.name,
            self.community.name,
            claimer.display_name if claimer else None,
            self.promised_date,
            self.submitted_at,
        )

    @property
    def is_flagged(self) -> bool:
        """``unclaimed_flagged_rule`` of this wish, now."""
        normal, team = claim_limits(clock.now())
        limit = team if self.team_id else normal
        return self.status == WishStatus.OPEN and self.opened_at is not None and self.opened_at <= limit

    @property
    def team_window_ends(self) -> datetime.datetime | None:
        """Until when only its help team's members may claim it (routed and open), else None."""
        if not self.team_id or self.status != WishStatus.OPEN or self.opened_at is None:
            return None
        return self.opened_at + datetime.timedelta(hours=settings.WISH_TEAM_CLAIM_HOURS)

    def in_team_window(self, now: datetime.datetime | None = None) -> bool:
        ends = self.team_window_ends
        return ends is not None and (now or clock.now()) < ends

    @property
    def team_window_open(self) -> bool:
        return self.in_team_window()

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == WishStatus.CLAIMED
            and self.promised_date is not None
            and self.promised_date < clock.localdate()
        )

    @property
    def is_help_team(self) -> bool:
        """A 生活帮帮团 request: urgent supplies."""
        return self.urgent and self.category == WishCategory.SUPPLIES


class WishPhoto(Photo):
    """A photo of a wish: the resident's (shown only with the personal data) or the fulfilment's (public)."""

    wish = models.ForeignKey(Wish, verbose_name=_("心愿"), on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=20, choices=PhotoKind.choices)

    class Meta(Photo.Meta):
        verbose_name = _("心愿照片")
        verbose_name_plural = _("心愿照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.wish.code} {self.get_kind_display()}"


class DispatchOfferQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "DispatchOfferQuerySet":
        """The member's own offers; every offer of the wishes a community worker handles (their community's,
        an admin's every one); supervisors every offer."""
        if user is None or not user.is_authenticated:
            return self.none()
        if has_role(user, Role.SUPERVISOR):
            return self
        scope = Q(member=user)
        handler = _handler_scope(user, "wish__community_id")
        if handler is not None:
            scope |= handler
        return self.filter(scope)

    def editable_by(self, user) -> "DispatchOfferQuerySet":
        """Offers the staff of the wish's community (and admins) may withdraw: ``Wish.objects.editable_by``.
        The member answers an offer through their relation to it, which the services check on the locked
        row."""
        scope = _handler_scope(user, "wish__community_id")
        return self.none() if scope is None else self.filter(scope)

    def pending(self) -> "DispatchOfferQuerySet":
        return self.filter(status=OfferStatus.PENDING)


class DispatchOffer(models.Model):
    """派单: the community's staff arrange a party member for an open wish ("逐条安排党员认领"). The member
    accepts (a claim under every claim rule) or declines with a reason (the wish goes back to the dispatch
    queue); staff may withdraw it; it lapses when somebody else claims the wish or the wish is withdrawn.
    At most one offer of a wish waits for an answer at a time (``dispatch_offer_one_pending_per_wish``).
    The states move only in ``wishes.services`` (``choices.OFFER_MOVES``)."""

    wish = models.ForeignKey(Wish, verbose_name=_("心愿"), on_delete=models.CASCADE, related_name="offers")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("派给党员"),
        on_delete=models.PROTECT,
        related_name="dispatch_offers",
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("派单人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispatch_offers_made",
    )
    status_tones = OFFER_TONES
    status = models.CharField(
        _("状态"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING, db_index=True
    )
    note = models.CharField(_("派单说明"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("派单时间"), default=clock.now, db_index=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = DispatchOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wish"],
                condition=Q(status=OfferStatus.PENDING),
                name="dispatch_offer_one_pending_per_wish",
            )
        ]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.wish.code} → {self.member.display_name}"

    def get_absolute_url(self) -> str:
        """Where the member answers it: their offers (我的派单), at this one."""
        return reverse("wishes:offers") + f"#offer-{self.pk}"


class HelpTeamQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "HelpTeamQuerySet":
        """Supervisors and the office read every team (the dashboard's figures); a party member the teams
        they belong to (their queue); nobody else any."""
        if user is None or not user.is_authenticated:
            return self.none()
        if has_role(user, Role.SUPERVISOR):
            return self.all()
        if Role.PARTY_MEMBER in roles_of(user):
            return self.filter(members=user)
        return self.none()

    def visible_share(self, user) -> Share | None:
        if user is not None and user.is_authenticated and has_role(user, Role.SUPERVISOR):
            return Share("all", ("teams",))
        return None  # a member's own teams

    def editable_by(self, user) -> "HelpTeamQuerySet":
        """The office (办实事办公室, admins) manages the teams."""
        return self.all() if is_admin(user) else self.none()


class HelpTeam(models.Model):
    """A help team (帮帮团) that takes urgent everyday-supplies requests of people in home quarantine or with
    limited mobility: a temporary party branch (临时党支部), a 生活帮帮团 or a 民生绿色通道 — party members
    serving a range (some communities, or a whole town) for some wish categories. An urgent supplies wish
    opening in its range is routed to it (``services.wish_route``, the rule in ``selectors.team_for``). The
    office manages teams (``services.help_team_save``)."""

    kind = models.CharField(_("类型"), max_length=12, choices=TeamKind.choices, default=TeamKind.HELP)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    town = models.ForeignKey(
        Town,
        verbose_name=_("服务镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_teams",
        help_text=_("选择后服务全镇（街道）的所有社区（村）。"),
    )
    communities = models.ManyToManyField(
        Community, verbose_name=_("服务社区（村）"), blank=True, related_name="help_teams"
    )
    categories = models.JSONField(_("受理类别"), default=list)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True, related_name="help_teams"
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)

    objects = HelpTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮帮团")
        verbose_name_plural = _("帮帮团")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def category_labels(self) -> list[str]:
        return [WishCategory(c).label for c in self.categories if c in WishCategory.values]
