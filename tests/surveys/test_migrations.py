"""Migration 0003: every suggestion coded before it (one problem item) is coded to that item afterwards."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("surveys", "0002_project_links")]
AFTER = [("surveys", "0003_suggestion_problem_items")]


@pytest.fixture
def migrator():
    """A migration executor; whatever the test does, the database ends at the latest state again, so the
    tests after it find every table (going back to 0002 also drops the tallies of 0004)."""
    yield MigrationExecutor(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_coded_suggestions_keep_their_item_as_their_only_and_main_item(migrator):
    migrator.migrate(BEFORE)
    old = migrator.loader.project_state(BEFORE).apps
    category = old.get_model("surveys", "ProblemCategory").objects.create(name="城乡环境")
    item = old.get_model("surveys", "ProblemItem").objects.create(
        category=category, code="HJ-002", title="路灯"
    )
    Suggestion = old.get_model("surveys", "Suggestion")
    coded = Suggestion.objects.create(text="路灯坏了", source="form", problem_item=item)
    uncoded = Suggestion.objects.create(text="还没编码", source="form")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Suggestion = new.get_model("surveys", "Suggestion")
    assert list(Suggestion.objects.get(pk=coded.pk).problem_items.values_list("code", flat=True)) == [
        "HJ-002"
    ]
    assert Suggestion.objects.get(pk=coded.pk).problem_item_id == item.pk
    assert not Suggestion.objects.get(pk=uncoded.pk).problem_items.exists()
