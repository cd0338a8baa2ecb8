"""``manage.py verify_audit``: check the audit record's hash chain; exit status 1 when it is broken.

Finds an event edited (its content no longer matches its hash), deleted or inserted (the next event's
``prev_hash`` is not the hash before it) behind the portal's back (docs/audit.md)."""

from django.core.management.base import BaseCommand, CommandError

from jiangyan.core.audit import audit_verify
from jiangyan.models import AuditEvent

REASONS = {
    "content": "edited: its content does not match its hash",
    "chain": "the chain is cut before it: an event deleted or this one inserted",
}


class Command(BaseCommand):
    help = "Verify the hash chain of the audit record."

    def handle(self, *args, **options):
        breaks = list(audit_verify())
        for found in breaks:
            self.stderr.write(f"event {found.event_id}: {REASONS[found.reason]}")
        if breaks:
            raise CommandError(f"the audit record is broken in {len(breaks)} place(s)")
        self.stdout.write(f"audit record intact: {AuditEvent.objects.count()} events")
