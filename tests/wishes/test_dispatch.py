"""派单 (issue 19 item 3): community staff offer an open wish to a party member, who accepts (a claim under
every claim rule) or declines with a reason; staff withdraw; an offer lapses when somebody claims the wish
on the board or the wish is withdrawn. The race tests are in ``test_race.py``."""

import datetime
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from notifications.models import Notification
from supervision import reports
from supervision import services as supervision_services
from supervision.choices import ReportKind
from supervision.services import report_period
from tests.factories import CommunityFactory, MemberFactory, UserFactory
from tests.supervision.conftest import at
from tests.wishes.factories import WishFactory
from wishes import selectors, services
from wishes.choices import OfferStatus, Satisfaction, WishStatus
from wishes.models import DispatchOffer, Wish

pytestmark = pytest.mark.django_db


@pytest.fixture
def wish(community, resident):
    return WishFactory(community=community, submitted_by=resident)


def _dispatch(staff, wish, member, note=""):
    return services.wish_dispatch(actor=staff, wish=wish, member=member, note=note)


# --- the rules ---------------------------------------------------------------------------------------------
def test_staff_dispatch_an_open_wish_and_the_member_hears_of_it(community_staff, member, wish):
    offer = _dispatch(community_staff, wish, member, note="就在您家楼下")

    assert offer.status == OfferStatus.PENDING and offer.offered_by == community_staff
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN  # it waits for the member's answer
    (note,) = Notification.objects.filter(recipient=member, reason="wish.dispatched")
    assert wish.title in note.title and note.url == "/wishes/offers/"
    (event,) = AuditEvent.objects.filter(verb="wish.dispatch")
    assert event.actor == community_staff and event.after["member"] == member.pk
    assert list(selectors.offers_to_answer(user=member)) == [offer]


def test_staff_of_another_community_cannot_dispatch(other_staff, member, wish):
    with pytest.raises(PermissionDenied):
        _dispatch(other_staff, wish, member)
    assert not DispatchOffer.objects.exists()


def test_an_admin_dispatches_any_community_s_wish(admin_user, member, wish):
    assert _dispatch(admin_user, wish, member).status == OfferStatus.PENDING


def test_only_members_of_the_wish_s_town_the_wisher_excluded(community, community_staff, wish, settings):
    neighbour = MemberFactory(community=CommunityFactory(town=community.town))
    assert _dispatch(community_staff, wish, neighbour).member == neighbour  # same town: yes

    elsewhere = MemberFactory(community=CommunityFactory())  # another town
    other = WishFactory(community=community)
    with pytest.raises(ApplicationError) as refused:
        _dispatch(community_staff, other, elsewhere)
    assert "member" in refused.value.fields

    wisher = MemberFactory(community=community)
    own = WishFactory(community=community, submitted_by=wisher)
    with pytest.raises(ApplicationError) as refused:
        _dispatch(community_staff, own, wisher)
    assert "member" in refused.value.fields

    resident = UserFactory(roles=[Role.RESIDENT], community=community)  # not a party member
    with pytest.raises(ApplicationError):
        _dispatch(community_staff, own, resident)


def test_a_member_at_the_claim_limit_is_not_offered_a_wish(
    community, community_staff, member, wish, settings
):
    settings.WISH_MAX_OPEN_CLAIMS = 1
    WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    with pytest.raises(ApplicationError) as refused:
        _dispatch(community_staff, wish, member)
    assert "member" in refused.value.fields


@pytest.mark.parametrize("state", [WishStatus.SUBMITTED, WishStatus.CLAIMED, WishStatus.WITHDRAWN])
def test_only_an_open_wish_is_dispatched(community, community_staff, member, state):
    wish = WishFactory(community=community, status=state)
    with pytest.raises(ConflictError):
        _dispatch(community_staff, wish, member)


def test_one_pending_offer_per_wish(community, community_staff, member, wish):
    _dispatch(community_staff, wish, member)
    with pytest.raises(ConflictError) as refused:
        _dispatch(community_staff, wish, MemberFactory(community=community))
    assert refused.value.code == "offer_pending"
    # The database holds the rule too, whatever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        DispatchOffer.objects.create(wish=wish, member=MemberFactory(community=community))


