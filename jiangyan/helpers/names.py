"""Names in the reader's language. Chinese is the source language: a lookup row (``OrderedLookup``) or a
unit keeps its Chinese ``name`` and may carry an English ``name_en``; a page in English shows ``name_en``
where there is one, and the Chinese name otherwise (town and community names are proper nouns, shown as
they are). A report's data holds the Chinese names it was built with; ``Glossary`` reads them in English
when the report is rendered for an English reader (docs/reports.md)."""

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation


def source_language(language: str | None = None) -> bool:
    """Is ``language`` (the active one when None) the site's own, Chinese?"""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return language.lower().startswith("zh")


def local_name(name: str, name_en: str = "", language: str | None = None) -> str:
    """``name_en`` for a reader of another language than Chinese, when there is one; else ``name``."""
    if name_en and not source_language(language):
        return name_en
    return name


class Glossary(dict):
    """Chinese names → the names to show (``{"区卫生健康委员会": "District Health Commission"}``): empty
    for a Chinese reader, so every name reads as stored."""

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]], language: str | None = None) -> "Glossary":
        if source_language(language):
            return cls()
        return cls((name, name_en) for name, name_en in pairs if name_en)

    def name(self, value):
        if isinstance(value, str):
            return self.get(value, value)
        return value
