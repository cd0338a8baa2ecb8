"""No internal key or stored code reaches a reader of the exports: every audit event the demo district's
services wrote reads, key and value, as labels (``jiangyan.core.selectors.AuditReader``), in Chinese and in
English, and every verb has its label."""

import re

import pytest
from django.utils import translation

from jiangyan.core.selectors import AuditReader
from jiangyan.models import AuditEvent

pytestmark = pytest.mark.django_db

# A stored key or code: a lower-case ASCII identifier (status, open, average_variance, party_member …).
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![A-Za-z0-9])")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_event_of_the_demo_reads_as_labels_in_both_languages(district):
    events = list(AuditEvent.objects.select_related("target_type"))
    assert len({e.verb for e in events}) >= 20, "the demo should exercise most verbs"
    unlabelled = sorted({e.verb for e in events if str(e.verb_label) == e.verb})
    assert not unlabelled, f"verbs without a label: {unlabelled}"
    for language in ("zh-hans", "en"):
        with translation.override(language):
            reader = AuditReader()
            raw = {}
            for event in events:
                for side in (event.before, event.after):
                    text = reader.describe(event, side)
                    for word in IDENTIFIER.findall(text) if language == "zh-hans" else ():
                        raw.setdefault(word, f"{event.verb}: {text[:80]}")
                    if language == "en" and isinstance(side, dict):
                        labels = [part.split(": ")[0] for part in text.split("; ")]
                        raw.update({label: event.verb for label in labels if CJK.search(label)})
            assert not raw, f"{language}: raw keys or codes in the audit export: {raw}"
