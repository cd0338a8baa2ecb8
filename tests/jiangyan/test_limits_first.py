"""Limits before work (issue 21): a page's or the API's limit is taken before the body is parsed or a
photo decoded, a body over the cap is a 413 before it is read, and the counters hold under parallel
clients (real threads, each with its own database connection, on the real Redis cache)."""

import io
import os

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.request import Empty
from rest_framework.test import APIClient

from jiangyan.helpers.uploads import clean_image
from surveys.models import Response
from tests.jiangyan.test_hostile_input import bomb
from tests.race import needs_postgresql, race
from tests.surveys.factories import form_data as answer_data
from tests.surveys.factories import survey_with_every_kind
from tests.wishes.factories import WishFactory
from tests.wishes.test_pages import form_data
from wishes.models import Wish


@pytest.fixture
def rates(settings):
    def set_rates(**scopes):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": scopes}

    return set_rates


@pytest.fixture
def redis_cache(settings):
    """The real Redis as the cache (the suite's own database number), emptied before and after."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": "test-limits-first",
        }
    }
    cache.delete_pattern("limit:*")
    yield
    cache.delete_pattern("limit:*")


# --- before the body is read -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_over_the_limit_the_wish_page_reads_no_body_and_decodes_no_photo(client, community, rates):
    rates(anon_submit="1/hour")
    assert client.post("/wishes/new/", form_data(community)).status_code == 302
    hostile = form_data(community) | {"photos": [bomb(width=8000, height=5000) for _ in range(3)]}
    response = client.post("/wishes/new/", hostile)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "提交过于频繁" in response.content.decode()
    assert not hasattr(response.wsgi_request, "_files")  # Django never parsed the multipart body
    assert Wish.objects.count() == 1


@pytest.mark.django_db
def test_over_the_limit_a_signed_in_api_post_is_refused_before_the_csrf_check_parses_it(
    resident, community, rates
):
    rates(user_submit="1/hour")
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(resident)
    token = "k" * 32  # the CSRF secret, in the cookie and the header alike
    api.cookies["csrftoken"] = token
    first = api.post("/api/v1/wishes/", form_data(community), format="json", HTTP_X_CSRFTOKEN=token)
    assert first.status_code == 201, first.content[:300]
    refused = api.post("/api/v1/wishes/", form_data(community), format="json", HTTP_X_CSRFTOKEN=token)
    assert refused.status_code == 429
    assert refused.renderer_context["request"]._data is Empty  # DRF never parsed it


@pytest.mark.django_db
def test_over_the_limit_the_survey_page_is_refused_before_the_survey_is_read(
    client, rates, django_assert_max_num_queries
):
    rates(anon_submit="1/hour")
    s = survey_with_every_kind()
    url = f"/surveys/{s['survey'].pk}/"
    assert client.post(url, answer_data(s, phone="13800138001")).status_code == 302
    with django_assert_max_num_queries(0):
        assert client.post(url, answer_data(s, phone="13800138002")).status_code == 429


@pytest.mark.django_db
def test_a_body_over_the_cap_is_a_413_before_it_is_read(client, community, settings):
    settings.REQUEST_BODY_MAX_BYTES = 2000
    data = form_data(community) | {"photos": [bomb(width=100, height=100)], "text": "厨房水龙头漏水。" * 200}
    page = client.post("/wishes/new/", data)
    assert page.status_code == 413 and "过大" in page.content.decode()
    assert not hasattr(page.wsgi_request, "_files")
    api = Client().post("/api/v1/wishes/", b"{" + b" " * 3000 + b"}", content_type="application/json")
    assert api.status_code == 413 and api.json()["code"] == "too_large"
    assert not Wish.objects.exists()


# --- under parallel clients --------------------------------------------------------------------------------
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twelve_parallel_clients_get_exactly_30_of_36_survey_answers_through(rates, redis_cache):
    rates(anon_submit="30/hour")
    s = survey_with_every_kind()
    url = f"/surveys/{s['survey'].pk}/"

    def client_posting(n):
        def post_three():
            browser = Client(REMOTE_ADDR="198.51.100.30")
            return [
                browser.post(url, answer_data(s, phone=f"1380013{n:02d}{k:02d}")).status_code
                for k in range(3)
            ]

        return post_three

    results, errors = race([client_posting(n) for n in range(12)])
    assert not errors, errors
    codes = [code for result in results for code in result]
    assert codes.count(302) == 30 and codes.count(429) == 6, sorted(codes)
    assert Response.objects.count() == 30


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twelve_parallel_guessers_get_exactly_20_failed_look_ups(rates, redis_cache, community):
    rates(wish_track="20/hour")
    WishFactory(community=community)

    def guesser(n):
        def guess_twice():
            browser = Client(REMOTE_ADDR="198.51.100.31")
            return [
                browser.post("/wishes/track/lookup/", {"query_code": f"ZZZZ{n:02d}{k:02d}"}).status_code
                for k in range(2)
            ]

        return guess_twice

    results, errors = race([guesser(n) for n in range(12)])
    assert not errors, errors
    codes = [code for result in results for code in result]
    assert codes.count(200) == 20 and codes.count(429) == 4, sorted(codes)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_api_survey_limit_holds_under_parallel_clients(rates, redis_cache):
    rates(anon_submit="30/hour")
    s = survey_with_every_kind()
    answers = {
        str(s["single"].pk): s["old"].pk,
        str(s["multiple"].pk): [s["care"].pk],
        str(s["rating"].pk): 4,
    }

    def client_posting(n):
        def post_three():
            api = APIClient(REMOTE_ADDR="198.51.100.32")
            payload = {"survey": s["survey"].pk, "answers": answers}
            return [
                api.post(
                    "/api/v1/surveys/responses/", payload | {"phone": f"1390013{n:02d}{k:02d}"}, format="json"
                ).status_code
                for k in range(3)
            ]

        return post_three

    results, errors = race([client_posting(n) for n in range(12)])
    assert not errors, errors
    codes = [code for result in results for code in result]
    assert codes.count(201) == 30 and codes.count(429) == 6, sorted(codes)


# --- decoding bounded in memory and in parallel -------------------------------------------------------
def small_photo(name="photo.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_png_decoded_in_full_has_the_lower_pixel_cap(settings):
    settings.IMAGE_FULL_DECODE_MAX_PIXELS = 24_000_000
    with pytest.raises(ValidationError) as error:
        clean_image(bomb(width=6000, height=5000))  # 30 MP: under the JPEG cap, over the full-decode one
    assert error.value.code == "too_many_pixels" and "24" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        clean_image(bomb(width=5000, height=4000))  # 20 MP passes the cap (and fails as the fake it is)
    assert error.value.code == "not_image"


def test_no_decode_starts_while_every_slot_is_taken(settings):
    settings.IMAGE_DECODE_CONCURRENCY = 2
    settings.IMAGE_DECODE_WAIT_SECONDS = 0
    for slot in range(2):
        cache.add(f"image-decode-slot:{slot}", "another-request", timeout=30)
    with pytest.raises(ValidationError) as error:
        clean_image(small_photo())
    assert error.value.code == "busy"
    cache.delete("image-decode-slot:1")
    assert clean_image(small_photo()).size > 0
    assert cache.get("image-decode-slot:1") is None  # given back after the decode
    assert cache.get("image-decode-slot:0") == "another-request"


@pytest.mark.django_db
def test_a_busy_decoder_is_a_form_error_on_the_wish_page(client, community, settings):
    settings.IMAGE_DECODE_CONCURRENCY = 1
    settings.IMAGE_DECODE_WAIT_SECONDS = 0
    cache.add("image-decode-slot:0", "another-request", timeout=30)
    response = client.post("/wishes/new/", form_data(community) | {"photos": [small_photo()]})
    assert response.status_code == 200 and "服务器正忙" in response.content.decode()
    assert not Wish.objects.exists()
