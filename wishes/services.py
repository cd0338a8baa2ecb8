"""Every change of a wish's state (DESIGN §2.2). Each function checks the actor and the state, locks the
row, changes it with ``save(update_fields=...)`` and appends an audit event, all in one transaction.
Pages, the API and the demo call these; nothing else writes ``Wish.status``.

Who may act: staff of the wish's community and admins through the scope rule
(``Wish.objects.editable_by``, locked with ``lock_editable``); the claimer and the wisher through their
relation to the wish, checked on the locked row.

History notes never carry personal data: the wisher appears as 心愿人 / 查询码用户, never by name."""

import datetime
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Community, Town, User
from accounts.validators import validate_contact_phone
from campaigns.models import Campaign
from jiangyan.core.audit import audit_record, audit_transition
from jiangyan.core.exceptions import ApplicationError, ConflictError, field_error
from jiangyan.core.roles import Role, has_role, is_admin, require_role
from jiangyan.core.scoping import lock_editable
from jiangyan.helpers import clock
from jiangyan.helpers.masking import mask_address, mask_name, mask_phone
from jiangyan.helpers.wording import Wording, in_site_language
from notifications.services import notify

from . import inputs, selectors
from .choices import (
    RESIDENT_CHANNELS,
    WISH_MOVES,
    FeedbackChannel,
    OfferStatus,
    PhotoKind,
    Satisfaction,
    TeamKind,
    WishCategory,
    WishChannel,
    WishStatus,
)
from .models import (
    QUERY_CODE_LENGTH,
    DispatchOffer,
    HelpTeam,
    Wish,
    WishPhoto,
    handled_communities,
    random_code,
)

# Actor labels and notes stored in the history are data, not interface text: the same in every language.
# Actors without an account, stored as they are (read in the reader's language:
# jiangyan.helpers.wording.read).
ANONYMOUS_WISHER_LABEL = gettext_noop("查询码用户")
WISHER_LABEL = gettext_noop("心愿人")
MAX_PROMISE_DAYS = 60

# What the services store (audit notes, notifications) in the site's language; read in the reader's
# (``jiangyan.helpers.wording``).
CLAIM_NOTE = Wording(gettext_noop("承诺 %(date)s 前完成"))
FEEDBACK_NOTE = Wording(gettext_noop("%(satisfaction)s（%(channel)s）"), labels=("satisfaction", "channel"))
FEEDBACK_COMMENT_NOTE = Wording(
    gettext_noop("%(satisfaction)s（%(channel)s）：%(comment)s"), labels=("satisfaction", "channel")
)
CLAIMED_TITLE = Wording(gettext_noop("您的心愿“%(title)s”已被党员认领"))
FULFILLED_TITLE = Wording(gettext_noop("您的心愿“%(title)s”已实现，请回访评价"))
REOPENED_TITLE = Wording(gettext_noop("您完成的心愿“%(title)s”回访不满意，已重新派单"))
CLAIM_OVERDUE_TITLE = Wording(gettext_noop("您认领的心愿“%(title)s”已超过承诺日期 %(date)s"))
CLAIM_OVERDUE_BODY = gettext_lazy("请尽快完成并登记，或说明原因后释放认领。")
# 派单's notes and notices (stored in the site's language, read in the reader's:
# ``jiangyan.helpers.wording``).
DISPATCH_NOTE = Wording(gettext_noop("派给 %(member)s"))
DISPATCH_NOTE_WITH = Wording(gettext_noop("派给 %(member)s：%(note)s"))
DISPATCH_ACCEPT_NOTE = Wording(gettext_noop("接受派单，承诺 %(date)s 前完成"))
OFFER_MADE_TITLE = Wording(gettext_noop("社区为您派单：心愿“%(title)s”，请接单或说明原因"))
OFFER_DECLINED_TITLE = Wording(gettext_noop("%(member)s 婉拒了心愿“%(title)s”的派单，请另行安排"))
OFFER_WITHDRAWN_TITLE = Wording(gettext_noop("社区已撤回心愿“%(title)s”的派单"))
OFFER_LAPSED_TITLE = Wording(gettext_noop("心愿“%(title)s”的派单已失效"))
LAPSE_CLAIMED_NOTE = Wording(gettext_noop("心愿已被党员认领"))
LAPSE_CLAIMED_WHY = Wording(gettext_noop("心愿已被其他党员认领。"))
LAPSE_WITHDRAWN_NOTE = Wording(gettext_noop("心愿已撤回"))
LAPSE_WITHDRAWN_WHY = Wording(gettext_noop("心愿已撤回。"))
# Help teams (帮帮团): a wish routed to a team, and what the team's members are told.
ROUTE_NOTE = Wording(gettext_noop("%(team)s：%(hours)s 小时内由团队成员认领"))
ROUTED_TITLE = Wording(gettext_noop("“%(team)s”有新的急需心愿“%(title)s”，请在 %(hours)s 小时内认领"))


# --- helpers -------------------------------------------------------------------------------------------
def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def secrets_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def is_wisher(user, wish: Wish, query_code: str = "") -> bool:
    """The wisher proves who they are with their account or with the wish's query code."""
    if query_code and secrets_equal(query_code.strip().upper(), wish.query_code):
        return True
    return _signed_in(user) and wish.submitted_by_id == user.pk


def _wisher_label(user, wish: Wish) -> str:
    return WISHER_LABEL if _signed_in(user) and wish.submitted_by_id == user.pk else ANONYMOUS_WISHER_LABEL


