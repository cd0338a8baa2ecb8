"""Input that once ended in a server error (issue 10, "found from outside"): each is now a 400 or a 404
with the error envelope, never a 500."""

import io
import json
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiangyan.core.roles import Role
from surveys.models import Answer
from tests.projects.factories import IndicatorFactory, ProjectFactory
from tests.surveys.factories import ProblemItemFactory, survey_with_every_kind
from wishes.models import Wish

pytestmark = pytest.mark.django_db


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def bomb(name: str = "bomb.png", width: int = 30000, height: int = 30000) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_claiming(width, height), content_type="image/png")


def assert_envelope(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}, body
    return body


def test_the_bomb_is_as_small_as_reported():
    assert len(png_claiming(30000, 30000)) <= 70


# --- malformed ids in API paths ------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["abc", "null", "false", "%00", "1.5", "-1", "%F0%9F%98%80"])
@pytest.mark.parametrize("verb", ["withdraw", "feedback"])
def test_malformed_wish_id_is_a_404(client_as, key, verb):
    response = client_as("anonymous", api=True).post(f"/api/v1/wishes/{key}/{verb}/", {}, format="json")
    assert_envelope(response, 404)


@pytest.mark.parametrize("key", ["abc", "null", "false", "%00"])
def test_malformed_problem_item_id_is_a_404(client_as, key):
    ProblemItemFactory()
    response = client_as(Role.ADMIN, api=True).post(
        f"/api/v1/surveys/problem-items/{key}/link-projects/", {"projects": []}, format="json"
    )
    assert_envelope(response, 404)


@pytest.mark.parametrize("path", ["/wishes/%00/", "/projects/%00/", "/projects/%00/ledger.xlsx"])
def test_nul_in_a_page_path_is_a_404(client, path):
    assert client.get(path).status_code == 404


# --- strings the database cannot store -------------------------------------------------------------------
@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "\udfff"])
def test_survey_text_answer_with_nul_or_lone_surrogate_is_a_400(client_as, text):
    s = survey_with_every_kind()
    answers = {
        str(s["single"].pk): s["old"].pk,
        str(s["multiple"].pk): [s["care"].pk],
        str(s["rating"].pk): 4,
        str(s["text"].pk): text,
    }
    # json.dumps escapes a lone surrogate as "\\ud800", as an attacker's client would send it.
    payload = json.dumps({"survey": s["survey"].pk, "phone": "13800138000", "answers": answers})
    response = client_as("anonymous", api=True).post(
        "/api/v1/surveys/responses/", payload, content_type="application/json"
    )
    body = assert_envelope(response, 400)
    assert f"q_{s['text'].pk}" in body["fields"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("where", ["key", "option"])
def test_nul_elsewhere_in_survey_answers_is_a_400(client_as, where):
    s = survey_with_every_kind()
    answers = {
        str(s["single"].pk): s["old"].pk,
        str(s["multiple"].pk): [s["care"].pk],
        str(s["rating"].pk): 4,
    }
    if where == "key":
        answers["\x00"] = "x"
    else:
        answers[str(s["single"].pk)] = "\x00"
    response = client_as("anonymous", api=True).post(
        "/api/v1/surveys/responses/",
        {"survey": s["survey"].pk, "phone": "13800138000", "answers": answers},
        format="json",
    )
    assert_envelope(response, 400)


def test_nul_in_a_list_filter_is_not_a_500(client_as):
    assert client_as(Role.ADMIN, api=True).get("/api/v1/wishes/?q=%00").status_code == 400
    assert client_as(Role.ADMIN).get("/wishes/?q=%00").status_code in (200, 400)
    assert client_as(Role.ADMIN).get("/projects/?q=%00").status_code in (200, 400)


# --- deep JSON -------------------------------------------------------------------------------------------
def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("url", ["/api/v1/wishes/", "/api/v1/surveys/responses/", "/api/v1/auth/token/"])
def test_json_nested_50000_levels_is_a_400(client_as, url):
    response = client_as("anonymous", api=True).post(url, deep(50000), content_type="application/json")
    assert_envelope(response, 400)


def test_json_nested_beyond_the_limit_is_refused_even_when_python_could_parse_it(client_as, settings):
    body = b'{"a": ' * 40 + b"1" + b"}" * 40
    response = client_as("anonymous", api=True).post("/api/v1/wishes/", body, content_type="application/json")
    body = assert_envelope(response, 400)
    assert body["code"] == "parse_error"


# --- bad filter values -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value", ["0218-12-05T10:36:59-21:05", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:00", "x"]
)
@pytest.mark.parametrize("name", ["submitted_before", "submitted_after"])
def test_out_of_range_datetime_filter_is_a_400(client_as, name, value):
    response = client_as(Role.SUPERVISOR, api=True).get(f"/api/v1/surveys/responses/?{name}={value}")
    body = assert_envelope(response, 400)
    assert name in body["fields"]


