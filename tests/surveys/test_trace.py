"""The loop from either end: suggestion → problem item → duty item → project, and project → suggestions."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.urls import reverse

from jiangyan.core.roles import Role
from surveys import selectors, services
from surveys.choices import DutyStatus
from tests.clients import sign_in
from tests.projects.factories import ProjectFactory

from .factories import DutyItemFactory, ProblemItemFactory, SuggestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(db, admin_user, unit):
    item = ProblemItemFactory(title="老旧小区加装电梯", keywords="加装电梯 爬楼梯")
    suggestion = SuggestionFactory(text="我家住六楼，希望给老小区加装电梯")
    other = SuggestionFactory(text="与电梯无关的建议：多建公园")
    services.suggestions_code(actor=admin_user, suggestion_ids=[suggestion.pk], problem_item=item)
    duty = services.duty_item_create(
        actor=admin_user,
        problem_item=item,
        unit=unit,
        action="年内完成30部电梯加装",
        deadline=datetime.date(2021, 12, 31),
    )
    project = ProjectFactory(title="既有住宅加装电梯工程", lead_unit=unit)
    services.duty_item_update(
        actor=admin_user, duty_item=duty, projects=[project], status=DutyStatus.IN_PROGRESS
    )
    services.problem_item_link_projects(actor=admin_user, problem_item=item, projects=[project])
    return {"item": item, "suggestion": suggestion, "other": other, "duty": duty, "project": project}


def test_suggestion_page_follows_the_chain_to_theProjectFactory(client, chain):
    page = client.get(f"/surveys/suggestions/{chain['suggestion'].pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "老旧小区加装电梯" in html and "年内完成30部电梯加装" in html and "推进中" in html
    assert f'href="/projects/{chain["project"].code}/"' in html and chain["project"].title in html


def test_uncoded_suggestion_page_says_it_is_being_coded(client, chain):
    html = client.get(f"/surveys/suggestions/{chain['other'].pk}/").content.decode()
    assert "办公室正在梳理编码" in html


def test_project_trace_lists_the_suggestions_that_asked_for_it(chain):
    trace = selectors.project_trace(chain["project"])
    assert trace["trace"]["trace_problem_items"] == [chain["item"]]
    assert trace["trace_suggestions"] == [chain["suggestion"]]
    assert trace["trace_suggestion_count"] == 1
    assert trace["trace_duty_items"] == [chain["duty"]]


def test_project_reached_only_through_a_duty_item_is_traced_too(admin_user, unit):
    item = ProblemItemFactory()
    suggestion = SuggestionFactory(problem_item=item)
    duty = DutyItemFactory(problem_item=item, unit=unit)
    project = ProjectFactory(lead_unit=unit)
    duty.projects.add(project)
    trace = selectors.project_trace(project)
    assert trace["trace_suggestions"] == [suggestion] and trace["trace_duty_items"] == [duty]


def test_project_trace_template_shows_the_suggestions(chain, rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string(
        "surveys/_project_trace.html", selectors.project_trace(chain["project"]), request=request
    )
    assert "来自群众的建议" in html and "希望给老小区加装电梯" in html
    assert f"/surveys/suggestions/{chain['suggestion'].pk}/" in html


def test_project_page_shows_the_suggestions_that_asked_for_it(client, chain):
    html = client.get(reverse("projects:detail", kwargs={"code": chain["project"].code})).content.decode()
    assert "来自群众的建议" in html and "希望给老小区加装电梯" in html


def test_problem_page_shows_suggestions_duty_items_and_projects(client, chain, supervisor):
    sign_in(client, supervisor)
    html = client.get(f"/surveys/problems/{chain['item'].pk}/").content.decode()
    assert "希望给老小区加装电梯" in html and "年内完成30部电梯加装" in html and chain["project"].code in html


def test_office_turns_a_problem_item_into_a_duty_item_and_a_project_in_the_browser(client, admin_user, unit):
    item = ProblemItemFactory()
    project = ProjectFactory()
    sign_in(client, admin_user)
    response = client.post(
        f"/surveys/problems/{item.pk}/",
        {
            "action": "add_duty",
            "duty-unit": unit.pk,
            "duty-action": "建设助餐点",
            "duty-deadline": "2021-12-31",
        },
    )
    assert response.status_code == 302 and item.duty_items.get().action == "建设助餐点"
    response = client.post(
        f"/surveys/problems/{item.pk}/", {"action": "link_projects", "link-projects": [project.code]}
    )
    assert response.status_code == 302 and list(item.projects.all()) == [project]
    problems = client.get("/surveys/problems/?conversion=project")
    assert [i.pk for i in problems.context["page_obj"]] == [item.pk]


# --- a suggestion coded to two problem items follows both ---------------------------------------------------


@pytest.fixture
def two(db, admin_user, unit):
    lights = ProblemItemFactory(title="小区路灯不亮")
    roads = ProblemItemFactory(title="道路破损坑洼")
    survey = SurveyFactory()
    suggestion = SuggestionFactory(text="路灯不亮，路上还全是坑", survey=survey)
    services.suggestion_code(actor=admin_user, suggestion=suggestion, problem_items=[lights, roads])
    duty = DutyItemFactory(problem_item=roads, unit=unit, action="年内修补坑洼道路")
    project = ProjectFactory(title="背街小巷道路整修", lead_unit=unit)
    services.problem_item_link_projects(actor=admin_user, problem_item=roads, projects=[project])
    return {
        "lights": lights,
        "roads": roads,
        "suggestion": suggestion,
        "duty": duty,
        "project": project,
        "survey": survey,
    }


def test_the_project_of_a_suggestions_second_item_traces_it(two):
    trace = selectors.project_trace(two["project"])
    assert trace["trace_suggestions"] == [two["suggestion"]] and trace["trace_suggestion_count"] == 1


def test_the_suggestion_page_shows_both_items_and_what_became_of_each(client, two):
    html = client.get(f"/surveys/suggestions/{two['suggestion'].pk}/").content.decode()
    assert "小区路灯不亮" in html and "道路破损坑洼" in html
    assert "年内修补坑洼道路" in html and two["project"].title in html


def test_figures_count_the_suggestion_for_each_of_its_items_and_once_as_coded(two):
    counts = {i.pk: i.n_suggestions for i in selectors.problem_items_with_status()}
    assert counts[two["lights"].pk] == 1 and counts[two["roads"].pk] == 1
    funnel = selectors.conversion_funnel(two["survey"])
    assert (
        funnel["suggestions"],
        funnel["coded"],
        funnel["items"],
        funnel["with_duty"],
        funnel["with_project"],
    ) == (1, 1, 2, 1, 1)
    assert list(two["roads"].suggestions.all()) == [two["suggestion"]]


def test_the_coded_suggestions_export_names_the_other_items(two):
    header, rows = selectors.coded_suggestions_table(two["survey"])
    (row,) = list(rows)
    assert row[header.index("问题编号")] == two["lights"].code
    assert row[header.index("同时涉及")] == two["roads"].code


def test_the_suggestion_list_of_each_item_has_the_suggestion(client_as, two):
    api = client_as(Role.SUPERVISOR, api=True)
    for item in (two["lights"], two["roads"]):
        rows = api.get(f"/api/v1/surveys/suggestions/?problem_item={item.pk}").json()["results"]
        assert [r["id"] for r in rows] == [two["suggestion"].pk]
    category = two["roads"].category
    rows = api.get(f"/api/v1/surveys/suggestions/?category={category.pk}").json()["results"]
    assert [r["id"] for r in rows] == [two["suggestion"].pk]  # once, though both items are of the category
