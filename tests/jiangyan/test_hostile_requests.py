"""Every hostile request is a 4xx (issue 21): Host headers outside ALLOWED_HOSTS on every path and verb,
over-long fields where django-axes stores them, dates outside ``PORTAL_DATE_RANGE``, text with direction
control characters; and the answers match the schema where they used to drift from it."""

import copy
import datetime
import io
import json

import jsonschema
import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from jiangyan.core.roles import Role
from surveys.models import Answer
from tests.projects.factories import ProjectFactory
from tests.supervision.factories import OrderFactory
from tests.surveys.factories import survey_with_every_kind
from tests.wishes.factories import WishFactory
from tests.wishes.test_pages import form_data
from wishes.models import Wish

pytestmark = pytest.mark.django_db

RLO = "\u202e"
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", RLO, "\u2066", "\u2067", "\u2068", "\u2069", "\u200e"]
BIDI.append("\u200f")
HOSTILE_HOSTS = ["evil.example", "a" * 300, "[::1", "portal.example.evil.example", "例子.测试"]


# --- Host headers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    ["/", "/projects/", "/wishes/new/", "/wishes/track/lookup/", "/accounts/login/", "/admin/", "/healthz"]
    + ["/api/v1/wishes/", "/api/v1/auth/token/", "/no-such-page/", "/favicon.ico", "/media/x.jpg"],
)  # (static files are the same bytes for any host: WhiteNoise serves them before Django looks at it)
@pytest.mark.parametrize("method", ["get", "post", "head"])
@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_a_host_outside_allowed_hosts_is_a_400_on_every_path_and_verb(settings, path, method, host):
    settings.ALLOWED_HOSTS = ["portal.example"]
    settings.PAGE_CACHE_SECONDS = 600  # the page cache on: it must check the host before building a key
    response = getattr(Client(HTTP_HOST=host, raise_request_exception=False), method)(path)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])
    assert host.encode() not in response.content


# --- over-long fields ------------------------------------------------------------------------------------
def test_a_256_character_username_on_the_token_endpoint_is_a_400(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "u" * 256, "password": "x"}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert "username" in response.json()["fields"]
    assert not AccessAttempt.objects.exists()  # refused before authentication, nothing for axes to store


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_256_character_username_on_the_sign_in_pages_is_a_form_error(url):
    response = Client(raise_request_exception=False).post(url, {"username": "u" * 256, "password": "x"})
    assert response.status_code == 200, response.status_code
    # Refused by the form, or recorded by django-axes cut to what it stores.
    assert all(len(a.username) == 255 for a in AccessAttempt.objects.all())


def test_a_1000_character_user_agent_on_a_failed_sign_in_is_stored_cut(api_client):
    page = Client(HTTP_USER_AGENT="A" * 1000).post("/accounts/login/", {"username": "u", "password": "x"})
    assert page.status_code == 200
    api = api_client.post(
        "/api/v1/auth/token/", {"username": "u", "password": "x"}, format="json", HTTP_USER_AGENT="B" * 1000
    )
    assert api.status_code == 400


# --- direction control characters --------------------------------------------------------------------------
@pytest.mark.parametrize("char", BIDI)
def test_a_direction_control_in_a_wish_title_is_refused_on_the_page(client, community, char):
    response = client.post("/wishes/new/", form_data(community, title=f"修理{char}龙头水"))
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    assert not Wish.objects.exists()


@pytest.mark.parametrize("char", [RLO, "\u2066", "\u200f"])
def test_a_direction_control_in_a_wish_is_a_400_on_the_api(client_as, community, char):
    response = client_as("anonymous", api=True).post(
        "/api/v1/wishes/", form_data(community, text=f"厨房{char}漏水"), format="json"
    )
    assert response.status_code == 400
    assert "U+202E" in response.json()["fields"]["text"][0]
    assert not Wish.objects.exists()


def test_a_direction_control_in_a_survey_text_answer_is_a_400(client_as):
    s = survey_with_every_kind()
    answers = {
        str(s["single"].pk): s["old"].pk,
        str(s["multiple"].pk): [s["care"].pk],
        str(s["rating"].pk): 4,
        str(s["text"].pk): f"建议{RLO}增设助餐点",
    }
    response = client_as("anonymous", api=True).post(
        "/api/v1/surveys/responses/",
        {"survey": s["survey"].pk, "phone": "13800138000", "answers": answers},
        format="json",
    )
    assert response.status_code == 400
    assert f"q_{s['text'].pk}" in response.json()["fields"]
    assert not Answer.objects.exists()


