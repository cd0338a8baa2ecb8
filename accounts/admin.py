from contextvars import ContextVar

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiangyan.helpers.crypto import blind_index

from .models import Community, MemberProfile, PartyBranch, Town, Unit, UnitAlias, User
from .services import password_set_by_office, two_factor_reset

# Devices hold the authenticators' secret keys: the admin does not show them. The office resets a person's
# devices with the action on the user list (audited).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)

_office_actor: ContextVar = ContextVar("office_actor", default=None)


class OfficePasswordForm(AdminPasswordChangeForm):
    """The office sets a password (a reset): through the service, so it is recorded in the person's
    history, audited, and must be changed at the person's next sign-in."""

    def save(self, commit=True):
        password_set_by_office(
            actor=_office_actor.get(), user=self.user, new_password=self.cleaned_data["password1"]
        )
        return self.user


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
    list_display = ["name", "short_name", "name_en", "alias_list", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "short_name", "name_en", "aliases__alias"]
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
        (_("办实事平台"), {"fields": ("real_name", "phone", "unit", "community", "must_change_password")}),
    )
    change_password_form = OfficePasswordForm
    actions = ["reset_two_factor"]

    def user_change_password(self, request, id, form_url=""):
        token = _office_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _office_actor.reset(token)

    def save_model(self, request, obj, form, change):
        if not change:  # an initial password, set by the office: changed at the first sign-in
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    @admin.action(description=_("重置两步登录（手机丢失时）"))
    def reset_two_factor(self, request, queryset):
        removed = 0
        for user in queryset:
            two_factor_reset(actor=request.user, user=user)
            removed += 1
        self.message_user(
            request,
            ngettext(
                "已重置 %(n)d 人的两步登录，其下次登录时重新设置。",
                "已重置 %(n)d 人的两步登录，其下次登录时重新设置。",
                removed,
            )
            % {"n": removed},
            messages.SUCCESS,
        )
