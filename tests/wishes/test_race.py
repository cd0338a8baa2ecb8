"""Fifty party members claim one open wish at the same moment (DESIGN §2.2): exactly one wins, the other
49 get ConflictError, nothing else goes wrong. Real threads, each with its own database connection."""

import pytest

from jiangyan.exceptions import ConflictError
from tests.factories import MemberFactory
from tests.race import needs_postgresql, race
from tests.wishes.factories import WishFactory
from wishes import services
from wishes.choices import WishStatus
from wishes.models import Wish

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
