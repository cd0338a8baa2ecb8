"""Factories of the project registry (organisation factories come from ``tests.factories``)."""

import datetime

import factory
from django.utils import timezone

from projects.choices import EvaluatorRole, ProjectStatus
from projects.models import (
    CampaignYear,
    Domain,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
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
    name_en = "Benefiting residents"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ["name"]

    name = "利民惠民"
    name_en = "Services for Residents"
    key_task = factory.SubFactory(KeyTaskFactory)


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ["name"]

    name = "养老"
    name_en = "Elderly care"


class TargetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetGroup
        django_get_or_create = ["name"]

    name = "老年"
    name_en = "Older people"


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


DEFAULT_CRITERION = "综合评价"  # made by migration 0007; made again here after a flush


def default_criterion() -> EvaluationCriterion:
    """The criterion the old single score became (weight 1 for every role)."""
    return EvaluationCriterion.objects.get_or_create(
        name=DEFAULT_CRITERION,
        defaults={"weight_party_member": 1, "weight_supervisor": 1, "weight_resident": 1, "order": 0},
    )[0]


def month_round(day: datetime.date | None = None) -> EvaluationRound:
    """The round of the calendar month of ``day`` (today by default), made when missing: what the months
    rated before the method had rounds became, and what the tests open."""
    first = (day or timezone.localdate()).replace(day=1)
    last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    found = EvaluationRound.objects.filter(starts_on__lte=last, ends_on__gte=first).first()
    return found or EvaluationRound.objects.create(
        name=f"{first.year}年{first.month}月", starts_on=first, ends_on=last
    )


def open_evaluation() -> EvaluationRound:
    """Evaluation open today with the default criterion alone: the portal as it was before rounds."""
    default_criterion()
    return month_round()


def rating_form(score: int, criterion: EvaluationCriterion | None = None, **extra) -> dict:
    """What the page's evaluation form posts: ``score`` for ``criterion`` (the default one)."""
    return {f"criterion_{(criterion or default_criterion()).pk}": str(score), **extra}


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationCriterion
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"评价内容{n}")
    order = factory.Sequence(lambda n: n + 1)


class EvaluationFactory(factory.django.DjangoModelFactory):
    """A rating; ``score`` (4 by default) is its score of the default criterion, ``scores`` (``{criterion:
    score}``) replaces it."""

    class Meta:
        model = Evaluation
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    evaluator = factory.SubFactory(UserFactory)
    evaluator_role = EvaluatorRole.RESIDENT
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    round = factory.LazyAttribute(lambda o: month_round(o.month))
    score = 4
    scores = None

    @factory.post_generation
    def given(obj, create, extracted, **kwargs):
        if not create:
            return
        factory_params = obj._factory_params
        scores = factory_params.get("scores") or {default_criterion(): factory_params.get("score", 4)}
        EvaluationScore.objects.bulk_create(
            EvaluationScore(evaluation=obj, criterion=c, score=value) for c, value in scores.items()
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        params = {"score": kwargs.pop("score", 4), "scores": kwargs.pop("scores", None)}
        obj = super()._create(model_class, *args, **kwargs)
        obj._factory_params = params
        return obj


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
