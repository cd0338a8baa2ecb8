from django.utils.translation import gettext_lazy as _

from jiangyan.core import site
from jiangyan.core.roles import Role


class ProjectsConfig(site.PortalAppConfig):
    name = "projects"
    verbose_name = _("实事项目库")
    url_prefix = "projects/"
    api_module = "projects.api"
    nav_items = (
        site.NavItem(_("项目展播"), "projects:showcase", order=10),
        site.NavItem(_("项目填报"), "projects:workspace", roles=(Role.UNIT_STAFF,), order=12),
        site.NavItem(_("项目导入"), "projects:import", roles=(Role.ADMIN,), order=80),
        site.NavItem(_("评价办法"), "projects:method", roles=(Role.ADMIN,), order=81),
        site.NavItem(_("项目年度"), "projects:years", roles=(Role.ADMIN,), order=82),
    )
    home_sections = (
        site.Section(
            "projects/_home.html", "projects.selectors.home_context", order=10, topics=("projects",)
        ),
    )
    audit_verbs = {
        "project.import": _("导入项目"),
        "project.statement": _("填报进展"),
        "project.milestone_done": _("完成节点"),
        "project.indicator_update": _("更新指标"),
        "project.photo_add": _("上传照片"),
        "project.evaluate": _("评价项目"),
        "project.status": _("变更状态"),
        "criterion.set": _("设置评价内容"),
        "evaluation_round.set": _("设置评价轮次"),
        "project.campaign": _("归入四季活动"),
        "project.carry_over": _("转入下一年度"),
        "project.carried_in": _("续建自上一年度"),
        "campaign_year.open": _("开启年度"),
        "campaign_year.current": _("设为当前年度"),
    }
    # Keys of the events on a project that are not its fields (``jiangyan.core.selectors.AuditReader``).
    audit_fields = {
        "project": {
            "indicator": site.AuditField(_("指标")),
            "value": site.AuditField(_("数值")),
            "milestone": site.AuditField(_("节点")),
            "done_date": site.AuditField(_("实际完成日期")),
            "period": site.AuditField(_("填报周期")),
            "photos": site.AuditField(_("照片（张）")),
            "count": site.AuditField(_("照片（张）")),
            "score": site.AuditField(_("评分")),
            "scores": site.AuditField(_("各项评分")),
            "round": site.AuditField(_("评价轮次")),
            "role": site.AuditField(_("评价身份"), "projects.choices.EvaluatorRole"),
            "action": site.AuditField(
                _("导入操作"),
                {"create": _("新增"), "update": _("修改"), "delete": _("删除"), "same": _("不变")},
            ),
        },
        "evaluationcriterion": {"weights": site.AuditField(_("权重"))},
        "evaluationround": {"period": site.AuditField(_("评价时段"))},
        "campaignyear": {"current_year": site.AuditField(_("当前年度"))},
    }
    # Every change of a project shows in the lists and figures and on its own page (jiangyan.core.pagecache).
    # The evaluation method shows in every figure of the ratings (the lists', the reports', the dashboard's:
    # ``projects``) and on every project page (``evaluation``: its scores, whether evaluation is open).
    audit_topics = {
        **dict.fromkeys(audit_verbs, ("projects", "project:{t.code}")),
        "criterion.set": ("projects", "evaluation"),
        "evaluation_round.set": ("projects", "evaluation"),
        # Tagged or untagged: also the campaign pages' figures.
        "project.campaign": ("projects", "project:{t.code}", "campaigns"),
        # A new current year changes every list and figure that shows "the current year".
        **dict.fromkeys(("campaign_year.open", "campaign_year.current"), ("projects", "reports")),
    }
    # What each campaign's page shows of the projects tagged with it (``campaigns`` pages).
    campaign_sections = (
        site.Section(
            "projects/_campaign.html", "projects.selectors.campaign_section", order=20, topics=("projects",)
        ),
    )
