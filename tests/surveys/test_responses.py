import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError, ConflictError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from surveys import services
from surveys.choices import Channel
from surveys.models import Answer, Response, Suggestion
from tests.clients import sign_in
from tests.factories import CommunityFactory, UserFactory

from .factories import ResponseFactory, form_data, valid_answers

pytestmark = pytest.mark.django_db


def test_valid_anonymous_response_writes_answers_and_suggestion(s):
    response = services.response_submit(
        actor=None, survey=s["survey"], answers=valid_answers(s), phone="138 0013 8000"
    )
    assert response.phone == "13800138000"  # stored normalised
    assert Answer.objects.filter(response=response).count() == 6  # the multiple choice is two rows
    suggestion = Suggestion.objects.get(response=response)
    assert suggestion.text == "建议小区增设老年助餐点" and suggestion.survey == s["survey"]


def test_second_response_from_same_phone_is_refused(s):
    services.response_submit(actor=None, survey=s["survey"], answers=valid_answers(s), phone="13800138000")
    with pytest.raises(ConflictError, match="您已提交过本问卷"):
        services.response_submit(
            actor=None, survey=s["survey"], answers=valid_answers(s), phone="138-0013-8000"
        )
    assert Response.objects.count() == 1


def test_second_response_from_same_account_is_refused_even_with_another_phone(s, resident):
    services.response_submit(
        actor=resident, survey=s["survey"], answers=valid_answers(s), phone="13800138001"
    )
    with pytest.raises(ConflictError, match="您已提交过本问卷"):
        services.response_submit(
            actor=resident, survey=s["survey"], answers=valid_answers(s), phone="13800138002"
        )
    assert Response.objects.count() == 1


def test_signed_in_resident_phone_blocks_a_later_anonymous_answer_with_it(s, resident):
    services.response_submit(actor=resident, survey=s["survey"], answers=valid_answers(s))
    with pytest.raises(ConflictError):
        services.response_submit(
            actor=None, survey=s["survey"], answers=valid_answers(s), phone=resident.phone
        )


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [(1, 10, "问卷尚未开始"), (-10, -1, "问卷已结束")],
)
def test_survey_outside_its_window_is_refused(s, opens, closes, message):
    survey = s["survey"]
    now = timezone.now()
    survey.opens_at, survey.closes_at = (
        now + datetime.timedelta(days=opens),
        now + datetime.timedelta(days=closes),
    )
    survey.save()
    with pytest.raises(ApplicationError, match=message):
        services.response_submit(actor=None, survey=survey, answers=valid_answers(s), phone="13800138000")
    assert Response.objects.count() == 0


def test_missing_required_and_malformed_answers_name_each_question_and_write_nothing(s):
    answers = valid_answers(s)
    del answers[s["single"].pk]
    answers[s["rating"].pk] = 7
    answers[s["number"].pk] = "很多"
    answers[s["multiple"].pk] = [s["care"].pk, 999999]
    with pytest.raises(ApplicationError) as raised:
        services.response_submit(actor=None, survey=s["survey"], answers=answers, phone="13800138000")
    fields = raised.value.fields
    assert fields[f"q_{s['single'].pk}"] == ["此题为必答题。"]
    assert (
        f"q_{s['rating'].pk}" in fields
        and f"q_{s['number'].pk}" in fields
        and f"q_{s['multiple'].pk}" in fields
    )
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_number_outside_its_range_is_refused(s):
    with pytest.raises(ApplicationError) as raised:
        services.response_submit(
            actor=None,
            survey=s["survey"],
            answers=valid_answers(s) | {s["number"].pk: 50},
            phone="13800138000",
        )
    assert raised.value.fields == {f"q_{s['number'].pk}": ["不能大于 20。"]}


def test_anonymous_answer_needs_a_phone_number(s):
    with pytest.raises(ApplicationError) as raised:
        services.response_submit(actor=None, survey=s["survey"], answers=valid_answers(s))
    assert "phone" in raised.value.fields


def test_survey_without_anonymous_answers_needs_sign_in(s):
    s["survey"].allow_anonymous = False
    s["survey"].save()
    with pytest.raises(ApplicationError, match="登录"):
        services.response_submit(
            actor=None, survey=s["survey"], answers=valid_answers(s), phone="13800138000"
        )


