"""API of the surveys app: ``register(router)`` adds its viewsets, ``extra_urls`` any plain paths."""

extra_urls: list = []


def register(router) -> None:
    """Register this app's viewsets on the ``/api/v1/`` router."""
