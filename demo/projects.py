"""Demo data of the projects app, called by ``manage.py seed_demo``: 236 × scale projects (``projects_data``)
with milestones, indicators, weekly statements, photos and evaluations, and the history the services
would have written for each of those acts (``demo.history``): the office's import, milestones done,
statements with their indicator updates and photos, status changes, ratings.

Each project is tagged to the town its title names, led by a unit of its field, and answers the problem
items its template names (``demo.surveys`` links them). About 10 % are completed, 15 % behind schedule,
8 % not started and 2 % suspended — all relative to today (``demo.district.timeline``), so the proportions
hold whenever it runs. Deterministic (a fixed random seed) and bulk inserts only."""

import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import translation

from accounts.models import Community, Town, Unit, User
from jiangyan.core.roles import Role
from jiangyan.helpers import clock
from projects import services as project_services
from projects.choices import EvaluatorRole, ProjectStatus
from projects.importing import ItemPlan, ProjectPlan, event_fields
from projects.models import (
    CampaignYear,
    Domain,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    Indicator,
    IndicatorUpdate,
    KeyTask,
    Milestone,
    Program,
    ProgressStatement,
    Project,
    ProjectPhoto,
    TargetGroup,
)
from projects.services import (
    EVALUATION_NOTE,
    INDICATOR_NOTE,
    MILESTONE_NOTE,
    campaign_year_make_current,
    campaign_year_open,
)
from projects.tasks import store_schedules

from . import campaigns as seasonal
from . import english, pictures
from .bulk import copy_objects, reserve_ids, update_objects
from .district import EXTRA_DOMAINS, URBAN_TOWNS, timeline
from .history import Record
from .projects_data import ARTICLE, DISTRICT, PER_TOWN, SCENE_OF_DOMAIN, Template

PROJECT_COUNT = 236


def demo_year() -> int:
    """The demo's campaign year: the year its project list was imported (``timeline().registry``). Its
    codes carry it (``JY2026-001``) and its dates run from that list's import into the months ahead."""
    return timeline().registry.year


def code_prefix() -> str:
    return f"JY{demo_year()}-"


