"""State machines as data (``jiangyan.core.moves``): for every entity with states, every state × role (and the
guard cases: a member at the claim limit, the wisher by query code, …) the buttons drawn on the page, the
``actions`` the API lists and the moves the service accepts are the same set.

The service's side is tried for real: each action is called on the object in a savepoint that is then
rolled back, so one trial never changes what the next sees. A page or API answer of 404 (the object is
outside the reader's scope) counts as "no buttons"."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jiangyan.core.exceptions import ApplicationError
from jiangyan.core.roles import Role
from projects import services as project_services
from projects.choices import (
    EVALUATION_MOVES,
    STATUS_MOVES,
    EvaluationWindow,
    ProjectStatus,
    status_move_action,
)
from projects.models import EvaluationRound
from projects.selectors import evaluation_actions_for, project_actions_for
from supervision import services as supervision_services
from supervision.choices import ORDER_MOVES, REPORT_MOVES, OrderStatus, ReportKind, ReportStatus
from supervision.models import Report
from supervision.selectors import order_actions_for, report_actions_for
from surveys import services as survey_services
from surveys.choices import DUTY_MOVES, SURVEY_MOVES, Channel, DutyStatus, SurveyWindow, duty_move_action
from surveys.models import Response as SurveyResponse
from surveys.selectors import duty_item_actions_for, survey_actions_for
from tests.clients import sign_in
from tests.factories import CommunityFactory, MemberFactory, UnitFactory, UserFactory
from tests.projects.factories import ProjectFactory, default_criterion, month_round
from tests.supervision.factories import OrderFactory
from tests.surveys.factories import DutyItemFactory, SurveyFactory
from tests.wishes.factories import HelpTeamFactory, WishFactory
from wishes import selectors as wish_selectors
from wishes import services as wish_services
from wishes.choices import (
    OFFER_MOVES,
    OFFER_PERSON_ACTIONS,
    WISH_MOVES,
    OfferStatus,
    Satisfaction,
    WishCategory,
    WishStatus,
)
from wishes.models import DispatchOffer
from wishes.views import SESSION_TRACKED

pytestmark = pytest.mark.django_db

BUTTON = re.compile(r'data-action="([a-z_]+)"')


class _Rollback(Exception):
    pass


def accepted(trials: dict[str, Callable[[], object]]) -> set[str]:
    """The actions whose service call succeeds, each tried in a savepoint rolled back afterwards."""
    found = set()
    for name, call in trials.items():
        try:
            with transaction.atomic():
                call()
                raise _Rollback
        except _Rollback:
            found.add(name)
        except (ApplicationError, PermissionDenied):
            pass
    return found


def buttons(client: Client, url: str) -> set[str] | None:
    """The action buttons of a page; None when the page is not there for this reader."""
    response = client.get(url)
    if response.status_code in (403, 404) or response.status_code == 302:
        return set()
    assert response.status_code == 200, (url, response.status_code)
    return set(BUTTON.findall(response.content.decode()))


def api_actions(client: APIClient, url: str, list_url: str | None = None, pk: int | None = None) -> set[str]:
    """The object's ``actions`` in the API detail; and, when ``list_url`` lists it, the same in the list."""
    response = client.get(url)
    if response.status_code in (401, 403, 404):
        return set()
    assert response.status_code == 200, (url, response.status_code)
    detail = set(response.json()["actions"])
    if list_url is not None:
        cache.clear()  # factories write no audit events, so nothing else would refresh a cached list
        rows = client.get(list_url, {"page_size": 200}).json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        for row in rows:
            if row["id"] == pk:
                assert set(row["actions"]) == detail, ("list", url)
    return detail


def clients(user) -> tuple[Client, APIClient]:
    page, api = Client(), APIClient()
    if user is not None:
        sign_in(page, user)  # the second step passed, as every staff member's must be
        sign_in(api, user)
    return page, api


@dataclass
class Seen:
    who: str
    selector: set[str]
    page: set[str]
    api: set[str] | None
    service: set[str]

    def check(self) -> None:
        sides = {"page": self.page, "service": self.service}
        if self.api is not None:
            sides["api"] = self.api
        for side, found in sides.items():
            assert found == self.selector, (self.who, side, found, self.selector)


