"""The permission matrix: every URL pattern of the site and every method of every API route, requested as
every role, with the outcome declared here. A URL nobody declared fails ``test_every_url_is_declared``.

Roles: anonymous, resident, party member, unit staff of the object's unit and of another unit, community
staff of the object's community and of another community, supervisor, admin (``ROLES``).

**Adding a URL** (a new page, a new API action, an app merged later): add its name to ``DECLARED`` —
``"app:url-name": [Row("GET", expect(...), args=lambda w: {...})]`` — with the outcome for each role:
an HTTP status, ``"login"`` (redirect to sign-in) or ``"ok"`` (any other redirect: done). Writes are sent
with an empty or invalid body, so a role the server lets through gets 400 (API) or its form again
(pages), and a role it refuses gets 403 / 404 / login; each role's request runs in a transaction that
is rolled back, so one role's request never changes what the next one sees. URL arguments name the
objects of ``World`` (its unit and community are the "right" ones).

The Django admin (``admin:*``) keeps Django's own permission system and is checked at its entry point
(``test_admin_site_is_for_staff_only``). Format-suffix variants of API routes (``….json``) share their
route's row.

``PERMISSION_MATRIX_OBSERVE=1 pytest tests/test_permission_matrix.py -k matrix -s`` prints what each
role gets, to help write a new row (then check every cell against DESIGN before pasting it)."""

import datetime
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jiangyan.core.roles import Role
from notifications.models import Notification
from supervision import services as supervision_services
from supervision.choices import ReportKind
from surveys.choices import QuestionKind
from tests.campaigns.factories import CampaignFactory
from tests.clients import sign_in
from tests.factories import CommunityFactory, MemberFactory, UnitFactory, UserFactory
from tests.matrix import outcome
from tests.projects.factories import (
    IndicatorFactory,
    MilestoneFactory,
    ProjectFactory,
    default_criterion,
    month_round,
)
from tests.supervision.factories import ContactPointFactory, InspectionFactory, OrderFactory
from tests.surveys.factories import (
    DutyItemFactory,
    OptionFactory,
    ProblemItemFactory,
    QuestionFactory,
    ResponseFactory,
    SuggestionFactory,
    SurveyFactory,
)
from tests.wishes.factories import HelpTeamFactory, WishFactory
from wishes.choices import WishStatus
from wishes.models import DispatchOffer

ANON = "anonymous"
RESIDENT, MEMBER = Role.RESIDENT.value, Role.PARTY_MEMBER.value
UNIT, UNIT_OTHER = Role.UNIT_STAFF.value, "unit_staff_other"
COMMUNITY, COMMUNITY_OTHER = Role.COMMUNITY_STAFF.value, "community_staff_other"
SUPERVISOR, ADMIN = Role.SUPERVISOR.value, Role.ADMIN.value
ROLES = [ANON, RESIDENT, MEMBER, UNIT, UNIT_OTHER, COMMUNITY, COMMUNITY_OTHER, SUPERVISOR, ADMIN]
SIGNED_IN = [r for r in ROLES if r != ANON]


def expect(default: Any, **by_role: Any) -> dict[str, Any]:
    """``expect(403, anonymous="login", admin=200)``: the outcome of every role."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


def only(allowed: Any, *roles: str, refused: Any = 403, anonymous: Any = "login") -> dict[str, Any]:
    """``roles`` (and admins) get ``allowed``; other signed-in users ``refused``; visitors ``anonymous``."""
    table = expect(refused, **{ANON: anonymous})
    for role in (*roles, ADMIN):
        table[role] = allowed
    return table


EVERYBODY_200 = expect(200)


@dataclass
class Row:
    """One request of the matrix: ``method``, the outcome per role, the URL's arguments and the body."""

    method: str
    outcomes: dict[str, Any]
    args: Callable[["World"], dict] = field(default=lambda w: {})
    data: Callable[["World"], dict] | None = None
    note: str = ""


# --- the world the requests run in ----------------------------------------------------------------------
@dataclass
class World:
    users: dict[str, Any]
    community: Any
    other_community: Any
    unit: Any
    project: Any
    hidden_project: Any
    milestone: Any
    wish: Any
    submitted_wish: Any
    claimed_wish: Any
    survey: Any
    response: Any
    suggestion: Any
    problem_item: Any
    duty_item: Any
    weekly_report: Any
    bulletin: Any
    project_order: Any
    wish_order: Any
    inspection: Any
    contact_point: Any
    notification: Any
    offer: Any
    criterion: Any
    evaluation_round: Any
    campaign: Any
    help_team: Any