SEED = 20210501
PROGRAMS = [
    ("智造强企", "助企"),
    ("富民兴村", "兴村"),
    ("利民惠民", "惠民"),
    ("提质增效", "提效"),
    ("崇法善治", "善治"),
]
DOMAINS = [
    "经济发展",
    "环境保护",
    "社区治理",
    "居民增收",
    "教育",
    "养老",
    "医疗卫生",
    "就业",
    "文化体育",
    "交通出行",
    "住房保障",
    "平安法治",
    "政务服务",
    "农业农村",
    *EXTRA_DOMAINS,
]
TARGET_GROUPS = ["老年", "青少年", "低收入", "全体居民", "残疾人", "妇女儿童", "企业"]
# The article's projects had their own fate by the autumn: the summer classes and the dream rooms done …
ARTICLE_KINDS = ["completed", "completed", "on_track", "on_track", "on_track", "completed", "on_track"]
ARTICLE_KINDS += ["completed", "on_track"]
SHARES = {"completed": 0.10, "behind": 0.15, "future": 0.08, "suspended": 0.02}
MILESTONE_NAMES = {
    3: ["制定实施方案", "启动实施", "全面完成"],
    4: ["制定实施方案", "启动实施", "主体完工", "验收评估"],
    5: ["制定实施方案", "摸底调查、明确对象", "启动实施", "主体完工", "验收评估"],
}
STATEMENT_TEXTS = [
    "本周召开推进会，明确责任分工，对照节点清单逐项推进。",
    "深入一线走访群众，收集意见建议 {n} 条，按序时推进。",
    "协调解决资金和场地问题，现场施工有序开展。",
    "联合协办单位开展现场督查，整改问题 {n} 个。",
    "通过“江苏姜堰”微信公众号公开进展，接受群众监督。",
    "召开群众座谈会，听取意见 {n} 条，逐条明确整改措施。",
]
SUSPEND_REASON = "因用地手续调整，经区办实事办公室同意暂缓实施，手续完成后恢复推进。"
# What raters write fits how the project is doing: nobody praises the pace of a project far behind.
REVIEW_TEXTS = {
    "on_track": [
        "实实在在，为群众办了好事。",
        "进度很快，希望继续保持。",
        "建议加大宣传，让更多人知道。",
        "服务态度好，点赞！",
        "希望覆盖更多村居。",
        "",
    ],
    "completed": [
        "实实在在，为群众办了好事。",
        "已经用上了，很方便，点赞！",
        "希望覆盖更多村居。",
        "建议做好后续管护。",
        "",
    ],
    "behind": [
        "进度有点慢，希望抓紧推进。",
        "开工以后没什么动静，什么时候能完成？",
        "施工影响出行，希望早日完工。",
        "建议及时公开进展。",
        "",
    ],
    "suspended": ["暂缓了，希望手续办好后尽快恢复。", "希望说明暂缓原因和恢复时间。", ""],
}
SUPERVISOR_REVIEWS = {
    "on_track": "按序时推进，成效明显。",
    "completed": "按期完成，群众认可度高。",
    "behind": "进度滞后序时，需制定赶超计划。",
    "suspended": "暂缓实施，手续办结后及时恢复。",
}
# The office's evaluation method (评价内容 and each evaluator role's weight: 党员议, 领导评, 群众评议). The
# first is the criterion the old single score became (migration 0007's 综合评价), renamed by the office.
CRITERIA = [
    ("群众满意度", "群众对项目成效的满意程度", {"party_member": 1, "supervisor": 1, "resident": 3}),
    ("完成质量", "建设或服务的质量、标准和实效", {"party_member": 2, "supervisor": 3, "resident": 1}),
    # Residents do not see a project's schedule: the pace is judged by party members and leaders.
    ("进度时效", "是否按序时推进、按期完成", {"party_member": 2, "supervisor": 3, "resident": 0}),
]
# The scores each criterion gets, by how the project is doing: a project behind schedule never gets top
# marks for its pace (进度时效), one that is done on time does.
CRITERION_SCORES = {
    "群众满意度": {
        "on_track": [5, 4, 4, 4, 3],
        "completed": [5, 5, 4, 4],
        "behind": [4, 3, 3, 2],
        "suspended": [3, 2, 2],
    },
    "完成质量": {
        "on_track": [5, 4, 4, 3],
        "completed": [5, 5, 4],
        "behind": [4, 3, 3, 2],
        "suspended": [3, 3, 2],
    },
    "进度时效": {
        "on_track": [5, 4, 4, 4],
        "completed": [5, 5, 4],
        "behind": [3, 2, 2, 1],
        "suspended": [2, 1, 1],
    },
}
SURNAMES = "王李张刘陈杨黄周吴徐孙朱胡高"
BATCHES = "一二三四五六七八九十"


