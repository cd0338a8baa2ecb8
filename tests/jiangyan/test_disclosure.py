"""What a page shows of what its reader may not see (issue 10): a public suggestion page never names a
non-public project, and addresses are masked to the village or community."""

import pytest

from jiangyan.core.roles import Role
from surveys.models import Suggestion
from tests.factories import UnitFactory, UserFactory
from tests.projects.factories import ProjectFactory
from tests.surveys.factories import DutyItemFactory, ProblemItemFactory
from tests.wishes.factories import WishFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(community):
    """A coded suggestion whose problem item became a public and a non-public project, directly and
    through a duty item."""
    public = ProjectFactory(title="公开的养老项目")
    hidden = ProjectFactory(title="未公开的内部项目", is_public=False)
    item = ProblemItemFactory()
    item.projects.add(public, hidden)
    duty = DutyItemFactory(problem_item=item)
    duty.projects.add(hidden)
    suggestion = Suggestion.objects.create(text="建议增设助餐点", source="form", problem_item=item)
    return {"public": public, "hidden": hidden, "item": item, "suggestion": suggestion}


@pytest.mark.parametrize("role", ["anonymous", Role.RESIDENT, Role.PARTY_MEMBER, Role.COMMUNITY_STAFF])
def test_the_public_suggestion_page_names_only_public_projects(client_as, chain, role):
    html = client_as(role).get(f"/surveys/suggestions/{chain['suggestion'].pk}/").content.decode()
    assert chain["public"].title in html
    assert chain["hidden"].title not in html and chain["hidden"].code not in html


def test_supervisors_see_the_whole_chain(client_as, chain):
    html = client_as(Role.SUPERVISOR).get(f"/surveys/suggestions/{chain['suggestion'].pk}/").content.decode()
    assert chain["hidden"].title in html


def test_unit_staff_see_their_own_units_hidden_project_but_not_anothers(client_as, chain):
    own = UserFactory(roles=[Role.UNIT_STAFF], unit=chain["hidden"].lead_unit)
    other = UserFactory(roles=[Role.UNIT_STAFF], unit=UnitFactory())
    for path in (f"/surveys/problems/{chain['item'].pk}/", "/surveys/problems/"):
        assert chain["hidden"].code in client_as(own).get(path).content.decode()
        assert chain["hidden"].code not in client_as(other).get(path).content.decode()


def test_wish_addresses_are_masked_to_the_village(client_as, community):
    wish = WishFactory(community=community, wisher_address="河横村24组15号")
    for path in (f"/wishes/{wish.code}/", f"/api/v1/wishes/{wish.pk}/"):
        body = client_as("anonymous", api=path.startswith("/api/")).get(path).content.decode()
        assert "河横村****" in body  # was 河横村2****
