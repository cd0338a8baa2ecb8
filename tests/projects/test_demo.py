"""The demo district: 236 projects, about 15 % behind, some completed, idempotent (its speed is measured
in ``bench/``, not here)."""

import io

import pytest
from django.db.models import Sum

from demo import accounts as accounts_demo
from demo import projects as demo
from projects.models import Evaluation, Milestone, Project
from projects.selectors import campaign_figures

pytestmark = pytest.mark.django_db


def test_seed_builds_the_demo_registry_only_once():
    out = io.StringIO()
    accounts_demo.seed(scale=1, stdout=out)
    demo.seed(scale=1, stdout=out)
    figures = campaign_figures()
    assert figures["total"] == 236
    assert 0.12 <= figures["behind"] / 236 <= 0.18
    assert figures["completed"] >= 20
    assert figures["silver"] >= 20
    assert Project.objects.filter(lead_unit__name=accounts_demo.DEMO_UNIT_NAME).count() >= 5
    assert Project.objects.filter(title__contains="梦想小屋").exists()
    assert Project.objects.filter(title__contains="防贫保").exists()
    assert Project.objects.filter(title__contains="春风行动").exists()
    assert Evaluation.objects.exists()

    assert set(Milestone.objects.values("project").annotate(t=Sum("weight")).values_list("t", flat=True)) == {
        100
    }
    demo.seed(scale=1, stdout=out)
    assert Project.objects.count() == 236
