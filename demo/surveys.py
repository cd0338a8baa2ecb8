"""Demo data of the surveys app, called by ``manage.py seed_demo`` after accounts and projects: the needs
survey a little over a year ago (10,000 × scale responses over every channel — online, 大走访, 夜访,
座谈会, paper imported by the office), 1,200 × scale suggestions coded into 5 categories / 169 problem
items (about 10 % left for the coding screen), duty items of the unit that really handles each item, the
items linked to the demo projects that answer them (``demo.projects.answering_projects``), and one survey
open today so the answering page can be tried. With the history the services write: responses entered
and imported, suggestions coded, duty items created and moved, projects linked.

Bulk inserts only (answers are plain tuples, built chunk by chunk and written with COPY: ``demo.bulk``);
deterministic (``random.Random(2021)``, and streams of their own for the suggestions' words, their
coding and the duty items)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from accounts.models import Community, Town, Unit, User
from jiangyan.core.roles import Role
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

from . import english
from .accounts import demo_community
from .bulk import copy_objects, copy_rows, reserve_ids
from .district import DOMAIN_UNITS, Timeline, timeline
from .history import Record
from .projects import answering_projects
from .surveys_data import (
    AGE_GROUPS,
    AND_ALSO,
    ANGRY_ASKS,
    CATEGORIES,
    CHANNEL_WEIGHTS,
    CLOSERS,
    DIALECT,
    DIALECT_TAILS,
    FEELINGS,
    IDENTITIES,
    OPENERS,
    PLACES,
    RATED_DOMAINS,
    SINCE,
    STYLES,
    SURVEY_TITLE,
    SYNONYMS,
    TWO_PROBLEMS_SHARE,
    TYPOS,
    VOICES,
    WECHAT_MARKS,
    WISHES,
)

RESPONSES = 10_200
SUGGESTIONS_FROM_ANSWERS = 1_230
FREE_SUGGESTIONS = 60
UNCODED_SHARE = 0.10
# Separate streams: the suggestions' words, which of them are coded, and the duty items do not move when
# another part of the demo draws one number more or less.
SEED = 2021
VOICE_SEED, CODING_SEED, DUTY_SEED = f"{SEED}:voices", f"{SEED}:coding", f"{SEED}:duty"
CHUNK = 5_000
LINKS_PER_ITEM = 3
OPEN_SURVEY_TITLE = "“我为群众办实事”满意度回访问卷"


def _weighted(rng: random.Random, pairs: list[tuple]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _ask(ask: str) -> str:
    return f"{ask}？" if ask.startswith("能不能") else f"{ask}。"


def _maybe(rng: random.Random, share: float, options: list[str]) -> str:
    return rng.choice(options) if rng.random() < share else ""


def suggestion_text(rng: random.Random, titles: list[str]) -> str:
    """A suggestion as a resident would write it about the problem items ``titles`` (usually one; two when
    the resident names two problems): their own words for the problem, sometimes an opening, how long it
    has lasted, what they ask for, in one of the styles residents write (plain, dialect, WeChat, angry,
    short, a pinyin slip, long)."""
    style = _weighted(rng, STYLES)
    first, *others = titles
    problem_a, problem_b, ask = VOICES[first]
    problem = rng.choice((problem_a, problem_b))
    place = rng.choice(PLACES)
    if style == "short":
        text = problem.split("，")[0]
    elif style == "long":
        text = (
            rng.choice(OPENERS).format(place=place)
            + f"{problem_a}，{problem_b}，{rng.choice(SINCE)}，{rng.choice(FEELINGS)}。{_ask(ask)}"
            + rng.choice(CLOSERS)
        )
    else:
        opener = _maybe(rng, 0.35, OPENERS).format(place=place)
        since = _maybe(rng, 0.3, SINCE)
        text = opener + problem + (f"，{since}" if since else "")
        if style == "angry":
            text += "，" + rng.choice(ANGRY_ASKS)
        elif rng.random() < 0.6:
            text += "，" + _ask(ask)
        else:
            text += "。"
    for other in others:
        text = text.rstrip("。！？") + rng.choice(AND_ALSO) + rng.choice(VOICES[other][:2]) + "。"
    if style == "dialect":
        for standard, spoken in DIALECT:
            text = text.replace(standard, spoken)
        if rng.random() < 0.6:
            text = text.rstrip("。！？") + rng.choice(DIALECT_TAILS) + "。"
    elif style == "typo":
        slips = [(right, wrong) for right, wrong in TYPOS if right in text]
        for right, wrong in rng.sample(slips, min(len(slips), rng.choice((1, 1, 2)))):
            text = text.replace(right, wrong, 1)
    elif style == "wechat":
        text = text.rstrip("。").replace("。", "～") + "".join(
            rng.sample(WECHAT_MARKS, rng.choice((1, 2, 3)))
        )
    if rng.random() < 0.15 and style not in ("short", "long", "wechat"):
        text += rng.choice(CLOSERS)
    return text


def demo_suggestions(rng: random.Random, items: list, categories: list) -> Iterator[tuple[str, list]]:
    """Endless demo suggestions and the items (objects with a ``title``) they name: one, or two of the same
    category (``categories[i]`` is item ``i``'s) for ``TWO_PROBLEMS_SHARE`` of them, like 路灯 and 坑洼.
    Item popularity is skewed (some problems are raised far more often), like real suggestions."""
    popularity = [1 + 12 / (1 + (i * 37) % len(items)) for i in range(len(items))]
    by_category: dict = defaultdict(list)
    for index, category in enumerate(categories):
        by_category[category].append(index)
    while True:
        first = rng.choices(range(len(items)), weights=popularity)[0]
        named = [items[first]]
        if rng.random() < TWO_PROBLEMS_SHARE:
            near = [i for i in by_category[categories[first]] if i != first]
            named.append(items[rng.choices(near, weights=[popularity[i] for i in near])[0]])
        yield suggestion_text(rng, [i.title for i in named]), named


def coded_flags() -> Iterator[bool]:
    """Whether each demo suggestion, in order, has been coded (about 10 % wait on the coding screen)."""
    rng = random.Random(CODING_SEED)
    while True:
        yield rng.random() >= UNCODED_SHARE


def problem_fields() -> dict[str, tuple[str, str]]:
    """Problem item title → (its field, the unit that handles it): the demo's own table."""
    return {
        line.split("|")[0]: tuple(line.split("|")[2:4])
        for _prefix, lines in CATEGORIES.values()
        for line in lines
    }


def _problem_list(stdout) -> list[ProblemItem]:
    if ProblemItem.objects.exists():
        return list(ProblemItem.objects.select_related("category"))
    categories = ProblemCategory.objects.bulk_create(
        ProblemCategory(name=name, name_en=english.PROBLEM_CATEGORIES.get(name, ""), order=i)
        for i, name in enumerate(CATEGORIES)
    )
    items = []
    for category, (prefix, lines) in zip(categories, CATEGORIES.values(), strict=True):
        for number, line in enumerate(lines, start=1):
            title, keywords, _field, unit = line.split("|")
            items.append(
                ProblemItem(
                    category=category,
                    code=f"{prefix}-{number:03d}",
                    title=title,
                    keywords=keywords,
                    synonyms=SYNONYMS[title],
                    description=f"责任单位：{unit}",
                )
            )
    items = ProblemItem.objects.bulk_create(items)
    stdout.write(f"  问题清单：{len(categories)} 类 {len(items)} 条")
    return list(ProblemItem.objects.select_related("category"))


def _window(when: Timeline) -> tuple[dt.datetime, dt.datetime]:
    return when.at(when.survey_opens, 8), when.at(when.survey_closes, 22)


def _survey(when: Timeline) -> tuple[Survey, list[Question]]:
    opens, closes = _window(when)
    survey = Survey.objects.create(
        title=SURVEY_TITLE,
        description="围绕群众“急难愁盼”，请您对各领域民生服务打分，并告诉我们最希望办的实事。每个手机号限填一次。",
        opens_at=opens,
        closes_at=closes,
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


def _moment(rng: random.Random, opens: dt.datetime, closes: dt.datetime) -> dt.datetime:
    """Most answers in the first weeks after launch, a bump when the offline visits start a month in."""
    span = (closes - opens).total_seconds()
    share = rng.triangular(0, 1, 0.12) if rng.random() < 0.8 else rng.uniform(0.3, 0.75)
    moment = timezone.localtime(opens + dt.timedelta(seconds=share * span))
    hour = rng.choices(
        range(24), weights=[1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 8, 7, 7, 7, 7, 8, 10, 12, 12, 9, 5, 2]
    )[0]
    return moment.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.95))))


