"""A new release never serves a page or a fragment the old one rendered: both are keyed by the release
(``jiangyan.release``), read off the source tree unless ``RELEASE`` names it."""

import pytest
from django.core.cache import cache
from django.test import Client

from jiangyan.release import source_release
from tests.projects.factories import ProjectFactory


def test_the_release_moves_with_a_template_or_a_module_and_not_with_other_files(tmp_path):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>一</p>", encoding="utf-8")
    (tmp_path / "views.py").write_text("x = 1\n")
    before = source_release(tmp_path)
    (tmp_path / "notes.txt").write_text("not part of a page")
    assert source_release(tmp_path) == before
    page.write_text("<p>二，改过的模板</p>", encoding="utf-8")
    assert source_release(tmp_path) != before


@pytest.mark.django_db(transaction=True)
def test_a_page_cached_by_one_release_is_computed_again_by_the_next(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    ProjectFactory(title="老旧小区加装电梯")
    try:
        settings.RELEASE = "2026.12.1"
        assert Client().get("/projects/")["X-Page-Cache"] == "miss"
        assert Client().get("/projects/")["X-Page-Cache"] == "hit"
        settings.RELEASE = "2026.12.2"
        assert Client().get("/projects/")["X-Page-Cache"] == "miss"
    finally:
        cache.clear()
