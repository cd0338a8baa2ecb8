"""Templates carry no inline script or style: the Content-Security-Policy (no 'unsafe-inline') would refuse
them. Scripts and styles live in static/js and static/css; behaviour hangs on data- attributes."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(
    path
    for folder in [*settings.TEMPLATES[0]["DIRS"], *Path(settings.BASE_DIR).glob("*/templates")]
    for path in Path(folder).rglob("*.html")
)
# <script> with a body (a src= and nothing inside is fine), <style>, style="…", onclick="…" and every on…=.
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S),
    "on…= event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S),
    "javascript: URL": re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I),
}


def test_the_scan_finds_templates():
    assert len(TEMPLATES) > 40


@pytest.mark.parametrize("kind,pattern", INLINE.items(), ids=list(INLINE))
def test_no_template_has_inline_script_or_style(kind, pattern):
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in TEMPLATES
        for text in [path.read_text(encoding="utf-8")]
        for m in pattern.finditer(text)
    ]
    assert not found, f"{kind} in {found} — move it to static/ (CSP without 'unsafe-inline')"


def test_the_scan_would_catch_each_kind():
    samples = {
        "inline <script>": "<script>alert(1)</script>",
        "<style> element": "<style>p{}</style>",
        "style= attribute": '<p class="x" style="color:red">',
        "on…= event handler": '<button type="button"\n onclick="go()">',
        "javascript: URL": '<a href="javascript:void(0)">',
    }
    for kind, sample in samples.items():
        assert INLINE[kind].search(sample), kind
    assert not INLINE["inline <script>"].search('<script src="/static/js/portal.js" defer></script>')
    assert not INLINE["on…= event handler"].search('<input name="only" data-online="1">')
