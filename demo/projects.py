"""Demo data of the projects app, called by ``manage.py seed_demo``: 236 × scale projects across the five
programs, with milestones, indicators, statements and evaluations; about 15 % behind schedule, some
completed, some not started — all relative to today, so the proportions hold whenever it runs."""

import datetime
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Community, Town, Unit, User
from projects.choices import EvaluatorRole, ProjectStatus
from projects.models import (
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
from projects.schedule import schedule_in_python, store_schedule

from .accounts import DEMO_UNIT_NAME, UNITS

PROJECT_COUNT = 236
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
]
TARGET_GROUPS = ["老年", "青少年", "低收入", "全体居民", "残疾人", "妇女儿童", "企业"]

# (title, program, domain, target groups, lead unit, indicators [(name, unit, target)], per_town)
# ``per_town``: the title is repeated for several towns ("{town}" is replaced by the town's name).
ARTICLE_PROJECTS = [
    (
        "“梦想小屋”圆梦行动：为155户困难家庭学生改造学习空间",
        "利民惠民",
        "教育",
        ["青少年", "低收入"],
        "区妇女联合会",
        [("改造梦想小屋", "户", 155)],
    ),
    (
        "公益暑托班：开办66个班，服务2万余名学生",
        "利民惠民",
        "教育",
        ["青少年"],
        "区教育局",
        [("开办暑托班", "个", 66), ("服务学生", "人", 20000)],
    ),
    ("敬老院提档升级", "利民惠民", "养老", ["老年"], "区民政局", [("提档升级敬老院", "所", 12)]),
    (
        "解决老年人运用智能技术困难",
        "利民惠民",
        "养老",
        ["老年"],
        "区数据局",
        [("解决老年人智能技术困难问题", "件", 500), ("开展培训", "场", 120)],
    ),
    (
        "“防贫保”精准防贫保险全覆盖",
        "富民兴村",
        "居民增收",
        ["低收入"],
        "区医疗保障局",
        [("参保低收入人口", "人", 18000)],
    ),
    (
        "“春风行动”系列招聘会",
        "富民兴村",
        "就业",
        ["全体居民"],
        "区人力资源和社会保障局",
        [("举办招聘会", "场", 30), ("提供岗位", "个", 12000)],
    ),
    (
        "“求学圆梦”行动：资助在职职工提升学历",
        "利民惠民",
        "教育",
        ["全体居民"],
        "区总工会",
        [("资助职工", "人", 300)],
    ),
    ("社区睦邻点建设", "崇法善治", "社区治理", ["全体居民"], "区民政局", [("建成睦邻点", "个", 80)]),
    (
        "“我为群众办实事”微心愿认领",
        "利民惠民",
        "社区治理",
        ["低收入", "老年"],
        "区委组织部",
        [("实现微心愿", "个", 1500)],
    ),
]

