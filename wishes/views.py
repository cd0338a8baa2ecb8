"""Pages of the wish board. Thin: forms validate, services write, selectors read."""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Community
from jiangyan.exceptions import ApplicationError, add_error_to_form
from jiangyan.permissions import role_required
from jiangyan.roles import Role, has_role
from jiangyan.throttling import submit_limiter

from . import selectors, services
from .choices import RESIDENT_CHANNELS, WITHDRAWABLE_STATUSES, PhotoKind, WishChannel, WishStatus
from .filtersets import WishFilterSet
from .forms import (
    ClaimForm,
    FeedbackForm,
    FulfilForm,
    ReasonForm,
    TrackForm,
    WishEntryForm,
    WishSubmitForm,
    WithdrawForm,
)
from .models import Wish
from .throttling import track_limiter

PAGE_SIZE = 20
SESSION_SUBMITTED = "wishes_submitted"
SESSION_TRACKED = "wishes_tracked_code"


# --- board and detail ----------------------------------------------------------------------------------
def board(request):
    """Open wishes by default (``?status=`` shows every visible state), masked, own community first."""
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = WishStatus.OPEN
    filterset = WishFilterSet(data, queryset=selectors.wish_list(user=request.user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "wishes/board.html", {"filter": filterset, "page_obj": page, "wishes": page.object_list}
    )


def _detail_context(request, wish: Wish, *, reveal: bool) -> dict:
    user = request.user
    signed_in = user.is_authenticated
    is_claimer = signed_in and wish.claimed_by_id == user.pk
    is_staff = services.is_community_staff_of(user, wish.community_id)
    is_wisher = signed_in and wish.submitted_by_id == user.pk
    photos = list(wish.photos.all())
    return {
        "wish": wish,
        "reveal": reveal,
        "events": selectors.wish_history(wish),
        "views_log": selectors.wish_views_log(wish) if is_staff else None,
        "fulfilment_photos": [p for p in photos if p.kind == PhotoKind.FULFILMENT],
        "submission_photos": [p for p in photos if p.kind == PhotoKind.SUBMISSION] if reveal else [],
        "can_claim": wish.status == WishStatus.OPEN and has_role(user, Role.PARTY_MEMBER) and not is_wisher,
        "is_claimer_active": is_claimer and wish.status == WishStatus.CLAIMED,
        "can_review": is_staff and wish.status == WishStatus.SUBMITTED,
        "can_feedback": wish.status == WishStatus.FULFILLED and (is_staff or is_wisher),
        "can_withdraw": wish.status in WITHDRAWABLE_STATUSES and (is_staff or is_wisher),
        "claim_form": ClaimForm(),
        "release_form": ReasonForm(prefix="release"),
        "reject_form": ReasonForm(prefix="reject"),
        "fulfil_form": FulfilForm(),
        "feedback_form": FeedbackForm(),
        "withdraw_form": WithdrawForm(),
    }


def detail(request, code: str):
    wish = get_object_or_404(
        Wish.objects.visible_to(request.user).select_related("community__town", "claimed_by"), code=code
    )
    reveal = selectors.reveal_personal_data(request.user, wish)
    return render(request, "wishes/detail.html", _detail_context(request, wish, reveal=reveal))


@require_POST
@login_required
def action(request, code: str, name: str):
    """One POST endpoint per transition; each calls its service and comes back to the wish page."""
    wish = get_object_or_404(Wish.objects.visible_to(request.user), code=code)
    user = request.user
    forms_by_action = {
        "claim": lambda: ClaimForm(request.POST),
        "release": lambda: ReasonForm(request.POST, prefix="release"),
        "reject": lambda: ReasonForm(request.POST, prefix="reject"),
        "fulfil": lambda: FulfilForm(request.POST, request.FILES),
        "feedback": lambda: FeedbackForm(request.POST),
        "withdraw": lambda: WithdrawForm(request.POST),
        "approve": lambda: None,
    }
    if name not in forms_by_action:
        raise Http404
    form = forms_by_action[name]()
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("wishes:detail", code=code)
    data = form.cleaned_data if form is not None else {}
    try:
        if name == "claim":
            services.wish_claim(wish=wish, member=user, promised_date=data["promised_date"])
            messages.success(request, _("认领成功，请在承诺日期前完成。联系方式已向您显示。"))
        elif name == "release":
            services.wish_release(wish=wish, member=user, reason=data["reason"])
            messages.success(request, _("已释放认领，心愿回到待认领。"))
        elif name == "fulfil":
            services.wish_fulfil(wish=wish, member=user, note=data["note"], photos=data["photos"])
            messages.success(request, _("已登记完成，等待回访。"))
        elif name == "approve":
            services.wish_approve(wish=wish, staff=user)
            messages.success(request, _("审核通过，心愿已上墙待认领。"))
        elif name == "reject":
            services.wish_reject(wish=wish, staff=user, reason=data["reason"])
            messages.success(request, _("已退回该心愿。"))
        elif name == "feedback":
            services.wish_feedback(
                wish=wish, user=user, satisfaction=data["satisfaction"], comment=data["comment"]
            )
            messages.success(request, _("回访已记录。"))
        elif name == "withdraw":
            services.wish_withdraw(wish=wish, user=user, reason=data["reason"])
            messages.success(request, _("心愿已撤回。"))
    except ApplicationError as error:
        messages.error(request, error.message)
    next_url = request.POST.get("next", "")
    if next_url == "manage":
        return redirect("wishes:manage")
    return redirect("wishes:detail", code=code)


# --- submission and tracking ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def new(request):
    """One form screen, then the confirmation with the query code. ``?community=<id>&channel=card`` comes
    from the QR code of a paper wish card."""
    initial = {"channel": WishChannel.ONLINE}
    if request.GET.get("channel") in RESIDENT_CHANNELS:
        initial["channel"] = request.GET["channel"]
    community_id = request.GET.get("community", "")
    if community_id.isdigit():
        initial["community"] = int(community_id)
    user = request.user
    if user.is_authenticated:
        initial.setdefault("community", user.community_id)
        initial.update(wisher_name=user.real_name, wisher_phone=user.phone or "")
    form = WishSubmitForm(request.POST or None, request.FILES or None, initial=initial)
    limited = False
    if request.method == "POST":
        if submit_limiter.exceeded(request):
            limited = True
            form.add_error(None, _("提交过于频繁，请稍后再试，或拨打社区心愿征集热线。"))
        else:
            submit_limiter.hit(request)
            if form.is_valid():
                try:
                    wish = services.wish_submit(user=user, **form.cleaned_data)
                except ApplicationError as error:
                    add_error_to_form(form, error)
                else:
                    request.session[SESSION_SUBMITTED] = {"code": wish.code, "query_code": wish.query_code}
                    request.session[SESSION_TRACKED] = wish.query_code
                    return redirect("wishes:submitted")
    return render(request, "wishes/new.html", {"form": form}, status=429 if limited else 200)


def submitted(request):
    info = request.session.get(SESSION_SUBMITTED)
    if not info:
        return redirect("wishes:new")
    wish = Wish.objects.select_related("community__town").filter(code=info["code"]).first()
    if wish is None:
        return redirect("wishes:new")
    return render(request, "wishes/submitted.html", {"wish": wish, "query_code": info["query_code"]})


@require_http_methods(["GET", "POST"])
def track(request):
    """The wisher follows a wish by query code; once proved, the code stays in the session so they can
    give the follow-up rating or withdraw. Failed guesses are limited per client."""
    code = request.session.get(SESSION_TRACKED, "")
    form = TrackForm()
    status = 200
    if request.method == "POST":
        what = request.POST.get("action", "lookup")
        if what == "forget":
            request.session.pop(SESSION_TRACKED, None)
            return redirect("wishes:track")
        if what == "lookup":
            form = TrackForm(request.POST)
            if track_limiter.exceeded(request):
                form.add_error(None, _("查询失败次数过多，请一小时后再试。"))
                return render(request, "wishes/track.html", {"form": form}, status=429)
            if form.is_valid() and selectors.wish_get_by_query_code(form.cleaned_data["query_code"]):
                request.session[SESSION_TRACKED] = form.cleaned_data["query_code"]
                return redirect("wishes:track")
            if form.is_valid():
                track_limiter.hit(request)
                form.add_error("query_code", _("没有找到该查询码对应的心愿，请核对后再试。"))
            return render(request, "wishes/track.html", {"form": form}, status=200)
        wish = selectors.wish_get_by_query_code(code)
        if wish is None:
            return redirect("wishes:track")
        try:
            if what == "feedback":
                feedback = FeedbackForm(request.POST)
                if not feedback.is_valid():
                    raise ApplicationError(_("请选择满意程度。"))
                services.wish_feedback(wish=wish, user=request.user, query_code=code, **feedback.cleaned_data)
                messages.success(request, _("感谢您的评价！"))
            elif what == "withdraw":
                withdraw = WithdrawForm(request.POST)
                withdraw.is_valid()
                services.wish_withdraw(
                    wish=wish,
                    user=request.user,
                    query_code=code,
                    reason=withdraw.cleaned_data.get("reason", ""),
                )
                messages.success(request, _("心愿已撤回。"))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("wishes:track")
    wish = selectors.wish_get_by_query_code(code) if code else None
    context = {"form": form, "wish": wish}
    if wish is not None:
        context.update(
            events=selectors.wish_history(wish),
            feedback_form=FeedbackForm(),
            withdraw_form=WithdrawForm(),
            can_withdraw=wish.status in WITHDRAWABLE_STATUSES,
            fulfilment_photos=[p for p in wish.photos.all() if p.kind == PhotoKind.FULFILMENT],
        )
    return render(request, "wishes/track.html", context, status=status)


# --- people's own lists ---------------------------------------------------------------------------------
@login_required
def mine(request, section: str = "wishes"):
    user = request.user
    is_member = has_role(user, Role.PARTY_MEMBER)
    claims = list(selectors.my_claims(member=user)) if is_member else []
    return render(
        request,
        "wishes/mine.html",
        {
            "section": section,
            "is_member": is_member,
            "claims": claims,
            "open_claims": sum(1 for w in claims if w.status == WishStatus.CLAIMED),
            "own_wishes": selectors.my_wishes(user=user),
        },
    )


@role_required(Role.COMMUNITY_STAFF)
def manage(request):
    queues = selectors.manage_queues(user=request.user)
    return render(
        request,
        "wishes/manage.html",
        {
            "queues": {name: list(qs[:50]) for name, qs in queues.items()},
            "reject_form": ReasonForm(prefix="reject"),
            "community": request.user.community,
        },
    )


@role_required(Role.COMMUNITY_STAFF)
@require_http_methods(["GET", "POST"])
def manage_new(request):
    """Staff entry of wishes from cards, boxes, the hotline and visits, on the resident's behalf."""
    user = request.user
    communities = Community.objects.select_related("town")
    if not has_role(user, Role.ADMIN):
        communities = communities.filter(pk=user.community_id)
    form = WishEntryForm(
        request.POST or None,
        request.FILES or None,
        communities=communities,
        initial={"community": user.community_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            wish = services.wish_enter(staff=user, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            request.session[SESSION_SUBMITTED] = {"code": wish.code, "query_code": wish.query_code}
            messages.success(request, _("已登记，心愿已上墙待认领。请把查询码告知群众。"))
            return redirect("wishes:submitted")
    return render(request, "wishes/entry.html", {"form": form})


# --- paper channel and members' page -------------------------------------------------------------------
def card(request, community_id: int):
    """A printable A4 wish card whose QR code opens the form for this community and channel 心愿卡."""
    community = get_object_or_404(Community.objects.select_related("town"), pk=community_id)
    url = request.build_absolute_uri(
        f"{reverse('wishes:new')}?community={community.pk}&channel={WishChannel.CARD}"
    )
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return render(
        request,
        "wishes/card.html",
        {"community": community, "qr_svg": mark_safe(svg), "qr_url": url},  # noqa: S308 - our own SVG
    )


def members(request):
    page = Paginator(selectors.members_board(), 30).get_page(request.GET.get("page"))
    return render(
        request, "wishes/members.html", {"page_obj": page, "members": page.object_list, "now": timezone.now()}
    )