class _Responses:
    """Builds the main survey's responses chunk by chunk (answers in memory, then bulk inserts)."""

    def __init__(self, rng, survey, questions, when: Timeline, communities, staff, admin):
        self.rng, self.survey, self.when = rng, survey, when
        self.opens, self.closes = survey.opens_at, survey.closes_at
        self.communities, self.staff, self.admin = communities, staff, admin
        home = demo_community()
        self.weights = [60 if c.pk == home.pk else rng.randint(6, 30) for c in communities]
        by_order = {q.order: q for q in questions}
        self.options = {q.pk: list(q.options.all()) for q in questions}
        self.age, self.identity = by_order[1], by_order[2]
        self.ratings = [by_order[3 + i] for i in range(len(RATED_DOMAINS))]
        self.wishes, self.household, self.suggestion = by_order[9], by_order[10], by_order[11]

    def moment(self) -> dt.datetime:
        return _moment(self.rng, self.opens, self.closes)

    def chunks(self, count: int, suggestion_slots: set[int], texts: Iterator[tuple[str, list[ProblemItem]]]):
        rng = self.rng
        age_weights = [w for _, w in AGE_GROUPS]
        identity_weights = [w for _, w in IDENTITIES]
        wish_weights = [w for _, w in WISHES]
        options = self.options
        age, identity = self.age.pk, self.identity.pk
        age_options = [o.pk for o in options[age]]
        identity_options = [o.pk for o in options[identity]]
        ratings = [(q.pk, mean) for q, (_d, mean) in zip(self.ratings, RATED_DOMAINS, strict=True)]
        wishes, household, suggestion = self.wishes.pk, self.household.pk, self.suggestion.pk
        wish_options = [o.pk for o in options[wishes]]
        for start in range(0, count, CHUNK):
            responses, answers, chunk_texts = [], [], []
            for number in range(start, min(count, start + CHUNK)):
                channel = _weighted(rng, CHANNEL_WEIGHTS)
                community = rng.choices(self.communities, weights=self.weights)[0]
                paper = channel != Channel.ONLINE
                if channel == Channel.IMPORT:
                    entered_by = self.admin
                else:
                    entered_by = self.staff.get(community.pk, self.admin) if paper else None
                responses.append(
                    Response(
                        survey=self.survey,
                        phone="" if paper and rng.random() < 0.4 else f"1{5 + number % 5}{number:09d}",
                        community=community,
                        channel=channel,
                        entered_by=entered_by,
                        submitted_at=self.moment(),
                    )
                )
                # (question, option, number, text): plain tuples, written with COPY (demo.bulk).
                rows = [
                    (age, rng.choices(age_options, weights=age_weights)[0], None, ""),
                    (identity, rng.choices(identity_options, weights=identity_weights)[0], None, ""),
                    *[(q, None, _rating(rng, mean), "") for q, mean in ratings],
                ]
                chosen = set(
                    rng.choices(range(len(WISHES)), weights=wish_weights, k=rng.choice((1, 2, 3, 3)))
                )
                rows += [(wishes, wish_options[i], None, "") for i in sorted(chosen)]
                if rng.random() < 0.85:
                    rows.append(
                        (
                            household,
                            None,
                            rng.choices(range(1, 9), weights=[6, 22, 30, 22, 11, 5, 3, 1])[0],
                            "",
                        )
                    )
                if number in suggestion_slots:
                    text, named = next(texts)
                    rows.append((suggestion, None, None, text))
                    chunk_texts.append((number - start, text, named))
                answers.append(rows)
            yield responses, answers, chunk_texts


