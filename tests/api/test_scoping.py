"""Scope is the base class's business: a viewset whose author forgets it (``queryset = Wish.objects.all()``,
or a ``get_queryset`` that returns every row) still shows nobody a row outside their scope — in the list,
the detail and a custom action — and a model without a scope cannot be served at all.

The viewsets below are written here, as a forgetful author would write them, and mounted on this
module's own URLs (``pytest.mark.urls``)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from jiangyan.api import router as site_router
from jiangyan.core.scoping import CHANGE
from jiangyan.core.viewsets import PortalViewSet
from jiangyan.models import AuditEvent
from projects.models import Project
from tests.factories import CommunityFactory, UnitFactory
from tests.matrix import expect
from tests.projects.factories import ProjectFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus
from wishes.models import Wish


class RowSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class ForgetfulWishes(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """Every wish, says its author; ``poke`` reads the object, ``touch`` is declared to change it."""

    queryset = Wish.objects.all()
    serializer_class = RowSerializer
    pagination_class = None
    public_actions = ("list", "retrieve", "poke", "touch")
    action_scopes = {"touch": CHANGE}

    @action(detail=True, methods=["post"])
    def poke(self, request, pk=None):
        return Response({"id": self.get_object().pk})

    @action(detail=True, methods=["post"])
    def touch(self, request, pk=None):
        return Response({"id": self.get_object().pk})


class ForgetfulWishesByMethod(ForgetfulWishes):
    """The same, with the rows given by a ``get_queryset`` of its own (no selector, no ``visible_to``)."""

    def get_queryset(self):
        return Wish.objects.select_related("community").order_by("-id")


class ForgetfulProjects(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    queryset = Project.objects.all()
    serializer_class = RowSerializer
    pagination_class = None
    public_actions = ("list", "retrieve")


class UnscopedEvents(mixins.ListModelMixin, PortalViewSet):
    """A model whose queryset has no scope at all."""

    queryset = AuditEvent.objects.all()
    serializer_class = RowSerializer
    public_actions = ("list",)


router = SimpleRouter()
router.register("wishes", ForgetfulWishes, basename="forgetful-wish")
router.register("wishes-by-method", ForgetfulWishesByMethod, basename="forgetful-wish-method")
router.register("projects", ForgetfulProjects, basename="forgetful-project")
router.register("events", UnscopedEvents, basename="unscoped-event")
urlpatterns = [path("forgetful/", include(router.urls))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
WISH_URLS = ["/forgetful/wishes/", "/forgetful/wishes-by-method/"]


@pytest.fixture
def outside_wish():
    """A wish under review in a community none of the role users belongs to: only supervisors and admins
    see it (``WishQuerySet.visible_to``), only admins handle it (``editable_by``)."""
    return WishFactory(community=CommunityFactory(), status=WishStatus.SUBMITTED)


@pytest.fixture
def public_wish():
    return WishFactory(community=CommunityFactory(), status=WishStatus.OPEN)


SEES_ALL = expect(default=False, supervisor=True, admin=True)


@pytest.mark.parametrize("url", WISH_URLS)
@pytest.mark.parametrize(("role", "sees"), SEES_ALL)
def test_forgotten_scope_lists_only_the_readers_wishes(client_as, outside_wish, public_wish, url, role, sees):
    listed = {row["id"] for row in client_as(role, api=True).get(url).json()}
    assert public_wish.pk in listed
    assert (outside_wish.pk in listed) is sees


@pytest.mark.parametrize("url", WISH_URLS)
@pytest.mark.parametrize(("role", "expected"), expect(default=404, supervisor=200, admin=200))
def test_forgotten_scope_retrieves_and_acts_only_within_the_readers_scope(
    client_as, outside_wish, public_wish, url, role, expected
):
    client = client_as(role, api=True)
    assert client.get(f"{url}{outside_wish.pk}/").status_code == expected
    assert client.post(f"{url}{outside_wish.pk}/poke/").status_code == expected
    assert client.get(f"{url}{public_wish.pk}/").status_code == 200
    assert client.post(f"{url}{public_wish.pk}/poke/").status_code == 200


@pytest.mark.parametrize("url", WISH_URLS)
@pytest.mark.parametrize(("role", "expected"), expect(default=404, admin=200))
def test_an_action_declared_to_change_reaches_only_editable_rows(
    client_as, outside_wish, url, role, expected
):
    # A supervisor sees the wish but does not handle it: ``editable_by``, not ``visible_to``.
    assert client_as(role, api=True).post(f"{url}{outside_wish.pk}/touch/").status_code == expected


@pytest.mark.parametrize(("role", "expected"), expect(default=404, supervisor=200, admin=200))
def test_forgotten_scope_hides_another_units_unpublished_project(client_as, role, expected):
    hidden = ProjectFactory(lead_unit=UnitFactory(), is_public=False)
    client = client_as(role, api=True)
    assert client.get(f"/forgetful/projects/{hidden.pk}/").status_code == expected
    listed = {row["id"] for row in client.get("/forgetful/projects/").json()}
    assert (hidden.pk in listed) is (expected == 200)


def test_a_model_without_a_scope_is_refused_not_served(client_as):
    with pytest.raises(ImproperlyConfigured, match="has no scope"):
        client_as("admin", api=True).get("/forgetful/events/")


def _object_actions(viewset) -> set[str]:
    """The actions of ``viewset`` that act on one object other than reading it."""
    names = {name for name in ("update", "partial_update", "destroy") if hasattr(viewset, name)}
    for extra in viewset.get_extra_actions():
        if extra.detail:
            names.update(extra.mapping.values())
    return names


@pytest.mark.parametrize(
    "viewset", [viewset for _prefix, viewset, _basename in site_router.registry], ids=lambda v: v.__name__
)
def test_every_action_on_an_object_names_its_scope(viewset):
    undeclared = _object_actions(viewset) - set(viewset.action_scopes)
    assert not undeclared, f"{viewset.__name__}: name the scope of {sorted(undeclared)} in action_scopes"


def test_rows_a_selector_restricted_are_not_restricted_twice(resident, supervisor):
    rows = Wish.objects.visible_to(resident).select_related("community").order_by("-id")
    assert str(rows.restrict(resident).query) == str(rows.query)
    # Restricted for somebody else, or widened by ``|``: the rule is applied again.
    for other in (Wish.objects.visible_to(supervisor), rows | Wish.objects.all()):
        assert str(other.restrict(resident).query) == str(other.visible_to(resident).query)
        assert str(other.restrict(resident).query) != str(other.query)


def test_the_former_edit_actions_declaration_is_refused_not_ignored():
    with pytest.raises(ImproperlyConfigured, match="action_scopes"):
        type("OldStyle", (PortalViewSet,), {"edit_actions": ("approve",)})
