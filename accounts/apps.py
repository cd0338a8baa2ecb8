from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jiangyan.navigation import NavItem


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与组织")
    nav_items = (NavItem(_("我的"), "accounts:me", signed_in=True, order=90),)
