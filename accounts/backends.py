from collections.abc import Callable
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Q
from django_otp import device_classes

from jiangyan.core.roles import preload_roles
from jiangyan.helpers.crypto import blind_index

from .models import MemberProfile

# What other apps must know of the signed-in person on every request, read with the user in the same query
# (one round trip instead of one more each): name → (an SQL expression over the user row ``u``, its
# parameters). An app registers its own from ``ready()`` (wishes: whether the person has wishes or claims
# only they may see, which decides whether their board is the public one).
USER_FACTS: dict[str, tuple[str, tuple]] = {}


def register_user_fact(name: str, sql: str, params=()) -> None:
    USER_FACTS[name] = (sql, tuple(params))
    _user_sql.cache_clear()


def user_fact(user, name: str, compute: Callable[[], object]):
    """``name`` of ``user`` as read with their session's user row, else computed now (a user loaded any other
    way, or the embedded SQLite default)."""
    facts = getattr(user, "_user_facts", None)
    if facts is not None and name in facts:
        return facts[name]
    return compute()


def confirmed_devices(user) -> frozenset[str] | None:
    """The persistent ids of ``user``'s confirmed second-step devices as read with the session's user row
    (``accounts.middleware.OTPMiddleware``); None when the user was loaded another way."""
    return getattr(user, "_confirmed_devices", None)


@cache
def _user_sql() -> str:
    """The user of a session with their group names, the community they report to, their confirmed
    second-step devices and the registered facts, in one query (PostgreSQL). Written out because every
    signed-in request runs it: composing it with the ORM costs several times more than running it (what the
    load benchmark measures, bench/README.md)."""
    User = get_user_model()
    columns = ", ".join(f"u.{connection.ops.quote_name(f.column)}" for f in User._meta.concrete_fields)
    devices = " UNION ALL ".join(
        f"SELECT '{model._meta.label_lower}/' || d.id FROM {model._meta.db_table} d "
        f"WHERE d.user_id = u.id AND d.confirmed"
        for model in device_classes()
    )
    facts = "".join(f", ({sql})" for sql, _params in USER_FACTS.values())
    return (
        f"SELECT {columns}, m.registered_community_id, (SELECT string_agg(g.name, ',') "
        f"FROM {Group._meta.db_table} g JOIN {User.groups.through._meta.db_table} ug ON ug.group_id = g.id "
        f"WHERE ug.user_id = u.id), (SELECT string_agg(p, ',') FROM ({devices}) AS ids(p)){facts} "
        f"FROM {User._meta.db_table} u "
        f"LEFT JOIN {MemberProfile._meta.db_table} m ON m.user_id = u.id WHERE u.id = %s"
    )


USER_STATEMENT = "jiangyan_session_user"


def _numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders numbered, as PREPARE takes them."""
    parts = sql.split("%s")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]


def _run_user_query(cursor, params: list) -> None:
    """The user query as a prepared statement of the connection: PostgreSQL plans it once per connection
    instead of on every request (planning it costs four times running it). Plain SQL inside a transaction,
    where a failed EXECUTE would abort the transaction."""
    if connection.in_atomic_block:
        cursor.execute(_user_sql(), params)
        return
    execute = f"EXECUTE {USER_STATEMENT}({', '.join(['%s'] * len(params))})"
    if getattr(connection, "_user_statement_of", None) is connection.connection:
        try:
            cursor.execute(execute, params)
            return
        except DatabaseError:  # the table changed under the statement (a migration): prepared again
            pass
    cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [USER_STATEMENT])
    if cursor.fetchone() is not None:
        cursor.execute(f"DEALLOCATE {USER_STATEMENT}")
    cursor.execute(f"PREPARE {USER_STATEMENT} AS {_numbered(_user_sql())}")
    connection._user_statement_of = connection.connection
    cursor.execute(execute, params)


def _fetch_user_row(params: list):
    with connection.cursor() as cursor:
        _run_user_query(cursor, params)
        return cursor.fetchone()


def _user_row(params: list):
    """The session's user row. The user query is a signed-in request's first, so it is also the connection's
    health check: with ``CONN_HEALTH_CHECKS`` Django would send a ``SELECT 1`` before it, a round trip on
    every signed-in request. Instead a connection that died since the last request (the database restarted)
    is closed, and the query, a read, runs once more on a new one."""
    checking = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if checking:
        connection.health_check_done = True
    try:
        return _fetch_user_row(params)
    except (OperationalError, InterfaceError):
        if not checking:
            raise
        connection.close()
        return _fetch_user_row(params)


class UsernameOrPhoneBackend(ModelBackend):
    """Residents sign in with their phone number, staff with their username; both work everywhere.

    Every signed-in request loads its user here, with the roles and the community a party member reports
    to, in one query; the roles are read on every request, so a role taken away takes effect at once (a
    test in ``tests/accounts/test_sign_in.py`` compares it with the ORM's user)."""

    def get_user(self, user_id):
        if connection.vendor != "postgresql":  # the embedded default: the ORM's queries will do
            return super().get_user(user_id)
        User = get_user_model()
        params = [p for _sql, fact_params in USER_FACTS.values() for p in fact_params]
        row = _user_row([*params, user_id])
        if row is None:
            return None
        facts = dict(zip(USER_FACTS, row[len(row) - len(USER_FACTS) :], strict=True))
        *values, member_community_id, group_names, devices = row[: len(row) - len(USER_FACTS)]
        fields = User._meta.concrete_fields
        # A raw row skips the fields' converters: the encrypted phone is decrypted here
        # (jiangyan.helpers.fields).
        values = [
            f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
            for f, v in zip(fields, values, strict=True)
        ]
        user = User.from_db(User._default_manager.db, [f.attname for f in fields], values)
        if not self.user_can_authenticate(user):
            return None
        preload_roles(user, (group_names or "").split(","))
        user.__dict__["home_community_id"] = member_community_id or user.community_id
        user.__dict__["_confirmed_devices"] = frozenset((devices or "").split(",")) - {""}
        user.__dict__["_user_facts"] = facts
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
