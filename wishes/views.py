"""Pages of the wish board. Thin: forms shape the input, services write (through
``jiangyan.core.forms.submit``), selectors read."""

from collections.abc import Callable
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Community
from jiangyan.core import fragments
from jiangyan.core.forms import submit, submit_outcome
from jiangyan.core.pagecache import cached_page
from jiangyan.core.pagination import list_page
from jiangyan.core.permissions import role_required
from jiangyan.core.roles import Role, has_role, is_admin
from jiangyan.core.scoping import get_editable_or_404, get_visible_or_404, own_share
from jiangyan.core.throttling import limited, submit_limiter

from . import selectors, services
from .choices import RESIDENT_CHANNELS, PhotoKind, WishChannel, WishStatus
from .filtersets import WishFilterSet
from .forms import (
    ApproveForm,
    CampaignTagForm,
    ClaimForm,
    DispatchForm,
    FeedbackForm,
    FulfilForm,
    HelpTeamForm,
    OfferAcceptForm,
    OfferDeclineForm,
    OfferWithdrawForm,
    RejectForm,
    ReleaseForm,
    TrackForm,
    WishEntryForm,
    WishSubmitForm,
    WithdrawForm,
    help_team_initial,
)
from .models import DispatchOffer, HelpTeam, Wish, handled_communities
from .throttling import track_limiter

SESSION_SUBMITTED = "wishes_submitted"
SESSION_TRACKED = "wishes_tracked_code"


@dataclass(frozen=True)
class WishAction:
    """A transition offered on the wish page: its form (``prefix`` when two forms share a field name),
    the service it calls with the form's data, and what the user is told when it is done."""

    form: type[forms.Form]
    service: Callable[..., Wish]
    success: str
    prefix: str | None = None

    def form_for(self, request=None) -> forms.Form:
        if request is None:
            return self.form(prefix=self.prefix)
        return self.form(request.POST, request.FILES, prefix=self.prefix)


ACTIONS = {
    "claim": WishAction(
        ClaimForm, services.wish_claim, gettext_lazy("认领成功，请在承诺日期前完成。联系方式已向您显示。")
    ),
    "release": WishAction(
        ReleaseForm, services.wish_release, gettext_lazy("已释放认领，心愿回到待认领。"), prefix="release"
    ),
    "fulfil": WishAction(FulfilForm, services.wish_fulfil, gettext_lazy("已登记完成，等待回访。")),
    "approve": WishAction(ApproveForm, services.wish_approve, gettext_lazy("审核通过，心愿已上墙待认领。")),
    "reject": WishAction(RejectForm, services.wish_reject, gettext_lazy("已退回该心愿。"), prefix="reject"),
    "feedback": WishAction(FeedbackForm, services.wish_feedback, gettext_lazy("回访已记录。")),
    "withdraw": WishAction(WithdrawForm, services.wish_withdraw, gettext_lazy("心愿已撤回。")),
    # Not a move of its state: the community's staff file the wish under a seasonal campaign (四季活动).
    "campaign": WishAction(
        CampaignTagForm,
        services.wish_tag_campaign,
        gettext_lazy("已更新心愿所属的四季活动。"),
        prefix="campaign",
    ),
}


def _run(request, form: forms.Form, call: Callable[[dict], object], *, success: str) -> None:
    """``submit`` for the action buttons, whose page redirects: a refusal (the form's or the service's)
    becomes messages instead of errors on the form."""
    if submit(request, form, call, success=str(success)) is None:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)


# --- board and detail ----------------------------------------------------------------------------------
@cached_page(topics=("wishes",), filterset=WishFilterSet, paged=True, share=Wish.objects.visible_share)
def board(request):
    """Open wishes by default (``?status=`` shows every visible state), masked, own community first."""
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = WishStatus.OPEN
    context = list_page(request, selectors.wish_list(user=request.user), WishFilterSet, data=data)
    return render(request, "wishes/board.html", {**context, "wishes": context["page_obj"].object_list})


def _detail_context(request, wish: Wish, *, reveal: bool) -> dict:
    user = request.user
    is_staff = selectors.is_editable_by(user, wish)
    photos = list(wish.photos.all())
    # 派单: an offer waiting for a member's answer (read once: the ``no_pending_offer`` guard reuses it).
    wish.pending_offer = wish.status == WishStatus.OPEN and selectors.has_pending_offer(wish)
    return {
        "wish": wish,
        "offer_pending": wish.pending_offer,
        "reveal": reveal,
        "events": selectors.wish_history(wish),
        "views_log": selectors.wish_views_log(wish) if is_staff else None,
        "fulfilment_photos": [p for p in photos if p.kind == PhotoKind.FULFILMENT],
        "submission_photos": [p for p in photos if p.kind == PhotoKind.SUBMISSION] if reveal else [],
        # The buttons drawn: exactly the moves this person may make now (``choices.WISH_MOVES``).
        "actions": selectors.wish_actions_for(user, wish),
        "can_tag_campaign": is_staff,
        **{f"{name}_form": action.form_for() for name, action in ACTIONS.items()},
        "campaign_form": CampaignTagForm(prefix="campaign", initial={"campaign": wish.campaign_id}),
    }


