from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from jiangyan.exceptions import ErrorSerializer, SignInLocked
from jiangyan.throttling import ClientRateThrottle
from jiangyan.viewsets import PortalViewSet

from .models import Community, Town, Unit


class ObtainTokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` → ``{"token": …}``. Send it as ``Authorization: Token …``."""

    throttle_classes = [ClientRateThrottle]
    throttle_scope = "token"
    permission_classes = [AllowAny]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        request=inline_serializer(
            "TokenCredentials", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            429: ErrorSerializer,
        },
        tags=["auth"],
        operation_id="auth_token_obtain",
        summary="取得令牌（用户名与密码；请求头 Authorization: Token …）",
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except serializers.ValidationError:
            # django-axes refused to check the password: the same lockout message as the sign-in page.
            if getattr(request, "axes_locked_out", False):
                raise SignInLocked() from None
            raise


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

    cache_topics = ()  # changed only in the admin, which moves every topic

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
