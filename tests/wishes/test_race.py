"""Fifty party members claim one open wish at the same moment (DESIGN §2.2): exactly one wins, the other
49 get ConflictError, nothing else goes wrong. Real threads, each with its own database connection."""

import pytest

from jiangyan.core.exceptions import ConflictError
from jiangyan.core.roles import Role
from tests.factories import MemberFactory, UserFactory
from tests.race import needs_postgresql, race
from tests.wishes.factories import WishFactory
from wishes import services
from wishes.choices import OfferStatus, WishStatus
from wishes.models import DispatchOffer, Wish

CLAIMERS = 50

pytestmark = needs_postgresql


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_claims_give_exactly_one_claim(community):
    wish = WishFactory(community=community)
    members = [MemberFactory(community=community) for _ in range(CLAIMERS)]

    results, errors = race([lambda m=m: services.wish_claim(actor=m, wish=wish) for m in members])

    assert len(results) == 1, errors
    assert len(errors) == CLAIMERS - 1
    assert all(type(e) is ConflictError and e.code == "already_claimed" for e in errors), {
        type(e) for e in errors
    }
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED and wish.claimed_by == results[0].claimed_by
    assert wish.claimed_by in members


@pytest.mark.django_db(transaction=True)
def test_one_member_claiming_many_wishes_at_once_stays_within_the_limit(community, settings):
    settings.WISH_MAX_OPEN_CLAIMS = 3
    member = MemberFactory(community=community)
    wishes = WishFactory.create_batch(10, community=community)

    results, errors = race([lambda w=w: services.wish_claim(actor=member, wish=w) for w in wishes])

    assert len(results) == 3
    assert len(errors) == 7 and all(type(e) is ConflictError and e.code == "claim_limit" for e in errors)
    assert Wish.objects.unfinished_claims_of(member).count() == 3


# --- 派单: an accepted offer is a claim under the same locks ------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_an_offer_accepted_while_members_self_claim_gives_exactly_one_claim(community):

    staff = UserFactory(roles=[Role.COMMUNITY_STAFF], community=community)
    wish = WishFactory(community=community)
    offered = MemberFactory(community=community)
    offer = services.wish_dispatch(actor=staff, wish=wish, member=offered)
    others = [MemberFactory(community=community) for _ in range(10)]

    results, errors = race(
        [lambda: services.offer_accept(actor=offered, offer=offer)]
        + [lambda m=m: services.wish_claim(actor=m, wish=wish) for m in others]
    )

    assert len(results) == 1, errors
    assert len(errors) == 10 and all(type(e) is ConflictError for e in errors), errors
    wish.refresh_from_db()
    offer.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED
    if wish.claimed_by == offered:
        assert offer.status == OfferStatus.ACCEPTED
    else:
        assert wish.claimed_by in others and offer.status == OfferStatus.LAPSED
    assert DispatchOffer.objects.filter(status=OfferStatus.PENDING).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_offers_accepted_at_once_keep_the_claim_limit(community, settings):

    settings.WISH_MAX_OPEN_CLAIMS = 1
    staff = UserFactory(roles=[Role.COMMUNITY_STAFF], community=community)
    member = MemberFactory(community=community)
    offers = [
        services.wish_dispatch(actor=staff, wish=WishFactory(community=community), member=member)
        for _ in range(2)
    ]

    results, errors = race([lambda o=o: services.offer_accept(actor=member, offer=o) for o in offers])

    assert len(results) == 1 and len(errors) == 1, errors
    assert type(errors[0]) is ConflictError and errors[0].code == "claim_limit"
    assert Wish.objects.unfinished_claims_of(member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_offer_accepted_twice_at_once_claims_once(community):

    staff = UserFactory(roles=[Role.COMMUNITY_STAFF], community=community)
    member = MemberFactory(community=community)
    wish = WishFactory(community=community)
    offer = services.wish_dispatch(actor=staff, wish=wish, member=member)

    results, errors = race([lambda: services.offer_accept(actor=member, offer=offer) for _ in range(2)])

    assert len(results) == 1 and len(errors) == 1 and type(errors[0]) is ConflictError
    assert Wish.objects.unfinished_claims_of(member).count() == 1
