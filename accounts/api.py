from django.urls import path
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from jiangyan.core.exceptions import ErrorSerializer, SignInLocked, field_error
from jiangyan.core.roles import Role
from jiangyan.core.throttling import ClientRateThrottle, LimitsFirstMixin
from jiangyan.core.viewsets import PortalViewSet

from . import selectors, services
from .models import Community, Town, Unit, User
from .policy import password_change_due


class TokenCredentialsSerializer(AuthTokenSerializer):
    """DRF's, with the username's length checked before anyone authenticates it (django-axes stores the
    username of a failed attempt, 255 characters at most: a longer one used to end in a 500) and the
    second step's code."""

    username = serializers.CharField(max_length=User._meta.get_field("username").max_length)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="工作人员（及开启了两步登录的人）必填：身份验证器的 6 位动态口令或一个恢复码",
    )


class ObtainTokenView(LimitsFirstMixin, ObtainAuthToken):
    """``POST {"username", "password", "otp_token"}`` → ``{"token": …}``. Send it as
    ``Authorization: Token …``. Staff (and whoever enrolled a second step) add ``otp_token``; a password
    the office set or a staff password past its age is changed on the web first. Failures are limited per
    account and per address (django-axes, as on the sign-in page) and recorded."""

    serializer_class = TokenCredentialsSerializer
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "token"
    permission_classes = [AllowAny]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        request=inline_serializer(
            "TokenCredentials",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(),
                "otp_token": serializers.CharField(
                    required=False, help_text="工作人员必填：动态口令或恢复码"
                ),
            },
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
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except serializers.ValidationError:
            # django-axes refused to check the password: the same lockout message as the sign-in page.
            if getattr(request, "axes_locked_out", False):
                raise SignInLocked() from None
            raise
        user = serializer.validated_data["user"]
        if services.needs_second_step(user):
            code = (serializer.validated_data.get("otp_token") or "").replace(" ", "")
            if not user_has_device(user, confirmed=True):
                raise field_error(
                    "otp_token", _("请先在网页上登录并设置动态口令。"), code="second_step_not_set_up"
                )
            if not code or match_token(user, code) is None:
                services.second_step_failed_recorded(request=request, user=user)
                raise field_error("otp_token", _("动态口令不正确或已过期。"), code="second_step_failed")
        if password_change_due(user):
            raise field_error("password", _("请先在网页上登录并修改密码。"), code="password_change_due")
        token, _created = Token.objects.get_or_create(user=user)
        services.sign_in_recorded(request=request, user=user, channel="api")
        return Response({"token": token.key})


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


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ScopeSerializer(serializers.Serializer):
    unit = PlaceSerializer(allow_null=True, help_text="所在单位（领办单位联络员的范围）")
    community = PlaceSerializer(allow_null=True, help_text="所在社区（社区工作人员的范围、居民的社区）")
    town = PlaceSerializer(allow_null=True, help_text="所在社区（或党员报到社区）所属的镇（街道）")
    registered_community = PlaceSerializer(allow_null=True, help_text="党员报到社区")
    branch = PlaceSerializer(allow_null=True, help_text="党员所在党支部")


class WorkItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="编号（心愿、督办单为编号，其余为 id）")
    title = serializers.CharField()
    status = serializers.CharField(allow_blank=True)
    due = serializers.DateField(allow_null=True, help_text="时限（如承诺完成日期、答复时限）")
    url = serializers.URLField(allow_null=True, help_text="该对象的接口地址")
    page = serializers.URLField(allow_null=True, help_text="该对象的页面地址")


class OpenWorkSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="如 claims_in_progress、wishes_to_review、orders_to_answer")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="全部件数（items 只列前几件）")
    items = WorkItemSerializer(many=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    role_labels = serializers.ListField(child=serializers.CharField())
    scope = ScopeSerializer()
    work = OpenWorkSerializer(
        many=True, help_text="按角色列出的待办：进行中的认领、待审核的心愿、待答复的督办单……"
    )

    def to_representation(self, summary):
        data = super().to_representation(summary)
        request = self.context["request"]
        for kind in data["work"]:
            for item in kind["items"]:
                item["url"] = request.build_absolute_uri(item["url"]) if item["url"] else None
                item["page"] = request.build_absolute_uri(item["page"]) if item["page"] else None
        return data


class MeView(APIView):
    """The signed-in person: roles, scope and open work (what waits for them, by role)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: MeSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
        tags=["me"],
        operation_id="me_retrieve",
        summary="我是谁：角色、范围与待办",
    )
    def get(self, request):
        summary = selectors.person_summary(user=request.user)
        return Response(MeSerializer(summary, context={"request": request}).data)


extra_urls = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
]


def register(router) -> None:
    router.register("towns", TownViewSet, basename="town")
    router.register("communities", CommunityViewSet, basename="community")
    router.register("units", UnitViewSet, basename="unit")
