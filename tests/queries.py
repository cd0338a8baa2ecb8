"""Query-count bounds for list pages and API lists: the same number of queries at two data sizes.

    def test_board_queries_are_flat(query_counter, client_as):
        query_counter.flat(client_as("anonymous"), "/wishes/", grow=lambda n: WishFactory.create_batch(n))

``grow(n)`` adds ``n`` more rows of what the list shows; the count is taken after ``grow(small)`` and again
after ``grow(large - small)``, and must be equal (and at most ``max_queries``)."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, *, expect_status: int = 200) -> int:
    """Queries of one GET of ``url``. The user's cached roles are dropped first, so each request pays for
    what a real one pays for."""
    user = getattr(client, "_force_user", None) or getattr(
        getattr(client, "handler", None), "_force_user", None
    )
    if user is not None:
        user._role_cache = None
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == expect_status, (url, response.status_code)
    return len(captured)


class QueryCounter:
    def flat(
        self,
        client,
        url: str,
        *,
        grow: Callable[[int], object],
        small: int = 3,
        large: int = 25,
        max_queries: int = 20,
    ) -> tuple[int, int]:
        grow(small)
        count_queries(client, url)  # warm per-process caches (content types, sessions) before counting
        at_small = count_queries(client, url)
        grow(large - small)
        at_large = count_queries(client, url)
        assert at_small == at_large, f"{url}: {at_small} queries with {small} rows, {at_large} with {large}"
        assert at_large <= max_queries, f"{url}: {at_large} queries (bound {max_queries})"
        return at_small, at_large
