"""The translation catalogues are complete: every message of the source is in the English and the
Simplified Chinese catalogue, translated, none fuzzy, with the same placeholders; the compiled catalogues
are what the portal serves."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from jiangyan.catalogues import catalogues, compile_catalogues

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = {"en": LOCALE / "en/LC_MESSAGES/django.po", "zh_Hans": LOCALE / "zh_Hans/LC_MESSAGES/django.po"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _key(entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = polib.pofile(str(LANGUAGES[language]))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"
    assert len(po) > 800


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for entry in polib.pofile(str(LANGUAGES[language])):
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wrong += [entry.msgid for text in translations if set(PLACEHOLDER.findall(text)) != wanted]
    assert not wrong, wrong[:10]


def test_both_catalogues_hold_the_same_messages():
    en, zh = (polib.pofile(str(path)) for path in LANGUAGES.values())
    assert {_key(e) for e in en} == {_key(e) for e in zh}


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="GNU gettext's xgettext is missing (apt-get install gettext)"
)
def test_the_catalogues_hold_every_message_of_the_source(tmp_path):
    """``makemessages`` on a copy of the source finds no message the catalogues lack: a new UI string
    without its translation fails here (run ``make messages`` and translate it)."""
    source = Path(settings.BASE_DIR)
    skip = {".git", ".venv", "var", "static", "tests", "docs", "bench", "node_modules", "__pycache__"}
    copy = tmp_path / "src"
    shutil.copytree(
        source, copy, ignore=lambda folder, names: [n for n in names if n in skip or n.endswith(".mo")]
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    found = {_key(e) for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    known = {_key(e) for e in polib.pofile(str(LANGUAGES["en"]))}
    missing = sorted(m for _ctx, m in found - known)
    assert not missing, f"{len(missing)} messages are not in locale/: {missing[:15]} — run make messages"


def test_the_compiled_catalogues_are_current_and_served():
    compile_catalogues()
    for po in catalogues():
        assert po.with_suffix(".mo").stat().st_mtime >= po.stat().st_mtime
    with translation.override("en"):
        assert translation.gettext("菜单") == "Menu"
        assert translation.pgettext("心愿表单的标题栏", "我的心愿") == "My wish"
        assert translation.gettext("我的心愿") == "My wishes"
    with translation.override("zh-hans"):
        assert translation.gettext("菜单") == "菜单"
