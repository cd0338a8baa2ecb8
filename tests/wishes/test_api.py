"""``/api/v1/wishes/``: lifecycle, the role matrix of every write, 409s, field errors, malformed keys,
masking per role, the view log, query counts."""

import pytest
from django.conf import settings
from django.test import override_settings

from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from tests.factories import MemberFactory
from tests.matrix import assert_write, expect
from tests.wishes.actions import assert_action, cases
from tests.wishes.factories import WISHER_PHONE, WishFactory
from wishes.choices import WishStatus
from wishes.models import Wish

URL = "/api/v1/wishes/"


def payload(community_, **overrides):
    return {
        "community": community_.pk,
        "category": "study",
        "title": "孩子课外辅导",
        "text": "孩子数学跟不上，希望有人辅导。",
        "wisher_name": "陈静",
        "wisher_phone": WISHER_PHONE,
        "wisher_address": "天目社区8栋",
        **overrides,
    }


@pytest.mark.django_db
def test_whole_lifecycle_through_the_api(client_as, community, community_staff, member):
    anonymous = client_as("anonymous", api=True)
    created = anonymous.post(URL, payload(community), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    wish_id, query_code = body["id"], body["query_code"]
    assert body["status"] == "submitted" and body["wisher_phone"] == "137****5678"

    staff = client_as(community_staff, api=True)
    assert staff.post(f"{URL}{wish_id}/approve/").json()["status"] == "open"
    claimer = client_as(member, api=True)
    claim = claimer.post(f"{URL}{wish_id}/claim/", {}, format="json")
    assert claim.status_code == 200 and claim.json()["status"] == "claimed"
    assert claim.json()["wisher_phone"] == WISHER_PHONE and claim.json()["personal_data"] is True
    fulfil = claimer.post(f"{URL}{wish_id}/fulfil/", {"note": "每周六上午辅导两小时。"}, format="json")
    assert fulfil.json()["status"] == "fulfilled"
    feedback = anonymous.post(
        f"{URL}{wish_id}/feedback/", {"satisfaction": "satisfied", "query_code": query_code}, format="json"
    )
    assert feedback.status_code == 200 and feedback.json()["status"] == "closed"
    assert feedback.json()["wisher_phone"] == "137****5678"
    assert Wish.objects.get(pk=wish_id).status == WishStatus.CLOSED


@pytest.mark.django_db
def test_release_reject_withdraw_through_the_api(client_as, community, community_staff, member):
    claimed = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    claimer = client_as(member, api=True)
    assert claimer.post(f"{URL}{claimed.pk}/release/", {}, format="json").status_code == 400
    released = claimer.post(f"{URL}{claimed.pk}/release/", {"reason": "出差"}, format="json")
    assert released.json()["status"] == "open"

    submitted = WishFactory(community=community, status=WishStatus.SUBMITTED)
    answer = client_as(community_staff, api=True).post(
        f"{URL}{submitted.pk}/reject/", {"reason": "重复提交"}, format="json"
    )
    assert answer.json()["status"] == "rejected"

    other = WishFactory(community=community, status=WishStatus.SUBMITTED)
    anonymous = client_as("anonymous", api=True)
    wrong = anonymous.post(f"{URL}{other.pk}/withdraw/", {"query_code": "ZZZZZZZZ"}, format="json")
    assert wrong.status_code == 403
    answer = anonymous.post(f"{URL}{other.pk}/withdraw/", {"query_code": other.query_code}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"


@pytest.mark.django_db
def test_claim_of_a_claimed_wish_is_409(client_as, community, member, other_member):
    wish = WishFactory(community=community)
    client_as(member, api=True).post(f"{URL}{wish.pk}/claim/", {}, format="json")
    answer = client_as(other_member, api=True).post(f"{URL}{wish.pk}/claim/", {}, format="json")
    assert answer.status_code == 409
    assert answer.json() == {"detail": "该心愿已被其他党员认领。", "code": "already_claimed", "fields": {}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "action", "data"),
    [
        ("open", "approve", {}),
        ("closed", "reject", {"reason": "x"}),
        ("fulfilled", "claim", {}),
        ("open", "fulfil", {"note": "x"}),
        ("claimed", "feedback", {"satisfaction": "satisfied"}),
        ("closed", "withdraw", {}),
        ("rejected", "approve", {}),
    ],
)
def test_illegal_transition_in_the_api_is_409(client_as, community, community_staff, state, action, data):
    wish = WishFactory(community=community, status=state)
    actor = wish.claimed_by if action == "fulfil" and wish.claimed_by else community_staff
    if action in ("claim", "fulfil"):
        actor = MemberFactory(community=community, roles=["party_member", "community_staff"])
        actor.community = community
        actor.save()
    answer = client_as(actor, api=True).post(f"{URL}{wish.pk}/{action}/", data, format="json")
    assert answer.status_code == 409, answer.content
    assert Wish.objects.get(pk=wish.pk).status == state


@pytest.mark.django_db
def test_claim_limit_is_409_in_the_api(client_as, community, member, settings):
    settings.WISH_MAX_OPEN_CLAIMS = 1
    first, second = WishFactory.create_batch(2, community=community)
    claimer = client_as(member, api=True)
    claimer.post(f"{URL}{first.pk}/claim/", {}, format="json")
    answer = claimer.post(f"{URL}{second.pk}/claim/", {}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "claim_limit"


# --- the role matrix of the writes: the row changed and its event, or nothing at all -------------------
# action → (state of the wish, body, expected per role); the wish is ``matrix_wish(state)``.
API_ACTIONS = {
    "claim": (WishStatus.OPEN, {}, expect(default=403, party_member=200, admin=200)),
    "release": (WishStatus.CLAIMED, {"reason": "出差"}, expect(default=403, party_member=200, admin=200)),
    "fulfil": (WishStatus.CLAIMED, {"note": "已完成"}, expect(default=403, party_member=200)),
    "approve": (WishStatus.SUBMITTED, {}, expect(default=403, community_staff=200, admin=200)),
    "reject": (WishStatus.SUBMITTED, {"reason": "重复"}, expect(default=403, community_staff=200, admin=200)),
    "feedback": (
        WishStatus.FULFILLED,
        {"satisfaction": "satisfied"},
        expect(default=403, resident=200, community_staff=200, admin=200),
    ),
    "withdraw": (WishStatus.OPEN, {}, expect(default=403, resident=200, community_staff=200, admin=200)),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "expected"), cases(API_ACTIONS))
def test_api_actions_need_the_right_actor(client_as, matrix_wish, action, role, expected):
    state, data, _matrix = API_ACTIONS[action]
    wish = matrix_wish(state)
    assert_action(
        lambda: client_as(role, api=True).post(f"{URL}{wish.pk}/{action}/", data, format="json"),
        wish=wish,
        action=action,
        expected=expected,
    )


@pytest.mark.django_db
def test_review_by_staff_of_another_community_is_404(client_as, community, other_staff):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    assert_action(
        lambda: client_as(other_staff, api=True).post(f"{URL}{wish.pk}/approve/"),
        wish=wish,
        action="approve",
        expected=404,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), expect(default=403, community_staff=201, admin=201))
