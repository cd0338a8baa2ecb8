"""Demo data of the surveys app, called by ``manage.py seed_demo`` after accounts and projects: the 2021
needs survey (10,000 × scale responses over every channel, May–July 2021), 1,200 × scale suggestions coded
into 5 categories / 169 problem items (about 10 % left for the coding screen), duty items for most items,
some items linked to demo projects, and one survey open today so the answering page can be tried.

Bulk inserts only (answers are built in memory, chunk by chunk); deterministic (``random.Random(2021)``)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from accounts.models import Community, Unit, User
from projects import selectors as project_selectors
from surveys.choices import Channel, DutyStatus, QuestionKind, SuggestionSource
from surveys.models import (
    Answer,
    DutyItem,
    Option,
    ProblemCategory,
    ProblemItem,
    Question,
    Response,
    Suggestion,
    Survey,
)

from .accounts import DEMO_UNIT_NAME, demo_community
from .surveys_data import (
    AGE_GROUPS,
    CATEGORIES,
    CHANNEL_WEIGHTS,
    FRAMES,
    IDENTITIES,
    PLACES,
    RATED_DOMAINS,
    SURVEY_TITLE,
    WISHES,
)

RESPONSES = 10_200
SUGGESTIONS_FROM_ANSWERS = 1_230
FREE_SUGGESTIONS = 60
UNCODED_SHARE = 0.10
CHUNK = 5_000
TZ = dt.timezone(dt.timedelta(hours=8))
OPENS = dt.datetime(2021, 5, 6, 8, 0, tzinfo=TZ)
CLOSES = dt.datetime(2021, 7, 31, 22, 0, tzinfo=TZ)
OPEN_SURVEY_TITLE = "“我为群众办实事”满意度回访问卷"


def _weighted(rng: random.Random, pairs: list[tuple]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def suggestion_text(rng: random.Random, title: str, keywords: list[str]) -> str:
    """A believable suggestion about the problem item ``title`` (used by the demo and the coding bench)."""
    kw, kw2 = rng.sample(keywords, 2)
    return rng.choice(FRAMES).format(place=rng.choice(PLACES), kw=kw, kw2=kw2, title=title)


def _problem_list(stdout) -> list[ProblemItem]:
    if ProblemItem.objects.exists():
        return list(ProblemItem.objects.select_related("category"))
    categories = ProblemCategory.objects.bulk_create(
        ProblemCategory(name=name, order=i) for i, name in enumerate(CATEGORIES)
    )
    items = []
    for category, (prefix, _units, lines) in zip(categories, CATEGORIES.values(), strict=True):
        for number, line in enumerate(lines, start=1):
            title, keywords = line.split("|")
            items.append(
                ProblemItem(category=category, code=f"{prefix}-{number:03d}", title=title, keywords=keywords)
            )
    items = ProblemItem.objects.bulk_create(items)
    stdout.write(f"  问题清单：{len(categories)} 类 {len(items)} 条")
    return list(ProblemItem.objects.select_related("category"))


def _survey() -> tuple[Survey, list[Question]]:
    survey = Survey.objects.create(
        title=SURVEY_TITLE,
        description="围绕群众“急难愁盼”，请您对各领域民生服务打分，并告诉我们最希望办的实事。每个手机号限填一次。",
        opens_at=OPENS,
        closes_at=CLOSES,
        allow_anonymous=True,
        published=True,
    )
    specs = [
        ("您的年龄段", QuestionKind.SINGLE, [a for a, _ in AGE_GROUPS], True),
        ("您的身份", QuestionKind.SINGLE, [a for a, _ in IDENTITIES], True),
        *[(f"您对本地{d}的满意度", QuestionKind.RATING, [], True) for d, _ in RATED_DOMAINS],
        ("您最希望政府办的实事（最多选 3 项）", QuestionKind.MULTIPLE, [w for w, _ in WISHES], True),
        ("您家常住人口（人）", QuestionKind.NUMBER, [], False),
        ("您对“我为群众办实事”还有哪些意见建议？", QuestionKind.TEXT, [], False),
    ]
    questions = Question.objects.bulk_create(
        Question(
            survey=survey,
            order=i,
            text=text,
            kind=kind,
            required=required,
            is_suggestion=kind == QuestionKind.TEXT,
            min_value=1 if kind == QuestionKind.NUMBER else None,
            max_value=20 if kind == QuestionKind.NUMBER else None,
        )
        for i, (text, kind, _options, required) in enumerate(specs, start=1)
    )
    Option.objects.bulk_create(
        Option(question=q, order=j, text=text)
        for q, (_t, _k, options, _r) in zip(questions, specs, strict=True)
        for j, text in enumerate(options, start=1)
    )
    return survey, list(survey.questions.prefetch_related("options"))


def _open_survey() -> None:
    now = timezone.now()
    survey = Survey.objects.create(
        title=OPEN_SURVEY_TITLE,
        description="实事项目办得怎么样？请花一分钟告诉我们。",
        opens_at=now - dt.timedelta(days=7),
        closes_at=now + dt.timedelta(days=180),
        allow_anonymous=True,
        published=True,
    )
    Question.objects.create(
        survey=survey, order=1, text="您对身边实事项目的总体满意度", kind=QuestionKind.RATING
    )
    seen = Question.objects.create(
        survey=survey, order=2, text="您感受到变化的方面（可多选）", kind=QuestionKind.MULTIPLE
    )
    Option.objects.bulk_create(
        Option(question=seen, order=i, text=w) for i, (w, _) in enumerate(WISHES[:6], start=1)
    )
    Question.objects.create(
        survey=survey,
        order=3,
        text="还有什么建议？",
        kind=QuestionKind.TEXT,
        required=False,
        is_suggestion=True,
    )


def _moment(rng: random.Random) -> dt.datetime:
    """Most answers in the first weeks after launch, a bump when the offline visits start in June."""
    span = (CLOSES - OPENS).total_seconds()
    share = rng.triangular(0, 1, 0.12) if rng.random() < 0.8 else rng.uniform(0.3, 0.75)
    moment = OPENS + dt.timedelta(seconds=share * span)
    hour = rng.choices(
        range(24), weights=[1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 8, 7, 7, 7, 7, 8, 10, 12, 12, 9, 5, 2]
    )[0]
    return moment.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.95))))


def _responses(
    rng: random.Random,
    survey: Survey,
    questions: list[Question],
    count: int,
    suggestion_slots: set[int],
    communities: list[Community],
    weights: list[int],
    staff: dict[int, int],
    admin_id: int | None,
    suggestion_texts: Iterator[tuple[str, ProblemItem]],
) -> Iterator[tuple[list[Response], list[list[Answer]], list[tuple[int, str, ProblemItem]]]]:
    by_order = {q.order: q for q in questions}
    options = {q.pk: list(q.options.all()) for q in questions}
    age, identity = by_order[1], by_order[2]
    ratings = [by_order[3 + i] for i in range(len(RATED_DOMAINS))]
    wishes, household, suggestion_q = by_order[9], by_order[10], by_order[11]
    age_weights = [w for _, w in AGE_GROUPS]
    identity_weights = [w for _, w in IDENTITIES]
    wish_weights = [w for _, w in WISHES]
    for start in range(0, count, CHUNK):
        responses, answers, texts = [], [], []
        for number in range(start, min(count, start + CHUNK)):
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            community = rng.choices(communities, weights=weights)[0]
            paper = channel != Channel.ONLINE
            responses.append(
                Response(
                    survey=survey,
                    phone="" if paper and rng.random() < 0.4 else f"1{5 + number % 5}{number:09d}",
                    community=community,
                    channel=channel,
                    entered_by_id=(staff.get(community.pk, admin_id) if paper else None),
                    submitted_at=_moment(rng),
                )
            )
            rows = [
                Answer(question=age, option=rng.choices(options[age.pk], weights=age_weights)[0]),
                Answer(
                    question=identity, option=rng.choices(options[identity.pk], weights=identity_weights)[0]
                ),
                *[
                    Answer(question=q, number=_rating(rng, mean))
                    for q, (_d, mean) in zip(ratings, RATED_DOMAINS, strict=True)
                ],
            ]
            chosen = set(rng.choices(range(len(WISHES)), weights=wish_weights, k=rng.choice((1, 2, 3, 3))))
            rows += [Answer(question=wishes, option=options[wishes.pk][i]) for i in sorted(chosen)]
            if rng.random() < 0.85:
                rows.append(
                    Answer(
                        question=household,
                        number=rng.choices(range(1, 9), weights=[6, 22, 30, 22, 11, 5, 3, 1])[0],
                    )
                )
            if number in suggestion_slots:
                text, item = next(suggestion_texts)
                rows.append(Answer(question=suggestion_q, text=text))
                texts.append((number - start, text, item))
            answers.append(rows)
        yield responses, answers, texts


def _duty_items(rng: random.Random, items: list[ProblemItem], units: dict[str, Unit]) -> list[DutyItem]:
    duty_items = []
    statuses = [(DutyStatus.DONE, 45), (DutyStatus.IN_PROGRESS, 40), (DutyStatus.NOT_STARTED, 15)]
    for item in items:
        if rng.random() < 0.1:
            continue  # about one in ten still waits to be turned into duty items
        unit_names = CATEGORIES[item.category.name][1].split()
        for k in range(rng.choice((1, 1, 2))):
            unit = units[unit_names[(item.pk + k) % len(unit_names)]]
            if item.category.name == "教育托育" and k == 0:
                unit = units[DEMO_UNIT_NAME]
            status = _weighted(rng, statuses)
            duty_items.append(
                DutyItem(
                    problem_item=item,
                    unit=unit,
                    action=(
                        f"针对“{item.title}”，{unit.short_name or unit.name}制定专项方案，"
                        "明确责任人和时间表，年底前见实效。"
                    ),
                    deadline=dt.date(2021, rng.choice((8, 9, 10, 11, 12)), rng.choice((15, 30))),
                    status=status,
                    progress_note="已按期完成，群众反映良好。" if status == DutyStatus.DONE else "",
                )
            )
    return DutyItem.objects.bulk_create(duty_items, batch_size=1000)


def _link_projects(items: list[ProblemItem], duty_items: list[DutyItem]) -> int:
    """Link items to demo projects whose title mentions one of the item's keywords (deterministic)."""
    projects = list(project_selectors.project_choices().values_list("id", "title"))
    if not projects:
        return 0
    first_duty = {}
    for duty in duty_items:
        first_duty.setdefault(duty.problem_item_id, duty)
    item_links, duty_links = [], []
    used: dict[int, int] = {}
    for item in items:
        words = [w for w in (item.keywords or "").split() if len(w) >= 2] + [item.title[:4]]
        matches = [pid for pid, title in projects if any(w in title for w in words) and used.get(pid, 0) < 3]
        for project_id in matches[:2]:
            used[project_id] = used.get(project_id, 0) + 1
            item_links.append(ProblemItem.projects.through(problemitem_id=item.pk, project_id=project_id))
            if item.pk in first_duty:
                duty_links.append(
                    DutyItem.projects.through(dutyitem_id=first_duty[item.pk].pk, project_id=project_id)
                )
    # A few more, so every category has converted items even where titles share no word.
    linked = {link.problemitem_id for link in item_links}
    for n, item in enumerate(i for i in items if i.pk not in linked and i.pk in first_duty):
        if n % 6 == 0:
            project_id = projects[(item.pk * 7) % len(projects)][0]
            item_links.append(ProblemItem.projects.through(problemitem_id=item.pk, project_id=project_id))
            duty_links.append(
                DutyItem.projects.through(dutyitem_id=first_duty[item.pk].pk, project_id=project_id)
            )
    ProblemItem.projects.through.objects.bulk_create(item_links, ignore_conflicts=True)
    DutyItem.projects.through.objects.bulk_create(duty_links, ignore_conflicts=True)
    return len({link.problemitem_id for link in item_links})