# --- page ------------------------------------------------------------------------------------------------


def test_answer_page_submits_and_thanks(client, s):
    page = client.get(f"/surveys/{s['survey'].pk}/")
    assert page.status_code == 200 and "养老服务满意度" in page.content.decode()
    response = client.post(f"/surveys/{s['survey'].pk}/", form_data(s))
    assert response.status_code == 302 and response.url == f"/surveys/{s['survey'].pk}/thanks/"
    assert Response.objects.get().channel == Channel.ONLINE


def test_answer_page_refuses_a_second_response_with_a_clear_message(client, s):
    client.post(f"/surveys/{s['survey'].pk}/", form_data(s))
    again = client.post(f"/surveys/{s['survey'].pk}/", form_data(s))
    assert again.status_code == 409
    assert "您已提交过本问卷" in again.content.decode()
    assert Response.objects.count() == 1


def test_answer_page_shows_field_errors_and_writes_nothing(client, s):
    data = form_data(s, **{f"q_{s['single'].pk}": None, f"q_{s['number'].pk}": "abc"})
    response = client.post(f"/surveys/{s['survey'].pk}/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"q_{s['number'].pk}"] == ["请输入数字。"]
    assert Response.objects.count() == 0


def test_answer_page_shows_required_errors_from_the_service(client, s):
    response = client.post(f"/surveys/{s['survey'].pk}/", form_data(s, **{f"q_{s['single'].pk}": None}))
    assert response.status_code == 400
    assert response.context["form"].errors[f"q_{s['single'].pk}"] == ["此题为必答题。"]
    assert Response.objects.count() == 0


@pytest.mark.parametrize(("opens", "closes", "message"), [(1, 10, "问卷尚未开始"), (-10, -1, "问卷已结束")])
def test_answer_page_of_closed_or_future_survey_says_so_and_refuses(client, s, opens, closes, message):
    survey = s["survey"]
    now = timezone.now()
    survey.opens_at, survey.closes_at = (
        now + datetime.timedelta(days=opens),
        now + datetime.timedelta(days=closes),
    )
    survey.save()
    page = client.get(f"/surveys/{survey.pk}/")
    assert message in page.content.decode() and "提交问卷" not in page.content.decode()
    posted = client.post(f"/surveys/{survey.pk}/", form_data(s))
    assert posted.status_code == 400 and Response.objects.count() == 0


def test_unpublished_survey_is_not_found_for_residents(client, s):
    s["survey"].published = False
    s["survey"].save()
    assert client.get(f"/surveys/{s['survey'].pk}/").status_code == 404


def test_anonymous_page_submissions_are_rate_limited_per_client(client, s, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_submit": "2/hour"}}
    statuses = [
        client.post(f"/surveys/{s['survey'].pk}/", form_data(s, phone=f"1380013800{i}")).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 429, 429]
    assert Response.objects.count() == 2


# --- staff entry of paper questionnaires -----------------------------------------------------------------


def test_community_staff_enter_a_night_visit_questionnaire_of_their_community(client, s, community_staff):
    sign_in(client, community_staff)
    data = form_data(s, phone="", channel=Channel.NIGHT_VISIT, community=community_staff.community_id)
    response = client.post(f"/surveys/{s['survey'].pk}/enter/", data)
    assert response.status_code == 302
    row = Response.objects.get()
    assert (row.channel, row.community_id, row.entered_by, row.respondent) == (
        Channel.NIGHT_VISIT,
        community_staff.community_id,
        community_staff,
        None,
    )
    assert AuditEvent.objects.filter(verb="survey.response_enter").count() == 1


def test_community_staff_cannot_enter_for_another_community(s, community_staff):
    with pytest.raises(PermissionDenied):
        services.response_submit(
            actor=community_staff,
            survey=s["survey"],
            answers=valid_answers(s),
            community=CommunityFactory(),
            channel=Channel.VISIT,
        )


def test_resident_cannot_enter_paper_questionnaires(s, resident):
    with pytest.raises(PermissionDenied):
        services.response_submit(
            actor=resident, survey=s["survey"], answers=valid_answers(s), channel=Channel.FORUM
        )


def test_admin_enters_for_any_community(s, admin_user):
    other = CommunityFactory()
    row = services.response_submit(
        actor=admin_user, survey=s["survey"], answers=valid_answers(s), community=other, channel=Channel.FORUM
    )
    assert row.community == other and row.entered_by == admin_user


# --- API -------------------------------------------------------------------------------------------------


def _api_payload(s, phone="13900139000", answers=None):
    return {
        "survey": s["survey"].pk,
        "phone": phone,
        "answers": {str(k): v for k, v in (valid_answers(s) | (answers or {})).items()},
    }


def test_api_creates_a_response_anonymously(api_client, s):
    response = api_client.post("/api/v1/surveys/responses/", _api_payload(s), format="json")
    assert response.status_code == 201, response.json()
    assert Response.objects.filter(pk=response.json()["id"]).exists()


def test_api_refuses_duplicate_with_409(api_client, s):
    api_client.post("/api/v1/surveys/responses/", _api_payload(s), format="json")
    response = api_client.post("/api/v1/surveys/responses/", _api_payload(s), format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "您已提交过本问卷。"


def test_api_returns_field_errors_for_bad_answers(api_client, s):
    payload = _api_payload(s, answers={s["rating"].pk: "优秀"})
    del payload["answers"][str(s["single"].pk)]
    response = api_client.post("/api/v1/surveys/responses/", payload, format="json")
    assert response.status_code == 400
    body = response.json()["fields"]
    assert body[f"q_{s['single'].pk}"] == ["此题为必答题。"]
    assert f"q_{s['rating'].pk}" in body
    assert Response.objects.count() == 0


def test_api_refuses_closed_survey(api_client, s):
    s["survey"].closes_at = timezone.now() - datetime.timedelta(minutes=1)
    s["survey"].opens_at = timezone.now() - datetime.timedelta(days=3)
    s["survey"].save()
    response = api_client.post("/api/v1/surveys/responses/", _api_payload(s), format="json")
    assert response.status_code == 400 and "问卷已结束" in response.json()["detail"]
    assert Response.objects.count() == 0


def test_api_anonymous_submissions_are_throttled(api_client, s, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_submit": "2/hour"}}
    statuses = [
        api_client.post(
            "/api/v1/surveys/responses/", _api_payload(s, phone=f"1390013900{i}"), format="json"
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_api_survey_detail_lists_questions_and_options(api_client, s):
    body = api_client.get(f"/api/v1/surveys/{s['survey'].pk}/").json()
    assert [q["kind"] for q in body["questions"]] == ["single", "multiple", "rating", "number", "text"]
    assert [o["text"] for o in body["questions"][0]["options"]] == ["60岁以下", "60岁及以上"]


def test_community_staff_list_only_their_communitys_responses(client_as, s, community_staff):
    ResponseFactory(survey=s["survey"], community=community_staff.community)
    ResponseFactory(survey=s["survey"])
    body = client_as(Role.COMMUNITY_STAFF, api=True).get("/api/v1/surveys/responses/").json()
    assert body["count"] == 1 and body["results"][0]["phone"].count("*") == 4
    assert client_as(Role.SUPERVISOR, api=True).get("/api/v1/surveys/responses/").json()["count"] == 2


def test_resident_account_without_phone_can_answer_signed_in(s):
    user = UserFactory(roles=[Role.RESIDENT], phone=None)
    row = services.response_submit(actor=user, survey=s["survey"], answers=valid_answers(s))
    assert row.respondent == user and row.phone == ""


def test_a_visited_households_landline_counts_once_however_it_is_spaced(s, community_staff):
    community = community_staff.community
    first = services.response_submit(
        actor=community_staff,
        survey=s["survey"],
        answers=valid_answers(s),
        phone="0523 8881 2345",
        channel=Channel.VISIT,
        community=community,
    )
    assert first.phone == "0523-88812345"
    with pytest.raises(ConflictError):
        services.response_submit(
            actor=community_staff,
            survey=s["survey"],
            answers=valid_answers(s),
            phone="052388812345",
            channel=Channel.NIGHT_VISIT,
            community=community,
        )


def test_an_online_answer_asks_for_a_mobile(s):
    with pytest.raises(ApplicationError) as error:
        services.response_submit(
            actor=None, survey=s["survey"], answers=valid_answers(s), phone="0523-88812345"
        )
    assert "phone" in error.value.fields
