from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q

from jiangyan.crypto import blind_index
from jiangyan.roles import preload_roles

from .models import MemberProfile


@cache
def _user_sql() -> str:
    """The user of a session with their group names and the community they report to, in one query
    (PostgreSQL). Written out because every signed-in request runs it: composing it with the ORM costs
    several times more than running it (what the load benchmark measures, bench/README.md)."""
    User = get_user_model()
    columns = ", ".join(f"u.{connection.ops.quote_name(f.column)}" for f in User._meta.concrete_fields)
    return (
        f"SELECT {columns}, m.registered_community_id, (SELECT string_agg(g.name, ',') "
        f"FROM {Group._meta.db_table} g JOIN {User.groups.through._meta.db_table} ug ON ug.group_id = g.id "
        f"WHERE ug.user_id = u.id) FROM {User._meta.db_table} u "
        f"LEFT JOIN {MemberProfile._meta.db_table} m ON m.user_id = u.id WHERE u.id = %s"
    )


class UsernameOrPhoneBackend(ModelBackend):
    """Residents sign in with their phone number, staff with their username; both work everywhere.

    Every signed-in request loads its user here, with the roles and the community a party member reports
    to, in one query; the roles are read on every request, so a role taken away takes effect at once (a
    test in ``tests/accounts/test_sign_in.py`` compares it with the ORM's user)."""

    def get_user(self, user_id):
        if connection.vendor != "postgresql":  # the embedded default: the ORM's queries will do
            return super().get_user(user_id)
        User = get_user_model()
        with connection.cursor() as cursor:
            cursor.execute(_user_sql(), [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        *values, member_community_id, group_names = row
        fields = User._meta.concrete_fields
        # A raw row skips the fields' converters: the encrypted phone is decrypted here (jiangyan.fields).
        values = [
            f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
            for f, v in zip(fields, values, strict=True)
        ]
        user = User.from_db(User._default_manager.db, [f.attname for f in fields], values)
        if not self.user_can_authenticate(user):
            return None
        preload_roles(user, (group_names or "").split(","))
        user.__dict__["home_community_id"] = member_community_id or user.community_id
        return user

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        index = blind_index(username)
        match = Q(username=username) | Q(phone_index=index) if index else Q(username=username)
        user = User.objects.filter(match).order_by("id").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint of unknown names
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