def _require_state(wish: Wish, allowed: Iterable[str], *, message: str = "") -> None:
    """ConflictError unless the (locked) wish is in one of the ``allowed`` states."""
    if wish.status not in allowed:
        raise ConflictError(
            message
            or _("心愿当前状态为“%(status)s”，不能执行该操作。") % {"status": wish.get_status_display()},
            code="illegal_transition",
        )


def _lock(wish: Wish, allowed: Iterable[str]) -> Wish:
    """Lock the wish's row and check that its state allows the transition. For the transitions whose
    actor is a party to the wish (claimer, wisher), checked on the row this returns."""
    locked = Wish.objects.select_for_update().get(pk=wish.pk)
    _require_state(locked, allowed)
    return locked


def _acting_for_wisher(actor, locked: Wish, query_code: str, *, message: str) -> bool:
    """True when the wisher acts (account or query code), False when staff of the wish's community act on
    their behalf (a phone call); PermissionDenied with ``message`` for anybody else."""
    if is_wisher(actor, locked, query_code):
        return True
    lock_editable(Wish.objects, actor, pk=locked.pk, message=message)
    return False


def _save_photos(wish: Wish, photos: Iterable, kind: str, user) -> None:
    uploader = user if _signed_in(user) else None
    for photo in photos or ():
        WishPhoto.objects.create(wish=wish, kind=kind, image=photo, uploaded_by=uploader)


# --- creation ------------------------------------------------------------------------------------------
def _validated_fields(
    *, community, title, text, category, wisher_name, wisher_phone, wisher_address, urgent, landline
) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    texts = {"title": title, "text": text, "wisher_name": wisher_name, "wisher_address": wisher_address}
    for field, value in texts.items():
        try:
            cleaned[field] = inputs.WISH_CREATE[field].clean(value, field)
        except ApplicationError as error:
            errors.update(error.fields)
    try:
        cleaned["wisher_phone"] = validate_contact_phone(wisher_phone, landline=landline)
    except DjangoValidationError as error:
        errors["wisher_phone"] = [str(m) for m in error.messages]
    if category not in WishCategory.values:
        errors["category"] = [_("请选择心愿类别。")]
    if urgent and category != WishCategory.SUPPLIES:
        errors["urgent"] = [_("“生活帮帮团急需”只用于生活物资类心愿。")]
    if not isinstance(community, Community):
        errors["community"] = [_("请选择所在社区（村）。")]
    if errors:
        raise ApplicationError(_("提交的内容有误，请检查。"), fields=errors)
    return {**cleaned, "category": category, "community": community, "urgent": bool(urgent)}


def _insert(**fields) -> Wish:
    """Insert with fresh random codes; a (very unlikely) collision is retried, never a 500."""
    for _attempt in range(5):
        wish = Wish(
            code=f"WX{clock.localdate():%y%m}{random_code(4)}",
            query_code=random_code(QUERY_CODE_LENGTH),
            **fields,
        )
        try:
            with transaction.atomic():
                wish.save()
            return wish
        except IntegrityError:
            if (
                Wish.objects.filter(code=wish.code).exists()
                or Wish.objects.filter(query_code=wish.query_code).exists()
            ):
                continue
            raise
    raise ApplicationError(_("系统繁忙，请稍后再试。"))


@transaction.atomic
def wish_create(
    *,
    actor: User | AnonymousUser,
    community: Community | None,
    channel: str,
    title: str,
    text: str,
    category: str,
    wisher_name: str,
    wisher_phone: str,
    wisher_address: str = "",
    urgent: bool = False,
    photos: Iterable = (),
) -> Wish:
    """A new wish — the one way in, for the public form, the staff entry form and the API. Who creates it
    decides how (DESIGN §2.2):

    - staff of the wish's community, and admins (``handled_communities``), enter it on the resident's
      behalf from any channel (a card, the box, the hotline, a visit, online): it is open at once
      (``wish.enter``);
    - anybody else, signed in or not, submits a wish online or through a card's QR code: it waits for the
      community's review (``wish.submit``). The other channels are staff entry only.
    """
    if channel not in WishChannel.values:
        raise field_error("channel", _("请选择征集渠道。"))
    entry = isinstance(community, Community) and handled_communities(actor).filter(pk=community.pk).exists()
    if not entry and channel not in RESIDENT_CHANNELS:
        raise PermissionDenied(_("只有本社区工作人员可以代群众登记心愿。"))
    fields = _validated_fields(
        community=community,
        title=title,
        text=text,
        category=category,
        wisher_name=wisher_name,
        wisher_phone=wisher_phone,
        wisher_address=wisher_address,
        urgent=urgent,
        landline=entry,  # staff write down a caller's or a visited household's number, landlines too
    )
    now = clock.now()
    if entry:
        wish = _insert(
            **fields,
            channel=channel,
            status=WishStatus.OPEN,
            submitted_at=now,
            reviewed_at=now,
            opened_at=now,
            entered_by=actor,
        )
        verb, label = "wish.enter", ""
    else:
        wish = _insert(
            **fields,
            channel=channel,
            status=WishStatus.SUBMITTED,
            submitted_at=now,
            submitted_by=actor if _signed_in(actor) else None,
        )
        verb, label = "wish.submit", WISHER_LABEL if _signed_in(actor) else ANONYMOUS_WISHER_LABEL
    _save_photos(wish, photos, PhotoKind.SUBMISSION, actor)
    audit_record(
        actor=actor, verb=verb, target=wish, after={"status": wish.status, "channel": channel}, label=label
    )
    if wish.status == WishStatus.OPEN:
        wish_route(actor=actor, wish=wish)
    return wish


