from django.utils.translation import gettext_lazy as _

from jiangyan import site


class AccountsConfig(site.PortalAppConfig):
    name = "accounts"
    verbose_name = _("账号与组织")
    url_prefix = "accounts/"
    api_module = "accounts.api"
    nav_items = (site.NavItem(_("我的"), "accounts:me", signed_in=True, order=90),)
    privacy_module = "accounts.privacy"
    audit_verbs = {"account.register": _("注册账号")}
    audit_fields = {"user": {"role": site.AuditField(_("角色"), "jiangyan.roles.Role")}}
    audit_topics = {"account.register": ("accounts",)}
