"""API of the project registry under ``/api/v1/projects/``: list and detail (same FilterSet and selectors
as the pages), milestones, statements, evaluations and indicator values. Projects are addressed by their
code. Writes go through the services, so role and scope are the same as on the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiangyan.core.exceptions import ErrorSerializer
from jiangyan.core.moves_api import ListedActions, actions_field
from jiangyan.core.roles import Role
from jiangyan.core.schema import upload_request
from jiangyan.core.scoping import CHANGE, VIEW
from jiangyan.core.viewsets import PortalViewSet
from jiangyan.helpers.masking import mask_name

from . import inputs, selectors, services
from .choices import EVALUATION_MOVES, STATUS_MOVES
from .filtersets import ProjectFilterSet
from .models import (
    WEIGHT_FIELDS,
    CampaignYear,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    Indicator,
    Milestone,
    ProgressStatement,
    Project,
    ProjectPhoto,
)

extra_urls: list = []


ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
NOT_FOUND = {404: ErrorSerializer}


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
    # The English names of the lookups and the unit (empty where the office has given none).
    program_en = serializers.CharField(source="program.name_en", read_only=True)
    key_task_en = serializers.CharField(source="program.key_task.name_en", read_only=True)
    domain_en = serializers.CharField(source="domain.name_en", read_only=True)
    lead_unit_en = serializers.CharField(source="lead_unit.name_en", read_only=True)
    target_groups_en = serializers.SlugRelatedField(
        source="target_groups", many=True, read_only=True, slug_field="name_en"
    )
    towns = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    campaign_name = serializers.SerializerMethodField(help_text="所属四季活动（无则为空）")
    actions = actions_field(STATUS_MOVES)
    year = serializers.IntegerField(source="year_id", read_only=True, help_text="所属年度（如 2026）")
    is_carried_over = serializers.BooleanField(read_only=True, help_text="是否为上一年度转入的续建项目")

    class Meta:
        model = Project
        fields = [
            "code",
            "year",
            "is_carried_over",
            "title",
            "program",
            "program_en",
            "key_task",
            "key_task_en",
            "domain",
            "domain_en",
            "target_groups",
            "target_groups_en",
            "lead_unit",
            "lead_unit_en",
            "towns",
            "planned_start",
            "planned_end",
            "is_public",
            "campaign",
            "campaign_name",
            "status",
            "status_label",
            "expected_pct",
            "actual_pct",
            "variance",
            "late_milestones",
            "is_behind",
            "url",
            "actions",
        ]

    def get_campaign_name(self, project) -> str:
        return project.campaign.name if project.campaign_id else ""


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
    carried_from = serializers.SlugRelatedField(
        read_only=True, slug_field="code", help_text="续建自（上一年度的项目编号）"
    )
    carried_to = serializers.SlugRelatedField(
        read_only=True, slug_field="code", help_text="已转入下一年度续建的项目编号"
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    evaluation_actions = serializers.SerializerMethodField(
        help_text="评价：evaluate 表示读者现在可以评价这个项目（评价时段内、本轮尚未评价）"
    )

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=EVALUATION_MOVES.actions))
    )
    def get_evaluation_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return selectors.evaluation_actions_for(request.user, obj) if request is not None else []

    class Meta(ProjectListSerializer.Meta):
        fields = [
            *ProjectListSerializer.Meta.fields,
            "summary",
            "cooperating_units",
            "responsible_leader",
            "carried_from",
            "carried_to",
            "milestones",
            "indicators",
            "evaluation_actions",
        ]


class CampaignYearSerializer(serializers.ModelSerializer):
    projects = serializers.IntegerField(
        source="project_count", read_only=True, help_text="该年度清单的项目数"
    )
    carried_over = serializers.IntegerField(
        source="carried_count", read_only=True, help_text="其中自上一年度转入的续建项目数"
    )

    class Meta:
        model = CampaignYear
        fields = ["year", "title", "is_current", "opened_at", "projects", "carried_over"]


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


class StatementInput(inputs.STATEMENT_CREATE.serializer()):
    # The page asks one field per indicator of the project (``forms.IndicatorValuesMixin``).
    indicator_values = IndicatorValueSerializer(many=True, required=False)


class MilestoneCompleteInput(inputs.MILESTONE_COMPLETE.serializer()):
    pass


class IndicatorValuesInput(serializers.Serializer):
    values = IndicatorValueSerializer(many=True, allow_empty=False)


class ProjectCampaignInput(
    inputs.PROJECT_TAG_CAMPAIGN.serializer(campaign={"help_text": "四季活动 id；null 移出活动"})
):
    pass


class StatusInput(inputs.PROJECT_STATUS_CHANGE.serializer(reason={"help_text": "变更原因，记入办理记录"})):
    pass


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id", help_text="评价内容 id")
    name = serializers.CharField(source="criterion.name", help_text="评价内容")
    score = serializers.IntegerField(help_text="1–5 分")


class EvaluationSerializer(serializers.ModelSerializer):
    evaluator = serializers.SerializerMethodField()
    evaluator_role_label = serializers.CharField(source="get_evaluator_role_display", read_only=True)
    score = serializers.SerializerMethodField(help_text="本次评价各项评分按评价办法的加权平均")
    scores = ScoreSerializer(many=True, read_only=True)
    round = serializers.CharField(source="round.name", read_only=True, help_text="评价轮次")

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "score",
            "scores",
            "comment",
            "evaluator",
            "evaluator_role",
            "evaluator_role_label",
            "round",
            "month",
            "created_at",
        ]
        read_only_fields = ["evaluator_role", "month"]

    def get_evaluator(self, obj) -> str:
        return mask_name(obj.evaluator.display_name)

    def get_score(self, obj) -> float | None:
        weighted = [(s.criterion.weight_for(obj.evaluator_role), s.score) for s in obj.scores.all()]
        total = sum(w for w, _score in weighted)
        return round(sum(w * s for w, s in weighted) / total, 2) if total else None


class ScoreInput(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="评价内容 id（/api/v1/evaluation-criteria/）")
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="1–5 分")


class EvaluationInput(
    inputs.EVALUATION_CREATE.serializer(score={"help_text": "只设一项评价内容时可只给一个评分"})
):
    # The page asks one field per criterion asked of the evaluator's role (``forms.EvaluationForm``).
    scores = ScoreInput(many=True, required=False, help_text="每项评价内容一个评分")

    def validate_scores(self, value):
        criteria = [row["criterion"] for row in value]
        if len(set(criteria)) != len(criteria):
            raise serializers.ValidationError(inputs.SCORE_TWICE)
        return {row["criterion"]: row["score"] for row in value}


@extend_schema_view(
    list=extend_schema(summary="项目列表（与展播页同一套筛选）", tags=["projects"]),
    retrieve=extend_schema(
        summary="项目详情（含节点与指标）",
        responses={200: ProjectDetailSerializer, **NOT_FOUND},
        tags=["projects"],
    ),
)
class ProjectViewSet(ListedActions, PortalViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """实事项目: readable by everybody within ``visible_to``; writes by the lead unit's staff (scope checked
    by ``editable_by``), ratings by supervisors, party members and residents."""

    cache_topics = ("projects",)

    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    filterset_class = ProjectFilterSet
    public_actions = ("list", "retrieve", "milestones", "statements", "evaluations", "years")
    upload_actions = ("statement_create",)
    action_roles = {
        "milestone_complete": (Role.UNIT_STAFF,),
        "indicators": (Role.UNIT_STAFF,),
        "statement_create": (Role.UNIT_STAFF,),
        "evaluation_create": (Role.SUPERVISOR, Role.PARTY_MEMBER, Role.RESIDENT),
        "unit_evaluations": (Role.SUPERVISOR,),
        "status_change": (Role.UNIT_STAFF,),
        "campaign_tag": (Role.UNIT_STAFF,),
    }
    action_scopes = {
        "milestones": VIEW,
        "statements": VIEW,
        "evaluations": VIEW,
        "evaluation_create": VIEW,  # anybody who sees the project rates it (the service: once a round)
        "milestone_complete": CHANGE,
        "indicators": CHANGE,
        "statement_create": CHANGE,
        "status_change": CHANGE,
        "campaign_tag": CHANGE,
    }
    queryset = Project.objects.all()  # restricted to each action's scope by ``PortalViewSet``

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no query on an empty database
            return Project.objects.none()
        if self.action == "list":
            return selectors.project_list(user=self.request.user)
        if self.action in ("retrieve", "status_change", "campaign_tag"):  # answered with the detail
            return selectors.project_pages()
        return super().get_queryset()

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectListSerializer

    listed_key = "code"

    def actions_for(self, objects) -> dict[int, list[str]]:
        return {project.pk: selectors.project_actions_for(self.request.user, project) for project in objects}

    def listed_objects(self, keys: list):
        return Project.objects.filter(code__in=keys).only("id", "code", "status", "lead_unit_id")

    @extend_schema(
        summary="项目节点", responses={200: MilestoneSerializer(many=True), **NOT_FOUND}, tags=["projects"]
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def milestones(self, request, code=None):
        project = self.get_object()
        rows = project.milestones.order_by("planned_date", "order", "id")
        return Response(MilestoneSerializer(rows, many=True).data)

    @extend_schema(
        summary="标记节点完成（领办单位）",
        request=MilestoneCompleteInput,
        responses={200: MilestoneSerializer, **ERRORS},
        tags=["projects"],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"milestones/(?P<milestone_id>\d+)/complete",
        filterset_class=None,
    )
    def milestone_complete(self, request, code=None, milestone_id=None):
        project = self.get_object()
        milestone = get_object_or_404(project.milestones, pk=int(milestone_id))
        data = self.input(MilestoneCompleteInput)
        milestone = services.milestone_complete(actor=request.user, milestone=milestone, **data)
        return Response(MilestoneSerializer(milestone).data)

    @extend_schema(
        summary="更新指标当前值（领办单位）",
        operation_id="projects_indicators_update",
        request=IndicatorValuesInput,
        responses={200: IndicatorSerializer(many=True), **ERRORS},
        tags=["projects"],
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def indicators(self, request, code=None):
        project = self.get_object()
        data = self.input(IndicatorValuesInput)
        services.indicator_update(
            actor=request.user,
            project=project,
            values={row["indicator"]: row["value"] for row in data["values"]},
        )
        return Response(IndicatorSerializer(project.indicators.all(), many=True).data)

    @extend_schema(
        summary="进展述职", responses={200: StatementSerializer(many=True), **NOT_FOUND}, tags=["projects"]
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def statements(self, request, code=None):
        rows = selectors.project_statements(project=self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            StatementSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="填报进展（领办单位）",
        request=upload_request(StatementInput, json_only=("indicator_values",)),
        responses={201: StatementSerializer, **ERRORS},
        tags=["projects"],
    )
    @statements.mapping.post
    def statement_create(self, request, code=None):
        project = self.get_object()
        data = self.input(StatementInput)
        statement = services.statement_create(
            actor=request.user,
            project=project,
            period_start=data["period_start"],
            period_end=data["period_end"],
            text=data["text"],
            photos=data.get("photos", []),
            indicator_values={row["indicator"]: row["value"] for row in data.get("indicator_values", [])},
        )
        return Response(
            StatementSerializer(statement, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="项目评价（公众可见群众评议；督查、管理员可见全部，领办单位可见本单位项目的全部）",
        responses={200: EvaluationSerializer(many=True), **NOT_FOUND},
        tags=["projects"],
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def evaluations(self, request, code=None):
        rows = selectors.project_evaluations(user=request.user, project=self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EvaluationSerializer(page, many=True).data)

    @extend_schema(
        summary="评价项目（评价时段内每人每轮一次，每项评价内容一个评分）",
        request=EvaluationInput,
        responses={201: EvaluationSerializer, **ERRORS},
        tags=["projects"],
    )
    @evaluations.mapping.post
    def evaluation_create(self, request, code=None):
        project = self.get_object()
        data = self.input(EvaluationInput)
        evaluation = services.evaluation_create(actor=request.user, project=project, **data)
        return Response(
            EvaluationSerializer(selectors.evaluation_given(evaluation)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="各领办单位评价得分（按评价办法加权，督查人员）",
        tags=["projects"],
        responses={
            200: inline_serializer(
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
            403: ErrorSerializer,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="unit-evaluations",
        filterset_class=None,
        pagination_class=None,
    )
    def unit_evaluations(self, request):
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

    @extend_schema(
        summary="变更项目状态（领办单位：启动、暂缓、恢复；办公室：完成、重新启动），须说明原因",
        request=StatusInput,
        responses={200: ProjectDetailSerializer, **ERRORS, 409: ErrorSerializer},
        tags=["projects"],
    )
    @action(detail=True, methods=["post"], url_path="status", filterset_class=None)
    def status_change(self, request, code=None):
        project = self.get_object()
        data = self.input(StatusInput)
        services.project_status_change(actor=request.user, project=project, **data)
        context = self.get_serializer_context()
        return Response(ProjectDetailSerializer(self.get_object(), context=context).data)

    @extend_schema(
        summary="归入四季活动或移出（领办单位、办公室）",
        request=ProjectCampaignInput,
        responses={200: ProjectDetailSerializer, **ERRORS},
        tags=["projects"],
    )
    @action(detail=True, methods=["post"], url_path="campaign", filterset_class=None)
    def campaign_tag(self, request, code=None):
        project = self.get_object()
        services.project_tag_campaign(actor=request.user, project=project, **self.input(ProjectCampaignInput))
        context = self.get_serializer_context()
        return Response(ProjectDetailSerializer(self.get_object(), context=context).data)

    @extend_schema(
        summary="项目年度列表（当前年度标 is_current；项目列表以 ?year= 查看某一年度）",
        responses={200: CampaignYearSerializer(many=True)},
        tags=["projects"],
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def years(self, request):
        return Response(CampaignYearSerializer(selectors.campaign_years(), many=True).data)


# --- the evaluation method --------------------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationCriterion
        fields = ["id", "name", "description", *WEIGHT_FIELDS.values(), "order"]
        read_only_fields = fields


class CriterionInput(inputs.CRITERION_SET.serializer()):
    pass


class RoundSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField(help_text="今天是否在本轮评价时段内")
    ratings = serializers.IntegerField(read_only=True, help_text="本轮评价次数")

    class Meta:
        model = EvaluationRound
        fields = ["id", "name", "starts_on", "ends_on", "is_open", "ratings"]
        read_only_fields = fields

    def get_is_open(self, obj) -> bool:
        return obj.is_open()


class RoundInput(inputs.EVALUATION_ROUND_SET.serializer()):
    pass


def _write_schema(request, response, summary: str):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: response, 201: response, **ERRORS},
        tags=["evaluation"],
    )


@extend_schema_view(list=extend_schema(summary="评价内容及各评价身份的权重（评价办法）", tags=["evaluation"]))
class CriterionViewSet(mixins.ListModelMixin, PortalViewSet):
    """评价内容: everybody reads the method; the office (admins) sets it."""

    cache_topics = ("evaluation",)
    serializer_class = CriterionSerializer
    pagination_class = None
    public_actions = ("list",)
    action_roles = {"create": (Role.ADMIN,), "update": (Role.ADMIN,)}
    action_scopes = {"update": CHANGE}

    def get_queryset(self):
        return selectors.evaluation_criteria()

    @_write_schema(CriterionInput, CriterionSerializer, "新增评价内容（办公室）")
    def create(self, request, *args, **kwargs):
        criterion = services.criterion_set(actor=request.user, **self.input(CriterionInput))
        return Response(CriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)

    @_write_schema(CriterionInput, CriterionSerializer, "修改评价内容及权重（办公室）")
    def update(self, request, *args, **kwargs):
        criterion = services.criterion_set(
            actor=request.user, criterion=self.get_object(), **self.input(CriterionInput)
        )
        return Response(CriterionSerializer(criterion).data)


@extend_schema_view(list=extend_schema(summary="评价轮次（评价时段）", tags=["evaluation"]))
class RoundViewSet(mixins.ListModelMixin, PortalViewSet):
    """评价轮次: everybody reads when evaluation is open; the office (admins) sets the rounds."""

    cache_topics = ("evaluation", "projects")
    serializer_class = RoundSerializer
    public_actions = ("list",)
    action_roles = {"create": (Role.ADMIN,), "update": (Role.ADMIN,)}
    action_scopes = {"update": CHANGE}

    def get_queryset(self):
        return selectors.evaluation_rounds()

    @_write_schema(RoundInput, RoundSerializer, "新增评价轮次（办公室）")
    def create(self, request, *args, **kwargs):
        evaluation_round = services.evaluation_round_set(actor=request.user, **self.input(RoundInput))
        return Response(
            RoundSerializer(self.get_queryset().get(pk=evaluation_round.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @_write_schema(RoundInput, RoundSerializer, "修改评价轮次（办公室；提前结束即把截止日期改早）")
    def update(self, request, *args, **kwargs):
        evaluation_round = services.evaluation_round_set(
            actor=request.user, evaluation_round=self.get_object(), **self.input(RoundInput)
        )
        return Response(RoundSerializer(self.get_queryset().get(pk=evaluation_round.pk)).data)


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router."""
    router.register("projects", ProjectViewSet, basename="project")
    router.register("evaluation-criteria", CriterionViewSet, basename="evaluation-criterion")
    router.register("evaluation-rounds", RoundViewSet, basename="evaluation-round")
