"""The demo writes its history in bulk; these tests prove it is the history the services write. Each takes
demo objects, replays every act of their record through the real services — same actor, same inputs, at
the same moment (``time_machine``) — on a fresh copy, and compares the two records event by event: verb,
actor, actor label, before, after, note and time."""

import datetime
import io
from collections import defaultdict

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from openpyxl import Workbook
from PIL import Image

from accounts.models import User
from campaigns.models import Campaign
from demo.projects import code_prefix
from jiangyan.core.audit import audit_verify
from jiangyan.models import AuditEvent
from projects import services as project_services
from projects.models import Evaluation, Milestone, ProgressStatement, Project, ProjectPhoto
from supervision.choices import ReportStatus
from supervision.models import ContactPoint, Inspection, Leader, Report, SupervisionOrder
from surveys import services as survey_services
from surveys.models import DutyItem, ProblemItem, Response, Suggestion
from wishes import services as wish_services
from wishes.choices import WishStatus
from wishes.models import Wish

pytestmark = pytest.mark.django_db


def picture() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def record(obj, *, rename: tuple[str, str] | None = None) -> list[tuple]:
    """The record of ``obj`` as comparable tuples (a replayed project's code read as the demo's)."""
    rows = []
    for e in AuditEvent.objects.for_object(obj).order_by("created_at", "id"):
        after = e.after
        if rename and isinstance(after, dict) and after.get("code") == rename[0]:
            after = {**after, "code": rename[1]}
        rows.append((e.verb, e.actor_id, e.actor_label, e.before, after, e.note, e.created_at))
    return rows


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


# --- projects -------------------------------------------------------------------------------------------