def _record_entries(record: Record, responses: list[Response], imported: dict[dt.date, int]) -> None:
    """The events of the questionnaires staff entered from paper; those the office imported are counted
    in ``imported`` by the Monday after their week (one import a week)."""
    for response in responses:
        if response.channel == Channel.ONLINE:
            continue
        if response.channel == Channel.IMPORT:
            day = timezone.localdate(response.submitted_at)
            imported[day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=7)] += 1
            continue
        record.add(
            at=response.submitted_at,
            actor=response.entered_by,
            verb="survey.response_enter",
            target=response,
            after={"channel": response.channel, "community": str(response.community or "")},
        )


def _duty_status(rng: random.Random, deadline: dt.date, today: dt.date) -> str:
    if deadline < today:
        return DutyStatus.DONE if rng.random() < 0.85 else DutyStatus.IN_PROGRESS
    return _weighted(rng, [(DutyStatus.DONE, 25), (DutyStatus.IN_PROGRESS, 50), (DutyStatus.NOT_STARTED, 25)])


DONE_NOTE = "已按期完成，群众反映良好。"


def _duty_items(
    rng: random.Random,
    items: list[ProblemItem],
    units: dict[str, Unit],
    when: Timeline,
    record: Record,
    admin: User,
    liaisons: dict[int, User],
) -> list[DutyItem]:
    """One duty item for the unit that handles each problem item (about one item in ten still waits), and
    for some a second one for another unit of the same field; each created by the office and moved along
    by its unit, with the events of those acts."""
    fields = problem_fields()
    duty_items, moves = [], []
    created_at = when.at(when.duty_list, 10)
    for item in items:
        if rng.random() < 0.1:
            continue
        field, first = fields[item.title]
        names = [first]
        others = [u for u in DOMAIN_UNITS[field] if u != first]
        if others and rng.random() < 0.3:
            names.append(rng.choice(others))
        for name in names:
            unit = units[name]
            deadline = when.day(rng.randint(-260, 120))
            status = _duty_status(rng, deadline, when.today)
            duty = DutyItem(
                problem_item=item,
                unit=unit,
                action=(
                    f"针对“{item.title}”，{unit.short_name or unit.name}制定专项方案，"
                    "明确责任人和时间表，按期见实效。"
                ),
                deadline=deadline,
                status=status,
                progress_note=DONE_NOTE if status == DutyStatus.DONE else "",
                created_at=created_at,
            )
            duty_items.append(duty)
            started = when.day(rng.randint(-300, -200))
            finished = min(deadline, when.today) - dt.timedelta(days=rng.randint(0, 20))
            moves.append((duty, started, max(finished, started + dt.timedelta(days=7))))
    duty_items = DutyItem.objects.bulk_create(duty_items, batch_size=1000)
    for duty, started, finished in moves:
        record.add(
            at=created_at,
            actor=admin,
            verb="duty_item.create",
            target=duty,
            after={
                "unit": duty.unit.name,
                "action": duty.action,
                "deadline": duty.deadline.isoformat(),
                "projects": [],
            },
        )
        liaison = liaisons.get(duty.unit_id)
        steps = []
        if duty.status != DutyStatus.NOT_STARTED:
            steps.append((started, 15, DutyStatus.NOT_STARTED, DutyStatus.IN_PROGRESS, {}))
        if duty.status == DutyStatus.DONE:
            done = {"note": DONE_NOTE, "progress_note": DONE_NOTE, "previous": {"progress_note": ""}}
            steps.append((finished, 16, DutyStatus.IN_PROGRESS, DutyStatus.DONE, done))
        for day, hour, before, after, details in steps:
            # As ``duty_item_update`` records a move by the unit (with its progress note when it is done).
            record.transition(
                at=when.at(day, hour),
                actor=liaison,
                verb="duty_item.update",
                target=duty,
                before=before,
                after=after,
                **details,
            )
    return duty_items