def test_accepting_is_a_claim(community_staff, member, wish, resident, settings):
    settings.WISH_DEFAULT_PROMISE_DAYS = 5
    offer = _dispatch(community_staff, wish, member)

    offer = services.offer_accept(actor=member, offer=offer)

    assert offer.status == OfferStatus.ACCEPTED and offer.answered_at is not None
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED and wish.claimed_by == member
    assert wish.promised_date == timezone.localdate() + datetime.timedelta(days=5)
    (event,) = AuditEvent.objects.filter(verb="wish.dispatch_accept")
    assert event.target_id == str(wish.pk) and event.after == {
        "status": "claimed",
        "promised_date": wish.promised_date.isoformat(),
    }
    assert Notification.objects.filter(recipient=resident, reason="wish.claimed").exists()
    assert list(selectors.offers_to_answer(user=member)) == []


def test_accepting_keeps_the_claim_limit(community, community_staff, member, wish, settings):
    offer = _dispatch(community_staff, wish, member)
    settings.WISH_MAX_OPEN_CLAIMS = 1
    WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)  # claimed meanwhile
    with pytest.raises(ConflictError) as refused:
        services.offer_accept(actor=member, offer=offer)
    assert refused.value.code == "claim_limit"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING  # they may still decline it
    assert services.offer_decline(actor=member, offer=offer, reason="手上的还没办完").status == "declined"


def test_only_the_offered_member_answers(community, community_staff, member, wish):
    offer = _dispatch(community_staff, wish, member)
    other = MemberFactory(community=community)
    with pytest.raises(PermissionDenied):
        services.offer_accept(actor=other, offer=offer)
    with pytest.raises(PermissionDenied):
        services.offer_decline(actor=other, offer=offer, reason="不是我的")
    with pytest.raises(PermissionDenied):
        services.offer_accept(actor=community_staff, offer=offer)


def test_declining_needs_a_reason_and_returns_the_wish_to_the_queue(community_staff, member, wish):
    offer = _dispatch(community_staff, wish, member)
    assert list(selectors.dispatch_queue(user=community_staff)) == []
    with pytest.raises(ApplicationError) as refused:
        services.offer_decline(actor=member, offer=offer, reason="  ")
    assert "reason" in refused.value.fields

    offer = services.offer_decline(actor=member, offer=offer, reason="这周在外地出差")

    assert offer.status == OfferStatus.DECLINED and offer.reason == "这周在外地出差"
    assert [w.pk for w in selectors.dispatch_queue(user=community_staff)] == [wish.pk]
    (note,) = Notification.objects.filter(recipient=community_staff, reason="wish.dispatch_declined")
    assert note.body == "这周在外地出差"
    (event,) = AuditEvent.objects.filter(verb="wish.dispatch_decline")
    assert event.note == "这周在外地出差" and event.after["status"] == "declined"
    # Declined: the member is marked on the suggestions, and the wish may be offered again.
    other = MemberFactory(community=wish.community)
    suggested = selectors.dispatch_candidates(wish=wish)
    assert [m.pk for m in suggested] == [other.pk, member.pk]  # who declined comes last
    assert suggested[-1].declined_before and not suggested[0].declined_before
    assert _dispatch(community_staff, wish, other).status == "pending"


def test_staff_withdraw_an_offer_and_others_may_not(community_staff, other_staff, member, wish):
    offer = _dispatch(community_staff, wish, member)
    with pytest.raises(PermissionDenied):
        services.offer_withdraw(actor=other_staff, offer=offer)
    with pytest.raises(PermissionDenied):
        services.offer_withdraw(actor=member, offer=offer)

    offer = services.offer_withdraw(actor=community_staff, offer=offer, reason="改派给就近党员")

    assert offer.status == OfferStatus.WITHDRAWN and offer.reason == "改派给就近党员"
    assert Notification.objects.filter(recipient=member, reason="wish.dispatch_withdrawn").exists()
    with pytest.raises(ConflictError):
        services.offer_accept(actor=member, offer=offer)