def _month_end(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def seed_method(*, today: datetime.date) -> None:
    """The office's evaluation method, set through its services: three criteria with their weights, and a
    round for last month (closed) and this month (open today). Nothing when it is already set."""
    if EvaluationCriterion.objects.filter(name=CRITERIA[-1][0]).exists():
        return
    admin = User.objects.get(username="admin")
    existing = EvaluationCriterion.objects.order_by("order", "id").first()  # 综合评价, renamed
    for order, (name, description, weights) in enumerate(CRITERIA, start=1):
        project_services.criterion_set(
            actor=admin,
            criterion=existing if order == 1 else None,
            name=name,
            description=description,
            order=order,
            **{f"weight_{role}": weight for role, weight in weights.items()},
        )
    this_month = today.replace(day=1)
    for first in ((this_month - datetime.timedelta(days=1)).replace(day=1), this_month):
        last = _month_end(first)
        if not EvaluationRound.objects.filter(starts_on__lte=last, ends_on__gte=first).exists():
            project_services.evaluation_round_set(
                actor=admin, name=f"{first.year}年{first.month}月", starts_on=first, ends_on=last
            )


def seed_lookups() -> None:
    """The lookup tables (also seeded by migration 0002; the demo adds the fields of ``demo.district``)."""
    for order, (program, task) in enumerate(PROGRAMS):
        key_task, _ = KeyTask.objects.get_or_create(name=task, defaults={"order": order})
        Program.objects.get_or_create(name=program, defaults={"key_task": key_task, "order": order})
    for order, name in enumerate(DOMAINS):
        Domain.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(TARGET_GROUPS):
        TargetGroup.objects.get_or_create(name=name, defaults={"order": order})
    for model, names in (
        (KeyTask, english.KEY_TASKS),
        (Program, english.PROGRAMS),
        (Domain, english.DOMAINS),
        (TargetGroup, english.TARGET_GROUPS),
    ):
        for name, name_en in names.items():
            model.objects.filter(name=name, name_en="").update(name_en=name_en)


# --- which projects --------------------------------------------------------------------------------------


@dataclass
class Spec:
    """One demo project: its template, code, title and towns (by name)."""

    code: str
    template: Template
    title: str
    towns: tuple[str, ...]
    kind: str = ""

    @property
    def answers(self) -> tuple[str, ...]:
        return self.template.answers


def _batch(title: str, batch: int) -> str:
    if batch == 0:
        return title
    label = BATCHES[batch] if batch < len(BATCHES) else str(batch + 1)
    return f"{title}（{label}期）"


def project_specs(*, scale: int, towns: list[str]) -> list[Spec]:
    """The demo's 236 × ``scale`` projects, in code order: the article's first, then by program the
    district's projects and the towns' (``towns``: the district's town names in their order)."""
    rural = [t for t in towns if t not in URBAN_TOWNS]
    ordered: list[tuple[Template, str | None]] = [(t, None) for t in ARTICLE]
    for program, _task in PROGRAMS:
        ordered += [(t, None) for t in DISTRICT if t.program == program]
        for index, template in enumerate(PER_TOWN):
            if template.program != program:
                continue
            eligible = rural if template.rural else towns
            start = (index * 5) % len(eligible)
            chosen = [
                eligible[(start + k) % len(eligible)] for k in range(min(template.towns, len(eligible)))
            ]
            ordered += [(template, town) for town in chosen]
    specs = []
    prefix = code_prefix()
    for batch in range(max(1, scale)):
        for template, town in ordered:
            if town is not None:
                title, places = template.title.replace("{town}", town), (town,)
            else:
                title, places = template.title, tuple(template.towns)
            code = f"{prefix}{len(specs) + 1:03d}"
            specs.append(Spec(code=code, template=template, title=_batch(title, batch), towns=places))
    return specs


def answering_projects(*, scale: int, towns: list[str]) -> dict[str, list[str]]:
    """Problem item title → the codes of the demo projects that answer it (``demo.surveys`` links them)."""
    answers: dict[str, list[str]] = defaultdict(list)
    for spec in project_specs(scale=scale, towns=towns):
        for title in spec.answers:
            answers[title].append(spec.code)
    return dict(answers)


def _leader(rng: random.Random, unit: str) -> str:
    for ending, title in (
        ("分局", "局长"),
        ("局", "局长"),
        ("委员会", "主任"),
        ("部", "部长"),
        ("团姜堰区委", "书记"),
        ("联合会", "主席"),
        ("总工会", "主席"),
        ("公司", "总经理"),
        ("集团", "总经理"),
        ("大队", "大队长"),
        ("会", "会长"),
    ):
        if unit.endswith(ending):
            return rng.choice(SURNAMES) + title
    return rng.choice(SURNAMES) + "主任"


# --- a project's life ------------------------------------------------------------------------------------


@dataclass
class Life:
    """What happens to one project, planned in memory before anything is written."""

    spec: Spec
    project: Project
    milestones: list[Milestone] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    imported_at: datetime.datetime | None = None
    until: datetime.date | None = None  # the last day the lead unit reported (suspended: the day it stopped)


def _dates(rng, start: datetime.date, end: datetime.date, n: int) -> list[datetime.date]:
    span = (end - start).days
    return [start + datetime.timedelta(days=round(span * (i + 1) / n) - rng.randint(0, 3)) for i in range(n)]


def _weights(rng, n: int) -> list[int]:
    raw = [rng.randint(10, 30) for _ in range(n)]
    weights = [max(5, round(100 * r / sum(raw))) for r in raw]
    weights[-1] += 100 - sum(weights)
    return weights


def _period(rng, kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    days = datetime.timedelta
    if kind == "completed":
        start = today - days(rng.randint(230, 300))
        return start, today - days(rng.randint(5, 60))
    if kind == "future":
        start = today + days(rng.randint(5, 60))
        return start, start + days(rng.randint(120, 300))
    return today - days(rng.randint(60, 200)), today + days(rng.randint(40, 200))


def _on_schedule(rng, start: datetime.date, dates: list, weights: list) -> list[datetime.date]:
    """Done dates that keep a project on schedule on every day of its history, not only today. Between two
    planned dates the expected % rises linearly by the next milestone's weight while the actual % waits for
    it, so a milestone of weight ``w`` must be done within ``10 / w`` of its interval (the behind threshold,
    ``PROJECT_BEHIND_POINTS``): well before its planned date when it weighs much."""
    days = datetime.timedelta
    done: list[datetime.date] = []
    previous = floor = start
    for planned, weight in zip(dates, weights, strict=True):
        span = max(0, (planned - previous).days)
        slack = span if weight <= 10 else span * 10 // weight
        latest = previous + days(max(0, slack - 1))
        earliest = previous + days(slack // 2)
        day = max(floor, earliest + days(rng.randint(0, max(0, (latest - earliest).days))))
        done.append(day)
        previous, floor = planned, day
    return done


def _milestone_plan(rng, kind: str, start, end, today, until) -> tuple[list, list, list]:
    n = rng.randint(3, 5)
    dates, weights = _dates(rng, start, end, n), _weights(rng, n)
    done: list[datetime.date | None] = [None] * n
    if kind in ("completed", "on_track", "behind", "suspended"):
        done = [d if d <= today else None for d in _on_schedule(rng, start, dates, weights)]
        if kind == "behind":
            # On schedule until a milestone that fell due more than a week ago was not done (or one is
            # made so): from there the project is behind.
            overdue = [i for i, d in enumerate(dates) if d < today - datetime.timedelta(days=9)]
            if not overdue:
                dates[0] = today - datetime.timedelta(days=rng.randint(10, 30))
                overdue = [0]
            for i in range(overdue[-1], n):
                done[i] = None
    done = [max(d, start) if d and d <= until else None for d in done]
    return dates, weights, done


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


TAGGED_PER_CAMPAIGN = 6


class _Seeder:
    def __init__(self, *, scale: int):
        self.rng = random.Random(SEED)
        self.scale = max(1, scale)
        self.time = timeline()
        self.today = self.time.today
        self.record = Record()
        self.pictures = pictures.pool()
        with translation.override(None):  # the history is data: its notes in the source language
            self.status_label = {v: str(label) for v, label in ProjectStatus.choices}
        self.criteria = {
            role: list(EvaluationCriterion.objects.asked_of(role)) for role in EvaluatorRole.values
        }
        self.rounds = list(EvaluationRound.objects.all())

    # -- people ------------------------------------------------------------------------------------------
    def load_people(self) -> None:
        self.admin = User.objects.get(username="admin")
        self.year = open_demo_year(actor=self.admin)
        self.liaisons: dict[int, User] = {}
        for user in User.objects.filter(groups__name=Role.UNIT_STAFF, unit__isnull=False).order_by("pk"):
            self.liaisons.setdefault(user.unit_id, user)
        self.members = list(User.objects.filter(username__startswith="member").order_by("username")[:60])
        self.supervisor = User.objects.filter(username="supervisor").first()
        self.resident = User.objects.filter(username="resident").first()

    def photo(self, project, scene: str, actor, at, caption: str, **links) -> ProjectPhoto:
        """A photo of ``project`` uploaded by ``actor`` at ``at``: one of the drawn pictures of ``scene``."""
        image = self.rng.choice(self.pictures[scene])
        return ProjectPhoto(
            project=project, image=image, caption=caption, uploaded_by=actor, created_at=at, **links
        )

    # -- seasonal campaigns ------------------------------------------------------------------------------
    def tag_campaigns(self, lives: list[Life]) -> int:
        """The office files each season's projects under its campaign (``project_tag_campaign``, called
        on the day the campaign begins): 春风行动's job fairs under 春送岗位, the summer day camps under
        夏送清凉 … (``demo.campaigns.SEASON_PROJECTS``), at most ``TAGGED_PER_CAMPAIGN`` each."""
        tagged = 0
        for season, campaign in seasonal.campaigns().items():
            words = seasonal.SEASON_PROJECTS.get(season, ())
            chosen = [life for life in lives if any(word in life.project.title for word in words)]
            for life in chosen[:TAGGED_PER_CAMPAIGN]:
                begins = self.time.at(campaign.start_date, 9, 30)
                at = min(
                    max(begins, life.imported_at + datetime.timedelta(hours=1)), self.time.at(self.today, 23)
                )
                with clock.at(at):
                    project_services.project_tag_campaign(
                        actor=self.admin, project=life.project, campaign=campaign
                    )
                tagged += 1
        return tagged

    # -- the registry ------------------------------------------------------------------------------------
    def build(self, specs: list[Spec]) -> list[Life]:
        programs = {p.name: p for p in Program.objects.all()}
        domains = {d.name: d for d in Domain.objects.all()}
        units = {u.name: u for u in Unit.objects.all()}
        pool = [k for k, share in SHARES.items() for _ in range(round(share * len(specs)))]
        pool += ["on_track"] * (len(specs) - len(pool))
        for kind in ARTICLE_KINDS:  # the article's projects keep their fate, taken from the pool
            pool.remove(kind)
        self.rng.shuffle(pool)
        kinds = ARTICLE_KINDS + pool
        lives = []
        for spec, kind in zip(specs, kinds, strict=True):
            spec.kind = kind
            template = spec.template
            start, end = _period(self.rng, kind, self.today)
            lead = units[template.lead]
            coop = "、".join(template.cooperating)
            summary = template.summary or (
                f"{spec.title}。由{lead.name}领办"
                + (f"，{coop}协办" if coop else "")
                + "，按照“一单一表”明确"
                "责任、节点和目标，每周报送进展，接受群众评议。"
            )
            project = Project(
                code=spec.code,
                year_id=self.year,
                title=spec.title[:120],
                summary=summary,
                program=programs[template.program],
                domain=domains[template.domain],
                lead_unit=lead,
                responsible_leader=_leader(self.rng, lead.name),
                planned_start=start,
                planned_end=end,
                is_public=self.rng.random() > 0.05 or kind == "completed",
                status=ProjectStatus.NOT_STARTED,
            )
            imported = max(self.time.registry, start - datetime.timedelta(days=30))
            project.created_at = self.time.at(
                min(imported, self.today - datetime.timedelta(days=1)), 9, self.rng.randint(0, 59)
            )
            lives.append(Life(spec=spec, project=project, imported_at=project.created_at))
        Project.objects.bulk_create([life.project for life in lives], batch_size=1000)
        return lives

    def relations(self, lives: list[Life]) -> None:
        groups = {g.name: g for g in TargetGroup.objects.all()}
        units = {u.name: u for u in Unit.objects.all()}
        towns = {t.name: t for t in Town.objects.all()}
        communities: dict[int, list[Community]] = defaultdict(list)
        for community in Community.objects.order_by("pk"):
            communities[community.town_id].append(community)
        through = defaultdict(list)
        for life in lives:
            pk, template = life.project.pk, life.spec.template
            through[Project.target_groups.through] += [
                Project.target_groups.through(project_id=pk, targetgroup_id=groups[g].pk)
                for g in template.groups
            ]
            through[Project.cooperating_units.through] += [
                Project.cooperating_units.through(project_id=pk, unit_id=units[u].pk)
                for u in template.cooperating
            ]
            for name in life.spec.towns:
                town = towns[name]
                through[Project.towns.through].append(Project.towns.through(project_id=pk, town_id=town.pk))
                if template.per_town:
                    chosen = self.rng.sample(communities[town.pk], k=min(2, len(communities[town.pk])))
                    through[Project.communities.through] += [
                        Project.communities.through(project_id=pk, community_id=c.pk) for c in chosen
                    ]
        for model, rows in through.items():
            model.objects.bulk_create(rows, batch_size=2000)

    def plan_items(self, lives: list[Life]) -> None:
        days = datetime.timedelta
        for life in lives:
            project, kind = life.project, life.spec.kind
            life.until = {
                "behind": self.today - days(self.rng.randint(12, 30)),
                "suspended": self.today - days(self.rng.randint(10, 40)),
            }.get(kind, self.today)
            dates, weights, done = _milestone_plan(
                self.rng, kind, project.planned_start, project.planned_end, self.today, life.until
            )
            if kind == "completed":
                life.until = max(done)
            names = MILESTONE_NAMES[len(dates)]
            life.milestones = [
                Milestone(project=project, name=names[i], planned_date=d, weight=w, order=i, done_date=dd)
                for i, (d, w, dd) in enumerate(zip(dates, weights, done, strict=True))
            ]
            life.indicators = [
                Indicator(project=project, name=name, unit=unit, target_value=Decimal(target), order=i)
                for i, (name, unit, target) in enumerate(life.spec.template.indicators)
            ]
        Milestone.objects.bulk_create([m for life in lives for m in life.milestones], batch_size=2000)
        Indicator.objects.bulk_create([i for life in lives for i in life.indicators], batch_size=2000)
        for life in lives:
            # As the office's import wrote it: the project, its milestones and indicators, all new.
            plan = ProjectPlan(
                row=None,
                code=life.project.code,
                title=life.project.title,
                action="create",
                milestones=[ItemPlan("milestone", m.name, "create") for m in life.milestones],
                indicators=[ItemPlan("indicator", i.name, "create") for i in life.indicators],
            )
            self.record.add(
                at=life.imported_at,
                actor=self.admin,
                verb="project.import",
                target=life.project,
                **event_fields(plan),
            )

    # -- the weeks that followed -------------------------------------------------------------------------
    def live(self, life: Life, rows: dict[str, list]) -> None:
        project, kind = life.project, life.spec.kind
        if kind == "future":
            return
        rng, record = self.rng, self.record
        actor = self.liaisons.get(project.lead_unit_id)
        scene = life.spec.template.scene or SCENE_OF_DOMAIN[life.spec.template.domain]
        status = ProjectStatus.NOT_STARTED
        values = {i.pk: Decimal(0) for i in life.indicators}
        last = life.until

        def move(to: str, at: datetime.datetime, who, note: str = "") -> None:
            nonlocal status
            record.transition(
                at=at,
                actor=who,
                verb="project.status",
                target=project,
                before=status,
                after=to,
                note=note or self.status_label[to],
            )
            status = to

        # The acts of the project in the order they happened: milestones done and weekly statements.
        acts = [
            (self.time.at(m.done_date, 16, rng.randint(0, 59)), "milestone", m)
            for m in life.milestones
            if m.done_date
        ]
        week_end = project.planned_start + datetime.timedelta(days=6)
        while week_end < last:
            if rng.random() < 0.6:
                acts.append((self.time.at(week_end, 17, rng.randint(0, 59)), "statement", week_end))
            week_end += datetime.timedelta(days=7)
        # The last report: the week that ended on the last day of work (today for projects under way).
        acts.append((self.time.at(last, 18, rng.randint(0, 59)), "statement", last))
        acts.sort(key=lambda a: (a[0], a[1]))
        done_weight, done_count, recent = 0, 0, []
        for at, what, item in acts:
            if what == "milestone":
                milestone = item
                milestone.evidence = f"已完成“{milestone.name}”，详见现场照片及会议纪要。"
                if rng.random() < 0.35:
                    rows["photos"].append(
                        self.photo(project, scene, actor, at, milestone.name, milestone=milestone)
                    )
                record.add(
                    at=at,
                    actor=actor,
                    verb="project.milestone_done",
                    target=project,
                    before={"milestone": milestone.name, "done_date": None},
                    after={"milestone": milestone.name, "done_date": milestone.done_date.isoformat()},
                    note=MILESTONE_NOTE(milestone=milestone.name, date=f"{milestone.done_date:%Y-%m-%d}"),
                )
                done_weight += milestone.weight
                done_count += 1
                recent.append(milestone.name)
                if done_count == len(life.milestones):
                    move(ProjectStatus.COMPLETED, at, actor)
                elif status == ProjectStatus.NOT_STARTED:
                    move(ProjectStatus.IN_PROGRESS, at, actor)
                continue
            end = item
            start = end - datetime.timedelta(days=6)
            text = rng.choice(STATEMENT_TEXTS).format(n=rng.randint(1, 9))
            if recent:
                text = "完成“" + "”“".join(recent) + "”节点。" + text
                recent = []
            statement = ProgressStatement(
                project=project, period_start=start, period_end=end, text=text, author=actor, created_at=at
            )
            rows["statements"].append(statement)
            share = Decimal(done_weight) / 100
            for indicator in life.indicators:
                value = (indicator.target_value * share).quantize(Decimal("1"))
                if value == values[indicator.pk]:
                    continue
                rows["updates"].append(
                    IndicatorUpdate(
                        indicator=indicator,
                        statement=statement,
                        previous_value=values[indicator.pk],
                        value=value,
                        author=actor,
                        created_at=at,
                    )
                )
                record.add(
                    at=at,
                    actor=actor,
                    verb="project.indicator_update",
                    target=project,
                    before={"indicator": indicator.name, "value": _fmt(values[indicator.pk])},
                    after={"indicator": indicator.name, "value": _fmt(value)},
                    note=INDICATOR_NOTE(
                        indicator=indicator.name,
                        before=_fmt(values[indicator.pk]),
                        after=f"{_fmt(value)}{indicator.unit}",
                    ),
                )
                values[indicator.pk] = value
            photos = 1 if rng.random() < 0.3 else 0
            if photos:
                rows["photos"].append(self.photo(project, scene, actor, at, "进展照片", statement=statement))
            record.add(
                at=at,
                actor=actor,
                verb="project.statement",
                target=project,
                after={"period": f"{start:%Y-%m-%d}—{end:%Y-%m-%d}", "photos": photos},
                note=f"{start:%m-%d}—{end:%m-%d}",
            )
            if status == ProjectStatus.NOT_STARTED:
                move(ProjectStatus.IN_PROGRESS, at, actor)
        for indicator in life.indicators:
            indicator.current_value = values[indicator.pk]
        if kind == "suspended":
            move(ProjectStatus.SUSPENDED, self.time.at(last, 20), self.admin, note=SUSPEND_REASON)
        project.status = status

        if rng.random() < 0.5:
            at = self.time.at(max(project.planned_start, self.today - datetime.timedelta(days=20)), 11)
            images = [self.photo(project, scene, actor, at, "项目现场") for _ in range(rng.randint(1, 2))]
            rows["photos"] += images
            record.add(
                at=at,
                actor=actor,
                verb="project.photo_add",
                target=project,
                after={"count": len(images)},
                note="项目现场",
            )
        self.rate(life, rows)

    def rate(self, life: Life, rows: dict[str, list]) -> None:
        project, rng = life.project, self.rng
        if not project.is_public or rng.random() > 0.7:
            return
        standing = life.spec.kind if life.spec.kind in REVIEW_TEXTS else "on_track"
        month = self.today.replace(day=1)
        months = [month, (month - datetime.timedelta(days=1)).replace(day=1)]
        for number, first in enumerate(months):
            if first < project.planned_start.replace(day=1):
                continue
            latest = self.today if number == 0 else month - datetime.timedelta(days=1)
            raters = [(m, EvaluatorRole.PARTY_MEMBER) for m in rng.sample(self.members, k=rng.randint(0, 3))]
            if self.supervisor and rng.random() < 0.5:
                raters.append((self.supervisor, EvaluatorRole.SUPERVISOR))
            if self.resident and rng.random() < 0.3:
                raters.append((self.resident, EvaluatorRole.RESIDENT))
            for rater, role in raters:
                day = first + datetime.timedelta(days=rng.randint(0, (latest - first).days))
                at = self.time.at(day, rng.randint(8, 21), rng.randint(0, 59))
                comment = (
                    SUPERVISOR_REVIEWS[standing]
                    if role == EvaluatorRole.SUPERVISOR
                    else rng.choice(REVIEW_TEXTS[standing])
                )
                evaluation = Evaluation(
                    project=project,
                    evaluator=rater,
                    evaluator_role=role,
                    round=next(r for r in self.rounds if r.starts_on <= day <= r.ends_on),
                    comment=comment,
                    month=first,
                    created_at=at,
                )
                scores = [
                    (
                        criterion,
                        rng.choice(
                            CRITERION_SCORES.get(criterion.name, CRITERION_SCORES["完成质量"])[standing]
                        ),
                    )
                    for criterion in self.criteria[role]
                ]
                rows["evaluations"].append(evaluation)
                rows["scores"] += [
                    EvaluationScore(evaluation=evaluation, criterion=c, score=v) for c, v in scores
                ]
                text = "、".join(f"{c.name} {v}" for c, v in scores)
                self.record.add(
                    at=at,
                    actor=rater,
                    verb="project.evaluate",
                    target=project,
                    after={"scores": text, "role": role, "round": evaluation.round.name},
                    note=EVALUATION_NOTE(role=EvaluatorRole(role).label, scores=text),
                )

    def write(self, lives: list[Life], rows: dict[str, list]) -> None:
        for model, objects in (
            (ProgressStatement, rows["statements"]),
            (IndicatorUpdate, rows["updates"]),
            (ProjectPhoto, rows["photos"]),
            (Evaluation, rows["evaluations"]),
            (EvaluationScore, rows["scores"]),
        ):
            copy_objects(objects, ids=reserve_ids(model, len(objects)))
        update_objects([m for life in lives for m in life.milestones if m.done_date], ["evidence"])
        update_objects([i for life in lives for i in life.indicators], ["current_value"])
        changed = [life.project for life in lives if life.project.status != ProjectStatus.NOT_STARTED]
        update_objects(changed, ["status"])


def open_demo_year(*, actor: User) -> int:
    """The demo's campaign year, opened (as the office would, through the service) and current. The year
    migration 0007 opened for the empty registry is dropped when it is not the demo's (nothing is in it)."""
    year = demo_year()
    CampaignYear.objects.filter(year__gt=year, projects__isnull=True).delete()
    if not CampaignYear.objects.filter(year=year).exists():
        campaign_year_open(actor=actor, year=year)
    campaign_year_make_current(actor=actor, year=year)
    return year


@transaction.atomic
def seed(*, scale: int, stdout) -> None:
    """Idempotent: does nothing when this app's demo data is already there."""
    seed_lookups()
    seed_method(today=timeline().today)
    if Project.objects.filter(code__startswith=code_prefix()).exists():
        return
    began = time.monotonic()
    seeder = _Seeder(scale=scale)
    seeder.load_people()
    towns = list(Town.objects.values_list("name", flat=True))
    specs = project_specs(scale=seeder.scale, towns=towns)
    lives = seeder.build(specs)
    seeder.relations(lives)
    seeder.plan_items(lives)
    rows: dict[str, list] = defaultdict(list)
    for life in lives:
        seeder.live(life, rows)
    seeder.write(lives, rows)
    tagged = seeder.tag_campaigns(lives)
    events = seeder.record.save()
    store_schedules()  # what the services and the daily task keep stored
    behind = Project.objects.with_schedule().filter(is_behind=True).count()
    completed = sum(1 for life in lives if life.project.status == ProjectStatus.COMPLETED)
    stdout.write(
        f"  项目：{len(lives)} 个（滞后 {behind} 个，已完成 {completed} 个），"
        f"节点 {sum(len(life.milestones) for life in lives)} 个，述职 {len(rows['statements'])} 条，"
        f"照片 {len(rows['photos'])} 张，评价 {len(rows['evaluations'])} 条，记录 {events} 条，"
        f"归入四季活动 {tagged} 个"
        f"（{time.monotonic() - began:.1f} 秒）"
    )