def test_staff_channels_are_for_staff_of_the_community(client_as, community, role, expected):
    assert_write(
        lambda: client_as(role, api=True).post(URL, payload(community, channel="hotline"), format="json"),
        expected=expected,
        verb="wish.enter",
        state=Wish.objects.count,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), expect(default=201))
def test_online_wish_is_entered_by_staff_of_its_community_and_submitted_by_anybody_else(
    client_as, community, role, expected
):
    staff = role in (Role.COMMUNITY_STAFF, Role.ADMIN)
    response = assert_write(
        lambda: client_as(role, api=True).post(URL, payload(community), format="json"),
        expected=expected,
        verb="wish.enter" if staff else "wish.submit",
        state=Wish.objects.count,
    )
    assert response.json()["status"] == ("open" if staff else "submitted")


@pytest.mark.django_db
def test_staff_of_another_community_submits_like_a_resident(client_as, community, other_staff):
    answer = client_as(other_staff, api=True).post(URL, payload(community), format="json")
    assert answer.status_code == 201 and answer.json()["status"] == "submitted"
    wish = Wish.objects.get()
    assert (wish.submitted_by, wish.entered_by) == (other_staff, None)
    refused = client_as(other_staff, api=True).post(URL, payload(community, channel="box"), format="json")
    assert refused.status_code == 403 and Wish.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["abc", "null", "false", "1.5", "-1"])
@pytest.mark.parametrize("path", ["", "withdraw/", "feedback/", "claim/", "approve/"])
def test_malformed_wish_key_is_404_not_500(client_as, community_staff, key, path):
    answer = client_as(community_staff, api=True).post(f"{URL}{key}/{path}", {}, format="json")
    if path:
        assert answer.status_code == 404
    assert client_as("anonymous", api=True).get(f"{URL}{key}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["withdraw/", "feedback/"])
def test_action_on_a_missing_wish_is_404(client_as, path):
    answer = client_as("anonymous", api=True).post(f"{URL}999999/{path}", {}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"wisher_phone": "1234"}, "wisher_phone"),
        ({"text": ""}, "text"),
        ({"community": 999999}, "community"),
        ({"title": "   "}, "title"),
        ({"category": "x"}, "category"),
        ({"category": "repair", "urgent": True}, "urgent"),
    ],
)
def test_anonymous_submission_with_bad_input_is_400_and_writes_nothing(
    client_as, community, overrides, field
):
    answer = client_as("anonymous", api=True).post(URL, payload(community, **overrides), format="json")
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert not Wish.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_anonymous_submission_is_throttled(client_as, community):
    anonymous = client_as("anonymous", api=True)
    with override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon_submit": "2/hour", "token": "100/minute"},
        }
    ):
        codes = [
            anonymous.post(URL, payload(community), format="json", REMOTE_ADDR="10.77.0.1").status_code
            for _ in range(3)
        ]
    assert codes == [201, 201, 429]
    assert Wish.objects.count() == 2


