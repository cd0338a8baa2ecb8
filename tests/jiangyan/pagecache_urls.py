"""A test URLconf: one cached page whose computation the stampede tests hold and count
(``tests/jiangyan/test_pagecache_stampede.py``)."""

import threading

from django.http import HttpResponse
from django.urls import path

from jiangyan.core.pagecache import cached_page


class Computation:
    """How often the page was computed, what it says, and a gate each computation waits at."""

    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0
        self.version = 1
        self.gate = threading.Event()
        self.gate.set()

    def reset(self, version: int) -> None:
        with self.lock:
            self.count = 0
            self.version = version


computation = Computation()


@cached_page(topics=("test-topic",))
def popular(request):
    with computation.lock:
        computation.count += 1
        version = computation.version
    computation.gate.wait(timeout=20)
    return HttpResponse(f"version {version}")


urlpatterns = [path("popular/", popular)]
