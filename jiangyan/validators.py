"""Checks of text shared by forms, serializers and services."""

import re

# A lone surrogate (from a JSON escape such as "\ud800") cannot be encoded as UTF-8, and PostgreSQL stores
# no NUL character: text with either ends in a database error unless it is refused first.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable_text(value: str) -> bool:
    """True when the database can store ``value`` (no NUL character, no lone surrogate)."""
    return _UNSTORABLE.search(value) is None
