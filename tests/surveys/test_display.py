"""What the survey pages say, found on a phone: the phone need up front, a second visit told before the
form, one 可多选, no doubled quotes, analytics on the survey that has the answers, one duty status."""

import datetime

import pytest
from django.utils import timezone

from jiangyan.core.roles import Role
from surveys.models import Response
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory
from tests.surveys.factories import (
    DutyItemFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    form_data,
)

pytestmark = pytest.mark.django_db


def test_anonymous_form_says_up_front_that_a_phone_number_is_needed(client, s):
    page = client.get(f"/surveys/{s['survey'].pk}/")
    assert "匿名填写需要留一个手机号" in page.content.decode()
    assert page.context["form"].fields["phone"].marked_required
    assert 'class="field required"' in page.content.decode().split('name="phone"')[0].rsplit("<div", 1)[1]


def test_a_second_visit_from_the_same_browser_is_told_before_the_form(client, s):
    url = f"/surveys/{s['survey'].pk}/"
    assert client.post(url, form_data(s)).status_code == 302
    again = client.get(url).content.decode()
    assert "您已提交过本问卷" in again and 'name="phone"' not in again
    # Somebody else in the family may still answer, with another phone number.
    another = client.get(url + "?another=1").content.decode()
    assert 'name="phone"' in another
    assert client.post(url, form_data(s, phone="13900139000")).status_code == 302
    assert Response.objects.count() == 2


def test_a_signed_in_resident_who_answered_is_refused_before_the_form(client_as, s):
    resident = UserFactory(roles=[Role.RESIDENT], phone="13700137000")
    ResponseFactory(survey=s["survey"], respondent=resident)
    client = client_as(resident)
    page = client.get(f"/surveys/{s['survey'].pk}/").content.decode()
    assert "您已提交过本问卷" in page and 'name="phone"' not in page
    assert client.post(f"/surveys/{s['survey'].pk}/", form_data(s)).status_code == 409
    assert Response.objects.count() == 1


def test_multiple_choice_hint_is_not_repeated_when_the_question_says_it(client, s):
    QuestionFactory(survey=s["survey"], order=9, text="您关心的方面（可多选）", kind="multiple")
    page = client.get(f"/surveys/{s['survey'].pk}/").content.decode()
    assert "（可多选）（可多选）" not in page.replace("</small>", "").replace('<small class="muted">', "")
    assert page.count("可多选") == 2  # the hint on 最希望办的实事, the question's own words on the new one


def test_thanks_page_does_not_double_the_quotes_of_a_quoted_title(client):
    survey = SurveyFactory(title="“我为群众办实事”需求调研")
    page = client.get(f"/surveys/{survey.pk}/thanks/").content.decode()
    assert "《“我为群众办实事”需求调研》" in page and "““" not in page


def test_analytics_opens_the_survey_with_the_most_answers(client_as):
    district = SurveyFactory(opens_at=timezone.now() - datetime.timedelta(days=30))
    ResponseFactory.create_batch(3, survey=district)
    latest = SurveyFactory()
    ResponseFactory(survey=latest)
    answer = client_as(Role.SUPERVISOR).get("/surveys/analytics/")
    assert answer.url == f"/surveys/{district.pk}/analytics/"


def test_analytics_funnel_counts_one_survey_and_its_labels_wrap_on_a_phone(client_as, s):
    data = client_as(Role.SUPERVISOR).get(f"/surveys/{s['survey'].pk}/analytics.json").json()
    chart = data["funnel"]["chart"]
    assert chart["series"][0]["type"] == "bar"  # a funnel's narrow end cut the labels off
    assert chart["yAxis"]["axisLabel"]["overflow"] == "break"


def test_an_overdue_duty_item_reads_overdue_on_the_project_page_too(client):
    project = ProjectFactory()
    duty = DutyItemFactory(deadline=timezone.localdate() - datetime.timedelta(days=3))
    duty.projects.add(project)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "未开始 · 已逾期" in page


def test_coding_page_speaks_plainly(client_as):
    page = client_as(Role.ADMIN).get("/surveys/coding/").content.decode()
    assert "TF-IDF" not in page and "Ctrl" not in page