# --- review --------------------------------------------------------------------------------------------
@transaction.atomic
def wish_approve(*, actor: User, wish: Wish) -> Wish:
    """submitted → open, by staff of the wish's community."""
    locked = lock_editable(Wish.objects, actor, pk=wish.pk, message=_("只有本社区工作人员可以审核。"))
    _require_state(locked, [WishStatus.SUBMITTED])
    selectors.wish_require_move(actor, locked, "approve")
    now = clock.now()
    locked.status, locked.reviewed_at, locked.opened_at = WishStatus.OPEN, now, now
    locked.save(update_fields=["status", "reviewed_at", "opened_at", "updated_at"])
    audit_transition(
        actor=actor, verb="wish.approve", target=locked, before=WishStatus.SUBMITTED, after=WishStatus.OPEN
    )
    wish_route(actor=actor, wish=locked)
    return locked


# --- help teams (帮帮团) --------------------------------------------------------------------------------
@transaction.atomic
def wish_route(*, actor: User, wish: Wish) -> HelpTeam | None:
    """Route a wish that has just opened (staff entry, approval) to the help team that covers it: an urgent
    supplies request (``selectors.routes_to_team``) goes to ``selectors.team_for``'s team, recorded on the
    wish (``wish.route``), and the team's members are told. Its members alone may claim it for
    WISH_TEAM_CLAIM_HOURS, then anybody (``WISH_GUARDS["team_window"]``). A wish already routed keeps its
    team (a release or a reopening opens it again for the same team); one no team covers stays as it is.
    Called by the services that open a wish, inside their transaction, on the row they hold."""
    if wish.team_id is not None or wish.status != WishStatus.OPEN or not selectors.routes_to_team(wish):
        return None
    team = selectors.team_for(community=wish.community, category=wish.category)
    if team is None:
        return None
    wish.team = team
    wish.save(update_fields=["team", "updated_at"])
    hours = settings.WISH_TEAM_CLAIM_HOURS
    audit_record(
        actor=actor,
        verb="wish.route",
        target=wish,
        after={"status": wish.status, "team": team.pk},
        note=ROUTE_NOTE(team=team.name, hours=hours),
    )
    notify(
        recipients=team.members.filter(is_active=True),
        reason="wish.routed",
        title=ROUTED_TITLE(team=team.name, title=wish.title, hours=hours),
        url=_wish_url(wish),
        target=wish,
        period=str(team.pk),
    )
    return team


def _team_categories(categories) -> list[str]:
    chosen = set(categories or ())
    if not chosen or chosen - set(WishCategory.values):
        raise field_error("categories", _("请选择受理类别。"))
    return [c for c in WishCategory.values if c in chosen]  # in the categories' own order


@transaction.atomic
def help_team_save(
    *,
    actor: User,
    team: HelpTeam | None = None,
    kind: str,
    name: str,
    town: Town | None = None,
    communities: Iterable[Community] = (),
    categories: Iterable[str] = (WishCategory.SUPPLIES,),
    members: Iterable[User] = (),
    active: bool = True,
) -> HelpTeam:
    """The office (办实事办公室) sets up a help team, or changes one (``team``): its kind, name, range (some
    communities, or a whole town, or both), the wish categories it takes, its members (party members) and
    whether it takes wishes now. Wishes already routed keep their team; a change applies to wishes that
    open from now on. Audited (``help_team.save``) with what changed."""
    require_role(actor, Role.ADMIN)
    if kind not in TeamKind.values:
        raise field_error("kind", _("请选择帮帮团类型。"))
    name = inputs.HELP_TEAM_SAVE["name"].clean(name, "name")
    categories = _team_categories(categories)
    communities, members = list(communities or ()), list(members or ())
    if town is None and not communities:
        raise field_error("communities", _("请选择服务的社区（村），或服务全镇（街道）。"))
    outsiders = [m.display_name for m in members if not (m.is_active and has_role(m, Role.PARTY_MEMBER))]
    if outsiders:
        message = _("帮帮团成员须为党员：%(names)s") % {"names": "、".join(outsiders)}
        raise field_error("members", message)
    clash = HelpTeam.objects.filter(name=name).exclude(pk=team.pk if team else None)
    if clash.exists():
        raise field_error("name", _("已有同名的帮帮团。"))
    values = {"kind": kind, "name": name, "town": town.pk if town else None, "active": bool(active)}
    values |= {
        "categories": categories,
        "communities": sorted(c.pk for c in communities),
        "members": sorted(m.pk for m in members),
    }
    if team is None:
        try:
            with transaction.atomic():
                locked = HelpTeam.objects.create(
                    kind=kind, name=name, town=town, categories=categories, active=bool(active)
                )
        except IntegrityError as error:  # the same name saved at the same moment
            raise field_error("name", _("已有同名的帮帮团。")) from error
        before = None
    else:
        locked = lock_editable(
            HelpTeam.objects, actor, pk=team.pk, message=_("只有办实事办公室可以管理帮帮团。")
        )
        before = _team_values(locked)
        if before == values:
            return locked
        locked.kind, locked.name, locked.town, locked.active = kind, name, town, bool(active)
        locked.categories = categories
        try:
            with transaction.atomic():
                locked.save(update_fields=["kind", "name", "town", "active", "categories"])
        except IntegrityError as error:
            raise field_error("name", _("已有同名的帮帮团。")) from error
    locked.communities.set(communities)
    locked.members.set(members)
    changed = [k for k, v in values.items() if before is None or before.get(k) != v]
    audit_record(
        actor=actor,
        verb="help_team.save",
        target=locked,
        before=_team_record(before, changed) if before else None,
        after=_team_record(values, changed),
    )
    return locked