def test_a_self_claim_on_the_board_lapses_the_pending_offer(community, community_staff, member, wish):
    offer = _dispatch(community_staff, wish, member)
    quicker = MemberFactory(community=community)

    services.wish_claim(actor=quicker, wish=wish)

    offer.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED and offer.answered_at is not None
    assert Notification.objects.filter(recipient=member, reason="wish.dispatch_lapsed").exists()
    assert AuditEvent.objects.filter(verb="wish.dispatch_lapse", actor=quicker).count() == 1
    with pytest.raises(ConflictError) as refused:
        services.offer_accept(actor=member, offer=offer)
    assert refused.value.code == "already_claimed"


def test_withdrawing_the_wish_lapses_the_pending_offer(community_staff, member, wish, resident):
    offer = _dispatch(community_staff, wish, member)
    services.wish_withdraw(actor=resident, wish=wish, reason="已自行解决")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED


# --- the suggestions and the queue -------------------------------------------------------------------------
def _closed(member, community, satisfaction, n=1):
    WishFactory.create_batch(
        n, community=community, status=WishStatus.CLOSED, claimed_by=member, satisfaction=satisfaction
    )


def test_suggestions_rank_by_open_claims_then_nearness_then_satisfaction(community, wish):
    same_town = CommunityFactory(town=community.town)
    busy_near = MemberFactory(community=community)
    WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=busy_near)
    near_unrated = MemberFactory(community=community)
    near_pleased = MemberFactory(community=community)
    _closed(near_pleased, community, Satisfaction.SATISFIED, 2)
    near_so_so = MemberFactory(community=community)
    _closed(near_so_so, community, Satisfaction.SATISFIED)
    _closed(near_so_so, community, Satisfaction.BASICALLY)
    town_pleased = MemberFactory(community=same_town)
    _closed(town_pleased, same_town, Satisfaction.SATISFIED, 3)
    MemberFactory(community=CommunityFactory())  # another town: not suggested

    found = selectors.dispatch_candidates(wish=wish)

    assert [m.pk for m in found] == [
        near_pleased.pk,
        near_so_so.pk,
        near_unrated.pk,
        town_pleased.pk,
        busy_near.pk,
    ]
    facts = {m.pk: (m.open_claims, m.same_community, m.satisfaction_rate) for m in found}
    assert facts[near_so_so.pk] == (0, True, 50.0)
    assert facts[near_unrated.pk] == (0, True, None)
    assert facts[town_pleased.pk] == (0, False, 100.0)
    assert facts[busy_near.pk] == (1, True, None)


def test_the_queue_lists_open_wishes_without_an_offer_overdue_first(
    community, community_staff, member, settings
):
    settings.WISH_UNCLAIMED_FLAG_DAYS = 3
    now = timezone.now()
    fresh = WishFactory(community=community, submitted_at=now - datetime.timedelta(days=1))
    overdue = WishFactory(community=community, submitted_at=now - datetime.timedelta(days=5))
    offered = WishFactory(community=community, submitted_at=now - datetime.timedelta(days=9))
    WishFactory(community=community, status=WishStatus.CLAIMED)
    WishFactory(community=CommunityFactory())
    _dispatch(community_staff, offered, member)

    assert [w.pk for w in selectors.dispatch_queue(user=community_staff)] == [overdue.pk, fresh.pk]
    assert [o.wish_id for o in selectors.offers_waiting(user=community_staff)] == [offered.pk]
    assert [w.pk for w in selectors.wishes_to_dispatch(user=community_staff)] == [overdue.pk, fresh.pk]


