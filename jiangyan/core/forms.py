"""The glue between a page's form and a service, written once: valid form → service call → success
message, or the service's error on the form (and, when asked, in the page's messages)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages

from .exceptions import ApplicationError, add_error_to_form


@dataclass
class Outcome:
    """What became of a submitted form: the service's result (``True`` when it returned nothing), or the
    error that stopped it, or an invalid form."""

    result: Any = None
    error: ApplicationError | None = None
    form_invalid: bool = False

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def status(self) -> int:
        """The page's status: 200 done, 400 the form refused, the service error's own (409 a conflict)."""
        if self.error is not None:
            return self.error.status_code
        return 400 if self.form_invalid else 200


def submit_outcome(
    request, form, call: Callable[[dict], object], *, success: str = "", announce: bool = False
) -> Outcome:
    """Call ``call(form.cleaned_data)`` when ``form`` is valid. A service refusal lands on the form (and,
    with ``announce``, in the page's messages too). PermissionDenied propagates."""
    if not form.is_valid():
        return Outcome(form_invalid=True)
    try:
        result = call(form.cleaned_data)
    except ApplicationError as error:
        add_error_to_form(form, error)
        if announce:
            messages.error(request, error.message)
        return Outcome(error=error)
    if success:
        messages.success(request, success)
    return Outcome(result=True if result is None else result)


def submit(request, form, call: Callable[[dict], object], *, success: str = "") -> Any:
    """:func:`submit_outcome` for pages that only need the result: the service's result (``True`` when it
    returned nothing), or ``None`` when the form or the service refused. Test it with ``is not None``."""
    return submit_outcome(request, form, call, success=success).result
