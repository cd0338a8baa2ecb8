"""Application errors: a service raises them, the API turns them into a 400/409 with a clear message and
pages show the message. Nothing a user can cause should end in a 500."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A request that cannot be carried out as asked. ``fields`` maps field names to messages."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = fields or {}


class ConflictError(ApplicationError):
    """The object is no longer in a state that allows this (lost a race, illegal transition)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            {"detail": exc.message, "code": exc.code, **{k: list(v) for k, v in exc.fields.items()}},
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            data = {"detail": " ".join(str(m) for m in exc.messages)}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and not str(exc):
        exc = PermissionDenied("您没有执行该操作的权限。")
    return exception_handler(exc, context)


def add_error_to_form(form, error: ApplicationError) -> None:
    """Show a service's error on the form it came from: field messages on their fields (or on the form
    when the form has no such field), the message itself when there are no field messages."""
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)
