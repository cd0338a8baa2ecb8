from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jiangyan.navigation import NavItem
from jiangyan.roles import Role


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = _("微心愿")
    nav_items = (
        NavItem(_("微心愿"), "wishes:board", order=20),
        NavItem(_("我的认领"), "wishes:my-claims", roles=(Role.PARTY_MEMBER,), order=21),
        NavItem(_("我的心愿"), "wishes:mine", signed_in=True, order=22),
        NavItem(_("心愿管理"), "wishes:manage", roles=(Role.COMMUNITY_STAFF,), order=23),
        NavItem(_("党员亮身份"), "wishes:members", order=24),
    )
