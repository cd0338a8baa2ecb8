"""The base of every API viewset: one lookup rule, permissions declared per action, explicit input
serializers, and the error envelope of ``jiangyan.core.exceptions``.

::

    class WishViewSet(PortalViewSet, mixins.ListModelMixin, ...):
        public_actions = ("list", "retrieve", "create")       # anybody, signed in or not
        action_roles = {"claim": (Role.PARTY_MEMBER,)}         # these roles (admins hold every role)
        # every other action: signed-in users; the service checks scope and state.

        @action(detail=True, methods=["post"])
        def claim(self, request, pk=None):
            data = self.input(ClaimInput)
            wish = services.wish_claim(actor=request.user, wish=self.get_object(), **data)

Scope is the base class's business, as NetBox's ``BaseViewSet`` restricts every queryset before a view
sees it: whatever ``get_queryset()`` (or ``queryset``) a viewset gives, the rows it reaches — in the list,
in ``get_object()`` and in every custom action — are restricted to the action's scope on the model
(``jiangyan.core.scoping.ScopedQuerySet.restrict``): ``visible_to(user)`` unless ``action_scopes`` names
another. A viewset whose author forgets the scope (``queryset = Wish.objects.all()``) still shows nobody
a row outside theirs, and a model without a scope cannot be served at all.
"""

import functools

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated

from .pagecache import cached_list
from .permissions import HasRole
from .scoping import VIEW, ScopedQuerySet, Share, get_object_or_404
from .throttling import LimitsFirstMixin, SubmitThrottle


class PortalViewSet(LimitsFirstMixin, viewsets.GenericViewSet):
    # Objects are addressed by their integer id unless a viewset names another key (projects: their code);
    # anything else in that place of the URL is a 404 before any lookup runs.
    lookup_value_regex = r"[0-9]+"
    public_actions: tuple[str, ...] = ()
    action_roles: dict[str, tuple[str, ...]] = {}
    # The scope in which each action reaches its rows, by the name the model's queryset knows
    # (``ScopedQuerySet.restrict``); an action not named here reads in ``VIEW`` (``visible_to``). Every
    # action on one object names its scope (a test walks them): ``CHANGE`` (``editable_by``) where a row
    # outside the editor's scope is a 404, ``VIEW`` where anybody who sees the row may ask and the service
    # decides (a 403 or 409), or a scope of the model's own (a wish's ``WISHER``).
    action_scopes: dict[str, str] = {}
    # Submissions counted per client or account, shared with the pages (``jiangyan.core.throttling``).
    throttled_actions: tuple[str, ...] = ()
    # Actions that take files: multipart besides JSON (the schema documents the multipart body:
    # ``jiangyan.core.schema.upload_request``). Every other request body is JSON only
    # (``DEFAULT_PARSER_CLASSES``).
    upload_actions: tuple[str, ...] = ()
    # The cache topics its answers show (``jiangyan.core.pagecache``): anonymous GETs of public actions and
    # every reader's lists are then kept until one of them changes. None: never cached (personal or unaudited
    # data).
    cache_topics: tuple[str, ...] | None = None

    def __init_subclass__(cls, **kwargs):
        # The list is wrapped by the cache whichever order the subclass names its mixins in.
        super().__init_subclass__(**kwargs)
        list_view = getattr(cls, "list", None)
        if list_view is not None and not getattr(list_view, "cached", False):
            cls.list = cached_list(list_view)
        if "edit_actions" in cls.__dict__:  # the former declaration, which would now be silently ignored
            raise ImproperlyConfigured(f"{cls.__name__}: name CHANGE for those actions in action_scopes")
        # Whatever rows a subclass's ``get_queryset`` gives, they are restricted to the action's scope.
        rows = cls.__dict__.get("get_queryset")
        if rows is not None and not getattr(rows, "restricted", False):
            cls.get_queryset = _restricted(rows)

    def get_queryset(self):
        return self.restrict(super().get_queryset())

    @property
    def scope(self) -> str:
        """The scope of the action being run (``action_scopes``, else ``VIEW``)."""
        return self.action_scopes.get(getattr(self, "action", None), VIEW)

    def restrict(self, queryset):
        """``queryset`` within the current action's scope for the caller (a no-op for rows a selector has
        already restricted to it)."""
        if getattr(self, "swagger_fake_view", False):  # schema generation: no reader, no rows, no query
            return queryset.none()
        if not isinstance(queryset, ScopedQuerySet):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {queryset.model.__name__} has no scope; its queryset must subclass "
                "jiangyan.core.scoping.ScopedQuerySet (visible_to / editable_by)"
            )
        return queryset.restrict(self.request.user, self.scope)

    def cache_share(self, user) -> Share:
        """Whom this reader's list may be shared with: the model's ``visible_share``, or this reader alone
        (with the unit and community their scope may depend on)."""
        model = type(self).__dict__.get("_listed_model")
        if model is None:  # the model a list shows, found once per viewset (building its queryset costs)
            model = type(self)._listed_model = self.get_queryset().model
        rule = getattr(model.objects, "visible_share", None)
        share = rule(user) if rule is not None else None
        if share is None:
            scope = f"{user.pk}|{getattr(user, 'unit_id', '')}|{getattr(user, 'community_id', '')}"
            share = Share(f"user:{scope}")
        return share

    def get_permissions(self):
        if self.action in self.public_actions:
            return [AllowAny()]
        if self.action in self.action_roles:
            return [HasRole.of(*self.action_roles[self.action])()]
        return [IsAuthenticated()]

    def get_parsers(self):
        parsers = super().get_parsers()
        if getattr(self, "action", None) in self.upload_actions:
            parsers.append(MultiPartParser())
        return parsers

    def initialize_request(self, request, *args, **kwargs):
        # DRF chooses the parsers before it knows the action; choose them again once it does.
        request = super().initialize_request(request, *args, **kwargs)
        if self.action in self.upload_actions:
            request.parsers = self.get_parsers()
        return request

    def get_throttles(self):
        return [SubmitThrottle()] if self.action in self.throttled_actions else []

    def get_object(self):
        queryset = self.get_queryset()  # within the action's scope
        key = self.lookup_url_kwarg or self.lookup_field
        obj = get_object_or_404(queryset, **self.lookup_filter(self.kwargs[key]))
        self.check_object_permissions(self.request, obj)
        return obj

    def lookup_filter(self, key: str) -> dict:
        """The lookup of the object a URL's key names (a viewset may accept more than one kind of key)."""
        return {self.lookup_field: key}

    def input(self, serializer_class: type[serializers.Serializer], **kwargs) -> dict:
        """The request body validated by ``serializer_class`` (a 400 with field errors otherwise)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _restricted(rows):
    @functools.wraps(rows)
    def get_queryset(self):
        return self.restrict(rows(self))

    get_queryset.restricted = True
    return get_queryset
