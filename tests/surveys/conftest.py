import pytest
from django.core.cache import cache

from surveys import coding

from .factories import survey_with_every_kind


@pytest.fixture(autouse=True)
def _fresh_caches():
    """The page rate limit lives in the cache and the coding model in a per-process cache."""
    cache.clear()
    coding.clear_cache()
    yield
    cache.clear()
    coding.clear_cache()


@pytest.fixture
def s(db):
    """A survey open now with one question of each kind (see ``survey_with_every_kind``)."""
    return survey_with_every_kind()
