from django.utils.translation import gettext_lazy as _

from jiangyan.core import site
from jiangyan.core.roles import Role


class WishesConfig(site.PortalAppConfig):
    name = "wishes"
    verbose_name = _("微心愿")
    url_prefix = "wishes/"
    api_module = "wishes.api"
    nav_items = (
        site.NavItem(_("微心愿"), "wishes:board", order=20),
        site.NavItem(_("我的认领"), "wishes:my-claims", roles=(Role.PARTY_MEMBER,), order=21),
        site.NavItem(_("我的心愿"), "wishes:mine", signed_in=True, order=22),
        site.NavItem(_("我的派单"), "wishes:offers", roles=(Role.PARTY_MEMBER,), order=21),
        site.NavItem(_("心愿管理"), "wishes:manage", roles=(Role.COMMUNITY_STAFF,), order=23),
        site.NavItem(_("党员亮身份"), "wishes:members", order=24),
        site.NavItem(_("帮帮团"), "wishes:teams", roles=(Role.PARTY_MEMBER, Role.SUPERVISOR), order=25),
    )
    # The teaser shows open wishes, the funnel counts every wish (also those under review).
    home_sections = (
        site.Section(
            "wishes/_home.html", "wishes.selectors.home_context", order=20, topics=("wishes", "wishes:any")
        ),
    )
    open_work = (
        site.Work(
            "claims_in_progress",
            _("进行中的认领"),
            "wishes.selectors.claims_in_progress",
            roles=(Role.PARTY_MEMBER,),
            key="code",
            api="wish-detail",
            page="wishes:detail",
            lookup="code",
            due="promised_date",
            order=10,
        ),
        site.Work(
            "offers_to_answer",
            _("待答复的派单"),
            "wishes.selectors.offers_to_answer",
            roles=(Role.PARTY_MEMBER,),
            key="pk",
            api="dispatch-offer-detail",
            order=10,
        ),
        site.Work(
            "wishes_to_dispatch",
            _("待派单的心愿"),
            "wishes.selectors.wishes_to_dispatch",
            roles=(Role.COMMUNITY_STAFF,),
            key="code",
            api="wish-detail",
            page="wishes:dispatch",
            lookup="code",
            order=11,
        ),
        site.Work(
            "wishes_to_review",
            _("待审核的心愿"),
            "wishes.selectors.wishes_to_review",
            roles=(Role.COMMUNITY_STAFF,),
            key="code",
            api="wish-detail",
            page="wishes:detail",
            lookup="code",
            order=11,
        ),
        site.Work(
            "follow_ups_to_make",
            _("待回访的心愿"),
            "wishes.selectors.follow_ups_to_make",
            roles=(Role.COMMUNITY_STAFF,),
            key="code",
            api="wish-detail",
            page="wishes:detail",
            lookup="code",
            order=12,
        ),
        site.Work(
            "wishes_to_rate",
            _("待评价的我的心愿"),
            "wishes.selectors.wishes_to_rate",
            key="code",
            api="wish-detail",
            page="wishes:detail",
            lookup="code",
            order=13,
        ),
        site.Work(
            "team_wishes_to_claim",
            _("帮帮团待认领"),
            "wishes.selectors.team_wishes_to_claim",
            roles=(Role.PARTY_MEMBER,),
            key="code",
            api="wish-detail",
            page="wishes:detail",
            lookup="code",
            order=14,
        ),
    )
    privacy_module = "wishes.privacy"
    audit_verbs = {
        "wish.submit": _("提交心愿"),
        "wish.enter": _("代群众登记心愿"),
        "wish.approve": _("审核通过"),
        "wish.reject": _("审核未通过"),
        "wish.claim": _("认领心愿"),
        "wish.release": _("释放认领"),
        "wish.fulfil": _("完成心愿"),
        "wish.feedback": _("回访"),
        "wish.reopen": _("不满意，重新派单"),
        "wish.withdraw": _("撤回心愿"),
        "wish.contact_erase": _("删除了心愿人联系方式"),
        "wish.dispatch": _("派单"),
        "wish.dispatch_accept": _("接受派单"),
        "wish.dispatch_decline": _("婉拒派单"),
        "wish.dispatch_withdraw": _("撤回派单"),
        "wish.dispatch_lapse": _("派单失效"),
        "wish.campaign": _("归入四季活动"),
        "wish.route": _("派给帮帮团"),
        "help_team.save": _("设置帮帮团"),
    }
    # A team's categories are codes in a JSON list (members and communities are recorded by name).
    audit_fields = {"helpteam": {"categories": site.AuditField(_("受理类别"), "wishes.choices.WishCategory")}}
    # Cache topics (jiangyan.core.pagecache): a wish under review (submitted, rejected) is not on the public
    # board but counts in the funnel (``wishes:any``) and shows to its community's staff and on its own page.
    audit_topics = {
        **dict.fromkeys(audit_verbs, ("wishes", "wishes:any", "wishes:{t.community_id}", "wish:{t.code}")),
        "wish.submit": ("wishes:any", "wishes:{t.community_id}", "wish:{t.code}"),
        "wish.reject": ("wishes:any", "wishes:{t.community_id}", "wish:{t.code}"),
        # 派单: the target is the offer (its wish's pages: the buttons of the wish page and the queue);
        # an accepted offer is a claim of the wish, recorded on the wish.
        **dict.fromkeys(
            ("wish.dispatch", "wish.dispatch_decline", "wish.dispatch_withdraw", "wish.dispatch_lapse"),
            ("wishes:any", "wishes:{t.wish.community_id}", "wish:{t.wish.code}"),
        ),
        # Tagged or untagged: the board's campaign filter, its own page, and the campaign pages' figures.
        "wish.campaign": ("wishes", "wishes:any", "wishes:{t.community_id}", "wish:{t.code}", "campaigns"),
        "wish.route": ("wishes", "wishes:any", "wishes:{t.community_id}", "wish:{t.code}", "teams"),
        # A team's name, range and members: its pages, the board's team filter and the dashboard's rows.
        "help_team.save": ("teams", "wishes", "wishes:any"),
    }
    # What each campaign's page shows of the wishes tagged with it (``campaigns`` pages).
    campaign_sections = (
        site.Section(
            "wishes/_campaign.html", "wishes.selectors.campaign_section", order=10, topics=("wishes",)
        ),
    )

    def ready(self) -> None:
        super().ready()
        from accounts.backends import register_user_fact

        from .models import OWN_ROWS, own_rows_sql

        register_user_fact(OWN_ROWS, *own_rows_sql("u.id"))