TEMPLATES = {
    "智造强企": [
        ("企业服务专员“一对一”帮办", "经济发展", ["企业"], "区工业和信息化局", ("走访服务企业", "家", 300)),
        ("规上企业智能化改造诊断", "经济发展", ["企业"], "区工业和信息化局", ("完成诊断", "家", 80)),
        ("中小企业融资对接会", "经济发展", ["企业"], "区财政局", ("撮合融资", "亿元", 20)),
        ("科技型中小企业培育", "经济发展", ["企业"], "区科学技术局", ("入库企业", "家", 150)),
        ("惠企政策“免申即享”", "政务服务", ["企业"], "区行政审批局", ("兑现惠企资金", "万元", 5000)),
        ("重点企业用工保障", "就业", ["企业"], "区人力资源和社会保障局", ("保障用工", "人", 3000)),
        ("{town}工业园区配套提升", "经济发展", ["企业"], "区商务局", ("新建标准厂房", "万平方米", 5)),
        ("外贸企业出口信用保险扶持", "经济发展", ["企业"], "区商务局", ("覆盖企业", "家", 60)),
    ],
    "富民兴村": [
        ("{town}高标准农田建设", "农业农村", ["全体居民"], "区农业农村局", ("建成高标准农田", "亩", 8000)),
        ("{town}农村人居环境整治", "环境保护", ["全体居民"], "区农业农村局", ("整治村庄", "个", 12)),
        ("{town}村级集体经济增收", "居民增收", ["低收入"], "区农业农村局", ("增收村", "个", 10)),
        ("{town}农村公路提档升级", "交通出行", ["全体居民"], "区交通运输局", ("提档升级农路", "公里", 30)),
        ("{town}农村供水管网改造", "住房保障", ["全体居民"], "区水务集团", ("改造管网", "公里", 25)),
        ("溱湖簖蟹品牌推广", "居民增收", ["全体居民"], "区农业农村局", ("带动养殖户", "户", 600)),
        ("家庭农场培育提升", "农业农村", ["全体居民"], "区农业农村局", ("培育示范家庭农场", "家", 40)),
        ("{town}河道综合整治", "环境保护", ["全体居民"], "区水利局", ("整治河道", "条", 15)),
    ],
    "利民惠民": [
        ("{town}居家养老服务站", "养老", ["老年"], "区民政局", ("服务老人", "人", 800)),
        ("{town}老年助餐点", "养老", ["老年"], "区民政局", ("日均就餐老人", "人", 120)),
        ("{town}困难老人家庭适老化改造", "养老", ["老年", "低收入"], "区民政局", ("改造家庭", "户", 100)),
        ("老年人免费健康体检", "医疗卫生", ["老年"], "区卫生健康委员会", ("体检老人", "人", 30000)),
        ("{town}老旧小区改造", "住房保障", ["全体居民"], "区住房和城乡建设局", ("改造小区", "个", 6)),
        ("{town}家庭医生签约服务", "医疗卫生", ["全体居民"], "区卫生健康委员会", ("签约居民", "人", 5000)),
        ("城乡公交线路优化", "交通出行", ["全体居民"], "区交通运输局", ("优化线路", "条", 20)),
        ("{town}农贸市场改造", "社区治理", ["全体居民"], "区市场监督管理局", ("改造市场", "个", 2)),
        ("{town}健身步道建设", "文化体育", ["全体居民"], "区文体广电和旅游局", ("新建步道", "公里", 8)),
        ("中小学课后服务全覆盖", "教育", ["青少年"], "区教育局", ("覆盖学校", "所", 90)),
        ("校园周边交通安全整治", "教育", ["青少年"], "区教育局", ("整治校园周边", "处", 60)),
        ("学校食堂“明厨亮灶”", "教育", ["青少年"], "区教育局", ("改造食堂", "个", 85)),
        ("心理健康辅导进校园", "教育", ["青少年"], "区教育局", ("开展辅导", "场", 200)),
        ("{town}公共厕所提标改造", "环境保护", ["全体居民"], "区城市管理局", ("改造公厕", "座", 10)),
        ("残疾人康复服务", "医疗卫生", ["残疾人"], "区残疾人联合会", ("服务残疾人", "人", 1200)),
    ],
    "提质增效": [
        ("政务服务“一网通办”", "政务服务", ["全体居民"], "区行政审批局", ("网办事项", "项", 900)),
        ("{town}24小时自助服务区", "政务服务", ["全体居民"], "区行政审批局", ("自助终端", "台", 6)),
        ("不动产登记“一窗受理”", "政务服务", ["全体居民"], "区自然资源和规划局", ("压缩办理时限", "天", 3)),
        ("12345热线响应提速", "政务服务", ["全体居民"], "区信访局", ("办结工单", "件", 20000)),
        ("医保经办服务下沉村居", "医疗卫生", ["老年", "全体居民"], "区医疗保障局", ("下沉事项", "项", 20)),
        ("“税费服务直通车”进园区", "政务服务", ["企业"], "区税务局", ("服务企业", "家", 500)),
    ],
    "崇法善治": [
        ("{town}法律援助进社区", "平安法治", ["全体居民"], "区司法局", ("提供法律咨询", "次", 400)),
        (
            "{town}网格化社会治理提升",
            "社区治理",
            ["全体居民"],
            "区委政法委员会",
            ("配备专职网格员", "人", 60),
        ),
        ("矛盾纠纷多元化解", "平安法治", ["全体居民"], "区司法局", ("化解纠纷", "件", 2000)),
        ("电信网络诈骗防范宣传", "平安法治", ["老年", "全体居民"], "区公安分局", ("开展宣传", "场", 300)),
        ("{town}消防安全隐患整治", "平安法治", ["全体居民"], "区消防救援大队", ("整改隐患", "处", 500)),
        ("{town}平安村居创建", "平安法治", ["全体居民"], "区公安分局", ("创建平安村居", "个", 10)),
    ],
}
PROGRAM_SHARE = ["智造强企"] * 4 + ["富民兴村"] * 5 + ["利民惠民"] * 8 + ["提质增效"] * 3 + ["崇法善治"] * 4
MILESTONE_NAMES = [
    "制定实施方案",
    "摸底调查、明确对象",
    "启动实施",
    "过半推进",
    "主体完工",
    "全面完成",
    "验收评估",
]
STATEMENT_TEXTS = [
    "本周召开推进会，明确责任分工，完成阶段任务{pct}%。",
    "深入一线走访群众，收集意见建议，按序时推进。",
    "对照节点清单逐项推进，协调解决资金和场地问题。",
    "联合协办单位开展现场督查，整改问题 {n} 个。",
    "通过“姜堰发布”公开进展，接受群众监督。",
]
REVIEW_TEXTS = [
    "实实在在，为群众办了好事。",
    "进度很快，希望继续保持。",
    "建议加大宣传，让更多人知道。",
    "服务态度好，点赞！",
    "希望覆盖更多村居。",
    "",
]
LEADERS = ["王", "李", "张", "刘", "陈", "杨", "黄", "周", "吴", "徐"]