def test_a_direction_control_in_a_service_s_text_is_a_field_error(supervisor, community):
    from jiangyan.core.exceptions import ApplicationError
    from supervision import services

    wish = WishFactory(community=community)
    with pytest.raises(ApplicationError) as error:
        services.order_issue(
            actor=supervisor,
            reason=f"滞后{RLO}严重",
            required_action="整改",
            deadline=timezone.localdate(),
            wish=wish,
        )
    assert "reason" in error.value.fields


def test_ordinary_chinese_punctuation_and_emoji_still_pass(client, community):
    response = client.post("/wishes/new/", form_data(community, title="修理“漏水”水龙头——急！😀"))
    assert response.status_code == 302
    assert Wish.objects.get().title == "修理“漏水”水龙头——急！😀"


# --- dates outside the portal's range ----------------------------------------------------------------------
@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "9999-12-31", "2200-01-01"])
def test_an_order_deadline_outside_the_range_is_a_400(client_as, community, day):
    wish = WishFactory(community=community)
    response = client_as(Role.SUPERVISOR, api=True).post(
        "/api/v1/orders/",
        {"target_kind": "wish", "target": wish.code, "reason": "x", "required_action": "y", "deadline": day},
        format="json",
    )
    assert response.status_code == 400
    assert "deadline" in response.json()["fields"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_statement_period_outside_the_range_is_a_400_and_a_form_error(client_as, unit_staff, day):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    data = {"period_start": day, "period_end": "2026-12-01", "text": "进展"}
    api = client_as(unit_staff, api=True).post(f"/api/v1/projects/{project.code}/statements/", data)
    assert api.status_code == 400 and "period_start" in api.json()["fields"]
    page = client_as(unit_staff).post(f"/projects/{project.code}/statements/new/", data)
    assert page.status_code == 200 and "日期须在" in page.content.decode()
    assert not project.statements.exists()


def test_the_date_range_is_a_setting(client_as, community, settings):
    settings.PORTAL_DATE_RANGE = (30, 1)
    wish = WishFactory(community=community)
    in_three_years = (timezone.localdate() + datetime.timedelta(days=3 * 366)).isoformat()
    response = client_as(Role.SUPERVISOR, api=True).post(
        "/api/v1/orders/",
        {"target_kind": "wish", "target": wish.code, "reason": "x", "required_action": "y"}
        | {"deadline": in_three_years},
        format="json",
    )
    assert response.status_code == 400 and "deadline" in response.json()["fields"]


# --- the schema matches the answers ------------------------------------------------------------------------
def _nullable_to_json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's ``type: [..., "null"]`` (all jsonschema knows)."""
    if isinstance(node, dict):
        node = {k: _nullable_to_json_schema(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"]
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable_to_json_schema(v) for v in node]
    return node


@pytest.fixture
def validate(client):
    document = client.get("/api/schema/?format=json").json()
    components = _nullable_to_json_schema(copy.deepcopy(document["components"]))

    def check(component: str, body) -> None:
        schema = {"$ref": f"#/components/schemas/{component}", "components": components}
        jsonschema.validate(body, schema)

    return check


def test_an_order_on_a_wish_matches_the_schema(client_as, community, validate):
    wish = WishFactory(community=community)
    order = OrderFactory(project=None, wish=wish, unit=None, community=community)
    body = client_as(Role.SUPERVISOR, api=True).get(f"/api/v1/orders/{order.pk}/").json()
    assert body["project_code"] is None and body["wish_code"] == wish.code
    validate("Order", body)


def test_a_statement_s_photos_are_absolute_urls_as_the_schema_says(client_as, unit_staff, validate):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, format="JPEG")
    photo = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    api = client_as(unit_staff, api=True)
    today = timezone.localdate().isoformat()
    created = api.post(
        f"/api/v1/projects/{project.code}/statements/",
        {"period_start": today, "period_end": today, "text": "进展", "photos": [photo]},
        format="multipart",
    )
    assert created.status_code == 201, created.content[:300]
    assert created.json()["photos"][0]["image"].startswith("http://testserver/")
    validate("Statement", created.json())
    listed = api.get(f"/api/v1/projects/{project.code}/statements/").json()["results"]
    assert listed[0]["photos"][0]["image"].startswith("http://testserver/")
    validate("Statement", listed[0])


def test_fulfilment_photos_are_objects_as_the_schema_says(client_as, community, validate):
    wish = WishFactory(community=community)
    body = client_as(Role.ADMIN, api=True).get(f"/api/v1/wishes/{wish.pk}/").json()
    validate("Wish", json.loads(json.dumps(body)))
