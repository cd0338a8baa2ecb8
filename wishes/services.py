"""Every change of a wish's state (DESIGN §2.2). Each function checks the actor and the state, locks the
row, changes it with ``save(update_fields=...)`` and appends an audit event, all in one transaction.
Pages, the API and the demo call these; nothing else writes ``Wish.status``.

History notes never carry personal data: the wisher appears as 心愿人 / 查询码用户, never by name."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Community
from accounts.validators import validate_mobile
from jiangyan.audit import audit_record
from jiangyan.exceptions import ApplicationError, ConflictError
from jiangyan.roles import Role, has_role, is_admin, require_role

from .choices import (
    RESIDENT_CHANNELS,
    WITHDRAWABLE_STATUSES,
    FeedbackChannel,
    PhotoKind,
    Satisfaction,
    WishCategory,
    WishChannel,
    WishStatus,
)
from .models import QUERY_CODE_LENGTH, Wish, WishPhoto, random_code

ANONYMOUS_WISHER_LABEL = "查询码用户"
WISHER_LABEL = "心愿人"
MAX_PROMISE_DAYS = 60

_CLAIMED_BY_OTHER = "该心愿已被其他党员认领。"


# --- helpers -------------------------------------------------------------------------------------------
def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_community_staff_of(user, community_id: int) -> bool:
    """Staff of that community, or an admin."""
    if not _signed_in(user):
        return False
    return is_admin(user) or (has_role(user, Role.COMMUNITY_STAFF) and user.community_id == community_id)


def is_wisher(user, wish: Wish, query_code: str = "") -> bool:
    """The wisher proves who they are with their account or with the wish's query code."""
    if query_code and secrets_equal(query_code.strip().upper(), wish.query_code):
        return True
    return _signed_in(user) and wish.submitted_by_id == user.pk


def secrets_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def _wisher_label(user, wish: Wish) -> str:
    return WISHER_LABEL if _signed_in(user) and wish.submitted_by_id == user.pk else ANONYMOUS_WISHER_LABEL


def _lock(wish: Wish | int, allowed: Iterable[str], *, message: str | None = None) -> Wish:
    """Lock the wish's row and check that its state allows the transition; ConflictError otherwise."""
    pk = wish.pk if isinstance(wish, Wish) else wish
    locked = Wish.objects.select_for_update().get(pk=pk)
    if locked.status not in allowed:
        raise ConflictError(
            message or f"心愿当前状态为“{locked.get_status_display()}”，不能执行该操作。",
            code="illegal_transition",
        )
    return locked


def _text(value: str | None, field: str, label: str, *, required: bool = True, max_length: int = 0) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(f"请填写{label}。", fields={field: [f"请填写{label}。"]})
    if max_length and len(value) > max_length:
        raise ApplicationError(
            f"{label}不能超过 {max_length} 字。", fields={field: [f"{label}不能超过 {max_length} 字。"]}
        )
    return value


def _save_photos(wish: Wish, photos: Iterable, kind: str, user) -> None:
    uploader = user if _signed_in(user) else None
    for photo in photos or ():
        WishPhoto.objects.create(wish=wish, kind=kind, image=photo, uploaded_by=uploader)


# --- submission ----------------------------------------------------------------------------------------
def _validated_fields(
    *, community, title, text, category, wisher_name, wisher_phone, wisher_address, urgent
) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for field, label, value, required, max_length in (
        ("title", "心愿", title, True, 60),
        ("text", "详细说明", text, True, 1000),
        ("wisher_name", "姓名", wisher_name, True, 50),
        ("wisher_address", "地址", wisher_address, False, 200),
    ):
        try:
            cleaned[field] = _text(value, field, label, required=required, max_length=max_length)
        except ApplicationError as error:
            errors.update(error.fields)
    try:
        cleaned["wisher_phone"] = validate_mobile(wisher_phone)
    except DjangoValidationError as error:
        errors["wisher_phone"] = [str(m) for m in error.messages]
    if category not in WishCategory.values:
        errors["category"] = ["请选择心愿类别。"]
    if urgent and category != WishCategory.SUPPLIES:
        errors["urgent"] = ["“生活帮帮团急需”只用于生活物资类心愿。"]
    if not isinstance(community, Community):
        errors["community"] = ["请选择所在社区（村）。"]
    if errors:
        raise ApplicationError("提交的内容有误，请检查。", fields=errors)
    return {**cleaned, "category": category, "community": community, "urgent": bool(urgent)}


