"""What each campaign service takes, declared once (``jiangyan.core.inputs``): the admin's forms
(``forms.py``), the API's input serializers (``api.py``) and the services' own checks read it here."""

from jiangyan.core.inputs import Choice, Date, Input, text_of

from .choices import Season
from .models import Campaign


def _fields() -> dict:
    return {
        "name": text_of(Campaign, "name"),
        "season": Choice(label=Campaign._meta.get_field("season").verbose_name, choices=Season),
        "theme": text_of(Campaign, "theme"),
        "description": text_of(Campaign, "description"),
        "start_date": Date(label=Campaign._meta.get_field("start_date").verbose_name),
        "end_date": Date(label=Campaign._meta.get_field("end_date").verbose_name),
        "name_en": text_of(Campaign, "name_en"),
        "theme_en": text_of(Campaign, "theme_en"),
    }


CAMPAIGN_CREATE = Input("campaign_create", **_fields())
# A change gives the whole campaign again (the admin's form, the API's PUT).
CAMPAIGN_UPDATE = Input("campaign_update", **_fields())

INPUTS = (CAMPAIGN_CREATE, CAMPAIGN_UPDATE)
