from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jiangyan.navigation import NavItem
from jiangyan.roles import Role


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("需求调研")
    nav_items = (
        NavItem(_("问卷调查"), "surveys:list", roles=(), order=40),
        NavItem(_("建议编码"), "surveys:coding", roles=(Role.ADMIN,), order=41),
        NavItem(_("问题清单"), "surveys:problems", roles=(Role.ADMIN,), order=42),
        NavItem(_("履职清单"), "surveys:duties", roles=(Role.UNIT_STAFF, Role.SUPERVISOR), order=43),
        NavItem(_("调研分析"), "surveys:analytics_index", roles=(Role.SUPERVISOR,), order=44),
    )