# --- masking per role ------------------------------------------------------------------------------------
FULL = {"community_staff": True, "admin": True, "party_member": True}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["anonymous", "resident", "party_member", "unit_staff", "community_staff", "supervisor", "admin"]
)
def test_detail_masks_phone_except_for_claimer_staff_and_admin(client_as, role_users, community, role):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=role_users["party_member"])
    answer = client_as(role, api=True).get(f"{URL}{wish.pk}/")
    assert answer.status_code == 200
    body = answer.content.decode()
    views = AuditEvent.objects.for_object(wish).filter(verb="personal_data.view")
    if FULL.get(role):
        assert WISHER_PHONE in body and "张桂兰" in body
        assert views.get().actor == role_users[role]
    else:
        assert WISHER_PHONE not in body and "张桂兰" not in body and "3栋2单元" not in body
        assert "137****5678" in body
        assert not views.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_member", "other_staff"])
def test_detail_masks_for_other_members_and_other_communities_staff(
    client_as, community, member, who, request
):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    body = client_as(request.getfixturevalue(who), api=True).get(f"{URL}{wish.pk}/").content.decode()
    assert WISHER_PHONE not in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "party_member", "community_staff", "admin"])
def test_list_is_always_masked(client_as, role_users, community, role):
    WishFactory.create_batch(
        3, community=community, status=WishStatus.CLAIMED, claimed_by=role_users["party_member"]
    )
    answer = client_as(role, api=True).get(URL)
    assert answer.status_code == 200 and answer.json()["count"] == 3
    assert WISHER_PHONE not in answer.content.decode()


@pytest.mark.django_db
def test_submitted_wishes_are_not_public(client_as, community, community_staff):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    anonymous = client_as("anonymous", api=True)
    assert anonymous.get(f"{URL}{wish.pk}/").status_code == 404
    assert anonymous.get(URL).json()["count"] == 0
    assert client_as(community_staff, api=True).get(f"{URL}{wish.pk}/").status_code == 200


@pytest.mark.django_db
def test_list_filters_share_the_filterset(client_as, community, other_community):
    WishFactory(community=community, category="repair", title="修理漏水水龙头")
    WishFactory(
        community=other_community, category="company", title="陪伴独居老人聊天", text="老人独居想有人聊天。"
    )
    api = client_as("anonymous", api=True)
    assert api.get(URL, {"community": community.pk}).json()["count"] == 1
    assert api.get(URL, {"category": "company"}).json()["results"][0]["title"] == "陪伴独居老人聊天"
    assert api.get(URL, {"q": "水龙头"}).json()["count"] == 1
    assert api.get(URL, {"q": WISHER_PHONE}).json()["count"] == 0  # no search by personal data
    assert api.get(URL, {"status": "claimed"}).json()["count"] == 0


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_data(client_as, query_counter, community):
    def grow(n):
        WishFactory.create_batch(n, community=community, status=WishStatus.CLAIMED)
        WishFactory.create_batch(n, community=community, status=WishStatus.OPEN)

    query_counter.flat(client_as("party_member", api=True), f"{URL}?page_size=100", grow=grow, max_queries=6)


@pytest.mark.django_db
def test_schema_documents_the_wish_actions(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for action in ("claim", "release", "fulfil", "feedback", "approve", "reject", "withdraw"):
        operation = schema["paths"][f"/api/v1/wishes/{{code}}/{action}/"]["post"]
        assert {"200", "404", "409"} <= set(operation["responses"])
        conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]
        assert conflict["$ref"] == "#/components/schemas/ApiError"
    assert "201" in schema["paths"]["/api/v1/wishes/"]["post"]["responses"]
    assert {"code", "detail", "fields"} <= set(schema["components"]["schemas"]["ApiError"]["properties"])


@pytest.mark.django_db
def test_a_wish_is_addressed_by_its_code_and_still_by_its_number(client_as, community, member):
    wish = WishFactory(community=community)
    api = client_as("anonymous", api=True)
    by_code = api.get(f"{URL}{wish.code}/")
    assert by_code.status_code == 200 and by_code.json()["id"] == wish.pk
    assert api.get(f"{URL}{wish.code.lower()}/").json()["code"] == wish.code
    assert api.get(f"{URL}{wish.pk}/").json()["code"] == wish.code
    claimed = client_as(member, api=True).post(f"{URL}{wish.code}/claim/", {}, format="json")
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    assert api.get(f"{URL}WXNOSUCHWISH/").status_code == 404
