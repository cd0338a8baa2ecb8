"""The lifecycle of DESIGN §2.2 through the services: each transition checks actor and state, and
leaves an event without personal data."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.models import AuditEvent
from tests.factories import MemberFactory
from tests.wishes.factories import WISHER_PHONE, WishFactory
from wishes import services
from wishes.choices import Satisfaction, WishCategory, WishChannel, WishStatus
from wishes.models import Wish
from wishes.selectors import can_see_personal_data

ANON = AnonymousUser()


def submit(community_, **overrides):
    data = {
        "actor": ANON,
        "community": community_,
        "channel": WishChannel.ONLINE,
        "title": "代购降压药",
        "text": "腿脚不便，需要每月代购降压药。",
        "category": WishCategory.MEDICAL,
        "wisher_name": "李秀英",
        "wisher_phone": WISHER_PHONE,
        "wisher_address": "天目社区5栋101",
    }
    return services.wish_create(**{**data, **overrides})


def verbs(wish):
    return list(AuditEvent.objects.for_object(wish).values_list("verb", flat=True))


@pytest.mark.django_db
def test_whole_lifecycle_submitted_to_closed_with_events(community, community_staff, member):
    wish = submit(community)
    assert wish.status == WishStatus.SUBMITTED and len(wish.query_code) == 8
    assert not set(wish.query_code) & set("0O1I")

    wish = services.wish_approve(actor=community_staff, wish=wish)
    assert wish.status == WishStatus.OPEN and wish.opened_at

    promised = timezone.localdate() + datetime.timedelta(days=5)
    wish = services.wish_claim(actor=member, wish=wish, promised_date=promised)
    assert (wish.status, wish.claimed_by, wish.promised_date) == (WishStatus.CLAIMED, member, promised)

    wish = services.wish_fulfil(actor=member, wish=wish, note="已送药上门。")
    assert wish.status == WishStatus.FULFILLED and wish.fulfilled_at

    wish = services.wish_feedback(
        actor=ANON, wish=wish, satisfaction=Satisfaction.SATISFIED, query_code=wish.query_code
    )
    assert wish.status == WishStatus.CLOSED and wish.closed_at and wish.satisfaction == Satisfaction.SATISFIED

    assert verbs(wish) == ["wish.submit", "wish.approve", "wish.claim", "wish.fulfil", "wish.feedback"]
    events = list(AuditEvent.objects.for_object(wish))
    assert [(e.before or {}).get("status") for e in events] == [
        None,
        "submitted",
        "open",
        "claimed",
        "fulfilled",
    ]
    assert [e.after["status"] for e in events] == ["submitted", "open", "claimed", "fulfilled", "closed"]
    assert events[0].actor_label == "查询码用户" and events[-1].actor_label == "查询码用户"
    for event in events:  # the public history never carries the wisher's personal data
        flat = f"{event.actor_label}{event.note}{event.before}{event.after}{event.target_repr}"
        assert WISHER_PHONE not in flat and "李秀英" not in flat


@pytest.mark.django_db
def test_staff_entry_goes_straight_to_open_with_its_channel(community, community_staff):
    wish = services.wish_create(
        actor=community_staff,
        community=community,
        channel=WishChannel.HOTLINE,
        title="陪伴独居老人聊天",
        text="老人独居，希望每周有人陪聊。",
        category=WishCategory.COMPANY,
        wisher_name="王大爷",
        wisher_phone=WISHER_PHONE,
    )
    assert (wish.status, wish.channel, wish.entered_by) == (
        WishStatus.OPEN,
        WishChannel.HOTLINE,
        community_staff,
    )
    assert verbs(wish) == ["wish.enter"]


@pytest.mark.django_db
@pytest.mark.parametrize("channel", [WishChannel.ONLINE, WishChannel.CARD])
def test_staff_of_the_community_enter_wishes_from_resident_channels_too(community, community_staff, channel):
    wish = submit(community, actor=community_staff, channel=channel)
    assert (wish.status, wish.entered_by, wish.submitted_by) == (WishStatus.OPEN, community_staff, None)
    assert verbs(wish) == ["wish.enter"]


@pytest.mark.django_db
def test_staff_of_another_community_submit_for_review(community, other_staff):
    wish = submit(community, actor=other_staff)
    assert (wish.status, wish.entered_by, wish.submitted_by) == (WishStatus.SUBMITTED, None, other_staff)
    assert verbs(wish) == ["wish.submit"]


@pytest.mark.django_db
def test_staff_channels_are_refused_to_everybody_but_staff_of_the_community(community, resident, other_staff):
    for actor in (ANON, resident, other_staff):
        with pytest.raises(PermissionDenied):
            submit(community, actor=actor, channel=WishChannel.HOTLINE)
    with pytest.raises(ApplicationError) as error:
        submit(community, channel="fax")
    assert "channel" in error.value.fields
    assert not Wish.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_wishes_are_editable_by_staff_of_their_community_and_admins(role_users, community, other_staff):
    wish = WishFactory(community=community)
    editable = {
        role for role, user in role_users.items() if Wish.objects.editable_by(user).filter(pk=wish.pk)
    }
    assert editable == {"community_staff", "admin"}
    assert not Wish.objects.editable_by(other_staff).exists()


@pytest.mark.django_db
def test_staff_cannot_enter_for_another_community(other_community, community_staff):
    with pytest.raises(PermissionDenied):
        services.wish_create(
            actor=community_staff,
            community=other_community,
            channel=WishChannel.BOX,
            title="t",
            text="t",
            category=WishCategory.OTHER,
            wisher_name="王",
            wisher_phone=WISHER_PHONE,
        )
    assert not Wish.objects.exists()


@pytest.mark.django_db
def test_reject_needs_reason_and_keeps_it(community, community_staff):
    wish = submit(community)
    with pytest.raises(ApplicationError):
        services.wish_reject(actor=community_staff, wish=wish, reason="  ")
    wish = services.wish_reject(actor=community_staff, wish=wish, reason="不属于微心愿范围，已转12345热线。")
    assert wish.status == WishStatus.REJECTED and "12345" in wish.reject_reason


@pytest.mark.django_db
def test_release_returns_to_open_with_reason_and_only_by_claimer(community, member, other_member):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    with pytest.raises(PermissionDenied):
        services.wish_release(actor=other_member, wish=wish, reason="x")
    with pytest.raises(ApplicationError):
        services.wish_release(actor=member, wish=wish, reason="")
    wish = services.wish_release(actor=member, wish=wish, reason="临时出差，无法按时完成。")
    assert (wish.status, wish.claimed_by, wish.promised_date) == (WishStatus.OPEN, None, None)
    assert AuditEvent.objects.for_object(wish).get(verb="wish.release").note == "临时出差，无法按时完成。"


@pytest.mark.django_db
def test_unsatisfied_feedback_reopens_for_the_community(community, community_staff, member, other_member):
    wish = WishFactory(community=community, status=WishStatus.FULFILLED, claimed_by=member)
    wish = services.wish_feedback(
        actor=community_staff, wish=wish, satisfaction=Satisfaction.UNSATISFIED, comment="水龙头还在漏"
    )
    assert (wish.status, wish.reopened, wish.reopen_count, wish.claimed_by) == (
        WishStatus.OPEN,
        True,
        1,
        None,
    )
    assert wish.feedback_channel == "phone"
    event = AuditEvent.objects.for_object(wish).get(verb="wish.reopen")
    assert event.after == {"status": "open", "satisfaction": "unsatisfied"}
    # Another member takes it over.
    wish = services.wish_claim(actor=other_member, wish=wish)
    assert wish.claimed_by == other_member


@pytest.mark.django_db
def test_basically_satisfied_closes(community, member):
    wish = WishFactory(community=community, status=WishStatus.FULFILLED, claimed_by=member, submitted_by=None)
    wish = services.wish_feedback(
        actor=ANON, wish=wish, satisfaction=Satisfaction.BASICALLY, query_code=wish.query_code
    )
    assert wish.status == WishStatus.CLOSED


@pytest.mark.django_db
def test_followup_refused_to_strangers_and_wrong_codes(community, member, other_staff, resident):
    wish = WishFactory(community=community, status=WishStatus.FULFILLED, claimed_by=member)
    for user, code in ((ANON, ""), (ANON, "WRONG123"), (other_staff, ""), (resident, ""), (member, "")):
        with pytest.raises(PermissionDenied):
            services.wish_feedback(
                actor=user, wish=wish, satisfaction=Satisfaction.SATISFIED, query_code=code
            )
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED


@pytest.mark.django_db
def test_signed_in_wisher_follows_up_and_withdraws_with_account(community, resident, member):
    wish = submit(community, actor=resident)
    assert wish.submitted_by == resident
    services.wish_withdraw(actor=resident, wish=wish, reason="已自行解决")
    wish.refresh_from_db()
    assert wish.status == WishStatus.WITHDRAWN
    assert AuditEvent.objects.for_object(wish).get(verb="wish.withdraw").actor_label == "心愿人"


@pytest.mark.django_db
def test_anonymous_wisher_withdraws_with_query_code_only(community, member):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    with pytest.raises(PermissionDenied):
        services.wish_withdraw(actor=ANON, wish=wish, query_code="AAAAAAAA")
    wish = services.wish_withdraw(actor=ANON, wish=wish, query_code=wish.query_code.lower())
    assert wish.status == WishStatus.WITHDRAWN
    # The claim no longer counts against the member's limit.
    assert not Wish.objects.unfinished_claims_of(member).exists()


@pytest.mark.django_db
def test_approval_only_by_staff_of_that_community(community, other_staff, member, supervisor):
    wish = submit(community)
    for user in (other_staff, member, supervisor):
        with pytest.raises(PermissionDenied):
            services.wish_approve(actor=user, wish=wish)


@pytest.mark.django_db
def test_claim_only_by_party_members(community, resident, community_staff):
    wish = WishFactory(community=community)
    for user in (resident, community_staff):
        with pytest.raises(PermissionDenied):
            services.wish_claim(actor=user, wish=wish)


@pytest.mark.django_db
def test_claim_defaults_promise_to_setting_and_refuses_past_dates(community, member, settings):
    settings.WISH_DEFAULT_PROMISE_DAYS = 7
    wish = WishFactory(community=community)
    with pytest.raises(ApplicationError) as error:
        services.wish_claim(
            actor=member, wish=wish, promised_date=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert "promised_date" in error.value.fields
    wish = services.wish_claim(actor=member, wish=wish)
    assert wish.promised_date == timezone.localdate() + datetime.timedelta(days=7)


@pytest.mark.django_db
def test_claim_limit_of_unfinished_claims(community, member, settings):
    settings.WISH_MAX_OPEN_CLAIMS = 3
    wishes = WishFactory.create_batch(5, community=community)
    for wish in wishes[:3]:
        services.wish_claim(actor=member, wish=wish)
    with pytest.raises(ConflictError) as error:
        services.wish_claim(actor=member, wish=wishes[3])
    assert error.value.code == "claim_limit"
    assert Wish.objects.get(pk=wishes[3].pk).status == WishStatus.OPEN
    # Fulfilling one frees a place.
    services.wish_fulfil(actor=member, wish=wishes[0], note="已完成")
    services.wish_claim(actor=member, wish=wishes[3])
    assert Wish.objects.unfinished_claims_of(member).count() == 3


@pytest.mark.django_db
def test_second_claim_gets_already_claimed(community, member, other_member):
    wish = WishFactory(community=community)
    services.wish_claim(actor=member, wish=wish)
    with pytest.raises(ConflictError, match="该心愿已被其他党员认领"):
        services.wish_claim(actor=other_member, wish=wish)


LEGAL = {
    "approve": {WishStatus.SUBMITTED},
    "reject": {WishStatus.SUBMITTED},
    "claim": {WishStatus.OPEN},
    "release": {WishStatus.CLAIMED},
    "fulfil": {WishStatus.CLAIMED},
    "feedback": {WishStatus.FULFILLED},
    "withdraw": {WishStatus.SUBMITTED, WishStatus.OPEN, WishStatus.CLAIMED},
}
ILLEGAL = [(state, action) for action, ok in LEGAL.items() for state in WishStatus.values if state not in ok]


def run_action(action, wish, staff):
    claimer = wish.claimed_by or MemberFactory(community=wish.community)
    calls = {
        "approve": lambda: services.wish_approve(actor=staff, wish=wish),
        "reject": lambda: services.wish_reject(actor=staff, wish=wish, reason="不符合"),
        "claim": lambda: services.wish_claim(actor=MemberFactory(community=wish.community), wish=wish),
        "release": lambda: services.wish_release(actor=claimer, wish=wish, reason="出差"),
        "fulfil": lambda: services.wish_fulfil(actor=claimer, wish=wish, note="完成"),
        "feedback": lambda: services.wish_feedback(
            actor=staff, wish=wish, satisfaction=Satisfaction.SATISFIED
        ),
        "withdraw": lambda: services.wish_withdraw(actor=staff, wish=wish),
    }
    return calls[action]()


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transition_is_refused_with_conflict(state, action, community, community_staff):
    wish = WishFactory(community=community, status=state)
    before_events = AuditEvent.objects.count()
    with pytest.raises(ConflictError):
        run_action(action, wish, community_staff)
    assert Wish.objects.get(pk=wish.pk).status == state
    assert AuditEvent.objects.count() == before_events


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), [(s, a) for a, ok in LEGAL.items() for s in ok])
def test_legal_transition_is_carried_out(state, action, community, community_staff):
    wish = WishFactory(community=community, status=state)
    changed = run_action(action, wish, community_staff)
    assert changed.status != state
    assert AuditEvent.objects.for_object(wish).count() == 1


@pytest.mark.django_db
def test_flagged_and_overdue_selectors(community, member, settings):
    settings.WISH_UNCLAIMED_FLAG_DAYS = 3
    now = timezone.now()
    old = WishFactory(community=community, opened_at=now - datetime.timedelta(days=4))
    WishFactory(community=community, opened_at=now - datetime.timedelta(days=2))
    late = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    Wish.objects.filter(pk=late.pk).update(promised_date=timezone.localdate() - datetime.timedelta(days=1))
    WishFactory(community=community, status=WishStatus.CLAIMED)  # promised in a week
    assert list(Wish.objects.unclaimed_flagged(now)) == [old]
    assert list(Wish.objects.overdue(timezone.localdate())) == [late]


@pytest.mark.django_db
def test_personal_data_rule(role_users, community, other_member, other_staff):
    claimer = role_users["party_member"]
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=claimer)
    expected = {
        "anonymous": False,
        "resident": False,
        "party_member": True,
        "unit_staff": False,
        "community_staff": True,
        "supervisor": False,
        "admin": True,
    }
    for role, user in role_users.items():
        assert can_see_personal_data(user or ANON, wish) is expected[role], role
    assert not can_see_personal_data(other_member, wish)
    assert not can_see_personal_data(other_staff, wish)
    # After release the former claimer sees masks again.
    services.wish_release(actor=claimer, wish=wish, reason="出差")
    wish.refresh_from_db()
    assert not can_see_personal_data(claimer, wish)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("wisher_phone", "12345"),
        ("text", "  "),
        ("title", ""),
        ("wisher_name", ""),
        ("community", None),
        ("category", "nonsense"),
    ],
)
def test_submission_with_bad_input_names_the_field_and_writes_nothing(field, value, community):
    with pytest.raises(ApplicationError) as error:
        submit(community, **{field: value})
    assert field in error.value.fields
    assert not Wish.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_urgent_flag_only_for_supplies(community):
    with pytest.raises(ApplicationError):
        submit(community, urgent=True, category=WishCategory.REPAIR)
    wish = submit(community, urgent=True, category=WishCategory.SUPPLIES)
    assert wish.is_help_team
