import psycopg2
import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group

from accounts.backends import USER_STATEMENT, UsernameOrPhoneBackend, user_fact
from accounts.models import User
from jiangyan.core.roles import Role, roles_of
from jiangyan.helpers.crypto import blind_index
from jiangyan.models import AuditEvent
from tests.clients import sign_in
from tests.factories import PASSWORD, CommunityFactory, MemberFactory, UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["username", "phone"])
def test_sign_in_with_username_or_phone(client, identifier):
    user = UserFactory(username="liaison", phone="13912340000")
    response = client.post("/accounts/login/", {"username": getattr(user, identifier), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/me/").context["user"] == user


@pytest.mark.django_db
def test_wrong_password_gives_a_form_error_not_a_sign_in(client):
    UserFactory(username="liaison")
    response = client.post("/accounts/login/", {"username": "liaison", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名（手机号）或密码不正确" in response.content.decode()
    assert client.get("/accounts/me/").status_code == 302


@pytest.mark.django_db
def test_password_guessing_locks_the_account_for_that_address(client, settings):
    UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "target", "password": "guess"})
    response = client.post("/accounts/login/", {"username": "target", "password": PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert client.get("/accounts/me/").status_code == 302


@pytest.mark.django_db
def test_sign_out_is_a_post(client):
    user = UserFactory()
    sign_in(client, user)
    client.post("/accounts/logout/")
    assert client.get("/accounts/me/").status_code == 302


@pytest.mark.django_db
def test_token_endpoint_returns_a_token_that_authenticates_api_calls(api_client):
    UserFactory(username="api-user")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "api-user", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/towns/").status_code == 200


@pytest.mark.django_db
def test_token_endpoint_rejects_bad_credentials_with_400(api_client):
    UserFactory(username="api-user")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "api-user", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.django_db
class TestResidentRegistration:
    def post(self, client, **overrides):
        data = {
            "phone": "13800138000",
            "real_name": "赵敏",
            "password1": "Qinhu-lake-2021",
            "password2": "Qinhu-lake-2021",
        }
        return client.post("/accounts/register/", {**data, **overrides})

    def test_registration_creates_a_signed_in_resident_with_the_phone_as_username(self, client, community):
        response = self.post(client, community=community.pk)
        assert response.status_code == 302
        user = User.objects.get(phone_index=blind_index("13800138000"))
        assert (
            user.username.startswith("resident-")
            and user.phone == "13800138000"
            and user.community == community
        )
        assert list(user.groups.values_list("name", flat=True)) == [Role.RESIDENT]
        assert AuditEvent.objects.for_object(user).filter(verb="account.register").exists()
        assert client.get("/accounts/me/").status_code == 200

    def test_duplicate_phone_is_a_form_error(self, client):
        UserFactory(phone="13800138000")
        response = self.post(client)
        assert response.status_code == 200
        assert "该手机号已注册" in response.content.decode()
        assert User.objects.filter(phone_index=blind_index("13800138000")).count() == 1

    @pytest.mark.parametrize("password", ["12345678", "abc", "password"])
    def test_weak_password_is_a_form_error_and_creates_nothing(self, client, password):
        response = self.post(client, password1=password, password2=password)
        assert response.status_code == 200
        assert response.context["form"].errors["password1"]
        assert not User.objects.filter(phone_index=blind_index("13800138000")).exists()

    def test_bad_phone_and_mismatched_passwords_are_field_errors(self, client):
        response = self.post(client, phone="12345", password2="something-else-2021")
        errors = response.context["form"].errors
        assert "phone" in errors and "password2" in errors
        assert not User.objects.exists()

    def test_registration_never_grants_more_than_the_resident_role(self, client):
        Group.objects.get_or_create(name=Role.ADMIN)
        self.post(client, groups=[1], is_superuser="on", is_staff="on")
        user = User.objects.get(phone_index=blind_index("13800138000"))
        assert not user.is_superuser and not user.is_staff
        assert set(user.groups.values_list("name", flat=True)) == {Role.RESIDENT}


def test_the_session_user_is_loaded_with_roles_and_reporting_community_as_the_orm_would(db, community):
    """``UsernameOrPhoneBackend.get_user`` writes its query out (it runs on every signed-in request)."""
    member = MemberFactory(community=CommunityFactory(), roles=[Role.PARTY_MEMBER, Role.COMMUNITY_STAFF])
    member.community = community
    member.save(update_fields=["community"])
    plain = UserFactory(community=community)
    for user in (member, plain):
        fast, orm = UsernameOrPhoneBackend().get_user(user.pk), ModelBackend().get_user(user.pk)
        assert [getattr(fast, f.attname) for f in fast._meta.concrete_fields] == [
            getattr(orm, f.attname) for f in orm._meta.concrete_fields
        ]
        assert roles_of(fast) == frozenset(orm.groups.values_list("name", flat=True))
        profile = orm.member_profile_or_none
        assert fast.home_community_id == (profile.registered_community_id if profile else orm.community_id)
    assert roles_of(UsernameOrPhoneBackend().get_user(plain.pk)) == frozenset()
    assert UsernameOrPhoneBackend().get_user(member.pk).home_community_id != community.pk
    plain.is_active = False
    plain.save(update_fields=["is_active"])
    assert UsernameOrPhoneBackend().get_user(plain.pk) is None
    assert UsernameOrPhoneBackend().get_user(10**9) is None


def test_the_facts_other_apps_register_are_read_with_the_session_user(db):
    """``accounts.backends.USER_FACTS`` (wishes: whether the person has wishes only they see) come with the
    user row and say what asking separately says."""
    from tests.wishes.factories import WishFactory
    from wishes.choices import WishStatus
    from wishes.models import OWN_ROWS, _has_own_rows

    member = MemberFactory()
    fact = lambda: user_fact(UsernameOrPhoneBackend().get_user(member.pk), OWN_ROWS, lambda: "asked")  # noqa: E731
    assert fact() is False and _has_own_rows(member) is False
    WishFactory(submitted_by=member, status=WishStatus.SUBMITTED)
    assert fact() is True and _has_own_rows(member) is True
    assert user_fact(User.objects.get(pk=member.pk), OWN_ROWS, lambda: "asked") == "asked"  # not loaded so


@pytest.mark.django_db(transaction=True)
def test_the_session_user_query_is_prepared_once_per_connection_and_survives_a_lost_statement():
    """Outside a transaction the user query runs as a prepared statement (planned once per connection); a
    statement lost or changed under it (a migration) is prepared again, and the answer stays the ORM's."""
    from django.db import connection

    member = MemberFactory()
    backend = UsernameOrPhoneBackend()

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [USER_STATEMENT])
            return cursor.fetchone()[0]

    assert backend.get_user(member.pk) == member
    assert prepared() == 1
    assert backend.get_user(member.pk).username == member.username and prepared() == 1
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {USER_STATEMENT}")
    assert backend.get_user(member.pk).username == member.username
    assert prepared() == 1


@pytest.mark.django_db(transaction=True)
def test_the_session_user_query_is_the_connections_health_check():
    """With ``CONN_HEALTH_CHECKS`` a request's first query would follow a ``SELECT 1``; the user query takes
    its place: a healthy connection sends nothing before it, and a connection the database dropped since the
    last request is replaced and the person still loaded (a restart of the database signs nobody out)."""
    from django.db import connections

    connection = connections["default"]
    member = MemberFactory()
    backend = UsernameOrPhoneBackend()
    assert backend.get_user(member.pk) == member
    checks = []
    connection.is_usable = lambda: checks.append(1) or True  # Django's check, counted
    enabled, connection.health_check_enabled = connection.health_check_enabled, True
    try:
        connection.health_check_done = False  # as at the start of a request (close_old_connections)
        assert backend.get_user(member.pk) == member
        assert checks == [] and connection.health_check_done

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        other = psycopg2.connect(**connection.get_connection_params())  # the database ends the connection
        with other, other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()
        connection.health_check_done = False
        assert backend.get_user(member.pk).username == member.username
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        del connection.is_usable
        connection.health_check_enabled = enabled
