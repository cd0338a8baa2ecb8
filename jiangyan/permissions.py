"""Role checks for pages (``RoleRequiredMixin``, ``role_required``) and the API (``HasRole``)."""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .roles import has_role


class RoleRequiredMixin(AccessMixin):
    """For class-based pages: anonymous users go to sign-in, signed-in users without the role get 403."""

    required_roles: Iterable[str] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_roles and not has_role(request.user, *self.required_roles):
            raise PermissionDenied("您没有访问该页面的权限。")
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    """DRF permission: ``permission_classes = [HasRole.of(Role.SUPERVISOR)]``."""

    roles: tuple[str, ...] = ()
    message = "您没有执行该操作的权限。"

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type("HasRole", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and has_role(request.user, *self.roles))


def role_required(*roles: str):
    """For function pages: anonymous users go to sign-in, signed-in users without a role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and not has_role(request.user, *roles):
                raise PermissionDenied("您没有访问该页面的权限。")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
