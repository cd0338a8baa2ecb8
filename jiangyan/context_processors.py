from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from .middleware import display_modes
from .notifications import unread_count
from .pagecache import csrf_marker, shared_render
from .roles import roles_of
from .site import nav_for


def portal(request):
    # No user yet when a request is refused before authentication ran (a Host outside ALLOWED_HOSTS: 400).
    user = getattr(request, "user", None) or AnonymousUser()
    shared = {"csrf_token": csrf_marker()} if shared_render(request) else {}  # filled in per reader
    return {
        **shared,
        "nav_items": nav_for(user),
        # A callable: the query runs only where a template shows the count.
        "unread_notifications": lambda: unread_count(user),
        "user_roles": roles_of(user),
        "display_modes": display_modes(request),
        "site_name": _("姜堰区“我为群众办实事”平台"),
        "debug": settings.DEBUG,
    }