def _team_record(values: dict, keys: list[str]) -> dict:
    """The ``keys`` of a team's values as its history reads them: members and communities by name (the
    other keys read through the model's fields: kind, town, categories — ``WishesConfig.audit_fields``)."""
    names = {
        "members": lambda pks: [u.display_name for u in User.objects.filter(pk__in=pks).order_by("pk")],
        "communities": lambda pks: [
            str(c) for c in Community.objects.filter(pk__in=pks).select_related("town").order_by("pk")
        ],
    }
    return {k: names[k](values[k]) if k in names else values[k] for k in keys}


def _team_values(team: HelpTeam) -> dict:
    return {
        "kind": team.kind,
        "name": team.name,
        "town": team.town_id,
        "active": team.active,
        "categories": list(team.categories),
        "communities": sorted(team.communities.values_list("pk", flat=True)),
        "members": sorted(team.members.values_list("pk", flat=True)),
    }


@transaction.atomic
def wish_reject(*, actor: User, wish: Wish, reason: str) -> Wish:
    """submitted → rejected, with a reason the wisher sees when tracking."""
    locked = lock_editable(Wish.objects, actor, pk=wish.pk, message=_("只有本社区工作人员可以审核。"))
    reason = inputs.WISH_REJECT["reason"].clean(reason, "reason")
    _require_state(locked, [WishStatus.SUBMITTED])
    selectors.wish_require_move(actor, locked, "reject")
    locked.status, locked.reject_reason, locked.reviewed_at = WishStatus.REJECTED, reason, clock.now()
    locked.save(update_fields=["status", "reject_reason", "reviewed_at", "updated_at"])
    audit_transition(
        actor=actor,
        verb="wish.reject",
        target=locked,
        before=WishStatus.SUBMITTED,
        after=WishStatus.REJECTED,
        note=reason,
    )
    return locked


# --- claiming ------------------------------------------------------------------------------------------
def default_promised_date() -> datetime.date:
    return clock.localdate() + datetime.timedelta(days=settings.WISH_DEFAULT_PROMISE_DAYS)


def _check_promise(promised_date: datetime.date | None) -> datetime.date:
    """The promised date of a claim (default: WISH_DEFAULT_PROMISE_DAYS from today), within the limit."""
    today = clock.localdate()
    promised_date = promised_date or default_promised_date()
    if promised_date < today or promised_date > today + datetime.timedelta(days=MAX_PROMISE_DAYS):
        raise field_error(
            "promised_date", _("承诺完成日期应在今天到 %(days)s 天之内。") % {"days": MAX_PROMISE_DAYS}
        )
    return promised_date


def _claim_limit_error() -> ConflictError:
    limit = settings.WISH_MAX_OPEN_CLAIMS
    message = _("您已有 %(limit)s 个未完成的认领，请先完成或释放后再认领。") % {"limit": limit}
    return ConflictError(message, code="claim_limit")


def _lock_for_claim(*, member: User, wish: Wish) -> Wish:
    """The claim's rules, for a self-claim and an accepted offer alike: the member's user row is locked
    first (so their count of unfinished claims cannot race past the limit), then the wish's row; the wish
    must still be open, not the member's own, and the member under WISH_MAX_OPEN_CLAIMS. Returns the locked
    wish; whoever finds it no longer open gets ConflictError."""
    # FOR NO KEY UPDATE: claims of one member take turns, while rows that merely refer to the member (a
    # notice to them, written by a claim of another wish that lapses their offer) do not wait (no deadlock).
    User.objects.select_for_update(no_key=True).only("pk").get(pk=member.pk)
    if Wish.objects.unfinished_claims_of(member).count() >= settings.WISH_MAX_OPEN_CLAIMS:
        raise _claim_limit_error()
    locked = Wish.objects.select_for_update().get(pk=wish.pk)
    if locked.status == WishStatus.CLAIMED:
        raise ConflictError(_("该心愿已被其他党员认领。"), code="already_claimed")
    _require_state(
        locked,
        [WishStatus.OPEN],
        message=_("心愿当前状态为“%(status)s”，不能认领。") % {"status": locked.get_status_display()},
    )
    if locked.submitted_by_id == member.pk:
        raise ApplicationError(_("不能认领自己提交的心愿。"))
    if locked.in_team_window() and not locked.team.members.filter(pk=member.pk).exists():
        message = _("该心愿由“%(team)s”承接，%(time)s 前仅限团队成员认领。") % {
            "team": locked.team.name,
            "time": f"{timezone.localtime(locked.team_window_ends):%m-%d %H:%M}",
        }
        raise PermissionDenied(message)
    selectors.wish_require_move(member, locked, "claim")
    return locked


def _take_claim(locked: Wish, *, member: User, promised_date: datetime.date) -> None:
    locked.status, locked.claimed_by, locked.claimed_at = WishStatus.CLAIMED, member, clock.now()
    locked.promised_date = promised_date
    locked.save(update_fields=["status", "claimed_by", "claimed_at", "promised_date", "updated_at"])


