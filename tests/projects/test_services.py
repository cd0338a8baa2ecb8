"""Writes: evaluation once per round, audit events, state changes, and bad input that never ends in a 500."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError
from jiangyan.models import AuditEvent
from projects import selectors, services
from projects.choices import EvaluatorRole, ProjectStatus
from projects.models import Evaluation, IndicatorUpdate, Project, ProjectPhoto
from tests.clients import sign_in

from .conftest import png
from .factories import (
    EvaluationFactory,
    IndicatorFactory,
    MilestoneFactory,
    ProjectFactory,
    month_round,
    open_evaluation,
    rating_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _evaluation_open(db):
    """A round open today with the default criterion alone (as the portal rated before it had a method)."""
    return open_evaluation()


def verbs(project) -> list[str]:
    return list(AuditEvent.objects.for_object(project).values_list("verb", flat=True))


# --- evaluations ----------------------------------------------------------------------------------------


def test_evaluation_once_per_person_project_and_round(resident):
    project = ProjectFactory()
    services.evaluation_create(actor=resident, project=project, score=5, comment="好")
    with pytest.raises(ApplicationError, match="本轮评价中已评价过该项目"):
        services.evaluation_create(actor=resident, project=project, score=3)
    assert Evaluation.objects.get().evaluator_role == EvaluatorRole.RESIDENT
    assert verbs(project) == ["project.evaluate"]


def test_evaluation_is_unique_in_the_database_too(resident):
    evaluation = EvaluationFactory(evaluator=resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(
            project=evaluation.project,
            evaluator=resident,
            evaluator_role=EvaluatorRole.RESIDENT,
            round=evaluation.round,
            month=evaluation.month,
        )


def test_evaluation_in_the_next_round_is_allowed(resident):
    project = ProjectFactory()
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    EvaluationFactory(project=project, evaluator=resident, month=last_month, round=month_round(last_month))
    services.evaluation_create(actor=resident, project=project, score=4)
    assert Evaluation.objects.filter(project=project, evaluator=resident).count() == 2


def test_evaluator_role_follows_the_user(supervisor, member):
    project = ProjectFactory()
    assert (
        services.evaluation_create(actor=supervisor, project=project, score=4).evaluator_role == "supervisor"
    )
    assert services.evaluation_create(actor=member, project=project, score=4).evaluator_role == "party_member"


def test_second_evaluation_on_the_page_shows_a_clear_message(client, resident):
    project = ProjectFactory()
    sign_in(client, resident)
    url = reverse("projects:evaluate", args=[project.code])
    assert client.post(url, rating_form(5)).status_code == 302
    response = client.post(url, rating_form(4))
    assert response.status_code == 200
    assert "本轮评价中已评价过该项目" in response.content.decode()


def test_second_evaluation_through_the_api_is_a_400_with_the_reason(api_client, resident):
    project = ProjectFactory()
    api_client.force_authenticate(resident)
    url = f"/api/v1/projects/{project.code}/evaluations/"
    assert api_client.post(url, {"score": 5}, format="json").status_code == 201
    response = api_client.post(url, {"score": 5}, format="json")
    assert response.status_code == 400
    assert "本轮评价中已评价过该项目" in response.json()["fields"]["score"][0]


def test_evaluation_averages_per_project_and_unit(supervisor, member, resident):
    project = ProjectFactory()
    for user, score in ((supervisor, 5), (member, 3), (resident, 4)):
        services.evaluation_create(actor=user, project=project, score=score)
    averages = selectors.evaluation_averages(project=project)
    assert averages["综合"] == {"avg": 4.0, "n": 3}
    assert averages["领导干部评"]["avg"] == 5.0
    row = selectors.unit_evaluation_averages().get(pk=project.lead_unit_id)
    assert (row.ratings, row.average, row.average_supervisor, row.average_member, row.average_resident) == (
        3, 4.0, 5.0, 3.0, 4.0,
    )  # fmt: skip


def test_public_page_shows_resident_reviews_masked(client, resident, member):
    project = ProjectFactory()
    services.evaluation_create(actor=resident, project=project, score=5, comment="居民点赞")
    services.evaluation_create(actor=member, project=project, score=2, comment="党员意见")
    html = client.get(project.get_absolute_url()).content.decode()
    assert "居民点赞" in html and "党员意见" not in html
    assert resident.real_name not in html


# --- workspace writes -----------------------------------------------------------------------------------


def test_statement_with_photos_and_indicator_updates(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit, status=ProjectStatus.NOT_STARTED)
    indicator = IndicatorFactory(project=project)
    today = timezone.localdate()
    statement = services.statement_create(
        actor=unit_staff,
        project=project,
        period_start=today - datetime.timedelta(days=6),
        period_end=today,
        text="完成 40 户改造",
        photos=[png()],
        indicator_values={indicator.pk: Decimal("40")},
    )
    indicator.refresh_from_db()
    project.refresh_from_db()
    assert indicator.current_value == 40
    assert IndicatorUpdate.objects.get().statement == statement
    assert ProjectPhoto.objects.get().statement == statement
    assert project.status == ProjectStatus.IN_PROGRESS
    assert verbs(project) == ["project.indicator_update", "project.statement", "project.status"]
    event = AuditEvent.objects.for_object(project).get(verb="project.status")
    assert (event.before, event.after) == ({"status": "not_started"}, {"status": "in_progress"})


def test_a_statement_on_a_project_in_progress_leaves_its_status_alone(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit, status=ProjectStatus.IN_PROGRESS)
    today = timezone.localdate()
    services.statement_create(
        actor=unit_staff, project=project, period_start=today, period_end=today, text="x"
    )
    assert verbs(project) == ["project.statement"]


def test_unit_staff_cannot_write_to_another_units_project(unit_staff):
    project = ProjectFactory()
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.statement_create(
            actor=unit_staff, project=project, period_start=today, period_end=today, text="x"
        )
    assert not verbs(project)


def test_completing_the_last_milestone_completes_the_project(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    first = MilestoneFactory(project=project, weight=40)
    last = MilestoneFactory(project=project, weight=60)
    today = timezone.localdate()
    services.milestone_complete(actor=unit_staff, milestone=first, done_date=today, evidence="方案印发")
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.IN_PROGRESS
    services.milestone_complete(actor=unit_staff, milestone=last, done_date=today, evidence="验收")
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    assert verbs(project) == ["project.milestone_done", "project.milestone_done", "project.status"]
    with pytest.raises(ApplicationError, match="已完成"):
        services.milestone_complete(actor=unit_staff, milestone=last, done_date=today, evidence="again")
    assert Project.objects.with_schedule().get(pk=project.pk).actual_pct == 100


def test_photo_add_records_an_audit_event(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    services.photo_add(actor=unit_staff, project=project, images=[png(), png()], caption="现场")
    assert ProjectPhoto.objects.filter(project=project).count() == 2
    assert verbs(project) == ["project.photo_add"]


def test_history_is_shown_on_the_project_page(client, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    services.photo_add(actor=unit_staff, project=project, images=[png()], caption="现场")
    assert "上传照片" in client.get(project.get_absolute_url()).content.decode()


# --- bad input: form errors and API 400s, never a 500 ------------------------------------------------------


@pytest.fixture
def own(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    MilestoneFactory(project=project)
    IndicatorFactory(project=project)
    return project


def test_bad_statement_form_shows_errors(client, unit_staff, own):
    sign_in(client, unit_staff)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("projects:statement-new", args=[own.code]),
        {"period_start": "不是日期", "period_end": future, "text": "",
         "photos": [SimpleUploadedFile("x.png", b"not an image")]},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "截止日期不能晚于今天" in html and "只能上传 JPG、PNG、WEBP 或 GIF 图片" in html
    assert not own.statements.exists()


def test_bad_milestone_and_indicator_forms_show_errors(client, unit_staff, own):
    sign_in(client, unit_staff)
    milestone, indicator = own.milestones.get(), own.indicators.get()
    response = client.post(
        reverse("projects:milestone-done", args=[own.code, milestone.pk]),
        {f"m{milestone.pk}-done_date": "2021-02-30"},
    )
    assert (
        response.status_code == 200
        and "请输入一个有效的日期" in response.content.decode()
        or "有效" in response.content.decode()
    )
    response = client.post(
        reverse("projects:indicators", args=[own.code]), {f"indicator_{indicator.pk}": "-3"}
    )
    assert response.status_code == 200 and "不能为负数" in response.content.decode()
    response = client.post(reverse("projects:photos", args=[own.code]), {"caption": "无图"})
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert milestone.done_date is None
    assert client.post(reverse("projects:milestone-done", args=[own.code, 999999]), {}).status_code == 404


def test_bad_evaluation_form_shows_errors(client, resident):
    project = ProjectFactory()
    sign_in(client, resident)
    response = client.post(reverse("projects:evaluate", args=[project.code]), rating_form(9))
    assert response.status_code == 200 and "评分应为 1 到 5 分" in response.content.decode()


def test_bad_api_input_is_400_with_field_errors(api_client, unit_staff, own, resident):
    api_client.force_authenticate(unit_staff)
    base = f"/api/v1/projects/{own.code}"
    response = api_client.post(f"{base}/statements/", {"period_start": "x", "text": ""}, format="json")
    assert response.status_code == 400
    assert {"period_start", "period_end", "text"} <= set(response.json()["fields"])
    response = api_client.post(
        f"{base}/milestones/{own.milestones.get().pk}/complete/",
        {"done_date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(), "evidence": "x"},
        format="json",
    )
    assert response.status_code == 400 and "done_date" in response.json()["fields"]
    response = api_client.post(
        f"{base}/indicators/", {"values": [{"indicator": 0, "value": "1"}]}, format="json"
    )
    assert response.status_code == 400
    response = api_client.post(
        f"{base}/indicators/", {"values": [{"indicator": 1, "value": "-1"}]}, format="json"
    )
    assert response.status_code == 400
    api_client.force_authenticate(resident)
    response = api_client.post(f"{base}/evaluations/", {"score": 0}, format="json")
    assert response.status_code == 400 and "score" in response.json()["fields"]


@pytest.mark.parametrize(
    "query",
    [
        "program=abc",
        "domain=999999",
        "status=bogus",
        "behind=2",
        "page=999",
        "page=x",
        "town=-1",
        "q=" + "长" * 500,
    ],
)
def test_bad_filters_never_500(client, api_client, query):
    ProjectFactory()
    assert client.get(f"/projects/?{query}").status_code == 200
    assert api_client.get(f"/api/v1/projects/?{query}").status_code in (200, 400, 404)


def test_unknown_project_is_404(client, api_client):
    assert client.get("/projects/NOPE/").status_code == 404
    assert api_client.get("/api/v1/projects/NOPE/").status_code == 404