# --- wishes --------------------------------------------------------------------------------------------
def _wish_trials(actor, wish, query_code: str = "") -> dict[str, Callable[[], object]]:
    s = wish_services
    return {
        # 派单 to a member of the wish's community (made in the trial's savepoint, rolled back with it).
        "dispatch": lambda: s.wish_dispatch(
            actor=actor, wish=wish, member=MemberFactory(community=wish.community)
        ),
        "approve": lambda: s.wish_approve(actor=actor, wish=wish),
        "reject": lambda: s.wish_reject(actor=actor, wish=wish, reason="不符合条件"),
        "claim": lambda: s.wish_claim(actor=actor, wish=wish),
        "fulfil": lambda: s.wish_fulfil(actor=actor, wish=wish, note="已修好"),
        "release": lambda: s.wish_release(actor=actor, wish=wish, reason="临时出差"),
        "feedback": lambda: s.wish_feedback(
            actor=actor, wish=wish, satisfaction=Satisfaction.SATISFIED, query_code=query_code
        ),
        "withdraw": lambda: s.wish_withdraw(actor=actor, wish=wish, query_code=query_code),
    }


@pytest.fixture
def wish_people(role_users, community, settings):
    settings.WISH_MAX_OPEN_CLAIMS = 1
    other = CommunityFactory()
    at_limit = MemberFactory(community=community)
    WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=at_limit)
    wisher_member = MemberFactory(community=community)
    return {
        **role_users,
        "member_at_claim_limit": at_limit,
        "member_who_wished": wisher_member,
        "other_member": MemberFactory(community=other),
        "community_staff_other": UserFactory(roles=[Role.COMMUNITY_STAFF], community=other),
    }


@pytest.mark.parametrize("state", WishStatus.values)
def test_wish_buttons_api_actions_and_service_agree(state, wish_people, community):
    claimer = wish_people[Role.PARTY_MEMBER]
    seen = []
    for who, user in wish_people.items():
        wisher = user if who == "member_who_wished" else wish_people[Role.RESIDENT]
        claimed = state in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CLOSED)
        wish = WishFactory(
            community=community, status=state, submitted_by=wisher, claimed_by=claimer if claimed else None
        )
        actor = user if user is not None else _anonymous()
        page, api = clients(user)
        seen.append(
            Seen(
                who,
                set(wish_selectors.wish_actions_for(actor, wish)),
                buttons(page, reverse("wishes:detail", kwargs={"code": wish.code})),
                api_actions(api, f"/api/v1/wishes/{wish.code}/", "/api/v1/wishes/?status=" + state, wish.pk),
                accepted(_wish_trials(actor, wish)),
            )
        )
    # The wisher without an account: the tracking page, with the query code kept in the session.
    wish = WishFactory(community=community, status=state)
    page = Client()
    session = page.session
    session[SESSION_TRACKED] = wish.query_code
    session.save()
    seen.append(
        Seen(
            "wisher_by_query_code",
            set(wish_selectors.wish_actions_for(_anonymous(), wish, query_code=wish.query_code)),
            buttons(page, reverse("wishes:track")),
            None,
            accepted(_wish_trials(_anonymous(), wish, query_code=wish.query_code)),
        )
    )
    for one in seen:
        one.check()
    everyone = {name for one in seen for name in one.selector}
    assert everyone == {name for name in WISH_MOVES.actions if state in WISH_MOVES.sources(name)}


@pytest.mark.parametrize("hours_open", [1, 5])
def test_a_wish_routed_to_a_help_team_is_its_members_alone_within_the_window(
    hours_open, wish_people, community, settings
):
    """``team_window``: for WISH_TEAM_CLAIM_HOURS after it opened only the team's members may claim a routed
    wish (button, API ``actions`` and service alike); after them any member may."""
    settings.WISH_TEAM_CLAIM_HOURS = 4
    settings.WISH_MAX_OPEN_CLAIMS = 3
    team_member = MemberFactory(community=community)
    team = HelpTeamFactory(communities=[community], members=[team_member])
    opened = timezone.now() - datetime.timedelta(hours=hours_open)
    people = {
        "team_member": team_member,
        "other_member": wish_people["other_member"],
        "member": wish_people[Role.PARTY_MEMBER],
        "admin": wish_people[Role.ADMIN],
        "resident": wish_people[Role.RESIDENT],
    }
    seen = []
    for who, user in people.items():
        wish = WishFactory(
            community=community,
            category=WishCategory.SUPPLIES,
            urgent=True,
            team=team,
            submitted_at=opened,
            opened_at=opened,
        )
        page, api = clients(user)
        seen.append(
            Seen(
                who,
                set(wish_selectors.wish_actions_for(user, wish)),
                buttons(page, reverse("wishes:detail", kwargs={"code": wish.code})),
                api_actions(api, f"/api/v1/wishes/{wish.code}/", "/api/v1/wishes/?status=open", wish.pk),
                accepted(_wish_trials(user, wish)),
            )
        )
    for one in seen:
        one.check()
    claimers = {one.who for one in seen if "claim" in one.selector}
    if hours_open < 4:
        assert claimers == {"team_member"}
    else:
        assert claimers == {"team_member", "other_member", "member", "admin"}


