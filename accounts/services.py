"""Writes of the accounts app."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiangyan.audit import audit_record
from jiangyan.crypto import blind_index
from jiangyan.exceptions import ApplicationError, field_error
from jiangyan.roles import Role

from .models import Community, User, resident_username


def ensure_role_groups() -> None:
    for role in Role.values:
        Group.objects.get_or_create(name=role)


def _phone_taken() -> ApplicationError:
    return field_error("phone", _("该手机号已注册，请直接登录。"), code="duplicate_phone")


@transaction.atomic
def resident_register(
    *, phone: str, password: str, real_name: str = "", community: Community | None = None
) -> User:
    """Create a resident account, signed in with the phone number (found through its blind index); the new
    resident is the actor of its audit event. ``password`` is already validated. A phone number already in
    use (as a phone or as a username) is refused on the ``phone`` field.

    The username is a pseudonym (``resident_username``), not the phone: the phone is personal information,
    encrypted at rest, and the username is not."""
    if (
        User.objects.filter(phone_index=blind_index(phone)).exists()
        or User.objects.filter(username=phone).exists()
    ):
        raise _phone_taken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=resident_username(),
                phone=phone,
                password=password,
                real_name=real_name,
                community=community,
            )
    except IntegrityError as exc:  # a simultaneous registration of the same phone
        raise _phone_taken() from exc
    group, _created = Group.objects.get_or_create(name=Role.RESIDENT)
    user.groups.add(group)
    audit_record(actor=user, verb="account.register", target=user, after={"role": Role.RESIDENT})
    return user
