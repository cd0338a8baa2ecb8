"""Who the stricter sign-in rules apply to (docs/security.md): staff, that is every role that sees other
people's personal data or changes the registries, and anyone who may open the Django admin."""

from django.conf import settings
from django.utils import timezone

from jiangyan.core.roles import Role, roles_of

# Session keys of the sign-in clocks (seconds since the epoch): accounts.middleware ends a session idle or
# old beyond the settings.
SESSION_SIGNED_IN_AT = "signed_in_at"
SESSION_LAST_SEEN = "last_seen"
# Whether the session owes a second step (staff, or a person who enrolled one), decided at sign-in.
SESSION_SECOND_STEP = "second_step"

STAFF_ROLES = frozenset({Role.UNIT_STAFF, Role.COMMUNITY_STAFF, Role.SUPERVISOR, Role.ADMIN})


def is_staff_account(user) -> bool:
    """Two-factor sign-in, short sessions, strong and expiring passwords. Party members and residents
    may enrol a second step but are not required to."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if user.pk is None:
        return False
    return bool(roles_of(user) & STAFF_ROLES)


def password_change_due(user) -> bool:
    """The office set this password (initial or reset), or it is older than the staff limit."""
    if user.must_change_password:
        return True
    if not is_staff_account(user) or user.password_changed_at is None:
        return False
    age = timezone.now() - user.password_changed_at
    return age.days >= settings.STAFF_PASSWORD_MAX_AGE_DAYS