def test_the_weekly_reminder_counts_the_wishes_waiting_for_dispatch_per_community(settings):
    community, other = CommunityFactory(), CommunityFactory()
    staff = UserFactory(roles=[Role.COMMUNITY_STAFF], community=community)
    member = MemberFactory(community=community)
    WishFactory(community=community, submitted_at=at(2021, 6, 16))
    WishFactory(community=community, submitted_at=at(2021, 6, 19))
    WishFactory(community=community, submitted_at=at(2021, 6, 22))  # after the week: not counted
    offered = WishFactory(community=community, submitted_at=at(2021, 6, 15))
    declined = WishFactory(community=community, submitted_at=at(2021, 6, 15))
    WishFactory(community=other, submitted_at=at(2021, 6, 18))
    with time_machine.travel(at(2021, 6, 18, 9), tick=False):
        _dispatch(staff, offered, member)  # still waiting at the week's end
        services.offer_decline(actor=member, offer=_dispatch(staff, declined, member), reason="出差")

    with time_machine.travel(at(2021, 6, 23, 9), tick=False):
        data = reports.build(ReportKind.WEEKLY, report_period(ReportKind.WEEKLY, date(2021, 6, 14)))

    counts = {c["community_id"]: c["awaiting_dispatch"] for c in data["communities"]}
    assert counts == {community.pk: 3, other.pk: 1}  # two open, the declined one; not the offered one
    assert data["totals"]["awaiting_dispatch"] == 4
    html = reports.render(ReportKind.WEEKLY, data, report_title="督促提醒")
    assert "待派单心愿 3 个" in html
    with time_machine.travel(at(2021, 6, 21, 8), tick=False):  # the reminder itself, to the staff
        supervision_services.report_generate(
            kind=ReportKind.WEEKLY,
            period=report_period(ReportKind.WEEKLY, date(2021, 6, 14)),
            notify_recipients=True,
        )
    (note,) = Notification.objects.filter(recipient=staff, reason="weekly_reminder")
    assert note.body.startswith("待派单心愿 3 个；")


# --- open work ---------------------------------------------------------------------------------------------
def test_offers_and_the_queue_are_open_work_on_me(client_as, community_staff, member, wish):
    _dispatch(community_staff, wish, member)
    work = {w["kind"]: w for w in client_as(member, api=True).get("/api/v1/me/").json()["work"]}
    assert work["offers_to_answer"]["count"] == 1
    assert work["offers_to_answer"]["items"][0]["title"] == wish.title
    offer = DispatchOffer.objects.get()
    assert work["offers_to_answer"]["items"][0]["page"].endswith(f"/wishes/offers/#offer-{offer.pk}")
    WishFactory(community=wish.community)
    work = {w["kind"]: w for w in client_as(community_staff, api=True).get("/api/v1/me/").json()["work"]}
    assert work["wishes_to_dispatch"]["count"] == 1


def test_pending_offer_outlives_nothing_after_acceptance(community_staff, member, wish):
    """An accepted offer's wish, released again, is back in the queue with no offer waiting."""
    offer = services.offer_accept(actor=member, offer=_dispatch(community_staff, wish, member))
    services.wish_release(actor=member, wish=Wish.objects.get(pk=offer.wish_id), reason="临时出差")
    assert [w.pk for w in selectors.dispatch_queue(user=community_staff)] == [wish.pk]


# --- pages -------------------------------------------------------------------------------------------------
def test_the_dispatch_page_suggests_members_with_their_three_facts(
    client_as, community, community_staff, wish
):
    pleased = MemberFactory(community=community, real_name="党员李红")
    _closed(pleased, community, Satisfaction.SATISFIED)
    busy = MemberFactory(
        community=CommunityFactory(town=community.town, name="东风社区"), real_name="党员赵兵"
    )
    WishFactory(status=WishStatus.CLAIMED, claimed_by=busy)

    page = client_as(community_staff).get(f"/wishes/manage/dispatch/{wish.code}/").content.decode()

    assert page.index("党员李红") < page.index("党员赵兵")
    assert "进行中的认领 0 个" in page and "同社区" in page and "满意率 100%（1/1）" in page
    assert "进行中的认领 1 个" in page and "同镇街（东风社区）" in page and "尚无办结的心愿" in page
    assert f'name="member" value="{pleased.pk}"' in page


