"""One chart helper and one palette (``jiangyan.helpers.charts``): no app writes ECharts options or colours of
its own."""

import re
from pathlib import Path

from django.conf import settings

APPS = ("accounts", "notifications", "projects", "surveys", "wishes", "supervision", "jiangyan")


def test_only_jiangyan_charts_writes_chart_options_and_colours():
    own = re.compile(r'"itemStyle"|"series"|#[0-9a-fA-F]{6}\b')
    found = [
        str(path)
        for app in APPS
        for path in Path(settings.BASE_DIR, app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "charts.py" and own.search(path.read_text())
    ]
    assert not found
