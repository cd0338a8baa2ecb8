import datetime
import io

import pytest
from drf_spectacular.generators import SchemaGenerator

from demo import accounts as accounts_demo
from demo import surveys as demo
from jiangyan.core.exceptions import ConflictError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from surveys import services
from surveys.choices import DutyStatus
from surveys.models import DutyItem, ProblemItem, Response, Suggestion, Survey
from tests.clients import sign_in
from tests.factories import UserFactory

from .factories import DutyItemFactory, ProblemItemFactory

pytestmark = pytest.mark.django_db


def test_unit_staff_update_their_duty_item_and_the_change_is_recorded(client, unit_staff, unit):
    duty = DutyItemFactory(unit=unit, progress_note="")
    sign_in(client, unit_staff)
    response = client.post(
        f"/surveys/duties/{duty.pk}/", {"status": DutyStatus.DONE, "progress_note": "已建成 3 个助餐点"}
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.status, duty.progress_note) == (DutyStatus.DONE, "已建成 3 个助餐点")
    event = AuditEvent.objects.for_object(duty).get()
    assert event.verb == "duty_item.update" and event.before["status"] == DutyStatus.NOT_STARTED
    assert "已建成 3 个助餐点" in client.get(f"/surveys/duties/{duty.pk}/").content.decode()


def test_list_status_form_keeps_the_progress_note(client, unit_staff, unit):
    duty = DutyItemFactory(unit=unit, progress_note="进展顺利")
    sign_in(client, unit_staff)
    client.post(
        f"/surveys/duties/{duty.pk}/status/", {"status": DutyStatus.IN_PROGRESS, "next": "/surveys/duties/"}
    )
    duty.refresh_from_db()
    assert (duty.status, duty.progress_note) == (DutyStatus.IN_PROGRESS, "进展顺利")


def test_office_changes_anything_of_a_duty_item(admin_user, unit):
    duty = DutyItemFactory()
    services.duty_item_update(actor=admin_user, duty_item=duty, unit=unit, deadline=datetime.date(2022, 1, 1))
    duty.refresh_from_db()
    assert duty.unit == unit and duty.deadline == datetime.date(2022, 1, 1)


@pytest.fixture
def superuser(db):
    return UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)


def test_duty_item_admin_goes_through_the_services(client, superuser, unit):
    item = ProblemItemFactory()
    sign_in(client, superuser)
    response = client.post(
        "/admin/surveys/dutyitem/add/",
        {
            "problem_item": item.pk,
            "unit": unit.pk,
            "action": "后台新增",
            "deadline": "2021-12-31",
            "status": DutyStatus.IN_PROGRESS,
            "progress_note": "",
            "projects": [],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    duty = DutyItem.objects.get()
    assert duty.status == DutyStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(verb="duty_item.create", target_id=str(duty.pk)).exists()


def test_survey_builder_admin_pages_render(client, superuser, s):
    sign_in(client, superuser)
    assert client.get("/admin/surveys/survey/add/").status_code == 200
    assert client.get(f"/admin/surveys/survey/{s['survey'].pk}/change/").status_code == 200
    assert client.get(f"/admin/surveys/question/{s['single'].pk}/change/").status_code == 200
    assert client.get("/admin/surveys/problemcategory/").status_code == 200


def test_home_page_shows_participation_figures_and_open_surveys(client, s):
    html = client.get("/").content.decode()
    assert "问需于民" in html and s["survey"].title in html


def test_navigation_by_role(client_as):
    def labels(role):
        return [item["label"] for item in client_as(role).get("/surveys/").context["nav_items"]]

    assert {"问卷调查"} <= set(labels("anonymous")) and "建议编码" not in labels("anonymous")
    assert {"问卷调查", "建议编码", "问题清单", "履职清单", "调研分析"} <= set(map(str, labels(Role.ADMIN)))
    assert "履职清单" in labels(Role.UNIT_STAFF) and "调研分析" not in labels(Role.UNIT_STAFF)
    assert {"履职清单", "调研分析"} <= set(map(str, labels(Role.SUPERVISOR)))


def test_free_suggestion_form_leads_to_the_suggestion_page(client):
    response = client.post("/surveys/suggest/", {"text": "建议在菜市场附近增设公共厕所"})
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and response.url == f"/surveys/suggestions/{suggestion.pk}/"
    assert client.post("/surveys/suggest/", {"text": "短"}).status_code == 400


def test_openapi_schema_has_no_errors_from_this_app():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/surveys/responses/" in schema["paths"]
    assert "/api/v1/surveys/duty-items/{id}/" in schema["paths"]


def test_demo_seed_builds_the_2021_survey_and_is_idempotent():
    out = io.StringIO()
    accounts_demo.seed(scale=1, stdout=out)
    demo.seed(scale=1, stdout=out)
    assert Response.objects.filter(survey__title=demo.SURVEY_TITLE).count() >= 10_000
    assert Suggestion.objects.count() >= 1_200
    assert ProblemItem.objects.count() == 169
    uncoded = Suggestion.objects.filter(problem_item__isnull=True).count() / Suggestion.objects.count()
    assert 0.05 < uncoded < 0.15
    assert DutyItem.objects.values("problem_item").distinct().count() > 169 * 0.8
    assert Survey.objects.open_at().exists()
    demo.seed(scale=1, stdout=out)
    assert ProblemItem.objects.count() == 169 and Survey.objects.count() == 2


# --- the duty item's status moves (choices.DUTY_MOVES) --------------------------------------------------


def test_unit_moves_a_duty_item_forward_and_each_move_is_a_transition(unit_staff, unit):
    duty = DutyItemFactory(unit=unit)
    services.duty_item_update(actor=unit_staff, duty_item=duty, status=DutyStatus.IN_PROGRESS)
    services.duty_item_update(
        actor=unit_staff, duty_item=duty, status=DutyStatus.DONE, progress_note="三个助餐点已开业"
    )
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE
    first, second = AuditEvent.objects.for_object(duty)
    assert (first.verb, first.before, first.after) == (
        "duty_item.update",
        {"status": "not_started"},
        {"status": "in_progress"},
    )
    assert (second.before, second.note) == ({"status": "in_progress"}, "三个助餐点已开业")
    assert second.after == {
        "status": "done",
        "progress_note": "三个助餐点已开业",
        "previous": {"progress_note": ""},
    }


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (DutyStatus.IN_PROGRESS, DutyStatus.NOT_STARTED),
        (DutyStatus.DONE, DutyStatus.NOT_STARTED),
        (DutyStatus.DONE, DutyStatus.IN_PROGRESS),
    ],
)
def test_unit_cannot_move_a_duty_item_back(unit_staff, unit, start, to):
    duty = DutyItemFactory(unit=unit, status=start)
    with pytest.raises(ConflictError) as raised:
        services.duty_item_update(actor=unit_staff, duty_item=duty, status=to, progress_note="改回去")
    assert raised.value.code == "illegal_transition" and "status" in raised.value.fields
    duty.refresh_from_db()
    assert (duty.status, duty.progress_note) == (start, "")
    assert not AuditEvent.objects.for_object(duty).exists()