def seed_lookups() -> None:
    """The lookup tables (also seeded by migration 0002; repeated here for databases flushed since)."""
    for order, (program, task) in enumerate(PROGRAMS):
        key_task, _ = KeyTask.objects.get_or_create(name=task, defaults={"order": order})
        Program.objects.get_or_create(name=program, defaults={"key_task": key_task, "order": order})
    for order, name in enumerate(DOMAINS):
        Domain.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(TARGET_GROUPS):
        TargetGroup.objects.get_or_create(name=name, defaults={"order": order})


def _titles(rng: random.Random, count: int, towns: list[str]) -> list[tuple]:
    """``count`` project specs: the article's first, then templates spread over the programs and towns."""
    specs = [(t, p, d, g, u, ind) for t, p, d, g, u, ind in ARTICLE_PROJECTS]
    used = {s[0] for s in specs}
    counters = dict.fromkeys(TEMPLATES, 0)
    attempt = 0
    while len(specs) < count:
        program = PROGRAM_SHARE[attempt % len(PROGRAM_SHARE)]
        attempt += 1
        templates = TEMPLATES[program]
        title, domain, groups, unit, indicator = templates[counters[program] % len(templates)]
        counters[program] += 1
        if "{town}" in title:
            title = title.replace("{town}", towns[(counters[program] * 7 + attempt) % len(towns)])
        elif title in used:
            batch = counters[program] // len(templates) + 1
            title = f"{title}（第{batch}批）"
        if title in used:
            title = f"{title}（{towns[attempt % len(towns)]}）"
        if title in used:
            continue
        used.add(title)
        specs.append((title, program, domain, groups, unit, [indicator]))
    return specs


def _milestone_dates(
    rng: random.Random, start: datetime.date, end: datetime.date, n: int
) -> list[datetime.date]:
    span = (end - start).days
    return [start + datetime.timedelta(days=round(span * (i + 1) / n) - rng.randint(0, 3)) for i in range(n)]


def _weights(rng: random.Random, n: int) -> list[int]:
    raw = [rng.randint(10, 30) for _ in range(n)]
    weights = [max(5, round(100 * r / sum(raw))) for r in raw]
    weights[-1] += 100 - sum(weights)
    return weights


