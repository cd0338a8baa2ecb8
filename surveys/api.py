"""API of the surveys app under ``/api/v1/surveys/``: surveys (read, with questions and options),
responses (create while open — anonymous where the survey allows it, throttled; list in scope),
suggestions (create; list and code for the office), problem items, duty items (unit staff update the status
of their unit's).

Each list is the same selector and FilterSet as its page; objects are fetched in the model's scope
(``get_visible_or_404`` / ``get_editable_or_404``); every write validates an explicit ``…Input``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from accounts.models import Community
from jiangyan.core.exceptions import error_response
from jiangyan.core.moves_api import ListedActions, actions_field
from jiangyan.core.roles import Role
from jiangyan.core.scoping import CHANGE
from jiangyan.core.viewsets import PortalViewSet
from jiangyan.helpers.masking import mask_phone
from projects import selectors as project_selectors

from . import inputs, selectors, services
from .choices import DUTY_MOVES, SURVEY_MOVES, Channel
from .filtersets import (
    DutyItemFilterSet,
    ProblemItemFilterSet,
    ResponseFilterSet,
    SuggestionFilterSet,
    SurveyFilterSet,
)
from .models import DutyItem, Option, ProblemItem, Question, Response, Suggestion, Survey

TAGS = ["surveys"]


INVALID = error_response("输入有误（字段错误在 fields 中）")
READERS = (Role.SUPERVISOR,)  # admins hold every role
LIST_READERS = (Role.SUPERVISOR, Role.UNIT_STAFF)
OFFICE = (Role.ADMIN,)


# --- surveys --------------------------------------------------------------------------------------------


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
    actions = actions_field(SURVEY_MOVES)

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "allow_anonymous",
            "is_open",
            "actions",
        ]


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="问卷列表（已发布）"),
    retrieve=extend_schema(tags=TAGS, summary="问卷详情（含题目与选项）"),
)
class SurveyViewSet(ListedActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    cache_topics = ("surveys",)
    public_actions = ("list", "retrieve")
    filterset_class = SurveyFilterSet

    def get_queryset(self):
        queryset = selectors.survey_list(user=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("questions__options")
        return queryset

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action == "retrieve" else SurveySerializer

    def actions_for(self, objects) -> dict[int, list[str]]:
        facts = selectors.SurveyActor(self.request.user)
        user = self.request.user
        return {survey.pk: selectors.survey_actions_for(user, survey, facts=facts) for survey in objects}

    def listed_objects(self, keys: list):
        return Survey.objects.filter(pk__in=keys).only(
            "id", "published", "opens_at", "closes_at", "allow_anonymous"
        )


# --- responses ------------------------------------------------------------------------------------------


# "SurveyResponse…", not "Response…": generated clients have a Response type of their own.
@extend_schema_serializer(component_name="SurveyResponseInput")
class ResponseInput(serializers.Serializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.filter(published=True))
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(), required=False, allow_null=True, default=None
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


@extend_schema_serializer(component_name="SurveyResponse")
class ResponseSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = ["id", "survey", "community", "channel", "submitted_at", "phone", "answers"]

    def get_phone(self, obj) -> str:
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
class ResponseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    PortalViewSet,
):
    cache_topics = ("surveys",)
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilterSet
    public_actions = ("create",)
    throttled_actions = ("create",)
    action_roles = {
        "list": (Role.SUPERVISOR, Role.COMMUNITY_STAFF),
        "retrieve": (Role.SUPERVISOR, Role.COMMUNITY_STAFF),
    }

    def get_queryset(self):
        return selectors.response_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        summary="提交答卷（问卷开放期间；允许匿名的问卷须留手机号）",
        request=ResponseInput,
        responses={
            201: inline_serializer("SurveyResponseCreated", {"id": serializers.IntegerField()}),
            400: error_response("未开放/已结束，或答案不完整、格式不对（按 q_<题目编号> 给出）"),
            409: error_response("该手机号或账号已提交过本问卷"),
        },
    )
    def create(self, request, *args, **kwargs):
        data = self.input(ResponseInput)
        response = services.response_submit(actor=request.user, **data)
        return ApiResponse({"id": response.pk}, status=status.HTTP_201_CREATED)


# --- suggestions ----------------------------------------------------------------------------------------


class SuggestionSerializer(serializers.ModelSerializer):
    problem_item_code = serializers.CharField(
        source="problem_item.code", read_only=True, default=None, allow_null=True
    )
    problem_item_codes = serializers.SerializerMethodField(help_text="全部编码条目（主要条目在前）")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_problem_item_codes(self, suggestion) -> list[str]:
        return [
            i.code
            for i in sorted(
                suggestion.problem_items.all(), key=lambda i: (i.pk != suggestion.problem_item_id, i.code)
            )
        ]

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
            "problem_items",
            "problem_item_codes",
            "coded_at",
        ]
        read_only_fields = fields


class SuggestionInput(inputs.SUGGESTION_SUBMIT.serializer(text={"help_text": "5 到 1000 字"})):
    pass


class CodeInput(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    problem_item = serializers.PrimaryKeyRelatedField(queryset=ProblemItem.objects.all())


class CodeItemsInput(serializers.Serializer):
    problem_items = serializers.PrimaryKeyRelatedField(
        queryset=ProblemItem.objects.all(),
        many=True,
        allow_empty=False,
        help_text=f"问题清单条目 id，第一个为主要条目，最多 {services.MAX_ITEMS_PER_SUGGESTION} 个",
    )


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="建议列表（办公室、督查）"),
    retrieve=extend_schema(tags=TAGS, summary="建议详情（办公室、督查）"),
)
class SuggestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    PortalViewSet,
):
    cache_topics = ("surveys", "trace")
    serializer_class = SuggestionSerializer
    filterset_class = SuggestionFilterSet
    public_actions = ("create",)
    throttled_actions = ("create",)
    action_roles = {"list": READERS, "retrieve": READERS, "code": OFFICE, "code_items": OFFICE}
    action_scopes = {"code_items": CHANGE}

    def get_queryset(self):
        return selectors.suggestion_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        summary="提交建议（任何人）",
        request=SuggestionInput,
        responses={201: SuggestionSerializer, 400: INVALID},
    )
    def create(self, request, *args, **kwargs):
        data = self.input(SuggestionInput)
        suggestion = services.suggestion_submit(actor=request.user, **data)
        return ApiResponse(SuggestionSerializer(suggestion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="批量编码到问题清单条目（办公室）",
        request=CodeInput,
        responses={
            200: inline_serializer("SuggestionsCoded", {"coded": serializers.IntegerField()}),
            400: INVALID,
        },
    )
    @action(detail=False, methods=["post"])
    def code(self, request):
        data = self.input(CodeInput)
        count = services.suggestions_code(
            actor=request.user, problem_item=data["problem_item"], suggestion_ids=data["suggestions"]
        )
        return ApiResponse({"coded": count})

    @extend_schema(
        tags=TAGS,
        summary="将一条建议编码到一个或多个条目（办公室；建议提到几个问题时）",
        operation_id="surveys_suggestions_code_items",
        request=CodeItemsInput,
        responses={200: SuggestionSerializer, 400: INVALID},
    )
    @action(detail=True, methods=["post"], url_path="code", url_name="code-items")
    def code_items(self, request, pk=None):
        data = self.input(CodeItemsInput)
        suggestion = services.suggestion_code(
            actor=request.user, suggestion=self.get_object(), problem_items=data["problem_items"]
        )
        return ApiResponse(
            SuggestionSerializer(selectors.suggestion_list(user=request.user).get(pk=suggestion.pk)).data
        )


# --- problem items --------------------------------------------------------------------------------------


class ProblemItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)
    category_en = serializers.CharField(source="category.name_en", read_only=True)
    projects = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)

    class Meta:
        model = ProblemItem
        fields = ["id", "code", "title", "category", "category_en", "keywords", "description", "projects"]


class LinkProjectsInput(serializers.Serializer):
    projects = serializers.ListField(child=serializers.CharField(), help_text="项目编号列表，如 JY2021-001")

    def validate_projects(self, codes: list[str]) -> list:
        """The projects of these codes; every code must name one."""
        wanted = set(codes)
        projects = list(project_selectors.projects_by_codes(wanted))
        missing = wanted - {p.code for p in projects}
        if missing:
            raise serializers.ValidationError(
                [_("项目 %(code)s 不存在。") % {"code": c} for c in sorted(missing)]
            )
        return projects


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="问题清单"),
    retrieve=extend_schema(tags=TAGS, summary="问题清单条目"),
)
class ProblemItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    cache_topics = ("surveys", "trace")
    serializer_class = ProblemItemSerializer
    filterset_class = ProblemItemFilterSet
    action_roles = {"list": LIST_READERS, "retrieve": LIST_READERS, "link_projects": OFFICE}
    action_scopes = {"link_projects": CHANGE}

    def get_queryset(self):
        return selectors.problem_item_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        summary="设置转化项目（办公室）",
        request=LinkProjectsInput,
        responses={200: ProblemItemSerializer, 400: INVALID, 404: error_response("没有该条目")},
    )
    @action(detail=True, methods=["post"], url_path="link-projects")
    def link_projects(self, request, pk=None):
        item = self.get_object()
        data = self.input(LinkProjectsInput)
        item = services.problem_item_link_projects(actor=request.user, problem_item=item, **data)
        return ApiResponse(ProblemItemSerializer(item).data)


# --- duty items -----------------------------------------------------------------------------------------


class DutyItemSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    problem_item_code = serializers.CharField(source="problem_item.code", read_only=True)
    projects = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)
    actions = actions_field(DUTY_MOVES)

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
            "actions",
        ]
        read_only_fields = fields


class DutyItemInput(inputs.DUTY_ITEM_CREATE.serializer()):
    pass


class DutyItemUpdateInput(inputs.DUTY_ITEM_UPDATE.serializer()):
    """Taken as a PATCH (``partial``): only the fields sent change."""


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="履职清单（单位联络员限本单位）"),
    retrieve=extend_schema(tags=TAGS, summary="履职事项"),
)
class DutyItemViewSet(ListedActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    cache_topics = ("surveys", "trace")
    serializer_class = DutyItemSerializer
    filterset_class = DutyItemFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_roles = {
        "list": LIST_READERS,
        "retrieve": LIST_READERS,
        "partial_update": LIST_READERS,
        "create": OFFICE,
    }
    action_scopes = {"partial_update": CHANGE}

    def get_queryset(self):
        return selectors.duty_item_list(user=self.request.user)

    def actions_for(self, objects) -> dict[int, list[str]]:
        return {item.pk: selectors.duty_item_actions_for(self.request.user, item) for item in objects}

    def listed_objects(self, keys: list):
        return DutyItem.objects.filter(pk__in=keys).only("id", "status", "unit_id")

    @extend_schema(
        tags=TAGS,
        summary="新增履职事项（办公室）",
        request=DutyItemInput,
        responses={201: DutyItemSerializer, 400: INVALID},
    )
    def create(self, request, *args, **kwargs):
        data = self.input(DutyItemInput)
        duty_item = services.duty_item_create(actor=request.user, **data)
        context = self.get_serializer_context()
        return ApiResponse(
            DutyItemSerializer(duty_item, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        tags=TAGS,
        summary="更新履职事项（单位联络员：推进状态与进展；办公室：全部，含重新打开已完成的事项）",
        request=DutyItemUpdateInput,
        responses={
            200: DutyItemSerializer,
            400: INVALID,
            403: error_response("单位联络员只能更新状态与进展"),
            409: error_response("状态不能这样变更（如已完成的事项由单位改回）"),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        duty_item = self.get_object()
        data = self.input(DutyItemUpdateInput, partial=True)
        duty_item = services.duty_item_update(actor=request.user, duty_item=duty_item, **data)
        return ApiResponse(DutyItemSerializer(duty_item, context=self.get_serializer_context()).data)


extra_urls: list = []


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router (all under ``surveys/``)."""
    router.register("surveys/responses", ResponseViewSet, basename="survey-response")
    router.register("surveys/suggestions", SuggestionViewSet, basename="survey-suggestion")
    router.register("surveys/problem-items", ProblemItemViewSet, basename="problem-item")
    router.register("surveys/duty-items", DutyItemViewSet, basename="duty-item")
    router.register("surveys", SurveyViewSet, basename="survey")
