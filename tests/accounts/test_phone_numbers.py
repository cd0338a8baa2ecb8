"""Contact numbers: a mobile everywhere; where staff write down a caller's or a visited household's number,
a landline with its area code too, written one way whatever the spacing."""

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import validate_contact_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0523-88812345", "0523-88812345"),
        ("0523 8881 2345", "0523-88812345"),
        ("052388812345", "0523-88812345"),
        ("0523-8881234", "0523-8881234"),
        ("010-12345678", "010-12345678"),
        ("02512345678", "025-12345678"),
        ("138 1234-5678", "13812345678"),
    ],
)
def test_staff_entry_takes_landlines_and_mobiles_written_one_way(typed, stored):
    assert validate_contact_phone(typed, landline=True) == stored


@pytest.mark.parametrize("typed", ["0523-88812345", "88812345", "12345678901"])
def test_a_residents_own_form_takes_mobiles_only(typed):
    with pytest.raises(ValidationError, match="11 位手机号码"):
        validate_contact_phone(typed, landline=False)


@pytest.mark.parametrize("typed", ["88812345", "0523-123", "0523-123456789", "1381234567", "abc"])
def test_neither_a_landline_nor_a_mobile_is_refused_with_both_named(typed):
    with pytest.raises(ValidationError, match="固定电话"):
        validate_contact_phone(typed, landline=True)
