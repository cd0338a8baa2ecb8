"""The permission matrix of the surveys app: anonymous and each role × each page and endpoint. Reads by
their outcome; writes by what they leave behind (``tests.matrix.assert_write``: the row changed and one
audit event when allowed, nothing at all when refused)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiangyan.core.roles import Role
from surveys.choices import Channel, DutyStatus
from surveys.models import DutyItem, ProblemItem, Response, Suggestion
from tests.matrix import ROLES, assert_write, expect, outcome
from tests.projects.factories import ProjectFactory

from .factories import (
    DutyItemFactory,
    ProblemItemFactory,
    SuggestionFactory,
    form_data,
    import_row,
    import_sheet,
)

pytestmark = pytest.mark.django_db

# Pages: a page read is a 200; a write that succeeds redirects ("ok"); anonymous visitors go to sign-in.
EVERYBODY = expect(default=200)
OFFICE_PAGE = expect(default=403, anonymous="login", admin=200)
READERS = expect(default=403, anonymous="login", supervisor=200, admin=200)
DUTY_READERS = expect(default=403, anonymous="login", unit_staff=200, supervisor=200, admin=200)
STAFF_ENTRY_PAGE = expect(default=403, anonymous="login", community_staff=200, admin=200)
OFFICE = expect(default=403, anonymous="login", admin="ok")
STAFF_ENTRY = expect(default=403, anonymous="login", community_staff="ok", admin="ok")


def api(**by_role):
    """An API row: anonymous and roles without access get 403 (no redirects in the API)."""
    return expect(default=403, **by_role)


PAGES = [
    ("/surveys/", EVERYBODY),
    ("/surveys/{survey}/", EVERYBODY),
    ("/surveys/suggest/", EVERYBODY),
    ("/surveys/suggestions/{suggestion}/", EVERYBODY),
    ("/surveys/{survey}/enter/", STAFF_ENTRY_PAGE),
    ("/surveys/{survey}/import/", OFFICE_PAGE),
    ("/surveys/{survey}/import/template.xlsx", OFFICE_PAGE),
    ("/surveys/coding/", OFFICE_PAGE),
    ("/surveys/{survey}/analytics/", READERS),
    ("/surveys/{survey}/analytics.json", READERS),
    ("/surveys/{survey}/export/responses.xlsx", READERS),
    ("/surveys/suggestions/export.xlsx", READERS),
    ("/surveys/analytics/", expect(default=403, anonymous="login", supervisor="ok", admin="ok")),
    ("/surveys/problems/", DUTY_READERS),
    ("/surveys/problems/{item}/", DUTY_READERS),
    ("/surveys/duties/", DUTY_READERS),
    ("/surveys/duties/{own_duty}/", DUTY_READERS),
    (
        "/surveys/duties/{other_duty}/",
        expect(default=403, anonymous="login", unit_staff=404, supervisor=200, admin=200),
    ),
]

API_READS = [
    ("/api/v1/surveys/", expect(default=200)),
    ("/api/v1/surveys/{survey}/", expect(default=200)),
    ("/api/v1/surveys/responses/", api(community_staff=200, supervisor=200, admin=200)),
    ("/api/v1/surveys/suggestions/", api(supervisor=200, admin=200)),
    ("/api/v1/surveys/suggestions/{suggestion}/", api(supervisor=200, admin=200)),
    ("/api/v1/surveys/problem-items/", api(unit_staff=200, supervisor=200, admin=200)),
    ("/api/v1/surveys/problem-items/{item}/", api(unit_staff=200, supervisor=200, admin=200)),
    ("/api/v1/surveys/duty-items/", api(unit_staff=200, supervisor=200, admin=200)),
    ("/api/v1/surveys/duty-items/{own_duty}/", api(unit_staff=200, supervisor=200, admin=200)),
    ("/api/v1/surveys/duty-items/{other_duty}/", api(unit_staff=404, supervisor=200, admin=200)),
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
    got = [(role, outcome(client_as(role).get(url))) for role in ROLES]
    assert got == expected


@pytest.mark.parametrize(("path", "expected"), API_READS, ids=[p for p, _ in API_READS])
def test_api_reads(client_as, scene, path, expected):
    url = path.format(**scene)
    got = [(role, client_as(role, api=True).get(url).status_code) for role in ROLES]
    assert got == expected


def test_unit_staff_list_only_their_units_duty_items(client_as, scene):
    page = client_as(Role.UNIT_STAFF).get("/surveys/duties/")
    assert [d.pk for d in page.context["page_obj"]] == [scene["own_duty"]]
    assert page.context["editable"] == {scene["own_duty"]}
    body = client_as(Role.UNIT_STAFF, api=True).get("/api/v1/surveys/duty-items/").json()
    assert [d["id"] for d in body["results"]] == [scene["own_duty"]]
    assert client_as(Role.SUPERVISOR, api=True).get("/api/v1/surveys/duty-items/").json()["count"] == 2


# --- writes ---------------------------------------------------------------------------------------------


def _duty_status(pk):
    return lambda: DutyItem.objects.get(pk=pk).status


@pytest.mark.parametrize(
    ("role", "expected"),
    expect(default=403, anonymous="login", unit_staff="ok", supervisor=404, admin="ok"),
)
def test_duty_status_from_the_list(client_as, scene, role, expected):
    assert_write(
        lambda: client_as(role).post(
            f"/surveys/duties/{scene['own_duty']}/status/", {"status": DutyStatus.IN_PROGRESS}
        ),
        expected=expected,
        verb="duty_item.update",
        state=_duty_status(scene["own_duty"]),
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    expect(default=403, anonymous="login", unit_staff="ok", admin="ok"),
)
def test_duty_status_on_the_duty_page(client_as, scene, role, expected):
    assert_write(
        lambda: client_as(role).post(
            f"/surveys/duties/{scene['own_duty']}/", {"status": DutyStatus.DONE, "progress_note": "已完成"}
        ),
        expected=expected,
        verb="duty_item.update",
        state=_duty_status(scene["own_duty"]),
    )


@pytest.mark.parametrize(("role", "expected"), api(unit_staff=200, supervisor=404, admin=200))
def test_duty_status_by_api(client_as, scene, role, expected):
    assert_write(
        lambda: client_as(role, api=True).patch(
            f"/api/v1/surveys/duty-items/{scene['own_duty']}/", {"status": "in_progress"}, format="json"
        ),
        expected=expected,
        verb="duty_item.update",
        state=_duty_status(scene["own_duty"]),
    )


def test_unit_staff_cannot_touch_another_units_duty_item(client_as, scene):
    other = scene["other_duty"]
    for do in (
        lambda: client_as(Role.UNIT_STAFF).post(f"/surveys/duties/{other}/status/", {"status": "done"}),
        lambda: client_as(Role.UNIT_STAFF, api=True).patch(
            f"/api/v1/surveys/duty-items/{other}/", {"status": "done"}, format="json"
        ),
    ):
        assert_write(do, expected=404, verb="duty_item.update", state=_duty_status(other))


def test_unit_staff_cannot_change_the_action_of_their_duty_item(client_as, scene):
    assert_write(
        lambda: client_as(Role.UNIT_STAFF, api=True).patch(
            f"/api/v1/surveys/duty-items/{scene['own_duty']}/", {"action": "改成别的"}, format="json"
        ),
        expected=403,
        verb="duty_item.update",
        state=lambda: DutyItem.objects.get(pk=scene["own_duty"]).action,
    )


@pytest.mark.parametrize(("role", "expected"), api(admin=201))
def test_duty_item_create_by_api(client_as, scene, unit, role, expected):
    payload = {"problem_item": scene["item"], "unit": unit.pk, "action": "新举措", "deadline": "2021-12-31"}
    assert_write(
        lambda: client_as(role, api=True).post("/api/v1/surveys/duty-items/", payload, format="json"),
        expected=expected,
        verb="duty_item.create",
        state=DutyItem.objects.count,
    )


@pytest.mark.parametrize(("role", "expected"), OFFICE)
def test_duty_item_create_on_the_problem_page(client_as, scene, unit, role, expected):
    data = {
        "action": "add_duty",
        "duty-unit": unit.pk,
        "duty-action": "建设助餐点",
        "duty-deadline": "2021-12-31",
    }
    assert_write(
        lambda: client_as(role).post(f"/surveys/problems/{scene['item']}/", data),
        expected=expected,
        verb="duty_item.create",
        state=DutyItem.objects.count,
    )


def _linked_codes(pk):
    return lambda: sorted(ProblemItem.objects.get(pk=pk).projects.values_list("code", flat=True))


@pytest.mark.parametrize(("role", "expected"), OFFICE)
def test_link_projects_on_the_problem_page(client_as, scene, role, expected):
    project = ProjectFactory()
    assert_write(
        lambda: client_as(role).post(
            f"/surveys/problems/{scene['item']}/",
            {"action": "link_projects", "link-projects": [project.code]},
        ),
        expected=expected,
        verb="problem_item.link_projects",
        state=_linked_codes(scene["item"]),
    )


@pytest.mark.parametrize(("role", "expected"), api(admin=200))
def test_link_projects_by_api(client_as, scene, role, expected):
    project = ProjectFactory()
    assert_write(
        lambda: client_as(role, api=True).post(
            f"/api/v1/surveys/problem-items/{scene['item']}/link-projects/",
            {"projects": [project.code]},
            format="json",
        ),
        expected=expected,
        verb="problem_item.link_projects",
        state=_linked_codes(scene["item"]),
    )


def test_link_projects_with_a_malformed_id_is_not_found(client_as, scene):
    """The id is matched as an integer before any lookup runs: ``false`` is a 404, not a 500."""
    response = client_as(Role.ADMIN, api=True).post(
        "/api/v1/surveys/problem-items/false/link-projects/", {"projects": []}, format="json"
    )
    assert response.status_code == 404


@pytest.fixture
def uncoded(db):
    return SuggestionFactory()


@pytest.mark.parametrize(("role", "expected"), OFFICE)
def test_coding_on_the_page(client_as, scene, uncoded, role, expected):
    assert_write(
        lambda: client_as(role).post(
            "/surveys/coding/", {"suggestions": [uncoded.pk], "problem_item": scene["item"]}
        ),
        expected=expected,
        verb="suggestion.code",
        state=lambda: Suggestion.objects.get(pk=uncoded.pk).problem_item_id,
    )


@pytest.mark.parametrize(("role", "expected"), api(admin=200))
def test_coding_by_api(client_as, scene, uncoded, role, expected):
    assert_write(
        lambda: client_as(role, api=True).post(
            "/api/v1/surveys/suggestions/code/",
            {"suggestions": [uncoded.pk], "problem_item": scene["item"]},
            format="json",
        ),
        expected=expected,
        verb="suggestion.code",
        state=lambda: Suggestion.objects.get(pk=uncoded.pk).problem_item_id,
    )


@pytest.mark.parametrize(("role", "expected"), STAFF_ENTRY)
def test_paper_entry(client_as, s, community, role, expected):
    data = form_data(s, phone="", channel=Channel.VISIT, community=community.pk)
    assert_write(
        lambda: client_as(role).post(f"/surveys/{s['survey'].pk}/enter/", data),
        expected=expected,
        verb="survey.response_enter",
        state=Response.objects.count,
    )


@pytest.mark.parametrize(("role", "expected"), OFFICE)
def test_import(client_as, s, community, role, expected):
    upload = SimpleUploadedFile("r.xlsx", import_sheet(s, [import_row(community)]).getvalue())
    assert_write(
        lambda: client_as(role).post(f"/surveys/{s['survey'].pk}/import/", {"file": upload}),
        expected=expected,
        verb="survey.responses_import",
        state=Response.objects.count,
    )
