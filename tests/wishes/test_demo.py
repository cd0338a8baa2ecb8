import io

import pytest
from django.utils import timezone

from demo import accounts as accounts_demo
from demo import wishes as demo
from jiangyan.models import AuditEvent
from wishes.choices import OfferStatus, WishCategory, WishChannel, WishStatus
from wishes.models import DispatchOffer, Wish


@pytest.mark.django_db
def test_demo_wishes_cover_every_state_channel_and_category_and_are_idempotent(settings):
    out = io.StringIO()
    accounts_demo.seed(scale=1, stdout=out)
    demo.seed(scale=1, stdout=out)
    assert Wish.objects.count() == demo.BASE_COUNT
    assert set(Wish.objects.values_list("status", flat=True)) == set(WishStatus.values)
    assert set(Wish.objects.values_list("channel", flat=True)) == set(WishChannel.values)
    assert set(Wish.objects.values_list("category", flat=True)) == set(WishCategory.values)
    home = accounts_demo.demo_community()
    # The demo community's desk has some of each to show, yet the board is the district's, not its own.
    assert 20 <= Wish.objects.filter(community=home).count() <= 0.3 * demo.BASE_COUNT
    assert Wish.objects.overdue(timezone.localdate()).exists()
    assert Wish.objects.unclaimed_flagged(timezone.now()).exists()
    assert Wish.objects.filter(reopened=True, status=WishStatus.OPEN).exists()
    assert Wish.objects.filter(community=home, status=WishStatus.SUBMITTED).exists()
    for member_id in Wish.objects.filter(status=WishStatus.CLAIMED).values_list("claimed_by", flat=True):
        assert Wish.objects.unfinished_claims_of(member_id).count() <= settings.WISH_MAX_OPEN_CLAIMS
    # Every wish has a history that ends in its state.
    closed = Wish.objects.filter(status=WishStatus.CLOSED).first()
    events = list(AuditEvent.objects.for_object(closed))
    assert events[-1].after["status"] == "closed" and events[-1].created_at < timezone.now()
    assert events[0].created_at == closed.submitted_at
    # 派单 in every state, through the services (each offer's history is its audit events).
    assert set(DispatchOffer.objects.values_list("status", flat=True)) == set(OfferStatus.values)
    for offer in DispatchOffer.objects.filter(status=OfferStatus.ACCEPTED):
        assert offer.wish.claimed_by_id == offer.member_id
    assert AuditEvent.objects.filter(verb="wish.dispatch").count() == DispatchOffer.objects.count()
    assert "派单" in out.getvalue()
    codes = list(Wish.objects.order_by("id").values_list("code", flat=True))
    demo.seed(scale=1, stdout=out)  # idempotent
    assert Wish.objects.count() == demo.BASE_COUNT
    assert list(Wish.objects.order_by("id").values_list("code", flat=True)) == codes
