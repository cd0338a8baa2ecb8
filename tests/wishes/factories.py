"""Factories of the wishes app. ``WishFactory(status=...)`` builds a wish already in that state (with
the fields the state implies) without going through the services — for list and masking tests; the
lifecycle tests use the services."""

import datetime

import factory
from django.utils import timezone

from tests.factories import CommunityFactory, MemberFactory
from wishes.choices import TeamKind, WishCategory, WishChannel, WishStatus
from wishes.models import HelpTeam, Wish, random_code

WISHER_PHONE = "13712345678"


class WishFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wish
        skip_postgeneration_save = True

    code = factory.LazyFunction(lambda: "WX" + random_code(8))
    query_code = factory.LazyFunction(lambda: random_code(8))
    title = factory.Sequence(lambda n: f"修理漏水水龙头{n}")
    text = "厨房水龙头一直滴水，老人不会修。"
    category = WishCategory.REPAIR
    community = factory.SubFactory(CommunityFactory)
    wisher_name = "张桂兰"
    wisher_phone = WISHER_PHONE
    wisher_address = "罗塘街道天目社区3栋2单元501室"
    channel = WishChannel.ONLINE
    status = WishStatus.OPEN
    submitted_at = factory.LazyFunction(timezone.now)
    opened_at = factory.LazyAttribute(lambda o: o.submitted_at if o.status != WishStatus.SUBMITTED else None)

    @factory.post_generation
    def claimed(self, create, extracted, **kwargs):
        """States past ``open`` get a claimer (``claimed_by=`` to choose one)."""
        if (
            self.status in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CLOSED)
            and not self.claimed_by_id
        ):
            self.claimed_by = MemberFactory(community=self.community)
            self.claimed_at = timezone.now()
            self.promised_date = timezone.localdate() + datetime.timedelta(days=7)
            if create:
                self.save()


class HelpTeamFactory(factory.django.DjangoModelFactory):
    """A help team (帮帮团) serving ``communities`` (a list) for urgent supplies, with ``members`` (a list);
    built directly, for lists and scope (the office's service is tested in ``tests/wishes/test_teams.py``)."""

    class Meta:
        model = HelpTeam
        skip_postgeneration_save = True

    kind = TeamKind.HELP
    name = factory.Sequence(lambda n: f"生活帮帮团{n}")
    categories = factory.LazyFunction(lambda: [WishCategory.SUPPLIES])

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.set(extracted)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)
