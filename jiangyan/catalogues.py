"""The translation catalogues (``locale/<language>/LC_MESSAGES/django.po``) compiled to ``.mo`` files in
pure Python (polib), so ``make run``, ``make test`` and the Docker image need no GNU gettext. Compiled
files are build output: not in git, rebuilt whenever their ``.po`` is newer."""

from pathlib import Path

import polib
from django.conf import settings


def catalogues() -> list[Path]:
    return sorted(
        path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/LC_MESSAGES/*.po")
    )


def compile_catalogues(*, force: bool = False) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older; returns the ``.mo`` files written.
    Fuzzy entries are left out, as ``msgfmt`` does."""
    written = []
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            polib.pofile(str(po)).save_as_mofile(str(mo))
            written.append(mo)
    return written
