from django.utils.translation import gettext_lazy as _

from jiangyan.core import site
from jiangyan.core.roles import Role


class SurveysConfig(site.PortalAppConfig):
    name = "surveys"
    verbose_name = _("需求调研")
    url_prefix = "surveys/"
    api_module = "surveys.api"
    nav_items = (
        site.NavItem(_("问卷调查"), "surveys:list", order=40),
        site.NavItem(_("建议编码"), "surveys:coding", roles=(Role.ADMIN,), order=41),
        site.NavItem(_("问题清单"), "surveys:problems", roles=(Role.ADMIN,), order=42),
        site.NavItem(_("履职清单"), "surveys:duties", roles=(Role.UNIT_STAFF, Role.SUPERVISOR), order=43),
        site.NavItem(_("调研分析"), "surveys:analytics_index", roles=(Role.SUPERVISOR,), order=44),
    )
    open_work = (
        site.Work(
            "duty_items_to_work",
            _("未完成的履职事项"),
            "surveys.selectors.duty_items_to_work",
            roles=(Role.UNIT_STAFF,),
            title="action",
            api="duty-item-detail",
            due="deadline",
            order=30,
        ),
    )
    home_sections = (
        site.Section(
            "surveys/_home.html", "surveys.selectors.home_context", order=30, topics=("surveys", "trace")
        ),
    )
    # "Your suggestion became this project": the chain behind a project, on its page.
    project_sections = (
        site.Section(
            "surveys/_project_trace.html",
            "surveys.selectors.project_trace_section",
            order=50,
            topics=("trace",),
        ),
    )
    privacy_module = "surveys.privacy"
    audit_verbs = {
        "survey.response_submit": _("在线填写问卷"),
        "survey.phones_erase": _("删除了问卷手机号"),
        "suggestion.submit": _("提交群众建议"),
        "survey.response_enter": _("录入纸质问卷"),
        "survey.responses_import": _("导入问卷"),
        "suggestion.code": _("建议编码"),
        "duty_item.create": _("新增履职事项"),
        "duty_item.update": _("更新履职事项"),
        "problem_item.link_projects": _("关联项目"),
    }
    audit_fields = {"survey": {"rows": site.AuditField(_("答卷（份）"))}}
    # Cache topics (jiangyan.core.pagecache): coding, duty items and links change the chain behind projects
    # (``trace``, on every project page); answers and suggestions only the survey figures.
    audit_topics = {
        **dict.fromkeys(audit_verbs, ("surveys",)),
        **dict.fromkeys(
            ("suggestion.code", "duty_item.create", "duty_item.update", "problem_item.link_projects"),
            ("surveys", "trace"),
        ),
    }