@pytest.fixture
def world(db) -> World:
    community, other_community = CommunityFactory(), CommunityFactory()
    unit, other_unit = UnitFactory(), UnitFactory()
    member = MemberFactory(community=community)
    users = {
        ANON: None,
        RESIDENT: UserFactory(roles=[Role.RESIDENT], community=community),
        MEMBER: member,
        UNIT: UserFactory(roles=[Role.UNIT_STAFF], unit=unit),
        UNIT_OTHER: UserFactory(roles=[Role.UNIT_STAFF], unit=other_unit),
        COMMUNITY: UserFactory(roles=[Role.COMMUNITY_STAFF], community=community),
        COMMUNITY_OTHER: UserFactory(roles=[Role.COMMUNITY_STAFF], community=other_community),
        SUPERVISOR: UserFactory(roles=[Role.SUPERVISOR]),
        ADMIN: UserFactory(roles=[Role.ADMIN], is_staff=True),
    }
    project = ProjectFactory(lead_unit=unit)
    hidden_project = ProjectFactory(lead_unit=unit, is_public=False)
    milestone = MilestoneFactory(project=project, weight=100)
    IndicatorFactory(project=project)
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey, kind=QuestionKind.SINGLE)
    OptionFactory(question=question)
    problem_item = ProblemItemFactory()
    problem_item.projects.add(project)
    wish = WishFactory(community=community, submitted_by=users[RESIDENT])
    return World(
        users=users,
        community=community,
        other_community=other_community,
        unit=unit,
        project=project,
        hidden_project=hidden_project,
        milestone=milestone,
        wish=wish,
        submitted_wish=WishFactory(community=community, status=WishStatus.SUBMITTED),
        claimed_wish=WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member),
        survey=survey,
        response=ResponseFactory(survey=survey, community=community),
        suggestion=SuggestionFactory(problem_item=problem_item, community=community),
        problem_item=problem_item,
        duty_item=DutyItemFactory(problem_item=problem_item, unit=unit),
        weekly_report=_report(ReportKind.WEEKLY, users[SUPERVISOR]),
        bulletin=_report(ReportKind.TENDAY, users[SUPERVISOR], publish=True),
        project_order=OrderFactory(project=project, issued_by=users[SUPERVISOR]),
        wish_order=OrderFactory(
            project=None, wish=wish, unit=None, community=community, issued_by=users[SUPERVISOR]
        ),
        inspection=InspectionFactory(recorded_by=users[SUPERVISOR], communities=[community]),
        contact_point=ContactPointFactory(leader__user=users[SUPERVISOR], community=community),
        notification=Notification.objects.create(
            recipient=users[RESIDENT], reason="test", title="您的心愿已被认领", url="/wishes/mine/"
        ),
        # 派单: an open wish of the community offered to its member, waiting for the answer.
        offer=DispatchOffer.objects.create(
            wish=WishFactory(community=community), member=member, offered_by=users[COMMUNITY]
        ),
        criterion=default_criterion(),
        evaluation_round=month_round(timezone.localdate() - datetime.timedelta(days=40)),
        campaign=CampaignFactory(),
        help_team=HelpTeamFactory(communities=[community], members=[member]),
    )


def _report(kind: str, supervisor, *, publish: bool = False):
    """A report of last month's period as the services make it (approved and published when asked)."""
    period = supervision_services.report_period(kind, timezone.localdate() - datetime.timedelta(days=31))
    report = supervision_services.report_generate(kind=kind, period=period, actor=supervisor)
    if publish:
        report = supervision_services.report_approve(actor=supervisor, report=report)
        report = supervision_services.report_publish(actor=supervisor, report=report)
    return report


def code(obj_name: str) -> Callable[[World], dict]:
    return lambda w: {"code": getattr(w, obj_name).code}


def pk(obj_name: str, kwarg: str = "pk") -> Callable[[World], dict]:
    return lambda w: {kwarg: getattr(w, obj_name).pk}


PROJECT = code("project")
HIDDEN = code("hidden_project")
SURVEY_PK = pk("survey")


# --- the declarations -----------------------------------------------------------------------------------
# Pages that need a signed-in user redirect visitors to sign-in ("login"); the API answers 403 (no
# authentication challenge with session auth). An object outside the reader's scope is a 404.
STAFF_OF_PROJECT = only(200, UNIT, refused=403) | {UNIT_OTHER: 404}
PROJECT_WRITE_PAGE = only(200, UNIT, refused=403) | {UNIT_OTHER: 404}

SITE = {
    "home": [Row("GET", EVERYBODY_200)],
    # No worker or beat runs here: the same 503 for everybody (tests/jiangyan/test_healthz.py has the 200).
    "healthz": [Row("GET", expect(503))],
    "favicon": [Row("GET", expect("ok"), note="a permanent redirect to the static icon")],
    "display-preferences": [Row("POST", expect("ok"), data=lambda w: {"mode": "large"})],
    "set_language": [Row("POST", expect("ok"), data=lambda w: {"language": "en"})],
    "audit-log": [Row("GET", only(200))],
    "audit-export": [Row("GET", only(200))],
    "privacy-requests": [
        Row("GET", only(200)),
        Row("POST", only(400), note="no query code or phone: the form again"),
    ],
    "api-schema": [Row("GET", EVERYBODY_200)],
    "api-docs": [Row("GET", EVERYBODY_200)],
    "api-root": [Row("GET", EVERYBODY_200)],
    "api-token": [Row("POST", expect(400))],
    "api-me": [Row("GET", expect(200, anonymous=403))],
}