def test_member_at_claim_limit_sees_no_claim_button(wish_people, community):
    wish = WishFactory(community=community, status=WishStatus.OPEN)
    page, api = clients(wish_people["member_at_claim_limit"])
    assert "claim" not in buttons(page, reverse("wishes:detail", kwargs={"code": wish.code}))
    assert "claim" not in api_actions(api, f"/api/v1/wishes/{wish.code}/")
    page, api = clients(wish_people[Role.PARTY_MEMBER])
    assert "claim" in buttons(page, reverse("wishes:detail", kwargs={"code": wish.code}))
    assert "claim" in api_actions(api, f"/api/v1/wishes/{wish.code}/")


def test_a_pending_offer_hides_the_dispatch_button(wish_people, community):
    wish = WishFactory(community=community, status=WishStatus.OPEN)
    staff = wish_people[Role.COMMUNITY_STAFF]
    page, api = clients(staff)
    assert "dispatch" in buttons(page, reverse("wishes:detail", kwargs={"code": wish.code}))
    wish_services.wish_dispatch(actor=staff, wish=wish, member=wish_people[Role.PARTY_MEMBER])
    cache.clear()
    assert "dispatch" not in buttons(page, reverse("wishes:detail", kwargs={"code": wish.code}))
    assert "dispatch" not in api_actions(api, f"/api/v1/wishes/{wish.code}/", "/api/v1/wishes/", wish.pk)
    assert wish_selectors.wish_actions_for(staff, wish) == ["withdraw"]


# --- wishes: dispatch offers (派单) -----------------------------------------------------------------------
def _offer_trials(actor, offer) -> dict[str, Callable[[], object]]:
    s = wish_services
    return {
        "accept": lambda: s.offer_accept(actor=actor, offer=offer),
        "decline": lambda: s.offer_decline(actor=actor, offer=offer, reason="这几天出差"),
        "withdraw": lambda: s.offer_withdraw(actor=actor, offer=offer),
    }


def offer_buttons(client: Client, offer) -> set[str]:
    """The buttons of the offer on the member's 我的派单 and on the wish's 派单 page (staff)."""
    found = set()
    for url in (reverse("wishes:offers"), reverse("wishes:dispatch", kwargs={"code": offer.wish.code})):
        response = client.get(url)
        if response.status_code != 200:
            continue
        html = response.content.decode()
        marker = reverse("wishes:offer-action", kwargs={"pk": offer.pk, "name": "x"})[: -len("x/")]
        found |= {name for name in BUTTON.findall(html) if f'{marker}{name}/"' in html}
    return found


@pytest.mark.parametrize("state", OfferStatus.values)
def test_offer_buttons_api_actions_and_service_agree(state, wish_people, community):
    member = wish_people[Role.PARTY_MEMBER]
    seen = []
    for who, user in {**wish_people, "offered_member": None}.items():
        offered = member if who != "member_at_claim_limit" else wish_people["member_at_claim_limit"]
        wish = WishFactory(community=community, status=WishStatus.OPEN)
        offer = DispatchOffer.objects.create(
            wish=wish, member=offered, offered_by=wish_people[Role.COMMUNITY_STAFF], status=state
        )
        if who == "offered_member":
            user = member
        actor = user if user is not None else _anonymous()
        page, api = clients(user)
        seen.append(
            Seen(
                who,
                set(wish_selectors.offer_actions_for(actor, offer)),
                offer_buttons(page, offer),
                api_actions(
                    api, f"/api/v1/dispatch-offers/{offer.pk}/", "/api/v1/dispatch-offers/", offer.pk
                ),
                accepted(_offer_trials(actor, offer)),
            )
        )
    for one in seen:
        one.check()
    everyone = {name for one in seen for name in one.selector}
    assert everyone == {a for a in OFFER_PERSON_ACTIONS if state in OFFER_MOVES.sources(a)}
    if state == OfferStatus.PENDING:  # the member at the claim limit may decline, not accept
        at_limit = next(one for one in seen if one.who == "member_at_claim_limit")
        assert at_limit.selector == {"decline"}


