"""Texts as an office writes them up, for the print tests: the demo's projects have one-line summaries, an
office's registry does not. ``wordy_project()`` is a project whose summary, milestones' evidence and
progress statements are paragraphs of the district's own account of the campaign (the source article,
2021), as long as a lead unit's write-up runs."""

import datetime

from django.utils import timezone

from accounts.models import Town, Unit, User
from projects.choices import ProjectStatus
from projects.models import Domain, Program, Project, TargetGroup
from tests.factories import TownFactory, UnitFactory, UserFactory
from tests.projects.factories import DomainFactory, ProgramFactory, current_year

SUMMARY = (
    "坚持把基层群众的实际需求作为开展活动的“第一信号”，聚焦从最困难的群众入手、从最突出的问题抓起、从最现实的利益"
    "出发，采取“线上+线下”方式征集问题诉求，问需于民、问计于民。线上依托“先锋姜堰”微信公众号等载体，开展办实事"
    "大调查，1万余名市民参与问卷调查，从中吸收建议1200余条，梳理形成5大类169条问题清单；线下结合“为民大走访”等"
    "活动，创新打造一线送学、一线调研、一线体验、一线解难“四个一线”模式，“点对点”“面对面”听取群众意见、了解民生"
    "需求。同时，根据群众作息时间，适时增设“夜访”环节，力求问真需、访真情、看真况。"
)
STATEMENTS = [
    "本周通过登门发放“心愿卡”、设立心愿“收集箱”、开通心愿征集热线等方式，广泛征集群众“微心愿”100余个，逐条安排"
    "党员认领“接单”，从群众的身边事、小微事做起。疫情防控期间成立临时党支部，组建“生活帮帮团”，打通“民生绿色通道”，"
    "为居家隔离、行动不便群众配送柴米油盐、防疫用品等物资。下一步将继续跟踪回访，确保件件有着落、事事有回音。",
    "按照“一周一督促、一旬一通报、一月一调度”的工作方式，领办单位述、普通党员议、领导干部评，坚持项目“风控”“内"
    "循环”；邀请先进典型、行业代表、基层群众座谈讨论，听一线声音、看实际效果、增最新需求，把握项目进展“外循环”。"
    "本期完成序时节点两个，整改巡回指导组反馈问题4个，群众满意率进一步提升。",
    "组织巡回指导组下沉项目一线，采取实地走访、集中座谈、问卷调查等方式强化全过程跟踪问效，切实推动实事项目快落实、"
    "见实效，形成“实谋划、强推进、严评估”的有效闭环。在“江苏姜堰”微信公众号进行项目展播，持续跟踪项目进展和成效。",
]
MILESTONES = [
    (
        "开展办实事大调查，梳理形成问题清单",
        15,
        "1万余名市民参与问卷调查，吸收建议1200余条，形成5大类169条问题清单，详见调查报告及会议纪要。",
    ),
    (
        "制定实施方案并报区领导小组审定",
        15,
        "实施方案经区领导小组第三次会议审定印发，明确责任单位、完成时限和验收标准。",
    ),
    (
        "组建临时党支部和“生活帮帮团”",
        20,
        "成立临时党支部3个，组建“生活帮帮团”12支，党员志愿者286名到社区报到。",
    ),
    (
        "开展“群众微心愿、党员来接单”活动",
        20,
        "征集微心愿100余个，党员认领“接单”100%，回访满意率98%，详见台账。",
    ),
    (
        "召开座谈会听取群众意见并整改",
        15,
        "邀请先进典型、行业代表、基层群众座谈3场，收集意见建议26条，已整改24条。",
    ),
    ("项目验收、回访和总结", 15, ""),
]


def _lookup(model, factory, **fields):
    return model.objects.filter(**fields).first() or factory(**fields)


def wordy_project(*, code: str = "JY2021-999") -> Project:
    """A public project written up at length (its lead unit, towns and lookups taken from the registry
    when it has them), with six milestones (four done), two indicators and three statements."""
    today = timezone.localdate()
    units = list(Unit.objects.order_by("id")[:6]) or [UnitFactory() for _ in range(6)]
    towns = list(Town.objects.order_by("id")[:4]) or [TownFactory() for _ in range(4)]
    project = Project.objects.create(
        code=code,
        year=current_year(),
        title="“群众微心愿、党员来接单”暨“生活帮帮团”为民服务提升行动",
        summary=SUMMARY,
        program=Program.objects.order_by("id").first() or ProgramFactory(),
        domain=_lookup(Domain, DomainFactory, name="社区治理"),
        lead_unit=units[0],
        responsible_leader="区委常委、组织部部长 王建国",
        planned_start=today - datetime.timedelta(days=150),
        planned_end=today + datetime.timedelta(days=90),
        status=ProjectStatus.IN_PROGRESS,
        is_public=True,
    )
    project.cooperating_units.set(units[1:])
    project.towns.set(towns)
    project.target_groups.set(TargetGroup.objects.all()[:3])
    for index, (name, weight, evidence) in enumerate(MILESTONES):
        planned = today - datetime.timedelta(days=120 - 40 * index)
        done = planned if index < 4 else None
        project.milestones.create(
            name=name, weight=weight, planned_date=planned, done_date=done, evidence=evidence, order=index
        )
    project.indicators.create(name="征集并办结群众微心愿", unit="个", target_value=100, current_value=86)
    project.indicators.create(name="组建“生活帮帮团”", unit="支", target_value=12, current_value=12)
    author = User.objects.filter(unit=units[0]).first() or UserFactory(unit=units[0])
    for index, text in enumerate(STATEMENTS):
        end = today - datetime.timedelta(days=7 * index)
        project.statements.create(
            period_start=end - datetime.timedelta(days=6), period_end=end, text=text, author=author
        )
    return project
