"""Factories of the supervision app. ``OrderFactory`` builds an order in a given state without the services
(for lists, reports and scope tests); the lifecycle tests go through the services."""

import datetime

import factory
from django.utils import timezone

from supervision.choices import InspectionKind, LeadingBody, OrderStatus
from supervision.models import ContactPoint, Inspection, Leader, SupervisionOrder
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory


class OrderFactory(factory.django.DjangoModelFactory):
    """An order on a project, answered by its lead unit; ``deadline`` a week after it was issued."""

    class Meta:
        model = SupervisionOrder

    code = factory.Sequence(lambda n: f"DB2099-{n:04d}")
    project = factory.SubFactory(ProjectFactory)
    unit = factory.LazyAttribute(lambda o: o.project.lead_unit if o.project else None)
    reason = "项目进度滞后"
    required_action = "制定赶超计划，一周内报送"
    issued_by = factory.SubFactory(UserFactory, roles=["supervisor"])
    issued_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyAttribute(
        lambda o: timezone.localtime(o.issued_at).date() + datetime.timedelta(days=7)
    )
    status = OrderStatus.ISSUED


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    kind = InspectionKind.FIELD_VISIT
    date = factory.LazyFunction(timezone.localdate)
    places = "罗塘街道天目社区"
    findings = "助餐点运行正常，群众希望增加供餐品种。"
    recorded_by = factory.SubFactory(UserFactory, roles=["supervisor"])

    @factory.post_generation
    def inspectors(self, create, extracted, **kwargs):
        if create:
            self.inspectors.set(extracted or [self.recorded_by])

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.set(extracted)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)


class LeaderFactory(factory.django.DjangoModelFactory):
    """A member of the four leading bodies, signing in as a supervisor."""

    class Meta:
        model = Leader

    user = factory.SubFactory(UserFactory, roles=["supervisor"])
    body = LeadingBody.GOVERNMENT
    title = "副区长"
    rank = factory.Sequence(lambda n: 10 + n)


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    leader = factory.SubFactory(LeaderFactory)
    since = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))
