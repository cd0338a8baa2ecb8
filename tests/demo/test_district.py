"""The demo district reads true to a resident: the chain from a suggestion to a project stays in one field
with the units that really handle it, every project sits in the town its title names, the article's
figures hold, the projects and wishes show their history, and the photos are there (and small)."""

import html
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Community, Town, User
from accounts.validators import validate_public_phone
from bench import surveys_coding_accuracy as coding_bench
from demo import accounts as demo_accounts
from demo import projects as projects_demo
from demo import surveys as surveys_demo
from demo import surveys_data
from demo.district import DOMAIN_UNITS, handles
from jiangyan.core.roles import Role, has_role
from jiangyan.models import AuditEvent
from projects.choices import ProjectStatus
from projects.models import (
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    Indicator,
    Milestone,
    ProgressStatement,
    Project,
    ProjectPhoto,
)
from projects.selectors import behind_projects, campaign_figures, open_round
from supervision import selectors as supervision_selectors
from supervision.choices import LeadingBody
from supervision.models import Inspection, Leader, SupervisionOrder
from surveys.choices import Channel
from surveys.models import DutyItem, ProblemCategory, ProblemItem, Response, Suggestion
from wishes.choices import PhotoKind, WishChannel, WishStatus
from wishes.models import Wish, WishPhoto

pytestmark = pytest.mark.django_db


# --- the chain: suggestion → problem item → duty item → project -----------------------------------------


def test_every_suggestion_leads_through_its_problem_item_and_duty_items_to_projects_of_the_same_field(
    district,
):
    fields = surveys_demo.problem_fields()  # the demo's table: problem item → (field, unit)
    assert set(fields) == set(ProblemItem.objects.values_list("title", flat=True))
    chains: dict[int, int] = {}  # problem item → projects reached
    for item in ProblemItem.objects.prefetch_related(
        "duty_items__unit",
        "duty_items__projects__domain",
        "duty_items__projects__lead_unit",
        "duty_items__projects__cooperating_units",
        "projects__domain",
        "projects__lead_unit",
    ):
        field, unit = fields[item.title]
        assert field in DOMAIN_UNITS and handles(unit, field), item
        reached = set()
        for duty in item.duty_items.all():
            assert handles(duty.unit.name, field), f"{item} → {duty.unit}"
            for project in duty.projects.all():
                assert project.domain.name == field, f"{item} → {duty} → {project}"
                assert duty.unit_id == project.lead_unit_id or duty.unit in project.cooperating_units.all()
                reached.add(project.pk)
        for project in item.projects.all():
            assert project.domain.name == field, f"{item} → {project} ({project.domain})"
            assert handles(project.lead_unit.name, field), f"{project} led by {project.lead_unit}"
            reached.add(project.pk)
        chains[item.pk] = len(reached)

    walked = reaching = 0
    for suggestion in Suggestion.objects.filter(problem_item__isnull=False).prefetch_related("problem_items"):
        items = list(suggestion.problem_items.all())
        assert suggestion.problem_item_id in {i.pk for i in items}
        for item in items:
            # The suggestion speaks of each of its problem items (it was written from how residents put
            # that problem) …
            said = {p[i : i + 3] for p in surveys_data.VOICES[item.title] for i in range(len(p) - 2)}
            assert any(words in suggestion.text for words in said), (suggestion.text, item)
        walked += 1
        reaching += chains[suggestion.problem_item_id] > 0  # … and its chain, checked above, may go on
    assert walked >= 1_100 and reaching >= walked * 0.6


def test_the_coding_bench_measures_on_the_demos_own_suggestions(district):
    items, ids = coding_bench.problem_list()
    texts, _coded = coding_bench.pool(items, ids)
    assert list(Suggestion.objects.order_by("id").values_list("text", flat=True)) == texts
    assert [(i.title, i.keywords, i.synonyms) for i in items] == [
        (i.title, i.keywords, i.synonyms)
        for i in sorted(ProblemItem.objects.all(), key=lambda i: ids[i.code])
    ]