@transaction.atomic
def wish_claim(*, actor: User, wish: Wish, promised_date: datetime.date | None = None) -> Wish:
    """open → claimed. Exactly one of any number of simultaneous claims (and accepted offers) wins
    (``_lock_for_claim``). An offer of the wish waiting for another member's answer lapses (派单: the
    member on the board was quicker; the offered member is told)."""
    require_role(actor, Role.PARTY_MEMBER)
    promised_date = _check_promise(promised_date)
    locked = _lock_for_claim(member=actor, wish=wish)
    _take_claim(locked, member=actor, promised_date=promised_date)
    audit_transition(
        actor=actor,
        verb="wish.claim",
        target=locked,
        before=WishStatus.OPEN,
        after=WishStatus.CLAIMED,
        note=CLAIM_NOTE(date=f"{promised_date:%Y-%m-%d}"),
        promised_date=promised_date.isoformat(),
    )
    _lapse_offers(locked, actor=actor, note=LAPSE_CLAIMED_NOTE(), why=LAPSE_CLAIMED_WHY())
    _tell_wisher(locked, "wish.claimed", CLAIMED_TITLE(title=locked.title))
    return locked


@transaction.atomic
def wish_release(*, actor: User, wish: Wish, reason: str) -> Wish:
    """claimed → open, by the claimer (or an admin), with a reason."""
    reason = inputs.WISH_RELEASE["reason"].clean(reason, "reason")
    locked = _lock(wish, WISH_MOVES.sources("release"))
    if not (locked.claimed_by_id == actor.pk or is_admin(actor)):
        raise PermissionDenied(_("只有认领人可以释放该心愿。"))
    selectors.wish_require_move(actor, locked, "release")
    locked.status, locked.claimed_by, locked.claimed_at, locked.promised_date = (
        WishStatus.OPEN,
        None,
        None,
        None,
    )
    locked.opened_at = clock.now()
    locked.save(
        update_fields=["status", "claimed_by", "claimed_at", "promised_date", "opened_at", "updated_at"]
    )
    audit_transition(
        actor=actor,
        verb="wish.release",
        target=locked,
        before=WishStatus.CLAIMED,
        after=WishStatus.OPEN,
        note=reason,
    )
    return locked


@transaction.atomic
def wish_fulfil(*, actor: User, wish: Wish, note: str, photos: Iterable = ()) -> Wish:
    """claimed → fulfilled, by the claimer, with a note and optional photos; waits for the follow-up."""
    note = inputs.WISH_FULFIL["note"].clean(note, "note")
    locked = _lock(wish, WISH_MOVES.sources("fulfil"))
    if locked.claimed_by_id != actor.pk:
        raise PermissionDenied(_("只有认领人可以登记完成。"))
    selectors.wish_require_move(actor, locked, "fulfil")
    locked.status, locked.fulfil_note, locked.fulfilled_at = WishStatus.FULFILLED, note, clock.now()
    locked.save(update_fields=["status", "fulfil_note", "fulfilled_at", "updated_at"])
    _save_photos(locked, photos, PhotoKind.FULFILMENT, actor)
    audit_transition(
        actor=actor,
        verb="wish.fulfil",
        target=locked,
        before=WishStatus.CLAIMED,
        after=WishStatus.FULFILLED,
        note=note[:200],
    )
    _tell_wisher(locked, "wish.fulfilled", FULFILLED_TITLE(title=locked.title))
    return locked


# --- dispatch (派单): staff arrange a member for an open wish ------------------------------------------
# An offer goes to one party member of the wish's town at a time (``DispatchOffer``'s constraint); the
# member accepts it (a claim under every claim rule: ``_lock_for_claim``) or declines it with a reason (the
# wish is back in the dispatch queue); staff may withdraw it. While it waits, the wish stays open on the
# board: anybody may still claim it there, and the offer then lapses (``_lapse_offers``), as it does when
# the wish is withdrawn. Locks, always in this order: the member's user row, the wish, the offer.


def _offer_event(*, actor, verb: str, offer: DispatchOffer, before: str, note: str = "") -> None:
    audit_transition(
        actor=actor,
        verb=verb,
        target=offer,
        before=before,
        after=offer.status,
        note=note,
        member=offer.member_id,
    )


def _lock_offer(offer: DispatchOffer) -> DispatchOffer:
    """The offer's row, locked after its wish's (the lock order of every dispatch service)."""
    Wish.objects.select_for_update().only("pk").get(pk=offer.wish_id)
    return DispatchOffer.objects.select_for_update().select_related("wish", "member").get(pk=offer.pk)


def _offer_url() -> str:
    return reverse("wishes:offers")


