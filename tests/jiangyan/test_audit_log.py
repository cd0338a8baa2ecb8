"""The audit log page for the office (``/audit/``): every recorded action in one place, searchable,
filterable by actor, verb, object type and dates, paginated and exportable."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from jiangyan.core.audit import audit_record, personal_data_viewed
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from tests.factories import UnitFactory, UserFactory
from tests.matrix import expect, outcome
from tests.wishes.factories import WishFactory

pytestmark = pytest.mark.django_db
URL = "/audit/"


def listed(page) -> list[str]:
    """The verbs a page lists, less the sign-in of the test's own client (recorded now)."""
    return [e.verb for e in page.context["events"] if not e.verb.startswith("auth.")]


@pytest.fixture
def events(admin_user, community_staff, community):
    """Three days of events by two people on two kinds of object."""
    wish = WishFactory(community=community, title="代购降压药")
    unit = UnitFactory(name="区民政局")
    day = datetime.datetime(2021, 6, 1, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(day, tick=False):
        audit_record(actor=community_staff, verb="wish.approve", target=wish, note="审核通过")
    with time_machine.travel(day + datetime.timedelta(days=1), tick=False):
        personal_data_viewed(actor=admin_user, target=wish, fields=["phone"])
    with time_machine.travel(day + datetime.timedelta(days=2), tick=False):
        audit_record(actor=admin_user, verb="test.rename", target=unit, note='=HYPERLINK("http://x")')
    return {"wish": wish, "unit": unit}


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", admin=200))
def test_only_the_office_reads_the_log(client_as, role, expected):
    assert outcome(client_as(role).get(URL)) == expected
    assert outcome(client_as(role).get(f"{URL}export.xlsx")) == expected


def test_the_log_lists_every_event_newest_first(client_as, events):
    page = client_as(Role.ADMIN).get(URL)
    assert [e.verb for e in page.context["events"]][0] == "auth.signed_in"  # the office's own sign-in
    assert listed(page) == ["test.rename", "personal_data.view", "wish.approve"]
    html = page.content.decode()
    assert "查看了完整个人信息" in html and "代购降压药" in html


@pytest.mark.parametrize(
    "query,verbs",
    [
        ("verb=wish.approve", ["wish.approve"]),
        ("q=降压药", ["personal_data.view", "wish.approve"]),
        ("date_from=2021-06-02", ["test.rename", "personal_data.view"]),
        ("date_from=2021-06-02&date_to=2021-06-02", ["personal_data.view"]),
        ("date_to=2021-06-01", ["wish.approve"]),
    ],
)
def test_filters(client_as, events, query, verbs):
    page = client_as(Role.ADMIN).get(f"{URL}?{query}")
    assert listed(page) == verbs


def test_filter_by_actor_and_object_type(client_as, events, community_staff):
    admin = client_as(Role.ADMIN)
    by_actor = admin.get(f"{URL}?actor={community_staff.username}").context["events"]
    assert [e.verb for e in by_actor] == ["wish.approve"]
    wish_type = AuditEvent.objects.get(verb="wish.approve").target_type_id
    by_type = admin.get(f"{URL}?target_type={wish_type}").context["events"]
    assert [e.verb for e in by_type] == ["personal_data.view", "wish.approve"]


@pytest.mark.parametrize(
    "query", ["date_from=x", "date_to=9999-12-31", "target_type=abc", "verb=%00", "q=%00"]
)
def test_bad_filter_values_are_not_a_500(client_as, events, query):
    assert client_as(Role.ADMIN).get(f"{URL}?{query}").status_code == 200
    assert client_as(Role.ADMIN).get(f"{URL}export.xlsx?{query}").status_code == 200


def test_the_log_is_paginated(client_as, community, admin_user):
    for n in range(60):
        audit_record(actor=admin_user, verb="test.bulk", target=community, note=f"第{n}次")
    admin = client_as(Role.ADMIN)
    assert len(admin.get(URL).context["events"]) == 50
    # The 60 and the office's own sign-in.
    assert len(admin.get(f"{URL}?page=2").context["events"]) == AuditEvent.objects.count() - 50 == 11


def test_export_has_the_filtered_rows_as_text(client_as, events):
    response = client_as(Role.ADMIN).get(f"{URL}export.xlsx?date_from=2021-06-02")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "动作", "对象类型", "对象", "变更前", "变更后", "说明")
    # An unregistered verb as is; the office's own sign-in of today is there too.
    assert [r[2] for r in rows[1:] if r[2] != "登录"] == ["test.rename", "查看了完整个人信息"]
    # A note that looks like a formula is written as text.
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "test.rename")
    note = next(c for c in row if isinstance(c.value, str) and c.value.startswith("="))
    assert note.data_type == "s"


def test_the_export_reads_as_the_office_reads(client_as, events, admin_user):
    """Local time as a real date-time cell wide enough to show it, who did it by name, the verb's label, the
    object by kind and name, and before/after with every key and code as its label — no internal code."""
    wish = events["wish"]
    with time_machine.travel(datetime.datetime(2021, 6, 4, 1, 30, tzinfo=datetime.UTC), tick=False):
        audit_record(
            actor=admin_user,
            verb="wish.claim",
            target=wish,
            before={"status": "open"},
            after={"status": "claimed", "promised_date": "2021-06-11"},
        )
    response = client_as(Role.ADMIN).get(f"{URL}export.xlsx?verb=wish.claim")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    time, actor, verb, kind, target, before, after, _note = (c.value for c in sheet[2])
    assert time == datetime.datetime(2021, 6, 4, 9, 30)  # 01:30 UTC is 09:30 in Jiangyan
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.column_dimensions["A"].width >= len("2021-06-04 09:30")
    assert (actor, verb, kind, target) == (admin_user.display_name, "认领心愿", "微心愿", str(wish))
    assert before == "状态：待认领"
    assert after == "状态：已认领；承诺完成日期：2021-06-11"
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.fitToWidth == 1


def test_the_office_has_the_log_in_its_menu(client_as):
    assert "/audit/" in client_as(Role.ADMIN).get("/").content.decode()
    assert "/audit/" not in client_as(Role.SUPERVISOR).get("/").content.decode()


def test_log_queries_are_flat(query_counter, client_as, community):
    actor = UserFactory(roles=[Role.COMMUNITY_STAFF])

    def grow(n):
        for _ in range(n):
            audit_record(actor=actor, verb="wish.approve", target=WishFactory(community=community))

    query_counter.flat(client_as(Role.ADMIN), URL, grow=grow)


def test_dates_are_read_in_the_portal_time_zone(client_as, admin_user, community):
    # 23:30 in Jiangyan on 1 June is 15:30 UTC: it belongs to 1 June.
    moment = timezone.make_aware(datetime.datetime(2021, 6, 1, 23, 30))
    with time_machine.travel(moment, tick=False):
        audit_record(actor=admin_user, verb="test.late", target=community)
    admin = client_as(Role.ADMIN)
    assert listed(admin.get(f"{URL}?date_to=2021-06-01")) == ["test.late"]
    assert listed(admin.get(f"{URL}?date_from=2021-06-02")) == []
