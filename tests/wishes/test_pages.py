"""The wish pages: submission, tracking, board, detail, actions, management, cards, members, home."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from jiangyan.models import AuditEvent
from jiangyan.roles import Role
from tests.factories import MemberFactory, UserFactory
from tests.wishes.factories import WISHER_PHONE, WishFactory
from wishes.choices import WishStatus
from wishes.models import Wish

MASKED = "137****5678"


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def form_data(community_, **overrides):
    return {
        "community": community_.pk,
        "category": "repair",
        "title": "修理漏水水龙头",
        "text": "厨房水龙头漏水。",
        "wisher_name": "张桂兰",
        "wisher_phone": WISHER_PHONE,
        "wisher_address": "天目社区3栋",
        "channel": "online",
        **overrides,
    }


# --- submission -------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_anonymous_submission_gives_a_query_code_then_tracks(client, community):
    answer = client.post("/wishes/new/", form_data(community))
    assert answer.status_code == 302 and answer.url == "/wishes/new/done/"
    wish = Wish.objects.get()
    assert wish.status == WishStatus.SUBMITTED and wish.submitted_by is None
    done = client.get("/wishes/new/done/").content.decode()
    assert wish.query_code in done
    # The tracking page already knows this visitor's code.
    tracked = client.get("/wishes/track/").content.decode()
    assert "待审核" in tracked and "提交心愿" in tracked and WISHER_PHONE not in tracked


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"wisher_phone": "12345"}, "wisher_phone"),
        ({"text": ""}, "text"),
        ({"community": "999999"}, "community"),
        ({"wisher_name": ""}, "wisher_name"),
        ({"category": "repair", "urgent": "on"}, "urgent"),
    ],
)
def test_page_submission_with_bad_input_shows_field_errors_and_writes_nothing(
    client, community, overrides, field
):
    answer = client.post("/wishes/new/", form_data(community, **overrides))
    assert answer.status_code == 200
    assert field in answer.context["form"].errors
    assert 'class="error"' in answer.content.decode()
    assert not Wish.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_qr_parameters_preselect_community_and_card_channel(client, community):
    page = client.get(f"/wishes/new/?community={community.pk}&channel=card")
    form = page.context["form"]
    assert form.initial["community"] == community.pk and form.initial["channel"] == "card"
    assert re.search(rf'<option value="{community.pk}" selected>', page.content.decode())
    client.post(f"/wishes/new/?community={community.pk}&channel=card", form_data(community, channel="card"))
    assert Wish.objects.get().channel == "card"


@pytest.mark.django_db
def test_resident_cannot_pick_a_staff_channel(client, community):
    answer = client.post("/wishes/new/", form_data(community, channel="hotline"))
    assert answer.status_code == 200 and not Wish.objects.exists()


@pytest.mark.django_db
def test_page_submission_is_rate_limited_per_client(client, community, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_submit": "2/hour"}}
    codes = [
        client.post("/wishes/new/", form_data(community), REMOTE_ADDR="10.66.0.7").status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Wish.objects.count() == 2
    # Another client is not affected.
    assert client.post("/wishes/new/", form_data(community), REMOTE_ADDR="10.66.0.8").status_code == 302


@pytest.mark.django_db
def test_signed_in_resident_submission_is_theirs(client, community, resident):
    login(client, resident).post("/wishes/new/", form_data(community))
    wish = Wish.objects.get()
    assert wish.submitted_by == resident
    assert wish.title in client.get("/wishes/mine/").content.decode()


# --- tracking ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_tracking_by_query_code_and_follow_up(client, community, member):
    wish = WishFactory(
        community=community, status=WishStatus.FULFILLED, claimed_by=member, fulfil_note="已修好"
    )
    answer = client.post("/wishes/track/", {"action": "lookup", "query_code": wish.query_code.lower()})
    assert answer.status_code == 302
    page = client.get("/wishes/track/").content.decode()
    assert "已实现" in page and "已修好" in page and WISHER_PHONE not in page and MASKED in page
    client.post("/wishes/track/", {"action": "feedback", "satisfaction": "satisfied", "comment": "谢谢"})
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLOSED and wish.feedback_channel == "online"


@pytest.mark.django_db
def test_withdraw_by_query_code_on_the_tracking_page(client, community):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    client.post("/wishes/track/", {"action": "lookup", "query_code": wish.query_code})
    client.post("/wishes/track/", {"action": "withdraw", "reason": "不需要了"})
    wish.refresh_from_db()
    assert wish.status == WishStatus.WITHDRAWN


@pytest.mark.django_db
def test_tracking_guesses_are_limited(client, settings, community):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"wish_track": "3/hour"}}
    wish = WishFactory(community=community)
    for _ in range(3):
        answer = client.post("/wishes/track/", {"query_code": "ABCDEFGH"}, REMOTE_ADDR="10.55.0.1")
        assert answer.status_code == 200 and "没有找到" in answer.content.decode()
    # Even the right code is refused now, from this client.
    answer = client.post("/wishes/track/", {"query_code": wish.query_code}, REMOTE_ADDR="10.55.0.1")
    assert answer.status_code == 429


# --- board and detail ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_board_shows_open_wishes_and_filters(client, community, other_community):
    WishFactory(community=community, title="代购降压药", category="medical")
    WishFactory(community=other_community, title="孩子课外辅导", category="study")
    WishFactory(community=community, title="已认领的心愿", status=WishStatus.CLAIMED)
    WishFactory(community=community, title="待审核的心愿", status=WishStatus.SUBMITTED)
    page = client.get("/wishes/").content.decode()
    assert "代购降压药" in page and "孩子课外辅导" in page
    assert "已认领的心愿" not in page and "待审核的心愿" not in page
    assert "孩子课外辅导" not in client.get("/wishes/", {"category": "medical"}).content.decode()
    assert "代购降压药" not in client.get("/wishes/", {"community": other_community.pk}).content.decode()
    assert "已认领的心愿" in client.get("/wishes/", {"status": ""}).content.decode()
    assert "待审核的心愿" not in client.get("/wishes/", {"status": ""}).content.decode()
    assert "孩子课外辅导" in client.get("/wishes/", {"q": "辅导"}).content.decode()


@pytest.mark.django_db
def test_members_see_their_own_community_first(client, community, other_community, member):
    mine = WishFactory(community=community, title="本社区心愿")
    later = WishFactory(community=other_community, title="别的社区心愿")
    Wish.objects.filter(pk=mine.pk).update(submitted_at=timezone.now() - timezone.timedelta(days=2))
    assert later.submitted_at > Wish.objects.get(pk=mine.pk).submitted_at
    page = login(client, member).get("/wishes/").content.decode()
    assert page.index("本社区心愿") < page.index("别的社区心愿")
    anonymous = client.logout() or client.get("/wishes/").content.decode()
    assert anonymous.index("别的社区心愿") < anonymous.index("本社区心愿")


ROLES = ["anonymous", "resident", "party_member", "unit_staff", "community_staff", "supervisor", "admin"]
FULL = {"party_member", "community_staff", "admin"}  # the claimer is role_users["party_member"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_wish_page_masks_phone_except_for_claimer_staff_and_admin_and_logs_full_views(
    client, role_users, community, role
):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=role_users["party_member"])
    body = login(client, role_users[role]).get(f"/wishes/{wish.code}/").content.decode()
    views = AuditEvent.objects.for_object(wish).filter(verb="personal_data.view")
    if role in FULL:
        assert WISHER_PHONE in body and "张桂兰" in body and "3栋2单元501室" in body
        assert views.count() == 1 and views.get().actor == role_users[role]
        assert views.get().after == {"fields": ["wisher_name", "wisher_phone", "wisher_address"]}
    else:
        assert WISHER_PHONE not in body and "张桂兰" not in body and "3栋2单元" not in body
        assert MASKED in body and "张**" in body
        assert not views.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_member", "other_staff"])
def test_wish_page_masks_for_other_members_and_other_communities_staff(
    client, community, member, who, request
):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    body = login(client, request.getfixturevalue(who)).get(f"/wishes/{wish.code}/").content.decode()
    assert WISHER_PHONE not in body and MASKED in body


@pytest.mark.django_db
def test_former_claimer_sees_masks_after_release_but_full_after_fulfilling(client, community, member):
    released = WishFactory(community=community)
    fulfilled = WishFactory(community=community, status=WishStatus.FULFILLED, claimed_by=member)
    login(client, member).post(
        f"/wishes/{released.code}/claim/", {"promised_date": timezone.localdate().isoformat()}
    )
    client.post(f"/wishes/{released.code}/release/", {"release-reason": "出差"})
    assert WISHER_PHONE not in client.get(f"/wishes/{released.code}/").content.decode()
    assert WISHER_PHONE in client.get(f"/wishes/{fulfilled.code}/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_lists_and_home_never_show_full_phone(client, role_users, community, role):
    member = role_users["party_member"]
    for status in (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.SUBMITTED):
        WishFactory(
            community=community, status=status, claimed_by=member if status != WishStatus.OPEN else None
        )
    login(client, role_users[role])
    pages = ["/", "/wishes/", "/wishes/?status=", "/wishes/members/"]
    if role != "anonymous":
        pages += ["/wishes/mine/", "/wishes/mine/claims/"]
    if role in ("community_staff", "admin"):
        pages.append("/wishes/manage/")
    for url in pages:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert WISHER_PHONE not in answer.content.decode(), url


@pytest.mark.django_db
def test_submitted_wish_page_is_hidden_from_the_public(client, community, community_staff, other_staff):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    assert client.get(f"/wishes/{wish.code}/").status_code == 404
    assert login(client, other_staff).get(f"/wishes/{wish.code}/").status_code == 404
    assert login(client, community_staff).get(f"/wishes/{wish.code}/").status_code == 200


@pytest.mark.django_db
def test_history_on_the_wish_page_has_no_personal_data(client, community, community_staff, member):
    client.post("/wishes/new/", form_data(community))
    wish = Wish.objects.get()
    login(client, community_staff).post(f"/wishes/{wish.code}/approve/")
    login(client, member).post(
        f"/wishes/{wish.code}/claim/", {"promised_date": timezone.localdate().isoformat()}
    )
    client.logout()
    page = client.get(f"/wishes/{wish.code}/").content.decode()
    assert "审核通过" in page and "认领心愿" in page and "查询码用户" in page
    assert WISHER_PHONE not in page and "张桂兰" not in page


# --- actions on the pages --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_claim_on_the_page_and_second_claimer_gets_a_message(client, community, member, other_member):
    wish = WishFactory(community=community)
    today = timezone.localdate().isoformat()
    login(client, member).post(f"/wishes/{wish.code}/claim/", {"promised_date": today})
    answer = login(client, other_member).post(
        f"/wishes/{wish.code}/claim/", {"promised_date": today}, follow=True
    )
    assert answer.status_code == 200
    assert "该心愿已被其他党员认领。" in answer.content.decode()
    wish.refresh_from_db()
    assert wish.claimed_by == member


@pytest.mark.django_db
def test_fulfil_with_note_and_photo_on_the_page(client, community, member):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    photo = SimpleUploadedFile("done.png", buffer.getvalue(), content_type="image/png")
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    login(client, member).post(f"/wishes/{wish.code}/fulfil/", {"note": "已上门修好", "photos": [photo]})
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED and wish.photos.get().kind == "fulfilment"
    assert wish.photos.get().image.name.startswith("wishes/") and "done" not in wish.photos.get().image.name


@pytest.mark.django_db
def test_staff_approve_and_phone_follow_up_on_the_pages(client, community, community_staff, member):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    login(client, community_staff)
    assert wish.title in client.get("/wishes/manage/").content.decode()
    client.post(f"/wishes/{wish.code}/approve/", {"next": "manage"})
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN
    done = WishFactory(community=community, status=WishStatus.FULFILLED, claimed_by=member)
    client.post(f"/wishes/{done.code}/feedback/", {"satisfaction": "unsatisfied", "comment": "没修好"})
    done.refresh_from_db()
    assert done.status == WishStatus.OPEN and done.reopened and done.feedback_channel == "phone"
    assert done.title in client.get("/wishes/manage/").content.decode()


@pytest.mark.django_db
def test_staff_entry_page_creates_an_open_wish_with_its_channel(
    client, community, community_staff, other_community
):
    login(client, community_staff)
    data = form_data(community, channel="box")
    assert client.post("/wishes/manage/new/", data).status_code == 302
    wish = Wish.objects.get()
    assert (wish.status, wish.channel, wish.entered_by) == (WishStatus.OPEN, "box", community_staff)
    assert wish.query_code in client.get("/wishes/new/done/").content.decode()
    answer = client.post("/wishes/manage/new/", form_data(other_community, channel="box"))
    assert answer.status_code == 200 and Wish.objects.count() == 1


@pytest.mark.django_db
def test_management_pages_need_community_staff(client, resident, member):
    assert client.get("/wishes/manage/").status_code == 302
    assert login(client, resident).get("/wishes/manage/").status_code == 403
    assert login(client, member).get("/wishes/manage/new/").status_code == 403


@pytest.mark.django_db
def test_page_actions_need_the_right_actor(client, community, resident, other_staff):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED, submitted_by=resident)
    assert login(client, resident).post(f"/wishes/{wish.code}/approve/").status_code == 403
    assert login(client, other_staff).post(f"/wishes/{wish.code}/approve/").status_code == 404
    wish.refresh_from_db()
    assert wish.status == WishStatus.SUBMITTED


# --- paper cards, members, home -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_wish_card_has_a_qr_code_to_the_form_of_its_community(client, community):
    page = client.get(f"/wishes/cards/{community.pk}/").content.decode()
    assert "<svg" in page and "心愿卡" in page
    assert f"http://testserver/wishes/new/?community={community.pk}&amp;channel=card" in page
    assert client.get("/wishes/cards/999999/").status_code == 404


@pytest.mark.django_db
def test_members_page_shows_fulfilled_wishes_without_wishers(client, community):
    member = MemberFactory(community=community, real_name="王建国")
    WishFactory(
        community=community,
        status=WishStatus.CLOSED,
        claimed_by=member,
        satisfaction="satisfied",
        title="修水管",
    )
    WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    page = client.get("/wishes/members/").content.decode()
    assert "王建国" in page and "修水管" in page and "已实现心愿 1 个" in page and "满意 1" in page
    assert "张桂兰" not in page and "张**" not in page
    assert WISHER_PHONE not in page and MASKED not in page and member.phone not in page


@pytest.mark.django_db
def test_home_page_teaser_shows_counts_and_open_wishes(client, community):
    WishFactory(community=community, title="陪伴独居老人聊天")
    WishFactory(community=community, status=WishStatus.CLOSED)
    page = client.get("/").content.decode()
    assert "陪伴独居老人聊天" in page and "收到心愿" in page and WISHER_PHONE not in page


@pytest.mark.django_db
def test_nav_entries_by_role(client, community_staff, member):
    assert "心愿管理" not in client.get("/wishes/").content.decode()
    assert "心愿管理" in login(client, community_staff).get("/wishes/").content.decode()
    page = login(client, member).get("/wishes/").content.decode()
    assert "我的认领" in page and "心愿管理" not in page


# --- query counts -----------------------------------------------------------------------------------------
def _count(client, url, user):
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/wishes/", "/wishes/members/", "/wishes/mine/claims/", "/wishes/manage/", "/"]
)
def test_page_query_counts_do_not_grow_with_data(client, community, url):
    staff_member = UserFactory(roles=[Role.PARTY_MEMBER, Role.COMMUNITY_STAFF], community=community)
    MemberFactory.create_batch(2, community=community)
    WishFactory.create_batch(2, community=community, claimed_by=staff_member, status=WishStatus.CLAIMED)
    WishFactory.create_batch(2, community=community)
    small = _count(client, url, staff_member)
    for _ in range(6):
        member = MemberFactory(community=community)
        WishFactory(community=community, claimed_by=member, status=WishStatus.CLOSED)
    WishFactory.create_batch(6, community=community, claimed_by=staff_member, status=WishStatus.FULFILLED)
    WishFactory.create_batch(12, community=community)
    WishFactory.create_batch(6, community=community, status=WishStatus.SUBMITTED)
    large = _count(client, url, staff_member)
    assert small == large, (url, small, large)


@pytest.mark.django_db
def test_claim_form_offers_the_default_promise_as_an_iso_date(client, community, member, settings):
    settings.WISH_DEFAULT_PROMISE_DAYS = 7
    wish = WishFactory(community=community)
    page = login(client, member).get(f"/wishes/{wish.code}/").content.decode()
    expected = (timezone.localdate() + timezone.timedelta(days=7)).isoformat()
    assert f'type="date" name="promised_date" value="{expected}"' in page
