"""Personal information at rest (issue 20, 数据保密性): the wisher's name, phone and address, the survey
respondent's phone and the user's phone are ciphertext in the database (and so in every backup); the
portal reads them in clear, finds them again through the blind index, rotates keys, and offers SM4."""

import base64
import io
import re

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from accounts.backends import UsernameOrPhoneBackend
from accounts.models import User
from accounts.services import resident_register
from jiangyan.helpers import crypto
from jiangyan.helpers.masking import mask_phone
from jiangyan.helpers.pii_migrations import encrypt_columns
from surveys.models import Response
from tests.surveys.factories import ResponseFactory
from tests.wishes.factories import WishFactory
from wishes.models import Wish

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
NEW_KEY = "new:" + base64.b64encode(b"n" * 32).decode()


def raw(table: str, column: str, pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def assert_sealed(stored: str | None, clear: str) -> None:
    assert stored and stored.startswith(crypto.PREFIX)
    assert clear not in stored and not re.search(r"1[3-9]\d{9}", stored)


def test_the_raw_columns_hold_no_phone_number_name_or_address(resident):
    wish = WishFactory(wisher_phone=PHONE, wisher_name="张桂兰", wisher_address="河横村24组15号")
    response = ResponseFactory(phone="13700001111")
    resident.phone = "13600002222"
    resident.save(update_fields=["phone", "phone_index"])

    assert_sealed(raw("wishes_wish", "wisher_phone", wish.pk), PHONE)
    assert_sealed(raw("wishes_wish", "wisher_name", wish.pk), "张桂兰")
    assert_sealed(raw("wishes_wish", "wisher_address", wish.pk), "河横村")
    assert_sealed(raw("surveys_response", "phone", response.pk), "13700001111")
    assert_sealed(raw("accounts_user", "phone", resident.pk), "13600002222")
    assert PHONE not in (raw("wishes_wish", "wisher_phone_index", wish.pk) or "")

    again = Wish.objects.get(pk=wish.pk)
    assert (again.wisher_phone, again.wisher_name, again.wisher_address) == (
        PHONE,
        "张桂兰",
        "河横村24组15号",
    )
    assert mask_phone(again.wisher_phone) == "139****5678"  # masking reads the clear value


def test_the_same_value_is_sealed_differently_each_time():
    assert crypto.encrypt(PHONE) != crypto.encrypt(PHONE)
    assert crypto.decrypt(crypto.encrypt(PHONE)) == PHONE


def test_a_tampered_value_does_not_decrypt():
    sealed = crypto.encrypt(PHONE)
    body = base64.b64decode(sealed.rsplit("$", 1)[1])
    forged = sealed.rsplit("$", 1)[0] + "$" + base64.b64encode(body[:-1] + bytes([body[-1] ^ 1])).decode()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged)


def test_an_equality_look_up_goes_through_the_blind_index_and_a_plain_one_is_refused():
    wish = WishFactory(wisher_phone=PHONE)
    assert list(Wish.objects.filter(wisher_phone_index=crypto.blind_index(PHONE))) == [wish]
    assert crypto.blind_index(PHONE) == crypto.blind_index(f" {PHONE} ")
    with pytest.raises(FieldError, match="blind index"):
        Wish.objects.filter(wisher_phone=PHONE).exists()


def test_the_blind_index_depends_on_its_own_key(settings):
    before = crypto.blind_index(PHONE)
    settings.PII_INDEX_KEY = base64.b64encode(b"x" * 32).decode()
    assert crypto.blind_index(PHONE) != before


def test_sm4_is_selectable_and_both_ciphers_stay_readable(settings):
    aes = crypto.encrypt(PHONE)
    settings.PII_CIPHER = "sm4-gcm"
    sm4 = crypto.encrypt(PHONE)
    assert aes.startswith("pii1$aes$") and sm4.startswith("pii1$sm4$")
    assert crypto.decrypt(aes) == crypto.decrypt(sm4) == PHONE
    wish = WishFactory(wisher_phone=PHONE)
    assert raw("wishes_wish", "wisher_phone", wish.pk).startswith("pii1$sm4$")
    assert Wish.objects.get(pk=wish.pk).wisher_phone == PHONE


def test_rotate_pii_key_reencrypts_every_row_with_the_first_key(settings, resident):
    wish = WishFactory(wisher_phone=PHONE)
    response = ResponseFactory(phone="13700001111")
    old_keys = settings.PII_KEYS
    settings.PII_KEYS = f"{NEW_KEY},{old_keys}"
    call_command("rotate_pii_key", stdout=io.StringIO())
    for table, column, pk in (
        ("wishes_wish", "wisher_phone", wish.pk),
        ("wishes_wish", "wisher_name", wish.pk),
        ("surveys_response", "phone", response.pk),
        ("accounts_user", "phone", resident.pk),
    ):
        assert raw(table, column, pk).startswith("pii1$aes$new$"), (table, column)
    settings.PII_KEYS = NEW_KEY  # the old key is gone: everything still reads
    assert Wish.objects.get(pk=wish.pk).wisher_phone == PHONE
    assert Response.objects.get(pk=response.pk).phone == "13700001111"
    assert User.objects.get(pk=resident.pk).phone == resident.phone


def test_a_value_under_a_dropped_key_fails_loudly(settings):
    sealed = crypto.encrypt(PHONE)
    settings.PII_KEYS = NEW_KEY
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(sealed)


def test_the_data_migration_encrypts_rows_stored_in_clear_text():
    wish = WishFactory(wisher_phone=PHONE, wisher_name="张桂兰")
    with connection.cursor() as cursor:  # as the rows were before encryption
        cursor.execute(
            "UPDATE wishes_wish SET wisher_phone = %s, wisher_name = %s, wisher_phone_index = NULL"
            " WHERE id = %s",
            [PHONE, "张桂兰", wish.pk],
        )
    encrypt_columns(
        "wishes_wish",
        ["wisher_name", "wisher_phone", "wisher_address"],
        {"wisher_phone_index": "wisher_phone"},
    )(None, None)
    assert_sealed(raw("wishes_wish", "wisher_phone", wish.pk), PHONE)
    assert_sealed(raw("wishes_wish", "wisher_name", wish.pk), "张桂兰")
    assert raw("wishes_wish", "wisher_phone_index", wish.pk) == crypto.blind_index(PHONE)
    assert Wish.objects.get(pk=wish.pk).wisher_phone == PHONE


def test_residents_sign_in_with_their_phone_through_the_blind_index():
    user = resident_register(phone="13800138000", password="Qinhu-lake-2021")
    assert not user.username.startswith("138")  # the username is a pseudonym, not the phone
    backend = UsernameOrPhoneBackend()
    assert backend.authenticate(None, username="13800138000", password="Qinhu-lake-2021") == user
    assert backend.get_user(user.pk).phone == "13800138000"  # its raw-row loader decrypts too
    assert user.display_name == "138****8000"
