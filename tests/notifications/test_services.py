import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.selectors import unread_count
from notifications.services import mark_read, notify
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_notify_is_at_most_once_per_recipient_reason_object_and_period():
    alice, bob = UserFactory(), UserFactory()
    unit = UnitFactory()
    first = notify(
        recipients=[alice, bob, alice, None],
        reason="weekly",
        title="本周督促",
        target=unit,
        period="2021-W23",
    )
    again = notify(recipients=[alice, bob], reason="weekly", title="本周督促", target=unit, period="2021-W23")
    next_week = notify(recipients=[alice], reason="weekly", title="本周督促", target=unit, period="2021-W24")
    assert len(first) == 2 and again == [] and len(next_week) == 1
    assert Notification.objects.filter(recipient=alice).count() == 2


def test_unread_count_and_mark_read_touch_only_the_actors_notifications():
    alice, bob = UserFactory(), UserFactory()
    notify(recipients=[alice, bob], reason="a", title="一")
    notify(recipients=[alice], reason="b", title="二")
    assert unread_count(alice) == 2
    assert mark_read(actor=alice) == 2
    assert unread_count(alice) == 0 and unread_count(bob) == 1


def test_a_notification_is_written_with_the_change_and_rolled_back_with_it():
    alice = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[alice], reason="a", title="一")
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_email_is_sent_after_commit_when_email_is_configured(settings):
    settings.NOTIFY_BY_EMAIL = True
    settings.SITE_URL = "https://banshishi.jiangyan.gov.cn/"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from jiangyan.celery import app

    app.conf.task_always_eager = True
    try:
        alice = UserFactory(email="alice@example.com")
        with transaction.atomic():
            notify(
                recipients=[alice], reason="order", title="督办单", body="请于周五前答复", url="/orders/1/"
            )
            assert mail.outbox == []  # nothing leaves before the commit
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
        assert mail.outbox[0].body.endswith("\n\nhttps://banshishi.jiangyan.gov.cn/orders/1/")
        assert Notification.objects.get().emailed_at is not None
    finally:
        app.conf.task_always_eager = False
