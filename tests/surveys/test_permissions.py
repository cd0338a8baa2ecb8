"""The permission matrix of the surveys app: anonymous and each role × each page and endpoint."""

import pytest

from jiangyan.roles import Role
from surveys.choices import DutyStatus
from surveys.models import DutyItem

from .factories import DutyItemFactory, ProblemItemFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    Role.RESIDENT,
    Role.PARTY_MEMBER,
    Role.UNIT_STAFF,
    Role.COMMUNITY_STAFF,
    Role.SUPERVISOR,
    Role.ADMIN,
]
ALL = dict.fromkeys(ROLES, 200)


def only(*roles, anonymous=302, others=403):
    return {r: (200 if r in roles else anonymous if r == "anonymous" else others) for r in ROLES}


OFFICE = only(Role.ADMIN)
READERS = only(Role.SUPERVISOR, Role.ADMIN)
DUTY_READERS = only(Role.UNIT_STAFF, Role.SUPERVISOR, Role.ADMIN)
STAFF_ENTRY = only(Role.COMMUNITY_STAFF, Role.ADMIN)

PAGES = [
    ("/surveys/", ALL),
    ("/surveys/{survey}/", ALL),
    ("/surveys/suggest/", ALL),
    ("/surveys/suggestions/{suggestion}/", ALL),
    ("/surveys/{survey}/enter/", STAFF_ENTRY),
    ("/surveys/{survey}/import/", OFFICE),
    ("/surveys/{survey}/import/template.xlsx", OFFICE),
    ("/surveys/coding/", OFFICE),
    ("/surveys/{survey}/analytics/", READERS),
    ("/surveys/{survey}/analytics.json", READERS),
    ("/surveys/{survey}/export/responses.xlsx", READERS),
    ("/surveys/suggestions/export.xlsx", READERS),
    ("/surveys/analytics/", {**READERS, Role.SUPERVISOR: 302, Role.ADMIN: 302}),
    ("/surveys/problems/", DUTY_READERS),
    ("/surveys/problems/{item}/", DUTY_READERS),
    ("/surveys/duties/", DUTY_READERS),
    ("/surveys/duties/{own_duty}/", DUTY_READERS),
    ("/surveys/duties/{other_duty}/", {**DUTY_READERS, Role.UNIT_STAFF: 404}),
]

API = [
    ("get", "/api/v1/surveys/", ALL),
    ("get", "/api/v1/surveys/{survey}/", ALL),
    (
        "get",
        "/api/v1/surveys/responses/",
        only(Role.COMMUNITY_STAFF, Role.SUPERVISOR, Role.ADMIN, anonymous=403),
    ),
    ("get", "/api/v1/surveys/suggestions/", only(Role.SUPERVISOR, Role.ADMIN, anonymous=403)),
    ("get", "/api/v1/surveys/suggestions/{suggestion}/", only(Role.SUPERVISOR, Role.ADMIN, anonymous=403)),
    (
        "get",
        "/api/v1/surveys/problem-items/",
        only(Role.UNIT_STAFF, Role.SUPERVISOR, Role.ADMIN, anonymous=403),
    ),
    ("get", "/api/v1/surveys/duty-items/", only(Role.UNIT_STAFF, Role.SUPERVISOR, Role.ADMIN, anonymous=403)),
    (
        "get",
        "/api/v1/surveys/duty-items/{own_duty}/",
        only(Role.UNIT_STAFF, Role.SUPERVISOR, Role.ADMIN, anonymous=403),
    ),
    (
        "get",
        "/api/v1/surveys/duty-items/{other_duty}/",
        {**only(Role.UNIT_STAFF, Role.SUPERVISOR, Role.ADMIN, anonymous=403), Role.UNIT_STAFF: 404},
    ),
]


@pytest.fixture
def scene(s, unit):
    item = ProblemItemFactory()
    return {
        "survey": s["survey"].pk,
        "suggestion": SuggestionFactory(problem_item=item).pk,
        "item": item.pk,
        "own_duty": DutyItemFactory(problem_item=item, unit=unit).pk,
        "other_duty": DutyItemFactory(problem_item=item).pk,
    }


