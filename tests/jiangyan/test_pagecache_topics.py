"""Freshness by topic: a change refreshes what it affects, at once, and nothing else.

``test_every_change_shows_at_once`` walks every audit verb the apps register: for each, a page that shows
what the verb changes is opened until it is served from the cache, the change is made through its service,
and the next request must be exactly what the page is without any cache — and differ from before (so the
page really shows the change). A new verb without a walk here fails ``test_every_verb_is_walked``."""

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from campaigns import services as campaigns
from campaigns.choices import Season
from jiangyan.core.pagecache import EVERYTHING
from jiangyan.core.roles import Role
from jiangyan.core.site import change_topics
from jiangyan.models import VERB_LABELS, AuditEvent
from projects import services as projects
from projects.models import CampaignYear
from supervision import services as supervision
from supervision.choices import InspectionKind, LeadingBody, ReportKind
from surveys import services as surveys
from tests.campaigns.factories import CampaignFactory
from tests.clients import sign_in
from tests.factories import CommunityFactory, MemberFactory, TownFactory, UnitFactory, UserFactory
from tests.projects.factories import (
    DomainFactory,
    EvaluationFactory,
    IndicatorFactory,
    MilestoneFactory,
    ProgramFactory,
    ProjectFactory,
    TargetGroupFactory,
    default_criterion,
    open_evaluation,
)
from tests.projects.sheets import project_rows, workbook_bytes
from tests.supervision.factories import ContactPointFactory, LeaderFactory
from tests.surveys.factories import (
    DutyItemFactory,
    ProblemItemFactory,
    SuggestionFactory,
    import_row,
    import_sheet,
    survey_with_every_kind,
    valid_answers,
)
from tests.wishes.factories import HelpTeamFactory, WishFactory
from wishes import services as wishes
from wishes.choices import WishStatus

# Each change commits as far as the cache can tell: its on-commit callbacks (the topics' move) run at once.
pytestmark = pytest.mark.django_db

# Verbs no cached page shows: a reading of personal data, and a new resident's account (nobody lists those).
# Sign-in events (accounts.services) change no page, nor do the shared core's readings and security events
# (an admin change refreshes everything itself: ``pagecache.admin_changed``).
NOT_SHOWN = (
    {"personal_data.view", "account.register"}
    | {v for v in VERB_LABELS if v.startswith("auth.")}
    | set(apps.get_app_config("jiangyan").audit_verbs)
    # Erasing contact details: the public sees them masked, and masked they stay; full ones are drawn per
    # request for those entitled (never from a shared cached page).
    | {"wish.contact_erase", "survey.phones_erase"}
)


@dataclass
class Walk:
    url: str
    change: Callable[[], object]
    reader: object = None  # None: an anonymous visitor


class World:
    """The people and places the walks need; everything else each walk makes for itself."""

    def __init__(self):
        self.community = CommunityFactory(name="天目社区")
        self.unit = UnitFactory(name="区教育局")
        self.liaison = UserFactory(roles=[Role.UNIT_STAFF], unit=self.unit)
        self.worker = UserFactory(roles=[Role.COMMUNITY_STAFF], community=self.community)
        self.member = MemberFactory(community=self.community, real_name="党员王强")
        self.resident = UserFactory(roles=[Role.RESIDENT], community=self.community)
        self.supervisor = UserFactory(roles=[Role.SUPERVISOR])
        self.admin = UserFactory(roles=[Role.ADMIN], is_staff=True)
        self.today = timezone.localdate()

    def project(self, **fields):
        return ProjectFactory(lead_unit=self.unit, **fields)

    def wish(self, status=WishStatus.OPEN, **fields):
        return WishFactory(community=self.community, status=status, title=f"心愿{status}", **fields)

    def wish_fields(self, title: str) -> dict:
        return {
            "community": self.community,
            "channel": "online",
            "title": title,
            "text": "三单元楼道灯坏了一个多月，晚上老人上下楼不方便。",
            "category": "repair",
            "wisher_name": "王秀英",
            "wisher_phone": "13952600000",
        }

    def order(self, **fields):
        project = self.project()
        return supervision.order_issue(
            actor=self.supervisor,
            project=project,
            reason="节点滞后",
            required_action="一周内整改",
            deadline=self.today + datetime.timedelta(days=7),
        )

    def chain(self):
        """A suggestion coded to a problem item (what a suggestion's public page traces)."""
        item = ProblemItemFactory(title="老旧小区缺少电梯")
        suggestion = SuggestionFactory(
            text="希望给我们老小区装电梯，老人上楼太难了", community=self.community
        )
        return item, suggestion

    def tenday(self):
        return supervision.report_period(ReportKind.TENDAY, self.today - datetime.timedelta(days=15))


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return SimpleUploadedFile("site.png", buffer.getvalue(), content_type="image/png")


