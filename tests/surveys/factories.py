"""Factories of the surveys app (organisation factories come from ``tests.factories``)."""

import datetime
import io

import factory
from django.utils import timezone
from openpyxl import load_workbook

from surveys import spreadsheets
from surveys.choices import Channel, DutyStatus, QuestionKind, SuggestionSource
from surveys.models import (
    DutyItem,
    Option,
    ProblemCategory,
    ProblemItem,
    Question,
    Response,
    Suggestion,
    Survey,
)
from tests.factories import CommunityFactory, UnitFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    """A published survey, open from yesterday for 30 days, anonymous answers allowed."""

    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"测试问卷{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    allow_anonymous = True
    published = True


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"第{n}题")
    kind = QuestionKind.SINGLE
    required = True


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"选项{n}")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    community = factory.SubFactory(CommunityFactory)
    channel = Channel.ONLINE


class ProblemCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemCategory
        django_get_or_create = ["name"]

    name = "养老服务"


class ProblemItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemItem

    category = factory.SubFactory(ProblemCategoryFactory)
    code = factory.Sequence(lambda n: f"T-{n:03d}")
    title = factory.Sequence(lambda n: f"测试问题{n}")
    keywords = ""


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"建议第{n}条：希望增设社区老年助餐点")
    source = SuggestionSource.FORM
    community = factory.SubFactory(CommunityFactory)

    @factory.post_generation
    def coded(self, create, extracted, **kwargs):
        """A suggestion made with ``problem_item`` is coded to it (and to ``coded=[…]`` items besides)."""
        if create and self.problem_item_id:
            self.problem_items.add(self.problem_item, *(extracted or []))


class DutyItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyItem

    problem_item = factory.SubFactory(ProblemItemFactory)
    unit = factory.SubFactory(UnitFactory)
    action = "制定专项方案，年底前完成"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    status = DutyStatus.NOT_STARTED


def survey_with_every_kind(**kwargs) -> dict:
    """A survey with one question of each kind; returns the survey and its questions and options by name."""
    survey = SurveyFactory(**kwargs)
    single = QuestionFactory(survey=survey, order=1, text="年龄段", kind=QuestionKind.SINGLE)
    young, old = (
        OptionFactory(question=single, text="60岁以下"),
        OptionFactory(question=single, text="60岁及以上"),
    )
    multiple = QuestionFactory(survey=survey, order=2, text="最希望办的实事", kind=QuestionKind.MULTIPLE)
    care, school, roads = (
        OptionFactory(question=multiple, text=t) for t in ("养老服务", "托育与教育", "道路交通")
    )
    rating = QuestionFactory(survey=survey, order=3, text="养老服务满意度", kind=QuestionKind.RATING)
    number = QuestionFactory(
        survey=survey,
        order=4,
        text="家庭人口",
        kind=QuestionKind.NUMBER,
        required=False,
        min_value=1,
        max_value=20,
    )
    text = QuestionFactory(
        survey=survey, order=5, text="意见建议", kind=QuestionKind.TEXT, required=False, is_suggestion=True
    )
    return {
        "survey": survey,
        "single": single,
        "young": young,
        "old": old,
        "multiple": multiple,
        "care": care,
        "school": school,
        "roads": roads,
        "rating": rating,
        "number": number,
        "text": text,
    }


def valid_answers(s: dict, **overrides) -> dict:
    answers = {
        s["single"].pk: s["old"].pk,
        s["multiple"].pk: [s["care"].pk, s["roads"].pk],
        s["rating"].pk: 4,
        s["number"].pk: 3,
        s["text"].pk: "建议小区增设老年助餐点",
    }
    answers.update(overrides)
    return answers


def form_data(s: dict, phone: str = "13800138000", **extra) -> dict:
    """POST data of the answering page for ``valid_answers``."""
    data = {
        f"q_{s['single'].pk}": str(s["old"].pk),
        f"q_{s['multiple'].pk}": [str(s["care"].pk), str(s["roads"].pk)],
        f"q_{s['rating'].pk}": "4",
        f"q_{s['number'].pk}": "3",
        f"q_{s['text'].pk}": "建议小区增设老年助餐点",
        "phone": phone,
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def import_sheet(s: dict, rows: list[list]) -> io.BytesIO:
    """The survey's own import template (``survey_with_every_kind``) filled with these data rows."""
    questions = [s[k] for k in ("single", "multiple", "rating", "number", "text")]
    workbook = load_workbook(io.BytesIO(spreadsheets.import_template(questions)))
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def import_row(place, phone="13600136000", **overrides) -> list:
    """A valid data row of ``import_sheet`` in the community ``place``; ``overrides`` by column key."""
    row = {
        "time": "2021-05-20 10:30",
        "phone": phone,
        "town": place.town.name,
        "community": place.name,
        "channel": "",
        "single": "60岁及以上",
        "multiple": "养老服务；道路交通",
        "rating": 5,
        "number": 3,
        "text": "建议增设助餐点",
    }
    row.update(overrides)
    return list(row.values())
