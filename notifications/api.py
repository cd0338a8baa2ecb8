"""API of a person's notifications: ``/api/v1/notifications/`` (the caller's own; read, read all)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiangyan.core.exceptions import ErrorSerializer
from jiangyan.core.scoping import CHANGE
from jiangyan.core.viewsets import PortalViewSet

from . import selectors, services
from .models import Notification

extra_urls: list = []
TAG_NOTIFICATIONS = "notifications"


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()
    local_title = serializers.CharField(read_only=True, help_text="标题，用读者的语言（title 为保存的中文）")
    local_body = serializers.CharField(read_only=True, help_text="内容，用读者的语言（body 为保存的中文）")

    class Meta:
        model = Notification
        fields = [
            "id",
            "reason",
            "title",
            "body",
            "local_title",
            "local_body",
            "url",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="标为已读的通知数")


@extend_schema_view(
    list=extend_schema(summary="我的通知（?unread=true 只看未读）", tags=[TAG_NOTIFICATIONS]),
)
class NotificationViewSet(mixins.ListModelMixin, PortalViewSet):
    serializer_class = NotificationSerializer
    action_scopes = {"read": CHANGE}  # the recipient's own

    def get_queryset(self):
        queryset = selectors.notification_list(user=self.request.user)
        if self.action == "list" and self.request.query_params.get("unread") in ("true", "1"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, 404: ErrorSerializer},
        summary="标为已读",
        tags=[TAG_NOTIFICATIONS],
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(actor=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(ReadAllSerializer)},
        summary="全部标为已读",
        tags=[TAG_NOTIFICATIONS],
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_read(actor=request.user)}, status=status.HTTP_200_OK)


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router."""
    router.register("notifications", NotificationViewSet, basename="notification")
