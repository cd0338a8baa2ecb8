"""Factories of the project registry (organisation factories come from ``tests.factories``)."""

import datetime

import factory
from django.utils import timezone

from projects.choices import EvaluatorRole, ProjectStatus
from projects.models import (
    CampaignYear,
    Domain,
    Evaluation,
    Indicator,
    KeyTask,
    Milestone,
    Program,
    ProgressStatement,
    Project,
    TargetGroup,
)
from tests.factories import UnitFactory, UserFactory


class KeyTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyTask
        django_get_or_create = ["name"]

    name = "惠民"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ["name"]

    name = "利民惠民"
    key_task = factory.SubFactory(KeyTaskFactory)


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ["name"]

    name = "养老"


class TargetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetGroup
        django_get_or_create = ["name"]

    name = "老年"


TEST_YEAR = 2021  # the year of the test material (the article, the office files: JY2021-…)


def current_year() -> CampaignYear:
    """The current campaign year; before any, ``TEST_YEAR``, opened and current."""
    found = CampaignYear.objects.filter(is_current=True).first()
    if found is None:
        found, _created = CampaignYear.objects.get_or_create(
            year=TEST_YEAR, defaults={"title": "", "is_current": True}
        )
    return found


class CampaignYearFactory(factory.django.DjangoModelFactory):
    """An earlier campaign year (not current)."""

    class Meta:
        model = CampaignYear
        django_get_or_create = ("year",)

    year = 2025
    title = ""
    is_current = False


class ProjectFactory(factory.django.DjangoModelFactory):
    """A public project in progress that started 60 days ago and ends in 120 days; no milestones."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"JY2099-{n:04d}")
    year = factory.LazyFunction(current_year)
    title = factory.Sequence(lambda n: f"测试实事项目{n}")
    summary = "为群众办实事"
    program = factory.SubFactory(ProgramFactory)
    domain = factory.SubFactory(DomainFactory)
    lead_unit = factory.SubFactory(UnitFactory)
    planned_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    planned_end = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=120))
    status = ProjectStatus.IN_PROGRESS
    is_public = True

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"节点{n}")
    planned_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    weight = 50


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory)
    name = "改造梦想小屋"
    unit = "户"
    target_value = 155
    current_value = 0


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressStatement

    project = factory.SubFactory(ProjectFactory)
    period_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=6))
    period_end = factory.LazyFunction(timezone.localdate)
    text = "本周按序时推进。"


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    project = factory.SubFactory(ProjectFactory)
    evaluator = factory.SubFactory(UserFactory)
    evaluator_role = EvaluatorRole.RESIDENT
    score = 4
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))


def project_with_milestones(*, count: int = 4, **kwargs) -> Project:
    """A project with ``count`` milestones (weights 25 each, one due in the past and done), an indicator
    and target group 老年: what a list row has to show."""
    project = ProjectFactory(target_groups=[TargetGroupFactory()], **kwargs)
    today = timezone.localdate()
    for i in range(count):
        MilestoneFactory(
            project=project,
            planned_date=today + datetime.timedelta(days=30 * i - 20),
            weight=100 // count,
            done_date=today - datetime.timedelta(days=21) if i == 0 else None,
        )
    IndicatorFactory(project=project)
    return project