# --- supervision: reports and orders -------------------------------------------------------------------
def _everyone(role_users) -> dict:
    return {
        **role_users,
        "unit_staff_other": UserFactory(roles=[Role.UNIT_STAFF], unit=UnitFactory()),
        "community_staff_other": UserFactory(roles=[Role.COMMUNITY_STAFF], community=CommunityFactory()),
    }


def _all_sides_agree(people: dict, obj, *, selector, trials, page_url: str, api_url: str, list_url: str):
    seen = []
    for who, user in people.items():
        actor = user if user is not None else _anonymous()
        page, api = clients(user)
        seen.append(
            Seen(
                who,
                set(selector(actor, obj)),
                buttons(page, page_url),
                api_actions(api, api_url, list_url, obj.pk),
                accepted(trials(actor, obj)),
            )
        )
    for one in seen:
        one.check()
    return {name for one in seen for name in one.selector}


@pytest.mark.parametrize("kind", [ReportKind.WEEKLY, ReportKind.TENDAY])
@pytest.mark.parametrize("state", ReportStatus.values)
def test_report_buttons_api_actions_and_service_agree(kind, state, role_users):
    period = supervision_services.report_period(kind, timezone.localdate() - datetime.timedelta(days=40))
    report = Report.objects.create(
        kind=kind,
        period_start=period.start,
        period_end=period.end,
        title="报告",
        status=state,
        generated_at=timezone.now(),
    )

    def trials(actor, report):
        s = supervision_services
        return {
            "approve": lambda: s.report_approve(actor=actor, report=report),
            "publish": lambda: s.report_publish(actor=actor, report=report),
            "regenerate": lambda: s.report_generate(actor=actor, kind=report.kind, period=period),
        }

    everyone = _all_sides_agree(
        _everyone(role_users),
        report,
        selector=report_actions_for,
        trials=trials,
        page_url=reverse("supervision:report", kwargs={"pk": report.pk}),
        api_url=f"/api/v1/reports/{report.pk}/",
        list_url="/api/v1/reports/",
    )
    possible = {a for a in REPORT_MOVES.actions if state in REPORT_MOVES.sources(a)}
    assert everyone == (possible - {"publish"} if kind != ReportKind.TENDAY else possible)


@pytest.mark.parametrize("target", ["project", "wish"])
@pytest.mark.parametrize("state", OrderStatus.values)
def test_order_buttons_api_actions_and_service_agree(target, state, role_users, unit, community):
    if target == "project":
        order = OrderFactory(project=ProjectFactory(lead_unit=unit), status=state)
    else:
        wish = WishFactory(community=community)
        order = OrderFactory(project=None, wish=wish, unit=None, community=community, status=state)

    def trials(actor, order):
        s = supervision_services
        return {
            "answer": lambda: s.order_answer(actor=actor, order=order, answer="已整改到位"),
            "return": lambda: s.order_return(actor=actor, order=order, reason="答复不具体"),
            "close": lambda: s.order_close(actor=actor, order=order),
        }

    everyone = _all_sides_agree(
        _everyone(role_users),
        order,
        selector=order_actions_for,
        trials=trials,
        page_url=reverse("supervision:order", kwargs={"pk": order.pk}),
        api_url=f"/api/v1/orders/{order.pk}/",
        list_url="/api/v1/orders/",
    )
    assert everyone == {a for a in ORDER_MOVES.actions if state in ORDER_MOVES.sources(a)}


# --- surveys: duty items ---------------------------------------------------------------------------------
STATUS_SELECT = re.compile(r'<select name="status"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([a-z_]+)"')


