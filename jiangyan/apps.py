from django.utils.translation import gettext_lazy as _

from . import site
from .roles import Role


class JiangyanConfig(site.PortalAppConfig):
    name = "jiangyan"
    verbose_name = _("平台公共")
    audit_verbs = {"personal_data.view": _("查看了完整个人信息")}
    audit_topics = {"personal_data.view": ()}  # a reading: no page shows it
    nav_items = (site.NavItem(_("操作记录"), "audit-log", roles=(Role.ADMIN,), order=85),)
