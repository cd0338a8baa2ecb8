"""The OpenAPI schema's promise about failures: every operation documents the error envelope
(``jiangyan.exceptions.ErrorSerializer``) for 400, 401, 403, 404 and 429, because any request can be
malformed, unauthenticated, refused, aimed at a missing object or throttled, and each of those answers with
the envelope. A drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``); an
operation's own description of one of these statuses is kept."""

from django.utils.translation import gettext_lazy as _

ERROR_COMPONENT = "Error"
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
