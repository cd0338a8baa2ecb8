"""One rounding rule for the figures people read: half up on the decimal as written."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from jiangyan.helpers.numbers import percent, round_half_up, score


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (3.625, 2, Decimal("3.63")),  # Python's round(3.625, 2) and f"{3.625:.2f}" say 3.62
        (2.675, 2, Decimal("2.68")),
        (Decimal("4.005"), 2, Decimal("4.01")),
        (62.25, 1, Decimal("62.3")),
        (-12.25, 1, Decimal("-12.3")),
        (4, 2, Decimal("4.00")),
        (None, 2, None),
        (float("nan"), 2, None),
        ("abc", 2, None),
    ],
)
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == expected


def test_template_filters_and_helpers_agree():
    rendered = Template("{{ a|score }} {{ b|percent:1 }} {{ c|score }}").render(
        Context({"a": 29 / 8, "b": 62.25, "c": None})
    )
    assert rendered == f"{score(29 / 8)} {percent(62.25, 1)} —" == "3.63 62.3% —"
