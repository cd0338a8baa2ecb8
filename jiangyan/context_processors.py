from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from jiangyan.core.middleware import display_modes
from jiangyan.core.pagecache import csrf_marker, shared_render
from jiangyan.core.roles import roles_of
from jiangyan.core.site import nav_for


def portal(request):
    # No user yet when a request is refused before authentication ran (a Host outside ALLOWED_HOSTS: 400).
    user = getattr(request, "user", None) or AnonymousUser()
    shared = {"csrf_token": csrf_marker()} if shared_render(request) else {}  # filled in per reader
    return {
        **shared,
        "nav_items": nav_for(user),
        "user_roles": roles_of(user),
        "display_modes": display_modes(request),
        "site_name": _("姜堰区“我为群众办实事”平台"),
        "debug": settings.DEBUG,
    }