def _link_projects(
    items: list[ProblemItem], duty_items: list[DutyItem], *, scale: int, when: Timeline, record, admin
) -> int:
    """Link each problem item to the demo projects that answer it (up to three), and each of its duty items
    to those its unit leads or helps with — the office's acts, after the projects were registered."""
    towns = list(Town.objects.values_list("name", flat=True))
    answers = answering_projects(scale=scale, towns=towns)
    projects = {
        p.code: p
        for p in project_selectors.projects_by_codes([c for codes in answers.values() for c in codes])
        .select_related("lead_unit")
        .prefetch_related("cooperating_units")
    }
    duties: dict[int, list[DutyItem]] = defaultdict(list)
    for duty in duty_items:
        duties[duty.problem_item_id].append(duty)
    item_links, duty_links = [], []
    at = when.at(when.registry + dt.timedelta(days=3), 15)
    for item in items:
        chosen = [projects[c] for c in answers.get(item.title, []) if c in projects][:LINKS_PER_ITEM]
        if not chosen:
            continue
        item_links += [ProblemItem.projects.through(problemitem_id=item.pk, project_id=p.pk) for p in chosen]
        codes = sorted(p.code for p in chosen)
        record.add(
            at=at,
            actor=admin,
            verb="problem_item.link_projects",
            target=item,
            before={"projects": []},
            after={"projects": codes},
        )
        for duty in duties[item.pk]:
            mine = [
                p
                for p in chosen
                if p.lead_unit_id == duty.unit_id
                or any(u.pk == duty.unit_id for u in p.cooperating_units.all())
            ]
            if not mine:
                continue
            duty_links += [DutyItem.projects.through(dutyitem_id=duty.pk, project_id=p.pk) for p in mine]
            record.add(
                at=at,
                actor=admin,
                verb="duty_item.update",
                target=duty,
                before={"projects": []},
                after={"projects": sorted(p.code for p in mine)},
            )
    ProblemItem.projects.through.objects.bulk_create(item_links, ignore_conflicts=True)
    DutyItem.projects.through.objects.bulk_create(duty_links, ignore_conflicts=True)
    return len({link.problemitem_id for link in item_links})


