"""API of the wishes app: ``/api/v1/wishes/`` (list, detail, create) and one POST action per transition
(``/api/v1/wishes/<code>/<action>/``; a wish's numeric id in place of its code still works). A lost race
or an illegal transition is a 409. The services decide who may do what; the viewset only shapes the input
and the answer."""

from django.db.models import Case, IntegerField, Value, When
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiangyan.core.exceptions import ErrorSerializer
from jiangyan.core.moves_api import ListedActions, actions_field
from jiangyan.core.roles import Role
from jiangyan.core.schema import upload_request
from jiangyan.core.scoping import CHANGE, VIEW
from jiangyan.core.viewsets import PortalViewSet
from jiangyan.helpers.masking import mask_address, mask_name, mask_phone

from . import inputs, selectors, services
from .choices import OFFER_MOVES, WISH_MOVES, OfferStatus, PhotoKind, Satisfaction, WishCategory
from .filtersets import DispatchOfferFilterSet, WishFilterSet
from .models import WISHER, DispatchOffer, HelpTeam, Wish

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
    team_window_ends = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="派给帮帮团的心愿：此前仅限团队成员认领"
    )
    # Blank until the follow-up: the schema says so (an enum or "").
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_blank=True, read_only=True)
    campaign_name = serializers.SerializerMethodField(help_text="所属四季活动（无则为空）")
    actions = actions_field(WISH_MOVES)

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
            "campaign",
            "campaign_name",
            "submitted_at",
            "opened_at",
            "claimed_at",
            "fulfilled_at",
            "closed_at",
            "is_flagged",
            "is_overdue",
            "team",
            "team_window_ends",
            "fulfilment_photos",
            "actions",
        ]
        read_only_fields = fields

    def _reveal(self, wish) -> bool:
        return wish.pk in self.context.get("revealed", ())

    def get_personal_data(self, wish) -> bool:
        return self._reveal(wish)

    def get_campaign_name(self, wish) -> str:
        return wish.campaign.name if wish.campaign_id else ""

    def get_claimed_by_name(self, wish) -> str:
        return wish.claimed_by.display_name if wish.claimed_by_id else ""

    @extend_schema_field(WishPhotoSerializer(many=True))
    def get_fulfilment_photos(self, wish) -> list[dict]:
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


# --- input --------------------------------------------------------------------------------------------
class WishCreateInput(inputs.WISH_CREATE.serializer(urgent={"help_text": "生活帮帮团急需（仅生活物资类）"})):
    """A new wish. A resident submits it online or from a card's QR code (it waits for review); staff of
    its community enter it from any channel (open at once) — ``wishes.services.wish_create`` decides."""


class ClaimInput(
    inputs.WISH_CLAIM.serializer(promised_date={"help_text": "默认今天起 WISH_DEFAULT_PROMISE_DAYS 天"})
):
    pass


class ReasonInput(inputs.WISH_RELEASE.serializer()):
    """The reason of a release (``wish_release``)."""


class RejectInput(inputs.WISH_REJECT.serializer()):
    """The reason of a rejection (``wish_reject``)."""


class FulfilInput(inputs.WISH_FULFIL.serializer()):
    pass


class FeedbackInput(inputs.WISH_FEEDBACK.serializer(query_code={"help_text": "心愿人不登录时凭查询码回访"})):
    pass


class WishCampaignInput(
    inputs.WISH_TAG_CAMPAIGN.serializer(campaign={"help_text": "四季活动 id；null 移出活动"})
):
    pass


class WithdrawInput(inputs.WISH_WITHDRAW.serializer(query_code={"help_text": "心愿人不登录时凭查询码撤回"})):
    pass


class DispatchInput(
    inputs.WISH_DISPATCH.serializer(member={"help_text": "党员的用户 id（在本镇街社区报到）"})
):
    """派单 (``wish_dispatch``): the member and an optional note."""