def _project_status(w: World) -> Walk:
    p = w.project(status="not_started")
    return Walk(
        p.get_absolute_url(),
        lambda: projects.project_status_change(
            actor=w.liaison, project=p, status="in_progress", reason="开工"
        ),
    )


def _statement(w: World) -> Walk:
    p = w.project()
    return Walk(
        p.get_absolute_url(),
        lambda: projects.statement_create(
            actor=w.liaison,
            project=p,
            period_start=w.today - datetime.timedelta(days=7),
            period_end=w.today,
            text="本周完成电梯井道施工",
        ),
    )


def _milestone(w: World) -> Walk:
    p = w.project()
    m = MilestoneFactory(project=p, weight=100, planned_date=w.today)
    return Walk(
        p.get_absolute_url(),
        lambda: projects.milestone_complete(
            actor=w.liaison, milestone=m, done_date=w.today, evidence="验收单"
        ),
    )


def _indicator(w: World) -> Walk:
    p = w.project()
    i = IndicatorFactory(project=p)
    return Walk(
        p.get_absolute_url(),
        lambda: projects.indicator_update(actor=w.liaison, project=p, values={i.pk: Decimal("37")}),
    )


def _photo(w: World) -> Walk:
    p = w.project()
    return Walk(
        p.get_absolute_url(),
        lambda: projects.photo_add(actor=w.liaison, project=p, images=[png()], caption="施工现场"),
    )


def _evaluate(w: World) -> Walk:
    p = w.project()
    open_evaluation()
    return Walk(
        p.get_absolute_url(),
        lambda: projects.evaluation_create(actor=w.resident, project=p, score=5, comment="电梯装好了，谢谢"),
    )


def _criterion(w: World) -> Walk:
    p = w.project()
    EvaluationFactory(project=p, score=4)  # the project page shows its score of each criterion
    return Walk(
        p.get_absolute_url(),
        lambda: projects.criterion_set(
            actor=w.admin,
            criterion=default_criterion(),
            name="总体满意度",
            weight_party_member=1,
            weight_supervisor=1,
            weight_resident=2,
        ),
    )


def _round(w: World) -> Walk:
    p = w.project()  # its page says whether evaluation is open
    return Walk(
        p.get_absolute_url(),
        lambda: projects.evaluation_round_set(
            actor=w.admin, name="第一轮", starts_on=w.today, ends_on=w.today + datetime.timedelta(days=14)
        ),
    )


def _import(w: World) -> Walk:
    town = TownFactory(name="溱潼镇")
    # The lookups the sheet names (a transactional test elsewhere may have emptied the migrations' ones).
    ProgramFactory(name="利民惠民")
    DomainFactory(name="养老")
    TargetGroupFactory(name="老年")
    TargetGroupFactory(name="低收入")
    rows = project_rows(1, unit=w.unit.name, town=town.name, start=w.today - datetime.timedelta(days=30))
    return Walk("/projects/", lambda: projects.projects_import(actor=w.admin, upload=workbook_bytes(rows)))


def _year_open(w: World) -> Walk:
    w.project()  # the current year's list, on the showcase until the next year opens
    return Walk("/projects/", lambda: projects.campaign_year_open(actor=w.admin, year=2090))


def _year_current(w: World) -> Walk:
    w.project()
    CampaignYear.objects.create(year=2090)
    return Walk("/projects/", lambda: projects.campaign_year_make_current(actor=w.admin, year=2090))


def _carry_over(w: World) -> Walk:
    p = w.project()
    CampaignYear.objects.create(year=2090)
    return Walk(
        p.get_absolute_url(),  # last year's page links to the project continuing it
        lambda: projects.projects_carry_over(actor=w.admin, year=2090, codes=[p.code]),
    )


def _carried_in(w: World) -> Walk:
    p = w.project()
    CampaignYear.objects.create(year=2090)
    return Walk(
        "/projects/?year=2090", lambda: projects.projects_carry_over(actor=w.admin, year=2090, codes=[p.code])
    )


