"""The ``actions`` of API answers (``jiangyan.core.moves``): the moves the caller may make on each object now.

``actions_field(machine)`` is the serializer's read-only field, typed as a list of the machine's action
names. An object's own answer (detail, an action's answer) computes it with the viewset's
``actions_for(objects)``. A list answer is kept in the cache for every reader who sees the same rows
(``jiangyan.core.pagecache.cached_list``), while actions are this reader's: :class:`ListedActions` fills them
into each row after the list is read, for all rows at once (a fixed number of queries)."""

from collections.abc import Iterable

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .moves import Machine


def actions_field(machine: Machine) -> serializers.Field:
    """A read-only ``actions`` field: the names of the moves the caller may make now."""
    choices = machine.actions

    # Named in ``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`` (``<Entity>ActionEnum``).
    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=choices)))
    class ActionsField(serializers.Field):
        def __init__(self, **kwargs):
            kwargs.setdefault("read_only", True)
            kwargs.setdefault("source", "*")
            kwargs.setdefault("help_text", "当前用户现在可以执行的操作（与页面按钮一致）")
            super().__init__(**kwargs)

        def to_representation(self, obj):
            view = self.context.get("view")
            if view is None or getattr(view, "action", None) == "list":
                return []  # filled per reader by ``ListedActions``
            return view.actions_for([obj]).get(obj.pk, [])

    return ActionsField()


class ListedActions:
    """Viewset mixin: define ``actions_for(objects) -> {pk: [action, …]}`` for the caller. ``listed_key``:
    the field that names a row in the list answer and the model alike (``code`` for projects)."""

    listed_key = "id"

    def actions_for(self, objects: Iterable) -> dict[int, list[str]]:
        raise NotImplementedError

    def listed_objects(self, keys: list) -> Iterable:
        """The rows of a list answer, read again in one query for their actions."""
        return self.get_queryset().model.objects.filter(**{f"{self.listed_key}__in": keys})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if getattr(self, "action", None) != "list" or response.status_code != 200 or data is None:
            return response
        rows = data.get("results") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not rows or "actions" not in rows[0]:
            return response
        key = self.listed_key
        objects = list(self.listed_objects([row[key] for row in rows]))
        by_pk = self.actions_for(objects)
        actions = {getattr(obj, key): by_pk.get(obj.pk, []) for obj in objects}
        # New rows: the cached answer the list came from is shared and stays as it was.
        filled = [{**row, "actions": actions.get(row[key], [])} for row in rows]
        response.data = {**data, "results": filled} if isinstance(data, dict) else filled
        return response