class OfferAcceptInput(
    inputs.OFFER_ACCEPT.serializer(promised_date={"help_text": "默认今天起 WISH_DEFAULT_PROMISE_DAYS 天"})
):
    """Accepting an offer is a claim (``offer_accept``)."""


class OfferDeclineInput(inputs.OFFER_DECLINE.serializer()):
    """The reason of declining an offer (``offer_decline``)."""


class OfferWithdrawInput(inputs.OFFER_WITHDRAW.serializer()):
    """An optional reason for withdrawing an offer (``offer_withdraw``)."""


class DispatchOfferSerializer(serializers.ModelSerializer):
    """An offer (派单) as the member and the wish's community see it: the wish (masked, as on the board),
    the member, its state and the reason of a decline or withdrawal."""

    wish_code = serializers.CharField(source="wish.code", read_only=True)
    wish_title = serializers.CharField(source="wish.title", read_only=True)
    community_name = serializers.CharField(source="wish.community.__str__", read_only=True)
    member_name = serializers.CharField(source="member.display_name", read_only=True)
    offered_by_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=OfferStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    actions = actions_field(OFFER_MOVES)

    class Meta:
        model = DispatchOffer
        fields = [
            "id",
            "wish",
            "wish_code",
            "wish_title",
            "community_name",
            "member",
            "member_name",
            "offered_by_name",
            "status",
            "status_label",
            "note",
            "reason",
            "created_at",
            "answered_at",
            "actions",
        ]
        read_only_fields = fields

    def get_offered_by_name(self, offer) -> str:
        return offer.offered_by.display_name if offer.offered_by_id else ""


CONFLICT = OpenApiResponse(ErrorSerializer, description="已被其他党员认领，或当前状态不允许该操作")
BAD = OpenApiResponse(ErrorSerializer, description="输入有误（字段错误随附）")


