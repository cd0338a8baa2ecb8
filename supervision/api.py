"""API of the supervision loop: ``/api/v1/reports/`` (published bulletins for everybody, every report for
supervisors; filter by kind and period; the detail carries the structured data), ``/api/v1/orders/``
(issue; answer, return, close as actions), ``/api/v1/inspections/`` (``?leader=``: a leader's visits),
``/api/v1/leaders/`` and ``/api/v1/contact-points/`` (the office records and assigns). The services
decide who may do what."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jiangyan.core.exceptions import ErrorSerializer, error_response
from jiangyan.core.moves_api import ListedActions, actions_field
from jiangyan.core.roles import Role
from jiangyan.core.schema import upload_request
from jiangyan.core.scoping import CHANGE
from jiangyan.core.viewsets import PortalViewSet

from . import inputs, reports, selectors, services
from .choices import ORDER_MOVES, REPORT_MOVES
from .filtersets import ContactPointFilterSet, InspectionFilterSet, OrderFilterSet, ReportFilterSet
from .models import ContactPoint, Inspection, Leader, Report, SupervisionOrder

extra_urls: list = []
TAG_REPORTS, TAG_ORDERS, TAG_INSPECTIONS, TAG_CONTACT_POINTS = ("reports", "orders", "inspections", "leaders")


# --- reports -----------------------------------------------------------------------------------------------
class ReportSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    local_title = serializers.CharField(
        read_only=True, help_text="标题，用读者的语言（title 为公布时的中文标题）"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    actions = actions_field(REPORT_MOVES)

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_label",
            "period_start",
            "period_end",
            "title",
            "local_title",
            "status",
            "status_label",
            "generated_at",
            "generation",
            "approved_at",
            "published_at",
            "url",
            "actions",
        ]
        read_only_fields = fields


class ReportDetailSerializer(ReportSerializer):
    data = serializers.JSONField(read_only=True, help_text="报告的结构化数据（见 docs/reports.md）")
    body = serializers.SerializerMethodField(
        help_text="报告正文（HTML），用读者的语言：中文为生成（公布）时保存的页面，其他语言由 data 生成"
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "data", "body"]
        read_only_fields = fields

    def get_body(self, report: Report) -> str:
        return reports.body(report)


def _report_action(summary: str):
    return extend_schema(
        request=None,
        responses={
            200: ReportDetailSerializer,
            400: error_response("该类型的报告不能公布"),
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: error_response("报告当前状态不允许该操作"),
        },
        summary=summary,
        tags=[TAG_REPORTS],
    )


@extend_schema_view(
    list=extend_schema(summary="报告列表（公众：已公布的旬通报；督查人员：全部）", tags=[TAG_REPORTS]),
    retrieve=extend_schema(summary="报告详情（含结构化数据）", tags=[TAG_REPORTS]),
)
class ReportViewSet(ListedActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    cache_topics = ("reports",)
    filterset_class = ReportFilterSet
    public_actions = ("list", "retrieve")
    action_roles = {"approve": (Role.SUPERVISOR,), "publish": (Role.SUPERVISOR,)}
    action_scopes = {"approve": CHANGE, "publish": CHANGE}
    queryset = Report.objects.all()  # restricted to each action's scope by ``PortalViewSet``

    def get_queryset(self):
        if self.action == "list":
            return selectors.report_list(user=self.request.user)
        return super().get_queryset()

    def get_serializer_class(self):
        return ReportSerializer if self.action == "list" else ReportDetailSerializer

    def actions_for(self, objects) -> dict[int, list[str]]:
        return {report.pk: selectors.report_actions_for(self.request.user, report) for report in objects}

    def listed_objects(self, keys: list):
        return Report.objects.filter(pk__in=keys).only("id", "kind", "status")

    @_report_action("审核报告（督查人员；待审核 → 已审核）")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = services.report_approve(actor=request.user, report=self.get_object())
        return Response(ReportDetailSerializer(report, context=self.get_serializer_context()).data)

    @_report_action("公布旬通报（督查人员；已审核 → 已公布，公众可见）")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        report = services.report_publish(actor=request.user, report=self.get_object())
        return Response(ReportDetailSerializer(report, context=self.get_serializer_context()).data)


# --- orders ------------------------------------------------------------------------------------------------
class OrderSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    target = serializers.SerializerMethodField(help_text="督办对象（项目、心愿或履职事项）")
    project_code = serializers.CharField(source="project.code", default=None, read_only=True, allow_null=True)
    wish_code = serializers.CharField(source="wish.code", default=None, read_only=True, allow_null=True)
    respondent = serializers.SerializerMethodField(help_text="责任单位或社区")
    is_overdue = serializers.BooleanField(read_only=True)
    actions = actions_field(ORDER_MOVES)

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "code",
            "target",
            "project_code",
            "wish_code",
            "duty_item",
            "unit",
            "community",
            "respondent",
            "inspection",
            "reason",
            "required_action",
            "deadline",
            "status",
            "status_label",
            "is_overdue",
            "issued_at",
            "answer",
            "answered_at",
            "return_reason",
            "returned_at",
            "close_note",
            "closed_at",
            "actions",
        ]
        read_only_fields = fields

    def get_target(self, order) -> str:
        return str(order.target)

    def get_respondent(self, order) -> str:
        return str(order.respondent)


class OrderIssueInput(
    inputs.ORDER_ISSUE.serializer(target={"help_text": "项目编号、心愿编号或履职事项序号"})
):
    pass


class AnswerInput(inputs.ORDER_ANSWER.serializer()):
    pass


class ReturnInput(inputs.ORDER_RETURN.serializer(deadline={"help_text": "新的答复时限（可选）"})):
    pass


class CloseInput(inputs.ORDER_CLOSE.serializer()):
    pass


def _create_schema(request, response, summary: str, tag: str):
    return extend_schema(
        request=request,
        responses={201: response, 400: error_response("输入有误（字段错误随附）"), 403: ErrorSerializer},
        summary=summary,
        tags=[tag],
    )


def _order_action(request, summary: str):
    return extend_schema(
        request=request,
        responses={
            200: OrderSerializer,
            400: error_response("输入有误（字段错误随附）"),
            403: error_response("不是本督办单的责任单位（社区）或督查人员"),
            404: ErrorSerializer,
            409: error_response("督办单当前状态不允许该操作"),
        },
        summary=summary,
        tags=[TAG_ORDERS],
    )


@extend_schema_view(
    list=extend_schema(
        summary="督办单（督查人员：全部；责任单位、社区：本单位、本社区的）", tags=[TAG_ORDERS]
    ),
    retrieve=extend_schema(summary="督办单详情", tags=[TAG_ORDERS]),
)
class OrderViewSet(ListedActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    cache_topics = ("supervision",)
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    action_roles = {
        "list": (Role.SUPERVISOR, Role.UNIT_STAFF, Role.COMMUNITY_STAFF),
        "retrieve": (Role.SUPERVISOR, Role.UNIT_STAFF, Role.COMMUNITY_STAFF),
        "create": (Role.SUPERVISOR,),
        "answer": (Role.UNIT_STAFF, Role.COMMUNITY_STAFF),
        "return_": (Role.SUPERVISOR,),
        "close": (Role.SUPERVISOR,),
    }
    # ``editable_by``: the supervisors and the responsible unit's or community's staff; the service checks
    # which of them may take which step.
    action_scopes = {"answer": CHANGE, "return_": CHANGE, "close": CHANGE}

    def get_queryset(self):
        return selectors.order_list(user=self.request.user)

    def _answer(self, order) -> Response:
        return Response(OrderSerializer(order, context=self.get_serializer_context()).data)

    def actions_for(self, objects) -> dict[int, list[str]]:
        return {order.pk: selectors.order_actions_for(self.request.user, order) for order in objects}

    def listed_objects(self, keys: list):
        return SupervisionOrder.objects.filter(pk__in=keys).only("id", "status", "unit_id", "community_id")

    @_create_schema(OrderIssueInput, OrderSerializer, "下发督办单（督查人员）", TAG_ORDERS)
    def create(self, request, *args, **kwargs):
        order = services.order_issue(actor=request.user, **self.input(OrderIssueInput))
        return Response(OrderSerializer(order, context=self.get_serializer_context()).data, status=201)

    @_order_action(AnswerInput, "答复（责任单位或社区工作人员，仅限本单位、本社区）")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._answer(
            services.order_answer(actor=request.user, order=self.get_object(), **self.input(AnswerInput))
        )

    @_order_action(ReturnInput, "退回重办（督查人员）")
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._answer(
            services.order_return(actor=request.user, order=self.get_object(), **self.input(ReturnInput))
        )

    @_order_action(CloseInput, "办结（督查人员）")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(
            services.order_close(actor=request.user, order=self.get_object(), **self.input(CloseInput))
        )


# --- inspections -------------------------------------------------------------------------------------------
class InspectionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    project_codes = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "kind",
            "kind_label",
            "date",
            "places",
            "findings",
            "inspectors",
            "project_codes",
            "communities",
            "units",
            "photos",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_project_codes(self, inspection) -> list[str]:
        return [p.code for p in inspection.projects.all()]

    def get_photos(self, inspection) -> list[str]:
        request = self.context.get("request")
        urls = [p.image.url for p in inspection.photos.all()]
        return [request.build_absolute_uri(u) for u in urls] if request else urls


class InspectionInput(inputs.INSPECTION_RECORD.serializer(inspectors={"help_text": "其他参加的督查人员"})):
    pass


@extend_schema_view(
    list=extend_schema(summary="巡回指导记录（督查人员）", tags=[TAG_INSPECTIONS]),
    retrieve=extend_schema(summary="巡回指导详情", tags=[TAG_INSPECTIONS]),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    cache_topics = ("supervision",)
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    action_roles = {
        "list": (Role.SUPERVISOR,),
        "retrieve": (Role.SUPERVISOR,),
        "create": (Role.SUPERVISOR,),
    }
    upload_actions = ("create",)

    def get_queryset(self):
        return selectors.inspection_list(user=self.request.user).prefetch_related("photos")

    @_create_schema(
        upload_request(InspectionInput),
        InspectionSerializer,
        "记录巡回指导（实地走访、集中座谈、问卷调查）",
        TAG_INSPECTIONS,
    )
    def create(self, request, *args, **kwargs):
        inspection = services.inspection_record(actor=request.user, **self.input(InspectionInput))
        inspection = self.get_queryset().get(pk=inspection.pk)
        return Response(
            InspectionSerializer(inspection, context=self.get_serializer_context()).data, status=201
        )


# --- leaders and their contact points ---------------------------------------------------------------------
class LeaderSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    body_label = serializers.CharField(source="get_body_display", read_only=True)
    places = serializers.IntegerField(read_only=True, help_text="联系点数")
    visits = serializers.IntegerField(read_only=True, help_text="本月走访次数")
    unvisited = serializers.IntegerField(read_only=True, help_text="本月未走访的联系点数")

    class Meta:
        model = Leader
        fields = [
            "id",
            "user",
            "name",
            "body",
            "body_label",
            "title",
            "rank",
            "places",
            "visits",
            "unvisited",
        ]
        read_only_fields = fields


class LeaderInput(inputs.LEADER_APPOINT.serializer(user={"help_text": "领导本人的督查人员账号"})):
    pass


@extend_schema_view(
    list=extend_schema(summary="联系领导（四套班子成员）及本月走访情况", tags=[TAG_CONTACT_POINTS]),
)
class LeaderViewSet(mixins.ListModelMixin, PortalViewSet):
    cache_topics = ("supervision",)
    serializer_class = LeaderSerializer
    action_roles = {"list": (Role.SUPERVISOR,), "create": (Role.ADMIN,)}

    def get_queryset(self):
        return selectors.leaders_with_figures(user=self.request.user)

    @_create_schema(LeaderInput, LeaderSerializer, "登记联系领导或修改职务（办公室）", TAG_CONTACT_POINTS)
    def create(self, request, *args, **kwargs):
        leader = services.leader_appoint(actor=request.user, **self.input(LeaderInput))
        return Response(LeaderSerializer(self.get_queryset().get(pk=leader.pk)).data, status=201)


class ContactPointSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.name", read_only=True)
    place = serializers.CharField(read_only=True)
    visited = serializers.BooleanField(read_only=True, help_text="本月已走访")
    last_visit = serializers.DateField(read_only=True, allow_null=True, help_text="最近一次走访")

    class Meta:
        model = ContactPoint
        fields = [
            "id",
            "leader",
            "leader_name",
            "community",
            "unit",
            "place",
            "since",
            "visited",
            "last_visit",
        ]
        read_only_fields = fields


class ContactPointInput(inputs.CONTACT_POINT_ASSIGN.serializer()):
    pass


@extend_schema_view(
    list=extend_schema(summary="基层联系点（?leader=、?visited=false）", tags=[TAG_CONTACT_POINTS]),
    destroy=extend_schema(summary="取消联系点（办公室）", tags=[TAG_CONTACT_POINTS]),
)
class ContactPointViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, PortalViewSet):
    cache_topics = ("supervision",)
    serializer_class = ContactPointSerializer
    filterset_class = ContactPointFilterSet
    action_roles = {"list": (Role.SUPERVISOR,), "create": (Role.ADMIN,), "destroy": (Role.ADMIN,)}
    action_scopes = {"destroy": CHANGE}

    def get_queryset(self):
        return selectors.contact_points(user=self.request.user)

    @_create_schema(ContactPointInput, ContactPointSerializer, "分配联系点（办公室）", TAG_CONTACT_POINTS)
    def create(self, request, *args, **kwargs):
        point = services.contact_point_assign(actor=request.user, **self.input(ContactPointInput))
        return Response(ContactPointSerializer(self.get_queryset().get(pk=point.pk)).data, status=201)

    def perform_destroy(self, instance):
        services.contact_point_remove(actor=self.request.user, contact_point=instance)


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router."""
    router.register("reports", ReportViewSet, basename="report")
    router.register("orders", OrderViewSet, basename="order")
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("leaders", LeaderViewSet, basename="leader")
    router.register("contact-points", ContactPointViewSet, basename="contact-point")
