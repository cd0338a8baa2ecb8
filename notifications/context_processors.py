from django.contrib.auth.models import AnonymousUser

from .selectors import unread_count


def unread(request):
    """The header's unread count (``TEMPLATES``' context processors)."""
    # No user yet when a request is refused before authentication ran (a Host outside ALLOWED_HOSTS: 400).
    user = getattr(request, "user", None) or AnonymousUser()
    # A callable: the query runs only where a template shows the count.
    return {"unread_notifications": lambda: unread_count(user)}
