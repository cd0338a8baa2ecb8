"""The OpenAPI schema, shaped for client generators (openapi-python-client is the one tested:
``tests/api/test_generated_client.py``).

- **Failures.** Every operation documents the error envelope (``jiangyan.core.exceptions.ErrorSerializer``,
the
  component ``ApiError``) for 400, 401, 403, 404 and 429, because any request can be malformed,
  unauthenticated, refused, aimed at a missing object or throttled (``add_error_responses``, a
  postprocessing hook); an operation's own description of one of these statuses is kept.
- **Security per operation** (:class:`PortalAutoSchema`). An operation that needs a signed-in caller
  declares the token and session schemes. A public one (the viewset's ``public_actions``, or a view that
  allows anybody) declares none of its own and so takes the document's ``security``, which is the same
  schemes *or* the empty requirement ``{}``: anonymous, and signed in where signing in changes the answer.
  openapi-python-client reads only an operation's own list and takes any non-empty one, even
  ``[{}, …]``, as "signed in only" (its issue 1372), so saying it once at the top is what lets its
  ``Client`` call the public operations.
- **Operation ids**: ``<resource>_<list|create|retrieve|partial_update>`` for the standard actions (as
  drf-spectacular names them) and ``<resource>_<action>`` for the others (``wishes_claim``, not
  ``wishes_claim_create``; ``projects_milestones_list`` for a list): generated functions and modules are
  named after them.
- **Names.** No component may take a name a generator uses for its own types (``RESERVED_NAMES``), and
  query parameters carry no ``title`` (openapi-python-client names an inline enum after it: a Chinese label
  became a module name).
- **Request bodies** are JSON (``DEFAULT_PARSER_CLASSES``); an action that takes files takes multipart
  too, and documents that (:func:`upload_request`)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

ERROR_COMPONENT = "ApiError"
ERROR_SCHEMA = {
    "type": "object",
    "description": "所有错误的统一格式",
    "properties": {
        "code": {"type": "string", "description": "机器可读的错误代码，如 invalid、conflict、not_found"},
        "detail": {"type": "string", "description": "给人看的说明"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "字段 → 错误说明列表；与字段无关的错误为空对象",
        },
    },
    "required": ["code", "detail", "fields"],
}
ERROR_STATUSES = {
    "400": _("请求有误（字段错误在 fields 中）"),
    "401": _("未登录或令牌无效"),
    "403": _("无权执行"),
    "404": _("不存在或无权查看"),
    "429": _("请求过于频繁"),
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
STANDARD_ACTIONS = {"list", "create", "retrieve", "update", "partial_update", "destroy", "metadata"}
# Names of the generators' own types (openapi-python-client: ``types``, ``client``, ``errors``; others:
# ``Error``, ``Request``, ``Object`` …): a component of one of these names shadows them in generated code.
RESERVED_NAMES = frozenset(
    {
        "Any",
        "Api",
        "ApiClient",
        "ApiException",
        "AuthenticatedClient",
        "Client",
        "Configuration",
        "Date",
        "Datetime",
        "Error",
        "Errors",
        "Exception",
        "File",
        "FileJsonType",
        "List",
        "Model",
        "Models",
        "Object",
        "Request",
        "Response",
        "Types",
        "UnexpectedStatus",
        "Unset",
    }
)


def is_public(view) -> bool:
    """Whether anybody may call the view's current action: its viewset's ``public_actions`` (or, for a view
    without them, a permission that allows anybody)."""
    public_actions = getattr(view, "public_actions", None)
    if public_actions is not None and getattr(view, "action", None) is not None:
        return view.action in public_actions
    return any(isinstance(permission, AllowAny) for permission in view.get_permissions())


class PortalAutoSchema(AutoSchema):
    def get_auth(self):
        if is_public(self.view):
            return []  # the document's security: signed in or not (see the module docstring)
        return [requirement for requirement in super().get_auth() if requirement]

    def get_operation_id(self) -> str:
        action = getattr(self.view, "action", None)
        if action is None or action in STANDARD_ACTIONS:
            return super().get_operation_id()
        own = _url_path_tokens(self.view, action)
        path = self._tokenize_path()
        resource = path[: len(path) - len(own)] if own else path
        listing = ["list"] if self.method == "GET" and self._is_list_view() else []
        return "_".join([*resource, action.strip("_"), *listing]).replace("-", "_")


def _url_path_tokens(view, action: str) -> list[str]:
    """The literal parts of the URL the ``@action`` adds (``milestones/<id>/complete`` → two); an action
    mapped onto another's URL (``statements.mapping.post``) has that one's."""
    for extra in view.get_extra_actions():
        if extra.__name__ == action or action in extra.mapping.values():
            return [part for part in extra.url_path.split("/") if part and not part.startswith("(")]
    return []


def upload_request(serializer_class, *, json_only: tuple[str, ...] = ()) -> dict:
    """``extend_schema(request=…)`` of an action that takes files (``PortalViewSet.upload_actions``): a
    multipart body (component ``<Name>UploadRequest``), without ``json_only`` (nested fields a form cannot
    carry). The action takes the same fields as JSON too, without the files; the schema does not say so
    because openapi-python-client 0.29 writes a module that fails to import for an operation with two
    request content types (an optional ``Unset`` it never imports)."""
    base = serializer_class.__name__.removesuffix("Input")
    attributes = {"__module__": serializer_class.__module__, **dict.fromkeys(json_only)}
    return {"multipart/form-data": type(f"{base}Upload", (serializer_class,), attributes)}


SECURITY_SCHEMES = ("tokenAuth", "cookieAuth")


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status,
                    {"description": str(description), "content": {"application/json": {"schema": reference}}},
                )
    return result


def shape_for_generators(result, generator, request, public):
    """The document's security (signed in or anonymous: what a public operation takes), and query
    parameters without a ``title``."""
    schemes = result.get("components", {}).get("securitySchemes", {})
    result["security"] = [{name: []} for name in SECURITY_SCHEMES if name in schemes] + [{}]
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            for parameter in operation.get("parameters", ()):
                parameter.get("schema", {}).pop("title", None)
    return result