def _wish_submit(w: World) -> Walk:
    return Walk("/", lambda: wishes.wish_create(actor=AnonymousUser(), **w.wish_fields("楼道灯坏了")))


def _wish_enter(w: World) -> Walk:
    return Walk("/wishes/", lambda: wishes.wish_create(actor=w.worker, **w.wish_fields("代登记：修路灯")))


def _wish_approve(w: World) -> Walk:
    wish = w.wish(WishStatus.SUBMITTED)
    return Walk("/wishes/", lambda: wishes.wish_approve(actor=w.worker, wish=wish))


def _wish_route(w: World) -> Walk:
    HelpTeamFactory(communities=[w.community], members=[w.member])
    wish = w.wish(WishStatus.SUBMITTED, category="supplies", urgent=True)
    return Walk("/wishes/", lambda: wishes.wish_approve(actor=w.worker, wish=wish))


def _help_team_save(w: World) -> Walk:
    return Walk(
        "/dashboard/",
        lambda: wishes.help_team_save(
            actor=w.admin,
            kind="help",
            name="天目社区生活帮帮团",
            communities=[w.community],
            members=[w.member],
        ),
        reader=w.supervisor,
    )


def _wish_reject(w: World) -> Walk:
    wish = w.wish(WishStatus.SUBMITTED)
    return Walk(
        "/wishes/?status=rejected",
        lambda: wishes.wish_reject(actor=w.worker, wish=wish, reason="不属于微心愿"),
        reader=w.worker,
    )


def _wish_claim(w: World) -> Walk:
    wish = w.wish()
    return Walk("/wishes/?status=claimed", lambda: wishes.wish_claim(actor=w.member, wish=wish))


def _wish_release(w: World) -> Walk:
    wish = w.wish(WishStatus.CLAIMED, claimed_by=w.member)
    return Walk("/wishes/", lambda: wishes.wish_release(actor=w.member, wish=wish, reason="临时出差"))


def _wish_fulfil(w: World) -> Walk:
    wish = w.wish(WishStatus.CLAIMED, claimed_by=w.member)
    return Walk(f"/wishes/{wish.code}/", lambda: wishes.wish_fulfil(actor=w.member, wish=wish, note="已修好"))


def _wish_feedback(w: World) -> Walk:
    wish = w.wish(WishStatus.FULFILLED, claimed_by=w.member, submitted_by=w.resident)
    return Walk(
        f"/wishes/{wish.code}/",
        lambda: wishes.wish_feedback(actor=w.resident, wish=wish, satisfaction="satisfied", comment="很满意"),
    )


def _wish_reopen(w: World) -> Walk:
    wish = w.wish(WishStatus.FULFILLED, claimed_by=w.member, submitted_by=w.resident)
    return Walk(
        f"/wishes/{wish.code}/",
        lambda: wishes.wish_feedback(
            actor=w.resident, wish=wish, satisfaction="unsatisfied", comment="还是漏水"
        ),
    )


def _wish_withdraw(w: World) -> Walk:
    wish = w.wish(submitted_by=w.resident)
    return Walk("/wishes/", lambda: wishes.wish_withdraw(actor=w.resident, wish=wish, reason="已自行解决"))


def _offered(w: World):
    wish = w.wish()
    return wish, wishes.wish_dispatch(actor=w.worker, wish=wish, member=w.member)


def _wish_dispatch(w: World) -> Walk:
    wish = w.wish()
    return Walk(  # the wish's page says a member has been arranged
        f"/wishes/{wish.code}/", lambda: wishes.wish_dispatch(actor=w.worker, wish=wish, member=w.member)
    )


def _wish_dispatch_accept(w: World) -> Walk:
    _wish, offer = _offered(w)
    return Walk("/wishes/?status=claimed", lambda: wishes.offer_accept(actor=w.member, offer=offer))


def _wish_dispatch_decline(w: World) -> Walk:
    wish, offer = _offered(w)
    return Walk(  # no longer arranged
        f"/wishes/{wish.code}/", lambda: wishes.offer_decline(actor=w.member, offer=offer, reason="这周出差")
    )


def _wish_dispatch_withdraw(w: World) -> Walk:
    wish, offer = _offered(w)
    return Walk(f"/wishes/{wish.code}/", lambda: wishes.offer_withdraw(actor=w.worker, offer=offer))


