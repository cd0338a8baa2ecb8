"""The admin shows the supervision records read-only: every change goes through the services (and their
audit events) on the portal's pages, the API, beat and ``manage.py generate_report``."""

from django.contrib import admin

from .models import ContactPoint, Inspection, Leader, Report, SupervisionOrder


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "period_start", "period_end", "status", "generation", "generated_at"]
    list_filter = ["kind", "status"]
    exclude = ["html"]
    date_hierarchy = "period_start"


@admin.register(SupervisionOrder)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["code", "status", "deadline", "unit", "community", "issued_by", "issued_at"]
    list_filter = ["status"]
    list_select_related = ["unit", "community__town", "issued_by"]
    search_fields = ["code", "reason"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "places", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["recorded_by"]
    search_fields = ["places", "findings"]


@admin.register(Leader)
class LeaderAdmin(ReadOnlyAdmin):
    """Leaders are recorded and their posts changed on ``/leaders/`` (``services.leader_appoint``)."""

    list_display = ["user", "body", "title", "rank"]
    list_filter = ["body"]
    list_select_related = ["user"]


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyAdmin):
    """Contact points are assigned and ended on ``/contact-points/`` (``services.contact_point_assign``)."""

    list_display = ["leader", "community", "unit", "since"]
    list_filter = ["leader"]
    list_select_related = ["leader__user", "community__town", "unit"]
