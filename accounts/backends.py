from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q

from jiangyan.roles import preload_roles

from .models import MemberProfile


@cache
def _user_sql(vendor: str) -> str:
    """The user of a session with their group names and the community they report to, in one query. Written
    out because every signed-in request runs it: composing it with the ORM costs several times more than
    running it (what the load benchmark measures, bench/README.md)."""
    User = get_user_model()
    joined = "string_agg(g.name, ',')" if vendor == "postgresql" else "group_concat(g.name, ',')"
    return (
        f"SELECT u.*, m.registered_community_id AS member_community_id, (SELECT {joined} "
        f"FROM {Group._meta.db_table} g JOIN {User.groups.through._meta.db_table} ug ON ug.group_id = g.id "
        f"WHERE ug.user_id = u.id) AS group_names FROM {User._meta.db_table} u "
        f"LEFT JOIN {MemberProfile._meta.db_table} m ON m.user_id = u.id WHERE u.id = %s"
    )


class UsernameOrPhoneBackend(ModelBackend):
    """Residents sign in with their phone number, staff with their username; both work everywhere.

    Every signed-in request loads its user here, with the roles and the community a party member reports
    to, in one query; the roles are read on every request, so a role taken away takes effect at once."""

    def get_user(self, user_id):
        User = get_user_model()
        user = next(iter(User._default_manager.raw(_user_sql(connection.vendor), [user_id])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        preload_roles(user, (user.group_names or "").split(","))
        user.__dict__["home_community_id"] = user.member_community_id or user.community_id
        return user

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(Q(username=username) | Q(phone=username)).order_by("id").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint of unknown names
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
