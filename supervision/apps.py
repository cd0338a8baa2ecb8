from django.utils.translation import gettext_lazy as _

from jiangyan.core import site
from jiangyan.core.roles import Role


class SupervisionConfig(site.PortalAppConfig):
    name = "supervision"
    verbose_name = _("督查通报")
    url_prefix = ""
    api_module = "supervision.api"
    nav_items = (
        site.NavItem(_("工作通报"), "supervision:bulletins", order=30),
        site.NavItem(_("督查看板"), "supervision:dashboard", roles=(Role.SUPERVISOR,), order=60),
        site.NavItem(_("督查报告"), "supervision:reports", roles=(Role.SUPERVISOR,), order=61),
        site.NavItem(
            _("督办单"),
            "supervision:orders",
            roles=(Role.SUPERVISOR, Role.UNIT_STAFF, Role.COMMUNITY_STAFF),
            order=62,
        ),
        site.NavItem(_("巡回指导"), "supervision:inspections", roles=(Role.SUPERVISOR,), order=63),
        site.NavItem(_("基层联系点"), "supervision:contact-points", roles=(Role.SUPERVISOR,), order=64),
    )
    home_sections = (
        site.Section(
            "supervision/_home.html", "supervision.selectors.home_context", order=15, topics=("reports",)
        ),
    )
    # Orders move the page of the project they are about (``audit_topics``): no topic of their own here.
    project_sections = (
        site.Section("supervision/_target_orders.html", "supervision.selectors.project_section", order=60),
    )
    duty_sections = (
        site.Section("supervision/_target_orders.html", "supervision.selectors.duty_section", order=60),
    )
    open_work = (
        site.Work(
            "orders_to_answer",
            _("待答复的督办单"),
            "supervision.selectors.orders_to_answer",
            roles=(Role.UNIT_STAFF, Role.COMMUNITY_STAFF),
            title="",
            api="order-detail",
            due="deadline",
            order=20,
        ),
        site.Work(
            "orders_to_close",
            _("待办结的督办单"),
            "supervision.selectors.orders_to_close",
            roles=(Role.SUPERVISOR,),
            title="",
            api="order-detail",
            due="deadline",
            order=21,
        ),
        site.Work(
            "reports_to_release",
            _("待审核、待公布的旬通报"),
            "supervision.selectors.reports_to_release",
            roles=(Role.SUPERVISOR,),
            api="report-detail",
            order=22,
        ),
    )
    audit_verbs = {
        "report.generate": _("生成报告"),
        "report.approve": _("审核报告"),
        "report.publish": _("公布通报"),
        "order.issue": _("下发督办单"),
        "order.answer": _("答复督办单"),
        "order.return": _("退回重办"),
        "order.close": _("办结督办单"),
        "inspection.record": _("记录巡回指导"),
        "leader.appoint": _("登记联系领导"),
        "contact_point.assign": _("分配联系点"),
        "contact_point.remove": _("取消联系点"),
    }
    audit_fields = {"supervisionorder": {"target": site.AuditField(_("督办对象"))}}
    # Cache topics (jiangyan.core.pagecache): an order also shows on the page of the project or wish it is
    # about.
    audit_topics = {
        **dict.fromkeys(("report.generate", "report.approve", "report.publish"), ("reports",)),
        **dict.fromkeys(
            ("order.issue", "order.answer", "order.return", "order.close"),
            ("supervision", "project:{t.project.code}", "wish:{t.wish.code}"),
        ),
        **dict.fromkeys(
            ("inspection.record", "leader.appoint", "contact_point.assign", "contact_point.remove"),
            ("supervision",),
        ),
    }