# --- decompression bombs on every upload path ------------------------------------------------------------
def test_bomb_on_the_wish_page_is_a_form_error(client, community):
    data = {
        "community": community.pk,
        "category": "repair",
        "title": "修理漏水水龙头",
        "text": "厨房水龙头漏水。",
        "wisher_name": "张桂兰",
        "wisher_phone": "13712345678",
        "channel": "online",
        "photos": [bomb()],
    }
    response = client.post("/wishes/new/", data)
    assert response.status_code == 200
    assert "图片" in response.content.decode()
    assert not Wish.objects.exists()


def test_bomb_on_the_statement_page_is_a_form_error(client_as, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    response = client_as(unit_staff).post(
        f"/projects/{project.code}/statements/new/",
        {"period_start": "2021-05-01", "period_end": "2021-05-07", "text": "进展", "photos": [bomb()]},
    )
    assert response.status_code == 200
    assert "图片" in response.content.decode()
    assert not project.statements.exists()


def test_bomb_on_the_statement_api_is_a_400(client_as, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    response = client_as(unit_staff, api=True).post(
        f"/api/v1/projects/{project.code}/statements/",
        {"period_start": "2021-05-01", "period_end": "2021-05-07", "text": "进展", "photos": [bomb()]},
        format="multipart",
    )
    assert_envelope(response, 400)


@pytest.mark.parametrize("size", [(12000, 12000), (9000, 9000), (60000, 10)])
def test_images_beyond_the_pixel_cap_are_refused_before_decoding(size):
    from django.core.exceptions import ValidationError

    from jiangyan.helpers.uploads import clean_image

    with pytest.raises(ValidationError) as error:
        clean_image(bomb(width=size[0], height=size[1]))
    assert error.value.code == "too_many_pixels"


def test_an_ordinary_photo_still_passes():
    from PIL import Image

    from jiangyan.helpers.uploads import clean_image

    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "green").save(buffer, format="JPEG")
    cleaned = clean_image(SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg"))
    assert Image.open(cleaned).size == (2400, 1800)


# --- an indicator of another project ---------------------------------------------------------------------
def test_statement_with_another_projects_indicator_is_a_400(client_as, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    foreign = IndicatorFactory(project=ProjectFactory())
    response = client_as(unit_staff, api=True).post(
        f"/api/v1/projects/{project.code}/statements/",
        {
            "period_start": "2021-05-01",
            "period_end": "2021-05-07",
            "text": "进展",
            "indicator_values": [{"indicator": foreign.pk, "value": "3"}],
        },
        format="json",
    )
    assert_envelope(response, 400)
    assert not project.statements.exists()


# --- the error envelope's fields are always name → list of messages -----------------------------------------
def test_errors_of_list_items_get_dotted_names(client_as):
    response = client_as(Role.ADMIN, api=True).post(
        "/api/v1/surveys/suggestions/code/", {"suggestions": ["x", 3], "problem_item": 0}, format="json"
    )
    body = assert_envelope(response, 400)
    assert set(body["fields"]) == {"suggestions.0", "problem_item"}
    assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)


def test_no_view_parses_json_with_drfs_unbounded_parser():
    """Every API view uses the depth-limited parser (a view naming DRF's own JSONParser would bring the
    50,000-level 500 back)."""
    from django.urls import get_resolver
    from rest_framework.parsers import JSONParser

    def views(patterns):
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                yield from views(entry.url_patterns)
            else:
                yield entry.callback

    offenders = set()
    for callback in views(get_resolver().url_patterns):
        view_class = getattr(callback, "cls", None)
        for parser in getattr(view_class, "parser_classes", ()):
            if parser is JSONParser:
                offenders.add(view_class.__name__)
    assert not offenders
