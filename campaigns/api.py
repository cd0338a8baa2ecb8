"""API of the seasonal campaigns: ``/api/v1/campaigns/`` (everybody reads; the office creates, and changes
one with ``PUT``). Which wishes and projects a campaign has: ``/api/v1/wishes/?campaign=`` and
``/api/v1/projects/?campaign=``."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from jiangyan.core.exceptions import ErrorSerializer, error_response
from jiangyan.core.roles import Role
from jiangyan.core.scoping import CHANGE, VIEW
from jiangyan.core.viewsets import PortalViewSet

from . import inputs, selectors, services
from .models import Campaign

extra_urls: list = []
TAG = "campaigns"


class CampaignSerializer(serializers.ModelSerializer):
    season_label = serializers.CharField(source="get_season_display", read_only=True)
    phase = serializers.CharField(read_only=True, help_text="upcoming 未开始 / running 进行中 / ended 已结束")
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "season",
            "season_label",
            "theme",
            "description",
            "start_date",
            "end_date",
            "phase",
            "url",
        ]
        read_only_fields = fields


class CampaignInput(inputs.CAMPAIGN_CREATE.serializer()):
    pass


class CampaignUpdateInput(inputs.CAMPAIGN_UPDATE.serializer()):
    pass


def _write_schema(request, summary: str, status: int):
    return extend_schema(
        request=request,
        responses={
            status: CampaignSerializer,
            400: error_response("输入有误（字段错误随附）"),
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary=summary,
        tags=[TAG],
    )


@extend_schema_view(
    list=extend_schema(summary="四季活动", tags=[TAG]),
    retrieve=extend_schema(summary="一项四季活动", tags=[TAG]),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    cache_topics = ("campaigns",)
    serializer_class = CampaignSerializer
    public_actions = ("list", "retrieve")
    action_roles = {"create": (Role.ADMIN,), "update": (Role.ADMIN,)}
    action_scopes = {"retrieve": VIEW, "update": CHANGE}

    def get_queryset(self):
        return selectors.campaign_list(user=self.request.user)

    @_write_schema(CampaignInput, "新建四季活动（办公室）", 201)
    def create(self, request, *args, **kwargs):
        campaign = services.campaign_create(actor=request.user, **self.input(CampaignInput))
        return Response(CampaignSerializer(campaign).data, status=201)

    @_write_schema(CampaignUpdateInput, "修改四季活动（办公室）", 200)
    def update(self, request, *args, **kwargs):
        campaign = self.get_object()
        campaign = services.campaign_update(
            actor=request.user, campaign=campaign, **self.input(CampaignUpdateInput)
        )
        return Response(CampaignSerializer(campaign).data)


def register(router) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaign")
