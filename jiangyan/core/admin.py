"""Shared pieces of the Django admin. State changes are services with an audit event; the admin shows the
fields that carry state read-only (or saves through the service), and the records the services write
(statements, value updates, ratings) can be read there but not rewritten."""

from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """A record written only by a service: readable, never added or changed in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
