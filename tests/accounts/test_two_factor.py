"""Two-factor sign-in (等保 身份鉴别: two kinds of credentials for staff): required for every staff role on
pages, the Django admin and the API token endpoint; optional (but binding once enrolled) for others."""

import re
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import two_factor_reset
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from tests.clients import authenticator_of, current_code, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
STAFF_ROLES = [Role.UNIT_STAFF, Role.COMMUNITY_STAFF, Role.SUPERVISOR, Role.ADMIN]


def password_step(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_staff_password_alone_reaches_nothing_but_the_second_step(client, role):
    user = UserFactory(roles=[role], is_staff=role == Role.ADMIN)
    authenticator_of(user)
    password_step(client, user)
    for url in ("/accounts/me/", "/admin/", "/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/"), url
    assert client.get("/api/v1/me/").status_code in (401, 403)  # the API sees no sign-in


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_without_an_authenticator_are_sent_to_enrol(client, role):
    user = UserFactory(roles=[role])
    password_step(client, user)
    response = client.get("/accounts/two-factor/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/setup/")


def test_the_code_of_the_authenticator_passes_the_second_step_and_is_audited(client):
    user = UserFactory(roles=[Role.SUPERVISOR])
    device = authenticator_of(user)
    password_step(client, user)
    response = client.post("/accounts/two-factor/?next=/accounts/me/", {"otp_token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    assert AuditEvent.objects.for_object(user).filter(verb="auth.second_step_passed").exists()
    signed_in = AuditEvent.objects.for_object(user).get(verb="auth.signed_in")
    assert signed_in.after["second_step"] is True and signed_in.after["address"] == "127.0.0.1"


def test_a_wrong_code_is_refused_and_recorded(client):
    user = UserFactory(roles=[Role.UNIT_STAFF])
    device = authenticator_of(user)
    password_step(client, user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/", {"otp_token": wrong})
    assert response.status_code == 200 and response.context["form"].errors["otp_token"]
    assert client.get("/accounts/me/").status_code == 302
    assert AuditEvent.objects.for_object(user).filter(verb="auth.second_step_failed").count() == 1


def test_a_recovery_code_works_once(client):
    user = UserFactory(roles=[Role.COMMUNITY_STAFF])
    authenticator_of(user)
    recovery = StaticDevice.objects.create(user=user, name="recovery")
    recovery.token_set.create(token="abcd2345")
    password_step(client, user)
    assert client.post("/accounts/two-factor/", {"otp_token": "abcd2345"}).status_code == 302
    assert client.get("/accounts/me/").status_code == 200
    second = Client()
    password_step(second, user)
    assert second.post("/accounts/two-factor/", {"otp_token": "abcd2345"}).status_code == 200
    assert not StaticToken.objects.filter(device=recovery).exists()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.PARTY_MEMBER])
def test_residents_and_members_need_no_second_step(client, role):
    user = UserFactory(roles=[role])
    password_step(client, user)
    assert client.get("/accounts/me/").status_code == 200


def test_a_resident_who_enrolled_must_pass_the_second_step(client):
    user = UserFactory(roles=[Role.RESIDENT])
    authenticator_of(user)
    password_step(client, user)
    assert client.get("/accounts/me/")["Location"].startswith("/accounts/two-factor/")


def test_enrolment_shows_a_qr_code_an_authenticator_app_can_read_and_gives_recovery_codes(client):
    user = UserFactory(roles=[Role.UNIT_STAFF], username="liaison")
    password_step(client, user)
    page = client.get("/accounts/two-factor/setup/")
    html = page.content.decode()
    assert 'src="/accounts/two-factor/qr.svg"' in html
    qr = client.get("/accounts/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content and b"<path" in qr.content
    # What the QR code holds: the standard otpauth URI (Key Uri Format) with the key shown beside it.
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert re.match(
        r"otpauth://totp/Jiangyan%3Aliaison\?secret=[A-Z2-7]+&algorithm=SHA1&digits=6&period=30&issuer=Jiangyan$",
        device.config_url,
    )
    secret = page.context["secret"].replace(" ", "")
    assert b32decode(secret) == device.bin_key
    # An app computes RFC 6238 codes from that key alone.
    code = f"{totp(b32decode(secret)):06d}"
    done = client.post("/accounts/two-factor/setup/", {"otp_token": code})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/accounts/me/").status_code == 200
    assert AuditEvent.objects.for_object(user).filter(verb="auth.two_factor_enrolled").exists()


def test_an_enrolment_with_a_wrong_code_confirms_nothing(client):
    user = UserFactory(roles=[Role.UNIT_STAFF])
    password_step(client, user)
    client.get("/accounts/two-factor/setup/")
    response = client.post("/accounts/two-factor/setup/", {"otp_token": "000000"})
    assert response.status_code == 200 and response.context["form"].errors["otp_token"]
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/accounts/me/").status_code == 302


class TestTokenEndpoint:
    url = "/api/v1/auth/token/"

    def test_staff_need_a_code_for_a_token(self, api_client):
        user = UserFactory(roles=[Role.SUPERVISOR])
        device = authenticator_of(user)
        refused = api_client.post(self.url, {"username": user.username, "password": PASSWORD})
        assert refused.status_code == 400 and "otp_token" in refused.json()["fields"]
        ok = api_client.post(
            self.url, {"username": user.username, "password": PASSWORD, "otp_token": current_code(device)}
        )
        assert ok.status_code == 200 and ok.json()["token"]
        event = AuditEvent.objects.for_object(user).get(verb="auth.signed_in")
        assert event.after["channel"] == "api"
        wrong = api_client.post(self.url, {"username": user.username, "password": PASSWORD, "otp_token": "1"})
        assert wrong.status_code == 400 and "token" not in wrong.json()
        assert AuditEvent.objects.for_object(user).filter(verb="auth.second_step_failed").count() == 2

    def test_staff_without_an_authenticator_get_no_token(self, api_client):
        user = UserFactory(roles=[Role.UNIT_STAFF])
        refused = api_client.post(
            self.url, {"username": user.username, "password": PASSWORD, "otp_token": "123456"}
        )
        assert refused.status_code == 400 and refused.json()["code"] == "second_step_not_set_up"

    def test_a_resident_needs_no_code(self, api_client):
        user = UserFactory(roles=[Role.RESIDENT])
        assert api_client.post(self.url, {"username": user.username, "password": PASSWORD}).status_code == 200


def test_the_office_resets_a_persons_devices_in_the_admin_and_it_is_audited(client):
    admin_user = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    staff = UserFactory(roles=[Role.UNIT_STAFF])
    authenticator_of(staff)
    StaticDevice.objects.create(user=staff, name="recovery")
    sign_in(client, admin_user)
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [staff.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    event = AuditEvent.objects.for_object(staff).get(verb="auth.two_factor_reset")
    assert event.actor == admin_user and event.after == {"devices": 2}


def test_a_reset_ends_the_passed_second_step_of_a_session(client, admin_user):
    staff = UserFactory(roles=[Role.UNIT_STAFF])
    sign_in(client, staff)
    assert client.get("/accounts/me/").status_code == 200
    two_factor_reset(actor=admin_user, user=staff)
    assert client.get("/accounts/me/")["Location"].startswith("/accounts/two-factor/")


def test_only_the_office_resets_devices(unit_staff, community_staff):
    from django.core.exceptions import PermissionDenied

    authenticator_of(community_staff)
    with pytest.raises(PermissionDenied):
        two_factor_reset(actor=unit_staff, user=community_staff)
    assert TOTPDevice.objects.filter(user=community_staff).exists()


def test_the_admin_site_needs_the_second_step_too(client, admin_user):
    sign_in(client, admin_user, second_step=False)
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")
    sign_in(client, admin_user)
    assert client.get("/admin/").status_code == 200


def test_demo_otp_prints_a_code_that_signs_each_demo_staff_account_in(client, capsys):
    from io import StringIO

    call_command("seed_demo", "--if-empty", stdout=StringIO())
    out = StringIO()
    call_command("demo_otp", stdout=out)
    printed = out.getvalue()
    for username in ("admin", "supervisor", "unit_staff", "community_staff"):
        line = next(line for line in printed.splitlines() if line.strip().startswith(username + " "))
        code = line.split()[1]
        signed = Client()
        signed.post("/accounts/login/", {"username": username, "password": "jiangyan-demo"})
        assert signed.post("/accounts/two-factor/", {"otp_token": code}).status_code == 302, username
        assert signed.get("/accounts/me/").status_code == 200, username


def test_the_session_device_counts_only_when_it_is_the_persons_own_and_confirmed(client):
    """``accounts.middleware.OTPMiddleware`` reads the person's confirmed devices with their user row: the
    same rule as django-otp's own query (the device exists, is theirs, is confirmed)."""
    staff, other = UserFactory(roles=[Role.UNIT_STAFF]), UserFactory(roles=[Role.UNIT_STAFF])
    own, foreign = authenticator_of(staff), authenticator_of(other)
    sign_in(client, staff, second_step=False)

    def with_device(device) -> int:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client.get("/accounts/me/").status_code

    assert with_device(foreign) == 302  # another person's authenticator
    own.confirmed = False
    own.save(update_fields=["confirmed"])
    assert with_device(own) == 302  # not confirmed
    own.confirmed = True
    own.save(update_fields=["confirmed"])
    assert with_device(own) == 200
    assert DEVICE_ID_SESSION_KEY in client.session
    own.delete()
    assert client.get("/accounts/me/").status_code == 302  # gone since: the step is owed again
    assert DEVICE_ID_SESSION_KEY not in client.session
