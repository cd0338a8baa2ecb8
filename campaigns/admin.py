"""The office defines the seasonal campaigns in the admin: the fields are the declared inputs'
(``inputs.py``), and saving goes through the services (``campaign_create``/``campaign_update``), so every
change is audited like everywhere else. Campaigns are not deleted (wishes and projects name them)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from jiangyan.core.exceptions import ApplicationError

from . import services
from .forms import CampaignForm, CampaignUpdateForm
from .models import Campaign

FIELDS = list(services.FIELDS)


def _admin_form(declared: type[forms.Form]) -> type[forms.ModelForm]:
    """A model form for the admin with exactly the declared fields (labels, limits, messages)."""
    meta = type("Meta", (), {"model": Campaign, "fields": FIELDS})
    fields = dict(declared.base_fields)

    def clean(form):
        data = forms.ModelForm.clean(form)
        if not form.errors:
            try:  # the service's own rules (dates in order, length of a campaign), shown on their fields
                services.check_values(declared.declaration, **{name: data.get(name) for name in FIELDS})
            except ApplicationError as error:
                for name, messages in (error.fields or {}).items():
                    form.add_error(name if name in FIELDS else None, messages)
        return data

    attributes = {"Meta": meta, "clean": clean, **fields}
    return type(f"Admin{declared.__name__}", (forms.ModelForm,), attributes)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "season", "theme", "start_date", "end_date", "wish_count", "project_count"]
    list_filter = ["season"]
    search_fields = ["name", "theme"]
    date_hierarchy = "start_date"
    fields = FIELDS

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_wishes=Count("wishes", distinct=True), n_projects=Count("projects", distinct=True))
        )

    @admin.display(description=_("微心愿"), ordering="n_wishes")
    def wish_count(self, obj):
        return obj.n_wishes

    @admin.display(description=_("实事项目"), ordering="n_projects")
    def project_count(self, obj):
        return obj.n_projects

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = _admin_form(CampaignUpdateForm if obj is not None else CampaignForm)
        return super().get_form(request, obj, change=change, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in FIELDS}
        try:
            if change:
                services.campaign_update(actor=request.user, campaign=obj, **values)
            else:
                obj.pk = services.campaign_create(actor=request.user, **values).pk
        except ApplicationError as error:  # checked by the form's clean already: a race at most
            raise PermissionDenied(str(error)) from error
