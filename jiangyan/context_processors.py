from django.conf import settings
from django.utils.translation import gettext as _

from .notifications import unread_count
from .roles import roles_of
from .site import nav_for

DISPLAY_COOKIE = "display"
DISPLAY_MODES = ("large", "contrast")


def display_modes(request) -> list[str]:
    return [m for m in request.COOKIES.get(DISPLAY_COOKIE, "").split(",") if m in DISPLAY_MODES]


def portal(request):
    return {
        "nav_items": nav_for(request.user),
        # A callable: the query runs only where a template shows the count.
        "unread_notifications": lambda: unread_count(request.user),
        "user_roles": roles_of(request.user),
        "display_modes": display_modes(request),
        "site_name": _("姜堰区“我为群众办实事”平台"),
        "debug": settings.DEBUG,
    }