def seed(*, scale: int, stdout) -> None:
    """Idempotent: does nothing when this app's demo data is already there."""
    if Survey.objects.filter(title=SURVEY_TITLE).exists():
        return
    started = time.monotonic()
    rng = random.Random(SEED)
    when = timeline()
    record = Record()
    with transaction.atomic():
        items = _problem_list(stdout)
        survey, questions = _survey(when)
        _open_survey()

        communities = list(Community.objects.select_related("town").order_by("id"))
        staff = {}
        for user in User.objects.filter(groups__name=Role.COMMUNITY_STAFF, community__isnull=False).order_by(
            "pk"
        ):
            staff.setdefault(user.community_id, user)
        liaisons = {}
        for user in User.objects.filter(groups__name=Role.UNIT_STAFF, unit__isnull=False).order_by("pk"):
            liaisons.setdefault(user.unit_id, user)
        admin = User.objects.filter(username="admin").first()
        builder = _Responses(rng, survey, questions, when, communities, staff, admin)

        total_answers = SUGGESTIONS_FROM_ANSWERS * scale
        count = RESPONSES * scale

        text_source = demo_suggestions(random.Random(VOICE_SEED), items, [i.category_id for i in items])
        slots = set(rng.sample(range(count), total_answers))
        suggestions: list[Suggestion] = []
        truth: list[list[ProblemItem]] = []
        imported: dict[dt.date, int] = defaultdict(int)
        for responses, answers, chunk_texts in builder.chunks(count, slots, text_source):
            copy_objects(responses, ids=reserve_ids(Response, len(responses)))
            copy_rows(
                Answer,
                ("response_id", "question_id", "option_id", "number", "text"),
                (
                    (response.pk, *row)
                    for response, rows in zip(responses, answers, strict=True)
                    for row in rows
                ),
            )
            _record_entries(record, responses, imported)
            for index, text, named in chunk_texts:
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
                truth.append(named)
        for monday, rows in sorted(imported.items()):
            record.add(
                at=when.at(monday, 10),
                actor=admin,
                verb="survey.responses_import",
                target=survey,
                after={"rows": rows},
            )
        for _ in range(FREE_SUGGESTIONS * scale):
            text, named = next(text_source)
            suggestions.append(
                Suggestion(
                    text=text,
                    source=SuggestionSource.FORM,
                    community=rng.choice(communities),
                    submitted_at=builder.moment(),
                )
            )
            truth.append(named)
        coded = []
        for suggestion, named, is_coded in zip(suggestions, truth, coded_flags(), strict=False):
            if is_coded:
                suggestion.problem_item = named[0]
                suggestion.coded_by = admin
                suggestion.coded_at = when.at(
                    when.survey_closes + dt.timedelta(days=rng.randint(3, 20)),
                    rng.randint(9, 17),
                    rng.randint(0, 59),
                )
                coded.append(suggestion)
        Suggestion.objects.bulk_create(suggestions, batch_size=2000)
        named_by = {id(s): named for s, named in zip(suggestions, truth, strict=True)}
        Suggestion.problem_items.through.objects.bulk_create(
            (
                Suggestion.problem_items.through(suggestion_id=s.pk, problemitem_id=item.pk)
                for s in coded
                for item in named_by[id(s)]
            ),
            batch_size=5000,
        )
        for suggestion in coded:
            # As ``suggestion_code`` / ``suggestions_code`` record it.
            record.add(
                at=suggestion.coded_at,
                actor=admin,
                verb="suggestion.code",
                target=suggestion,
                before={"problem_item": None, "problem_items": []},
                after={
                    "problem_item": suggestion.problem_item.code,
                    "problem_items": sorted(i.code for i in named_by[id(suggestion)]),
                },
            )

        units = {u.name: u for u in Unit.objects.all()}
        duty_items = _duty_items(random.Random(DUTY_SEED), items, units, when, record, admin, liaisons)
        linked = _link_projects(items, duty_items, scale=scale, when=when, record=record, admin=admin)
        events = record.save()
    stdout.write(
        f"  需求调研：{count} 份答卷，{len(suggestions)} 条建议，{len(duty_items)} 项履职事项，"
        f"{linked} 条问题转化为项目，记录 {events} 条（{time.monotonic() - started:.1f}s）"
    )