@transaction.atomic
def seed(*, scale: int, stdout) -> None:
    """Idempotent: does nothing when this app's demo data is already there."""
    seed_lookups()
    if Project.objects.filter(code__startswith="JY2021-").exists():
        return
    began = time.monotonic()
    rng = random.Random(20210501)
    today = timezone.localdate()
    programs = {p.name: p for p in Program.objects.all()}
    domains = {d.name: d for d in Domain.objects.all()}
    groups = {g.name: g for g in TargetGroup.objects.all()}
    units = {u.name: u for u in Unit.objects.all()}
    if not units:
        units = {u.name: u for u in Unit.objects.bulk_create(Unit(name=n) for n in UNITS)}
    towns = list(Town.objects.all())
    communities_by_town: dict[int, list[Community]] = {}
    for community in Community.objects.all():
        communities_by_town.setdefault(community.town_id, []).append(community)
    demo_unit = units.get(DEMO_UNIT_NAME) or next(iter(units.values()))
    unit_names = list(units)
    count = PROJECT_COUNT * max(1, scale)
    specs = _titles(rng, count, [t.name for t in towns] or ["罗塘街道"])

    # The kind of history each project gets: 10 % completed, 15 % behind, 8 % not started, 2 % suspended.
    shares = {"completed": 0.10, "behind": 0.15, "future": 0.08, "suspended": 0.02}
    kinds = [kind for kind, share in shares.items() for _ in range(round(share * count))]
    kinds += ["on_track"] * (count - len(kinds))
    rng.shuffle(kinds)
    projects, plans = [], []
    for number, (title, program, domain, target_groups, unit_name, indicators) in enumerate(specs, start=1):
        kind = kinds[number - 1]
        if kind == "completed":
            start = today - datetime.timedelta(days=rng.randint(220, 330))
            end = today - datetime.timedelta(days=rng.randint(5, 60))
        elif kind == "future":
            start = today + datetime.timedelta(days=rng.randint(5, 60))
            end = start + datetime.timedelta(days=rng.randint(120, 300))
        else:
            start = today - datetime.timedelta(days=rng.randint(60, 200))
            end = today + datetime.timedelta(days=rng.randint(40, 200))
        lead = units.get(unit_name) or units[unit_names[number % len(unit_names)]]
        if number % 29 == 0:
            lead = demo_unit
        status = {
            "completed": ProjectStatus.COMPLETED,
            "future": ProjectStatus.NOT_STARTED,
            "suspended": ProjectStatus.SUSPENDED,
        }.get(kind, ProjectStatus.IN_PROGRESS)
        project = Project(
            code=f"JY2021-{number:03d}",
            title=title[:120],
            summary=f"{title}。由{lead.name}领办，按照“一单一表”明确责任、节点和目标，每周报送进展，接受群众评议。",
            program=programs[program],
            domain=domains[domain],
            lead_unit=lead,
            responsible_leader=LEADERS[number % len(LEADERS)]
            + ("局长" if lead.name.endswith("局") else "主任"),
            planned_start=start,
            planned_end=end,
            is_public=number % 20 != 7,
            status=status,
        )
        projects.append(project)
        plans.append(
            (kind, target_groups, indicators, rng.sample(towns, k=min(len(towns), rng.randint(1, 2))))
        )
    Project.objects.bulk_create(projects)

    through_groups, through_towns, through_communities, through_coop = [], [], [], []
    milestones, indicator_rows, statements, evaluations = [], [], [], []
    staff = User.objects.filter(unit=demo_unit).first()
    members = list(User.objects.filter(username__startswith="member").order_by("username")[:60])
    supervisor = User.objects.filter(username="supervisor").first()
    resident = User.objects.filter(username="resident").first()
    month = today.replace(day=1)
    previous_month = (month - datetime.timedelta(days=1)).replace(day=1)
    for project, (kind, target_groups, indicators, project_towns) in zip(projects, plans, strict=True):
        through_groups += [
            Project.target_groups.through(project_id=project.pk, targetgroup_id=groups[g].pk)
            for g in target_groups
        ]
        through_towns += [Project.towns.through(project_id=project.pk, town_id=t.pk) for t in project_towns]
        for town in project_towns[:1]:
            for community in rng.sample(
                communities_by_town.get(town.pk, []), k=min(2, len(communities_by_town.get(town.pk, [])))
            ):
                through_communities.append(
                    Project.communities.through(project_id=project.pk, community_id=community.pk)
                )
        coop = units[unit_names[(project.pk * 7) % len(unit_names)]]
        if coop.pk != project.lead_unit_id:
            through_coop.append(Project.cooperating_units.through(project_id=project.pk, unit_id=coop.pk))

        n = rng.randint(3, 5)
        dates = _milestone_dates(rng, project.planned_start, project.planned_end, n)
        weights = _weights(rng, n)
        done: list[datetime.date | None] = [None] * n
        if kind == "completed":
            done = [min(today, d - datetime.timedelta(days=rng.randint(0, 5))) for d in dates]
        elif kind in ("on_track", "behind", "suspended"):
            done = [
                min(today, d - datetime.timedelta(days=rng.randint(0, 4))) if d <= today else None
                for d in dates
            ]
            if kind == "behind":
                # Leave the last milestone that fell due more than a week ago undone (or make one so).
                overdue = [i for i, d in enumerate(dates) if d < today - datetime.timedelta(days=9)]
                if not overdue:
                    dates[0] = today - datetime.timedelta(days=rng.randint(10, 30))
                    overdue = [0]
                for i in range(overdue[-1], n):
                    done[i] = None
            else:
                while True:
                    figures = schedule_in_python(
                        milestones=list(zip(dates, weights, done, strict=True)),
                        planned_start=project.planned_start,
                        on=today,
                    )
                    if not figures["is_behind"] or None not in done:
                        break
                    # Keep on-track projects on track: the next milestone was finished a little early.
                    done[done.index(None)] = today - datetime.timedelta(days=rng.randint(0, 2))
        for order, (d, w, dd) in enumerate(zip(dates, weights, done, strict=True)):
            milestones.append(
                Milestone(
                    project=project,
                    name=MILESTONE_NAMES[order if n > 4 else [0, 2, 4, 5, 6][order]],
                    planned_date=d,
                    weight=w,
                    done_date=dd,
                    order=order,
                    evidence=f"已完成，详见{dd:%m月%d日}进展报告及现场照片。" if dd else "",
                )
            )
        share = Decimal(sum(w for w, dd in zip(weights, done, strict=True) if dd)) / 100
        for order, (name, unit, target) in enumerate(indicators):
            indicator_rows.append(
                Indicator(
                    project=project,
                    name=name,
                    unit=unit,
                    target_value=Decimal(target),
                    current_value=(Decimal(target) * share).quantize(Decimal("1")),
                    order=order,
                )
            )
        if kind != "future":
            weeks = rng.randint(1, 4) if kind != "behind" else 1
            last = today - datetime.timedelta(
                days=rng.randint(0, 6) if kind != "behind" else rng.randint(12, 30)
            )
            for w in range(weeks):
                end = last - datetime.timedelta(days=7 * w)
                statements.append(
                    ProgressStatement(
                        project=project,
                        period_start=end - datetime.timedelta(days=6),
                        period_end=end,
                        text=STATEMENT_TEXTS[(project.pk + w) % len(STATEMENT_TEXTS)].format(
                            pct=int(share * 100), n=rng.randint(1, 9)
                        ),
                        author=staff if project.lead_unit_id == demo_unit.pk else None,
                    )
                )
        if project.is_public and kind != "future" and rng.random() < 0.7:
            raters = rng.sample(members, k=min(len(members), rng.randint(1, 4)))
            for rater in raters:
                evaluations.append(
                    Evaluation(
                        project=project,
                        evaluator=rater,
                        evaluator_role=EvaluatorRole.PARTY_MEMBER,
                        score=rng.choice([3, 4, 4, 5, 5]),
                        comment=rng.choice(REVIEW_TEXTS),
                        month=month,
                    )
                )
            if supervisor and rng.random() < 0.5:
                evaluations.append(
                    Evaluation(
                        project=project,
                        evaluator=supervisor,
                        evaluator_role=EvaluatorRole.SUPERVISOR,
                        score=rng.choice([3, 4, 5]),
                        comment="按序时推进，成效明显。",
                        month=previous_month,
                    )
                )
            if resident and rng.random() < 0.4:
                evaluations.append(
                    Evaluation(
                        project=project,
                        evaluator=resident,
                        evaluator_role=EvaluatorRole.RESIDENT,
                        score=rng.choice([2, 4, 5, 5]),
                        comment=rng.choice(REVIEW_TEXTS),
                        month=previous_month,
                    )
                )

    for model, rows in (
        (Project.target_groups.through, through_groups),
        (Project.towns.through, through_towns),
        (Project.communities.through, through_communities),
        (Project.cooperating_units.through, through_coop),
        (Milestone, milestones),
        (Indicator, indicator_rows),
        (ProgressStatement, statements),
        (Evaluation, evaluations),
    ):
        model.objects.bulk_create(rows, batch_size=2000)
    store_schedule(Project.objects.all())  # what the services and the daily task keep stored
    behind = Project.objects.with_schedule().filter(is_behind=True).count()
    stdout.write(
        f"  项目：{len(projects)} 个（滞后 {behind} 个，已完成 "
        f"{sum(1 for p in projects if p.status == ProjectStatus.COMPLETED)} 个），节点 {len(milestones)} 个，"
        f"述职 {len(statements)} 条，评价 {len(evaluations)} 条（{time.monotonic() - began:.1f} 秒）"
    )
