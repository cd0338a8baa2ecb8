"""What the wishes app holds about a person, and its erasure on request (``jiangyan.core.privacy``)."""

from django.db.models import Q

from jiangyan.helpers.crypto import blind_index

from . import services
from .models import Wish


def _wishes(*, user=None, phone: str = "", query_code: str = ""):
    match = Q(pk__in=[])
    if user is not None:
        match |= Q(submitted_by=user)
    if phone and (index := blind_index(phone)):
        match |= Q(wisher_phone_index=index)
    if query_code:
        match |= Q(query_code=query_code.strip().upper())
    return Wish.objects.filter(match).select_related("community").order_by("id")


def personal_data(*, user=None, phone: str = "", query_code: str = "") -> list[dict]:
    return [
        {
            "code": w.code,
            "title": w.title,
            "text": w.text,
            "status": w.get_status_display(),
            "community": str(w.community),
            "wisher_name": w.wisher_name,
            "wisher_phone": w.wisher_phone,
            "wisher_address": w.wisher_address,
            "submitted_at": w.submitted_at.isoformat(),
            "contact_erased_at": w.contact_erased_at.isoformat() if w.contact_erased_at else None,
        }
        for w in _wishes(user=user, phone=phone, query_code=query_code)
    ]


def erase_personal_data(*, actor, user=None, phone: str = "", query_code: str = "") -> int:
    """Erase the contact details of the person's ended wishes (closed, withdrawn, rejected); a wish still
    being handled keeps them until it ends, then the retention task erases them."""
    ended = _wishes(user=user, phone=phone, query_code=query_code).filter(status__in=list(services.ENDED))
    return sum(services.wish_erase_contact(wish=w, actor=actor, reason="request") for w in ended)
