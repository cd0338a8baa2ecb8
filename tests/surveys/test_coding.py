import pytest
from django.core.exceptions import PermissionDenied

from jiangyan.models import AuditEvent
from surveys import coding, services
from surveys.models import Suggestion

from .factories import ProblemItemFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

ITEMS = {
    "lift": ("老旧小区加装电梯", "加装电梯 爬楼梯 上下楼"),
    "lights": ("小区路灯不亮", "路灯 照明 晚上太黑"),
    "kindergarten": ("幼儿园学位紧张", "幼儿园 学位 入园难 公办园"),
    "parking": ("停车难", "停车位 车位 乱停车"),
    "meals": ("增设社区老年助餐点", "助餐点 老年食堂 吃饭难 送餐上门"),
    "noise": ("噪音扰民", "噪音 扰民 施工噪音"),
}

EXAMPLES = [
    ("我家住六楼，老人每天爬楼梯太辛苦，希望给老小区装电梯", "lift"),
    ("晚上小区里黑乎乎的，路灯坏了好几个月没人修", "lights"),
    ("孩子明年该上幼儿园了，公办园根本报不上名", "kindergarten"),
    ("小区车位太少，下班回来转好几圈都找不到地方停", "parking"),
    ("独居老人做饭不方便，社区能不能办个老年食堂", "meals"),
    ("工地晚上十点还在施工，噪音吵得孩子睡不着", "noise"),
]


@pytest.fixture
def items(db):
    return {
        key: ProblemItemFactory(title=title, keywords=keywords) for key, (title, keywords) in ITEMS.items()
    }


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_assistant_ranks_the_right_item_first(items, text, expected):
    ranked = coding.current_ranker().rank(text, 3)
    assert ranked and ranked[0].item_id == items[expected].pk
    assert len(ranked) <= 3 and ranked == sorted(ranked, key=lambda c: -c.score)


def test_coded_suggestions_teach_the_assistant_new_words(items):
    text = "楼道里感应灯不亮，晚上回家摸黑"
    # "感应灯" is in no item: coding one such suggestion lets the next one find the item
    SuggestionFactory(text="楼道感应灯坏了，摸黑上楼", problem_item=items["lights"])
    coding.clear_cache()
    assert coding.current_ranker().rank(text, 1)[0].item_id == items["lights"].pk


def test_ranker_is_rebuilt_when_the_problem_list_changes(items):
    before = coding.current_ranker()
    assert coding.current_ranker() is before  # cached
    new = ProblemItemFactory(title="公共厕所太少", keywords="公厕 如厕")
    after = coding.current_ranker()
    assert after is not before
    assert after.rank("公园附近找不到公厕", 1)[0].item_id == new.pk


def test_tokenize_drops_stopwords_and_punctuation():
    tokens = coding.tokenize("希望！尽快解决我们小区的路灯问题。")
    assert "路灯" in tokens and "希望" not in tokens and "的" not in tokens and "！" not in tokens


def test_coding_page_offers_the_top_three_and_codes_in_one_click(client, admin_user, items):
    suggestion = SuggestionFactory(text=EXAMPLES[0][0])
    client.force_login(admin_user)
    page = client.get("/surveys/coding/")
    assert page.status_code == 200
    row = page.context["rows"][0]
    assert row["suggestion"] == suggestion and row["candidates"][0][0] == items["lift"]
    response = client.post(
        "/surveys/coding/", {"suggestions": [suggestion.pk], "problem_item": items["lift"].pk}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.problem_item == items["lift"] and suggestion.coded_by == admin_user
    assert AuditEvent.objects.for_object(suggestion).get().verb == "suggestion.code"


def test_bulk_coding_codes_many_at_once(client, admin_user, items):
    picked = [SuggestionFactory(), SuggestionFactory(), SuggestionFactory()]
    untouched = SuggestionFactory()
    client.force_login(admin_user)
    client.post(
        "/surveys/coding/", {"suggestions": [s.pk for s in picked], "problem_item": items["meals"].pk}
    )
    assert Suggestion.objects.filter(problem_item=items["meals"]).count() == 3
    assert Suggestion.objects.get(pk=untouched.pk).problem_item is None
    assert AuditEvent.objects.filter(verb="suggestion.code").count() == 3


def test_only_the_office_codes(supervisor, items):
    with pytest.raises(PermissionDenied):
        services.suggestions_code(
            actor=supervisor, suggestion_ids=[SuggestionFactory().pk], problem_item=items["lift"]
        )


def test_api_codes_suggestions(api_client, admin_user, items):
    api_client.force_authenticate(admin_user)
    picked = [SuggestionFactory(), SuggestionFactory()]
    response = api_client.post(
        "/api/v1/surveys/suggestions/code/",
        {"suggestions": [s.pk for s in picked], "problem_item": items["noise"].pk},
        format="json",
    )
    assert response.status_code == 200 and response.json() == {"coded": 2}
