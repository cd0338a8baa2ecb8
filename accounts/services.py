"""Writes of the accounts app."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from jiangyan.audit import audit_record
from jiangyan.exceptions import ApplicationError
from jiangyan.roles import Role

from .models import Community, User


def ensure_role_groups() -> None:
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@transaction.atomic
def resident_register(
    *, phone: str, password: str, real_name: str = "", community: Community | None = None
) -> User:
    """Create a resident account whose username is the phone number. ``password`` is already validated."""
    if User.objects.filter(phone=phone).exists() or User.objects.filter(username=phone).exists():
        raise ApplicationError(
            "该手机号已注册。", code="duplicate_phone", fields={"phone": ["该手机号已注册。"]}
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=phone, phone=phone, password=password, real_name=real_name, community=community
            )
    except IntegrityError as exc:  # a simultaneous registration of the same phone
        raise ApplicationError(
            "该手机号已注册。", code="duplicate_phone", fields={"phone": ["该手机号已注册。"]}
        ) from exc
    group, _ = Group.objects.get_or_create(name=Role.RESIDENT)
    user.groups.add(group)
    audit_record(actor=user, verb="account.register", target=user, after={"role": Role.RESIDENT})
    return user
