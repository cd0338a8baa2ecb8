from django.utils.translation import gettext_lazy as _

from . import site
from .roles import Role


class JiangyanConfig(site.PortalAppConfig):
    name = "jiangyan"
    verbose_name = _("平台公共")
    audit_verbs = {"personal_data.view": _("查看了完整个人信息")}
    # Keys any event may carry, whatever its target (``selectors.AuditReader``).
    audit_fields = {
        "*": {
            "fields": site.AuditField(_("查看的信息"), site.MODEL_FIELDS),
            "previous": site.AuditField(_("原值")),
            "code": site.AuditField(_("编号")),
        }
    }
    nav_items = (site.NavItem(_("操作记录"), "audit-log", roles=(Role.ADMIN,), order=85),)
