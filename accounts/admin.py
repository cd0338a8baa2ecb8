from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from jiangyan.crypto import blind_index

from .models import Community, MemberProfile, PartyBranch, Town, Unit, UnitAlias, User


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "order"]
    list_editable = ["order"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "kind", "phone"]
    list_filter = ["town", "kind"]
    search_fields = ["name", "town__name", "phone"]
    list_select_related = ["town"]


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1
    verbose_name_plural = _("别称（导入项目清单时，表中写这些名称也认作本单位）")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "alias_list", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "short_name", "aliases__alias"]
    inlines = [UnitAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description=_("别称"))
    def alias_list(self, obj) -> str:
        return "、".join(a.alias for a in obj.aliases.all())


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "unit"]
    search_fields = ["alias", "unit__name", "unit__short_name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


@admin.register(PartyBranch)
class PartyBranchAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "community"]
    search_fields = ["name"]
    list_select_related = ["unit", "community__town"]


class MemberProfileInline(admin.StackedInline):
    model = MemberProfile
    can_delete = False
    autocomplete_fields = ["registered_community", "branch"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "real_name", "phone", "unit", "community", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["username", "real_name"]
    list_select_related = ["unit", "community__town"]
    autocomplete_fields = ["unit", "community"]
    inlines = [MemberProfileInline]

    def get_search_results(self, request, queryset, search_term):
        """Also by the whole phone number, through its blind index (the phone itself is encrypted)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        index = blind_index(search_term)
        if index:
            found |= queryset.filter(phone_index=index)
        return found, may_have_duplicates

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("办实事平台"), {"fields": ("real_name", "phone", "unit", "community")}),
    )
