"""Writes of the campaigns app: the office defines a seasonal campaign and changes it. Tagging a wish or a
project with one is the registries' own (``wishes.services.wish_tag_campaign``,
``projects.services.project_tag_campaign``)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from jiangyan.core.audit import audit_record
from jiangyan.core.exceptions import field_error
from jiangyan.core.roles import Role, require_role
from jiangyan.core.scoping import lock_editable

from . import inputs
from .choices import Season
from .models import Campaign

FIELDS = ("name", "season", "theme", "description", "start_date", "end_date", "name_en", "theme_en")
# The longest a campaign may run: a season with some days to spare.
MAX_DAYS = 200


def check_values(
    declaration,
    *,
    name: str,
    season: str,
    theme: str,
    description: str,
    start_date: datetime.date,
    end_date: datetime.date,
    name_en: str = "",
    theme_en: str = "",
) -> dict:
    values = {
        "name": declaration["name"].clean(name, "name"),
        "theme": declaration["theme"].clean(theme, "theme"),
        "description": declaration["description"].clean(description, "description"),
        "name_en": declaration["name_en"].clean(name_en, "name_en"),
        "theme_en": declaration["theme_en"].clean(theme_en, "theme_en"),
    }
    if season not in Season.values:
        raise field_error("season", _("请选择季节。"))
    if not isinstance(start_date, datetime.date):
        raise field_error("start_date", _("请填写开始日期。"))
    if not isinstance(end_date, datetime.date):
        raise field_error("end_date", _("请填写结束日期。"))
    if end_date < start_date:
        raise field_error("end_date", _("结束日期不能早于开始日期。"))
    if (end_date - start_date).days + 1 > MAX_DAYS:
        raise field_error("end_date", _("一期活动最长 %(n)s 天。") % {"n": MAX_DAYS})
    return {**values, "season": season, "start_date": start_date, "end_date": end_date}


def _recorded(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    name: str,
    season: str,
    theme: str,
    description: str = "",
    start_date: datetime.date,
    end_date: datetime.date,
    name_en: str = "",
    theme_en: str = "",
) -> Campaign:
    """The office defines a campaign (四季活动): name, season, theme, what it does and its dates."""
    require_role(actor, Role.ADMIN)
    values = check_values(
        inputs.CAMPAIGN_CREATE,
        name=name,
        season=season,
        theme=theme,
        description=description,
        start_date=start_date,
        end_date=end_date,
        name_en=name_en,
        theme_en=theme_en,
    )
    campaign = Campaign.objects.create(**values)
    audit_record(
        actor=actor, verb="campaign.create", target=campaign, after=_recorded(values), note=campaign.name
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    season: str,
    theme: str,
    description: str = "",
    start_date: datetime.date,
    end_date: datetime.date,
    name_en: str = "",
    theme_en: str = "",
) -> Campaign:
    """The office changes a campaign (its dates, its theme …); the event keeps what changed."""
    require_role(actor, Role.ADMIN)
    locked = lock_editable(Campaign.objects, actor, pk=campaign.pk, message=_("只有办公室可以修改四季活动。"))
    values = check_values(
        inputs.CAMPAIGN_UPDATE,
        name=name,
        season=season,
        theme=theme,
        description=description,
        start_date=start_date,
        end_date=end_date,
        name_en=name_en,
        theme_en=theme_en,
    )
    changed = [f for f in FIELDS if getattr(locked, f) != values[f]]
    if not changed:
        return locked
    before = _recorded({f: getattr(locked, f) for f in changed})
    for field in changed:
        setattr(locked, field, values[field])
    locked.save(update_fields=[*changed, "updated_at"])
    after = _recorded({f: values[f] for f in changed})
    audit_record(
        actor=actor, verb="campaign.update", target=locked, before=before, after=after, note=locked.name
    )
    return locked
