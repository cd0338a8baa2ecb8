"""The base of every API viewset: one lookup rule, permissions declared per action, explicit input
serializers, and the error envelope of ``jiangyan.exceptions``.

::

    class WishViewSet(PortalViewSet, mixins.ListModelMixin, ...):
        public_actions = ("list", "retrieve", "create")       # anybody, signed in or not
        action_roles = {"claim": (Role.PARTY_MEMBER,)}         # these roles (admins hold every role)
        # every other action: signed-in users; the service checks scope and state.

        @action(detail=True, methods=["post"])
        def claim(self, request, pk=None):
            data = self.input(ClaimInput)
            wish = services.wish_claim(actor=request.user, wish=self.get_object(), **data)
"""

from rest_framework import serializers, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated

from .pagecache import cached_list
from .permissions import HasRole
from .scoping import Share, get_object_or_404
from .throttling import LimitsFirstMixin, SubmitThrottle


class PortalViewSet(LimitsFirstMixin, viewsets.GenericViewSet):
    # Objects are addressed by their integer id unless a viewset names another key (projects: their code);
    # anything else in that place of the URL is a 404 before any lookup runs.
    lookup_value_regex = r"[0-9]+"
    public_actions: tuple[str, ...] = ()
    action_roles: dict[str, tuple[str, ...]] = {}
    # Actions that change the object: it is fetched from ``get_queryset().editable_by(user)``. Every other
    # action fetches from ``get_queryset()``, which starts from the model's ``visible_to(user)``.
    edit_actions: tuple[str, ...] = ()
    # Submissions counted per client or account, shared with the pages (``jiangyan.throttling``).
    throttled_actions: tuple[str, ...] = ()
    # Actions that take files: multipart besides JSON (the schema documents the multipart body:
    # ``jiangyan.schema.upload_request``). Every other request body is JSON only (``DEFAULT_PARSER_CLASSES``).
    upload_actions: tuple[str, ...] = ()
    # The cache topics its answers show (``jiangyan.pagecache``): anonymous GETs of public actions and every
    # reader's lists are then kept until one of them changes. None: never cached (personal or unaudited data).
    cache_topics: tuple[str, ...] | None = None

    def __init_subclass__(cls, **kwargs):
        # The list is wrapped by the cache whichever order the subclass names its mixins in.
        super().__init_subclass__(**kwargs)
        list_view = getattr(cls, "list", None)
        if list_view is not None and not getattr(list_view, "cached", False):
            cls.list = cached_list(list_view)

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
        queryset = self.get_queryset()
        if self.action in self.edit_actions:
            queryset = queryset.editable_by(self.request.user)
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
