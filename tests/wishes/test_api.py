"""``/api/v1/wishes/``: lifecycle, 409s, field errors, masking per role, the view log, query counts."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from jiangyan.models import AuditEvent
from tests.factories import MemberFactory
from tests.wishes.factories import WISHER_PHONE, WishFactory
from wishes.choices import WishStatus
from wishes.models import Wish

URL = "/api/v1/wishes/"


def as_user(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


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
def test_whole_lifecycle_through_the_api(api_client, community, community_staff, member):
    created = api_client.post(URL, payload(community), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    wish_id, query_code = body["id"], body["query_code"]
    assert body["status"] == "submitted" and body["wisher_phone"] == "137****5678"

    staff = as_user(api_client, community_staff)
    assert staff.post(f"{URL}{wish_id}/approve/").json()["status"] == "open"
    api_client.force_authenticate(member)
    claim = api_client.post(f"{URL}{wish_id}/claim/", {}, format="json")
    assert claim.status_code == 200 and claim.json()["status"] == "claimed"
    assert claim.json()["wisher_phone"] == WISHER_PHONE and claim.json()["personal_data"] is True
    fulfil = api_client.post(f"{URL}{wish_id}/fulfil/", {"note": "每周六上午辅导两小时。"}, format="json")
    assert fulfil.json()["status"] == "fulfilled"
    api_client.force_authenticate(None)
    feedback = api_client.post(
        f"{URL}{wish_id}/feedback/", {"satisfaction": "satisfied", "query_code": query_code}, format="json"
    )
    assert feedback.status_code == 200 and feedback.json()["status"] == "closed"
    assert feedback.json()["wisher_phone"] == "137****5678"
    assert Wish.objects.get(pk=wish_id).status == WishStatus.CLOSED


@pytest.mark.django_db
def test_release_reject_withdraw_through_the_api(api_client, community, community_staff, member):
    claimed = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    as_user(api_client, member)
    assert api_client.post(f"{URL}{claimed.pk}/release/", {}, format="json").status_code == 400
    assert (
        api_client.post(f"{URL}{claimed.pk}/release/", {"reason": "出差"}, format="json").json()["status"]
        == "open"
    )

    submitted = WishFactory(community=community, status=WishStatus.SUBMITTED)
    api_client.force_authenticate(community_staff)
    answer = api_client.post(f"{URL}{submitted.pk}/reject/", {"reason": "重复提交"}, format="json")
    assert answer.json()["status"] == "rejected"

    other = WishFactory(community=community, status=WishStatus.SUBMITTED)
    api_client.force_authenticate(None)
    assert (
        api_client.post(f"{URL}{other.pk}/withdraw/", {"query_code": "ZZZZZZZZ"}, format="json").status_code
        == 403
    )
    answer = api_client.post(f"{URL}{other.pk}/withdraw/", {"query_code": other.query_code}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"


@pytest.mark.django_db
def test_claim_of_a_claimed_wish_is_409(api_client, community, member, other_member):
    wish = WishFactory(community=community)
    as_user(api_client, member).post(f"{URL}{wish.pk}/claim/", {}, format="json")
    api_client.force_authenticate(other_member)
    answer = api_client.post(f"{URL}{wish.pk}/claim/", {}, format="json")
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
def test_illegal_transition_in_the_api_is_409(api_client, community, community_staff, state, action, data):
    wish = WishFactory(community=community, status=state)
    actor = wish.claimed_by if action == "fulfil" and wish.claimed_by else community_staff
    if action in ("claim", "fulfil"):
        actor = MemberFactory(community=community, roles=["party_member", "community_staff"])
        actor.community = community
        actor.save()
    answer = as_user(api_client, actor).post(f"{URL}{wish.pk}/{action}/", data, format="json")
    assert answer.status_code == 409, answer.content
    assert Wish.objects.get(pk=wish.pk).status == state


@pytest.mark.django_db
def test_claim_limit_is_409_in_the_api(api_client, community, member, settings):
    settings.WISH_MAX_OPEN_CLAIMS = 1
    first, second = WishFactory.create_batch(2, community=community)
    as_user(api_client, member).post(f"{URL}{first.pk}/claim/", {}, format="json")
    answer = api_client.post(f"{URL}{second.pk}/claim/", {}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "claim_limit"


@pytest.mark.django_db
def test_actions_need_sign_in_and_the_right_role(api_client, community, resident):
    wish = WishFactory(community=community)
    assert api_client.post(f"{URL}{wish.pk}/claim/", {}, format="json").status_code in (401, 403)
    assert as_user(api_client, resident).post(f"{URL}{wish.pk}/claim/", {}, format="json").status_code == 403
    assert Wish.objects.get(pk=wish.pk).status == WishStatus.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"wisher_phone": "1234"}, "wisher_phone"),
        ({"text": ""}, "text"),
        ({"community": 999999}, "community"),
        ({"title": "   "}, "title"),
        ({"category": "x"}, "category"),
    ],
)
def test_anonymous_submission_with_bad_input_is_400_and_writes_nothing(
    api_client, community, overrides, field
):
    answer = api_client.post(URL, payload(community, **overrides), format="json")
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert not Wish.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_anonymous_cannot_use_staff_channels(api_client, community):
    answer = api_client.post(URL, payload(community, channel="hotline"), format="json")
    assert answer.status_code in (401, 403)
    assert not Wish.objects.exists()


@pytest.mark.django_db
def test_staff_create_through_api_is_open_at_once(api_client, community, community_staff):
    answer = as_user(api_client, community_staff).post(URL, payload(community, channel="box"), format="json")
    assert answer.status_code == 201 and answer.json()["status"] == "open"


@pytest.mark.django_db
def test_anonymous_submission_is_throttled(api_client, community):
    with override_settings(
        REST_FRAMEWORK={
            **__import__("django.conf").conf.settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon_submit": "2/hour", "token": "100/minute"},
        }
    ):
        codes = [
            api_client.post(URL, payload(community), format="json", REMOTE_ADDR="10.77.0.1").status_code
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
def test_detail_masks_phone_except_for_claimer_staff_and_admin(api_client, role_users, community, role):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=role_users["party_member"])
    answer = as_user(api_client, role_users[role]).get(f"{URL}{wish.pk}/")
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
    api_client, community, member, who, request
):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    body = as_user(api_client, request.getfixturevalue(who)).get(f"{URL}{wish.pk}/").content.decode()
    assert WISHER_PHONE not in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "party_member", "community_staff", "admin"])
def test_list_is_always_masked(api_client, role_users, community, role):
    WishFactory.create_batch(
        3, community=community, status=WishStatus.CLAIMED, claimed_by=role_users["party_member"]
    )
    answer = as_user(api_client, role_users[role]).get(URL)
    assert answer.status_code == 200 and answer.json()["count"] == 3
    assert WISHER_PHONE not in answer.content.decode()


@pytest.mark.django_db
def test_submitted_wishes_are_not_public(api_client, community, community_staff):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    assert api_client.get(f"{URL}{wish.pk}/").status_code == 404
    assert api_client.get(URL).json()["count"] == 0
    assert as_user(api_client, community_staff).get(f"{URL}{wish.pk}/").status_code == 200


@pytest.mark.django_db
def test_list_filters_share_the_filterset(api_client, community, other_community):
    WishFactory(community=community, category="repair", title="修理漏水水龙头")
    WishFactory(
        community=other_community, category="company", title="陪伴独居老人聊天", text="老人独居想有人聊天。"
    )
    assert api_client.get(URL, {"community": community.pk}).json()["count"] == 1
    assert api_client.get(URL, {"category": "company"}).json()["results"][0]["title"] == "陪伴独居老人聊天"
    assert api_client.get(URL, {"q": "水龙头"}).json()["count"] == 1
    assert api_client.get(URL, {"q": WISHER_PHONE}).json()["count"] == 0  # no search by personal data
    assert api_client.get(URL, {"status": "claimed"}).json()["count"] == 0


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_data(api_client, community, member):
    WishFactory.create_batch(3, community=community, status=WishStatus.CLAIMED)
    api_client.force_authenticate(User.objects.get(pk=member.pk))  # fresh: no cached roles
    with CaptureQueriesContext(connection) as small:
        assert api_client.get(URL, {"page_size": 100}).json()["count"] == 3
    WishFactory.create_batch(30, community=community, status=WishStatus.OPEN)
    api_client.force_authenticate(User.objects.get(pk=member.pk))
    with CaptureQueriesContext(connection) as large:
        assert api_client.get(URL, {"page_size": 100}).json()["count"] == 33
    assert len(small) == len(large) <= 6, [q["sql"] for q in large.captured_queries]


@pytest.mark.django_db
def test_schema_documents_the_wish_actions(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for action in ("claim", "release", "fulfil", "feedback", "approve", "reject", "withdraw"):
        operation = schema["paths"][f"/api/v1/wishes/{{id}}/{action}/"]["post"]
        assert {"200", "409"} <= set(operation["responses"])
    assert "201" in schema["paths"]["/api/v1/wishes/"]["post"]["responses"]
