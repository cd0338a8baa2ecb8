"""The wish pages: submission, tracking, board, detail, actions, management, cards, members, home."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from tests.factories import MemberFactory, UserFactory
from tests.matrix import assert_write, expect
from tests.wishes.actions import assert_action, cases
from tests.wishes.factories import WISHER_PHONE, WishFactory
from wishes.choices import WishStatus
from wishes.models import Wish

MASKED = "137****5678"


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
def test_signed_in_resident_submission_is_theirs(client_as, community, resident):
    client = client_as(resident)
    client.post("/wishes/new/", form_data(community))
    wish = Wish.objects.get()
    assert wish.submitted_by == resident
    assert wish.title in client.get("/wishes/mine/").content.decode()


# --- tracking ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_tracking_by_query_code_and_follow_up(client, community, member):
    wish = WishFactory(
        community=community, status=WishStatus.FULFILLED, claimed_by=member, fulfil_note="已修好"
    )
    answer = client.post("/wishes/track/lookup/", {"query_code": wish.query_code.lower()})
    assert answer.status_code == 302
    page = client.get("/wishes/track/").content.decode()
    assert "已实现" in page and "已修好" in page and WISHER_PHONE not in page and MASKED in page
    client.post("/wishes/track/", {"action": "feedback", "satisfaction": "satisfied", "comment": "谢谢"})
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLOSED and wish.feedback_channel == "online"


@pytest.mark.django_db
def test_withdraw_by_query_code_on_the_tracking_page(client, community):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    client.post("/wishes/track/lookup/", {"query_code": wish.query_code})
    client.post("/wishes/track/", {"action": "withdraw", "reason": "不需要了"})
    wish.refresh_from_db()
    assert wish.status == WishStatus.WITHDRAWN


@pytest.mark.django_db
def test_tracking_guesses_are_limited(client, settings, community):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"wish_track": "3/hour"}}
    wish = WishFactory(community=community)
    for _ in range(3):
        answer = client.post("/wishes/track/lookup/", {"query_code": "ABCDEFGH"}, REMOTE_ADDR="10.55.0.1")
        assert answer.status_code == 200 and "没有找到" in answer.content.decode()
    # Even the right code is refused now, from this client.
    answer = client.post("/wishes/track/lookup/", {"query_code": wish.query_code}, REMOTE_ADDR="10.55.0.1")
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
def test_members_see_their_own_community_first(client_as, community, other_community, member):
    mine = WishFactory(community=community, title="本社区心愿")
    later = WishFactory(community=other_community, title="别的社区心愿")
    Wish.objects.filter(pk=mine.pk).update(submitted_at=timezone.now() - timezone.timedelta(days=2))
    assert later.submitted_at > Wish.objects.get(pk=mine.pk).submitted_at
    page = client_as(member).get("/wishes/").content.decode()
    assert page.index("本社区心愿") < page.index("别的社区心愿")
    anonymous = client_as("anonymous").get("/wishes/").content.decode()
    assert anonymous.index("别的社区心愿") < anonymous.index("本社区心愿")


ROLES = ["anonymous", "resident", "party_member", "unit_staff", "community_staff", "supervisor", "admin"]
FULL = {"party_member", "community_staff", "admin"}  # the claimer is role_users["party_member"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_wish_page_masks_phone_except_for_claimer_staff_and_admin_and_logs_full_views(
    client_as, role_users, community, role
):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=role_users["party_member"])
    body = client_as(role).get(f"/wishes/{wish.code}/").content.decode()
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
    client_as, community, member, who, request
):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    body = client_as(request.getfixturevalue(who)).get(f"/wishes/{wish.code}/").content.decode()
    assert WISHER_PHONE not in body and MASKED in body


@pytest.mark.django_db
def test_former_claimer_sees_masks_after_release_but_full_after_fulfilling(client_as, community, member):
    released = WishFactory(community=community)
    fulfilled = WishFactory(community=community, status=WishStatus.FULFILLED, claimed_by=member)
    client = client_as(member)
    client.post(f"/wishes/{released.code}/claim/", {"promised_date": timezone.localdate().isoformat()})
    client.post(f"/wishes/{released.code}/release/", {"release-reason": "出差"})
    assert WISHER_PHONE not in client.get(f"/wishes/{released.code}/").content.decode()
    assert WISHER_PHONE in client.get(f"/wishes/{fulfilled.code}/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_lists_and_home_never_show_full_phone(client_as, role_users, community, role):
    member = role_users["party_member"]
    for status in (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.SUBMITTED):
        WishFactory(
            community=community, status=status, claimed_by=member if status != WishStatus.OPEN else None
        )
    client = client_as(role)
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
def test_submitted_wish_page_is_hidden_from_the_public(client_as, community, community_staff, other_staff):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    assert client_as("anonymous").get(f"/wishes/{wish.code}/").status_code == 404
    assert client_as(other_staff).get(f"/wishes/{wish.code}/").status_code == 404
    assert client_as(community_staff).get(f"/wishes/{wish.code}/").status_code == 200


@pytest.mark.django_db
def test_history_on_the_wish_page_has_no_personal_data(client_as, community, community_staff, member):
    anonymous = client_as("anonymous")
    anonymous.post("/wishes/new/", form_data(community))
    wish = Wish.objects.get()
    client_as(community_staff).post(f"/wishes/{wish.code}/approve/")
    client_as(member).post(f"/wishes/{wish.code}/claim/", {"promised_date": timezone.localdate().isoformat()})
    page = anonymous.get(f"/wishes/{wish.code}/").content.decode()
    assert "审核通过" in page and "认领心愿" in page and "查询码用户" in page
    assert WISHER_PHONE not in page and "张桂兰" not in page


# --- actions on the pages --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_claim_on_the_page_and_second_claimer_gets_a_message(client_as, community, member, other_member):
    wish = WishFactory(community=community)
    today = timezone.localdate().isoformat()
    client_as(member).post(f"/wishes/{wish.code}/claim/", {"promised_date": today})
    answer = client_as(other_member).post(
        f"/wishes/{wish.code}/claim/", {"promised_date": today}, follow=True
    )
    assert answer.status_code == 200
    assert "该心愿已被其他党员认领。" in answer.content.decode()
    wish.refresh_from_db()
    assert wish.claimed_by == member


@pytest.mark.django_db
def test_fulfil_with_note_and_photo_on_the_page(client_as, community, member):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    photo = SimpleUploadedFile("done.png", buffer.getvalue(), content_type="image/png")
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    client_as(member).post(f"/wishes/{wish.code}/fulfil/", {"note": "已上门修好", "photos": [photo]})
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED and wish.photos.get().kind == "fulfilment"
    assert wish.photos.get().image.name.startswith("wishes/") and "done" not in wish.photos.get().image.name


@pytest.mark.django_db
def test_the_desk_lists_each_queues_oldest_and_counts_them_all(client_as, community, community_staff):
    from wishes.views import DESK_ROWS

    start = timezone.now() - datetime.timedelta(days=3)
    waiting = [
        WishFactory(
            community=community,
            status=WishStatus.SUBMITTED,
            submitted_at=start + datetime.timedelta(minutes=i),
        )
        for i in range(DESK_ROWS + 3)
    ]
    page = client_as(community_staff).get("/wishes/manage/").content.decode()
    submitted = page[page.index('id="submitted"') : page.index('id="reopened"')]
    assert f'<span class="badge">{DESK_ROWS + 3}</span>' in submitted  # all of them counted
    assert [w.code for w in waiting if w.code in submitted] == [
        w.code for w in waiting[:DESK_ROWS]
    ]  # the oldest
    assert f"共 {DESK_ROWS + 3} 个，先列出最早的 {DESK_ROWS} 个" in submitted


@pytest.mark.django_db
def test_staff_approve_and_phone_follow_up_on_the_pages(client_as, community, community_staff, member):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    client = client_as(community_staff)
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
    client_as, community, community_staff, other_community
):
    client = client_as(community_staff)
    data = form_data(community, channel="box")
    assert client.post("/wishes/manage/new/", data).status_code == 302
    wish = Wish.objects.get()
    assert (wish.status, wish.channel, wish.entered_by) == (WishStatus.OPEN, "box", community_staff)
    assert wish.query_code in client.get("/wishes/new/done/").content.decode()
    answer = client.post("/wishes/manage/new/", form_data(other_community, channel="box"))
    assert answer.status_code == 200 and Wish.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/wishes/manage/", "/wishes/manage/new/"])
@pytest.mark.parametrize(
    ("role", "expected"), expect(default=403, anonymous="login", community_staff=200, admin=200)
)
def test_management_pages_need_community_staff(client_as, url, role, expected):
    assert client_as(role).get(url).status_code == (302 if expected == "login" else expected)


# --- the role matrix of the page actions: the row changed and its event, or nothing at all ----------------
# A week ahead: still a valid promise when the run crosses midnight after this module was loaded.
PROMISED = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
# action → (state of the wish, POST data, expected per role); the wish is ``matrix_wish(state)``.
PAGE_ACTIONS = {
    "claim": (
        WishStatus.OPEN,
        {"promised_date": PROMISED},
        expect(default=403, anonymous="login", party_member="ok", admin="ok"),
    ),
    "release": (
        WishStatus.CLAIMED,
        {"release-reason": "出差"},
        expect(default=403, anonymous="login", party_member="ok", admin="ok"),
    ),
    "fulfil": (
        WishStatus.CLAIMED,
        {"note": "已完成"},
        expect(default=403, anonymous="login", party_member="ok"),
    ),
    # A submitted wish is seen only by its wisher, its community's staff, supervisors and admins.
    "approve": (
        WishStatus.SUBMITTED,
        {},
        expect(
            default=404, anonymous="login", resident=403, community_staff="ok", supervisor=403, admin="ok"
        ),
    ),
    "reject": (
        WishStatus.SUBMITTED,
        {"reject-reason": "重复"},
        expect(
            default=404, anonymous="login", resident=403, community_staff="ok", supervisor=403, admin="ok"
        ),
    ),
    "feedback": (
        WishStatus.FULFILLED,
        {"satisfaction": "satisfied"},
        expect(default=403, anonymous="login", resident="ok", community_staff="ok", admin="ok"),
    ),
    "withdraw": (
        WishStatus.OPEN,
        {},
        expect(default=403, anonymous="login", resident="ok", community_staff="ok", admin="ok"),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "expected"), cases(PAGE_ACTIONS))
def test_page_actions_need_the_right_actor(client_as, matrix_wish, action, role, expected):
    state, data, _matrix = PAGE_ACTIONS[action]
    wish = matrix_wish(state)
    assert_action(
        lambda: client_as(role).post(f"/wishes/{wish.code}/{action}/", data),
        wish=wish,
        action=action,
        expected=expected,
    )


@pytest.mark.django_db
def test_page_approve_by_staff_of_another_community_is_404(client_as, community, other_staff):
    wish = WishFactory(community=community, status=WishStatus.SUBMITTED)
    assert_action(
        lambda: client_as(other_staff).post(f"/wishes/{wish.code}/approve/"),
        wish=wish,
        action="approve",
        expected=404,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"), expect(default=403, anonymous="login", community_staff="ok", admin="ok")
)
def test_staff_entry_needs_staff_of_the_community(client_as, community, role, expected):
    assert_write(
        lambda: client_as(role).post("/wishes/manage/new/", form_data(community, channel="hotline")),
        expected=expected,
        verb="wish.enter",
        state=Wish.objects.count,
    )


@pytest.mark.django_db
def test_public_form_urgent_flag_only_for_supplies_comes_from_the_service(client, community):
    answer = client.post("/wishes/new/", form_data(community, category="supplies", urgent="on"))
    assert answer.status_code == 302 and Wish.objects.get().is_help_team


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
def test_nav_entries_by_role(client_as, community_staff, member):
    assert "心愿管理" not in client_as("anonymous").get("/wishes/").content.decode()
    assert "心愿管理" in client_as(community_staff).get("/wishes/").content.decode()
    page = client_as(member).get("/wishes/").content.decode()
    assert "我的认领" in page and "心愿管理" not in page


# --- query counts -----------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/wishes/", "/wishes/mine/", "/wishes/mine/claims/", "/wishes/manage/", "/wishes/members/", "/"]
)
def test_page_query_counts_do_not_grow_with_data(client_as, query_counter, community, url):
    user = UserFactory(roles=[Role.PARTY_MEMBER, Role.COMMUNITY_STAFF], community=community)

    def grow(n):
        for _ in range(n):  # members with fulfilled wishes (members' page)
            WishFactory(community=community, claimed_by=MemberFactory(community=community), status="closed")
        WishFactory.create_batch(n, community=community)  # the board, the home page
        WishFactory.create_batch(n, community=community, claimed_by=user, status=WishStatus.CLAIMED)
        WishFactory.create_batch(n, community=community, claimed_by=user, status=WishStatus.FULFILLED)
        WishFactory.create_batch(n, community=community, submitted_by=user, status=WishStatus.SUBMITTED)

    query_counter.flat(client_as(user), url, grow=grow)


@pytest.mark.django_db
def test_claim_form_offers_the_default_promise_as_an_iso_date(client_as, community, member, settings):
    settings.WISH_DEFAULT_PROMISE_DAYS = 7
    wish = WishFactory(community=community)
    page = client_as(member).get(f"/wishes/{wish.code}/").content.decode()
    expected = (timezone.localdate() + timezone.timedelta(days=7)).isoformat()
    assert f'type="date" name="promised_date" value="{expected}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["hotline", "visit", "night_visit"])
def test_staff_enter_a_callers_landline_and_the_page_masks_it(client_as, community, community_staff, channel):
    client = client_as(community_staff)
    answer = client.post(
        "/wishes/manage/new/", form_data(community, channel=channel, wisher_phone="0523 8881 2345")
    )
    assert answer.status_code == 302, answer.context["form"].errors
    wish = Wish.objects.get()
    assert wish.wisher_phone == "0523-88812345"
    assert "0523-****2345" in client_as("anonymous").get(f"/wishes/{wish.code}/").content.decode()


@pytest.mark.django_db
def test_a_residents_own_form_asks_for_a_mobile(client, community):
    answer = client.post("/wishes/new/", form_data(community, wisher_phone="0523-88812345"))
    assert answer.status_code == 200 and "wisher_phone" in answer.context["form"].errors
    assert not Wish.objects.exists()
