"""The API's JSON parser: DRF's, refusing bodies nested deeper than ``API_JSON_MAX_DEPTH`` (a 400, where a
body nested 50,000 levels deep used to exhaust the recursion limit and end in a 500). Every request body
of the portal is at most a few levels deep."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

DEFAULT_MAX_DEPTH = 32


def nesting_depth_exceeds(data, limit: int) -> bool:
    """True when ``data`` (parsed JSON) has lists or objects nested more than ``limit`` levels deep.
    Iterative, so no depth of input can exhaust the stack."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)
        message = _("JSON 嵌套层数过多（最多 %(limit)d 层）。") % {"limit": limit}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(message) from exc
        if nesting_depth_exceeds(data, limit):
            raise ParseError(message)
        return data