ACCOUNTS = {
    "accounts:login": [Row("GET", expect("ok", anonymous=200)), Row("POST", expect("ok", anonymous=200))],
    "accounts:logout": [Row("POST", expect("ok"))],
    "accounts:register": [Row("GET", expect("ok", anonymous=200)), Row("POST", expect("ok", anonymous=200))],
    "accounts:me": [Row("GET", expect(200, anonymous="login"))],
    "accounts:me-data": [Row("GET", expect(200, anonymous="login"))],
    "accounts:me-erase": [Row("POST", expect("ok", anonymous="login"), note="unconfirmed: back to the page")],
    # Everybody changes their own password; the second step is passed already (staff), or not set up
    # (residents and members go to the optional enrolment); the QR code is shown only during an enrolment.
    "accounts:password_change": [
        Row("GET", expect(200, anonymous="login")),
        Row("POST", expect(200, anonymous="login")),
    ],
    "accounts:two_factor": [
        Row("GET", expect("ok", anonymous="login")),
        Row("POST", expect("ok", anonymous="login")),
    ],
    "accounts:two_factor_setup": [
        Row("GET", expect("ok", anonymous="login", resident=200, party_member=200)),
        Row("POST", expect("ok", anonymous="login", resident=200, party_member=200)),
    ],
    "accounts:two_factor_qr": [Row("GET", expect(404))],
    "accounts:recovery_codes": [
        Row("POST", expect(200, anonymous="login", resident="ok", party_member="ok"))
    ],
    # The organisation is public to read (the API).
    "town-list": [Row("GET", EVERYBODY_200)],
    "town-detail": [Row("GET", expect(404), args=lambda w: {"pk": 0})],
    "community-list": [Row("GET", EVERYBODY_200)],
    "community-detail": [Row("GET", EVERYBODY_200, args=lambda w: {"pk": w.community.pk})],
    "unit-list": [Row("GET", EVERYBODY_200)],
    "unit-detail": [Row("GET", EVERYBODY_200, args=lambda w: {"pk": w.unit.pk})],
}

PROJECTS = {
    "projects:showcase": [Row("GET", EVERYBODY_200)],
    "projects:export": [Row("GET", EVERYBODY_200, note="the visible projects only")],
    "projects:workspace": [Row("GET", only(200, UNIT) | {UNIT_OTHER: 200})],
    "projects:import": [Row("GET", only(200)), Row("POST", only(400), note="no file: the form again")],
    "projects:import-confirm": [Row("POST", only("ok"), note="nothing previewed: back to the form")],
    "projects:import-template": [Row("GET", only(200))],
    "projects:years": [Row("GET", only(200))],
    "projects:year-open": [Row("POST", only(400), note="no year: the form again")],
    "projects:year-current": [
        Row("POST", only("ok"), args=lambda w: {"year": w.project.year_id}, note="already current: back")
    ],
    "projects:carry-over": [
        Row("GET", only(200), args=lambda w: {"year": w.project.year_id}),
        Row("POST", only(400), args=lambda w: {"year": w.project.year_id}, note="nothing chosen"),
    ],
    "projects:carry-over-confirm": [
        Row("POST", only("ok"), args=lambda w: {"year": w.project.year_id}, note="nothing previewed: back")
    ],
    "projects:detail": [
        Row("GET", EVERYBODY_200, args=PROJECT),
        Row("GET", expect(404, unit_staff=200, supervisor=200, admin=200), args=HIDDEN, note="non-public"),
    ],
    "projects:ledger": [
        Row("GET", EVERYBODY_200, args=PROJECT),
        Row("GET", expect(404, unit_staff=200, supervisor=200, admin=200), args=HIDDEN),
    ],
    "projects:ledger-xlsx": [
        Row("GET", EVERYBODY_200, args=PROJECT),
        Row("GET", expect(404, unit_staff=200, supervisor=200, admin=200), args=HIDDEN),
    ],
    "projects:evaluate": [
        Row("POST", only(200, SUPERVISOR, MEMBER, RESIDENT), args=PROJECT, note="empty score: the form again")
    ],
    "projects:method": [
        Row("GET", EVERYBODY_200, note="the evaluation method is public"),
        Row("POST", only("ok"), note="only the office sets it; nothing posted: back to the page"),
        Row(
            "POST", only(400), data=lambda w: {"form": "criterion"}, note="an empty criterion: the form again"
        ),
        Row("POST", only(400), data=lambda w: {"form": "round"}, note="an empty round: the form again"),
    ],
    "projects:manage": [Row("GET", STAFF_OF_PROJECT, args=PROJECT)],
    "projects:status": [Row("POST", only(400, UNIT) | {UNIT_OTHER: 404}, args=PROJECT)],
    "projects:statement-new": [Row("POST", PROJECT_WRITE_PAGE, args=PROJECT)],
    "projects:milestone-done": [
        Row("POST", PROJECT_WRITE_PAGE, args=lambda w: {"code": w.project.code, "pk": w.milestone.pk})
    ],
    "projects:indicators": [Row("POST", PROJECT_WRITE_PAGE, args=PROJECT)],
    "projects:photos": [Row("POST", PROJECT_WRITE_PAGE, args=PROJECT)],
    # The lead unit (or the office) files its project under a seasonal campaign; empty: no campaign.
    "projects:campaign": [Row("POST", only("ok", UNIT, refused=403) | {UNIT_OTHER: 404}, args=PROJECT)],
    # API
    "project-list": [Row("GET", EVERYBODY_200)],
    "project-detail": [
        Row("GET", EVERYBODY_200, args=PROJECT),
        Row("GET", expect(404, unit_staff=200, supervisor=200, admin=200), args=HIDDEN),
    ],
    "project-milestones": [Row("GET", EVERYBODY_200, args=PROJECT)],
    "project-statements": [
        Row("GET", EVERYBODY_200, args=PROJECT),
        Row("POST", only(400, UNIT, anonymous=403) | {UNIT_OTHER: 404}, args=PROJECT),
    ],
    "project-evaluations": [
        Row("GET", EVERYBODY_200, args=PROJECT),
        Row("POST", only(400, SUPERVISOR, MEMBER, RESIDENT, anonymous=403), args=PROJECT),
    ],
    "project-indicators": [Row("POST", only(400, UNIT, anonymous=403) | {UNIT_OTHER: 404}, args=PROJECT)],
    "project-milestone-complete": [
        Row(
            "POST",
            only(400, UNIT, anonymous=403) | {UNIT_OTHER: 404},
            args=lambda w: {"code": w.project.code, "milestone_id": w.milestone.pk},
        )
    ],
    "project-status-change": [Row("POST", only(400, UNIT, anonymous=403) | {UNIT_OTHER: 404}, args=PROJECT)],
    "project-unit-evaluations": [Row("GET", only(200, SUPERVISOR, anonymous=403))],
    "evaluation-criterion-list": [
        Row("GET", EVERYBODY_200, note="the evaluation method is public"),
        Row("POST", only(400, anonymous=403), note="only the office sets it"),
    ],
    "evaluation-criterion-detail": [Row("PUT", only(400, anonymous=403), args=pk("criterion"))],
    "evaluation-round-list": [
        Row("GET", EVERYBODY_200),
        Row("POST", only(400, anonymous=403), note="only the office opens rounds"),
    ],
    "evaluation-round-detail": [Row("PUT", only(400, anonymous=403), args=pk("evaluation_round"))],
    "project-campaign-tag": [Row("POST", only(200, UNIT, anonymous=403) | {UNIT_OTHER: 404}, args=PROJECT)],
    "project-years": [Row("GET", EVERYBODY_200)],
}

