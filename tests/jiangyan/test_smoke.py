import pytest


@pytest.mark.django_db
def test_home_page_renders_for_anonymous_visitor(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "我为群众办实事" in response.content.decode()
