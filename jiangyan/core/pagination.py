"""Paging of lists: ``StandardPagination`` for the API (``DEFAULT_PAGINATION_CLASS``) and
:func:`list_page` for the HTML list pages — the list's FilterSet (the same class as its API list) over the
list's selector, and the page of ``?page=``."""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE = 20


class StandardPagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200


def list_page(request, rows, filterset_class=None, *, per_page: int = PAGE_SIZE, data=None) -> dict:
    """The context every list page shares: ``filter``, the ``filterset_class`` bound to ``data`` (default:
    the query string; none at all: unbound) over ``rows`` (when the list has filters), and ``page_obj``,
    the page of the filtered rows that ``?page=`` names (the last one past the end)."""
    context = {}
    if filterset_class is not None:
        bound = (request.GET or None) if data is None else data
        filterset = filterset_class(bound, queryset=rows, request=request)
        rows = filterset.qs
        context["filter"] = filterset
    context["page_obj"] = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return context
