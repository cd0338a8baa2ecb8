"""A person's personal information across the portal (PIPL): what each app holds about them, found by
their account, a wish's query code or their phone (through the blind index), downloaded as JSON and
erased on request. Each app declares its part as ``privacy_module`` (``jiangyan.core.site``); every download
and every erasure is audited."""

import json

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_module

from jiangyan.helpers.masking import mask_phone

from .audit import audit_security, personal_data_downloaded
from .site import portal_apps


def _modules():
    return [(c.label, import_module(c.privacy_module)) for c in portal_apps() if c.privacy_module]


def _subject(*, user, phone: str, query_code: str) -> str:
    if user is not None:
        return f"user:{user.pk}"
    return " ".join(p for p in (mask_phone(phone) if phone else "", query_code) if p)


def subject_data(*, user=None, phone: str = "", query_code: str = "") -> dict[str, list[dict]]:
    """Everything the apps hold about the person, by app label (no audit: callers that show it do)."""
    found = {
        label: module.personal_data(user=user, phone=phone, query_code=query_code)
        for label, module in _modules()
    }
    return {label: rows for label, rows in found.items() if rows}


def subject_download(*, actor, user=None, phone: str = "", query_code: str = "") -> str:
    """The person's data as JSON, and the audit event of its download."""
    data = subject_data(user=user, phone=phone, query_code=query_code)
    personal_data_downloaded(
        actor=actor, subject=_subject(user=user, phone=phone, query_code=query_code), fields=sorted(data)
    )
    payload = {"generated_at": timezone.now().isoformat(), "data": data}
    return json.dumps(payload, ensure_ascii=False, indent=2)


@transaction.atomic
def subject_erase(*, actor, user=None, phone: str = "", query_code: str = "") -> dict[str, int]:
    """Erase what each app may erase now (each app audits its own erasures), and record the request."""
    erased = {
        label: module.erase_personal_data(actor=actor, user=user, phone=phone, query_code=query_code)
        for label, module in _modules()
    }
    audit_security(
        actor=actor,
        verb="personal_data.erase",
        subject=_subject(user=user, phone=phone, query_code=query_code),
        after={"erased": erased},
    )
    return erased
