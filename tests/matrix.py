"""The role matrix: one table of role × action × expected outcome per app, and writes checked by what
they leave behind (the row and its audit event), not only by their status code.

    @pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", party_member="ok"))
    def test_claim(client_as, wish, role, expected):
        assert_write(
            lambda: client_as(role).post(url),
            expected=expected,
            verb="wish.claim",
            state=lambda: Wish.objects.get(pk=wish.pk).status,
        )
"""

from collections.abc import Callable
from typing import Any

from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent

ANONYMOUS = "anonymous"
ROLES = [
    ANONYMOUS,
    Role.RESIDENT,
    Role.PARTY_MEMBER,
    Role.UNIT_STAFF,
    Role.COMMUNITY_STAFF,
    Role.SUPERVISOR,
    Role.ADMIN,
]
# Outcomes of a request that did what it was asked.
DONE = {"ok", 200, 201, 204}


def expect(**by_role) -> list[tuple[str, Any]]:
    """``expect(default=403, anonymous="login", admin=200)`` → ``[(role, expected), …]`` for every role."""
    default = by_role.pop("default")
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return [(role, by_role.get(role, default)) for role in ROLES]


def outcome(response) -> Any:
    """The status code, except redirects: to sign-in is ``"login"``, any other is ``"ok"`` (done)."""
    if response.status_code in (301, 302, 303):
        return "login" if "/accounts/login/" in response["Location"] else "ok"
    return response.status_code


def assert_write(do: Callable[[], Any], *, expected: Any, verb: str, state: Callable[[], Any]) -> Any:
    """Run ``do()``; its outcome must be ``expected``. When that outcome is a success, ``state()`` must
    have changed and exactly one ``verb`` event been written; otherwise neither may have happened."""
    before_state = state()
    before_events = AuditEvent.objects.filter(verb=verb).count()
    response = do()
    got = outcome(response)
    assert got == expected, f"expected {expected}, got {got}: {getattr(response, 'content', b'')[:300]!r}"
    events = AuditEvent.objects.filter(verb=verb).count() - before_events
    if expected in DONE:
        assert state() != before_state, "the request succeeded but changed nothing"
        assert events == 1, f"{events} '{verb}' events written, expected 1"
    else:
        assert state() == before_state, "a refused request changed the data"
        assert events == 0, f"a refused request wrote {events} '{verb}' events"
    return response
