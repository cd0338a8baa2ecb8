"""Role checks: ``role_required`` for pages, ``HasRole`` for the API. Object scope is the model's
(``jiangyan.core.scoping``)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .roles import has_role

NO_PERMISSION = _("您没有执行该操作的权限。")


class HasRole(BasePermission):
    """DRF permission: ``HasRole.of(Role.SUPERVISOR)``; signed in and holding one of the roles."""

    roles: tuple[str, ...] = ()
    message = NO_PERMISSION

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type("HasRole", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (not self.roles or has_role(user, *self.roles)))


def role_required(*roles: str):
    """For pages: anonymous visitors go to sign-in, signed-in users without one of ``roles`` get 403.
    With no roles, any signed-in user passes."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and not has_role(request.user, *roles):
                raise PermissionDenied(_("您没有访问该页面的权限。"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