@cached_page(topics=("wish:{code}", "campaign-names"))  # it names its seasonal campaign
def detail(request, code: str):
    wish = get_visible_or_404(
        Wish.objects.select_related("community__town", "claimed_by", "campaign", "team"),
        request.user,
        code=code,
    )
    reveal = selectors.reveal_personal_data(request.user, wish)
    return render(request, "wishes/detail.html", _detail_context(request, wish, reveal=reveal))


@require_POST
@role_required()
def action(request, code: str, name: str):
    """One POST endpoint per transition; each calls its service and comes back to the wish page."""
    wish = get_visible_or_404(Wish.objects, request.user, code=code)
    if name not in ACTIONS:
        raise Http404
    chosen = ACTIONS[name]
    _run(
        request,
        chosen.form_for(request),
        lambda data: chosen.service(actor=request.user, wish=wish, **data),
        success=chosen.success,
    )
    if request.POST.get("next", "") == "manage":
        return redirect("wishes:manage")
    return redirect("wishes:detail", code=code)


# --- submission and tracking ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@limited(submit_limiter, message=gettext_lazy("提交过于频繁，请稍后再试，或拨打社区心愿征集热线。"))
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
    if request.method == "POST":  # within the limit (LimitsMiddleware took it before the body was read)
        wish = submit(request, form, lambda data: services.wish_create(actor=user, **data))
        if wish is not None:
            request.session[SESSION_SUBMITTED] = {"code": wish.code, "query_code": wish.query_code}
            request.session[SESSION_TRACKED] = wish.query_code
            return redirect("wishes:submitted")
    return render(request, "wishes/new.html", {"form": form})


def submitted(request):
    info = request.session.get(SESSION_SUBMITTED)
    if not info:
        return redirect("wishes:new")
    wish = Wish.objects.select_related("community__town").filter(code=info["code"]).first()
    if wish is None:
        return redirect("wishes:new")
    return render(request, "wishes/submitted.html", {"wish": wish, "query_code": info["query_code"]})


@require_http_methods(["GET", "POST"])
@cached_page()  # the look-up form alone (a visitor without a session): nothing of the data
def track(request):
    """The wisher follows a wish by query code (looked up by :func:`track_lookup`); once proved, the code
    stays in the session so they can give the follow-up rating or withdraw."""
    code = request.session.get(SESSION_TRACKED, "")
    if request.method == "POST":
        what = request.POST.get("action", "")
        if what == "forget":
            request.session.pop(SESSION_TRACKED, None)
            return redirect("wishes:track")
        wish = selectors.wish_get_by_query_code(code)
        if wish is None:
            return redirect("wishes:track")
        if what in ("feedback", "withdraw"):
            chosen = ACTIONS[what]
            _run(
                request,
                chosen.form_for(request),
                lambda data: chosen.service(actor=request.user, wish=wish, query_code=code, **data),
                success=_("感谢您的评价！") if what == "feedback" else chosen.success,
            )
        return redirect("wishes:track")
    wish = selectors.wish_get_by_query_code(code) if code else None
    context = {"form": TrackForm(), "wish": wish}
    if wish is not None:
        context.update(
            events=selectors.wish_history(wish),
            feedback_form=ACTIONS["feedback"].form_for(),
            withdraw_form=ACTIONS["withdraw"].form_for(),
            actions=selectors.wish_actions_for(request.user, wish, query_code=code),
            fulfilment_photos=[p for p in wish.photos.all() if p.kind == PhotoKind.FULFILMENT],
        )
    return render(request, "wishes/track.html", context)


# No CSRF token on the look-up form: the tracking page a visitor opens first then carries nothing per
# visitor and is served from the cache (``jiangyan.core.pagecache``) on the day thousands arrive. A forged
# look-up can only tie a code its sender already knows to the victim's own session; everything that
# changes a wish (follow-up, withdrawal) is posted to ``track`` and keeps its CSRF check. Failed guesses
# are limited per client.
@csrf_exempt
@require_POST
@limited(track_limiter, message=gettext_lazy("查询失败次数过多，请一小时后再试。"))
def track_lookup(request):
    # Each look-up took a slot of the limit before it ran (LimitsMiddleware); one that finds its wish gives
    # it back, so only failed guesses count, and parallel guesses cannot overrun the limit.
    form = TrackForm(request.POST)
    if form.is_valid() and selectors.wish_get_by_query_code(form.cleaned_data["query_code"]):
        track_limiter.give_back(request)
        request.session[SESSION_TRACKED] = form.cleaned_data["query_code"]
        return redirect("wishes:track")
    if form.is_valid():
        form.add_error("query_code", _("没有找到该查询码对应的心愿，请核对后再试。"))
    else:
        track_limiter.give_back(request)  # not a guess at all
    return render(request, "wishes/track.html", {"form": form})


