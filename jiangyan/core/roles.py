"""Roles (Django groups) and the checks every page and API endpoint uses.

Role says what kind of thing a user may do; object scope (their unit, their community, their own claims)
is enforced by each model's ``QuerySet.visible_to(user)`` / ``editable_by(user)``. The page mixin and
the API permission built on these checks are in ``jiangyan.core.permissions``.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    PARTY_MEMBER = "party_member", _("党员")
    UNIT_STAFF = "unit_staff", _("领办单位联络员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    SUPERVISOR = "supervisor", _("督查人员")
    ADMIN = "admin", _("办实事办公室")


def roles_of(user) -> frozenset[str]:
    """The role names of ``user`` (cached on the instance for the request). Superusers are admins."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = preload_roles(user, user.groups.values_list("name", flat=True))
    return cached


def preload_roles(user, group_names: Iterable[str]) -> frozenset[str]:
    """Keep ``user``'s roles for the request from group names already read (with the user, in one query)."""
    roles = frozenset(name for name in group_names if name)
    if user.is_superuser:
        roles |= {Role.ADMIN}
    user._role_cache = roles
    return roles


def has_role(user, *roles: str) -> bool:
    """True when ``user`` holds any of ``roles``; admins hold every role."""
    held = roles_of(user)
    return Role.ADMIN in held or bool(held.intersection(roles))


def is_admin(user) -> bool:
    return Role.ADMIN in roles_of(user)


def require_role(user, *roles: str) -> None:
    """Raise PermissionDenied unless ``user`` holds one of ``roles``. Services call it first."""
    if not has_role(user, *roles):
        raise PermissionDenied(_("您没有执行该操作的权限。"))
