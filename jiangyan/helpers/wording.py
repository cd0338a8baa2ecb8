"""Texts the services store — audit notes, notification titles and bodies — written once in the site's
language (Chinese, the source language) and read back in the reader's.

A service states what it writes as a :class:`Wording`: a msgid with ``%(name)s`` placeholders, declared at
module level (``CLAIM_NOTE = Wording(gettext_noop("承诺 %(date)s 前完成"))``). ``CLAIM_NOTE(date=…)`` is the
Chinese text that is stored (the audit record is a hash chain of exactly that text, docs/audit.md), and
:func:`read` turns a stored text back into the reader's language: it finds the wording the text was made
from, takes the values out of its placeholders and puts them into the translation. A value that is itself
a label (a status, an evaluator's role) is translated too; a text that is exactly a label of the catalogue
reads as its translation; texts joined by ``；`` are read part by part. Anything else — what a person
wrote, a note stored before its wording was declared — reads as it was written."""

import re
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext

from .names import source_language

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")  # Chinese, its punctuation too
# Translators: the separator of the parts of a stored text (a reminder's lines)
PART_SEPARATOR = gettext_noop("；")
LIST_SEPARATOR = "、"  # the catalogue's 列表分隔符

_WORDINGS: dict[str, "Wording"] = {}


class Wording:
    """A text a service stores, in the site's language: ``wording(**values)``. ``labels`` names the
    placeholders whose values are labels of the catalogue (read in the reader's language too), ``lists``
    those whose values are labels joined by ``、`` (``list_of`` writes them)."""

    def __init__(self, msgid: str, *, labels: tuple[str, ...] = (), lists: tuple[str, ...] = ()):
        if not HAN.search(PLACEHOLDER.sub("", msgid)):
            raise ValueError(f"a wording needs Chinese text of its own: {msgid!r}")
        self.msgid = msgid
        self.labels = frozenset(labels)
        self.lists = frozenset(lists)
        parts = PLACEHOLDER.split(msgid)
        pattern = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts)
        )
        self.pattern = re.compile(pattern, re.DOTALL)
        self.weight = len(PLACEHOLDER.sub("", msgid))
        _WORDINGS[msgid] = self
        _ordered.cache_clear()

    def __call__(self, **values) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return gettext(self.msgid) % {name: str(value) for name, value in values.items()}

    def __repr__(self) -> str:
        return f"Wording({self.msgid!r})"


def list_of(labels) -> str:
    """Labels joined as the site's language joins them (a ``lists`` placeholder's value)."""
    with translation.override(settings.LANGUAGE_CODE):
        return LIST_SEPARATOR.join(str(label) for label in labels)


def in_site_language(text) -> str:
    """A label (lazy or not) as the site's language has it: what a service stores."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


@cache
def _ordered() -> list[Wording]:
    # The most specific wording first: the one with the most text of its own.
    return sorted(_WORDINGS.values(), key=lambda w: -w.weight)


def read(text: str, language: str | None = None) -> str:
    """``text`` as stored, in the reader's language (the active one, or ``language``)."""
    if not text or not isinstance(text, str) or source_language(language) or not HAN.search(text):
        return text
    if language:
        with translation.override(language):
            return _read(text, depth=2)
    return _read(text, depth=2)


def _read(text: str, *, depth: int) -> str:
    """A whole stored text: a wording's, else a label of the catalogue, else parts joined by ``；``."""
    read = _wording(text, depth=depth)
    if read is not None:
        return read
    label = _label(text)
    if label != text:
        return label
    if PART_SEPARATOR in text:
        return gettext(PART_SEPARATOR).join(_read(part, depth=depth) for part in text.split(PART_SEPARATOR))
    return text


def _wording(text: str, *, depth: int) -> str | None:
    """``text`` read by the wording it was made from, or None when it was made from none."""
    for wording in _ordered():
        found = wording.pattern.fullmatch(text)
        if found:
            values = {name: _placeholder(wording, name, v, depth) for name, v in found.groupdict().items()}
            return gettext(wording.msgid) % values
    return None


def _placeholder(wording: Wording, name: str, value: str, depth: int) -> str:
    """A value taken out of a placeholder: a label is translated; anything else is what somebody wrote (a
    reason, a name) and stays, unless it is itself a stored wording (a period's label in a title)."""
    if name in wording.labels:
        return _label(value)
    if name in wording.lists:
        return pgettext("列表分隔符", LIST_SEPARATOR).join(_label(v) for v in value.split(LIST_SEPARATOR))
    if depth > 1 and HAN.search(value):
        return _wording(value, depth=depth - 1) or value
    return value


def _label(text: str) -> str:
    return gettext(text) if text else text
