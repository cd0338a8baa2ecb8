import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_api_schema_is_a_valid_openapi_3_document(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]


@pytest.mark.django_db
def test_api_docs_are_served_from_local_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_no_template_loads_anything_from_outside():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"""(src|href)=["'](https?:)?//""", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_reading_mode_switch_persists_in_a_cookie(client):
    response = client.post("/display/", {"mode": ["large", "contrast", "bogus"], "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r'<html[^>]*class="[^"]*mode-large[^"]*mode-contrast', html)


@pytest.mark.django_db
def test_reading_mode_switch_never_redirects_off_site(client):
    response = client.post("/display/", {"mode": ["large"], "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_ui_is_chinese_by_default_and_english_on_request(client):
    # Chinese even for a browser that prefers English, until the visitor switches.
    assert (
        '<html lang="zh-hans"'
        in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    )
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en"' in html
    assert "Sign in" in html
