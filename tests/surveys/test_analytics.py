import io

import pytest
from openpyxl import load_workbook

from jiangyan.core.roles import Role
from surveys import services
from surveys.choices import Channel
from surveys.models import Suggestion
from tests.factories import CommunityFactory
from tests.queries import count_queries

from .factories import DutyItemFactory, ProblemItemFactory, SuggestionFactory, valid_answers

pytestmark = pytest.mark.django_db


def _answer(s, n: int, start: int = 0, **kwargs):
    communities = [CommunityFactory(), CommunityFactory()]
    for i in range(start, start + n):
        services.response_submit(
            actor=None,
            survey=s["survey"],
            answers=valid_answers(s, **kwargs) | {s["rating"].pk: 1 + i % 5},
            phone=f"1380000{i:04d}",
            community=communities[i % 2],
        )


@pytest.mark.parametrize("suffix", ["analytics/", "analytics.json"])
def test_analytics_query_count_does_not_grow_with_the_data(client_as, s, suffix):
    client = client_as(Role.SUPERVISOR)
    url = f"/surveys/{s['survey'].pk}/{suffix}"
    _answer(s, 3)
    ProblemItemFactory()
    small = count_queries(client, url)
    _answer(s, 30, start=3)
    for _ in range(5):
        DutyItemFactory(problem_item=ProblemItemFactory())
        SuggestionFactory(survey=s["survey"])
    large = count_queries(client, url)
    assert small == large
    assert large <= 14


def test_analytics_figures(client_as, s, admin_user):
    _answer(s, 10)
    item = ProblemItemFactory()
    DutyItemFactory(problem_item=item)
    # Items of the district that none of this survey's suggestions became: not in this survey's funnel.
    DutyItemFactory(problem_item=ProblemItemFactory())
    ProblemItemFactory()
    services.suggestions_code(
        actor=admin_user,
        problem_item=item,
        suggestion_ids=Suggestion.objects.filter(survey=s["survey"]).values_list("pk", flat=True)[:3],
    )
    data = client_as(Role.ADMIN).get(f"/surveys/{s['survey'].pk}/analytics.json").json()
    assert data["total_responses"] == 10
    by_text = {q["text"]: q for q in data["questions"]}
    assert [r["count"] for r in by_text["最希望办的实事"]["rows"]] == [10, 0, 10]
    assert by_text["最希望办的实事"]["rows"][0]["percent"] == 100.0
    rating = by_text["养老服务满意度"]
    assert rating["distribution"] == [2, 2, 2, 2, 2] and rating["summary"]["average"] == 3.0
    assert by_text["家庭人口"]["summary"] == {
        "count": 10,
        "average": 3.0,
        "min": 3.0,
        "max": 3.0,
        "median": 3.0,
    }
    assert by_text["意见建议"]["answers"] == 10
    assert sum(data["per_day"]["counts"]) == 10
    assert data["crosstab"]["totals"][list(Channel).index(Channel.ONLINE)] == 10
    assert sorted(r["total"] for r in data["crosstab"]["rows"]) == [5, 5]
    funnel = data["funnel"]
    assert (
        funnel["suggestions"],
        funnel["coded"],
        funnel["items"],
        funnel["with_duty"],
        funnel["with_project"],
    ) == (10, 3, 1, 1, 0)


def test_analytics_page_loads_echarts_and_the_data(client_as, s):
    _answer(s, 2)
    html = client_as(Role.SUPERVISOR).get(f"/surveys/{s['survey'].pk}/analytics/").content.decode()
    assert (
        "vendor/echarts/echarts.min.js" in html and 'id="survey-analytics"' in html and "社区 × 渠道" in html
    )


def test_export_of_responses_has_one_row_per_response_with_masked_phone(client_as, s):
    _answer(s, 4)
    response = client_as(Role.ADMIN).get(f"/surveys/{s['survey'].pk}/export/responses.xlsx")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 5 and rows[0][6] == "1. 年龄段"
    assert rows[1][5] == "138****0000" and rows[1][6] == "60岁及以上" and rows[1][7] == "养老服务；道路交通"


def test_export_of_coded_suggestions(client_as, s):
    item = ProblemItemFactory(title="增设老年助餐点")
    SuggestionFactory(problem_item=item, text="希望有老年食堂")
    SuggestionFactory(text="未编码的不导出")
    response = client_as(Role.SUPERVISOR).get("/surveys/suggestions/export.xlsx")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 2 and rows[1][5] == "希望有老年食堂" and rows[1][8] == "增设老年助餐点"
