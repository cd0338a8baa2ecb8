"""API of the project registry under ``/api/v1/projects/``: list and detail (same FilterSet as the page),
milestones, statements, evaluations and indicator values. Writes go through the services, so role and
scope are the same as on the pages."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiangyan.roles import Role, has_role
from jiangyan.uploads import clean_image

from . import selectors, services
from .choices import ProjectStatus
from .filtersets import ProjectFilterSet
from .models import Evaluation, Indicator, Milestone, ProgressStatement, Project, ProjectPhoto

extra_urls: list = []


class ScheduleMixin(serializers.Serializer):
    expected_pct = serializers.FloatField(read_only=True, help_text="序时进度（%），按节点计划日期线性计算")
    actual_pct = serializers.FloatField(read_only=True, help_text="实际进度（%），已完成节点权重之和")
    variance = serializers.FloatField(read_only=True, help_text="偏差（百分点）= 实际 − 序时")
    late_milestones = serializers.IntegerField(read_only=True, help_text="逾期超过规定天数的未完成节点数")
    is_behind = serializers.BooleanField(read_only=True, help_text="是否滞后")


class ProjectListSerializer(ScheduleMixin, serializers.ModelSerializer):
    program = serializers.CharField(source="program.name", read_only=True)
    key_task = serializers.CharField(source="program.key_task.name", read_only=True)
    domain = serializers.CharField(source="domain.name", read_only=True)
    lead_unit = serializers.CharField(source="lead_unit.name", read_only=True)
    target_groups = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    towns = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Project
        fields = [
            "code",
            "title",
            "program",
            "key_task",
            "domain",
            "target_groups",
            "lead_unit",
            "towns",
            "planned_start",
            "planned_end",
            "is_public",
            "status",
            "status_label",
            "expected_pct",
            "actual_pct",
            "variance",
            "late_milestones",
            "is_behind",
            "url",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "name", "planned_date", "weight", "done_date", "evidence"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "name", "unit", "target_value", "current_value"]


class ProjectDetailSerializer(ProjectListSerializer):
    cooperating_units = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    milestones = MilestoneSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta(ProjectListSerializer.Meta):
        fields = [
            *ProjectListSerializer.Meta.fields,
            "summary",
            "cooperating_units",
            "responsible_leader",
            "milestones",
            "indicators",
        ]


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectPhoto
        fields = ["id", "image", "caption", "created_at"]


class IndicatorValueSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(help_text="指标 id")
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class StatementSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True, default="")
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressStatement
        fields = ["id", "period_start", "period_end", "text", "author", "created_at", "photos"]


class StatementCreateSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    text = serializers.CharField(max_length=5000)
    indicator_values = IndicatorValueSerializer(many=True, required=False)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, max_length=6)

    def validate_photos(self, value):
        try:
            return [clean_image(p) for p in value]
        except Exception as exc:
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc

    def validate(self, data):
        if data["period_end"] < data["period_start"]:
            raise serializers.ValidationError({"period_end": ["截止日期不能早于起始日期。"]})
        return data


class MilestoneCompleteSerializer(serializers.Serializer):
    done_date = serializers.DateField()
    evidence = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class IndicatorValuesSerializer(serializers.Serializer):
    values = IndicatorValueSerializer(many=True, allow_empty=False)


class EvaluationSerializer(serializers.ModelSerializer):
    evaluator = serializers.SerializerMethodField()
    evaluator_role_label = serializers.CharField(source="get_evaluator_role_display", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "score",
            "comment",
            "evaluator",
            "evaluator_role",
            "evaluator_role_label",
            "month",
            "created_at",
        ]
        read_only_fields = ["evaluator_role", "month"]

    def get_evaluator(self, obj) -> str:
        from jiangyan.masking import mask_name

        return mask_name(obj.evaluator.display_name)


class EvaluationCreateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


def _data(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary="项目列表（与展播页同一套筛选）", tags=["projects"]),
    retrieve=extend_schema(summary="项目详情（含节点与指标）", tags=["projects"]),
)
class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """实事项目: readable by everybody within ``visible_to``; writes by the lead unit's staff."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = ProjectFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = selectors.project_list(user=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "cooperating_units",
                Prefetch("milestones", queryset=Milestone.objects.order_by("planned_date", "order", "id")),
                "indicators",
            )
        return queryset

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectListSerializer

    def _project(self, code: str, *, for_edit: bool = False) -> Project:
        if for_edit:
            if not has_role(self.request.user, Role.UNIT_STAFF):
                raise PermissionDenied("只有领办单位可以维护项目。")
            return get_object_or_404(Project.objects.editable_by(self.request.user), code=code)
        return get_object_or_404(Project.objects.visible_to(self.request.user), code=code)

    @extend_schema(summary="项目节点", responses=MilestoneSerializer(many=True), tags=["projects"])
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def milestones(self, request, code=None):
        project = self._project(code)
        rows = project.milestones.order_by("planned_date", "order", "id")
        return Response(MilestoneSerializer(rows, many=True).data)

    @extend_schema(
        summary="标记节点完成（领办单位）",
        request=MilestoneCompleteSerializer,
        responses={
            200: MilestoneSerializer,
            400: OpenApiResponse(description="输入有误"),
            403: None,
            404: None,
        },
        tags=["projects"],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"milestones/(?P<milestone_id>\d+)/complete",
        permission_classes=[IsAuthenticated],
        filterset_class=None,
    )
    def milestone_complete(self, request, code=None, milestone_id=None):
        project = self._project(code, for_edit=True)
        milestone = get_object_or_404(Milestone, pk=milestone_id, project=project)
        data = _data(MilestoneCompleteSerializer, request)
        milestone = services.milestone_complete(
            actor=request.user, milestone=milestone, done_date=data["done_date"], evidence=data["evidence"]
        )
        return Response(MilestoneSerializer(milestone).data)

    @extend_schema(
        summary="更新指标当前值（领办单位）",
        request=IndicatorValuesSerializer,
        responses={200: IndicatorSerializer(many=True), 400: OpenApiResponse(description="输入有误")},
        tags=["projects"],
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        filterset_class=None,
        pagination_class=None,
    )
    def indicators(self, request, code=None):
        project = self._project(code, for_edit=True)
        data = _data(IndicatorValuesSerializer, request)
        services.indicator_update(
            actor=request.user,
            project=project,
            values={row["indicator"]: row["value"] for row in data["values"]},
        )
        return Response(IndicatorSerializer(project.indicators.all(), many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="进展述职",
        responses=StatementSerializer(many=True),
        tags=["projects"],
    )
    @extend_schema(
        methods=["POST"],
        summary="填报进展（领办单位）",
        request={
            "application/json": StatementCreateSerializer,
            "multipart/form-data": StatementCreateSerializer,
        },
        responses={201: StatementSerializer, 400: OpenApiResponse(description="输入有误")},
        tags=["projects"],
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def statements(self, request, code=None):
        if request.method == "POST":
            if not request.user.is_authenticated:
                self.permission_denied(request)
            project = self._project(code, for_edit=True)
            data = _data(StatementCreateSerializer, request)
            statement = services.statement_create(
                actor=request.user,
                project=project,
                period_start=data["period_start"],
                period_end=data["period_end"],
                text=data["text"],
                photos=data.get("photos", []),
                indicator_values={row["indicator"]: row["value"] for row in data.get("indicator_values", [])},
            )
            return Response(StatementSerializer(statement).data, status=status.HTTP_201_CREATED)
        project = self._project(code)
        rows = project.statements.select_related("author").prefetch_related("photos")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(StatementSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="项目评价（公众可见群众评议；督查、管理员及领办单位可见全部）",
        responses=EvaluationSerializer(many=True),
        tags=["projects"],
    )
    @extend_schema(
        methods=["POST"],
        summary="评价项目（每人每月一次）",
        request=EvaluationCreateSerializer,
        responses={201: EvaluationSerializer, 400: OpenApiResponse(description="输入有误或本月已评价")},
        tags=["projects"],
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def evaluations(self, request, code=None):
        project = self._project(code)
        if request.method == "POST":
            if not request.user.is_authenticated:
                self.permission_denied(request)
            data = _data(EvaluationCreateSerializer, request)
            evaluation = services.evaluation_create(
                actor=request.user, project=project, score=data["score"], comment=data["comment"]
            )
            return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)
        rows = project.evaluations.select_related("evaluator")
        sees_all = (
            has_role(request.user, Role.SUPERVISOR)
            or Project.objects.editable_by(request.user).filter(pk=project.pk).exists()
        )
        if not sees_all:
            rows = rows.public()
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EvaluationSerializer(page, many=True).data)

    @extend_schema(
        summary="各领办单位评价均分",
        tags=["projects"],
        responses=inline_serializer(
            "UnitEvaluationAverage",
            {
                "unit": serializers.CharField(),
                "ratings": serializers.IntegerField(),
                "average": serializers.FloatField(),
                "average_member": serializers.FloatField(allow_null=True),
                "average_supervisor": serializers.FloatField(allow_null=True),
                "average_resident": serializers.FloatField(allow_null=True),
            },
            many=True,
        ),
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="unit-evaluations",
        filterset_class=None,
        pagination_class=None,
    )
    def unit_evaluations(self, request):
        if not has_role(request.user, Role.SUPERVISOR):
            self.permission_denied(request, message="只有督查人员和管理员可以查看单位评价汇总。")
        rows = selectors.unit_evaluation_averages()
        return Response(
            [
                {
                    "unit": u.name,
                    "ratings": u.ratings,
                    "average": u.average,
                    "average_member": u.average_member,
                    "average_supervisor": u.average_supervisor,
                    "average_resident": u.average_resident,
                }
                for u in rows
            ]
        )


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router."""
    router.register("projects", ProjectViewSet, basename="project")


__all__ = ["ProjectStatus", "register"]
