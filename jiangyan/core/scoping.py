"""Object scope: which rows a user may read and which they may change. One mechanism for pages, API and
services.

Every model with a scope has a queryset subclassing :class:`ScopedQuerySet` and writes its rule once,
in ``visible_to(user)`` (read) and ``editable_by(user)`` (change); ``restrict(user, scope)`` names them
(:data:`VIEW`, :data:`CHANGE`, or a scope of the model's own). Every API viewset's queryset is restricted
by ``jiangyan.core.viewsets.PortalViewSet`` to the scope of the action, whatever the viewset's author wrote.
Pages and API views fetch objects with :func:`get_visible_or_404` / :func:`get_editable_or_404` (a row
outside the scope is a 404: its existence is not revealed); services lock the row they change with
:func:`lock_editable` (outside the scope: PermissionDenied). The role a page or endpoint needs is checked
before, by ``role_required`` (pages) or ``HasRole`` / ``action_roles`` (API), see
``jiangyan.core.permissions``."""

import functools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404


@dataclass(frozen=True)
class Share:
    """Readers who see the same rows: ``key`` names them (with their roles it keys a cached answer they may
    all be given, ``jiangyan.core.pagecache``), ``topics`` are the cache topics their rows add to a page's."""

    key: str
    topics: tuple[str, ...] = ()


def own_share(user) -> Share:
    """A page of the reader's own (their claims, their wishes): kept for them alone."""
    return Share(f"own:{user.pk}")


VIEW = "view"  # the rows ``visible_to(user)``
CHANGE = "change"  # the rows ``editable_by(user)``


def _marking(scope: str, rule):
    """``rule`` (a ``visible_to`` or ``editable_by``) whose result remembers that it is within ``scope``
    for that user, so that restricting it again to the same scope adds no second copy of the rule's SQL."""

    @functools.wraps(rule)
    def restricted(self, user):
        rows = rule(self, user)._chain()
        rows._restricted = (scope, user)
        return rows

    return restricted


class ScopedQuerySet(models.QuerySet):
    """Override ``visible_to`` and ``editable_by``; the defaults give nobody anything. A model with a scope
    of another kind (who may act on a row by a proof the service checks) adds it in ``restrict``."""

    # (scope, user) when every row is known to be within ``scope`` for ``user``: set by ``visible_to`` and
    # ``editable_by``, kept by everything that only narrows or shapes the rows (filter, annotate, order …),
    # dropped by what adds rows (``|``, ``^``, union).
    _restricted: tuple | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for scope, name in ((VIEW, "visible_to"), (CHANGE, "editable_by")):
            rule = cls.__dict__.get(name)
            if rule is not None:
                setattr(cls, name, _marking(scope, rule))

    def visible_to(self, user) -> "ScopedQuerySet":
        return self.none()

    def editable_by(self, user) -> "ScopedQuerySet":
        return self.none()

    def restrict(self, user, scope: str = VIEW) -> "ScopedQuerySet":
        """The rows of this queryset within ``scope`` for ``user``: ``VIEW`` (``visible_to``) or ``CHANGE``
        (``editable_by``). A name the model does not know is an error, never every row."""
        if self._restricted is not None and self._restricted[0] == scope and self._restricted[1] is user:
            return self
        if scope == VIEW:
            return self.visible_to(user)
        if scope == CHANGE:
            return self.editable_by(user)
        raise ValueError(f"{self.model.__name__} has no scope {scope!r}")

    def _clone(self):
        clone = super()._clone()
        clone._restricted = self._restricted
        return clone

    def _unrestricted(self, rows: "ScopedQuerySet") -> "ScopedQuerySet":
        rows._restricted = None
        return rows

    def __or__(self, other):
        return self._unrestricted(super().__or__(other))

    def __xor__(self, other):
        return self._unrestricted(super().__xor__(other))

    def _combinator_query(self, combinator, *other_qs, all=False):  # noqa: A002 - Django's own signature
        return self._unrestricted(super()._combinator_query(combinator, *other_qs, all=all))

    def visible_share(self, user) -> Share | None:
        """Whom ``visible_to(user)`` gives the same rows as ``user`` (see :class:`Share`); None: nobody
        (the rows are the reader's own, so a list is reused for this reader alone). Write it next to
        ``visible_to`` and name every input of that rule in the key."""
        return None


def get_object_or_404(queryset: models.QuerySet, **lookup) -> models.Model:
    """``queryset.get(**lookup)``, a 404 when there is no such row — or when the key is malformed."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        # A malformed key ("abc" for an integer id) is a row that does not exist, never a 500.
        raise Http404(f"{queryset.model._meta.verbose_name} not found") from exc


def get_visible_or_404(queryset: models.QuerySet, user, **lookup) -> models.Model:
    return get_object_or_404(queryset.visible_to(user), **lookup)


def get_editable_or_404(queryset: models.QuerySet, user, **lookup) -> models.Model:
    return get_object_or_404(queryset.editable_by(user), **lookup)


def lock_editable(queryset: models.QuerySet, actor, *, pk, message: str) -> models.Model:
    """The row ``pk`` locked for update (``SELECT … FOR UPDATE``) if ``actor`` may change it; otherwise
    PermissionDenied with ``message``. Call inside the service's transaction."""
    row = queryset.editable_by(actor).select_for_update().filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(message)
    return row
