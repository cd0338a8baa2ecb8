"""The showcase, the workspace and the API list run the same number of queries at 20 and at 236 projects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from .factories import EvaluationFactory, StatementFactory, project_with_milestones

pytestmark = pytest.mark.django_db
MAX_QUERIES = 15


def grow(unit, to: int) -> None:
    from projects.models import Project

    for _ in range(to - Project.objects.count()):
        project = project_with_milestones(lead_unit=unit)
        StatementFactory(project=project)
        EvaluationFactory(project=project)


def count_queries(client, url: str) -> int:
    if isinstance(client, APIClient):  # a fresh user, so its role cache is not carried over
        client.force_authenticate(
            type(client.handler._force_user).objects.get(pk=client.handler._force_user.pk)
        )
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def clients(client, unit_staff, supervisor):
    staff = client
    staff.force_login(unit_staff)
    api = APIClient()
    api.force_authenticate(supervisor)
    return {"staff": staff, "api": api}


PAGES = {
    "showcase": ("staff", lambda: reverse("projects:showcase") + "?behind=0&target_group=&q=测试"),
    "workspace": ("staff", lambda: reverse("projects:workspace")),
    "api_list": ("api", lambda: "/api/v1/projects/?page_size=50"),
}


@pytest.mark.parametrize("page", PAGES)
def test_list_queries_do_not_grow_with_the_number_of_projects(clients, unit, page):
    who, url = PAGES[page]
    grow(unit, 20)
    at_20 = count_queries(clients[who], url())
    grow(unit, 236)
    at_236 = count_queries(clients[who], url())
    print(f"{page}: {at_20} queries at 20 projects, {at_236} at 236")
    assert at_20 == at_236
    assert at_236 <= MAX_QUERIES