# --- people's own lists ---------------------------------------------------------------------------------
@role_required()
@cached_page(topics=("wishes:any",), public=False, share=own_share)  # every wish change moves wishes:any
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
            "returned": selectors.returned_claims(member=user) if is_member else [],
            "open_claims": sum(1 for w in claims if w.status == WishStatus.CLAIMED),
            "own_wishes": selectors.my_wishes(user=user),
        },
    )


DESK_ROWS = 20  # the rows of each queue on the wish desk, oldest first


@role_required(Role.COMMUNITY_STAFF)
def manage(request):
    # Each queue's oldest DESK_ROWS, and how many it holds in all.
    queues = {
        name: list(rows[:DESK_ROWS]) for name, rows in selectors.manage_queues(user=request.user).items()
    }
    counts = selectors.manage_queue_counts(user=request.user)
    selectors.with_communities([wish for rows in queues.values() for wish in rows])
    reviews = fragments.render_list("wishes/_review.html", queues["submitted"], name="wish")
    return render(
        request,
        "wishes/manage.html",
        {
            "queues": queues,
            "counts": counts,
            "desk_rows": DESK_ROWS,
            "reviews": list(zip(queues["submitted"], reviews, strict=True)),
            "community": request.user.community,
        },
    )


@role_required(Role.COMMUNITY_STAFF)
@require_http_methods(["GET", "POST"])
def manage_new(request):
    """Staff entry of wishes from cards, boxes, the hotline and visits, on the resident's behalf."""
    user = request.user
    form = WishEntryForm(
        request.POST or None,
        request.FILES or None,
        communities=handled_communities(user).select_related("town"),
        initial={"community": user.community_id},
    )
    if request.method == "POST":
        success = _("已登记，心愿已上墙待认领。请把查询码告知群众。")
        wish = submit(request, form, lambda data: services.wish_create(actor=user, **data), success=success)
        if wish is not None:
            request.session[SESSION_SUBMITTED] = {"code": wish.code, "query_code": wish.query_code}
            return redirect("wishes:submitted")
    return render(request, "wishes/entry.html", {"form": form})


# --- paper channel and members' page -------------------------------------------------------------------
@cached_page()
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


@cached_page(topics=("wishes", "accounts"), paged=True)
def members(request):
    context = list_page(request, selectors.members_board(), per_page=30)
    return render(
        request,
        "wishes/members.html",
        {**context, "members": context["page_obj"].object_list, "now": timezone.now()},
    )


# --- dispatch (派单) -------------------------------------------------------------------------------------
DISPATCH_ROWS = 30  # a page of the dispatch queue
SUGGESTED_MEMBERS = 20

# The moves on an offer, each with its form and what the person is told (``choices.OFFER_MOVES``).
OFFER_ACTIONS = {
    "accept": WishAction(
        OfferAcceptForm,
        services.offer_accept,
        gettext_lazy("已接单，请在承诺日期前完成。联系方式已向您显示。"),
    ),
    "decline": WishAction(
        OfferDeclineForm,
        services.offer_decline,
        gettext_lazy("已婉拒，社区将另行安排。"),
        prefix="decline",
    ),
    "withdraw": WishAction(OfferWithdrawForm, services.offer_withdraw, gettext_lazy("已撤回派单。")),
}


@role_required(Role.COMMUNITY_STAFF)
def dispatch_queue(request):
    """The community's open wishes waiting for a member (unclaimed past the limit first) and the offers
    waiting for an answer."""
    context = list_page(request, selectors.dispatch_queue(user=request.user), per_page=DISPATCH_ROWS)
    wishes = selectors.with_communities(list(context["page_obj"].object_list))
    waiting = list(selectors.offers_waiting(user=request.user)[:DISPATCH_ROWS])
    return render(
        request,
        "wishes/dispatch_queue.html",
        {**context, "wishes": wishes, "waiting": waiting, "community": request.user.community},
    )


