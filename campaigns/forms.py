"""The campaign's forms, built from its declarations (``inputs.py``): the office's in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import inputs

DATE = forms.DateInput(attrs={"type": "date"})
OPTIONS = {
    "name": {"help_text": _("如：冬送温暖")},
    "theme": {"help_text": _("一句话说明送什么、送给谁，如：为困难群众送棉被、取暖器")},
    "description": {"widget": forms.Textarea(attrs={"rows": 4})},
    "start_date": {"widget": DATE},
    "end_date": {"widget": DATE},
}

CampaignForm = inputs.CAMPAIGN_CREATE.form(**OPTIONS)
CampaignUpdateForm = inputs.CAMPAIGN_UPDATE.form(**OPTIONS)