SURVEY_READERS = only(200, SUPERVISOR)
LIST_READERS = only(200, SUPERVISOR, UNIT) | {UNIT_OTHER: 200}
SURVEYS = {
    "surveys:list": [Row("GET", EVERYBODY_200)],
    "surveys:suggest": [Row("GET", EVERYBODY_200), Row("POST", expect(400))],
    "surveys:suggestion": [Row("GET", EVERYBODY_200, args=pk("suggestion"))],
    "surveys:export_suggestions": [Row("GET", SURVEY_READERS)],
    "surveys:coding": [Row("GET", only(200)), Row("POST", only("ok"), note="nothing chosen: back")],
    "surveys:problems": [Row("GET", LIST_READERS)],
    "surveys:problem": [
        Row("GET", LIST_READERS, args=pk("problem_item")),
        Row("POST", only(400) | {SUPERVISOR: 403, UNIT: 403, UNIT_OTHER: 403}, args=pk("problem_item")),
    ],
    "surveys:duties": [Row("GET", LIST_READERS)],
    "surveys:duty": [
        Row("GET", only(200, SUPERVISOR, UNIT) | {UNIT_OTHER: 404}, args=pk("duty_item")),
        Row("POST", only(400, UNIT) | {SUPERVISOR: 403, UNIT_OTHER: 404}, args=pk("duty_item")),
    ],
    "surveys:duty_status": [
        Row("POST", only("ok", UNIT) | {SUPERVISOR: 404, UNIT_OTHER: 404}, args=pk("duty_item"))
    ],
    "surveys:analytics_index": [Row("GET", only("ok", SUPERVISOR))],
    "surveys:answer": [Row("GET", EVERYBODY_200, args=SURVEY_PK), Row("POST", expect(400), args=SURVEY_PK)],
    "surveys:thanks": [Row("GET", EVERYBODY_200, args=SURVEY_PK)],
    "surveys:enter": [
        Row("GET", only(200, COMMUNITY) | {COMMUNITY_OTHER: 200}, args=SURVEY_PK),
        Row("POST", only(400, COMMUNITY) | {COMMUNITY_OTHER: 400}, args=SURVEY_PK),
    ],
    "surveys:import": [Row("GET", only(200), args=SURVEY_PK), Row("POST", only(400), args=SURVEY_PK)],
    "surveys:import_template": [Row("GET", only(200), args=SURVEY_PK)],
    "surveys:analytics": [Row("GET", SURVEY_READERS, args=SURVEY_PK)],
    "surveys:analytics_json": [Row("GET", SURVEY_READERS, args=SURVEY_PK)],
    "surveys:export_responses": [Row("GET", SURVEY_READERS, args=SURVEY_PK)],
    # API
    "survey-list": [Row("GET", EVERYBODY_200)],
    "survey-detail": [Row("GET", EVERYBODY_200, args=SURVEY_PK)],
    "survey-response-list": [
        Row("GET", only(200, SUPERVISOR, COMMUNITY, anonymous=403) | {COMMUNITY_OTHER: 200}),
        Row("POST", expect(400)),
    ],
    "survey-response-detail": [
        Row(
            "GET",
            only(200, SUPERVISOR, COMMUNITY, anonymous=403) | {COMMUNITY_OTHER: 404},
            args=pk("response"),
        )
    ],
    "survey-suggestion-list": [Row("GET", only(200, SUPERVISOR, anonymous=403)), Row("POST", expect(400))],
    "survey-suggestion-detail": [Row("GET", only(200, SUPERVISOR, anonymous=403), args=pk("suggestion"))],
    "survey-suggestion-code": [Row("POST", only(400, anonymous=403))],
    "survey-suggestion-code-items": [Row("POST", only(400, anonymous=403), args=pk("suggestion"))],
    "problem-item-list": [Row("GET", only(200, SUPERVISOR, UNIT, anonymous=403) | {UNIT_OTHER: 200})],
    "problem-item-detail": [
        Row("GET", only(200, SUPERVISOR, UNIT, anonymous=403) | {UNIT_OTHER: 200}, args=pk("problem_item"))
    ],
    "problem-item-link-projects": [Row("POST", only(400, anonymous=403), args=pk("problem_item"))],
    "duty-item-list": [
        Row("GET", only(200, SUPERVISOR, UNIT, anonymous=403) | {UNIT_OTHER: 200}),
        Row("POST", only(400, anonymous=403)),
    ],
    "duty-item-detail": [
        Row("GET", only(200, SUPERVISOR, UNIT, anonymous=403) | {UNIT_OTHER: 404}, args=pk("duty_item")),
        Row(
            "PATCH",
            only(200, UNIT, anonymous=403) | {SUPERVISOR: 404, UNIT_OTHER: 404},
            args=pk("duty_item"),
            note="an empty change is a valid no-op",
        ),
    ],
}