def _wish_dispatch_lapse(w: World) -> Walk:
    wish, _offer = _offered(w)
    quicker = MemberFactory(community=w.community)
    return Walk(f"/wishes/{wish.code}/", lambda: wishes.wish_claim(actor=quicker, wish=wish))


def _report_generate(w: World) -> Walk:
    return Walk(
        "/api/v1/reports/",
        lambda: supervision.report_generate(kind=ReportKind.TENDAY, period=w.tenday(), actor=w.supervisor),
        reader=w.supervisor,
    )


def _report_approve(w: World) -> Walk:
    report = supervision.report_generate(kind=ReportKind.TENDAY, period=w.tenday(), actor=w.supervisor)
    return Walk(
        "/api/v1/reports/",
        lambda: supervision.report_approve(actor=w.supervisor, report=report),
        reader=w.supervisor,
    )


def _report_publish(w: World) -> Walk:
    report = supervision.report_generate(kind=ReportKind.TENDAY, period=w.tenday(), actor=w.supervisor)
    report = supervision.report_approve(actor=w.supervisor, report=report)
    return Walk("/bulletins/", lambda: supervision.report_publish(actor=w.supervisor, report=report))


def _order_issue(w: World) -> Walk:
    return Walk("/api/v1/orders/", w.order, reader=w.supervisor)


def _order_answer(w: World) -> Walk:
    order = w.order()
    return Walk(
        "/api/v1/orders/",
        lambda: supervision.order_answer(actor=w.liaison, order=order, answer="已整改"),
        reader=w.supervisor,
    )


def _order_return(w: World) -> Walk:
    order = supervision.order_answer(actor=w.liaison, order=w.order(), answer="已整改")
    return Walk(
        "/api/v1/orders/",
        lambda: supervision.order_return(actor=w.supervisor, order=order, reason="照片不清楚"),
        reader=w.supervisor,
    )


def _order_close(w: World) -> Walk:
    order = supervision.order_answer(actor=w.liaison, order=w.order(), answer="已整改")
    return Walk(
        "/api/v1/orders/",
        lambda: supervision.order_close(actor=w.supervisor, order=order),
        reader=w.supervisor,
    )


def _inspection(w: World) -> Walk:
    return Walk(
        "/api/v1/inspections/",
        lambda: supervision.inspection_record(
            actor=w.supervisor,
            kind=InspectionKind.FORUM,
            date=w.today,
            places="天目社区党群服务中心",
            findings="群众希望延长助餐点供餐时间。",
            inspectors=[],
            projects=[],
            communities=[w.community],
        ),
        reader=w.supervisor,
    )


def _leader_appoint(w: World) -> Walk:
    return Walk(
        "/dashboard/",
        lambda: supervision.leader_appoint(
            actor=w.admin, user=w.supervisor, body=LeadingBody.CPPCC, title="区政协主席", rank=4
        ),
        reader=w.supervisor,
    )


def _contact_assign(w: World) -> Walk:
    leader = LeaderFactory(user=w.supervisor)
    return Walk(
        "/dashboard/",
        lambda: supervision.contact_point_assign(actor=w.admin, leader=leader, unit=w.unit),
        reader=w.supervisor,
    )


def _contact_remove(w: World) -> Walk:
    point = ContactPointFactory(leader__user=w.supervisor, unit=w.unit, community=None)
    return Walk(
        "/dashboard/",
        lambda: supervision.contact_point_remove(actor=w.admin, contact_point=point),
        reader=w.supervisor,
    )


def _campaign_create(w: World) -> Walk:
    return Walk(
        "/campaigns/",
        lambda: campaigns.campaign_create(
            actor=w.admin,
            name="夏送清凉",
            season=Season.SUMMER,
            theme="为户外劳动者送去防暑降温物品",
            start_date=w.today,
            end_date=w.today + datetime.timedelta(days=60),
        ),
    )


def _campaign_update(w: World) -> Walk:
    campaign = CampaignFactory()
    wish = w.wish(campaign=campaign)  # its page names the campaign
    return Walk(
        f"/wishes/{wish.code}/",
        lambda: campaigns.campaign_update(
            actor=w.admin,
            campaign=campaign,
            name="冬送温暖·新春走访",
            season=Season.WINTER,
            theme=campaign.theme,
            start_date=campaign.start_date,
            end_date=campaign.end_date,
        ),
    )


def _wish_campaign(w: World) -> Walk:
    campaign = CampaignFactory()
    wish = w.wish()
    return Walk(
        f"/campaigns/{campaign.pk}/",
        lambda: wishes.wish_tag_campaign(actor=w.worker, wish=wish, campaign=campaign),
    )


