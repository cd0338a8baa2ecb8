"""The role matrices of the wish actions, for the page and API tests: a table
``{action: (state of the wish, data, expect(...))}`` per interface, its cases, and the write checked by its
row and its ``wish.<action>`` event (``tests.matrix.assert_write``)."""

from collections.abc import Callable
from typing import Any

from tests.matrix import assert_write
from wishes.models import Wish


def cases(table: dict) -> list[tuple[str, str, Any]]:
    """``(action, role, expected)`` for every role of every action of ``table``."""
    return [
        (action, role, expected) for action, (_s, _d, matrix) in table.items() for role, expected in matrix
    ]


def assert_action(do: Callable[[], Any], *, wish: Wish, action: str, expected: Any) -> Any:
    return assert_write(
        do, expected=expected, verb=f"wish.{action}", state=lambda: Wish.objects.get(pk=wish.pk).status
    )