def test_office_reopens_a_finished_duty_item_but_not_to_not_started(admin_user):
    duty = DutyItemFactory(status=DutyStatus.DONE)
    old_deadline = duty.deadline.isoformat()
    with pytest.raises(ConflictError):
        services.duty_item_update(actor=admin_user, duty_item=duty, status=DutyStatus.NOT_STARTED)
    services.duty_item_update(
        actor=admin_user, duty_item=duty, status=DutyStatus.IN_PROGRESS, deadline=datetime.date(2022, 3, 31)
    )
    duty.refresh_from_db()
    assert duty.status == DutyStatus.IN_PROGRESS
    event = AuditEvent.objects.for_object(duty).get()
    assert event.before == {"status": "done"}
    assert event.after == {
        "status": "in_progress",
        "deadline": "2022-03-31",
        "previous": {"deadline": old_deadline},
    }


def test_illegal_move_is_a_409_in_the_api_and_a_message_on_the_list(client_as, unit):
    duty = DutyItemFactory(unit=unit, status=DutyStatus.DONE)
    response = client_as(Role.UNIT_STAFF, api=True).patch(
        f"/api/v1/surveys/duty-items/{duty.pk}/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["fields"]["status"] == ["已完成的履职事项只能由办公室重新打开。"]
    page = client_as(Role.UNIT_STAFF)
    page.post(f"/surveys/duties/{duty.pk}/status/", {"status": DutyStatus.NOT_STARTED})
    assert "已完成的履职事项只能由办公室重新打开。" in page.get("/surveys/duties/").content.decode()
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE


def test_duty_page_shows_an_illegal_move_on_its_form(client_as, unit):
    duty = DutyItemFactory(unit=unit, status=DutyStatus.IN_PROGRESS)
    response = client_as(Role.UNIT_STAFF).post(
        f"/surveys/duties/{duty.pk}/", {"status": DutyStatus.NOT_STARTED}
    )
    assert response.status_code == 409
    assert response.context["form"].errors["status"] == ["履职事项已是“推进中”，不能改为“未开始”。"]


def test_duty_item_admin_refuses_an_illegal_move(client, superuser, unit):
    duty = DutyItemFactory(unit=unit, status=DutyStatus.IN_PROGRESS)
    sign_in(client, superuser)
    response = client.post(
        f"/admin/surveys/dutyitem/{duty.pk}/change/",
        {
            "problem_item": duty.problem_item_id,
            "unit": unit.pk,
            "action": duty.action,
            "deadline": duty.deadline.isoformat(),
            "status": DutyStatus.NOT_STARTED,
            "progress_note": "",
            "projects": [],
        },
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["status"]
    duty.refresh_from_db()
    assert duty.status == DutyStatus.IN_PROGRESS