@transaction.atomic
def wish_dispatch(*, actor: User, wish: Wish, member: User, note: str = "") -> DispatchOffer:
    """派单: staff of the wish's community (or an admin) offer the open ``wish`` to ``member``, a party
    member who reports to a community of its town, is not the wisher and is under the claim limit. One
    offer waits at a time (ConflictError while one does; withdraw it first). The member is notified."""
    locked = lock_editable(Wish.objects, actor, pk=wish.pk, message=_("只有本社区工作人员可以派单。"))
    note = inputs.WISH_DISPATCH["note"].clean(note, "note")
    _require_state(
        locked,
        [WishStatus.OPEN],
        message=_("心愿当前状态为“%(status)s”，不能派单。") % {"status": locked.get_status_display()},
    )
    if selectors.has_pending_offer(locked):
        raise ConflictError(_("该心愿已派单，正在等待党员答复；如需改派，请先撤回。"), code="offer_pending")
    if (
        not isinstance(member, User)
        or not selectors.dispatchable_members(locked).filter(pk=member.pk).exists()
    ):
        raise field_error("member", _("只能派给在本镇（街道）社区报到的党员。"))
    if locked.submitted_by_id == member.pk:
        raise field_error("member", _("不能把心愿派给心愿人自己。"))
    if Wish.objects.unfinished_claims_of(member).count() >= settings.WISH_MAX_OPEN_CLAIMS:
        raise field_error(
            "member",
            _("该党员已有 %(limit)s 个未完成的认领，请另选党员。") % {"limit": settings.WISH_MAX_OPEN_CLAIMS},
        )
    selectors.wish_require_move(actor, locked, "dispatch")
    try:
        with transaction.atomic():
            offer = DispatchOffer.objects.create(wish=locked, member=member, offered_by=actor, note=note)
    except IntegrityError as error:  # the constraint: another offer of this wish was made at once
        raise ConflictError(
            _("该心愿已派单，正在等待党员答复；如需改派，请先撤回。"), code="offer_pending"
        ) from error
    audit_record(
        actor=actor,
        verb="wish.dispatch",
        target=offer,
        after={"status": offer.status, "member": member.pk},
        note=DISPATCH_NOTE_WITH(member=member.display_name, note=note)
        if note
        else DISPATCH_NOTE(member=member.display_name),
    )
    notify(
        recipients=[member],
        reason="wish.dispatched",
        title=OFFER_MADE_TITLE(title=locked.title),
        body=note,
        url=_offer_url(),
        target=offer,
    )
    return offer


@transaction.atomic
def offer_accept(
    *, actor: User, offer: DispatchOffer, promised_date: datetime.date | None = None
) -> DispatchOffer:
    """pending → accepted, by the member it is offered to: the wish is claimed by them, under every claim
    rule (``_lock_for_claim``: claim limit, not their own wish, still open). Exactly one of an acceptance
    and any simultaneous self-claims or acceptances wins."""
    require_role(actor, Role.PARTY_MEMBER)
    promised_date = _check_promise(promised_date)
    if offer.member_id != actor.pk:
        raise PermissionDenied(_("只有被派单的党员可以接单。"))
    locked_wish = _lock_for_claim(member=actor, wish=Wish(pk=offer.wish_id))
    locked = DispatchOffer.objects.select_for_update().select_related("wish", "member").get(pk=offer.pk)
    locked.wish = locked_wish
    selectors.offer_require_move(actor, locked, "accept", refusals={"under_claim_limit": _claim_limit_error})
    _take_claim(locked_wish, member=actor, promised_date=promised_date)
    locked.status, locked.answered_at = OfferStatus.ACCEPTED, clock.now()
    locked.save(update_fields=["status", "answered_at"])
    audit_transition(
        actor=actor,
        verb="wish.dispatch_accept",
        target=locked_wish,
        before=WishStatus.OPEN,
        after=WishStatus.CLAIMED,
        note=DISPATCH_ACCEPT_NOTE(date=f"{promised_date:%Y-%m-%d}"),
        promised_date=promised_date.isoformat(),
    )
    _tell_wisher(locked_wish, "wish.claimed", CLAIMED_TITLE(title=locked_wish.title))
    return locked


@transaction.atomic
def offer_decline(*, actor: User, offer: DispatchOffer, reason: str) -> DispatchOffer:
    """pending → declined, by the member it is offered to, with a reason: the wish is back in the dispatch
    queue, and whoever dispatched it is told why."""
    reason = inputs.OFFER_DECLINE["reason"].clean(reason, "reason")
    locked = _lock_offer(offer)
    if locked.member_id != actor.pk:
        raise PermissionDenied(_("只有被派单的党员可以答复。"))
    selectors.offer_require_move(actor, locked, "decline")
    locked.status, locked.reason, locked.answered_at = OfferStatus.DECLINED, reason, clock.now()
    locked.save(update_fields=["status", "reason", "answered_at"])
    _offer_event(
        actor=actor, verb="wish.dispatch_decline", offer=locked, before=OfferStatus.PENDING, note=reason
    )
    notify(
        recipients=[locked.offered_by],
        reason="wish.dispatch_declined",
        title=OFFER_DECLINED_TITLE(member=locked.member.display_name, title=locked.wish.title),
        body=reason,
        url=reverse("wishes:dispatch", kwargs={"code": locked.wish.code}),
        target=locked,
    )
    return locked


@transaction.atomic
def offer_withdraw(*, actor: User, offer: DispatchOffer, reason: str = "") -> DispatchOffer:
    """pending → withdrawn, by staff of the wish's community (or an admin): to offer the wish to somebody
    else. The member is told."""
    reason = inputs.OFFER_WITHDRAW["reason"].clean(reason, "reason")
    locked = _lock_offer(offer)
    if not DispatchOffer.objects.editable_by(actor).filter(pk=locked.pk).exists():
        raise PermissionDenied(_("只有本社区工作人员可以撤回派单。"))
    selectors.offer_require_move(actor, locked, "withdraw")
    locked.status, locked.reason, locked.answered_at = OfferStatus.WITHDRAWN, reason, clock.now()
    locked.save(update_fields=["status", "reason", "answered_at"])
    _offer_event(
        actor=actor, verb="wish.dispatch_withdraw", offer=locked, before=OfferStatus.PENDING, note=reason
    )
    notify(
        recipients=[locked.member],
        reason="wish.dispatch_withdrawn",
        title=OFFER_WITHDRAWN_TITLE(title=locked.wish.title),
        body=reason,
        url=_offer_url(),
        target=locked,
    )
    return locked


