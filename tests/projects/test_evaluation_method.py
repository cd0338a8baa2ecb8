"""The evaluation method (评价内容、评价程序、评价方法, issue 19 item 6): criteria weighted per evaluator
role, rounds that open and close evaluation, a score per criterion. The weights are applied in every figure
(by criterion, project and unit, the reports' and the dashboard's ranking); the window is the same on the
page, in the API and in the service; one rating per evaluator, project and round, also under a race; the
migration keeps every figure the old single score gave."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from django.utils import timezone

from jiangyan.core.exceptions import ApplicationError
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from projects import selectors, services
from projects.choices import EvaluatorRole
from projects.models import Evaluation, EvaluationCriterion, EvaluationRound, EvaluationScore
from supervision import dashboard, reports
from supervision import selectors as supervision_selectors
from tests.factories import UnitFactory, UserFactory
from tests.race import needs_postgresql, race

from .factories import (
    CriterionFactory,
    EvaluationFactory,
    ProjectFactory,
    default_criterion,
    month_round,
    open_evaluation,
    rating_form,
)

pytestmark = pytest.mark.django_db


def weights(member: int, supervisor: int, resident: int) -> dict:
    return {"weight_party_member": member, "weight_supervisor": supervisor, "weight_resident": resident}


@pytest.fixture
def method(db, admin_user):
    """Two criteria instead of the default one: 满意度 counts three times for residents, once for leaders;
    进度 is not asked of residents and counts twice for leaders. A round open today."""
    satisfaction = services.criterion_set(
        actor=admin_user, criterion=default_criterion(), name="群众满意度", **weights(1, 1, 3)
    )
    pace = services.criterion_set(actor=admin_user, name="进度时效", **weights(1, 2, 0))
    today = timezone.localdate()
    services.evaluation_round_set(
        actor=admin_user, name="本轮", starts_on=today - datetime.timedelta(days=3), ends_on=today
    )
    return {"satisfaction": satisfaction, "pace": pace}


def rate(actor, project, **scores_by_name):
    by_name = {c.name: c.pk for c in EvaluationCriterion.objects.all()}
    scores = {by_name[name]: score for name, score in scores_by_name.items()}
    return services.evaluation_create(actor=actor, project=project, scores=scores)


# --- weights ----------------------------------------------------------------------------------------------


def test_every_figure_weighs_each_score_by_its_criterion_and_the_raters_role(method, resident, supervisor):
    project = ProjectFactory()
    rate(resident, project, 群众满意度=5)
    rate(supervisor, project, 群众满意度=2, 进度时效=4)
    # Σ weight × score / Σ weight = (3·5 + 1·2 + 2·4) / (3 + 1 + 2) = 25 / 6
    overall = 25 / 6
    averages = selectors.evaluation_averages(project=project)
    assert averages["综合"]["avg"] == pytest.approx(overall) and averages["综合"]["n"] == 2
    assert averages["群众评议"]["avg"] == 5.0
    assert averages["领导干部评"]["avg"] == pytest.approx((1 * 2 + 2 * 4) / 3)
    # by criterion: 满意度 (3·5 + 1·2) / 4; 进度 only the leader's 4
    by_criterion = {r["name"]: (r["avg"], r["n"]) for r in selectors.criterion_averages(project=project)}
    assert by_criterion == {"群众满意度": (pytest.approx(17 / 4), 2), "进度时效": (4.0, 1)}
    # by project and by unit
    (row,) = selectors.project_evaluation_scores(user=supervisor)
    assert (row.code, row.score, row.ratings) == (project.code, pytest.approx(overall), 2)
    unit = selectors.unit_evaluation_averages().get(pk=project.lead_unit_id)
    assert (unit.ratings, unit.average, unit.average_resident) == (2, pytest.approx(overall), 5.0)
    (facts,) = selectors.unit_evaluations(end=timezone.localdate())
    assert (facts["ratings"], facts["average"]) == (2, round(overall, 1))
    # A plain average of the scores would be (5 + 2 + 4) / 3 = 3.67: the weights are what moves it.
    assert round(overall, 2) != round(11 / 3, 2)


def test_a_change_of_weights_moves_the_figures_at_once(method, resident, supervisor, admin_user):
    project = ProjectFactory()
    rate(resident, project, 群众满意度=5)
    rate(supervisor, project, 群众满意度=2, 进度时效=4)
    services.criterion_set(actor=admin_user, criterion=method["pace"], name="进度时效", **weights(1, 0, 0))
    # the leader's 进度 no longer counts: (3·5 + 1·2) / 4
    assert selectors.evaluation_averages(project=project)["综合"]["avg"] == pytest.approx(17 / 4)


def test_each_role_is_asked_the_criteria_weighted_for_it(method, resident, supervisor, client_as):
    project = ProjectFactory()
    assert [c.name for c in selectors.criteria_asked_of(EvaluatorRole.RESIDENT)] == ["群众满意度"]
    assert [c.name for c in selectors.criteria_asked_of(EvaluatorRole.SUPERVISOR)] == [
        "群众满意度",
        "进度时效",
    ]
    page = client_as(resident).get(project.get_absolute_url()).content.decode()
    assert f'name="criterion_{method["satisfaction"].pk}"' in page
    assert f'name="criterion_{method["pace"].pk}"' not in page
    with pytest.raises(ApplicationError, match="不在本轮评价之列"):
        rate(resident, project, 群众满意度=5, 进度时效=1)
    with pytest.raises(ApplicationError, match="请为每项评价内容打分：进度时效"):
        rate(supervisor, project, 群众满意度=5)
    with pytest.raises(ApplicationError):  # one score stands for a single criterion only
        services.evaluation_create(actor=supervisor, project=project, score=4)
    with pytest.raises(ApplicationError, match="评分应为 1 到 5 分"):
        rate(supervisor, project, 群众满意度=6, 进度时效=3)
    assert not Evaluation.objects.exists()


def test_the_page_and_the_api_take_a_score_per_criterion(method, supervisor, client_as):
    project = ProjectFactory()
    form = rating_form(4, method["satisfaction"]) | rating_form(2, method["pace"], comment="进度偏慢")
    response = client_as(supervisor).post(reverse("projects:evaluate", args=[project.code]), form)
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert {s.criterion.name: s.score for s in evaluation.scores.select_related("criterion")} == {
        "群众满意度": 4,
        "进度时效": 2,
    }
    event = AuditEvent.objects.get(verb="project.evaluate")
    assert event.note == "领导干部评：群众满意度 4、进度时效 2"

    other = ProjectFactory()
    api = client_as(supervisor, api=True)
    body = {
        "scores": [
            {"criterion": method["satisfaction"].pk, "score": 5},
            {"criterion": method["pace"].pk, "score": 3},
        ]
    }
    response = api.post(f"/api/v1/projects/{other.code}/evaluations/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["score"] == pytest.approx((1 * 5 + 2 * 3) / 3, abs=0.01)
    assert [(s["name"], s["score"]) for s in response.json()["scores"]] == [
        ("群众满意度", 5),
        ("进度时效", 3),
    ]
    twice = {"scores": [{"criterion": method["pace"].pk, "score": 3}] * 2}
    response = api.post(f"/api/v1/projects/{ProjectFactory().code}/evaluations/", twice, format="json")
    assert response.status_code == 400 and "scores" in response.json()["fields"]


def test_the_old_single_score_still_works_while_only_the_default_criterion_is_set(resident, client_as):
    open_evaluation()
    project = ProjectFactory()
    response = client_as(resident, api=True).post(
        f"/api/v1/projects/{project.code}/evaluations/", {"score": 4}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["score"] == 4.0
    assert response.json()["scores"] == [
        {"criterion": default_criterion().pk, "name": "综合评价", "score": 4}
    ]


# --- the window: page, API and service agree ---------------------------------------------------------------


def _agree(client_as, user, project) -> tuple[bool, list[str], bool]:
    """(the page shows the evaluate form, the API's evaluation_actions, the service accepts a rating)."""
    page = client_as(user).get(project.get_absolute_url()).content.decode()
    actions = client_as(user, api=True).get(f"/api/v1/projects/{project.code}/").json()["evaluation_actions"]
    assert actions == selectors.evaluation_actions_for(user, project)
    try:
        with transaction.atomic():
            services.evaluation_create(actor=user, project=project, score=4)
            transaction.set_rollback(True)
        accepted = True
    except ApplicationError as error:
        assert error.code in ("evaluation_closed", "already_rated")
        accepted = False
    return 'data-action="evaluate"' in page, actions, accepted


def test_outside_every_round_nobody_can_evaluate_and_nobody_is_offered_to(resident, client_as, admin_user):
    default_criterion()
    project = ProjectFactory()
    today = timezone.localdate()
    assert _agree(client_as, resident, project) == (False, [], False)
    assert "目前不在评价时段" in client_as(resident).get(project.get_absolute_url()).content.decode()
    # a round that has not begun yet, and one that ended yesterday
    later = services.evaluation_round_set(
        actor=admin_user,
        name="下一轮",
        starts_on=today + datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=9),
    )
    services.evaluation_round_set(
        actor=admin_user,
        name="上一轮",
        starts_on=today - datetime.timedelta(days=9),
        ends_on=today - datetime.timedelta(days=1),
    )
    assert _agree(client_as, resident, project) == (False, [], False)
    assert "下一轮将于" in client_as(resident).get(project.get_absolute_url()).content.decode()
    response = client_as(resident, api=True).post(
        f"/api/v1/projects/{project.code}/evaluations/", {"score": 4}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "evaluation_closed"
    response = client_as(resident).post(reverse("projects:evaluate", args=[project.code]), rating_form(4))
    assert response.status_code == 200 and "现在不在评价时段内" in response.content.decode()
    assert not Evaluation.objects.exists()
    # the office opens the next round today: everybody agrees it is open
    services.evaluation_round_set(
        actor=admin_user, evaluation_round=later, name="下一轮", starts_on=today, ends_on=later.ends_on
    )
    assert _agree(client_as, resident, project) == (True, ["evaluate"], True)


def test_a_round_takes_one_rating_per_person_and_project(resident, client_as):
    open_evaluation()
    project = ProjectFactory()
    assert _agree(client_as, resident, project) == (True, ["evaluate"], True)
    services.evaluation_create(actor=resident, project=project, score=5)
    assert _agree(client_as, resident, project) == (False, [], False)
    page = client_as(resident).get(project.get_absolute_url()).content.decode()
    assert "您在本轮评价中已评价过该项目" in page
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses a second one
        Evaluation.objects.create(
            project=project,
            evaluator=resident,
            evaluator_role="resident",
            round=month_round(),
            month=timezone.localdate().replace(day=1),
        )


def test_the_window_follows_the_calendar(resident, admin_user):
    default_criterion()
    project = ProjectFactory()
    services.evaluation_round_set(
        actor=admin_user, name="六月", starts_on=datetime.date(2031, 6, 1), ends_on=datetime.date(2031, 6, 30)
    )
    with time_machine.travel(datetime.datetime(2031, 5, 31, 12, tzinfo=datetime.UTC), tick=False):
        assert selectors.evaluation_actions_for(resident, project) == []
        with pytest.raises(ApplicationError, match="不在评价时段"):
            services.evaluation_create(actor=resident, project=project, score=4)
    with time_machine.travel(datetime.datetime(2031, 6, 30, 12, tzinfo=datetime.UTC), tick=False):
        assert selectors.evaluation_actions_for(resident, project) == ["evaluate"]
        assert services.evaluation_create(actor=resident, project=project, score=4).round.name == "六月"
    with time_machine.travel(datetime.datetime(2031, 7, 1, 12, tzinfo=datetime.UTC), tick=False):
        assert selectors.evaluation_actions_for(resident, project) == []


# --- rounds and criteria: the office's, audited, checked -------------------------------------------------


def test_rounds_never_overlap_and_keep_the_days_of_their_ratings(admin_user, resident):
    default_criterion()
    today = timezone.localdate()
    first = services.evaluation_round_set(
        actor=admin_user, name="一", starts_on=today, ends_on=today + datetime.timedelta(days=5)
    )
    with pytest.raises(ApplicationError, match="时段重叠"):
        services.evaluation_round_set(
            actor=admin_user,
            name="二",
            starts_on=today + datetime.timedelta(days=5),
            ends_on=today + datetime.timedelta(days=9),
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's own check
        EvaluationRound.objects.create(
            name="二",
            starts_on=today + datetime.timedelta(days=2),
            ends_on=today + datetime.timedelta(days=3),
        )
    with pytest.raises(ApplicationError, match="截止日期不能早于开始日期"):
        services.evaluation_round_set(
            actor=admin_user, name="三", starts_on=today, ends_on=today - datetime.timedelta(days=1)
        )
    services.evaluation_create(actor=resident, project=ProjectFactory(), score=4)
    with pytest.raises(ApplicationError, match="时段须包含这些日期"):  # closing it before today's rating
        services.evaluation_round_set(
            actor=admin_user,
            evaluation_round=first,
            name="一",
            starts_on=today - datetime.timedelta(days=9),
            ends_on=today - datetime.timedelta(days=1),
        )
    assert [e.verb for e in AuditEvent.objects.filter(verb="evaluation_round.set")] == [
        "evaluation_round.set"
    ]


def test_criteria_are_the_offices_and_checked(admin_user, supervisor):
    with pytest.raises(Exception) as refused:
        services.criterion_set(actor=supervisor, name="完成质量", **weights(1, 1, 1))
    assert type(refused.value).__name__ == "PermissionDenied"
    with pytest.raises(ApplicationError, match="至少一个评价身份的权重大于 0"):
        services.criterion_set(actor=admin_user, name="完成质量", **weights(0, 0, 0))
    with pytest.raises(ApplicationError, match="权重应为 0 到 100"):
        services.criterion_set(actor=admin_user, name="完成质量", **weights(1, 101, 1))
    default_criterion()
    with pytest.raises(ApplicationError, match="已有同名"):
        services.criterion_set(actor=admin_user, name="综合评价", **weights(1, 1, 1))
    quality = services.criterion_set(
        actor=admin_user, name="完成质量", description="质量和实效", **weights(2, 3, 1)
    )
    assert quality.order == default_criterion().order + 1
    event = AuditEvent.objects.get(verb="criterion.set")
    assert event.note == "完成质量（普通党员议 2，领导干部评 3，群众评议 1）"


def test_the_office_sets_the_method_on_its_page(client_as, admin_user):
    client = client_as(admin_user)
    page = client.get(reverse("projects:method"))
    assert page.status_code == 200 and "新增评价内容" in page.content.decode()
    data = {"form": "criterion", "name": "完成质量", "description": "", **weights(2, 3, 1)}
    assert client.post(reverse("projects:method"), data).status_code == 302
    quality = EvaluationCriterion.objects.get(name="完成质量")
    assert quality.weight_for(EvaluatorRole.SUPERVISOR) == 3
    change = {**data, **weights(2, 5, 1)}
    assert client.post(f"{reverse('projects:method')}?criterion={quality.pk}", change).status_code == 302
    quality.refresh_from_db()
    assert quality.weight_supervisor == 5
    today = timezone.localdate()
    round_data = {
        "form": "round",
        "name": "十二月",
        "starts_on": today.isoformat(),
        "ends_on": today.isoformat(),
    }
    assert client.post(reverse("projects:method"), round_data).status_code == 302
    assert selectors.open_round().name == "十二月"
    bad = {
        **round_data,
        "starts_on": today.isoformat(),
        "ends_on": (today - datetime.timedelta(days=1)).isoformat(),
    }
    response = client.post(reverse("projects:method"), bad)
    assert response.status_code == 400 and "截止日期不能早于开始日期" in response.content.decode()
    # everybody reads the method
    public = client_as("anonymous").get(reverse("projects:method")).content.decode()
    assert "完成质量" in public and "新增评价内容" not in public


def test_the_api_sets_and_reads_the_method(client_as, admin_user):
    default_criterion()
    api = client_as(admin_user, api=True)
    response = api.post(
        "/api/v1/evaluation-criteria/",
        {"name": "完成质量", "description": "", **weights(2, 3, 1)},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api.put(
        f"/api/v1/evaluation-criteria/{pk}/",
        {"name": "完成质量", "description": "", **weights(2, 3, 0)},
        format="json",
    )
    assert response.status_code == 200 and response.json()["weight_resident"] == 0
    today = timezone.localdate()
    response = api.post(
        "/api/v1/evaluation-rounds/",
        {"name": "本轮", "starts_on": today.isoformat(), "ends_on": today.isoformat()},
        format="json",
    )
    assert response.status_code == 201 and response.json()["is_open"] is True
    rows = client_as("anonymous", api=True).get("/api/v1/evaluation-rounds/").json()["results"]
    assert [(r["name"], r["is_open"], r["ratings"]) for r in rows] == [("本轮", True, 0)]
    assert [
        c["name"] for c in client_as("resident", api=True).get("/api/v1/evaluation-criteria/").json()
    ] == ["综合评价", "完成质量"]


# --- the rankings use the method ------------------------------------------------------------------------


def test_the_bulletin_and_dashboard_rankings_use_the_weighted_score(method, resident, supervisor):
    a, b = UnitFactory(name="甲单位"), UnitFactory(name="乙单位")
    pa, pb = ProjectFactory(lead_unit=a), ProjectFactory(lead_unit=b)
    # Last month's ratings: inside the dashboard's window (the last complete weeks) whatever today is.
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    satisfaction, pace = method["satisfaction"], method["pace"]

    def given(project, user, role, scores):
        EvaluationFactory(
            project=project, evaluator=user, evaluator_role=role, month=last_month, scores=scores
        )

    given(pa, resident, EvaluatorRole.RESIDENT, {satisfaction: 5})
    given(pa, supervisor, EvaluatorRole.SUPERVISOR, {satisfaction: 1, pace: 1})
    given(pb, resident, EvaluatorRole.RESIDENT, {satisfaction: 3})
    # 甲: (3·5 + 1·1 + 2·1) / 6 = 3.0 → 60, as 乙's 3 → 60. Plain averages would say 2.33 (46.7) and 3.
    today = timezone.localdate()
    rows = {r["unit"]: r for r in reports.ranking(start=today - datetime.timedelta(days=27), end=today)}
    assert (rows["甲单位"]["evaluation"], rows["乙单位"]["evaluation"]) == (60.0, 60.0)
    assert (rows["甲单位"]["average_rating"], rows["甲单位"]["ratings"]) == (3.0, 2)
    ranking = {r["unit"]: r for r in dashboard.dashboard()["ranking"]}
    assert (ranking["甲单位"]["evaluation"], ranking["乙单位"]["evaluation"]) == (60.0, 60.0)


# --- the migration keeps the old figures ------------------------------------------------------------------

BEFORE = [("projects", "0009_campaign_years")]


@pytest.fixture
def migrator():
    yield MigrationExecutor(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_unit_evaluations(Evaluation, *, end):  # noqa: N803 (the model of the state before)
    """What ``projects.selectors.unit_evaluations`` computed before the method (one score per rating)."""
    rows = (
        Evaluation.objects.filter(month__lte=end)
        .values("project__lead_unit_id")
        .annotate(
            ratings=Count("id"),
            average=Avg("score"),
            average_member=Avg("score", filter=Q(evaluator_role=EvaluatorRole.PARTY_MEMBER)),
            average_supervisor=Avg("score", filter=Q(evaluator_role=EvaluatorRole.SUPERVISOR)),
            average_resident=Avg("score", filter=Q(evaluator_role=EvaluatorRole.RESIDENT)),
        )
        .order_by("project__lead_unit_id")
    )
    return [
        {
            k: round(v, 1) if isinstance(v, float) else v
            for k, v in {**r, "lead_unit_id": r.pop("project__lead_unit_id")}.items()
        }
        for r in rows
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_bulletin_ranking_of_the_old_single_scores(migrator):
    migrator.migrate(BEFORE)
    old = migrator.loader.project_state(BEFORE).apps
    OldEvaluation = old.get_model("projects", "Evaluation")  # noqa: N806
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    units = [UnitFactory() for _ in range(3)]
    scores = [5, 4, 4, 3, 2, 5, 1, 4, 3]
    roles = list(EvaluatorRole.values)
    for i, score in enumerate(scores):
        project = ProjectFactory(lead_unit=units[i % 3])
        for month in (last_month, this_month):
            OldEvaluation.objects.create(
                project_id=project.pk,
                evaluator_id=UserFactory(roles=[Role.RESIDENT]).pk,
                evaluator_role=roles[i % 3],
                score=max(1, score - (month == last_month)),
                month=month,
                comment="",
            )
    start = today - datetime.timedelta(days=27)
    before = reports.rank_units(
        facts=selectors.unit_facts(start=start, end=today),
        evaluations=_old_unit_evaluations(OldEvaluation, end=today),
        orders=supervision_selectors.order_counts_by_unit(on=today),
    )
    old_scores = dict(OldEvaluation.objects.values_list("pk", "score"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = reports.ranking(start=start, end=today)
    assert after == before
    assert [r["evaluation"] for r in after] and all(r["evaluation"] is not None for r in after)
    (criterion,) = EvaluationCriterion.objects.all()
    assert (criterion.name, criterion.weights) == (
        "综合评价",
        [("普通党员议", 1), ("领导干部评", 1), ("群众评议", 1)],
    )
    assert dict(EvaluationScore.objects.values_list("evaluation_id", "score")) == old_scores
    assert sorted(EvaluationRound.objects.values_list("starts_on", flat=True)) == [last_month, this_month]
    assert not Evaluation.objects.exclude(round__starts_on=F("month")).exists()


# --- the race: one rating per person, project and round -------------------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_ratings_by_one_person_give_exactly_one():
    open_evaluation()
    resident = UserFactory(roles=[Role.RESIDENT])
    project = ProjectFactory()
    results, errors = race([lambda: services.evaluation_create(actor=resident, project=project, score=5)] * 8)
    assert len(results) == 1, errors
    assert len(errors) == 7 and all(
        isinstance(e, ApplicationError) and e.code == "already_rated" for e in errors
    )
    assert Evaluation.objects.count() == 1 and EvaluationScore.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_overlapping_rounds_give_exactly_one():
    admins = [UserFactory(roles=[Role.ADMIN]) for _ in range(4)]
    today = timezone.localdate()

    def open_round(actor, n):
        return services.evaluation_round_set(
            actor=actor, name=f"第{n}轮", starts_on=today, ends_on=today + datetime.timedelta(days=n)
        )

    results, errors = race([lambda a=a, n=n: open_round(a, n) for n, a in enumerate(admins, start=1)])
    assert len(results) == 1, errors
    assert all(isinstance(e, ApplicationError) for e in errors), errors
    assert EvaluationRound.objects.count() == 1


# --- query counts -----------------------------------------------------------------------------------------


def test_the_project_page_and_the_lists_of_the_method_cost_the_same_at_any_size(
    query_counter, client_as, admin_user
):
    services.criterion_set(
        actor=admin_user, criterion=default_criterion(), name="群众满意度", **weights(1, 1, 3)
    )
    pace = services.criterion_set(actor=admin_user, name="进度时效", **weights(1, 2, 1))
    open_evaluation()
    project = ProjectFactory()

    def ratings(n: int) -> None:
        for _ in range(n):
            EvaluationFactory(project=project, scores={default_criterion(): 4, pace: 2})

    query_counter.flat(client_as("supervisor"), project.get_absolute_url(), grow=ratings, max_queries=40)
    query_counter.flat(
        client_as("anonymous", api=True), f"/api/v1/projects/{project.code}/evaluations/", grow=ratings
    )

    def criteria(n: int) -> None:
        CriterionFactory.create_batch(n)

    query_counter.flat(client_as("anonymous"), reverse("projects:method"), grow=criteria)
    query_counter.flat(client_as("anonymous", api=True), "/api/v1/evaluation-criteria/", grow=criteria)

    def rounds(n: int) -> None:
        last = EvaluationRound.objects.order_by("-ends_on").first()
        day = last.ends_on if last else timezone.localdate()
        for i in range(n):
            start = day + datetime.timedelta(days=10 * i + 1)
            EvaluationRound.objects.create(
                name=f"轮{start}", starts_on=start, ends_on=start + datetime.timedelta(days=5)
            )

    query_counter.flat(client_as("admin"), reverse("projects:method"), grow=rounds)
    query_counter.flat(client_as("anonymous", api=True), "/api/v1/evaluation-rounds/", grow=rounds)
