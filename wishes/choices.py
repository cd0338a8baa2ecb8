"""Choices of the wishes app: states, categories, channels and follow-up ratings (DESIGN §2.2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiangyan.core.moves import Machine, Move


class WishStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("已实现")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# The tone of each status's badge (``{% status_badge %}``); a status not named is plain.
WISH_TONES = {WishStatus.FULFILLED: "ok", WishStatus.CLOSED: "ok", WishStatus.OPEN: "warn"}


# States anybody may see on the board and the API; the others only the wisher and the community see.
PUBLIC_STATUSES = (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CLOSED)
# States the wisher may still withdraw from ("before fulfilment").
WITHDRAWABLE_STATUSES = (WishStatus.SUBMITTED, WishStatus.OPEN, WishStatus.CLAIMED)

# Who moves a wish (``jiangyan.core.moves``; the predicates are in ``selectors.WISH_ROLES``/``WISH_GUARDS``):
# ``handler`` the staff of its community and admins (``Wish.objects.editable_by``), ``member`` a party member,
# ``claimer`` the member who holds the claim, ``wisher`` the wisher (account or query code), ``admin``.
# Guards: ``not_own_wish`` (nobody claims what they wished), ``under_claim_limit`` (WISH_MAX_OPEN_CLAIMS),
# ``no_pending_offer`` (派单: one offer to a member at a time, ``DispatchOffer``),
# ``team_window`` (a wish routed to a help team: its members alone for WISH_TEAM_CLAIM_HOURS after it opened,
# then anybody, so nothing waits).
WISH_MOVES = Machine(
    (
        Move((WishStatus.SUBMITTED,), "approve", WishStatus.OPEN, ("handler",)),
        Move((WishStatus.SUBMITTED,), "reject", WishStatus.REJECTED, ("handler",)),
        Move(
            (WishStatus.OPEN,),
            "claim",
            WishStatus.CLAIMED,
            ("member",),
            ("not_own_wish", "under_claim_limit", "team_window"),
        ),
        # 派单: the community arranges a member for the wish; it stays open until the member accepts.
        Move((WishStatus.OPEN,), "dispatch", WishStatus.OPEN, ("handler",), ("no_pending_offer",)),
        Move((WishStatus.CLAIMED,), "fulfil", WishStatus.FULFILLED, ("claimer",)),
        Move((WishStatus.CLAIMED,), "release", WishStatus.OPEN, ("claimer", "admin")),
        # 满意 / 基本满意 close it; 不满意 opens it again (``reopened``).
        Move((WishStatus.FULFILLED,), "feedback", "", ("wisher", "handler")),
        Move(WITHDRAWABLE_STATUSES, "withdraw", WishStatus.WITHDRAWN, ("wisher", "handler")),
    )
)
WISH_ACTION_CHOICES = [(name, name) for name in WISH_MOVES.actions]


class OfferStatus(models.TextChoices):
    """The states of a dispatch offer (派单, ``DispatchOffer``)."""

    PENDING = "pending", _("待答复")
    ACCEPTED = "accepted", _("已接单")
    DECLINED = "declined", _("已婉拒")
    WITHDRAWN = "withdrawn", _("已撤回")
    LAPSED = "lapsed", _("已失效")


OFFER_TONES = {OfferStatus.ACCEPTED: "ok", OfferStatus.PENDING: "warn"}

# Who moves an offer (the predicates are in ``selectors.OFFER_ROLES``/``OFFER_GUARDS``): ``offeree`` the
# member it is offered to, ``handler`` the staff of the wish's community and admins. Accepting is a claim
# of the wish under every claim rule (``services._lock_for_claim``); ``under_claim_limit`` is the claim's
# guard. ``lapse`` has no role: the services make it when the wish is claimed by somebody else (a
# self-claim from the board) or withdrawn while the offer waits.
OFFER_MOVES = Machine(
    (
        Move((OfferStatus.PENDING,), "accept", OfferStatus.ACCEPTED, ("offeree",), ("under_claim_limit",)),
        Move((OfferStatus.PENDING,), "decline", OfferStatus.DECLINED, ("offeree",)),
        Move((OfferStatus.PENDING,), "withdraw", OfferStatus.WITHDRAWN, ("handler",)),
        Move((OfferStatus.PENDING,), "lapse", OfferStatus.LAPSED, ()),
    )
)
# The moves a person makes (the API's enum, the buttons); ``lapse`` is the services' own.
OFFER_PERSON_ACTIONS = [name for name in OFFER_MOVES.actions if name != "lapse"]
OFFER_ACTION_CHOICES = [(name, name) for name in OFFER_MOVES.actions]


class WishCategory(models.TextChoices):
    SUPPLIES = "supplies", _("生活物资")
    STUDY = "study", _("助学")
    MEDICAL = "medical", _("就医")
    REPAIR = "repair", _("维修")
    COMPANY = "company", _("陪伴")
    JOBS = "jobs", _("就业")
    OTHER = "other", _("其他")


class WishChannel(models.TextChoices):
    ONLINE = "online", _("在线")
    CARD = "card", _("心愿卡")
    BOX = "box", _("收集箱")
    HOTLINE = "hotline", _("热线")
    VISIT = "visit", _("走访")
    NIGHT_VISIT = "night_visit", _("夜访")  # the evening visits the article adds "根据群众作息时间"


# Channels a resident uses on the submission form (the QR code on a paper card sets ``card``); the
# others are entered by community staff on the resident's behalf.
RESIDENT_CHANNELS = (WishChannel.ONLINE, WishChannel.CARD)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class FeedbackChannel(models.TextChoices):
    ONLINE = "online", _("心愿人在线回访")
    PHONE = "phone", _("社区电话回访")


class PhotoKind(models.TextChoices):
    SUBMISSION = "submission", _("心愿照片")
    FULFILMENT = "fulfilment", _("实现照片")


class TeamKind(models.TextChoices):
    """The kinds of help team the article names (临时党支部, 生活帮帮团, 民生绿色通道)."""

    BRANCH = "branch", _("临时党支部")
    HELP = "help", _("生活帮帮团")
    GREEN = "green", _("民生绿色通道")