def _project_campaign(w: World) -> Walk:
    campaign = CampaignFactory()
    project = w.project()
    return Walk(
        f"/campaigns/{campaign.pk}/",
        lambda: projects.project_tag_campaign(actor=w.liaison, project=project, campaign=campaign),
    )


def _response_submit(w: World) -> Walk:
    s = survey_with_every_kind(allow_anonymous=True)
    return Walk(
        "/",
        lambda: surveys.response_submit(
            actor=AnonymousUser(), survey=s["survey"], answers=valid_answers(s), phone="13800138000"
        ),
    )


def _response_enter(w: World) -> Walk:
    s = survey_with_every_kind()
    return Walk(
        "/",
        lambda: surveys.response_submit(
            actor=w.worker, survey=s["survey"], answers=valid_answers(s), channel="visit"
        ),
    )


def _responses_import(w: World) -> Walk:
    s = survey_with_every_kind()
    sheet = import_sheet(s, [import_row(w.community)])
    return Walk("/", lambda: surveys.responses_import(actor=w.admin, survey=s["survey"], file=sheet))


def _suggestion_submit(w: World) -> Walk:
    return Walk(
        "/",
        lambda: surveys.suggestion_submit(
            actor=AnonymousUser(), text="建议在社区里多装几盏路灯，晚上太黑了", community=w.community
        ),
    )


def _suggestion_code(w: World) -> Walk:
    item, suggestion = w.chain()
    return Walk(
        suggestion.get_absolute_url(),
        lambda: surveys.suggestions_code(actor=w.admin, problem_item=item, suggestion_ids=[suggestion.pk]),
    )


def _duty_create(w: World) -> Walk:
    item, suggestion = w.chain()
    surveys.suggestions_code(actor=w.admin, problem_item=item, suggestion_ids=[suggestion.pk])
    return Walk(
        suggestion.get_absolute_url(),
        lambda: surveys.duty_item_create(
            actor=w.admin,
            problem_item=item,
            unit=w.unit,
            action="加装电梯摸底",
            deadline=w.today + datetime.timedelta(days=30),
        ),
    )


def _duty_update(w: World) -> Walk:
    item, suggestion = w.chain()
    surveys.suggestions_code(actor=w.admin, problem_item=item, suggestion_ids=[suggestion.pk])
    duty = DutyItemFactory(problem_item=item, unit=w.unit)
    return Walk(
        suggestion.get_absolute_url(),
        lambda: surveys.duty_item_update(
            actor=w.liaison, duty_item=duty, status="in_progress", progress_note="已完成入户摸底"
        ),
    )


def _link_projects(w: World) -> Walk:
    item, suggestion = w.chain()
    surveys.suggestions_code(actor=w.admin, problem_item=item, suggestion_ids=[suggestion.pk])
    project = w.project(title="老旧小区加装电梯工程")
    return Walk(
        project.get_absolute_url(),
        lambda: surveys.problem_item_link_projects(actor=w.admin, problem_item=item, projects=[project]),
    )


WALKS: dict[str, Callable[[World], Walk]] = {
    "project.status": _project_status,
    "project.statement": _statement,
    "project.milestone_done": _milestone,
    "project.indicator_update": _indicator,
    "project.photo_add": _photo,
    "project.evaluate": _evaluate,
    "criterion.set": _criterion,
    "evaluation_round.set": _round,
    "project.import": _import,
    "campaign_year.open": _year_open,
    "campaign_year.current": _year_current,
    "project.carry_over": _carry_over,
    "project.carried_in": _carried_in,
    "wish.submit": _wish_submit,
    "wish.enter": _wish_enter,
    "wish.approve": _wish_approve,
    "wish.reject": _wish_reject,
    "wish.claim": _wish_claim,
    "wish.release": _wish_release,
    "wish.fulfil": _wish_fulfil,
    "wish.feedback": _wish_feedback,
    "wish.reopen": _wish_reopen,
    "wish.withdraw": _wish_withdraw,
    "wish.dispatch": _wish_dispatch,
    "wish.dispatch_accept": _wish_dispatch_accept,
    "wish.dispatch_decline": _wish_dispatch_decline,
    "wish.dispatch_withdraw": _wish_dispatch_withdraw,
    "wish.dispatch_lapse": _wish_dispatch_lapse,
    "report.generate": _report_generate,
    "report.approve": _report_approve,
    "report.publish": _report_publish,
    "order.issue": _order_issue,
    "order.answer": _order_answer,
    "order.return": _order_return,
    "order.close": _order_close,
    "inspection.record": _inspection,
    "leader.appoint": _leader_appoint,
    "wish.route": _wish_route,
    "help_team.save": _help_team_save,
    "contact_point.assign": _contact_assign,
    "contact_point.remove": _contact_remove,
    "campaign.create": _campaign_create,
    "campaign.update": _campaign_update,
    "wish.campaign": _wish_campaign,
    "project.campaign": _project_campaign,
    "survey.response_submit": _response_submit,
    "survey.response_enter": _response_enter,
    "survey.responses_import": _responses_import,
    "suggestion.submit": _suggestion_submit,
    "suggestion.code": _suggestion_code,
    "duty_item.create": _duty_create,
    "duty_item.update": _duty_update,
    "problem_item.link_projects": _link_projects,
}