def _import_copy(project: Project, code: str, actor) -> Project:
    """The demo project as the office's import would have created it (milestones undone, indicators 0)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "项目"
    sheet.append(
        ["编号", "项目名称", "项目简介", "工程", "领域", "服务对象", "领办单位", "协办单位", "责任领导"]
    )
    sheet["J1"], sheet["K1"], sheet["L1"], sheet["M1"] = "实施镇街", "计划开始", "计划完成", "是否公开"
    sheet.append(
        [
            code,
            project.title,
            project.summary,
            project.program.name,
            project.domain.name,
            "、".join(g.name for g in project.target_groups.all()),
            project.lead_unit.name,
            "、".join(u.name for u in project.cooperating_units.all()),
            project.responsible_leader,
            "、".join(t.name for t in project.towns.all()),
            project.planned_start,
            project.planned_end,
            "是" if project.is_public else "否",
        ]
    )
    milestones = book.create_sheet("节点")
    milestones.append(["项目编号", "节点名称", "计划完成日期", "权重"])
    for m in project.milestones.order_by("order"):
        milestones.append([code, m.name, m.planned_date, m.weight])
    indicators = book.create_sheet("指标")
    indicators.append(["项目编号", "指标名称", "计量单位", "目标值"])
    for i in project.indicators.order_by("order"):
        indicators.append([code, i.name, i.unit, float(i.target_value)])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    project_services.projects_import(actor=actor, upload=buffer)
    return Project.objects.get(code=code)


def replay_project(project: Project, code: str) -> Project:
    events = list(AuditEvent.objects.for_object(project).order_by("created_at", "id"))
    assert events[0].verb == "project.import"
    with at(events[0].created_at):
        copy = _import_copy(project, code, events[0].actor)
    milestones = {m.name: m for m in copy.milestones.all()}
    indicators = {i.name: i for i in copy.indicators.all()}
    statements = {
        s.created_at: s
        for s in ProgressStatement.objects.filter(project=project).prefetch_related(
            "indicator_updates__indicator"
        )
    }
    for event in events[1:]:
        with at(event.created_at):
            if event.verb == "project.milestone_done":
                original = Milestone.objects.get(project=project, name=event.after["milestone"])
                photos = ProjectPhoto.objects.filter(milestone=original).count()
                project_services.milestone_complete(
                    actor=event.actor,
                    milestone=milestones[original.name],
                    done_date=datetime.date.fromisoformat(event.after["done_date"]),
                    evidence=original.evidence,
                    photos=[picture() for _ in range(photos)],
                )
            elif event.verb == "project.statement":
                original = statements[event.created_at]
                updates = sorted(
                    original.indicator_updates.all(), key=lambda u: (u.indicator.order, u.indicator_id)
                )
                values = {indicators[u.indicator.name].pk: u.value for u in updates}  # in the demo's order
                project_services.statement_create(
                    actor=event.actor,
                    project=copy,
                    period_start=original.period_start,
                    period_end=original.period_end,
                    text=original.text,
                    photos=[picture() for _ in range(event.after["photos"])],
                    indicator_values=values,
                )
            elif event.verb == "project.evaluate":
                original = Evaluation.objects.get(
                    project=project, evaluator=event.actor, created_at=event.created_at
                )
                project_services.evaluation_create(
                    actor=event.actor,
                    project=copy,
                    scores={s.criterion_id: s.score for s in original.scores.all()},
                    comment=original.comment,
                )
            elif event.verb == "project.campaign":
                project_services.project_tag_campaign(
                    actor=event.actor, project=copy, campaign=Campaign.objects.get(pk=event.after["campaign"])
                )
            elif event.verb == "project.photo_add":
                project_services.photo_add(
                    actor=event.actor,
                    project=copy,
                    images=[picture() for _ in range(event.after["count"])],
                    caption=event.note,
                )
            else:  # status changes and indicator updates are written by the acts above
                assert event.verb in ("project.status", "project.indicator_update"), event.verb
    copy.refresh_from_db()
    return copy


def _projects_to_replay() -> list[Project]:
    verbs = defaultdict(set)
    for verb, target in AuditEvent.objects.filter(verb__startswith="project.").values_list(
        "verb", "target_id"
    ):
        verbs[int(target)].add(verb)
    everything = {
        "project.import",
        "project.milestone_done",
        "project.statement",
        "project.indicator_update",
        "project.status",
        "project.evaluate",
        "project.photo_add",
    }
    chosen = [Project.objects.get(code=f"{code_prefix()}001")]
    chosen.append(next(p for p in Project.objects.filter(status="completed") if verbs[p.pk] == everything))
    behind = Project.objects.with_schedule().filter(is_behind=True, status="in_progress")
    chosen.append(next(p for p in behind if "project.milestone_done" in verbs[p.pk]))
    return chosen


def test_a_demo_projects_record_is_what_the_services_write_for_the_same_acts(district):
    for number, project in enumerate(_projects_to_replay(), start=1):
        code = f"{code_prefix()}9{number:02d}"  # a free code of the demo's year (the import checks it)
        copy = replay_project(project, code)
        assert copy.status == project.status
        assert record(copy, rename=(code, project.code)) == [
            (verb, actor, label, before, after, note, when)
            for verb, actor, label, before, after, note, when in record(project)
        ], project.code
        assert [(e.target_repr.replace(code, project.code)) for e in AuditEvent.objects.for_object(copy)] == [
            e.target_repr for e in AuditEvent.objects.for_object(project)
        ]


# --- wishes ---------------------------------------------------------------------------------------------

# Each verb of a wish's record and the moment of the wish it dates, both written by the one service call.
WISH_MOMENTS = {
    "wish.submit": "submitted_at",
    "wish.enter": "submitted_at",
    "wish.approve": "reviewed_at",
    "wish.reject": "reviewed_at",
    "wish.withdraw": "withdrawn_at",
    "wish.fulfil": "fulfilled_at",
    "wish.feedback": "closed_at",
}


def test_every_demo_wish_lived_its_life_through_the_services_on_its_days(district):
    """The demo calls the services on the past days (``jiangyan.helpers.clock.at``): each event of a wish's
    record has the moment the service stamped on the wish itself, its fulfilment photo that of its fulfilment,
    and the record ends in the wish's state — so no part of it was written beside the services."""
    verbs = set()
    wishes = Wish.objects.prefetch_related("photos")
    for wish in wishes:
        events = list(AuditEvent.objects.for_object(wish).order_by("created_at", "id"))
        verbs |= {e.verb for e in events}
        assert events[0].verb in ("wish.submit", "wish.enter"), wish.code
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        for event in events:
            moment = WISH_MOMENTS.get(event.verb)
            if moment and event == [e for e in events if e.verb == event.verb][-1]:
                assert getattr(wish, moment) == event.created_at, (wish.code, event.verb)
        last = [e for e in events if e.after and "status" in e.after][-1]
        assert last.after["status"] == wish.status, wish.code
        if wish.status == WishStatus.CLAIMED:
            claim = [e for e in events if e.verb in ("wish.claim", "wish.dispatch_accept")][-1]
            assert claim.created_at == wish.claimed_at and claim.actor_id == wish.claimed_by_id
        for photo in wish.photos.all():
            assert photo.created_at == wish.fulfilled_at
    assert verbs >= {f"wish.{v}" for v in ("submit", "enter", "approve", "reject", "withdraw", "claim")} | {
        "wish.route",
        "wish.fulfil",
        "wish.feedback",
        "wish.reopen",
        "wish.campaign",
    }


# --- the needs survey -----------------------------------------------------------------------------------


def test_a_demo_duty_items_record_is_what_the_services_write(district):
    duty = next(
        d
        for d in DutyItem.objects.filter(status="done").select_related("problem_item", "unit")
        if d.projects.exists()
    )
    item = duty.problem_item
    events = list(AuditEvent.objects.for_object(duty).order_by("created_at", "id"))
    assert [e.verb for e in events] == ["duty_item.create"] + ["duty_item.update"] * 3
    with at(events[0].created_at):
        copy = survey_services.duty_item_create(
            actor=events[0].actor,
            problem_item=item,
            unit=duty.unit,
            action=duty.action,
            deadline=duty.deadline,
        )
    for event in events[1:]:
        with at(event.created_at):
            if "projects" in event.after:
                survey_services.duty_item_update(
                    actor=event.actor, duty_item=copy, projects=list(duty.projects.all())
                )
            else:
                survey_services.duty_item_update(
                    actor=event.actor,
                    duty_item=copy,
                    status=event.after["status"],
                    progress_note=event.after.get("progress_note"),
                )
    assert record(copy) == record(duty)


