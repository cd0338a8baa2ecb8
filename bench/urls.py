"""The portal's URLs plus ``/__bare__``: a Django view that returns a constant, through the same
middleware and the same gunicorn — the ceiling each page is measured against."""

from django.http import HttpResponse
from django.urls import path

from jiangyan import urls as portal

handler400 = portal.handler400
handler403 = portal.handler403
handler404 = portal.handler404
handler500 = portal.handler500


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("__bare__", bare), *portal.urlpatterns]
