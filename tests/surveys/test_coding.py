import pytest
from django.core.exceptions import PermissionDenied

from jiangyan.core.exceptions import ApplicationError
from jiangyan.models import AuditEvent
from surveys import coding, services
from surveys.models import Suggestion
from tests.clients import sign_in

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
    sign_in(client, admin_user)
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
    sign_in(client, admin_user)
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


# --- a suggestion that names two problems is coded to both -----------------------------------------------


def test_a_suggestion_is_coded_to_two_items_with_the_first_as_its_main_one(admin_user, items):
    suggestion = SuggestionFactory(text="小区路灯不亮，车位也太少")
    services.suggestion_code(
        actor=admin_user, suggestion=suggestion, problem_items=[items["lights"], items["parking"]]
    )
    suggestion.refresh_from_db()
    assert suggestion.problem_item == items["lights"] and suggestion.coded_by == admin_user
    assert set(suggestion.problem_items.all()) == {items["lights"], items["parking"]}
    event = AuditEvent.objects.for_object(suggestion).get()
    assert event.verb == "suggestion.code"
    assert event.before == {"problem_item": None, "problem_items": []}
    assert event.after == {
        "problem_item": items["lights"].code,
        "problem_items": sorted([items["lights"].code, items["parking"].code]),
    }


def test_recoding_replaces_the_items_and_records_them_before_and_after(admin_user, items):
    suggestion = SuggestionFactory(problem_item=items["lights"], coded=[items["parking"]])
    services.suggestions_code(actor=admin_user, problem_item=items["noise"], suggestion_ids=[suggestion.pk])
    assert list(suggestion.problem_items.all()) == [items["noise"]]
    event = AuditEvent.objects.for_object(suggestion).get()
    assert event.before["problem_items"] == sorted([items["lights"].code, items["parking"].code])
    assert event.after == {"problem_item": items["noise"].code, "problem_items": [items["noise"].code]}


@pytest.mark.parametrize("how_many", [0, 4])
def test_coding_to_no_item_or_too_many_is_refused_and_changes_nothing(admin_user, items, how_many):
    suggestion = SuggestionFactory()
    with pytest.raises(ApplicationError) as refused:
        services.suggestion_code(
            actor=admin_user, suggestion=suggestion, problem_items=list(items.values())[:how_many]
        )
    assert "problem_items" in refused.value.fields
    suggestion.refresh_from_db()
    assert suggestion.problem_item is None and not suggestion.problem_items.exists()
    assert not AuditEvent.objects.for_object(suggestion).exists()


def test_only_the_office_codes_to_several_items(supervisor, items):
    suggestion = SuggestionFactory()
    with pytest.raises(PermissionDenied):
        services.suggestion_code(actor=supervisor, suggestion=suggestion, problem_items=[items["lift"]])
    assert not suggestion.problem_items.exists()


def test_coding_page_codes_one_suggestion_to_ticked_candidates_and_a_typed_code(client, admin_user, items):
    suggestion = SuggestionFactory(text="晚上小区里路灯不亮，停车位也找不到")
    sign_in(client, admin_user)
    page = client.get("/surveys/coding/")
    assert "编码到多个条目" in page.content.decode()
    response = client.post(
        "/surveys/coding/",
        {
            "action": "items",
            "suggestion": suggestion.pk,
            "problem_items": [items["lights"].pk],
            "extra_code": items["parking"].code.lower(),
        },
        follow=True,
    )
    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.problem_item == items["lights"]
    assert set(suggestion.problem_items.all()) == {items["lights"], items["parking"]}
    assert f"{items['lights'].code}、{items['parking'].code}" in response.content.decode()


def test_coding_page_says_which_typed_code_does_not_exist(client, admin_user, items):
    suggestion = SuggestionFactory()
    sign_in(client, admin_user)
    response = client.post(
        "/surveys/coding/",
        {
            "action": "items",
            "suggestion": suggestion.pk,
            "problem_items": [items["lift"].pk],
            "extra_code": "XX-999",
        },
        follow=True,
    )
    assert response.status_code == 200 and "没有编号为 XX-999 的条目" in response.content.decode()
    assert not suggestion.problem_items.exists()


def test_api_codes_one_suggestion_to_several_items(api_client, admin_user, items):
    api_client.force_authenticate(admin_user)
    suggestion = SuggestionFactory()
    url = f"/api/v1/surveys/suggestions/{suggestion.pk}/code/"
    response = api_client.post(url, {"problem_items": [items["noise"].pk, items["lift"].pk]}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["problem_item"] == items["noise"].pk and body["problem_item_code"] == items["noise"].code
    assert body["problem_item_codes"] == [items["noise"].code, items["lift"].code]
    refused = api_client.post(url, {"problem_items": []}, format="json")
    assert refused.status_code == 400 and "problem_items" in refused.json()["fields"]
    too_many = api_client.post(url, {"problem_items": [i.pk for i in items.values()]}, format="json")
    assert too_many.status_code == 400 and "problem_items" in too_many.json()["fields"]
    unknown = api_client.post(url, {"problem_items": [999999]}, format="json")
    assert unknown.status_code == 400
    assert (
        api_client.post(
            "/api/v1/surveys/suggestions/999999/code/", {"problem_items": [items["noise"].pk]}, format="json"
        ).status_code
        == 404
    )


def test_every_suggestion_gets_candidates_even_when_nothing_matches(items):
    SuggestionFactory(problem_item=items["parking"])
    SuggestionFactory(problem_item=items["parking"])
    SuggestionFactory(problem_item=items["lift"])
    coding.clear_cache()
    ranked = coding.current_ranker().rank("😡😡😡！！！", 3)
    assert [c.item_id for c in ranked][:2] == [items["parking"].pk, items["lift"].pk]  # the most coded first
    assert len(ranked) == 3 and all(c.fallback and c.score == 0 for c in ranked)


def test_coding_page_asks_for_an_item_when_none_is_ticked(client, admin_user, items):
    suggestion = SuggestionFactory()
    sign_in(client, admin_user)
    response = client.post(
        "/surveys/coding/", {"action": "items", "suggestion": suggestion.pk, "extra_code": ""}, follow=True
    )
    assert response.status_code == 200 and "请选择问题清单条目。" in response.content.decode()
    assert not suggestion.problem_items.exists() and not AuditEvent.objects.for_object(suggestion).exists()