def _lapse_offers(locked: Wish, *, actor, note: str, why: str) -> None:
    """The offers of ``locked`` (locked by the caller) still waiting lapse: somebody claimed the wish, or it
    was withdrawn. Each member is told."""
    for offer in DispatchOffer.objects.select_for_update().filter(wish=locked, status=OfferStatus.PENDING):
        offer.status, offer.answered_at = OfferStatus.LAPSED, clock.now()
        offer.save(update_fields=["status", "answered_at"])
        offer.wish = locked
        _offer_event(
            actor=actor, verb="wish.dispatch_lapse", offer=offer, before=OfferStatus.PENDING, note=note
        )
        notify(
            recipients=[offer.member],
            reason="wish.dispatch_lapsed",
            title=OFFER_LAPSED_TITLE(title=locked.title),
            body=why,
            url=_offer_url(),
            target=offer,
        )


# --- follow-up and withdrawal --------------------------------------------------------------------------
@transaction.atomic
def wish_feedback(
    *, actor: User | AnonymousUser, wish: Wish, satisfaction: str, comment: str = "", query_code: str = ""
) -> Wish:
    """fulfilled → closed (满意, 基本满意) or → open again, flagged ``reopened`` (不满意), for the community
    to hand to another member. The wisher (account or query code) or community staff (by phone) record it."""
    if satisfaction not in Satisfaction.values:
        raise field_error("satisfaction", _("请选择满意程度。"))
    comment = inputs.WISH_FEEDBACK["comment"].clean(comment, "comment")
    locked = _lock(wish, WISH_MOVES.sources("feedback"))
    claimer = locked.claimed_by
    if _acting_for_wisher(actor, locked, query_code, message=_("只有心愿人或本社区工作人员可以回访。")):
        channel, label = FeedbackChannel.ONLINE, _wisher_label(actor, locked)
    else:
        channel, label = FeedbackChannel.PHONE, ""
    selectors.wish_require_move(actor, locked, "feedback", query_code=query_code)
    now = clock.now()
    locked.satisfaction, locked.feedback_comment, locked.feedback_channel = satisfaction, comment, channel
    locked.feedback_at = now
    fields = ["satisfaction", "feedback_comment", "feedback_channel", "feedback_at", "status", "updated_at"]
    note = feedback_note(satisfaction, channel, comment)
    if satisfaction == Satisfaction.UNSATISFIED:
        locked.status, locked.reopened, locked.reopen_count = WishStatus.OPEN, True, locked.reopen_count + 1
        locked.claimed_by, locked.claimed_at, locked.promised_date, locked.opened_at = None, None, None, now
        fields += ["reopened", "reopen_count", "claimed_by", "claimed_at", "promised_date", "opened_at"]
        verb = "wish.reopen"
    else:
        locked.status, locked.closed_at = WishStatus.CLOSED, now
        fields += ["closed_at"]
        verb = "wish.feedback"
    locked.save(update_fields=fields)
    audit_transition(
        actor=actor,
        verb=verb,
        target=locked,
        before=WishStatus.FULFILLED,
        after=locked.status,
        note=note[:300],
        label=label,
        satisfaction=satisfaction,
    )
    if verb == "wish.reopen":
        notify(
            recipients=[claimer],
            reason="wish.reopened",
            title=REOPENED_TITLE(title=locked.title),
            body=comment,
            url=_wish_url(locked),
            target=locked,
            period=str(locked.reopen_count),
        )
    return locked


@transaction.atomic
def wish_withdraw(*, actor: User | AnonymousUser, wish: Wish, reason: str = "", query_code: str = "") -> Wish:
    """submitted/open/claimed → withdrawn, by the wisher (account or query code) or staff of the community
    on the wisher's behalf (a phone call)."""
    reason = inputs.WISH_WITHDRAW["reason"].clean(reason, "reason")
    locked = _lock(wish, WISH_MOVES.sources("withdraw"))
    by_wisher = _acting_for_wisher(
        actor, locked, query_code, message=_("只有心愿人或本社区工作人员可以撤回心愿。")
    )
    selectors.wish_require_move(actor, locked, "withdraw", query_code=query_code)
    before = locked.status
    locked.status, locked.withdrawn_at = WishStatus.WITHDRAWN, clock.now()
    locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_transition(
        actor=actor,
        verb="wish.withdraw",
        target=locked,
        before=before,
        after=WishStatus.WITHDRAWN,
        note=reason,
        label=_wisher_label(actor, locked) if by_wisher else "",
    )
    _lapse_offers(locked, actor=actor, note=LAPSE_WITHDRAWN_NOTE(), why=LAPSE_WITHDRAWN_WHY())
    return locked


def feedback_note(satisfaction: str, channel: str, comment: str) -> str:
    """The note of a follow-up: how satisfied, by which channel, and what the wisher said."""
    labels = {"satisfaction": Satisfaction(satisfaction).label, "channel": FeedbackChannel(channel).label}
    return FEEDBACK_COMMENT_NOTE(**labels, comment=comment) if comment else FEEDBACK_NOTE(**labels)