def seed(*, scale: int, stdout) -> None:
    """Idempotent: does nothing when this app's demo data is already there."""
    if Survey.objects.filter(title=SURVEY_TITLE).exists():
        return
    started = time.monotonic()
    rng = random.Random(2021)
    with transaction.atomic():
        items = _problem_list(stdout)
        survey, questions = _survey()
        _open_survey()

        communities = list(Community.objects.select_related("town").order_by("id"))
        home = demo_community()
        weights = [60 if c.pk == home.pk else rng.randint(6, 30) for c in communities]
        staff = dict(
            User.objects.filter(groups__name="community_staff", community__isnull=False).values_list(
                "community_id", "id"
            )
        )
        admin_id = User.objects.filter(username="admin").values_list("id", flat=True).first()

        # Item popularity is skewed (some problems are raised far more often), like real suggestions.
        popularity = [1 + 12 / (1 + (i * 37) % len(items)) for i in range(len(items))]
        total_answers = SUGGESTIONS_FROM_ANSWERS * scale
        count = RESPONSES * scale

        def texts() -> Iterator[tuple[str, ProblemItem]]:
            while True:
                item = rng.choices(items, weights=popularity)[0]
                yield suggestion_text(rng, item.title, item.keywords.split()), item

        text_source = texts()
        slots = set(rng.sample(range(count), total_answers))
        suggestions: list[Suggestion] = []
        truth: list[ProblemItem] = []
        for responses, answers, chunk_texts in _responses(
            rng, survey, questions, count, slots, communities, weights, staff, admin_id, text_source
        ):
            responses = Response.objects.bulk_create(responses, batch_size=2000)
            for response, rows in zip(responses, answers, strict=True):
                for row in rows:
                    row.response = response
            Answer.objects.bulk_create([row for rows in answers for row in rows], batch_size=5000)
            for index, text, item in chunk_texts:
                response = responses[index]
                suggestions.append(
                    Suggestion(
                        text=text,
                        source=SuggestionSource.ANSWER,
                        survey=survey,
                        response=response,
                        community_id=response.community_id,
                        submitted_at=response.submitted_at,
                    )
                )
                truth.append(item)
        for _ in range(FREE_SUGGESTIONS * scale):
            text, item = next(text_source)
            suggestions.append(
                Suggestion(
                    text=text,
                    source=SuggestionSource.FORM,
                    community=rng.choice(communities),
                    submitted_at=_moment(rng),
                )
            )
            truth.append(item)
        for suggestion, item in zip(suggestions, truth, strict=True):
            if rng.random() >= UNCODED_SHARE:
                suggestion.problem_item = item
                suggestion.coded_by_id = admin_id
                suggestion.coded_at = suggestion.submitted_at + dt.timedelta(days=rng.randint(3, 20))
        Suggestion.objects.bulk_create(suggestions, batch_size=2000)

        units = {u.name: u for u in Unit.objects.all()}
        duty_items = _duty_items(rng, items, units)
        linked = _link_projects(items, duty_items)
    stdout.write(
        f"  需求调研：{count} 份答卷，{len(suggestions)} 条建议，{len(duty_items)} 项履职事项，"
        f"{linked} 条问题转化为项目（{time.monotonic() - started:.1f}s）"
    )
