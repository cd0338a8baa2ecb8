"""No stampede: when a popular page goes stale, one worker recomputes it while the others are answered with
the previous copy; when there is no copy yet, the others wait for the one being made. Real threads, each
with its own client, against the in-process cache and against a real Redis of the test's own."""

import threading
import time

import pytest
from django.core.cache import cache
from django.test import Client

from jiangyan.core.pagecache import changed
from tests.jiangyan.pagecache_urls import computation
from tests.redis_server import cache_settings, redis_server_or_skip

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 12


@pytest.fixture(scope="module")
def private_redis():
    server = redis_server_or_skip()
    yield server
    server.stop()


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    if request.param == "redis":
        settings.CACHES = cache_settings(
            request.getfixturevalue("private_redis").url, settings.REDIS_CACHE_OPTIONS
        )
    settings.ROOT_URLCONF = "tests.jiangyan.pagecache_urls"
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_LOCK_SECONDS = 20
    settings.PAGE_CACHE_WAIT_SECONDS = 20
    cache.clear()
    computation.reset(version=1)
    computation.gate.set()
    yield
    computation.gate.set()
    cache.clear()


def fetch_all(count: int):
    """``count`` clients ask for the page at once; returns the answers as they arrive (a list that fills)."""
    answers, lock = [], threading.Lock()
    barrier = threading.Barrier(count)

    def one():
        barrier.wait(timeout=20)
        response = Client().get("/popular/")
        with lock:
            answers.append((response["X-Page-Cache"], response.content.decode()))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, answers


def wait_for(condition, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_stale_popular_page_is_recomputed_once_while_the_others_get_the_previous_copy(page_cache):
    assert Client().get("/popular/").content == b"version 1"
    changed("test-topic")
    computation.reset(version=2)
    computation.gate.clear()  # the recomputation waits here until the others have been answered
    threads, answers = fetch_all(CLIENTS)
    # The others are answered while the one recomputing is still held: they did not wait for it.
    others_answered = wait_for(lambda: len(answers) >= CLIENTS - 1)
    computation.gate.set()
    for thread in threads:
        thread.join(timeout=30)
    assert others_answered
    assert computation.count == 1
    assert sorted(answers).count(("stale", "version 1")) == CLIENTS - 1
    assert ("miss", "version 2") in answers
    assert Client().get("/popular/")["X-Page-Cache"] == "hit"


def test_without_a_previous_copy_the_others_wait_for_the_one_being_computed(page_cache):
    computation.reset(version=1)
    computation.gate.clear()
    threads, answers = fetch_all(CLIENTS)
    assert wait_for(lambda: computation.count >= 1)
    time.sleep(0.3)  # the others are in their wait by now (a late one finds the copy: a hit)
    computation.gate.set()
    for thread in threads:
        thread.join(timeout=30)
    assert computation.count == 1
    assert len(answers) == CLIENTS and {content for _, content in answers} == {"version 1"}
    assert {state for state, _ in answers} <= {"miss", "wait", "hit"}


def test_a_change_during_a_recomputation_is_not_hidden_by_it(page_cache):
    """The copy being computed was begun before the change: it is kept, but as stale, so the next request
    after the change computes again instead of taking it for fresh."""
    Client().get("/popular/")
    changed("test-topic")
    computation.reset(version=2)
    computation.gate.clear()
    threads, answers = fetch_all(1)
    assert wait_for(lambda: computation.count == 1)
    changed("test-topic")  # while version 2 is still being computed
    computation.reset(version=3)
    computation.gate.set()
    threads[0].join(timeout=30)
    assert answers == [("miss", "version 2")]
    assert Client().get("/popular/").content == b"version 3"
