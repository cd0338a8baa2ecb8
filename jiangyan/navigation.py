"""Navigation by role. Each app declares its entries as ``nav_items`` on its AppConfig, so the base
template needs no edit when an app grows a page."""

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] = field(default=())  # empty: everybody
    order: int = 50
    signed_in: bool = False

    def visible_to(self, user) -> bool:
        from .roles import has_role  # imported late: apps.py files import NavItem before models load

        if self.roles:
            return has_role(user, *self.roles)
        return user.is_authenticated or not self.signed_in


def nav_for(user) -> list[dict]:
    items = [item for config in apps.get_app_configs() for item in getattr(config, "nav_items", ())]
    return [
        {"label": item.label, "url": reverse(item.url_name)}
        for item in sorted(items, key=lambda i: i.order)
        if item.visible_to(user)
    ]
