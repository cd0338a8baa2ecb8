import pytest

from jiangyan.core.audit import audit_record, personal_data_viewed
from jiangyan.models import AuditEvent


@pytest.mark.django_db
def test_audit_record_keeps_actor_verb_target_and_states(resident, community):
    event = audit_record(
        actor=resident, verb="test.change", target=community, before={"a": 1}, after={"a": 2}, note="why"
    )
    stored = AuditEvent.objects.for_object(community).get()
    assert stored == event
    assert (stored.actor, stored.actor_label, stored.verb) == (resident, resident.display_name, "test.change")
    assert (stored.before, stored.after, stored.note) == ({"a": 1}, {"a": 2}, "why")
    assert stored.target_repr == str(community)


@pytest.mark.django_db
def test_audit_event_is_append_only(resident, community):
    event = audit_record(actor=resident, verb="test.change", target=community)
    event.note = "rewritten"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
def test_anonymous_actor_is_labelled_and_personal_data_views_are_logged(community, admin_user):
    audit_record(actor=None, verb="test.anon", target=community, label="查询码 ABCD")
    personal_data_viewed(actor=admin_user, target=community, fields=["phone"])
    verbs = list(AuditEvent.objects.for_object(community).values_list("actor_label", "verb"))
    assert verbs == [("查询码 ABCD", "test.anon"), (admin_user.display_name, "personal_data.view")]