def test_the_demo_suggestions_read_like_residents_not_like_a_template(district):
    """Varied: few suggestions share a text, they come in every length, some name two problems, some are
    written in dialect, with pinyin slips or WeChat's marks."""
    texts = list(Suggestion.objects.values_list("text", flat=True))
    assert len(set(texts)) >= len(texts) * 0.8
    lengths = sorted(len(t) for t in texts)
    assert lengths[0] <= 8 and lengths[-1] >= 60
    assert Counter(len(t) // 10 for t in texts).most_common(1)[0][1] < len(texts) * 0.4
    dialect = ("小伢", "没得", "晓得", "庄上", "蛮", "一塌糊涂", "搞不好")
    assert sum(any(w in t for w in dialect) for t in texts) >= len(texts) * 0.05
    assert sum(any(m in t for m in surveys_data.WECHAT_MARKS) for t in texts) >= len(texts) * 0.05
    assert sum(any(wrong in t for _r, wrong in surveys_data.TYPOS[:-1]) for t in texts) >= len(texts) * 0.015
    two = Suggestion.objects.annotate(n=Count("problem_items")).filter(n=2).count()
    assert two >= len(texts) * 0.03


def test_what_the_issue_saw_no_longer_happens(district):
    """HJ-002 小区路灯不亮 was a 区水利局 duty item linked to JY<year>-007 (学历提升); JY<year>-003 (敬老院)
    quoted residents on infant childcare."""
    lights = ProblemItem.objects.get(title="小区路灯不亮")
    assert {d.unit.name for d in lights.duty_items.all()} == {"区城市管理局"}
    assert lights.projects.exists()
    assert all("路灯" in p.title and p.lead_unit.name == "区城市管理局" for p in lights.projects.all())

    study = Project.objects.get(title__contains="求学圆梦")
    assert [i.title for i in study.source_problem_items.all()] == ["职业教育与技能学习"]

    home = Project.objects.get(title="敬老院提档升级")
    quoted = Suggestion.objects.filter(problem_item__projects=home)
    assert quoted.exists()
    assert not quoted.filter(text__contains="托").exists()
    assert {surveys_demo.problem_fields()[s.problem_item.title][0] for s in quoted} == {"养老"}


# --- places and units -----------------------------------------------------------------------------------


def test_every_project_sits_in_the_town_its_title_names_and_is_led_by_a_unit_of_its_field(district):
    towns = list(Town.objects.values_list("name", flat=True))
    with_town = 0
    for project in Project.objects.select_related("lead_unit", "domain").prefetch_related(
        "towns", "communities__town", "cooperating_units"
    ):
        named = {t for t in towns if t in project.title}
        if named:
            with_town += 1
            assert {t.name for t in project.towns.all()} == named, project
            assert project.communities.exists() and all(
                c.town.name in named for c in project.communities.all()
            )
        assert handles(project.lead_unit.name, project.domain.name), f"{project} led by {project.lead_unit}"
    assert with_town >= 100
    # 区教育局 leads schools and summer classes, not farmland or factories.
    assert set(Project.objects.filter(lead_unit__name="区教育局").values_list("domain__name", flat=True)) == {
        "教育"
    }


def test_every_community_has_a_hotline_printed_on_its_wish_card(district, client):
    for phone in Community.objects.values_list("phone", flat=True):
        assert validate_public_phone(phone) == phone
    community = Community.objects.get(name="天目社区")
    page = client.get(reverse("wishes:card", args=[community.pk])).content.decode()
    assert f"拨打社区心愿征集热线 {community.phone}" in page


# --- the article's figures ------------------------------------------------------------------------------


def test_the_articles_figures_hold(district):
    assert Project.objects.count() == 236
    survey = Response.objects.filter(survey__title=surveys_demo.SURVEY_TITLE)
    assert survey.count() >= 10_000
    assert Suggestion.objects.count() >= 1_200
    assert ProblemCategory.objects.count() == 5 and ProblemItem.objects.count() == 169
    assert 100 <= Wish.objects.count() < 200  # 100余个
    assert 20 <= campaign_figures()["silver"] < 30  # 20多个“银发项目”

    dream = Indicator.objects.get(name="改造梦想小屋")
    assert (dream.target_value, dream.unit) == (155, "户")
    summer = Project.objects.get(title__contains="暑托班")
    assert {(i.name, i.target_value, i.unit) for i in summer.indicators.all()} == {
        ("开办公益暑托班", 66, "个"),
        ("服务学生", 20000, "人"),
    }
    assert summer.lead_unit.name == "区教育局"
    insurance = Project.objects.get(title__contains="防贫保")
    assert "1.2万元" in insurance.title and "1.2万元以下的农村低收入人口" in insurance.summary
    assert [g.name for g in insurance.target_groups.all()] == ["低收入"]
    assert insurance.program.name == "富民兴村" and insurance.lead_unit.name == "区民政局"

    help_team = [w for w in Wish.objects.all() if w.is_help_team]
    assert len(help_team) >= 5 and all("隔离" in w.text for w in help_team)
    assert Wish.objects.filter(channel=WishChannel.NIGHT_VISIT).exists()
    assert survey.filter(channel=Channel.NIGHT_VISIT).exists()
    assert set(Wish.objects.values_list("channel", flat=True)) == set(WishChannel.values)


# --- history and photos ---------------------------------------------------------------------------------


def test_seeded_projects_show_the_history_the_services_would_have_written(district, client):
    events = Counter()
    last_status: dict[str, str] = {}
    for verb, target_id, after in (
        AuditEvent.objects.filter(verb__startswith="project.")
        .order_by("created_at", "id")
        .values_list("verb", "target_id", "after")
    ):
        events[verb, int(target_id)] += 1
        if verb == "project.status":
            last_status[target_id] = after["status"]
    done = Counter(Milestone.objects.filter(done_date__isnull=False).values_list("project", flat=True))
    statements = Counter(ProgressStatement.objects.values_list("project", flat=True))
    for project in Project.objects.all():
        assert events["project.import", project.pk] == 1, project
        assert events["project.milestone_done", project.pk] == done[project.pk], project
        assert events["project.statement", project.pk] == statements[project.pk], project
        assert last_status.get(str(project.pk), ProjectStatus.NOT_STARTED) == project.status, project
    started = Project.objects.exclude(status=ProjectStatus.NOT_STARTED)
    assert started.count() >= 200 and all(statements[p.pk] for p in started)

    page = client.get(reverse("projects:detail", args=[f"{projects_demo.code_prefix()}001"])).content.decode()
    assert "暂无记录" not in page and "完成节点" in page and "填报进展" in page


def test_every_wish_shows_a_history_that_ends_in_its_state(district):
    last: dict[str, dict] = {}
    for target_id, after in (
        AuditEvent.objects.filter(verb__startswith="wish.", target_type__model="wish")
        .exclude(verb="wish.campaign")  # filed under a seasonal campaign: no change of state
        .order_by("created_at", "id")
        .values_list("target_id", "after")
    ):
        last[target_id] = after
    for wish in Wish.objects.all():
        assert last[str(wish.pk)]["status"] == wish.status, wish


def test_projects_statements_and_fulfilled_wishes_carry_small_pictures(district, district_media):
    assert ProjectPhoto.objects.filter(statement__isnull=True, milestone__isnull=True).count() >= 100
    assert ProjectPhoto.objects.filter(statement__isnull=False).count() >= 300
    fulfilled = Wish.objects.filter(fulfilled_at__isnull=False)
    pictured = set(WishPhoto.objects.filter(kind=PhotoKind.FULFILMENT).values_list("wish", flat=True))
    assert fulfilled.exists() and set(fulfilled.values_list("pk", flat=True)) <= pictured
    assert not Wish.objects.filter(status=WishStatus.SUBMITTED, photos__isnull=False).exists()
    names = set(ProjectPhoto.objects.values_list("image", flat=True)) | set(
        WishPhoto.objects.values_list("image", flat=True)
    )
    files = [Path(district_media) / name for name in names]
    assert all(f.is_file() and f.stat().st_size < 20_000 for f in files)
    assert sum(f.stat().st_size for f in files) < 1_000_000  # a small pool, shared by every row


# --- scale ----------------------------------------------------------------------------------------------


def test_scale_multiplies_the_projects_and_keeps_them_true():
    towns = [
        "罗塘街道",
        "三水街道",
        "天目山街道",
        "溱潼镇",
        "俞垛镇",
        "梁徐街道",
        "娄庄镇",
        "沈高镇",
        "大伦镇",
    ]
    towns += ["兴泰镇", "白米镇", "张甸镇", "桥头镇", "淤溪镇", "蒋垛镇", "顾高镇", "华港镇"]
    specs = projects_demo.project_specs(scale=10, towns=towns)
    assert len(specs) == 2_360 and len({s.code for s in specs}) == 2_360
    for spec in specs:
        named = {t for t in towns if t in spec.title}
        assert not named or set(spec.towns) == named, spec.title
        assert handles(spec.template.lead, spec.template.domain)
    assert len(projects_demo.project_specs(scale=1, towns=towns)) == projects_demo.PROJECT_COUNT


def test_duty_items_are_for_units_of_their_field(district):
    fields = surveys_demo.problem_fields()
    for duty in DutyItem.objects.select_related("problem_item", "unit"):
        assert handles(duty.unit.name, fields[duty.problem_item.title][0]), duty


# --- the accounts the README and `make run` name ----------------------------------------------------------
def _named_accounts(text: str) -> set[str]:
    """Every account a text names, runs (``unit03 … unit40``) spelled out."""
    names = set(re.findall(r"\b(?:admin|supervisor|unit_staff|community_staff|resident|[a-z]+\d{2})\b", text))
    for prefix, first, last in re.findall(r"\b([a-z]+)(\d{2})`? … `?\1(\d{2})\b", text):
        names |= {f"{prefix}{n:02d}" for n in range(int(first), int(last) + 1)}
    return names


def test_the_readme_and_the_seed_output_name_only_accounts_that_exist(district):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("Demo accounts", 1)[1].split("\n\n", 2)[1]
    existing = set(User.objects.values_list("username", flat=True))
    for text in (table, district):
        named = _named_accounts(text)
        assert {"admin", "member60", "unit40", "community71"} <= named
        assert named <= existing, sorted(named - existing)


# --- text that fits its object ----------------------------------------------------------------------------
def test_nothing_in_the_record_happened_after_now(district):
    assert not AuditEvent.objects.filter(created_at__gt=timezone.now()).exists()
    assert not SupervisionOrder.objects.filter(answered_at__gt=timezone.now()).exists()


def test_order_answers_speak_of_what_the_order_is_about(district):
    def kind(order):
        return "project" if order.project_id else "wish" if order.wish_id else "duty_item"

    orders = SupervisionOrder.objects.exclude(answer="")
    assert {kind(o) for o in orders} >= {"project", "wish"}
    for order in orders:
        wishy = any(word in order.answer for word in ("心愿", "认领党员"))
        assert wishy == (kind(order) == "wish"), (order.code, kind(order), order.answer)
        assert kind(order) == "project" or "施工" not in order.answer, order.answer


def test_nobody_praises_the_pace_of_a_project_that_is_behind(district):
    behind = [p["id"] for p in behind_projects(on=timezone.localdate())]
    assert behind
    praise = Evaluation.objects.filter(project_id__in=behind).filter(
        Q(comment__contains="进度很快") | Q(comment__contains="按序时推进")
    )
    assert not praise.exists(), list(praise.values_list("project__code", "comment")[:5])


def test_the_demo_method_scores_the_pace_of_a_project_by_how_it_is_doing(district):
    criteria = {c.name: c for c in EvaluationCriterion.objects.all()}
    assert set(criteria) == {"群众满意度", "完成质量", "进度时效"}
    assert criteria["进度时效"].weight_resident == 0 and criteria["群众满意度"].weight_resident == 3
    assert open_round() is not None
    behind = [p["id"] for p in behind_projects(on=timezone.localdate())]
    pace = EvaluationScore.objects.filter(criterion=criteria["进度时效"])
    assert pace.filter(evaluation__project_id__in=behind).exists()
    assert not pace.filter(evaluation__project_id__in=behind, score__gte=4).exists()
    assert pace.filter(evaluation__project__status="completed", score=5).exists()
    # every rating scores exactly the criteria asked of its rater's role
    for evaluation in Evaluation.objects.prefetch_related("scores")[:200]:
        asked = {c.pk for c in criteria.values() if c.weight_for(evaluation.evaluator_role)}
        assert {s.criterion_id for s in evaluation.scores.all()} == asked


def test_the_poverty_insurance_answers_hardship_not_farm_sales(district):
    insurance = Project.objects.get(title__contains="防贫保")
    assert [i.title for i in insurance.source_problem_items.all()] == ["困难群众救助"]


# --- one figure, one definition: every figure links to a list that shows the same number -------------------
FIGURE_LINK = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*?data-(figure|average)="([^"]+)"')