def test_dispatch_accept_and_decline_through_the_pages(client_as, community, community_staff, member, wish):
    staff = client_as(community_staff)
    response = staff.post(f"/wishes/manage/dispatch/{wish.code}/", {"member": member.pk, "note": "您最近"})
    assert response.status_code == 302
    offer = DispatchOffer.objects.get(wish=wish)
    assert offer.note == "您最近" and offer.member == member
    queue = staff.get("/wishes/manage/dispatch/").content.decode()
    assert "等待党员答复" in queue and wish.title in queue

    mine = client_as(member)
    page = mine.get("/wishes/offers/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="decline"' in page
    response = mine.post(f"/wishes/offers/{offer.pk}/decline/", {"decline-reason": ""})
    offer.refresh_from_db()
    assert response.status_code == 302 and offer.status == OfferStatus.PENDING  # a reason is needed
    mine.post(f"/wishes/offers/{offer.pk}/decline/", {"decline-reason": "腿脚不便，去不了"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED and offer.reason == "腿脚不便，去不了"
    assert "腿脚不便，去不了" in staff.get(f"/wishes/manage/dispatch/{wish.code}/").content.decode()

    second = _dispatch(community_staff, wish, member)
    response = mine.post(f"/wishes/offers/{second.pk}/accept/", {})
    assert response.status_code == 302 and response["Location"] == f"/wishes/{wish.code}/"
    wish.refresh_from_db()
    assert wish.claimed_by == member


def test_another_community_s_staff_get_404_on_the_dispatch_page(client_as, other_staff, wish):
    assert client_as(other_staff).get(f"/wishes/manage/dispatch/{wish.code}/").status_code == 404
    assert client_as(other_staff).post(f"/wishes/manage/dispatch/{wish.code}/", {}).status_code == 404


# --- API ---------------------------------------------------------------------------------------------------
def test_the_api_dispatches_and_the_member_answers(client_as, community, community_staff, member, wish):
    staff = client_as(community_staff, api=True)
    response = staff.post(f"/api/v1/wishes/{wish.code}/dispatch/", {"member": member.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["wish_code"] == wish.code and body["actions"] == ["withdraw"]
    again = staff.post(f"/api/v1/wishes/{wish.code}/dispatch/", {"member": member.pk}, format="json")
    assert again.status_code == 409

    api = client_as(member, api=True)
    rows = api.get("/api/v1/dispatch-offers/?status=pending").json()["results"]
    assert [(r["id"], r["actions"]) for r in rows] == [(body["id"], ["accept", "decline"])]
    refused = api.post(f"/api/v1/dispatch-offers/{body['id']}/decline/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    accepted = api.post(f"/api/v1/dispatch-offers/{body['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert api.get(f"/api/v1/wishes/{wish.code}/").json()["claimed_by"] == member.pk


def test_the_api_keeps_offers_within_their_scope(client_as, community_staff, other_staff, member, wish):
    other = client_as(other_staff, api=True)
    response = other.post(f"/api/v1/wishes/{wish.code}/dispatch/", {"member": member.pk}, format="json")
    assert response.status_code == 404
    offer = _dispatch(community_staff, wish, member)
    assert other.get(f"/api/v1/dispatch-offers/{offer.pk}/").status_code == 404
    assert other.get("/api/v1/dispatch-offers/").json()["results"] == []
    stranger = client_as(MemberFactory(community=wish.community), api=True)
    assert stranger.post(f"/api/v1/dispatch-offers/{offer.pk}/accept/", {}, format="json").status_code == 404


# --- query counts ------------------------------------------------------------------------------------------
def test_the_dispatch_lists_cost_the_same_at_any_length(query_counter, client_as, community, community_staff):
    member = MemberFactory(community=community)

    def grow(n):
        for wish in WishFactory.create_batch(n, community=community):
            if wish.pk % 2:
                _dispatch(community_staff, wish, MemberFactory(community=community))
        for wish in WishFactory.create_batch(n, community=community):
            _dispatch(community_staff, wish, member)

    query_counter.flat(client_as(community_staff), "/wishes/manage/dispatch/", grow=grow)
    query_counter.flat(client_as(member), "/wishes/offers/", grow=grow)
    query_counter.flat(client_as(member, api=True), "/api/v1/dispatch-offers/", grow=grow)


def test_the_dispatch_page_costs_the_same_however_many_members(query_counter, client_as, community, wish):
    staff = UserFactory(roles=[Role.COMMUNITY_STAFF], community=community)

    def grow(n):
        for member in MemberFactory.create_batch(n, community=community):
            _closed(member, community, Satisfaction.SATISFIED)
            offer = _dispatch(staff, WishFactory(community=community), member)
            services.offer_decline(actor=member, offer=offer, reason="出差")

    query_counter.flat(client_as(staff), f"/wishes/manage/dispatch/{wish.code}/", grow=grow, max_queries=25)