@pytest.fixture
def world(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    return World()


def reader_client(reader):
    client = Client()
    if reader is not None:
        sign_in(client, reader)
    return client


def normalised(content: bytes) -> str:
    return re.sub(
        r'(csrf-token" content="|csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", content.decode()
    )


def test_every_verb_is_walked_and_declares_its_topics():
    assert set(VERB_LABELS) == set(WALKS) | NOT_SHOWN
    for verb in VERB_LABELS:
        assert "*" not in change_topics(verb, None), f"{verb} declares no topics: it would refresh everything"


@pytest.mark.parametrize("verb", sorted(WALKS))
def test_every_change_shows_at_once(verb, world, settings, django_capture_on_commit_callbacks):
    walk = WALKS[verb](world)
    client = reader_client(walk.reader)
    client.get(walk.url)
    before = client.get(walk.url)
    assert before.status_code == 200 and before["X-Page-Cache"] == "hit", "the page is served from the cache"
    events = AuditEvent.objects.filter(verb=verb).count()
    with django_capture_on_commit_callbacks(execute=True):
        walk.change()
    assert AuditEvent.objects.filter(verb=verb).count() > events, f"the walk did not {verb}"
    event = AuditEvent.objects.filter(verb=verb).latest("id")
    target = event.target_type.model_class().objects.filter(pk=event.target_id).first()  # None: removed
    assert EVERYTHING not in change_topics(verb, target), "its declared topics fit its target"
    after = client.get(walk.url)
    settings.PAGE_CACHE_SECONDS = 0
    alone = client.get(walk.url)
    assert normalised(alone.content) != normalised(before.content), "the page shows what the change changed"
    assert normalised(after.content) == normalised(alone.content), "the next request shows it"


def test_a_wish_submitted_for_review_refreshes_the_funnel_but_not_the_showcase_or_the_board(
    world, django_capture_on_commit_callbacks
):
    ProjectFactory()
    WishFactory(community=world.community)
    pages = ("/projects/", "/wishes/", "/api/v1/projects/", "/api/v1/wishes/", "/bulletins/", "/")
    for url in pages:
        Client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        wishes.wish_create(actor=AnonymousUser(), **world.wish_fields("楼道灯坏了"))
    states = {url: Client().get(url)["X-Page-Cache"] for url in pages}
    assert states == {
        "/projects/": "hit",
        "/wishes/": "hit",
        "/api/v1/projects/": "hit",
        "/api/v1/wishes/": "hit",
        "/bulletins/": "hit",
        "/": "miss",  # its funnel counts the wishes received
    }


def test_a_progress_statement_refreshes_its_project_the_lists_and_the_home_figures_only(
    world, django_capture_on_commit_callbacks
):
    project, other = world.project(), world.project()
    WishFactory(community=world.community)
    pages = (project.get_absolute_url(), "/projects/", "/api/v1/projects/", "/", other.get_absolute_url())
    for url in (*pages, "/wishes/", "/bulletins/"):
        Client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        projects.statement_create(
            actor=world.liaison,
            project=project,
            period_start=world.today - datetime.timedelta(days=7),
            period_end=world.today,
            text="本周完成井道施工",
        )
    for url in pages[:4]:
        assert Client().get(url)["X-Page-Cache"] == "miss", url
    for url in (other.get_absolute_url(), "/wishes/", "/bulletins/"):
        assert Client().get(url)["X-Page-Cache"] == "hit", url
