from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle

from jiangyan.viewsets import PortalViewSet

from .models import Community, Town, Unit


class ObtainTokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` → ``{"token": …}``. Send it as ``Authorization: Token …``."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TownSerializer(serializers.ModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "name", "kind"]


class CommunitySerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "kind", "town_id", "town", "phone"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name"]


class OrganisationViewSet(PortalViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The district's organisation, public to read; changed only in the admin."""

    public_actions = ("list", "retrieve")
    pagination_class = None


class TownViewSet(OrganisationViewSet):
    queryset = Town.objects.all()
    serializer_class = TownSerializer


class CommunityViewSet(OrganisationViewSet):
    queryset = Community.objects.select_related("town")
    serializer_class = CommunitySerializer
    filterset_fields = ["town"]


class UnitViewSet(OrganisationViewSet):
    queryset = Unit.objects.filter(is_active=True)
    serializer_class = UnitSerializer


extra_urls = [path("auth/token/", ObtainTokenView.as_view(), name="api-token")]


def register(router) -> None:
    router.register("towns", TownViewSet, basename="town")
    router.register("communities", CommunityViewSet, basename="community")
    router.register("units", UnitViewSet, basename="unit")
