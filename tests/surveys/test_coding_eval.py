"""The coding assistant on suggestions as residents write them (``bench/data/``): every suggestion gets
candidates, and the evaluation set's hit rates stay at the goal of issue 16. Deterministic (the demo's
problem list and pool, built in memory; no clock); the figures themselves live in ``bench/README.md``."""

import pytest

from bench.surveys_coding_accuracy import evaluate, load, pool, problem_list
from surveys.coding import Ranker, Spaces

GOAL_TOP1, GOAL_TOP3 = 0.85, 0.95


@pytest.fixture(scope="module")
def demo():
    items, ids = problem_list()
    texts, coded = pool(items, ids)
    ranker = Ranker.learn(Spaces(items, background=texts), coded)
    return {"items": items, "ids": ids, "texts": texts, "ranker": ranker}


@pytest.mark.parametrize("name", ["eval", "dev"])
def test_every_suggestion_gets_three_candidates(demo, name):
    rows = load(name)
    ranked = demo["ranker"].rank_many([r["text"] for r in rows], 3)
    assert all(len(candidates) == 3 for candidates in ranked)


def test_the_evaluation_set_is_coded_as_well_as_the_goal(demo):
    n, top1, top3 = evaluate(demo["ranker"], load("eval"), demo["ids"])["total"]
    assert n >= 300
    assert top1 / n >= GOAL_TOP1 and top3 / n >= GOAL_TOP3, (top1 / n, top3 / n)


def test_the_evaluation_set_is_coded_as_well_as_the_goal_on_the_first_day_too(demo):
    """The items' own words alone (no pool, nothing coded yet)."""
    n, top1, top3 = evaluate(Ranker.build(demo["items"]), load("eval"), demo["ids"])["total"]
    assert top1 / n >= GOAL_TOP1 and top3 / n >= GOAL_TOP3, (top1 / n, top3 / n)


def test_the_two_sets_and_the_demo_share_no_suggestion(demo):
    evaluation, development = {r["text"] for r in load("eval")}, {r["text"] for r in load("dev")}
    assert not evaluation & development
    assert not set(demo["texts"]) & (evaluation | development)