# --- notifications ------------------------------------------------------------------------------------
def _wish_url(wish: Wish) -> str:
    return reverse("wishes:detail", kwargs={"code": wish.code})


def _tell_wisher(wish: Wish, reason: str, title: str) -> None:
    """A wisher who submitted with their account hears of each claim and fulfilment (once per event)."""
    if wish.submitted_by_id is None:
        return
    moment = wish.fulfilled_at if reason == "wish.fulfilled" else wish.claimed_at
    notify(
        recipients=[wish.submitted_by],
        reason=reason,
        title=title,
        url=_wish_url(wish),
        target=wish,
        period=moment.isoformat() if moment else "",
    )


def wish_remind_overdue_claims(*, today: datetime.date | None = None) -> int:
    """Tell each member whose claim is past its promised date (the daily task), once per claim and promised
    date. Returns how many were told."""
    today = today or clock.localdate()
    told = 0
    for wish in selectors.overdue_claims(today=today):
        with transaction.atomic():
            told += len(
                notify(
                    recipients=[wish.claimed_by],
                    reason="wish.claim_overdue",
                    title=CLAIM_OVERDUE_TITLE(title=wish.title, date=f"{wish.promised_date:%Y-%m-%d}"),
                    body=in_site_language(CLAIM_OVERDUE_BODY),
                    url=_wish_url(wish),
                    target=wish,
                    period=wish.promised_date.isoformat(),
                )
            )
    return told


# --- PIPL: contact details not kept forever ---------------------------------------------------------------

# The states a wish ends in, with the moment it entered them: its contact details are erased
# WISH_CONTACT_RETENTION_DAYS later.
ENDED = {
    WishStatus.CLOSED: "closed_at",
    WishStatus.WITHDRAWN: "withdrawn_at",
    WishStatus.REJECTED: "reviewed_at",
}


def wishes_past_retention(now: datetime.datetime):
    """Ended wishes whose contact details are still whole, WISH_CONTACT_RETENTION_DAYS after they ended."""
    limit = now - datetime.timedelta(days=settings.WISH_CONTACT_RETENTION_DAYS)
    ended = Q()
    for status, moment in ENDED.items():
        ended |= Q(status=status, **{f"{moment}__lte": limit})
    return Wish.objects.filter(ended, contact_erased_at__isnull=True)


@transaction.atomic
def wish_erase_contact(*, wish: Wish, actor=None, reason: str = "retention") -> bool:
    """Erase the wisher's name, phone and address, keeping them masked (so lists and history read as
    before). The phone's blind index stays (staff can still tell a returning phone), the full values are
    gone. ``actor`` None: the retention task. Returns whether anything was erased (idempotent)."""
    locked = Wish.objects.select_for_update().get(pk=wish.pk)
    if locked.contact_erased_at is not None:
        return False
    locked.wisher_name = mask_name(locked.wisher_name)
    locked.wisher_phone = mask_phone(locked.wisher_phone)
    locked.wisher_address = mask_address(locked.wisher_address)
    locked.contact_erased_at = clock.now()
    # Not ``wisher_phone_index``: the index of the whole number is kept.
    locked.save(update_fields=["wisher_name", "wisher_phone", "wisher_address", "contact_erased_at"])
    audit_record(
        actor=actor,
        verb="wish.contact_erase",
        target=locked,
        after={"fields": list(selectors.PERSONAL_FIELDS), "reason": reason},
        label="" if actor is not None else "retention",
    )
    return True


def wishes_erase_expired(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The retention task's step: erase up to ``limit`` wishes past retention; returns how many."""
    ids = list(wishes_past_retention(now or clock.now()).order_by("id").values_list("id", flat=True)[:limit])
    return sum(wish_erase_contact(wish=Wish(pk=pk)) for pk in ids)


# --- seasonal campaigns ----------------------------------------------------------------------------------
# A wish rejected or withdrawn was never done: it is not counted in a campaign.
UNTAGGABLE_STATUSES = (WishStatus.REJECTED, WishStatus.WITHDRAWN)


@transaction.atomic
def wish_tag_campaign(*, actor: User, wish: Wish, campaign: Campaign | None = None) -> Wish:
    """The staff of the wish's community file it under a seasonal campaign (四季活动: a warm quilt under
    冬送温暖), or take it out of one (``campaign=None``). Another community's staff: PermissionDenied."""
    require_role(actor, Role.COMMUNITY_STAFF)
    locked = lock_editable(
        Wish.objects, actor, pk=wish.pk, message=_("只有本社区工作人员可以把心愿归入四季活动。")
    )
    if campaign is not None and not isinstance(campaign, Campaign):
        raise field_error("campaign", _("请选择四季活动。"))
    if campaign is not None and locked.status in UNTAGGABLE_STATUSES:
        raise ConflictError(
            _("“%(status)s”的心愿不能归入四季活动。") % {"status": locked.get_status_display()},
            code="illegal_transition",
        )
    before = locked.campaign_id
    after = campaign.pk if campaign is not None else None
    if before == after:
        return locked
    locked.campaign = campaign
    locked.save(update_fields=["campaign", "updated_at"])
    audit_record(
        actor=actor,
        verb="wish.campaign",
        target=locked,
        before={"campaign": before},
        after={"campaign": after},
        note=campaign.name if campaign is not None else _("移出四季活动"),
    )
    return locked