def test_the_demo_problem_lists_links_and_codings_are_what_the_services_write(district):
    item = next(i for i in ProblemItem.objects.order_by("code") if i.projects.exists())
    fresh = ProblemItem.objects.create(category=item.category, code="ZZ-999", title=item.title)
    (link,) = AuditEvent.objects.for_object(item).filter(verb="problem_item.link_projects")
    with at(link.created_at):
        survey_services.problem_item_link_projects(
            actor=link.actor, problem_item=fresh, projects=list(item.projects.all())
        )
    assert record(fresh) == record(item)

    coded = Suggestion.objects.filter(problem_item__isnull=False).annotate(n=Count("problem_items"))
    for suggestion in (coded.filter(n=1).first(), coded.filter(n=2).first()):  # one problem, and two
        uncoded = Suggestion.objects.create(text=suggestion.text, source=suggestion.source)
        (event,) = AuditEvent.objects.for_object(suggestion)
        others = suggestion.problem_items.exclude(pk=suggestion.problem_item_id)
        with at(event.created_at):
            survey_services.suggestion_code(
                actor=event.actor, suggestion=uncoded, problem_items=[suggestion.problem_item, *others]
            )
        assert record(uncoded) == record(suggestion)


def test_a_paper_questionnaire_entered_in_the_demo_is_recorded_as_the_service_records_it(district):
    response = (
        Response.objects.filter(channel="night_visit", entered_by__isnull=False)
        .select_related("survey", "community__town", "entered_by")
        .first()
    )
    answers: dict[int, object] = {}
    for answer in response.answers.select_related("question"):
        if answer.option_id:
            if answer.question.kind == "multiple":
                answers.setdefault(answer.question_id, []).append(answer.option_id)
            else:
                answers[answer.question_id] = answer.option_id
        elif answer.number is not None:
            answers[answer.question_id] = answer.number
        else:
            answers[answer.question_id] = answer.text
    (entered,) = AuditEvent.objects.for_object(response)
    with at(entered.created_at):
        copy = survey_services.response_submit(
            actor=response.entered_by,
            survey=response.survey,
            answers=answers,
            community=response.community,
            channel=response.channel,
        )
    assert record(copy) == record(response)


def test_the_demo_record_is_one_unbroken_chain_that_live_events_continue(district):
    """The history written in bulk is sealed as the services seal each event (``jiangyan.core.audit``):
    ``verify_audit`` finds nothing on the seeded district, nor after a live event follows it."""
    assert AuditEvent.objects.count() > 1000
    assert list(audit_verify()) == []
    wish = Wish.objects.filter(status=WishStatus.SUBMITTED).first()
    wish_services.wish_approve(actor=User.objects.get(username="admin"), wish=wish)
    assert list(audit_verify()) == []


# --- leaders, their contact points and visits, orders, reports ----------------------------------------------

# Each verb of a supervision row's record and the moment on the row the same service call stamped.
SUPERVISION_MOMENTS = {
    "inspection.record": "created_at",
    "order.issue": "issued_at",
    "order.answer": "answered_at",
    "order.return": "returned_at",
    "order.close": "closed_at",
    "report.approve": "approved_at",
    "report.publish": "published_at",
}


def test_the_demo_supervision_was_done_through_the_services_on_its_days(district):
    """Leaders appointed and given their points, visits and inspections recorded, orders issued, answered,
    returned and closed, reports approved and published: each by its service on its day
    (``jiangyan.helpers.clock.at``), so each event carries the moment its row does."""
    rows = [
        *Leader.objects.all(),
        *ContactPoint.objects.all(),
        *Inspection.objects.all(),
        *SupervisionOrder.objects.all(),
        *Report.objects.exclude(status=ReportStatus.DRAFT),
    ]
    verbs = set()
    for row in rows:
        events = list(AuditEvent.objects.for_object(row).order_by("created_at", "id"))
        assert events, row
        for event in events:
            verbs.add(event.verb)
            if event.verb in SUPERVISION_MOMENTS:
                assert getattr(row, SUPERVISION_MOMENTS[event.verb]) == event.created_at, (row, event.verb)
        if isinstance(row, SupervisionOrder):
            assert events[-1].after["status"] == row.status, row.code
    assert verbs >= {"leader.appoint", "contact_point.assign", *SUPERVISION_MOMENTS}
    leader = Leader.objects.select_related("user").get(user__username="leader02")
    appointed = AuditEvent.objects.for_object(leader).get()
    assigned = AuditEvent.objects.for_object(leader.contact_points.first()).get()
    assert appointed.created_at < assigned.created_at
