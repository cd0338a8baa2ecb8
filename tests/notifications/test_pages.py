"""The notification centre (page, header badge, API) and who is told what by the wish board."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify
from tests.factories import MemberFactory, UserFactory
from tests.wishes.factories import WishFactory
from wishes import services as wish_services
from wishes.choices import Satisfaction, WishStatus

pytestmark = pytest.mark.django_db


def test_the_header_shows_the_unread_count_and_the_centre_lists_only_one_s_own(client_as, supervisor):
    notify(recipients=[supervisor], reason="a", title="督办单已答复", url="/orders/")
    notify(recipients=[supervisor], reason="b", title="第二条")
    notify(recipients=[UserFactory()], reason="a", title="别人的通知")
    client = client_as("supervisor")
    page = client.get("/notifications/")
    body = page.content.decode()
    assert 'class="badge unread-count">2' in body
    assert "督办单已答复" in body and "别人的通知" not in body


def test_opening_a_notification_marks_it_read_and_follows_its_link_within_the_site(client_as, supervisor):
    (inside,) = notify(recipients=[supervisor], reason="a", title="站内", url="/orders/")
    (outside,) = notify(recipients=[supervisor], reason="b", title="站外", url="https://evil.example/")
    client = client_as("supervisor")
    assert client.get(f"/notifications/{inside.pk}/")["Location"] == "/orders/"
    assert client.get(f"/notifications/{outside.pk}/")["Location"] == "/notifications/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    other = notify(recipients=[UserFactory()], reason="c", title="别人的")[0]
    assert client.get(f"/notifications/{other.pk}/").status_code == 404


def test_read_all_marks_every_one_of_mine_read(client_as, supervisor):
    notify(recipients=[supervisor], reason="a", title="一")
    notify(recipients=[supervisor], reason="b", title="二")
    (theirs,) = notify(recipients=[UserFactory()], reason="a", title="三")
    client_as("supervisor").post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=supervisor, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_as("anonymous").get("/notifications/").status_code == 302


def test_the_api_lists_reads_and_reads_all(client_as, resident):
    (first,) = notify(recipients=[resident], reason="a", title="一")
    notify(recipients=[resident], reason="b", title="二")
    notify(recipients=[UserFactory()], reason="a", title="别人")
    api = client_as("resident", api=True)
    assert api.get("/api/v1/notifications/").json()["count"] == 2
    assert api.post(f"/api/v1/notifications/{first.pk}/read/").json()["is_read"] is True
    assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 1
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert client_as("anonymous", api=True).get("/api/v1/notifications/").status_code in (401, 403)


def test_the_openapi_schema_documents_reports_orders_inspections_and_notifications(client_as):
    schema = client_as("anonymous").get("/api/schema/").content.decode()
    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/{id}/publish/",
        "/api/v1/orders/{id}/answer/",
        "/api/v1/orders/{id}/return/",
        "/api/v1/orders/{id}/close/",
        "/api/v1/inspections/",
        "/api/v1/notifications/read-all/",
    ):
        assert path in schema, path


# --- the wish board tells ----------------------------------------------------------------------------


def test_a_signed_in_wisher_is_told_when_their_wish_is_claimed_and_fulfilled(resident, community):
    wish = WishFactory(community=community, submitted_by=resident)
    member = MemberFactory(community=community)
    wish_services.wish_claim(actor=member, wish=wish)
    wish_services.wish_fulfil(actor=member, wish=wish, note="已修好")
    reasons = list(Notification.objects.filter(recipient=resident).values_list("reason", flat=True))
    assert sorted(reasons) == ["wish.claimed", "wish.fulfilled"]
    assert Notification.objects.filter(recipient=resident).first().url == f"/wishes/{wish.code}/"


def test_an_anonymous_wisher_is_told_nothing_and_the_claimer_hears_of_an_unsatisfied_follow_up(community):
    wish = WishFactory(community=community)
    member = MemberFactory(community=community)
    wish_services.wish_claim(actor=member, wish=wish)
    wish_services.wish_fulfil(actor=member, wish=wish, note="已修好")
    assert not Notification.objects.exists()
    wish.refresh_from_db()
    wish_services.wish_feedback(
        actor=None,
        wish=wish,
        satisfaction=Satisfaction.UNSATISFIED,
        comment="没修好",
        query_code=wish.query_code,
    )
    (note,) = Notification.objects.all()
    assert (note.recipient, note.reason, note.body) == (member, "wish.reopened", "没修好")


def test_the_daily_task_tells_a_member_once_when_their_promised_date_has_passed(community):
    member = MemberFactory(community=community)
    late = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    late.promised_date = timezone.localdate() - datetime.timedelta(days=1)
    late.save()
    WishFactory(community=community, status=WishStatus.CLAIMED)  # promised in a week
    assert wish_services.wish_remind_overdue_claims() == 1
    assert wish_services.wish_remind_overdue_claims() == 0
    (note,) = Notification.objects.all()
    assert (note.recipient, note.reason) == (member, "wish.claim_overdue")