def _figures_and_their_lists(client, url: str) -> list[tuple[str, str, str, str | None]]:
    """``(link, kind, figure, the list's own figure)`` for every figure of the page at ``url``."""
    page = client.get(url).content.decode()
    found = []
    for href, kind, figure in FIGURE_LINK.findall(page):
        href = html.unescape(href)
        body = client.get(href).content.decode()
        own = re.search(rf'data-{"count" if kind == "figure" else "average"}="([^"]+)"', body)
        found.append((href, kind, figure, own[1] if own else None))
    return found


@pytest.mark.parametrize(
    ("who", "url", "at_least"),
    [("supervisor", "/dashboard/", 40), ("supervisor", "/", 4), ("anonymous", "/", 4)],
)
def test_every_figure_opens_a_list_that_counts_the_same(district, client_as, who, url, at_least):
    pairs = _figures_and_their_lists(client_as(who), url)
    assert len(pairs) >= at_least
    wrong = [pair for pair in pairs if pair[2] != pair[3]]
    assert not wrong, wrong[:5]


def test_the_public_and_the_staff_see_their_own_population_named(district, client_as):
    public = client_as("anonymous").get("/").content.decode()
    staff = client_as("supervisor").get("/").content.decode()
    assert "个公开项目" in public and "含未公开" not in public
    assert "个项目（含未公开）" in staff


