"""PIPL (issue 20, 个人信息保护 / 剩余信息保护): forms say why and how long; contact details are erased
after their retention (kept masked, the blind index kept); a resident downloads and deletes their own data;
the office answers a request found by query code or phone; every erasure and download is audited."""

import datetime
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from jiangyan.celery import app as celery_app
from jiangyan.core.exceptions import ConflictError
from jiangyan.helpers.crypto import blind_index
from jiangyan.models import AuditEvent
from surveys import services as survey_services
from surveys.models import Response, Survey
from tests.surveys.factories import ResponseFactory, SurveyFactory, survey_with_every_kind, valid_answers
from tests.wishes.factories import WishFactory
from wishes import services as wish_services
from wishes.choices import WishStatus
from wishes.models import Wish

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "url_name, text",
    [("wish", "完整的联系方式自动删除"), ("entry", "完整的联系方式自动删除"), ("survey", "手机号自动删除")],
)
def test_forms_that_collect_personal_data_say_why_and_for_how_long(
    settings, client_as, community_staff, resident, url_name, text
):
    settings.WISH_CONTACT_RETENTION_DAYS = 123
    settings.SURVEY_PHONE_RETENTION_DAYS = 45
    if url_name == "survey":
        survey = survey_with_every_kind()["survey"]
        page = client_as("anonymous").get(reverse("surveys:answer", args=[survey.pk]))
        days = "45"
    else:
        page = client_as(resident if url_name == "wish" else community_staff).get(
            reverse("wishes:new" if url_name == "wish" else "wishes:manage-new")
        )
        days = "123"
    html = page.content.decode()
    assert page.status_code == 200
    assert "个人信息告知" in html and text in html and f"{days} 天后" in html


def test_a_closed_wish_loses_its_contact_details_after_the_retention_and_stays_masked(settings):
    settings.WISH_CONTACT_RETENTION_DAYS = 30
    long_ago = timezone.now() - datetime.timedelta(days=31)
    old = WishFactory(status=WishStatus.CLOSED, closed_at=long_ago, wisher_phone=PHONE, wisher_name="张桂兰")
    recent = WishFactory(status=WishStatus.CLOSED, closed_at=timezone.now(), wisher_phone=PHONE)
    still_open = WishFactory(status=WishStatus.OPEN, wisher_phone=PHONE)

    assert wish_services.wishes_erase_expired() == 1
    erased = Wish.objects.get(pk=old.pk)
    assert (erased.wisher_phone, erased.wisher_name) == ("139****5678", "张**")
    assert erased.wisher_address.endswith("****") and erased.contact_erased_at is not None
    assert erased.wisher_phone_index == blind_index(PHONE)  # a returning phone is still recognised
    assert Wish.objects.get(pk=recent.pk).wisher_phone == PHONE
    assert Wish.objects.get(pk=still_open.pk).wisher_phone == PHONE
    event = AuditEvent.objects.for_object(erased).get(verb="wish.contact_erase")
    assert event.actor_label == "retention"
    assert wish_services.wishes_erase_expired() == 0  # idempotent: masked values are not masked again


def test_a_closed_survey_loses_its_phones_and_one_answer_per_phone_still_holds(settings):
    settings.SURVEY_PHONE_RETENTION_DAYS = 10
    closed = SurveyFactory(
        opens_at=timezone.now() - datetime.timedelta(days=40),
        closes_at=timezone.now() - datetime.timedelta(days=11),
    )
    response = ResponseFactory(survey=closed, phone=PHONE)
    assert survey_services.surveys_erase_expired_phones() == 1
    assert (
        Response.objects.get(pk=response.pk).phone == ""
        and raw("surveys_response", "phone", response.pk) == ""
    )
    assert Response.objects.get(pk=response.pk).phone_index == blind_index(PHONE)
    assert Survey.objects.get(pk=closed.pk).phones_erased_at is not None
    assert AuditEvent.objects.for_object(closed).filter(verb="survey.phones_erase").count() == 1

    s = survey_with_every_kind()  # an open survey whose phones were erased early
    survey_services.response_submit(actor=None, survey=s["survey"], answers=valid_answers(s), phone=PHONE)
    survey_services.survey_erase_phones(survey=s["survey"])
    with pytest.raises(ConflictError):
        survey_services.response_submit(actor=None, survey=s["survey"], answers=valid_answers(s), phone=PHONE)


def test_the_erasure_tasks_are_in_the_one_schedule():
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {"wishes.tasks.erase_expired_contacts", "surveys.tasks.erase_expired_phones"} <= tasks


def test_a_resident_downloads_their_own_data_and_the_download_is_audited(client_as, resident):
    WishFactory(submitted_by=resident, wisher_phone=PHONE, wisher_name="周晓梅")
    WishFactory(wisher_phone="13700000000")  # somebody else's
    answer = client_as(resident).get("/accounts/me/data.json")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    data = json.loads(answer.content)["data"]
    assert [w["wisher_phone"] for w in data["wishes"]] == [PHONE]
    assert data["accounts"][0]["phone"] == resident.phone
    assert AuditEvent.objects.filter(verb="personal_data.download", actor=resident).exists()


def test_a_resident_deletes_their_data(client_as, resident):
    closed = WishFactory(submitted_by=resident, status=WishStatus.CLOSED, closed_at=timezone.now())
    client = client_as(resident)
    assert client.post("/accounts/me/erase/", {}).status_code == 302  # unconfirmed: nothing happens
    assert User.objects.get(pk=resident.pk).is_active
    assert client.post("/accounts/me/erase/", {"confirm": "yes"}).status_code == 302
    gone = User.objects.get(pk=resident.pk)
    assert not gone.is_active and gone.phone is None and gone.phone_index is None and gone.real_name == ""
    assert Wish.objects.get(pk=closed.pk).contact_erased_at is not None
    assert AuditEvent.objects.filter(verb="personal_data.erase").count() >= 2


def test_the_office_answers_a_request_by_query_code_or_phone(client_as, admin_user, resident):
    wish = WishFactory(status=WishStatus.CLOSED, closed_at=timezone.now(), wisher_phone=PHONE)
    response = ResponseFactory(phone=PHONE)
    client = client_as(admin_user)
    by_phone = client.get("/privacy/requests/", {"q": PHONE})
    assert by_phone.status_code == 200 and wish.code in by_phone.content.decode()
    by_code = client.get("/privacy/requests/", {"q": wish.query_code, "format": "json"})
    assert json.loads(by_code.content)["data"]["wishes"][0]["code"] == wish.code
    assert AuditEvent.objects.filter(verb="personal_data.download", actor=admin_user).count() == 2
    assert client.post("/privacy/requests/", {"q": PHONE}).status_code == 200
    assert Wish.objects.get(pk=wish.pk).contact_erased_at is not None
    assert Response.objects.get(pk=response.pk).phone == ""
    assert client_as(resident).get("/privacy/requests/", {"q": PHONE}).status_code == 403
