from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jiangyan.core.audit import personal_data_viewed

from .models import DispatchOffer, HelpTeam, Wish, WishPhoto
from .selectors import PERSONAL_FIELDS


class WishPhotoInline(admin.TabularInline):
    model = WishPhoto
    extra = 0
    readonly_fields = ["kind", "image", "uploaded_by", "created_at"]


@admin.register(Wish)
class WishAdmin(admin.ModelAdmin):
    """Admins read wishes here; state changes go through the pages and API (``wishes.services``), so the
    state and its timestamps are read-only."""

    list_display = [
        "code",
        "title",
        "category",
        "community",
        "channel",
        "status",
        "claimed_by",
        "submitted_at",
    ]
    list_filter = ["status", "category", "channel", "urgent", "reopened"]
    search_fields = ["code", "title"]
    list_select_related = ["community__town", "claimed_by"]
    raw_id_fields = ["community", "submitted_by", "entered_by", "claimed_by", "team"]
    inlines = [WishPhotoInline]
    readonly_fields = [
        "code",
        "query_code",
        "status",
        "claimed_by",
        "promised_date",
        "reject_reason",
        "satisfaction",
        "feedback_channel",
        "feedback_comment",
        "reopened",
        "reopen_count",
        "campaign",  # tagged by the community's staff on the wish's page (``services.wish_tag_campaign``)
        "submitted_at",
        "reviewed_at",
        "opened_at",
        "claimed_at",
        "fulfilled_at",
        "closed_at",
        "withdrawn_at",
        "feedback_at",
        "updated_at",
        "submitted_by",
        "entered_by",
        "team",
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        wish = self.get_object(request, object_id)
        if wish is not None and request.method == "GET":
            personal_data_viewed(actor=request.user, target=wish, fields=PERSONAL_FIELDS)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(DispatchOffer)
class DispatchOfferAdmin(admin.ModelAdmin):
    """派单, to read: offers are made, answered and withdrawn through the pages and API
    (``wishes.services``), so everything here is read-only."""

    list_display = ["wish", "member", "status", "offered_by", "created_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["wish__code", "wish__title"]
    list_select_related = ["wish", "member", "offered_by"]
    raw_id_fields = ["wish", "member", "offered_by"]
    readonly_fields = [
        "wish",
        "member",
        "offered_by",
        "status",
        "note",
        "reason",
        "created_at",
        "answered_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(HelpTeam)
class HelpTeamAdmin(admin.ModelAdmin):
    """The office reads its teams here, with their members; it sets them up and changes them on the teams'
    pages (``/wishes/teams/``) or the API, through ``services.help_team_save`` (its checks — members are
    party members, a range is given — and its audit event), so here they are read-only."""

    list_display = ["name", "kind", "town", "active", "member_names"]
    list_filter = ["kind", "active", "town"]
    search_fields = ["name"]
    list_select_related = ["town"]
    readonly_fields = ["kind", "name", "town", "communities", "categories", "members", "active", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")

    @admin.display(description=_("成员"))
    def member_names(self, team) -> str:
        return "、".join(m.display_name for m in team.members.all())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
