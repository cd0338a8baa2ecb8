"""One status badge (``{% status_badge %}``, ``templates/partials/status_badge.html``): each model says the
tone of its statuses once (``status_tones``, from its app's choices), and no template writes a badge by
comparing raw status strings."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from supervision.models import Report, SupervisionOrder
from surveys.models import DutyItem
from wishes.models import Wish

MODELS = (Wish, Report, SupervisionOrder, DutyItem)


def badge(obj, options: str = "") -> str:
    return Template("{% status_badge obj " + options + " %}").render(Context({"obj": obj}))


@pytest.mark.parametrize("model", MODELS)
def test_each_model_names_tones_of_its_own_statuses(model):
    statuses = {value for value, _label in model._meta.get_field("status").choices}
    assert set(model.status_tones) <= statuses
    assert set(model.status_tones.values()) <= {"ok", "warn", "bad"}


def test_the_badge_reads_the_tone_and_marks_lateness():
    yesterday = datetime.date.today() - datetime.timedelta(days=2)
    closed = badge(SupervisionOrder(status="closed", deadline=yesterday))
    assert closed == '<span class="badge ok">已办结</span>'
    assert badge(SupervisionOrder(status="answered", deadline=yesterday)) == (
        '<span class="badge warn">已答复</span>'
    )
    late = badge(SupervisionOrder(status="issued", deadline=yesterday))
    assert late == '<span class="badge bad">待答复 · 已逾期</span>'
    assert badge(Wish(status="rejected")) == '<span class="badge">未通过</span>'
    claimed = Wish(status="claimed", promised_date=yesterday)
    assert badge(claimed, "overdue=False") == '<span class="badge">已认领</span>'


def test_no_template_writes_a_status_badge_by_hand():
    hand_written = re.compile(r"""class="badge\{%[^"]*\.status == '""")
    found = [
        str(path)
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if hand_written.search(path.read_text())
    ]
    assert not found