def duty_buttons(client: Client, item) -> set[str]:
    """The moves a duty item's page offers: the statuses of its update form other than its own, and the
    list's one-line form must offer the same."""
    found = set()
    for url in (reverse("surveys:duty", kwargs={"pk": item.pk}), reverse("surveys:duties")):
        response = client.get(url)
        if response.status_code != 200:
            continue
        html = response.content.decode()
        if url.endswith("/duties/"):
            marker = reverse("surveys:duty_status", kwargs={"pk": item.pk})
            start = html.find(marker)
            html = html[start : html.find("</form>", start)] if start >= 0 else ""
            select = re.search(r"<select[^>]*name=\"status\"[^>]*>(.*?)</select>", html, re.S)
        else:
            select = STATUS_SELECT.search(html)
        offered = set(OPTION.findall(select.group(1))) if select else set()
        moves = {duty_move_action(item.status, value) for value in offered - {item.status}}
        if url.endswith("/duties/"):
            assert moves == found, ("list and page differ", moves, found)
        found = moves
    return found


DUTY_API = "/api/v1/surveys/duty-items/"


def _duty_trials(actor, item) -> dict[str, Callable[[], object]]:
    """Each move from the item's state, as the status update it is."""

    def trial(target: str):
        return lambda: survey_services.duty_item_update(actor=actor, duty_item=item, status=target)

    moves = {name: DUTY_MOVES.move(name, item.status) for name in DUTY_MOVES.actions}
    return {name: trial(move.target) for name, move in moves.items() if move is not None}


@pytest.mark.parametrize("state", DutyStatus.values)
def test_duty_item_status_choices_api_actions_and_service_agree(state, role_users, unit):
    item = DutyItemFactory(unit=unit, status=state)
    seen = []
    for who, user in _everyone(role_users).items():
        actor = user if user is not None else _anonymous()
        page, api = clients(user)
        trials = _duty_trials(actor, item)
        seen.append(
            Seen(
                who,
                set(duty_item_actions_for(actor, item)),
                duty_buttons(page, item),
                api_actions(
                    api, f"/api/v1/surveys/duty-items/{item.pk}/", "/api/v1/surveys/duty-items/", item.pk
                ),
                accepted(trials),
            )
        )
    for one in seen:
        one.check()
    assert {n for one in seen for n in one.selector} == {
        a for a in DUTY_MOVES.actions if state in DUTY_MOVES.sources(a)
    }


# --- projects ---------------------------------------------------------------------------------------------
def project_buttons(client: Client, project) -> set[str]:
    """The moves the project's manage page offers: the statuses of its status form."""
    response = client.get(reverse("projects:manage", kwargs={"code": project.code}))
    if response.status_code != 200:
        return set()
    html = response.content.decode()
    form = html[html.find('id="status"') :]
    select = STATUS_SELECT.search(form[: form.find("</section>")])
    offered = set(OPTION.findall(select.group(1))) if select else set()
    return {status_move_action(project.status, value) for value in offered}


def _project_trials(actor, project) -> dict[str, Callable[[], object]]:
    def trial(target: str):
        return lambda: project_services.project_status_change(
            actor=actor, project=project, status=target, reason="按计划调整"
        )

    moves = {name: STATUS_MOVES.move(name, project.status) for name in STATUS_MOVES.actions}
    return {name: trial(move.target) for name, move in moves.items() if move is not None}


@pytest.mark.parametrize("state", ProjectStatus.values)
def test_project_status_choices_api_actions_and_service_agree(state, role_users, unit):
    project = ProjectFactory(lead_unit=unit, status=state)
    seen = []
    for who, user in _everyone(role_users).items():
        actor = user if user is not None else _anonymous()
        page, api = clients(user)
        seen.append(
            Seen(
                who,
                set(project_actions_for(actor, project)),
                project_buttons(page, project),
                api_actions(api, f"/api/v1/projects/{project.code}/"),
                accepted(_project_trials(actor, project)),
            )
        )
        # The list names a project by its code.
        cache.clear()
        rows = api.get("/api/v1/projects/", {"page_size": 200}).json()
        for row in rows["results"] if isinstance(rows, dict) else rows:
            if row["code"] == project.code:
                assert set(row["actions"]) == seen[-1].selector, (who, "list")
    for one in seen:
        one.check()
    assert {n for one in seen for n in one.selector} == {
        a for a in STATUS_MOVES.actions if state in STATUS_MOVES.sources(a)
    }


# --- projects: evaluation (the rounds' window) ---------------------------------------------------------
def evaluation_buttons(client: Client, project) -> set[str]:
    """The evaluation form of the project page (``data-action="evaluate"``)."""
    response = client.get(project.get_absolute_url())
    if response.status_code != 200:
        return set()
    return set(BUTTON.findall(response.content.decode())) & set(EVALUATION_MOVES.actions)