def _action_schema(request, summary: str):
    return extend_schema(
        request=request,
        responses={200: WishSerializer, 400: BAD, 403: ErrorSerializer, 404: ErrorSerializer, 409: CONFLICT},
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
class WishViewSet(ListedActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """Wishes visible to the caller (``Wish.objects.visible_to``), filtered by ``WishFilterSet``."""

    cache_topics = ("wishes",)  # staff and supervisors add their rows' topics (``visible_share``)

    serializer_class = WishSerializer
    filterset_class = WishFilterSet
    # The wisher follows up or withdraws with a query code and no account; the service decides who may act.
    public_actions = ("list", "retrieve", "create", "feedback", "withdraw")
    action_roles = {
        "claim": (Role.PARTY_MEMBER,),
        "release": (Role.PARTY_MEMBER,),
        "fulfil": (Role.PARTY_MEMBER,),
        "approve": (Role.COMMUNITY_STAFF,),
        "campaign": (Role.COMMUNITY_STAFF,),
        "reject": (Role.COMMUNITY_STAFF,),
        "assign": (Role.COMMUNITY_STAFF,),
    }
    throttled_actions = ("create", "feedback", "withdraw")
    upload_actions = ("fulfil",)
    # Addressed by the code the screens show (WX2512ABCD); the numeric ids of the first URLs still work.
    lookup_field = "code"
    # Anything else in that place is a 404 before any permission check.
    lookup_value_regex = r"(?:[0-9]+|[Ww][Xx][A-Za-z0-9]+)"
    queryset = Wish.objects.all()  # restricted to each action's scope by ``PortalViewSet``
    action_scopes = {
        # Whoever sees the wish may ask; the service checks the claimer, the community's staff and the state.
        "claim": VIEW,
        "release": VIEW,
        "fulfil": VIEW,
        "approve": VIEW,
        "reject": VIEW,
        # The wisher, perhaps without an account, proves themselves with the query code (``Wish.restrict``).
        "feedback": WISHER,
        "withdraw": WISHER,
        # 派单: only the staff of the wish's community (and admins); a wish of another community is a 404.
        "assign": CHANGE,
        # Whoever sees the wish may ask; the service lets only its community's staff tag it.
        "campaign": VIEW,
    }

    def get_queryset(self):
        if self.action == "list":
            return selectors.wish_list(user=self.request.user)
        return super().get_queryset()

    def actions_for(self, objects) -> dict[int, list[str]]:
        facts = selectors.WishActor(self.request.user)
        return {wish.pk: selectors.wish_actions_for(self.request.user, wish, facts=facts) for wish in objects}

    def listed_objects(self, keys: list):
        return selectors.with_pending_offer(
            Wish.objects.filter(pk__in=keys).only(
                "id",
                "status",
                "community_id",
                "claimed_by_id",
                "submitted_by_id",
                "query_code",
                "team_id",
                "opened_at",
            )
        )

    def lookup_filter(self, key: str) -> dict:
        return {"pk": int(key)} if key.isdigit() else {"code": key.upper()}

    def _answer(self, wish: Wish) -> Response:
        wish = Wish.objects.select_related("community__town", "claimed_by", "campaign").get(pk=wish.pk)
        revealed = {wish.pk} if selectors.reveal_personal_data(self.request.user, wish) else set()
        context = {**self.get_serializer_context(), "revealed": revealed, "with_photos": True}
        return Response(WishSerializer(wish, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(
        request=WishCreateInput,
        responses={201: WishCreatedSerializer, 400: BAD, 403: ErrorSerializer, 429: ErrorSerializer},
        summary="提交心愿（匿名可用，限频）；本社区工作人员代群众登记，直接待认领",
        tags=["wishes"],
    )
    def create(self, request, *args, **kwargs):
        wish = services.wish_create(actor=request.user, **self.input(WishCreateInput))
        context = {**self.get_serializer_context(), "revealed": set()}
        return Response(WishCreatedSerializer(wish, context=context).data, status=status.HTTP_201_CREATED)

    def _act(self, service, input_class=None) -> Response:
        """Run ``service`` on the wish of the URL as the caller, with the body ``input_class`` validated."""
        wish = self.get_object()
        data = self.input(input_class) if input_class is not None else {}
        return self._answer(service(actor=self.request.user, wish=wish, **data))

    @_action_schema(ClaimInput, "认领（抢单；已被认领时 409）")
    @action(detail=True, methods=["post"])
    def claim(self, request, code=None):
        return self._act(services.wish_claim, ClaimInput)

    @_action_schema(ReasonInput, "释放认领（认领人，需说明原因）")
    @action(detail=True, methods=["post"])
    def release(self, request, code=None):
        return self._act(services.wish_release, ReasonInput)

    @_action_schema(upload_request(FulfilInput), "登记完成（认领人，说明与照片；照片以 multipart 上传）")
    @action(detail=True, methods=["post"])
    def fulfil(self, request, code=None):
        return self._act(services.wish_fulfil, FulfilInput)

    @_action_schema(FeedbackInput, "回访评价（心愿人凭账号或查询码，或本社区工作人员）")
    @action(detail=True, methods=["post"])
    def feedback(self, request, code=None):
        return self._act(services.wish_feedback, FeedbackInput)

    @_action_schema(None, "审核通过（本社区工作人员）")
    @action(detail=True, methods=["post"])
    def approve(self, request, code=None):
        return self._act(services.wish_approve)

    @_action_schema(RejectInput, "审核不通过（本社区工作人员，需说明原因）")
    @action(detail=True, methods=["post"])
    def reject(self, request, code=None):
        return self._act(services.wish_reject, RejectInput)

    @_action_schema(WishCampaignInput, "归入四季活动或移出（本社区工作人员）")
    @action(detail=True, methods=["post"])
    def campaign(self, request, code=None):
        return self._act(services.wish_tag_campaign, WishCampaignInput)

    @_action_schema(WithdrawInput, "撤回心愿（心愿人凭账号或查询码，或本社区工作人员）")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, code=None):
        return self._act(services.wish_withdraw, WithdrawInput)

    @extend_schema(
        request=DispatchInput,
        responses={
            201: DispatchOfferSerializer,
            400: BAD,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="已有待答复的派单，或心愿已不在待认领"),
        },
        summary="派单：把待认领的心愿派给本镇街的党员（本社区工作人员）",
        tags=["wishes"],
    )
    # The action ``dispatch`` of a wish's ``actions`` (the method may not be named ``APIView.dispatch``).
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def assign(self, request, code=None):
        wish = self.get_object()
        offer = services.wish_dispatch(actor=request.user, wish=wish, **self.input(DispatchInput))
        return Response(_offer_answer(self, offer), status=status.HTTP_201_CREATED)


class _OfferActions:
    """What an offer's ``actions`` field asks of its view, for the answer of another viewset (派单)."""

    action = "retrieve"

    def __init__(self, user):
        self.user = user

    def actions_for(self, objects) -> dict[int, list[str]]:
        facts = selectors.WishActor(self.user)
        return {o.pk: selectors.offer_actions_for(self.user, o, facts=facts) for o in objects}


def _offer_answer(view, offer: DispatchOffer) -> dict:
    offer = DispatchOffer.objects.select_related("wish__community__town", "member", "offered_by").get(
        pk=offer.pk
    )
    context = {**view.get_serializer_context(), "view": _OfferActions(view.request.user)}
    return DispatchOfferSerializer(offer, context=context).data


def _offer_action_schema(request, summary: str):
    return extend_schema(
        request=request,
        responses={
            200: DispatchOfferSerializer,
            400: BAD,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: CONFLICT,
        },
        summary=summary,
        tags=["wishes"],
    )


@extend_schema_view(
    list=extend_schema(summary="派单列表（党员：派给我的；社区工作人员：本社区的）", tags=["wishes"]),
    retrieve=extend_schema(summary="派单详情", tags=["wishes"]),
)
class DispatchOfferViewSet(ListedActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """Offers (派单) the caller sees (``DispatchOffer.objects.visible_to``): the member's own, those of the
    communities a worker handles. Each reader's own: never cached."""

    serializer_class = DispatchOfferSerializer
    filterset_class = DispatchOfferFilterSet
    action_roles = {"accept": (Role.PARTY_MEMBER,), "decline": (Role.PARTY_MEMBER,)}
    # Whoever sees the offer may ask; the service checks the member it is offered to, or the community.
    action_scopes = {"accept": VIEW, "decline": VIEW, "withdraw": VIEW}

    def get_queryset(self):
        return (
            DispatchOffer.objects.select_related("wish__community__town", "member", "offered_by")
            .annotate(
                waiting=Case(
                    When(status=OfferStatus.PENDING, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("waiting", "-created_at", "-id")
        )

    def actions_for(self, objects) -> dict[int, list[str]]:
        facts = selectors.WishActor(self.request.user)
        return {o.pk: selectors.offer_actions_for(self.request.user, o, facts=facts) for o in objects}

    def listed_objects(self, keys: list):
        return (
            DispatchOffer.objects.filter(pk__in=keys)
            .select_related("wish")
            .only("id", "status", "member_id", "wish__id", "wish__community_id")
        )

    def _act(self, service, input_class) -> Response:
        offer = self.get_object()
        result = service(actor=self.request.user, offer=offer, **self.input(input_class))
        return Response(_offer_answer(self, result))

    @_offer_action_schema(OfferAcceptInput, "接单（被派单的党员；即认领，遵守认领规则）")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(services.offer_accept, OfferAcceptInput)

    @_offer_action_schema(OfferDeclineInput, "婉拒派单（被派单的党员，需说明原因）")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(services.offer_decline, OfferDeclineInput)

    @_offer_action_schema(OfferWithdrawInput, "撤回派单（本社区工作人员）")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(services.offer_withdraw, OfferWithdrawInput)


# --- help teams (帮帮团) ---------------------------------------------------------------------------------
class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class HelpTeamSerializer(serializers.ModelSerializer):
    """A help team: kind, name, range (a whole town and/or communities), the categories it takes, its
    members (party members) and how many of its wishes wait to be claimed now."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    members = TeamMemberSerializer(many=True, read_only=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=WishCategory.choices))
    waiting = serializers.IntegerField(read_only=True, help_text="待认领的派单心愿数")

    class Meta:
        model = HelpTeam
        fields = ["id", "kind", "kind_label", "name", "town", "communities", "categories", "members"]
        fields += ["active", "waiting"]
        read_only_fields = fields


class HelpTeamInput(inputs.HELP_TEAM_SAVE.serializer(members={"help_text": "党员账号的 id"})):
    """A help team as the office sets it up or changes it (``wishes.services.help_team_save``)."""


TEAM_READERS = (Role.PARTY_MEMBER, Role.SUPERVISOR)
TEAM_WRITE = {
    201: HelpTeamSerializer,
    400: BAD,
    403: ErrorSerializer,
}


@extend_schema_view(
    list=extend_schema(summary="帮帮团（党员：本人所在的；督查人员和办公室：全部）", tags=["help_teams"]),
    retrieve=extend_schema(summary="帮帮团详情（成员、服务范围、受理类别）", tags=["help_teams"]),
)
class HelpTeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """Help teams visible to the caller (``HelpTeam.objects.visible_to``); the office creates and changes
    them; ``queue`` is a team's queue of routed wishes."""

    serializer_class = HelpTeamSerializer
    action_roles = {
        "list": TEAM_READERS,
        "retrieve": TEAM_READERS,
        "queue": TEAM_READERS,
        "create": (Role.ADMIN,),
        "update": (Role.ADMIN,),
    }
    action_scopes = {"retrieve": VIEW, "queue": VIEW, "update": CHANGE}
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.team_list(user=self.request.user)
        return HelpTeam.objects.all()

    def _team(self, team: HelpTeam, status_code: int = 200) -> Response:
        team = selectors.team_list(user=self.request.user).get(pk=team.pk)
        return Response(HelpTeamSerializer(team).data, status=status_code)

    @extend_schema(
        request=HelpTeamInput, responses=TEAM_WRITE, summary="新建帮帮团（办公室）", tags=["help_teams"]
    )
    def create(self, request, *args, **kwargs):
        team = services.help_team_save(actor=request.user, **self.input(HelpTeamInput))
        return self._team(team, status.HTTP_201_CREATED)

    @extend_schema(
        request=HelpTeamInput,
        responses={**TEAM_WRITE, 200: HelpTeamSerializer, 404: ErrorSerializer},
        summary="修改帮帮团（办公室）",
        tags=["help_teams"],
    )
    def update(self, request, *args, **kwargs):
        team = services.help_team_save(
            actor=request.user, team=self.get_object(), **self.input(HelpTeamInput)
        )
        return self._team(team)

    def actions_for(self, objects) -> dict[int, list[str]]:
        """The caller's moves on the queue's wishes, with what is read of the caller once for all rows."""
        facts = self.__dict__.setdefault("_facts", selectors.WishActor(self.request.user))
        return {wish.pk: selectors.wish_actions_for(self.request.user, wish, facts=facts) for wish in objects}

    @extend_schema(
        responses={200: WishSerializer(many=True), 403: ErrorSerializer, 404: ErrorSerializer},
        summary="帮帮团派单队列（待认领的在前；个人信息一律脱敏）",
        tags=["help_teams"],
    )
    @action(detail=True, methods=["get"])
    def queue(self, request, pk=None):
        team = self.get_object()
        page = self.paginate_queryset(selectors.team_queue(team=team))
        data = WishSerializer(
            page, many=True, context={**self.get_serializer_context(), "revealed": set()}
        ).data
        return self.get_paginated_response(data)


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router."""
    router.register("wishes", WishViewSet, basename="wish")
    router.register("dispatch-offers", DispatchOfferViewSet, basename="dispatch-offer")
    router.register("help-teams", HelpTeamViewSet, basename="help-team")
