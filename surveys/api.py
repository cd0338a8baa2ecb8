"""API of the surveys app under ``/api/v1/surveys/``: surveys (read, with questions and options),
responses (create while open — anonymous where the survey allows it, throttled; list in scope),
suggestions (create; list and code for the office), problem items, duty items (unit staff update the status
of their unit's)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response as ApiResponse

from accounts.models import Community, Unit
from jiangyan.permissions import HasRole
from jiangyan.roles import Role
from jiangyan.throttling import AnonymousSubmitThrottle
from projects import selectors as project_selectors

from . import services
from .choices import Channel, DutyStatus
from .filtersets import DutyItemFilterSet, ProblemItemFilterSet, ResponseFilterSet, SuggestionFilterSet
from .models import DutyItem, Option, ProblemItem, Question, Response, Suggestion, Survey

TAGS = ["surveys"]


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "order", "text"]


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "order",
            "text",
            "help_text",
            "kind",
            "required",
            "is_suggestion",
            "min_value",
            "max_value",
            "options",
        ]


class SurveySerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "title", "description", "opens_at", "closes_at", "allow_anonymous", "is_open"]


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="问卷列表（已发布）"),
    retrieve=extend_schema(tags=TAGS, summary="问卷详情（含题目与选项）"),
)
class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        queryset = Survey.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("questions__options")
        return queryset

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action == "retrieve" else SurveySerializer


class ResponseCreateSerializer(serializers.Serializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.filter(published=True))
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.ONLINE)
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "题目编号 → 答案：单选为选项编号，多选为选项编号列表，评分为 1–5，数字题为数字，文字题为字符串。"
        ),
    )


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    option = serializers.IntegerField(allow_null=True)
    number = serializers.FloatField(allow_null=True)
    text = serializers.CharField(allow_blank=True)


class ResponseSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = ["id", "survey", "community", "channel", "submitted_at", "phone", "answers"]

    def get_phone(self, obj) -> str:
        from jiangyan.masking import mask_phone

        return mask_phone(obj.phone)

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, obj) -> list[dict]:
        return [
            {"question": a.question_id, "option": a.option_id, "number": a.number, "text": a.text}
            for a in obj.answers.all()
        ]


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="答卷列表（办公室、督查；社区工作人员限本社区）"),
    retrieve=extend_schema(tags=TAGS, summary="答卷详情"),
)
class ResponseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = ResponseFilterSet

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return [HasRole.of(Role.SUPERVISOR, Role.COMMUNITY_STAFF)()]

    def get_throttles(self):
        return [AnonymousSubmitThrottle()] if self.action == "create" else []

    def get_queryset(self):
        return Response.objects.visible_to(self.request.user).order_by("-id").prefetch_related("answers")

    def get_serializer_class(self):
        return ResponseCreateSerializer if self.action == "create" else ResponseSerializer

    @extend_schema(
        tags=TAGS,
        summary="提交答卷（问卷开放期间；允许匿名的问卷须留手机号）",
        request=ResponseCreateSerializer,
        responses={
            201: inline_serializer("SurveyResponseCreated", {"id": serializers.IntegerField()}),
            400: OpenApiResponse(description="未开放/已结束，或答案不完整、格式不对（按 q_<题目编号> 给出）"),
            409: OpenApiResponse(description="该手机号或账号已提交过本问卷"),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = ResponseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        response = services.response_submit(
            survey=data["survey"],
            answers=data["answers"],
            actor=request.user,
            phone=data.get("phone", ""),
            community=data.get("community"),
            channel=data.get("channel", Channel.ONLINE),
        )
        return ApiResponse({"id": response.pk}, status=status.HTTP_201_CREATED)


class SuggestionSerializer(serializers.ModelSerializer):
    problem_item_code = serializers.CharField(source="problem_item.code", read_only=True, default=None)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "text",
            "source",
            "survey",
            "community",
            "submitted_at",
            "problem_item",
            "problem_item_code",
            "coded_at",
        ]
        read_only_fields = [
            "source",
            "survey",
            "submitted_at",
            "problem_item",
            "problem_item_code",
            "coded_at",
        ]


class CodeSerializer(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    problem_item = serializers.PrimaryKeyRelatedField(queryset=ProblemItem.objects.all())


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="建议列表（办公室、督查）"),
    retrieve=extend_schema(tags=TAGS, summary="建议详情（办公室、督查）"),
)
class SuggestionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SuggestionSerializer
    filterset_class = SuggestionFilterSet

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        if self.action == "code":
            return [HasRole.of(Role.ADMIN)()]
        return [HasRole.of(Role.SUPERVISOR)()]

    def get_throttles(self):
        return [AnonymousSubmitThrottle()] if self.action == "create" else []

    def get_queryset(self):
        return Suggestion.objects.visible_to(self.request.user).select_related("problem_item").order_by("-id")

    @extend_schema(tags=TAGS, summary="提交建议（任何人）", responses={201: SuggestionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = SuggestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggestion_submit(
            text=serializer.validated_data["text"],
            community=serializer.validated_data.get("community"),
            actor=request.user,
        )
        return ApiResponse(SuggestionSerializer(suggestion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="批量编码到问题清单条目（办公室）",
        request=CodeSerializer,
        responses=inline_serializer("SuggestionsCoded", {"coded": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"])
    def code(self, request):
        serializer = CodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.suggestions_code(
            suggestion_ids=serializer.validated_data["suggestions"],
            problem_item=serializer.validated_data["problem_item"],
            actor=request.user,
        )
        return ApiResponse({"coded": count})


class ProblemItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)
    projects = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)

    class Meta:
        model = ProblemItem
        fields = ["id", "code", "title", "category", "keywords", "description", "projects"]


class LinkProjectsSerializer(serializers.Serializer):
    projects = serializers.ListField(child=serializers.CharField(), help_text="项目编号列表，如 JY2021-001")


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="问题清单"),
    retrieve=extend_schema(tags=TAGS, summary="问题清单条目"),
)
class ProblemItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProblemItemSerializer
    filterset_class = ProblemItemFilterSet

    def get_permissions(self):
        if self.action == "link_projects":
            return [HasRole.of(Role.ADMIN)()]
        return [HasRole.of(Role.SUPERVISOR, Role.UNIT_STAFF)()]

    def get_queryset(self):
        from .selectors import problem_items_with_status

        return (
            problem_items_with_status(ProblemItem.objects.visible_to(self.request.user))
            .prefetch_related("projects")
            .order_by("code")
        )

    @extend_schema(
        tags=TAGS,
        summary="设置转化项目（办公室）",
        request=LinkProjectsSerializer,
        responses=ProblemItemSerializer,
    )
    @action(detail=True, methods=["post"], url_path="link-projects")
    def link_projects(self, request, pk=None):
        item = get_object_or_404(ProblemItem.objects.editable_by(request.user), pk=pk)
        serializer = LinkProjectsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = set(serializer.validated_data["projects"])
        projects = list(project_selectors.projects_by_codes(codes))
        missing = codes - {p.code for p in projects}
        if missing:
            raise serializers.ValidationError({"projects": [f"项目 {c} 不存在。" for c in sorted(missing)]})
        item = services.problem_item_link_projects(problem_item=item, projects=projects, actor=request.user)
        return ApiResponse(ProblemItemSerializer(item).data)


class DutyItemSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    problem_item_code = serializers.CharField(source="problem_item.code", read_only=True)
    projects = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)

    class Meta:
        model = DutyItem
        fields = [
            "id",
            "problem_item",
            "problem_item_code",
            "unit",
            "unit_name",
            "action",
            "deadline",
            "status",
            "progress_note",
            "projects",
            "updated_at",
        ]
        read_only_fields = ["status", "progress_note", "updated_at"]


class DutyItemUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DutyStatus.choices, required=False)
    progress_note = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    action = serializers.CharField(required=False, max_length=1000)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False)
    deadline = serializers.DateField(required=False)


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="履职清单（单位联络员限本单位）"),
    retrieve=extend_schema(tags=TAGS, summary="履职事项"),
)
class DutyItemViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = DutyItemFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action == "create":
            return [HasRole.of(Role.ADMIN)()]
        return [HasRole.of(Role.SUPERVISOR, Role.UNIT_STAFF)()]

    def get_queryset(self):
        queryset = DutyItem.objects.select_related("unit", "problem_item").prefetch_related("projects")
        if self.action == "partial_update":
            return queryset.editable_by(self.request.user)
        return queryset.visible_to(self.request.user).order_by("deadline", "id")

    def get_serializer_class(self):
        return DutyItemUpdateSerializer if self.action == "partial_update" else DutyItemSerializer

    @extend_schema(
        tags=TAGS,
        summary="新增履职事项（办公室）",
        request=DutyItemSerializer,
        responses={201: DutyItemSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = DutyItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        duty_item = services.duty_item_create(
            problem_item=data["problem_item"],
            unit=data["unit"],
            action=data["action"],
            deadline=data["deadline"],
            actor=request.user,
        )
        return ApiResponse(DutyItemSerializer(duty_item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="更新履职事项（单位联络员：状态与进展；办公室：全部）",
        request=DutyItemUpdateSerializer,
        responses=DutyItemSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        duty_item = self.get_object()
        serializer = DutyItemUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            duty_item = services.duty_item_update(
                duty_item=duty_item, actor=request.user, **serializer.validated_data
            )
        except PermissionDenied as exc:
            from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied

            raise ApiPermissionDenied(str(exc)) from exc
        return ApiResponse(DutyItemSerializer(duty_item).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered
        return self.http_method_not_allowed(request, *args, **kwargs)


extra_urls: list = []


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router (all under ``surveys/``)."""
    router.register("surveys/responses", ResponseViewSet, basename="survey-response")
    router.register("surveys/suggestions", SuggestionViewSet, basename="survey-suggestion")
    router.register("surveys/problem-items", ProblemItemViewSet, basename="problem-item")
    router.register("surveys/duty-items", DutyItemViewSet, basename="duty-item")
    router.register("surveys", SurveyViewSet, basename="survey")