def evaluation_api_actions(client: APIClient, project) -> set[str]:
    response = client.get(f"/api/v1/projects/{project.code}/")
    assert response.status_code == 200
    return set(response.json()["evaluation_actions"])


@pytest.mark.parametrize("window", EvaluationWindow.values)
def test_evaluation_form_api_actions_and_service_agree(window, role_users, unit, community):
    default_criterion()
    today = timezone.localdate()
    if window == EvaluationWindow.OPEN:
        month_round(today)
    else:  # the last round ended yesterday
        EvaluationRound.objects.create(
            name="上一轮",
            starts_on=today - datetime.timedelta(days=20),
            ends_on=today - datetime.timedelta(days=1),
        )
    project = ProjectFactory(lead_unit=unit)
    rated = UserFactory(roles=[Role.RESIDENT], community=community)
    if window == EvaluationWindow.OPEN:
        project_services.evaluation_create(actor=rated, project=project, score=4)
    seen = []
    for who, user in {**_everyone(role_users), "resident_who_rated": rated}.items():
        actor = user if user is not None else _anonymous()
        page, api = clients(user)
        trial = {
            "evaluate": lambda actor=actor: project_services.evaluation_create(
                actor=actor, project=project, score=4
            )
        }
        seen.append(
            Seen(
                who,
                set(evaluation_actions_for(actor, project)),
                evaluation_buttons(page, project),
                evaluation_api_actions(api, project),
                accepted(trial),
            )
        )
    for one in seen:
        one.check()
    evaluators = {one.who for one in seen if one.selector}
    expected = (
        {"resident", "party_member", "supervisor", "admin"} if window == EvaluationWindow.OPEN else set()
    )
    assert evaluators == expected


# --- surveys: answering and paper entry ----------------------------------------------------------------
def _survey_in(state: str, *, allow_anonymous: bool):
    now, day = timezone.now(), datetime.timedelta(days=1)
    opens, closes = {
        SurveyWindow.SCHEDULED: (now + day, now + 30 * day),
        SurveyWindow.CLOSED: (now - 30 * day, now - day),
    }.get(state, (now - day, now + 30 * day))
    return SurveyFactory(
        opens_at=opens,
        closes_at=closes,
        published=state != SurveyWindow.UNPUBLISHED,
        allow_anonymous=allow_anonymous,
    )


def _survey_trials(actor, survey) -> dict[str, Callable[[], object]]:
    s = survey_services
    return {
        "answer": lambda: s.response_submit(actor=actor, survey=survey, answers={}, phone="13900001111"),
        "enter": lambda: s.response_submit(
            actor=actor, survey=survey, answers={}, phone="13900002222", channel=Channel.VISIT
        ),
    }


@pytest.mark.parametrize("allow_anonymous", [True, False])
@pytest.mark.parametrize(
    "state", [SurveyWindow.UNPUBLISHED, SurveyWindow.SCHEDULED, SurveyWindow.OPEN, SurveyWindow.CLOSED]
)
def test_survey_forms_api_actions_and_service_agree(state, allow_anonymous, role_users, community):
    survey = _survey_in(state, allow_anonymous=allow_anonymous)
    answered = UserFactory(roles=[Role.RESIDENT], community=community)
    SurveyResponse.objects.create(survey=survey, respondent=answered, submitted_at=timezone.now())
    people = {**_everyone(role_users), "resident_who_answered": answered}
    seen = []
    for who, user in people.items():
        actor = user if user is not None else _anonymous()
        page, api = clients(user)
        shown = buttons(page, reverse("surveys:answer", kwargs={"pk": survey.pk})) | buttons(
            page, reverse("surveys:enter", kwargs={"pk": survey.pk})
        )
        seen.append(
            Seen(
                who,
                set(survey_actions_for(actor, survey)),
                shown,
                api_actions(api, f"/api/v1/surveys/{survey.pk}/", "/api/v1/surveys/", survey.pk),
                accepted(_survey_trials(actor, survey)),
            )
        )
    for one in seen:
        one.check()
    possible = set(SURVEY_MOVES.actions) if state == SurveyWindow.OPEN else set()
    assert {n for one in seen for n in one.selector} == possible


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
