"""Factories of the campaigns app: a campaign running today unless given its dates."""

import datetime

import factory
from django.utils import timezone

from campaigns.choices import Season
from campaigns.models import Campaign


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = "冬送温暖"
    season = Season.WINTER
    theme = "寒冬为困难群众送去棉被、取暖器"
    description = "走访慰问低保户和独居老人，送去棉被、取暖器。"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=80))