@role_required(Role.COMMUNITY_STAFF)
@require_http_methods(["GET", "POST"])
def dispatch(request, code: str):
    """派单 of one wish: the suggested members (fewest unfinished claims, nearest, best satisfaction) with
    one button each, the offer waiting for an answer (withdraw), and the wish's earlier offers."""
    wish = get_editable_or_404(Wish.objects.select_related("community__town"), request.user, code=code)
    form = DispatchForm(request.POST or None)
    if request.method == "POST":
        offer = submit(
            request,
            form,
            lambda data: services.wish_dispatch(actor=request.user, wish=wish, **data),
            success=_("已派单，等待党员答复。"),
        )
        if offer is not None:
            return redirect("wishes:dispatch", code=wish.code)
        for message in form.errors.get("member", ()):
            messages.error(request, message)
    offers = [
        (offer, selectors.offer_actions_for(request.user, offer)) for offer in selectors.wish_offers(wish)
    ]
    for offer, _actions in offers:
        offer.wish = wish
    can_dispatch = "dispatch" in selectors.wish_actions_for(request.user, wish)
    return render(
        request,
        "wishes/dispatch.html",
        {
            "wish": wish,
            "form": form,
            "can_dispatch": can_dispatch,
            "candidates": selectors.dispatch_candidates(wish=wish, limit=SUGGESTED_MEMBERS)
            if can_dispatch
            else [],
            "offers": offers,
            "withdraw_form": OFFER_ACTIONS["withdraw"].form_for(),
        },
    )


@role_required(Role.PARTY_MEMBER)
def offers(request):
    """我的派单: the offers made to the member, those waiting for an answer first."""
    context = list_page(request, selectors.my_offers(member=request.user), per_page=DISPATCH_ROWS)
    rows = list(context["page_obj"].object_list)
    facts = selectors.WishActor(request.user)
    return render(
        request,
        "wishes/offers.html",
        {
            **context,
            "offers": [
                (offer, selectors.offer_actions_for(request.user, offer, facts=facts)) for offer in rows
            ],
            "accept_form": OFFER_ACTIONS["accept"].form_for(),
            "decline_form": OFFER_ACTIONS["decline"].form_for(),
        },
    )


@require_POST
@role_required()
def offer_action(request, pk: int, name: str):
    """Accept, decline (the member) or withdraw (staff) one offer; back to where it was done."""
    offer = get_visible_or_404(DispatchOffer.objects.select_related("wish"), request.user, pk=pk)
    if name not in OFFER_ACTIONS:
        raise Http404
    chosen = OFFER_ACTIONS[name]
    _run(
        request,
        chosen.form_for(request),
        lambda data: chosen.service(actor=request.user, offer=offer, **data),
        success=chosen.success,
    )
    if name == "withdraw":
        return redirect("wishes:dispatch", code=offer.wish.code)
    if name == "accept" and offer.wish.claimed_by_id is None:
        offer.wish.refresh_from_db(fields=["claimed_by"])
    if name == "accept" and offer.wish.claimed_by_id == request.user.pk:
        return redirect("wishes:detail", code=offer.wish.code)
    return redirect("wishes:offers")


# --- help teams (帮帮团) ---------------------------------------------------------------------------------
TEAM_QUEUE_ROWS = 30


def _team_form_page(request, *, team: HelpTeam | None, template: str, context) -> object:
    """A team page with the office's form under it: the readers read, only the office posts."""
    office = is_admin(request.user)
    initial = help_team_initial(team) if team is not None else {"active": True, "categories": ["supplies"]}
    form = HelpTeamForm(request.POST or None, initial=initial) if office else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        outcome = submit_outcome(
            request,
            form,
            lambda data: services.help_team_save(actor=request.user, team=team, **data),
            success=_("帮帮团已保存。"),
        )
        if outcome.done:
            return redirect("wishes:team", pk=outcome.result.pk)
        status = outcome.status
    return render(request, template, {**context(), "form": form, "office": office}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.PARTY_MEMBER, Role.SUPERVISOR)
def teams(request):
    """The help teams the reader may see (a member: their own; supervisors and the office: every one),
    with their range, categories and members; the office sets up a team here."""
    return _team_form_page(
        request,
        team=None,
        template="wishes/teams.html",
        context=lambda: {
            "teams": selectors.team_list(user=request.user),
            "team_hours": settings.WISH_TEAM_CLAIM_HOURS,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.PARTY_MEMBER, Role.SUPERVISOR)
def team(request, pk: int):
    """A team's queue (its members, supervisors and the office; anybody else: 404): the wishes routed to it,
    waiting ones first with the end of the members' window; the office changes the team here."""
    chosen = get_visible_or_404(HelpTeam.objects.select_related("town"), request.user, pk=pk)
    return _team_form_page(
        request,
        team=chosen,
        template="wishes/team.html",
        context=lambda: {
            "team": chosen,
            "members": list(chosen.members.order_by("real_name", "username")),
            "communities": list(chosen.communities.select_related("town")),
            **list_page(request, selectors.team_queue(team=chosen), per_page=TEAM_QUEUE_ROWS),
        },
    )
