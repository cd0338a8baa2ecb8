"""Application errors and the one error envelope of the API.

A service raises :class:`ApplicationError` (400) or :class:`ConflictError` (409) with a message in the
user's language and, optionally, messages per field. Every API failure — service errors, serializer
errors, permission, not found, throttling — answers with the same body::

    {"code": "invalid", "detail": "提交的内容有误，请检查。", "fields": {"title": ["请填写心愿。"]}}

``fields`` is always there (empty when the error concerns no field), so a field called ``code`` or
``detail`` cannot collide with the envelope. Pages show the same errors on their forms
(:func:`add_error_to_form`). Nothing a user can cause ends in a 500."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from jiangyan.helpers.validators import bidi_message, has_bidi_controls


class ApplicationError(Exception):
    """A request that cannot be carried out as asked. ``fields`` maps field names to messages."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = {name: [str(m) for m in messages] for name, messages in (fields or {}).items()}


class ConflictError(ApplicationError):
    """The object is no longer in a state that allows this (lost a race, illegal transition)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class SignInLocked(exceptions.APIException):
    """Too many failed sign-ins of this account from this client (django-axes): the sign-in page's message."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"
    default_detail = _lazy("密码错误次数过多，该账号已暂时锁定，请一小时后再试或联系办公室重置密码。")


def field_error(field: str, message: str, *, code: str | None = None) -> ApplicationError:
    """An error about one field whose message is also the error's message."""
    return ApplicationError(message, code=code, fields={field: [message]})


def clean_text(
    value: str | None, field: str, label: str, *, required: bool = True, max_length: int = 0
) -> str:
    """``value`` stripped; a field error when it is required and empty, or longer than ``max_length``."""
    value = (value or "").strip()
    if has_bidi_controls(value):
        raise field_error(field, bidi_message(), code="bidi_control")
    if required and not value:
        raise field_error(field, _("请填写%(label)s。") % {"label": label})
    if max_length and len(value) > max_length:
        raise field_error(field, _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": max_length})
    return value


@extend_schema_serializer(component_name="ApiError")  # not "Error": a name generators keep for their own
class ErrorSerializer(serializers.Serializer):
    """The body of every API error (for the OpenAPI schema)."""

    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、conflict、not_found")
    detail = serializers.CharField(help_text="给人看的说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="字段 → 错误说明列表；与字段无关的错误为空对象",
    )


def error_response(description: str) -> OpenApiResponse:
    """An error answer in the OpenAPI schema: the envelope, with what it means for this operation."""
    return OpenApiResponse(ErrorSerializer, description=description)


def envelope(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": str(detail), "fields": fields or {}}


def flatten_fields(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's errors as the envelope's ``fields``: each field → a list of messages. Errors of nested input
    (an item of a list, a field of a nested object) get a dotted name: ``indicator_values.0.value``."""
    flat: dict[str, list[str]] = {}

    def add(name: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                add(f"{name}.{key}" if name else str(key), inner)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, dict | list | tuple):
                    add(f"{name}.{index}" if name else str(index), item)
                elif item is not None and str(item):
                    flat.setdefault(name or "non_field_errors", []).append(str(item))
        elif value is not None:
            flat.setdefault(name or "non_field_errors", []).append(str(value))

    add(prefix, errors)
    return flat


def _codes_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = envelope(code=exc.code, detail=exc.message, fields=exc.fields)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("您没有执行该操作的权限。"))
    if isinstance(exc, Http404):
        # Django's message names the model and the query: not for the public.
        exc = exceptions.NotFound(_("您要找的内容不存在或无权查看。"))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        fields = flatten_fields(data)
        general = fields.get("non_field_errors") or []
        detail = general[0] if len(general) == 1 and len(fields) == 1 else _("提交的内容有误，请检查。")
        response.data = envelope(code="invalid", detail=detail, fields=fields)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = envelope(code=_codes_of(exc), detail=detail)
    return response


def add_error_to_form(form, error: ApplicationError) -> None:
    """Show a service's error on the form it came from: field messages on their fields (or on the form
    when the form has no such field), the message itself when there are no field messages."""
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)
