"""What the services store — audit notes, notification titles and bodies — is written in the site's
language whatever the actor's, and read in the reader's (``jiangyan.helpers.wording``); what people wrote, and
notes stored before, read as written."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation

from jiangyan.core.periods import Period, PeriodKind
from jiangyan.core.roles import Role
from jiangyan.helpers import wording
from jiangyan.models import AuditEvent
from notifications.models import Notification
from projects import services as project_services
from projects.choices import EvaluatorRole, ProjectStatus
from supervision import services as supervision_services
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory
from tests.wishes.factories import WishFactory
from wishes import services as wish_services
from wishes.choices import WishStatus

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_claim_made_on_the_english_page_is_stored_in_chinese_and_read_in_each_language(member, community):
    wish = WishFactory(community=community, status=WishStatus.OPEN)
    promised = timezone.localdate() + datetime.timedelta(days=5)
    with translation.override("en"):  # the member uses the English site
        wish_services.wish_claim(actor=member, wish=wish, promised_date=promised)
    event = AuditEvent.objects.for_object(wish).get(verb="wish.claim")
    assert event.note == f"承诺 {promised:%Y-%m-%d} 前完成"  # the record (and its hash) is the site's
    with translation.override("en"):
        assert event.note_text == f"Promised by {promised:%Y-%m-%d}"
    with translation.override("zh-hans"):
        assert event.note_text == event.note


def test_a_value_that_is_a_label_is_read_in_the_readers_language_too():
    with translation.override("en"):  # written on the English site: stored in Chinese all the same
        note = project_services.STATUS_NOTE(status=ProjectStatus.SUSPENDED.label, reason="用地手续调整")
        rating = project_services.EVALUATION_NOTE(role=EvaluatorRole.RESIDENT.label, scores="综合评价 4")
    assert (note, rating) == ("暂缓：用地手续调整", "群众评议：综合评价 4")
    with translation.override("en"):
        assert wording.read(note) == "On hold: 用地手续调整"  # what the person wrote stays theirs
        assert wording.read(rating) == "Residents' review: 综合评价 4"  # the office's criterion as named


def test_what_people_wrote_and_notes_of_before_read_as_written():
    with translation.override("en"):
        assert wording.read("问题已自行解决") == "问题已自行解决"
        assert wording.read("承诺 2021-06-10 前完成") == "Promised by 2021-06-10"  # stored before: same text
        assert wording.read("Promised by 2021-06-10") == "Promised by 2021-06-10"
        assert wording.read("") == ""
        assert wording.read("匿名") == "Anonymous"  # an actor without an account


def test_a_reminder_reads_part_by_part_and_its_period_as_a_period():
    period = Period(PeriodKind.WEEK, datetime.date(2021, 6, 7), datetime.date(2021, 6, 13))
    with translation.override("zh-hans"):
        label = period.label
    title = supervision_services.REMINDER_TITLE(period=label, who="区教育局")
    body = "；".join(line(n=2) for _key, line in supervision_services.REMINDER_LINES["units"])
    assert title == "2021年第23周（06-07—06-13）督促提醒：区教育局"
    with translation.override("en"):
        assert wording.read(title) == "Weekly reminder, Week 23, 2021 (06-07 to 06-13): 区教育局"
        assert wording.read(body) == (
            "Milestones due this week: 2; Late milestones: 2; "
            "Projects with no progress report for 7 days: 2; Supervision orders awaiting an answer: 2"
        )


def test_an_order_issued_on_the_english_site_tells_its_unit_in_chinese_and_reads_in_english(
    client_as, supervisor, unit_staff
):
    project = ProjectFactory(lead_unit=unit_staff.unit, code="JY2021-001")
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    with translation.override("en"):
        supervision_services.order_issue(
            actor=supervisor,
            reason="进度滞后",
            required_action="制定赶超计划",
            deadline=deadline,
            project=project,
        )
    notification = Notification.objects.get(recipient=unit_staff)
    assert notification.title.startswith("督办单 ") and "督办事由：进度滞后" in notification.body
    page = _english(client_as(unit_staff)).get("/notifications/").content.decode()
    # What the supervisor wrote stays as written, even where it reads like a label of the catalogue.
    assert f"please answer by {deadline:%Y-%m-%d}" in page and "Reason: 进度滞后" in page
    assert "督办单" not in page and "督办事由" not in page
    api = _english(client_as(unit_staff, api=True)).get("/api/v1/notifications/").json()
    (row,) = api["results"] if "results" in api else api
    assert row["title"] == notification.title and row["local_title"].startswith("Supervision order")


def test_the_audit_log_reads_notes_and_actors_in_english(client_as, admin_user, member, community):
    wish = WishFactory(community=community, status=WishStatus.OPEN)
    promised = timezone.localdate() + datetime.timedelta(days=3)
    wish_services.wish_claim(actor=member, wish=wish, promised_date=promised)
    page = _english(client_as(UserFactory(roles=[Role.ADMIN], is_staff=True))).get("/audit/").content.decode()
    assert f"Promised by {promised:%Y-%m-%d}" in page and "承诺" not in page