@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_pages(client_as, scene, path, expected):
    url = path.format(**scene)
    got = {role: client_as(role).get(url).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize(("method", "path", "expected"), API, ids=[p for _m, p, _e in API])
def test_api_reads(client_as, scene, method, path, expected):
    url = path.format(**scene)
    got = {role: getattr(client_as(role, api=True), method)(url).status_code for role in ROLES}
    assert got == expected


def test_unit_staff_list_only_their_units_duty_items(client_as, scene, unit_staff):
    page = client_as(Role.UNIT_STAFF).get("/surveys/duties/")
    assert [d.pk for d in page.context["page_obj"]] == [scene["own_duty"]]
    assert page.context["editable"] == {scene["own_duty"]}
    api = client_as(Role.UNIT_STAFF, api=True).get("/api/v1/surveys/duty-items/").json()
    assert [d["id"] for d in api["results"]] == [scene["own_duty"]]
    assert client_as(Role.SUPERVISOR, api=True).get("/api/v1/surveys/duty-items/").json()["count"] == 2


def test_duty_status_update_page_matrix(client_as, scene):
    expected = {
        "anonymous": 302,
        Role.RESIDENT: 403,
        Role.PARTY_MEMBER: 403,
        Role.COMMUNITY_STAFF: 403,
        Role.SUPERVISOR: 404,
        Role.UNIT_STAFF: 302,
        Role.ADMIN: 302,
    }
    got = {
        role: client_as(role)
        .post(f"/surveys/duties/{scene['own_duty']}/status/", {"status": DutyStatus.DONE})
        .status_code
        for role in ROLES
    }
    assert got == expected
    other = client_as(Role.UNIT_STAFF).post(
        f"/surveys/duties/{scene['other_duty']}/status/", {"status": DutyStatus.DONE}
    )
    assert other.status_code == 404
    assert DutyItem.objects.get(pk=scene["other_duty"]).status == DutyStatus.NOT_STARTED


def test_duty_status_update_api_matrix(client_as, scene):
    expected = {
        "anonymous": 403,
        Role.RESIDENT: 403,
        Role.PARTY_MEMBER: 403,
        Role.COMMUNITY_STAFF: 403,
        Role.SUPERVISOR: 404,
        Role.UNIT_STAFF: 200,
        Role.ADMIN: 200,
    }
    got = {
        role: client_as(role, api=True)
        .patch(f"/api/v1/surveys/duty-items/{scene['own_duty']}/", {"status": "in_progress"}, format="json")
        .status_code
        for role in ROLES
    }
    assert got == expected
    other = client_as(Role.UNIT_STAFF, api=True).patch(
        f"/api/v1/surveys/duty-items/{scene['other_duty']}/", {"status": "done"}, format="json"
    )
    assert other.status_code == 404


def test_unit_staff_cannot_change_the_action_of_their_duty_item(client_as, scene):
    response = client_as(Role.UNIT_STAFF, api=True).patch(
        f"/api/v1/surveys/duty-items/{scene['own_duty']}/", {"action": "改成别的"}, format="json"
    )
    assert response.status_code == 403
    assert DutyItem.objects.get(pk=scene["own_duty"]).action != "改成别的"


def test_only_the_office_creates_duty_items_and_converts_problem_items(client_as, scene, unit):
    payload = {"problem_item": scene["item"], "unit": unit.pk, "action": "新举措", "deadline": "2021-12-31"}
    statuses = {
        role: client_as(role, api=True)
        .post("/api/v1/surveys/duty-items/", payload, format="json")
        .status_code
        for role in (Role.UNIT_STAFF, Role.SUPERVISOR, Role.ADMIN)
    }
    assert statuses == {Role.UNIT_STAFF: 403, Role.SUPERVISOR: 403, Role.ADMIN: 201}
    for role in (Role.UNIT_STAFF, Role.SUPERVISOR):
        posted = client_as(role).post(f"/surveys/problems/{scene['item']}/", {"action": "add_duty"})
        assert posted.status_code == 403


def test_coding_post_is_for_the_office_only(client_as, scene):
    for role in (Role.SUPERVISOR, Role.UNIT_STAFF, Role.RESIDENT):
        assert (
            client_as(role)
            .post("/surveys/coding/", {"suggestions": [scene["suggestion"]], "problem_item": scene["item"]})
            .status_code
            == 403
        )
    assert client_as("anonymous").post("/surveys/coding/", {}).status_code == 302
