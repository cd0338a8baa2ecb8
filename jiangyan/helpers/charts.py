"""The ECharts options the pages draw (``static/js/portal.js`` reads them from ``json_script``), and the
one palette they are drawn in. A chart's ``links`` map a category or slice name to the list it opens."""

from typing import Any

# The portal's colours: the brand red of ``static/css/portal.css``, the tones of good and middling.
RED, GREEN, ORANGE = "#b5121b", "#1a7f37", "#b35900"


def series(data: list, *, name: str = "", kind: str = "bar", color: str = RED) -> dict[str, Any]:
    """One series of ``data`` in ``color``."""
    return {**({"name": name} if name else {}), "type": kind, "data": data, "itemStyle": {"color": color}}


def bars(
    labels: list[str],
    rows: list[dict],
    *,
    links: dict[str, str] | None = None,
    every_label: bool = True,
    legend: bool = True,
) -> dict[str, Any]:
    """Vertical bars (or lines) of one or more ``rows`` (:func:`series`) over ``labels``."""
    category: dict[str, Any] = {"type": "category", "data": labels}
    if legend:
        category["axisLabel"] = {"interval": 0 if every_label else "auto"}
    chart: dict[str, Any] = {
        "tooltip": {"trigger": "axis"},
        **({"legend": {"top": 0}} if legend else {}),
        "grid": {"left": 8, "right": 16, "top": 32 if legend else 16, "bottom": 8, "containLabel": True},
        "xAxis": category,
        "yAxis": {"type": "value"},
        "series": rows,
    }
    if links is not None:
        chart["links"] = links
    return chart


def bar(labels: list[str], data: list) -> dict[str, Any]:
    """One series of bars over ``labels``, without a legend."""
    return bars(labels, [series(data)], legend=False)


def horizontal_bars(labels: list[str], data: list[int], *, values: bool = False) -> dict[str, Any]:
    """One bar per label, labels down the left: long labels wrap instead of being cut off on a phone."""
    row = series(data)
    if values:
        row["label"] = {"show": True, "position": "right"}
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 32, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": labels,
            "axisLabel": {"width": 120, "overflow": "break"},
        },
        "series": [row],
    }


def funnel(steps: list[tuple[str, int, str | None]], *, color: str | None = None) -> dict[str, Any]:
    """A funnel of ``(name, count, url)`` steps, in their order, each step with a url linked."""
    row: dict[str, Any] = {
        "type": "funnel",
        "sort": "none",
        "left": "5%",
        "width": "90%",
        # Legible on a phone: no step narrower than a label, a gap between steps, labels kept inside.
        "minSize": "45%",
        "gap": 3,
        "label": {
            "position": "inside",
            "formatter": "{b} {c}",
            "color": "#fff",
            "fontSize": 14,
            "overflow": "truncate",
        },
        "data": [{"name": name, "value": n} for name, n, _url in steps],
    }
    if color:
        row["itemStyle"] = {"color": color}
    return {
        "tooltip": {"trigger": "item"},
        "series": [row],
        "links": {name: url for name, _n, url in steps if url},
    }


def ring(slices: list[tuple[str, int, str | None, str | None]], *, legend: bool = True) -> dict[str, Any]:
    """A ring of ``(name, count, url or None, colour or None)`` slices, each slice with a url linked."""
    data = [
        {"name": name, "value": n, **({"itemStyle": {"color": color}} if color else {})}
        for name, n, _url, color in slices
    ]
    return {
        "tooltip": {"trigger": "item"},
        **({"legend": {"bottom": 0}} if legend else {}),
        "series": [{"type": "pie", "radius": ["35%", "65%"], "data": data}],
        "links": {name: url for name, _n, url, _c in slices if url},
    }
