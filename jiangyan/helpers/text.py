"""Comparing words as people type them: the office's spreadsheets write 状  态, 牵头\\n单位,
ＪＹ２０２１－００１ or 区卫健委 for what the portal stores as 状态, 牵头单位, JY2021-001 and
区卫生健康委员会.

``fold`` is the one loose form every such comparison uses (both sides folded alike); ``closest`` names the
nearest known word for a "did you mean" (Python's difflib, on the folded forms)."""

import difflib
import re
import unicodedata

SPACE = re.compile(r"\s+")  # with NFKC first, this takes full-width spaces and line breaks too
DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")


def fold(value) -> str:
    """``value`` in its loose form: NFKC (full-width letters, digits and punctuation as ASCII), every kind of
    dash as ``-``, no whitespace at all, lower case. Two spellings of one word fold to the same text."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return SPACE.sub("", DASHES.sub("-", text)).lower()


def squeeze(value) -> str:
    """``value`` as shown back to people: its own characters, without the spaces and line breaks that only
    padded or wrapped it (``项　目　名　称`` → ``项目名称``)."""
    if value is None:
        return ""
    return SPACE.sub("", str(value).replace("\u3000", " "))


def closest(word: str, candidates, *, cutoff: float = 0.5) -> str | None:
    """The candidate nearest to ``word`` (both folded), or None when nothing is near enough."""
    folded = {fold(c): c for c in candidates}
    found = difflib.get_close_matches(fold(word), list(folded), n=1, cutoff=cutoff)
    return folded[found[0]] if found else None
