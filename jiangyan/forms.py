"""The glue between a page's form and a service: valid form → service call → success message, or the
service's error on the form."""

from collections.abc import Callable

from django.contrib import messages

from .exceptions import ApplicationError, add_error_to_form


def submit(request, form, call: Callable[[dict], object], *, success: str = "") -> object | None:
    """Call ``call(form.cleaned_data)`` when ``form`` is valid. Returns what the service returned (``True``
    when it returned nothing), or ``None`` when the form or the service refused — its error is then on
    the form. Test the result with ``is not None``. PermissionDenied propagates."""
    if not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ApplicationError as error:
        add_error_to_form(form, error)
        return None
    if success:
        messages.success(request, success)
    return True if result is None else result
