"""Passwords (等保 身份鉴别: 口令复杂度、定期更换): the staff rule, history, expiry, a password the office set
changed at the next sign-in, and the optional PBKDF2-on-SM3 hasher."""

import datetime

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.hashers import PBKDF2SM3PasswordHasher
from accounts.models import PasswordHistory, User
from accounts.services import password_change, password_set_by_office
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from tests.clients import authenticator_of, current_code, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def refused(password, user) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize(
    "password,code",
    [
        ("Short-1a", "staff_password_weak"),  # 8 characters
        ("lowercaseonly-words", "staff_password_weak"),  # two kinds
        ("LiaisonTwo-2026", "password_has_name"),
        ("X13912345678-a", "password_has_name"),
    ],
)
def test_the_staff_password_rule(password, code):
    user = UserFactory(roles=[Role.UNIT_STAFF], username="liaisontwo", phone="13912345678")
    assert code in refused(password, user)


def test_a_strong_staff_password_passes():
    user = UserFactory(roles=[Role.SUPERVISOR], username="leader")
    assert refused("Qinhu-Lake-2026", user) == []


def test_residents_keep_the_general_rule():
    user = UserFactory(roles=[Role.RESIDENT])
    assert refused("meadow-lark", user) == []
    assert refused("meadow-lark", UserFactory(roles=[Role.COMMUNITY_STAFF])) != []


def test_none_of_the_last_five_passwords_again():
    user = UserFactory(roles=[Role.UNIT_STAFF])
    passwords = [f"Qinhu-Lake-{n}x" for n in range(6)]
    for password in passwords:
        password_change(user=user, new_password=password)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for password in passwords[1:]:
        assert "password_reused" in refused(password, user), password
    assert "password_reused" not in refused(passwords[0], user)  # the sixth-last may come back


def test_the_change_page_applies_the_rule(client, unit_staff):
    sign_in(client, unit_staff)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200 and response.context["form"].errors["new_password1"]
    assert User.objects.get(pk=unit_staff.pk).check_password(PASSWORD)


def test_an_expired_staff_password_must_be_changed_first(client, settings, supervisor):
    settings.STAFF_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=supervisor.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    sign_in(client, supervisor)
    assert client.get("/accounts/me/")["Location"].startswith("/accounts/password/")
    new = "Qinhu-Lake-2026!"
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert client.get("/accounts/me/").status_code == 200


def test_a_residents_old_password_does_not_expire(client, resident):
    User.objects.filter(pk=resident.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=400)
    )
    sign_in(client, resident)
    assert client.get("/accounts/me/").status_code == 200


def test_a_password_the_office_set_must_be_changed_at_the_next_sign_in(client, api_client):
    admin_user = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    staff = UserFactory(roles=[Role.COMMUNITY_STAFF])
    sign_in(client, admin_user)
    reset = "Office-Set-2026"
    response = client.post(
        f"/admin/accounts/user/{staff.pk}/password/",
        {"password1": reset, "password2": reset, "usable_password": "true"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.must_change_password and staff.check_password(reset)
    assert AuditEvent.objects.for_object(staff).get(verb="auth.password_reset").actor == admin_user

    person = sign_in(type(client)(), staff)
    assert person.get("/accounts/me/")["Location"].startswith("/accounts/password/")
    token = api_client.post(
        "/api/v1/auth/token/",
        {"username": staff.username, "password": reset, "otp_token": current_code(authenticator_of(staff))},
    )
    assert token.status_code == 400 and token.json()["code"] == "password_change_due"
    new = "Own-Choice-2026"
    person.post("/accounts/password/", {"old_password": reset, "new_password1": new, "new_password2": new})
    assert person.get("/accounts/me/").status_code == 200


def test_an_account_the_office_creates_must_change_its_password(client):
    sign_in(client, UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True))
    client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "password1": "Initial-Pass-2026",
            "password2": "Initial-Pass-2026",
            "usable_password": "true",
            "member_profile-TOTAL_FORMS": "0",
            "member_profile-INITIAL_FORMS": "0",
        },
    )
    assert User.objects.get(username="newcomer").must_change_password


def test_only_the_office_sets_passwords(unit_staff, community_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        password_set_by_office(actor=unit_staff, user=community_staff, new_password="Qinhu-Lake-2026")


class TestSM3Hasher:
    def test_it_is_pbkdf2_with_hmac_sm3(self):
        hasher = PBKDF2SM3PasswordHasher()
        encoded = hasher.encode("密码-Secret-1", "somesalt", iterations=1)
        # PBKDF2 with one iteration and a 32-byte key is HMAC-SM3(password, salt || 00000001) (RFC 8018).
        mac = hmac.HMAC("密码-Secret-1".encode(), hashes.SM3())
        mac.update(b"somesalt\x00\x00\x00\x01")
        import base64

        assert encoded == f"pbkdf2_sm3$1$somesalt${base64.b64encode(mac.finalize()).decode()}"
        assert hasher.verify("密码-Secret-1", encoded) and not hasher.verify("other", encoded)

    def test_it_is_an_option_not_the_default(self, settings):
        from jiangyan.settings import base

        assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
        assert "accounts.hashers.PBKDF2SM3PasswordHasher" in base.PASSWORD_HASHERS
        settings.PASSWORD_HASHERS = ["accounts.hashers.PBKDF2SM3PasswordHasher"]
        encoded = make_password("Qinhu-Lake-2026")
        assert identify_hasher(encoded).algorithm == "pbkdf2_sm3"
        assert check_password("Qinhu-Lake-2026", encoded)
