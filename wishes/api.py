"""API of the wishes app: ``/api/v1/wishes/`` (list, detail, create) and one POST action per transition
(``/api/v1/wishes/<id>/<action>/``). A lost race or an illegal transition is a 409."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.models import Community
from accounts.validators import validate_mobile
from jiangyan.masking import mask_address, mask_name, mask_phone
from jiangyan.throttling import AnonymousSubmitThrottle
from jiangyan.uploads import clean_image

from . import selectors, services
from .choices import RESIDENT_CHANNELS, PhotoKind, Satisfaction, WishCategory, WishChannel
from .filtersets import WishFilterSet
from .models import Wish

extra_urls: list = []


# --- serializers ---------------------------------------------------------------------------------------
class WishPhotoSerializer(serializers.Serializer):
    kind = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(photo.image.url) if request else photo.image.url


class WishSerializer(serializers.ModelSerializer):
    """A wish as the API shows it. The wisher's name, phone and address are masked unless the view has
    decided (``can_see_personal_data``, and logged) that this user sees them in full: ``personal_data``."""

    community_name = serializers.CharField(source="community.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    claimed_by_name = serializers.SerializerMethodField()
    personal_data = serializers.SerializerMethodField(
        help_text="true: 姓名、电话、地址为完整信息（已记录查看）"
    )
    fulfilment_photos = serializers.SerializerMethodField()
    is_flagged = serializers.BooleanField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Wish
        fields = [
            "id",
            "code",
            "title",
            "text",
            "category",
            "category_label",
            "urgent",
            "community",
            "community_name",
            "channel",
            "channel_label",
            "status",
            "status_label",
            "wisher_name",
            "wisher_phone",
            "wisher_address",
            "personal_data",
            "claimed_by",
            "claimed_by_name",
            "promised_date",
            "fulfil_note",
            "satisfaction",
            "feedback_comment",
            "reopened",
            "reject_reason",
            "submitted_at",
            "opened_at",
            "claimed_at",
            "fulfilled_at",
            "closed_at",
            "is_flagged",
            "is_overdue",
            "fulfilment_photos",
        ]
        read_only_fields = fields

    def _reveal(self, wish) -> bool:
        return wish.pk in self.context.get("revealed", ())

    def get_personal_data(self, wish) -> bool:
        return self._reveal(wish)

    def get_claimed_by_name(self, wish) -> str:
        return wish.claimed_by.display_name if wish.claimed_by_id else ""

    def get_fulfilment_photos(self, wish) -> list[str]:
        if not self.context.get("with_photos"):
            return []
        photos = [p for p in wish.photos.all() if p.kind == PhotoKind.FULFILMENT]
        return WishPhotoSerializer(photos, many=True, context=self.context).data

    def to_representation(self, wish):
        data = super().to_representation(wish)
        if not self._reveal(wish):
            data["wisher_name"] = mask_name(wish.wisher_name)
            data["wisher_phone"] = mask_phone(wish.wisher_phone)
            data["wisher_address"] = mask_address(wish.wisher_address)
        return data


class WishCreatedSerializer(WishSerializer):
    """The answer to a submission: the wish, plus the query code the wisher keeps."""

    query_code = serializers.CharField(read_only=True)

    class Meta(WishSerializer.Meta):
        fields = [*WishSerializer.Meta.fields, "query_code"]
        read_only_fields = fields


class WishCreateSerializer(serializers.Serializer):
    """A resident's submission (channel 在线 or 心愿卡); community staff may use every channel and their
    wishes are open at once."""

    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    category = serializers.ChoiceField(choices=WishCategory.choices)
    title = serializers.CharField(max_length=60)
    text = serializers.CharField(max_length=1000)
    urgent = serializers.BooleanField(default=False)
    wisher_name = serializers.CharField(max_length=50)
    wisher_phone = serializers.CharField(max_length=20)
    wisher_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=WishChannel.choices, default=WishChannel.ONLINE)

    def validate_wisher_phone(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        try:
            return validate_mobile(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def validate(self, attrs):
        if attrs.get("urgent") and attrs.get("category") != WishCategory.SUPPLIES:
            raise serializers.ValidationError({"urgent": ["“生活帮帮团急需”只用于生活物资类心愿。"]})
        return attrs


class ClaimSerializer(serializers.Serializer):
    promised_date = serializers.DateField(required=False, help_text="默认今天起 WISH_DEFAULT_PROMISE_DAYS 天")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class FulfilSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, max_length=6, default=list)

    def validate_photos(self, photos):
        from django.core.exceptions import ValidationError

        try:
            return [clean_image(photo) for photo in photos]
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class FeedbackSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    query_code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default="", help_text="心愿人不登录时凭查询码回访"
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    query_code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default="", help_text="心愿人不登录时凭查询码撤回"
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


CONFLICT = OpenApiResponse(ErrorSerializer, description="已被其他党员认领，或当前状态不允许该操作")
BAD = OpenApiResponse(ErrorSerializer, description="输入有误（字段错误随附）")


def _action_schema(request, summary: str):
    return extend_schema(
        request=request,
        responses={200: WishSerializer, 400: BAD, 403: ErrorSerializer, 409: CONFLICT},
        summary=summary,
        tags=["wishes"],
    )


# --- viewset -------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="心愿列表（个人信息一律脱敏）", tags=["wishes"]),
    retrieve=extend_schema(
        summary="心愿详情（认领党员、本社区工作人员和管理员可见完整个人信息）", tags=["wishes"]
    ),
)
class WishViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Wishes visible to the caller (``Wish.objects.visible_to``), filtered by ``WishFilterSet``."""

    serializer_class = WishSerializer
    filterset_class = WishFilterSet
    public_actions = ("list", "retrieve", "create", "feedback", "withdraw")
    throttled_actions = ("create", "feedback", "withdraw")

    def get_queryset(self):
        return selectors.wish_list(user=self.request.user)

    def get_permissions(self):
        if self.action in self.public_actions:
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        return [AnonymousSubmitThrottle()] if self.action in self.throttled_actions else []

    def get_object_for_action(self) -> Wish:
        """Actions may be on wishes outside the public list (a submitted wish the wisher withdraws by
        query code); the service decides who may act."""
        if self.action in ("feedback", "withdraw"):
            self.queryset = Wish.objects.all()
            from django.shortcuts import get_object_or_404

            wish = get_object_or_404(Wish, pk=self.kwargs["pk"])
            self.check_object_permissions(self.request, wish)
            return wish
        return self.get_object()

    def _answer(self, wish: Wish) -> Response:
        wish = Wish.objects.select_related("community__town", "claimed_by").get(pk=wish.pk)
        revealed = {wish.pk} if selectors.reveal_personal_data(self.request.user, wish) else set()
        context = {**self.get_serializer_context(), "revealed": revealed, "with_photos": True}
        return Response(WishSerializer(wish, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(
        request=WishCreateSerializer,
        responses={201: WishCreatedSerializer, 400: BAD, 429: ErrorSerializer},
        summary="提交心愿（匿名可用，限频）",
        tags=["wishes"],
    )
    def create(self, request, *args, **kwargs):
        payload = WishCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        user = request.user
        with transaction.atomic():
            if data["channel"] in RESIDENT_CHANNELS and not (
                user.is_authenticated and services.is_community_staff_of(user, data["community"].pk)
            ):
                wish = services.wish_submit(user=user, **data)
            else:
                wish = services.wish_enter(staff=user, **data)
        context = {**self.get_serializer_context(), "revealed": set()}
        return Response(WishCreatedSerializer(wish, context=context).data, status=status.HTTP_201_CREATED)

    def _run(self, serializer_class, service, **fixed):
        wish = self.get_object_for_action()
        data = {}
        if serializer_class is not None:
            payload = serializer_class(data=self.request.data)
            payload.is_valid(raise_exception=True)
            data = dict(payload.validated_data)
        return self._answer(service(wish=wish, **fixed, **data))

    @_action_schema(ClaimSerializer, "认领（抢单；已被认领时 409）")
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        return self._run(ClaimSerializer, services.wish_claim, member=request.user)

    @_action_schema(ReasonSerializer, "释放认领（认领人，需说明原因）")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._run(ReasonSerializer, services.wish_release, member=request.user)

    @_action_schema(FulfilSerializer, "登记完成（认领人，说明与照片）")
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        return self._run(FulfilSerializer, services.wish_fulfil, member=request.user)

    @_action_schema(FeedbackSerializer, "回访评价（心愿人凭账号或查询码，或本社区工作人员）")
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        return self._run(FeedbackSerializer, services.wish_feedback, user=request.user)

    @_action_schema(None, "审核通过（本社区工作人员）")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(None, services.wish_approve, staff=request.user)

    @_action_schema(ReasonSerializer, "审核不通过（本社区工作人员，需说明原因）")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._run(ReasonSerializer, services.wish_reject, staff=request.user)

    @_action_schema(WithdrawSerializer, "撤回心愿（心愿人凭账号或查询码，或本社区工作人员）")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._run(WithdrawSerializer, services.wish_withdraw, user=request.user)


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router."""
    router.register("wishes", WishViewSet, basename="wish")