def _create(**fields) -> Wish:
    """Insert with fresh random codes; a (very unlikely) collision is retried, never a 500."""
    for _attempt in range(5):
        wish = Wish(
            code=f"WX{timezone.localdate():%y%m}{random_code(4)}",
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
    raise ApplicationError("系统繁忙，请稍后再试。")


@transaction.atomic
def wish_submit(
    *,
    user,
    community: Community | None,
    title: str,
    text: str,
    category: str,
    wisher_name: str,
    wisher_phone: str,
    wisher_address: str = "",
    channel: str = WishChannel.ONLINE,
    urgent: bool = False,
    photos: Iterable = (),
) -> Wish:
    """A resident submits a wish (anonymously or signed in). It waits for the community's review."""
    if channel not in RESIDENT_CHANNELS:
        raise ApplicationError("请选择有效的征集渠道。", fields={"channel": ["请选择有效的征集渠道。"]})
    fields = _validated_fields(
        community=community,
        title=title,
        text=text,
        category=category,
        wisher_name=wisher_name,
        wisher_phone=wisher_phone,
        wisher_address=wisher_address,
        urgent=urgent,
    )
    wish = _create(
        **fields,
        channel=channel,
        status=WishStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=user if _signed_in(user) else None,
    )
    _save_photos(wish, photos, PhotoKind.SUBMISSION, user)
    audit_record(
        actor=user,
        verb="wish.submit",
        target=wish,
        after={"status": WishStatus.SUBMITTED, "channel": channel},
        label=WISHER_LABEL if _signed_in(user) else ANONYMOUS_WISHER_LABEL,
    )
    return wish


@transaction.atomic
def wish_enter(
    *,
    staff,
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
    """Community staff enter a wish from a card, a box, the hotline or a visit; it is open at once."""
    require_role(staff, Role.COMMUNITY_STAFF)
    if channel not in WishChannel.values:
        raise ApplicationError("请选择征集渠道。", fields={"channel": ["请选择征集渠道。"]})
    fields = _validated_fields(
        community=community,
        title=title,
        text=text,
        category=category,
        wisher_name=wisher_name,
        wisher_phone=wisher_phone,
        wisher_address=wisher_address,
        urgent=urgent,
    )
    if not is_community_staff_of(staff, community.pk):
        raise PermissionDenied("只能为本社区群众登记心愿。")
    now = timezone.now()
    wish = _create(
        **fields,
        channel=channel,
        status=WishStatus.OPEN,
        submitted_at=now,
        reviewed_at=now,
        opened_at=now,
        entered_by=staff,
    )
    _save_photos(wish, photos, PhotoKind.SUBMISSION, staff)
    audit_record(
        actor=staff, verb="wish.enter", target=wish, after={"status": WishStatus.OPEN, "channel": channel}
    )
    return wish


# --- review --------------------------------------------------------------------------------------------
@transaction.atomic
def wish_approve(*, wish: Wish, staff) -> Wish:
    """submitted → open, by staff of the wish's community."""
    if not is_community_staff_of(staff, wish.community_id):
        raise PermissionDenied("只有本社区工作人员可以审核。")
    wish = _lock(wish, [WishStatus.SUBMITTED])
    now = timezone.now()
    wish.status, wish.reviewed_at, wish.opened_at = WishStatus.OPEN, now, now
    wish.save(update_fields=["status", "reviewed_at", "opened_at", "updated_at"])
    audit_record(
        actor=staff,
        verb="wish.approve",
        target=wish,
        before={"status": WishStatus.SUBMITTED},
        after={"status": WishStatus.OPEN},
    )
    return wish


@transaction.atomic
def wish_reject(*, wish: Wish, staff, reason: str) -> Wish:
    """submitted → rejected, with a reason the wisher sees when tracking."""
    if not is_community_staff_of(staff, wish.community_id):
        raise PermissionDenied("只有本社区工作人员可以审核。")
    reason = _text(reason, "reason", "未通过原因", max_length=200)
    wish = _lock(wish, [WishStatus.SUBMITTED])
    wish.status, wish.reject_reason, wish.reviewed_at = WishStatus.REJECTED, reason, timezone.now()
    wish.save(update_fields=["status", "reject_reason", "reviewed_at", "updated_at"])
    audit_record(
        actor=staff,
        verb="wish.reject",
        target=wish,
        before={"status": WishStatus.SUBMITTED},
        after={"status": WishStatus.REJECTED},
        note=reason,
    )
    return wish


# --- claiming ------------------------------------------------------------------------------------------
def default_promised_date() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=settings.WISH_DEFAULT_PROMISE_DAYS)


@transaction.atomic
def wish_claim(*, wish: Wish | int, member, promised_date: datetime.date | None = None) -> Wish:
    """open → claimed. Exactly one of any number of simultaneous claims wins: the member's user row is
    locked first (so their count of unfinished claims cannot race past the limit), then the wish's row;
    whoever finds it no longer open gets ConflictError."""
    require_role(member, Role.PARTY_MEMBER)
    today = timezone.localdate()
    promised_date = promised_date or default_promised_date()
    if promised_date < today or promised_date > today + datetime.timedelta(days=MAX_PROMISE_DAYS):
        message = f"承诺完成日期应在今天到 {MAX_PROMISE_DAYS} 天之内。"
        raise ApplicationError(message, fields={"promised_date": [message]})
    get_user_model().objects.select_for_update().only("pk").get(pk=member.pk)
    limit = settings.WISH_MAX_OPEN_CLAIMS
    if Wish.objects.unfinished_claims_of(member).count() >= limit:
        raise ConflictError(f"您已有 {limit} 个未完成的认领，请先完成或释放后再认领。", code="claim_limit")
    pk = wish.pk if isinstance(wish, Wish) else wish
    locked = Wish.objects.select_for_update().get(pk=pk)
    if locked.status == WishStatus.CLAIMED:
        raise ConflictError(_CLAIMED_BY_OTHER, code="already_claimed")
    if locked.status != WishStatus.OPEN:
        raise ConflictError(
            f"心愿当前状态为“{locked.get_status_display()}”，不能认领。", code="illegal_transition"
        )
    if locked.submitted_by_id == member.pk:
        raise ApplicationError("不能认领自己提交的心愿。")
    locked.status, locked.claimed_by, locked.claimed_at = WishStatus.CLAIMED, member, timezone.now()
    locked.promised_date = promised_date
    locked.save(update_fields=["status", "claimed_by", "claimed_at", "promised_date", "updated_at"])
    audit_record(
        actor=member,
        verb="wish.claim",
        target=locked,
        before={"status": WishStatus.OPEN},
        after={"status": WishStatus.CLAIMED, "promised_date": promised_date.isoformat()},
        note=f"承诺 {promised_date:%Y-%m-%d} 前完成",
    )
    return locked


@transaction.atomic
def wish_release(*, wish: Wish, member, reason: str) -> Wish:
    """claimed → open, by the claimer (or an admin), with a reason."""
    reason = _text(reason, "reason", "释放原因", max_length=200)
    locked = _lock(wish, [WishStatus.CLAIMED])
    if not (_signed_in(member) and (locked.claimed_by_id == member.pk or is_admin(member))):
        raise PermissionDenied("只有认领人可以释放该心愿。")
    now = timezone.now()
    locked.status, locked.claimed_by, locked.claimed_at, locked.promised_date = (
        WishStatus.OPEN,
        None,
        None,
        None,
    )
    locked.opened_at = now
    locked.save(
        update_fields=["status", "claimed_by", "claimed_at", "promised_date", "opened_at", "updated_at"]
    )
    audit_record(
        actor=member,
        verb="wish.release",
        target=locked,
        before={"status": WishStatus.CLAIMED},
        after={"status": WishStatus.OPEN},
        note=reason,
    )
    return locked


@transaction.atomic
def wish_fulfil(*, wish: Wish, member, note: str, photos: Iterable = ()) -> Wish:
    """claimed → fulfilled, by the claimer, with a note and optional photos; waits for the follow-up."""
    note = _text(note, "note", "完成情况", max_length=1000)
    locked = _lock(wish, [WishStatus.CLAIMED])
    if not (_signed_in(member) and locked.claimed_by_id == member.pk):
        raise PermissionDenied("只有认领人可以登记完成。")
    locked.status, locked.fulfil_note, locked.fulfilled_at = WishStatus.FULFILLED, note, timezone.now()
    locked.save(update_fields=["status", "fulfil_note", "fulfilled_at", "updated_at"])
    _save_photos(locked, photos, PhotoKind.FULFILMENT, member)
    audit_record(
        actor=member,
        verb="wish.fulfil",
        target=locked,
        before={"status": WishStatus.CLAIMED},
        after={"status": WishStatus.FULFILLED},
        note=note[:200],
    )
    return locked


# --- follow-up and withdrawal --------------------------------------------------------------------------
@transaction.atomic
def wish_feedback(*, wish: Wish, user, satisfaction: str, comment: str = "", query_code: str = "") -> Wish:
    """fulfilled → closed (满意, 基本满意) or → open again, flagged ``reopened`` (不满意), for the community
    to hand to another member. The wisher (account or query code) or community staff (by phone) record it."""
    if satisfaction not in Satisfaction.values:
        raise ApplicationError("请选择满意程度。", fields={"satisfaction": ["请选择满意程度。"]})
    comment = _text(comment, "comment", "回访意见", required=False, max_length=500)
    locked = _lock(wish, [WishStatus.FULFILLED])
    if is_wisher(user, locked, query_code):
        channel, label = FeedbackChannel.ONLINE, _wisher_label(user, locked)
    elif is_community_staff_of(user, locked.community_id):
        channel, label = FeedbackChannel.PHONE, ""
    else:
        raise PermissionDenied("只有心愿人或本社区工作人员可以回访。")
    now = timezone.now()
    locked.satisfaction, locked.feedback_comment, locked.feedback_channel = satisfaction, comment, channel
    locked.feedback_at = now
    fields = ["satisfaction", "feedback_comment", "feedback_channel", "feedback_at", "status", "updated_at"]
    note = f"{Satisfaction(satisfaction).label}（{FeedbackChannel(channel).label}）" + (
        f"：{comment}" if comment else ""
    )
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
    audit_record(
        actor=user,
        verb=verb,
        target=locked,
        before={"status": WishStatus.FULFILLED},
        after={"status": locked.status, "satisfaction": satisfaction},
        note=note[:300],
        label=label,
    )
    return locked


@transaction.atomic
def wish_withdraw(*, wish: Wish, user, reason: str = "", query_code: str = "") -> Wish:
    """submitted/open/claimed → withdrawn, by the wisher (account or query code) or staff of the community
    on the wisher's behalf (a phone call)."""
    reason = _text(reason, "reason", "撤回原因", required=False, max_length=200)
    locked = _lock(wish, WITHDRAWABLE_STATUSES)
    if is_wisher(user, locked, query_code):
        label = _wisher_label(user, locked)
    elif is_community_staff_of(user, locked.community_id):
        label = ""
    else:
        raise PermissionDenied("只有心愿人或本社区工作人员可以撤回心愿。")
    before = locked.status
    locked.status, locked.withdrawn_at = WishStatus.WITHDRAWN, timezone.now()
    locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(
        actor=user,
        verb="wish.withdraw",
        target=locked,
        before={"status": before},
        after={"status": WishStatus.WITHDRAWN},
        note=reason,
        label=label,
    )
    return locked
