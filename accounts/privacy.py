"""What the accounts app holds about a person (their account), and its erasure on their own request."""

from django.db import transaction

from jiangyan.core.audit import audit_record

from .models import User, resident_username


def personal_data(*, user=None, phone: str = "", query_code: str = "") -> list[dict]:
    if user is None:
        return []
    return [
        {
            "username": user.username,
            "real_name": user.real_name,
            "phone": user.phone or "",
            "email": user.email,
            "community": str(user.community or ""),
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    ]


@transaction.atomic
def erase_personal_data(*, actor, user=None, phone: str = "", query_code: str = "") -> int:
    """A resident's own deletion request: the account is closed and stripped of name, phone and e-mail
    (its audit events keep the masked label they were written with)."""
    if user is None:
        return 0
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.real_name = ""
    locked.phone = None
    locked.email = ""
    locked.username = resident_username()
    locked.is_active = False
    locked.set_unusable_password()
    locked.save(
        update_fields=["real_name", "phone", "phone_index", "email", "username", "is_active", "password"]
    )
    audit_record(actor=actor, verb="personal_data.erase", target=locked, after={"fields": ["account"]})
    return 1
