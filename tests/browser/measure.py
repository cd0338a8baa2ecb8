"""What the browser tests measure on a page, as JavaScript run in it: axe-core (vendored in
``static/vendor/axe-core``) and the large-text figures of the issue — text size, line height, contrast, tap
targets, sideways scrolling."""

import re
from pathlib import Path

AXE_URL = "/static/vendor/axe-core/axe.min.js"

JS = Path(__file__).parent / "js"


def _function(*names: str) -> str:
    """An arrow function made of the scripts in ``js/`` (shared helpers first)."""
    return "() => {\n" + "\n".join((JS / f"{n}.js").read_text() for n in names) + "\n}"


LARGE_TEXT = _function("text_elements", "large_text")
VISIBLE_TEXT = _function("text_elements", "visible_text")

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")


def axe_violations(page, *, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of ``impacts`` on the page, one line each (rule, impact, first nodes)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(url=AXE_URL)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + " | ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results["violations"]
        if v["impact"] in impacts
    ]


def large_text_problems(page) -> tuple[dict, list[str]]:
    """The large-text figures of the page and every way it falls short of the issue's numbers."""
    m = page.evaluate(LARGE_TEXT)
    problems = []
    if m["body"] < 20:
        problems.append(f"body text {m['body']} px < 20")
    for key, what in (
        ("small", "text under 20 px"),
        ("tight", "line height under 1.5"),
        ("faint", "contrast under 7:1"),
        ("unmeasured", "text on a gradient or picture (contrast not measurable)"),
        ("tiny", "tap target under 60×60 px"),
    ):
        if m[key]:
            problems.append(f"{len(m[key])} {what}: " + "; ".join(m[key][:6]))
    if m["scrollWidth"] > m["viewport"]:
        problems.append(f"scrolls sideways: {m['scrollWidth']} px wide in a {m['viewport']} px viewport")
    return m, problems


def leftover_han(page, allowed: list[str]) -> list[str]:
    """Chinese text left on an English page once every ``allowed`` string (names and data) is taken out."""
    leftovers = []
    known = [a for a in allowed if a]
    for shown in page.evaluate(VISIBLE_TEXT):
        text = shown
        for string in known:
            text = text.replace(string, " ")
        found = HAN.findall(text)
        if found:
            leftovers.append(f"{''.join(found)!r} in {shown.strip()[:60]!r}")
    return leftovers