# --- leaders and their contact points (四套班子成员 … 基层联系点) -----------------------------------
def test_several_leaders_each_hold_their_own_places_and_visit_them(district):
    today = timezone.localdate()
    leaders = list(Leader.objects.select_related("user").prefetch_related("contact_points"))
    assert len(leaders) >= 6 and len({leader.user_id for leader in leaders}) == len(leaders)
    assert {"区委书记", "区政协主席"} <= {leader.title for leader in leaders}
    assert {leader.body for leader in leaders} == set(LeadingBody.values)  # all four leading bodies
    assert all(len(leader.user.real_name) in (2, 3) for leader in leaders)
    assert all(has_role(leader.user, Role.SUPERVISOR) for leader in leaders)
    assert all(leader.contact_points.count() >= 2 for leader in leaders)
    assert not Leader.objects.filter(user__username="supervisor").exists()  # the group holds no places
    figures = supervision_selectors.leader_figures(on=today)
    assert all(row["places"] == len(row["leader"].contact_points.all()) for row in figures)
    assert any(row["unvisited"] for row in figures) and any(row["visits"] for row in figures)
    assert any(row["unvisited"] == 0 for row in figures), "a leader who has been to every place"
    assert any(row["unvisited"] == row["places"] for row in figures), "one who has been nowhere yet"
    assert any(0 < row["unvisited"] < row["places"] for row in figures)
    joint = [
        i
        for i in Inspection.objects.filter(date__gte=today.replace(day=1)).prefetch_related("inspectors")
        if sum(1 for u in i.inspectors.all() if hasattr(u, "leader")) > 1
    ]
    assert joint, "a visit two leaders made together this month"
    assert not Inspection.objects.filter(date__gt=today).exists()
    assert not Inspection.objects.filter(created_at__gt=timezone.now()).exists()


def test_a_leaders_visit_speaks_of_the_kind_of_place_it_was(district):
    visits = Inspection.objects.filter(inspectors__leader__isnull=False).prefetch_related(
        "communities", "units"
    )
    assert visits.exists()
    for visit in visits.distinct():
        at_community = visit.communities.exists()
        assert at_community != visit.units.exists(), visit  # one place a visit
        if at_community:
            assert any(word in visit.findings for word in ("社区", "居民", "群众")), visit.findings
            assert "单位" not in visit.findings, visit.findings
        else:
            assert "社区" not in visit.findings and "居民" not in visit.findings, visit.findings


def test_the_leaders_sign_in_with_the_demo_authenticator_like_every_staff_account(district):
    demo_accounts.demo_second_step(io.StringIO(), codes=False)
    leaders = User.objects.filter(leader__isnull=False)
    keys = set(
        TOTPDevice.objects.filter(user__in=leaders, confirmed=True).values_list("user__username", "key")
    )
    assert keys == {(username, demo_accounts.DEMO_TOTP_KEY) for username, *_ in demo_accounts.LEADERS}