WISHES = {
    "wishes:board": [Row("GET", EVERYBODY_200)],
    "wishes:new": [Row("GET", EVERYBODY_200), Row("POST", expect(200))],
    "wishes:submitted": [Row("GET", expect("ok"), note="nothing submitted in this session: to the form")],
    "wishes:track": [Row("GET", EVERYBODY_200), Row("POST", expect("ok"))],
    "wishes:track-lookup": [Row("POST", expect(200))],
    "wishes:mine": [Row("GET", expect(200, anonymous="login"))],
    "wishes:my-claims": [Row("GET", expect(200, anonymous="login"))],
    "wishes:manage": [Row("GET", only(200, COMMUNITY) | {COMMUNITY_OTHER: 200})],
    "wishes:manage-new": [
        Row("GET", only(200, COMMUNITY) | {COMMUNITY_OTHER: 200}),
        Row("POST", only(200, COMMUNITY) | {COMMUNITY_OTHER: 200}),
    ],
    # 派单: the queue and a wish's page for its community's staff (another community's wish: 404); a
    # member's offers; an offer's answer by whoever sees it (the service decides: the member, the staff).
    "wishes:dispatch-queue": [Row("GET", only(200, COMMUNITY) | {COMMUNITY_OTHER: 200})],
    "wishes:dispatch": [
        Row("GET", only(200, COMMUNITY) | {COMMUNITY_OTHER: 404}, args=code("wish")),
        Row(
            "POST",
            only(200, COMMUNITY) | {COMMUNITY_OTHER: 404},
            args=code("wish"),
            note="no member chosen: the page again",
        ),
    ],
    "wishes:offers": [Row("GET", only(200, MEMBER))],
    "wishes:offer-action": [
        Row(
            "POST",
            only("ok", MEMBER, COMMUNITY, SUPERVISOR, refused=404),
            args=lambda w: {"pk": w.offer.pk, "name": "decline"},
            note="no reason: back to the page with the form's message",
        ),
        Row(
            "POST",
            only("ok", COMMUNITY, refused=404) | {MEMBER: 403, SUPERVISOR: 403},
            args=lambda w: {"pk": w.offer.pk, "name": "withdraw"},
            note="seen but not theirs to withdraw (the member, supervisors): 403",
        ),
        Row(
            "POST",
            expect(404, anonymous="login"),
            args=lambda w: {"pk": w.offer.pk, "name": "nonsense"},
        ),
    ],
    "wishes:card": [Row("GET", EVERYBODY_200, args=lambda w: {"community_id": w.community.pk})],
    "wishes:members": [Row("GET", EVERYBODY_200)],
    # Help teams: party members read their own teams, supervisors and the office every one; the office alone
    # sets them up (an empty form: 400).
    "wishes:teams": [
        Row("GET", only(200, MEMBER, SUPERVISOR)),
        Row("POST", only(400), note="only the office sets up teams; members and supervisors read"),
    ],
    "wishes:team": [
        Row("GET", only(200, MEMBER, SUPERVISOR), args=pk("help_team"), note="the member is in the team"),
        Row("POST", only(400), args=pk("help_team"), note="only the office changes a team"),
    ],
    "wishes:detail": [
        Row("GET", EVERYBODY_200, args=code("wish")),
        Row(
            "GET",
            expect(404, community_staff=200, supervisor=200, admin=200),
            args=code("submitted_wish"),
            note="awaiting review: not public",
        ),
    ],
    "wishes:action": [
        Row(
            "POST",
            only("ok", MEMBER) | {SUPERVISOR: 403},
            args=lambda w: {"code": w.wish.code, "name": "claim"},
            data=lambda w: {"promised_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
        ),
        Row(
            "POST",
            only("ok", COMMUNITY, refused=404) | {SUPERVISOR: 403},
            args=lambda w: {"code": w.submitted_wish.code, "name": "approve"},
            note="not visible: 404; visible but not theirs to review (supervisors): 403",
        ),
        Row(
            "POST",
            only("ok", COMMUNITY),
            args=lambda w: {"code": w.wish.code, "name": "campaign"},
            note="its community's staff file it under a campaign (empty: none); another community's: 403",
        ),
        Row(
            "POST",
            expect(404, anonymous="login"),
            args=lambda w: {"code": w.wish.code, "name": "nonsense"},
        ),
    ],
    # API
    "wish-list": [Row("GET", EVERYBODY_200), Row("POST", expect(400))],
    "wish-detail": [
        Row("GET", EVERYBODY_200, args=code("wish")),
        Row("GET", EVERYBODY_200, args=pk("wish", "code"), note="the numeric id of the first URLs"),
        Row(
            "GET",
            expect(404, community_staff=200, supervisor=200, admin=200),
            args=code("submitted_wish"),
        ),
    ],
    "wish-claim": [Row("POST", only(200, MEMBER, anonymous=403), args=code("wish"), note="the default date")],
    "wish-release": [Row("POST", only(400, MEMBER, anonymous=403) | {ADMIN: 400}, args=code("claimed_wish"))],
    "wish-fulfil": [Row("POST", only(400, MEMBER, anonymous=403), args=code("claimed_wish"))],
    "wish-approve": [
        Row(
            "POST",
            only(200, COMMUNITY, anonymous=403) | {COMMUNITY_OTHER: 404},
            args=code("submitted_wish"),
        )
    ],
    "wish-reject": [
        Row(
            "POST",
            only(400, COMMUNITY, anonymous=403) | {COMMUNITY_OTHER: 404},
            args=code("submitted_wish"),
        )
    ],
    "wish-feedback": [Row("POST", expect(400), args=code("wish"))],
    "wish-dispatch": [
        Row(
            "POST",
            only(400, COMMUNITY, anonymous=403) | {COMMUNITY_OTHER: 404},
            args=code("wish"),
            note="no member: 400; another community's wish: 404",
        )
    ],
    "dispatch-offer-list": [Row("GET", expect(200, anonymous=403))],
    "dispatch-offer-detail": [
        Row("GET", only(200, MEMBER, COMMUNITY, SUPERVISOR, anonymous=403, refused=404), args=pk("offer"))
    ],
    "dispatch-offer-accept": [
        Row(
            "POST", only(200, MEMBER, anonymous=403) | {ADMIN: 403}, args=pk("offer"), note="the default date"
        )
    ],
    "dispatch-offer-decline": [
        Row("POST", only(400, MEMBER, anonymous=403), args=pk("offer"), note="no reason (the body first)")
    ],
    "dispatch-offer-withdraw": [
        Row(
            "POST",
            only(200, COMMUNITY, SUPERVISOR, MEMBER, anonymous=403, refused=404)
            | {SUPERVISOR: 403, MEMBER: 403},
            args=pk("offer"),
        )
    ],
    "wish-campaign": [
        Row("POST", only(200, COMMUNITY, anonymous=403), args=code("wish"), note="another community's: 403")
    ],
    "help-team-list": [
        Row("GET", only(200, MEMBER, SUPERVISOR, anonymous=403), note="a member's own teams"),
        Row("POST", only(400, anonymous=403), note="only the office sets up teams"),
    ],
    "help-team-detail": [
        Row("GET", only(200, MEMBER, SUPERVISOR, anonymous=403), args=pk("help_team")),
        Row("PUT", only(400, anonymous=403), args=pk("help_team"), note="only the office changes a team"),
    ],
    "help-team-queue": [Row("GET", only(200, MEMBER, SUPERVISOR, anonymous=403), args=pk("help_team"))],
    "wish-withdraw": [
        Row(
            "POST",
            only(200, COMMUNITY, anonymous=403),
            args=code("submitted_wish"),
            note="the wisher (account or query code) or staff of its community",
        )
    ],
}

SUPERVISION_READERS = only(200, SUPERVISOR)
ORDER_STAFF = only(200, SUPERVISOR, UNIT, COMMUNITY) | {UNIT_OTHER: 200, COMMUNITY_OTHER: 200}
# An order outside the reader's unit or community is not found (404) for every staff role.
PROJECT_ORDER = only(200, SUPERVISOR, UNIT) | {UNIT_OTHER: 404, COMMUNITY: 404, COMMUNITY_OTHER: 404}
SUPERVISION = {
    "supervision:dashboard": [Row("GET", SUPERVISION_READERS)],
    "supervision:bulletins": [Row("GET", EVERYBODY_200)],
    "supervision:bulletin": [
        Row("GET", EVERYBODY_200, args=pk("bulletin"), note="published: public"),
        Row("GET", expect(404), args=pk("weekly_report"), note="not a published bulletin"),
    ],
    "supervision:bulletin-xlsx": [Row("GET", EVERYBODY_200, args=pk("bulletin"))],
    "supervision:reports": [Row("GET", SUPERVISION_READERS)],
    "supervision:report": [Row("GET", SUPERVISION_READERS, args=pk("weekly_report"))],
    "supervision:report-xlsx": [Row("GET", SUPERVISION_READERS, args=pk("weekly_report"))],
    "supervision:report-mine": [
        Row(
            "GET",
            only(200, UNIT, COMMUNITY) | {UNIT_OTHER: 200, COMMUNITY_OTHER: 200},
            args=pk("weekly_report"),
            note="each sees only its own unit's or community's part",
        )
    ],
    "supervision:report-action": [
        Row("POST", only("ok", SUPERVISOR), args=lambda w: {"pk": w.weekly_report.pk, "name": "approve"}),
        Row("POST", only(404, SUPERVISOR), args=lambda w: {"pk": w.weekly_report.pk, "name": "nonsense"}),
    ],
    "supervision:orders": [Row("GET", ORDER_STAFF)],
    "supervision:order-new": [Row("GET", only(200, SUPERVISOR)), Row("POST", only(400, SUPERVISOR))],
    "supervision:order-targets": [Row("GET", only(200, SUPERVISOR))],
    "supervision:order": [
        Row("GET", PROJECT_ORDER, args=pk("project_order")),
        Row(
            "GET",
            only(200, SUPERVISOR, COMMUNITY) | {UNIT: 404, UNIT_OTHER: 404, COMMUNITY_OTHER: 404},
            args=pk("wish_order"),
        ),
    ],
    "supervision:order-action": [
        Row(
            "POST",
            PROJECT_ORDER | {SUPERVISOR: 400, UNIT: 400, ADMIN: 400},
            args=lambda w: {"pk": w.project_order.pk, "name": "answer"},
            note="an empty answer: the form again",
        ),
    ],
    "supervision:inspections": [Row("GET", SUPERVISION_READERS)],
    "supervision:inspection-new": [Row("GET", SUPERVISION_READERS), Row("POST", only(400, SUPERVISOR))],
    "supervision:inspection": [Row("GET", SUPERVISION_READERS, args=pk("inspection"))],
    "supervision:contact-points": [
        Row("GET", SUPERVISION_READERS),
        Row("POST", only(400), note="only the office assigns; supervisors read"),
    ],
    "supervision:leaders": [
        Row("GET", SUPERVISION_READERS),
        Row("POST", only(400), note="only the office records leaders; supervisors read"),
    ],
    "supervision:contact-point-remove": [Row("POST", only("ok"), args=pk("contact_point"))],
    "notifications:list": [Row("GET", expect(200, anonymous="login"))],
    "notifications:read-all": [Row("POST", expect("ok", anonymous="login"))],
    "notifications:open": [
        Row(
            "GET",
            expect(404, anonymous="login", resident="ok"),
            args=pk("notification"),
            note="its recipient's",
        )
    ],
    # API
    "report-list": [Row("GET", EVERYBODY_200, note="published bulletins; every report for supervisors")],
    "report-detail": [
        Row("GET", EVERYBODY_200, args=pk("bulletin")),
        Row("GET", expect(404, supervisor=200, admin=200), args=pk("weekly_report")),
    ],
    "report-approve": [Row("POST", only(200, SUPERVISOR, anonymous=403), args=pk("weekly_report"))],
    "report-publish": [
        Row("POST", only(400, SUPERVISOR, anonymous=403), args=pk("weekly_report"), note="not approved yet")
    ],
    "order-list": [Row("GET", ORDER_STAFF | {ANON: 403}), Row("POST", only(400, SUPERVISOR, anonymous=403))],
    "order-detail": [
        Row(
            "GET",
            PROJECT_ORDER | {ANON: 403},
            args=pk("project_order"),
        )
    ],
    "order-answer": [
        Row(
            "POST",
            only(400, UNIT, COMMUNITY, anonymous=403)
            | {UNIT_OTHER: 404, COMMUNITY: 404, COMMUNITY_OTHER: 404},
            args=pk("project_order"),
        )
    ],
    "order-return-": [Row("POST", only(400, SUPERVISOR, anonymous=403), args=pk("project_order"))],
    "order-close": [
        Row("POST", only(409, SUPERVISOR, anonymous=403), args=pk("project_order"), note="not answered yet")
    ],
    "inspection-list": [
        Row("GET", only(200, SUPERVISOR, anonymous=403)),
        Row("POST", only(400, SUPERVISOR, anonymous=403)),
    ],
    "inspection-detail": [Row("GET", only(200, SUPERVISOR, anonymous=403), args=pk("inspection"))],
    "leader-list": [
        Row("GET", only(200, SUPERVISOR, anonymous=403)),
        Row("POST", only(400, anonymous=403), note="only the office records leaders"),
    ],
    "contact-point-list": [
        Row("GET", only(200, SUPERVISOR, anonymous=403)),
        Row("POST", only(400, anonymous=403), note="only the office assigns"),
    ],
    "contact-point-detail": [
        Row("DELETE", only(204, anonymous=403), args=pk("contact_point"), note="only the office ends one")
    ],
    "notification-list": [Row("GET", expect(200, anonymous=403))],
    "notification-read-all": [Row("POST", expect(200, anonymous=403))],
    "notification-read": [
        Row("POST", expect(404, anonymous=403, resident=200), args=pk("notification"), note="its recipient's")
    ],
}

# Seasonal campaigns (四季活动): public pages and API; the office creates and changes them.
CAMPAIGNS = {
    "campaigns:list": [Row("GET", EVERYBODY_200)],
    "campaigns:detail": [
        Row("GET", EVERYBODY_200, args=pk("campaign")),
        Row("GET", expect(404), args=lambda w: {"pk": 987654}),
    ],
    "campaign-list": [
        Row("GET", EVERYBODY_200),
        Row("POST", only(400, anonymous=403), note="only the office defines campaigns"),
    ],
    "campaign-detail": [
        Row("GET", EVERYBODY_200, args=pk("campaign")),
        Row("PUT", only(400, anonymous=403), args=pk("campaign"), note="only the office changes campaigns"),
    ],
}

DECLARED: dict[str, list[Row]] = {
    **SITE,
    **ACCOUNTS,
    **PROJECTS,
    **SURVEYS,
    **WISHES,
    **SUPERVISION,
    **CAMPAIGNS,
}


# --- the URLconf ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str
    route: str
    methods: tuple[str, ...]  # API routes: the methods their viewset maps; pages: () (declared by rows)


FORMAT_SUFFIX = re.compile(r"\(\?P<format>")


WRITE_AND_READ = ("get", "post", "put", "patch", "delete")  # HEAD and OPTIONS follow GET and the route


def _methods_of(callback) -> tuple[str, ...]:
    """The methods an API route answers: its viewset's action map, or its view's handlers."""
    actions = getattr(callback, "actions", None)
    if actions:
        return tuple(sorted(m.upper() for m in actions if m in WRITE_AND_READ))
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    handlers = getattr(view_class, "http_method_names", ())
    return tuple(sorted(m.upper() for m in WRITE_AND_READ if m in handlers and hasattr(view_class, m)))


def routes(patterns=None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every named URL pattern (API format-suffix variants and the Django admin left out: see the module
    docstring)."""
    found: list[Route] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue
            found += routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if FORMAT_SUFFIX.search(route):
                continue
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"
            is_api = route.startswith("api/v1/")
            found.append(Route(name, route, _methods_of(entry.callback) if is_api else ()))
    return found


def undeclared() -> list[str]:
    """Each URL (and API method) of the URLconf without a row, as a line of the failure message."""
    missing = []
    for route in routes():
        if route.name.startswith("<unnamed ^media/"):
            continue  # uploaded files (DEBUG or SERVE_MEDIA only): served by the web server in production
        rows = DECLARED.get(route.name)
        if not rows:
            missing.append(f"  {route.name!r} (/{route.route}): no row")
            continue
        declared = {row.method for row in rows}
        for method in route.methods:
            if method not in declared:
                missing.append(f"  {route.name!r} (/{route.route}): no row for {method}")
    return missing


def test_every_url_is_declared():
    missing = undeclared()
    assert not missing, (
        "URLs without a declaration in tests/test_permission_matrix.py (add them to DECLARED with the "
        "outcome for every role):\n" + "\n".join(missing)
    )


def _surprise(request):
    raise AssertionError("never requested")


# A URLconf with one page nobody declared, for the test of the test below.
urlpatterns = [path("surprise/<int:pk>/", _surprise, name="surprise"), path("", include("jiangyan.urls"))]


def test_an_undeclared_url_fails_with_its_name_and_path(settings):
    settings.ROOT_URLCONF = __name__
    assert undeclared() == ["  'surprise' (/surprise/<int:pk>/): no row"]


def test_no_declaration_outlives_its_url():
    names = {route.name for route in routes()}
    stale = sorted(set(DECLARED) - names)
    assert not stale, f"declared in tests/test_permission_matrix.py but not in the URLconf: {stale}"


def test_the_matrix_is_large():
    cases = sum(len(rows) for rows in DECLARED.values()) * len(ROLES)
    assert cases >= 1400, cases


# --- the requests ---------------------------------------------------------------------------------------
CASES = [
    pytest.param(name, index, id=f"{name}-{row.method}-{index}")
    for name, rows in DECLARED.items()
    for index, row in enumerate(rows)
]


def _request(world: World, role: str, name: str, row: Row):
    url = reverse(name, kwargs=row.args(world))
    is_api = url.startswith("/api/")
    client = APIClient() if is_api else Client()
    user = world.users[role]
    if user is not None:
        user._role_cache = None
        sign_in(client, user)
    data = row.data(world) if row.data else {}
    send = getattr(client, row.method.lower())
    if is_api and row.method != "GET":
        return send(url, data, format="json")
    return send(url, data)


@pytest.mark.parametrize("name,index", CASES)
def test_matrix(world, name, index):
    row = DECLARED[name][index]
    got: dict[str, Any] = {}
    for role in ROLES:
        with transaction.atomic():
            got[role] = outcome(_request(world, role, name, row))
            transaction.set_rollback(True)
    if os.environ.get("PERMISSION_MATRIX_OBSERVE"):
        print(f"\n{name} {row.method}[{index}]: {got}")
    wrong = {role: (row.outcomes[role], got[role]) for role in ROLES if got[role] != row.outcomes[role]}
    assert not wrong, f"{row.method} {name} {row.note}: role → (expected, got) {wrong}"


def test_admin_site_is_for_staff_only(world):
    for role in ROLES:
        response = Client()
        if world.users[role] is not None:
            sign_in(response, world.users[role])
        answer = response.get("/admin/")
        expected = 200 if role == ADMIN else "login"
        got = (
            200
            if answer.status_code == 200
            else ("login" if "/admin/login/" in answer.get("Location", "") else answer.status_code)
        )
        assert got == expected, (role, answer.status_code)
