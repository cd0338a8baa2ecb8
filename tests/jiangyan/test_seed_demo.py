import io

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from accounts.models import Community, Town, Unit, User
from jiangyan.core.roles import Role

OUR_APPS = ("jiangyan", "accounts", "notifications", "projects", "surveys", "wishes", "supervision")
DEMO_ACCOUNTS = ["admin", "supervisor", "unit_staff", "community_staff", "resident", "member01", "member60"]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label not in ("jiangyan.AuditEvent",)
    }


@pytest.mark.django_db(transaction=True)
def test_seed_demo_builds_the_district_prints_the_accounts_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    for username in ("admin", "supervisor", "unit_staff", "community_staff", "resident", "member01"):
        assert username in printed
    assert Town.objects.filter(name="溱潼镇").exists()
    assert Community.objects.count() > 60 and Unit.objects.count() >= 40
    assert User.objects.filter(groups__name=Role.PARTY_MEMBER).count() >= 60
    request = RequestFactory().post("/accounts/login/")
    for username in DEMO_ACCOUNTS:
        assert authenticate(request, username=username, password=settings.DEMO_PASSWORD) is not None, username

    first = _row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _row_counts() == first


@pytest.mark.django_db
def test_seed_demo_refuses_where_demo_data_is_not_allowed(settings):
    settings.DEMO_SEED_ALLOWED = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
