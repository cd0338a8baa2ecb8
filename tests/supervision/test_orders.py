"""Supervision orders (督办单): issue, answer, send back, close — services, pages and API; who may do what;
overdue; notifications; the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from notifications.models import Notification
from supervision import services
from supervision.choices import OrderStatus
from supervision.models import SupervisionOrder
from tests.factories import UnitFactory, UserFactory
from tests.matrix import assert_write, expect, outcome
from tests.projects.factories import ProjectFactory
from tests.supervision.factories import InspectionFactory, OrderFactory
from tests.surveys.factories import DutyItemFactory
from tests.wishes.factories import WishFactory

pytestmark = pytest.mark.django_db


def week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def project(unit):
    return ProjectFactory(lead_unit=unit)


@pytest.fixture
def order(project, supervisor):
    return services.order_issue(
        actor=supervisor, project=project, reason="节点滞后", required_action="一周内整改", deadline=week()
    )


# --- services ------------------------------------------------------------------------------------------


def test_an_order_on_a_project_goes_to_its_lead_unit_whose_staff_are_told(supervisor, unit_staff, project):
    other_unit_staff = UserFactory(roles=[Role.UNIT_STAFF], unit=UnitFactory())
    order = services.order_issue(
        actor=supervisor, project=project, reason="节点滞后", required_action="整改", deadline=week()
    )
    assert order.unit == project.lead_unit and order.community is None and order.status == OrderStatus.ISSUED
    assert order.code.startswith(f"DB{timezone.localdate().year}-")
    (note,) = Notification.objects.filter(reason="order.issued")
    assert note.recipient == unit_staff and note.url == order.get_absolute_url()
    assert not Notification.objects.filter(recipient=other_unit_staff).exists()
    assert AuditEvent.objects.for_object(order).get().verb == "order.issue"


def test_an_order_on_a_wish_goes_to_its_community_and_on_a_duty_item_to_its_unit(supervisor, community):
    wish = WishFactory(community=community)
    duty = DutyItemFactory()
    on_wish = services.order_issue(
        actor=supervisor, wish=wish, reason="逾期", required_action="处理", deadline=week()
    )
    on_duty = services.order_issue(
        actor=supervisor, duty_item=duty, reason="逾期", required_action="处理", deadline=week()
    )
    assert (on_wish.community, on_wish.unit) == (community, None)
    assert (on_duty.unit, on_duty.community) == (duty.unit, None)
    assert on_wish.code != on_duty.code


@pytest.mark.parametrize(
    "change,field",
    [
        ({"project": None}, "target"),
        ({"reason": "  "}, "reason"),
        ({"required_action": ""}, "required_action"),
        ({"deadline": datetime.date(2000, 1, 1)}, "deadline"),
    ],
)
def test_a_bad_order_is_refused_with_the_field_and_nothing_is_written(supervisor, project, change, field):
    fields = {"project": project, "reason": "滞后", "required_action": "整改", "deadline": week(), **change}
    with pytest.raises(ApplicationError) as error:
        services.order_issue(actor=supervisor, **fields)
    assert field in error.value.fields
    assert not SupervisionOrder.objects.exists() and not Notification.objects.exists()


def test_only_supervisors_issue_orders(unit_staff, project):
    with pytest.raises(PermissionDenied):
        services.order_issue(
            actor=unit_staff, project=project, reason="x", required_action="y", deadline=week()
        )


def test_unit_staff_answer_only_their_own_unit_s_orders(order, unit_staff, supervisor):
    stranger = UserFactory(roles=[Role.UNIT_STAFF], unit=UnitFactory())
    with pytest.raises(PermissionDenied):
        services.order_answer(actor=stranger, order=order, answer="已整改")
    with pytest.raises(PermissionDenied):
        services.order_answer(actor=supervisor, order=order, answer="已整改")
    answered = services.order_answer(actor=unit_staff, order=order, answer="已整改到位")
    assert answered.status == OrderStatus.ANSWERED and answered.answered_by == unit_staff
    (note,) = Notification.objects.filter(reason="order.answered")
    assert note.recipient == supervisor
    with pytest.raises(ConflictError):
        services.order_answer(actor=unit_staff, order=order, answer="再答一次")


def test_a_returned_order_is_answered_again_and_then_closed(order, unit_staff, supervisor):
    services.order_answer(actor=unit_staff, order=order, answer="已整改")
    with pytest.raises(ApplicationError) as error:
        services.order_return(actor=supervisor, order=order, reason="")
    assert "reason" in error.value.fields
    returned = services.order_return(actor=supervisor, order=order, reason="材料不全", deadline=week())
    assert returned.status == OrderStatus.RETURNED and returned.is_open
    assert Notification.objects.filter(reason="order.returned", recipient=unit_staff).exists()
    services.order_answer(actor=unit_staff, order=order, answer="已补充材料")
    closed = services.order_close(actor=supervisor, order=order, note="同意办结")
    assert closed.status == OrderStatus.CLOSED and closed.closed_by == supervisor
    verbs = list(AuditEvent.objects.for_object(order).values_list("verb", flat=True))
    assert verbs == ["order.issue", "order.answer", "order.return", "order.answer", "order.close"]
    with pytest.raises(ConflictError):
        services.order_close(actor=supervisor, order=order)


def test_an_unanswered_order_cannot_be_closed_or_sent_back(order, supervisor):
    for call in (
        lambda: services.order_close(actor=supervisor, order=order),
        lambda: services.order_return(actor=supervisor, order=order, reason="x"),
    ):
        with pytest.raises(ConflictError):
            call()


def test_an_order_past_its_deadline_without_an_answer_is_overdue(project):
    late = OrderFactory(project=project, issued_at=timezone.now() - datetime.timedelta(days=10))
    answered = OrderFactory(
        project=project, issued_at=timezone.now() - datetime.timedelta(days=10), status=OrderStatus.ANSWERED
    )
    assert late.is_overdue and not answered.is_overdue
    today = timezone.localdate()
    assert list(SupervisionOrder.objects.overdue(today)) == [late]


def test_an_order_from_an_inspection_finding_keeps_its_source(supervisor, project):
    inspection = InspectionFactory(recorded_by=supervisor)
    order = services.order_issue(
        actor=supervisor,
        project=project,
        inspection=inspection,
        reason="走访发现",
        required_action="整改",
        deadline=week(),
    )
    assert order.inspection == inspection and list(inspection.orders.all()) == [order]


# --- pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,expected",
    expect(default=403, anonymous="login", unit_staff=200, community_staff=200, supervisor=200, admin=200),
)
def test_who_opens_the_order_list(client_as, role, expected):
    assert outcome(client_as(role).get("/orders/")) == expected


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor="ok", admin="ok"))
def test_who_issues_an_order_on_the_page(client_as, project, role, expected):
    data = {
        "target_kind": "project",
        "target": project.code,
        "reason": "节点滞后",
        "required_action": "整改",
        "deadline": week().isoformat(),
    }
    assert_write(
        lambda: client_as(role).post("/orders/new/", data),
        expected=expected,
        verb="order.issue",
        state=lambda: SupervisionOrder.objects.count(),
    )


def test_the_issue_form_names_an_unknown_target(client_as):
    response = client_as("supervisor").post(
        "/orders/new/",
        {
            "target_kind": "project",
            "target": "JY1999-404",
            "reason": "x",
            "required_action": "y",
            "deadline": week(),
        },
    )
    assert response.status_code == 400
    assert "没有找到这个编号对应的督办对象" in response.content.decode()


def test_the_issue_form_is_filled_in_from_the_project_page_link(client_as, project):
    response = client_as("supervisor").get(f"/orders/new/?project={project.code}")
    assert f'value="{project.code}"' in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "typed", "make", "key"),
    [
        ("project", "老旧小区", lambda: ProjectFactory(title="罗塘街道老旧小区改造"), lambda o: o.code),
        ("wish", "修水龙头", lambda: WishFactory(title="请人帮忙修水龙头"), lambda o: o.code),
        ("duty_item", "加装电梯", lambda: DutyItemFactory(action="推进老楼加装电梯"), lambda o: str(o.pk)),
    ],
)
def test_the_target_picker_finds_a_target_by_the_words_a_supervisor_knows(client_as, kind, typed, make, key):
    target, other = make(), ProjectFactory(title="别的项目")
    client = client_as("supervisor")
    options = client.get("/orders/targets/", {"target_kind": kind, "target": typed}).content.decode()
    assert f'<option value="{key(target)}">' in options and other.code not in options
    assert client.get("/orders/targets/", {"target_kind": kind, "target": ""}).content.decode().strip() == ""
    form = client.get("/orders/new/").content.decode()
    assert 'list="order-target-options"' in form and 'hx-get="/orders/targets/"' in form
    answer = client.post(
        "/orders/new/",
        {
            "target_kind": kind,
            "target": key(target),
            "reason": "x",
            "required_action": "y",
            "deadline": week(),
        },
    )
    assert answer.status_code == 302 and getattr(SupervisionOrder.objects.get(), f"{kind}_id") == target.pk


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor=200, admin=200))
def test_only_supervisors_use_the_target_picker(client_as, role, expected):
    ProjectFactory(title="罗塘街道老旧小区改造")
    assert (
        outcome(client_as(role).get("/orders/targets/", {"target_kind": "project", "target": "老旧"}))
        == expected
    )


def test_a_duty_item_page_offers_supervisors_an_order_and_the_form_names_the_item(client_as, supervisor):
    duty = DutyItemFactory()
    body = client_as("supervisor").get(duty.get_absolute_url()).content.decode()
    assert f"/orders/new/?duty_item={duty.pk}" in body and "对本履职事项下发督办单" in body
    assert (
        "对本履职事项下发督办单" not in client_as("unit_staff").get(duty.get_absolute_url()).content.decode()
    )
    form = client_as("supervisor").get(f"/orders/new/?duty_item={duty.pk}").content.decode()
    assert str(duty) in form
    order = services.order_issue(
        actor=supervisor, duty_item=duty, reason="逾期", required_action="处理", deadline=week()
    )
    assert order.code in client_as("supervisor").get(duty.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", unit_staff="ok"))
def test_who_answers_an_order_on_the_page(client_as, order, role, expected):
    # Scope: the unit_staff of the matrix works for the order's unit; community staff, other roles get 403;
    # a supervisor sees the order but cannot answer it; admins act for no unit.
    expected = 404 if role == Role.COMMUNITY_STAFF else expected
    assert_write(
        lambda: client_as(role).post(f"/orders/{order.pk}/answer/", {"answer": "已整改"}),
        expected=expected,
        verb="order.answer",
        state=lambda: SupervisionOrder.objects.get(pk=order.pk).status,
    )


def test_another_unit_s_staff_cannot_see_or_answer_the_order(client_as, order):
    stranger = UserFactory(roles=[Role.UNIT_STAFF], unit=UnitFactory())
    client = client_as(stranger)
    assert client.get(f"/orders/{order.pk}/").status_code == 404
    assert client.post(f"/orders/{order.pk}/answer/", {"answer": "x"}).status_code == 404
    assert order.pk not in [o.pk for o in client.get("/orders/").context["page_obj"]]


def test_an_empty_answer_stays_on_the_page_with_the_error(client_as, order):
    response = client_as("unit_staff").post(f"/orders/{order.pk}/answer/", {"answer": ""})
    assert response.status_code == 400 and "answer_form" in response.context
    assert SupervisionOrder.objects.get(pk=order.pk).status == OrderStatus.ISSUED


@pytest.mark.parametrize("name,data", [("close", {"note": "好"}), ("return", {"reason": "不全"})])
@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", supervisor="ok", admin="ok"))
def test_who_closes_or_sends_back_an_answered_order(client_as, order, unit_staff, role, expected, name, data):
    services.order_answer(actor=unit_staff, order=order, answer="已整改")
    if role in (Role.COMMUNITY_STAFF,):
        expected = 404
    assert_write(
        lambda: client_as(role).post(f"/orders/{order.pk}/{name}/", data),
        expected=expected,
        verb=f"order.{name}",
        state=lambda: SupervisionOrder.objects.get(pk=order.pk).status,
    )


def test_the_order_list_filters_overdue_and_by_unit(client_as, project):
    late = OrderFactory(project=project, issued_at=timezone.now() - datetime.timedelta(days=10))
    OrderFactory(project=project)
    OrderFactory()
    page = (
        client_as("supervisor").get(f"/orders/?overdue=true&unit={project.lead_unit_id}").context["page_obj"]
    )
    assert [o.pk for o in page] == [late.pk]


def test_the_project_page_shows_its_orders_and_the_issue_button_to_supervisors(client_as, order, project):
    body = client_as("supervisor").get(project.get_absolute_url()).content.decode()
    assert order.code in body and f"/orders/new/?project={project.code}" in body
    public = client_as("anonymous").get(project.get_absolute_url()).content.decode()
    assert order.code not in public


# --- API -------------------------------------------------------------------------------------------------


def test_the_api_issues_answers_returns_and_closes(client_as, project, unit_staff):
    supervisor_api, staff_api = client_as("supervisor", api=True), client_as("unit_staff", api=True)
    response = supervisor_api.post(
        "/api/v1/orders/",
        {
            "target_kind": "project",
            "target": project.code,
            "reason": "滞后",
            "required_action": "整改",
            "deadline": week(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert staff_api.post(f"/api/v1/orders/{pk}/answer/", {"answer": ""}, format="json").json()["fields"][
        "answer"
    ]
    assert (
        staff_api.post(f"/api/v1/orders/{pk}/answer/", {"answer": "已整改"}, format="json").status_code == 200
    )
    assert staff_api.post(f"/api/v1/orders/{pk}/close/", {}, format="json").status_code == 403
    returned = supervisor_api.post(f"/api/v1/orders/{pk}/return/", {"reason": "不全"}, format="json")
    assert returned.json()["status"] == OrderStatus.RETURNED
    assert supervisor_api.post(f"/api/v1/orders/{pk}/close/", {}, format="json").status_code == 409
    staff_api.post(f"/api/v1/orders/{pk}/answer/", {"answer": "已补充"}, format="json")
    closed = supervisor_api.post(f"/api/v1/orders/{pk}/close/", {"note": "办结"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == OrderStatus.CLOSED


def test_the_api_refuses_an_unknown_target_with_the_field(client_as):
    response = client_as("supervisor", api=True).post(
        "/api/v1/orders/",
        {"target_kind": "wish", "target": "WX404", "reason": "x", "required_action": "y", "deadline": week()},
        format="json",
    )
    assert response.status_code == 400 and "target" in response.json()["fields"]


def test_the_api_lists_only_the_caller_s_orders(client_as, order):
    OrderFactory()
    assert [o["id"] for o in client_as("unit_staff", api=True).get("/api/v1/orders/").json()["results"]] == [
        order.pk
    ]
    assert client_as("supervisor", api=True).get("/api/v1/orders/").json()["count"] == 2
    assert client_as("resident", api=True).get("/api/v1/orders/").status_code == 403
