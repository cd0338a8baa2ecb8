"""Object scope: which rows a user may read and which they may change. One mechanism for pages, API and
services.

Every model with a scope has a queryset subclassing :class:`ScopedQuerySet` and writes its rule once,
in ``visible_to(user)`` (read) and ``editable_by(user)`` (change). Pages and API views fetch objects with
:func:`get_visible_or_404` / :func:`get_editable_or_404` (a row outside the scope is a 404: its existence is
not revealed); services lock the row they change with :func:`lock_editable` (outside the scope:
PermissionDenied). The role a page or endpoint needs is checked before, by ``role_required`` (pages) or
``HasRole`` / ``action_roles`` (API), see ``jiangyan.permissions``."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404


@dataclass(frozen=True)
class Share:
    """Readers who see the same rows: ``key`` names them (with their roles it keys a cached answer they may
    all be given, ``jiangyan.pagecache``), ``topics`` are the cache topics their rows add to a page's."""

    key: str
    topics: tuple[str, ...] = ()


class ScopedQuerySet(models.QuerySet):
    """Override ``visible_to`` and ``editable_by``; the defaults give nobody anything."""

    def visible_to(self, user) -> "ScopedQuerySet":
        return self.none()

    def editable_by(self, user) -> "ScopedQuerySet":
        return self.none()

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
