"""The API router under ``/api/v1/``: each app's ``api_module`` (declared on its AppConfig) registers its
viewsets with ``register(router)`` and may add plain paths as ``extra_urls``."""

from rest_framework.routers import DefaultRouter

from jiangyan.core.site import api_modules

router = DefaultRouter()
extra_urls: list = []
for module in api_modules():
    module.register(router)
    extra_urls += getattr(module, "extra_urls", [])

urlpatterns = [*extra_urls, *router.urls]
